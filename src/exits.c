/* exits.c - _exit() and _Exit(): documented API, exported like the
 * allocator entry points (README "Abnormal ends"); quick_exit(), whose
 * report comes from an at_quick_exit handler; and exit() and quick_exit()
 * themselves, wrapped only so that one thread at a time runs them
 * (ll_end_enter, signals.c).
 *
 * A process that ends with _exit skips the ELF destructors and with them
 * the exit report.  What a user wants depends on who calls it:
 *   - the process that was started (an exec'd program): it chose to end
 *     that way, and its leaks are as real as anyone's: report
 *     (immediate_exit=1, the default);
 *   - a fork() child: _exit is the idiom for "skip the parent's cleanup",
 *     and its report would repeat the parent's blocks: no report;
 *   - a vfork() child or one of posix_spawn's: it shares the parent's memory
 *     and must not touch libleak's state: pass through, always.
 * exit() itself ends in glibc's internal _exit, which is not interposed;
 * after the exit report the state is LL_DONE and this passes through too.
 *
 * Kept out of the unit-test library (the Makefile filters it out): a test
 * binary must not have its own exit or _exit replaced. */
#include "ll.h"

#include <stdlib.h>
#include <unistd.h>

/* quick_exit() runs the at_quick_exit handlers, then glibc's internal
 * _exit, which the hook below never sees: without help no report at all.
 * It is C11's other normal end, so it is treated as exit() is, not as
 * _exit(): the report comes after the program's handlers (they are its
 * cleanup, as atexit handlers are exit's), every process that was not
 * vfork'd gets one, fork children included, and immediate_exit does not
 * apply (it exists for _exit, the idiom for "skip all cleanup").  Our
 * handler is registered by libleak's constructor, before main and before
 * the constructors of objects loaded after libleak; handlers run last
 * registered first, so it runs after theirs.  (One registered by a
 * constructor that ran before ours, a library's, runs after the report.)
 * The status is the program's unless exitcode=N applies; stdio is not
 * flushed, as quick_exit would not have flushed it. */
static void ll_quick_exit_report(void)
{
    if (atomic_load(&ll_state) != LL_READY || !ll_is_own_process() ||
        !ll_report_claim() || ll_end_interrupted("quick_exit()", 0))
        return;
    if (ll_abnormal_report() && ll_opt.exitcode)
        ll_exit_real(ll_opt.exitcode);
}

/* ---- exit() and quick_exit(): one thread at a time (ll_end_enter) ------ */
typedef void (*ll_end_fn)(int);
static void *ll_next_exit, *ll_next_quick_exit;

/* libc's function name; resolved at load, or here if an end came first. */
static ll_end_fn ll_next_end(void **slot, const char *name)
{
    ll_end_fn f;
    *(void **)&f = ll_real_next(slot, name);
    return f;
}

/* libc's end name (exit or quick_exit), one thread at a time. */
static __attribute__((noreturn)) void ll_end_through(void **slot, const char *name,
                                                     int status)
{
    ll_end_enter();
    ll_end_fn f = ll_next_end(slot, name);
    if (f)
        f(status);
    ll_exit_real(status);           /* no libc function: cannot happen */
}

LL_EXPORT void exit(int status) { ll_end_through(&ll_next_exit, "exit", status); }

LL_EXPORT void quick_exit(int status)
{
    ll_end_through(&ll_next_quick_exit, "quick_exit", status);
}

/* ---- main's return: through exit() above, not libc's own ------------------
 * libc's start-up code calls exit() with main's value from inside libc, where
 * the wrapper above does not see it.  A worker that calls exit() while main
 * returns then runs glibc 2.36's exit beside main's (neither waits for the
 * other), and whichever of the two does not write the report ends the process
 * in the middle of it: the report was lost in about one run in two
 * (hostile_main_return_race).  So main is called from here, and its value
 * goes to that wrapper, as every other exit() does.  pthread_exit() in main
 * unwinds past this frame to libc's start-up code, as it would have.
 *
 * The unwinder ends every stack at ll_main (ll_main_lo, ll_main_hi:
 * unwind.c): what lies below main is libc's start-up code, which no report
 * shows, so a stack from main's callees holds no start-up frame (and its
 * memo checks none of their words), and a leak's signature ends at main,
 * not at _start. */
typedef int (*ll_main_fn)(int, char **, char **);
typedef int (*ll_start_fn)(ll_main_fn, int, char **, void (*)(void), void (*)(void),
                           void (*)(void), void *);
LL_HIDDEN ll_main_fn ll_program_main;
static void *ll_next_start;

LL_HIDDEN __attribute__((noreturn, used)) void ll_main_returned(int status)
{
    ll_end_through(&ll_next_exit, "exit", status);
}

