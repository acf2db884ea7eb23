/* exitroot.c - where the exiting thread's live stack begins.
 *
 * The report runs inside exit() or quick_exit(), below the frames of their
 * own machinery (exit, __run_exit_handlers, _dl_fini, our destructor; or
 * quick_exit, __run_exit_handlers, our at_quick_exit handler).  Those frames are
 * laid over the dead frames of everything the program called before, and
 * their unused slots still hold stale pointers - among them our own malloc
 * hook's copies of the blocks it just returned.  Scanning them would call a
 * leaked block reachable.  So the exiting thread's stack is scanned from
 * the frame that called exit() (or quick_exit()), and the registers that
 * frame held when it called (recovered by unwinding through the CFI) are
 * roots too.
 * Valgrind gets the same answer because its own code never runs on the
 * program's stack. */
#include "ll.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unwind.h>

/* DWARF numbers of x86-64's callee-saved registers: rbx, rbp, r12-r15. */
static const int ll_saved_regs[LL_EXIT_REGS] = { 3, 6, 12, 13, 14, 15 };

struct ll_caller_walk {
    int (*start)(uintptr_t pc), (*within)(uintptr_t pc);
    int found;                          /* 1: start seen, 2: caller read */
    uintptr_t sp;
    uintptr_t *regs;
};

static _Unwind_Reason_Code ll_caller_step(struct _Unwind_Context *ctx, void *arg)
{
    struct ll_caller_walk *w = arg;
    uintptr_t ip = _Unwind_GetIP(ctx);
    if (!ip)
        return _URC_END_OF_STACK;
    if (w->found ? w->within && w->within(ip - 1) : w->start(ip - 1)) {
        w->sp = _Unwind_GetCFA(ctx);    /* the caller's stack pointer */
        w->found = 1;
    } else if (w->found) {              /* the frame that called in */
        for (int i = 0; i < LL_EXIT_REGS; i++)
            w->regs[i] = _Unwind_GetGR(ctx, ll_saved_regs[i]);
        w->found = 2;
        return _URC_END_OF_STACK;
    }
    return _URC_NO_REASON;
}

int ll_caller_root(int (*start)(uintptr_t pc), int (*within)(uintptr_t pc),
                   uintptr_t *sp, uintptr_t regs[LL_EXIT_REGS])
{
    struct ll_caller_walk w = { .start = start, .within = within, .regs = regs };
    _Unwind_Backtrace(ll_caller_step, &w);
    if (w.found != 2)
        return -1;
    *sp = w.sp;
    return 0;
}

/* The code of the function name; 0 if unknown. */
static int ll_code_of(const char *name, uintptr_t *lo, uintptr_t *hi)
{
    return ll_code_range(dlsym(RTLD_NEXT, name), lo, hi);  /* libc's: exits.c wraps both */
}

/* exit's and quick_exit's code, looked up at initialisation: a dlsym at
 * report time clears the thread's pending dlerror() state, and glibc frees
 * it then (a program whose last dlsym or dlopen failed had that error's
 * blocks, held by libc's TLS, reported as definitely lost). */
static uintptr_t ll_end_lo[2], ll_end_hi[2];
static int ll_end_known = -1;           /* -1: not looked up yet */

void ll_exit_root_init(void)
{
    ll_end_known = ll_code_of("exit", &ll_end_lo[0], &ll_end_hi[0]) |
                   ll_code_of("quick_exit", &ll_end_lo[1], &ll_end_hi[1]);
}

static int ll_in_end(uintptr_t pc)
{
    return pc - ll_end_lo[0] < ll_end_hi[0] - ll_end_lo[0] ||
           pc - ll_end_lo[1] < ll_end_hi[1] - ll_end_lo[1];
}

int ll_exit_root(uintptr_t *sp, uintptr_t regs[LL_EXIT_REGS])
{
    if (ll_end_known < 0)
        ll_exit_root_init();            /* unit tests: never initialised */
    if (!ll_end_known)
        return -1;
    return ll_caller_root(ll_in_end, NULL, sp, regs);
}