#if defined(__x86_64__)
/* ll_main(argc, argv, envp): main's own arguments pass through untouched;
 * the stack is aligned for the call; CFI, so that pthread_exit() in main
 * and debuggers unwind through it.  ll_main_lo and ll_main_hi bound it for
 * the unwinder. */
int ll_main(int argc, char **argv, char **envp) LL_HIDDEN;
__asm__(".text\n"
        ".p2align 4\n"
        ".globl ll_main\n.hidden ll_main\n.type ll_main, @function\n"
        ".globl ll_main_lo\n.hidden ll_main_lo\n"
        ".globl ll_main_hi\n.hidden ll_main_hi\n"
        "ll_main:\nll_main_lo:\n"
        "\t.cfi_startproc\n"
        "\tsubq $8, %rsp\n"
        "\t.cfi_def_cfa_offset 16\n"
        "\tcall *ll_program_main(%rip)\n"
        "\tmovl %eax, %edi\n"
        "\tcall ll_main_returned\n"
        "\thlt\n"
        "\t.cfi_endproc\n"
        "ll_main_hi:\n"
        ".size ll_main, .-ll_main\n");
#else
static int ll_main(int argc, char **argv, char **envp)
{
    ll_main_returned(ll_program_main(argc, argv, envp));
}
#endif

LL_EXPORT int __libc_start_main(ll_main_fn main, int argc, char **argv,
                                void (*init)(void), void (*fini)(void),
                                void (*rtld_fini)(void), void *stack_end)
{
    ll_start_fn f;
    *(void **)&f = ll_real_next(&ll_next_start, "__libc_start_main");
    if (!f)                         /* no libc function: cannot happen */
        ll_exit_real(127);
    ll_program_main = main;
    return f(ll_main, argc, argv, init, fini, rtld_fini, stack_end);
}

/* At load: no dlsym later in a vfork child or a signal handler. */
__attribute__((constructor)) static void ll_exits_install(void)
{
    at_quick_exit(ll_quick_exit_report);
    (void)ll_next_end(&ll_next_exit, "exit");
    (void)ll_next_end(&ll_next_quick_exit, "quick_exit");
}

/* regs: the caller's callee-saved registers (rbx, rbp, r12-r15), saved by
 * the entry stub below; sp: the caller's stack pointer after the call.
 * The reachability scan starts there, not in libleak's own frames. */
__attribute__((noreturn, used)) void ll_immediate_exit(int status, uintptr_t *regs,
                                                       uintptr_t sp)
{
    int lost = 0;
    /* exit() was called and put its report off (late.c), and a destructor
     * after ours called _exit: the report is exit()'s, written here */
    int late = ll_late_pending();
    if ((late || (ll_opt.immediate_exit && !ll_is_fork_child())) && ll_is_own_process() &&
        atomic_load(&ll_state) == LL_READY && ll_report_claim() &&
        !ll_end_interrupted("_exit()", 0)) {
        if (regs) {
            ll_live_root.nregs = 6;
            for (unsigned i = 0; i < 6; i++)
                ll_live_root.regs[i] = regs[i];
            ll_live_root.sp = sp;
        }
        lost = ll_abnormal_report();
    } else if (ll_is_own_process() && ll_is_fork_child()) {
        ll_started_unmark();        /* no report by design: not a process left unchecked */
    }
    /* exitcode=N applies as at exit(); stdio is not flushed, as _exit
     * would not have flushed it. */
    ll_exit_real(lost && ll_opt.exitcode ? ll_opt.exitcode : status);
}

#if defined(__x86_64__)
/* _exit and _Exit: save the callee-saved registers exactly as the caller
 * left them (C code could have reused them first), then call the above
 * with status (edi), the saved block and the caller's stack pointer. */
__asm__(".text\n"
        ".globl _exit\n.type _exit, @function\n"
        ".globl _Exit\n.type _Exit, @function\n"
        "_exit:\n_Exit:\n"
        "\tsubq $56, %rsp\n"
        "\tmovq %rbx, 0(%rsp)\n\tmovq %rbp, 8(%rsp)\n\tmovq %r12, 16(%rsp)\n"
        "\tmovq %r13, 24(%rsp)\n\tmovq %r14, 32(%rsp)\n\tmovq %r15, 40(%rsp)\n"
        "\tmovq %rsp, %rsi\n"
        "\tleaq 64(%rsp), %rdx\n"
        "\tcall ll_immediate_exit\n"
        "\thlt\n"
        ".size _exit, .-_exit\n.size _Exit, .-_Exit\n");
#else
LL_EXPORT void _exit(int status)
{
    ll_immediate_exit(status, NULL, 0);
}

LL_EXPORT void _Exit(int status)
{
    ll_immediate_exit(status, NULL, 0);
}
#endif
