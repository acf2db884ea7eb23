/* bigstack.c - the report and a bad free's printing on a stack of their
 * own.
 *
 * libdw's line-table reader (dwarf_getsrclines) keeps its work tables on
 * the stack: about 150 KiB for one lookup; the leak check itself (stopping
 * the other threads, reading /proc, gathering roots) about 14 KiB more.
 * The report runs on the thread that ends the process, and a bad free is
 * printed on the thread that made it; a thread with a smaller stack
 * (pthread_attr_setstacksize, a coroutine's stack from makecontext) then
 * ran past its end: SIGSEGV and no report, or, when the frame reached past
 * the guard page, writes into whatever mapping lay below.  Natively such a
 * thread's exit() needs a few KiB.  So the report and the printing get a
 * fresh mapping with a guard page of its own, and the thread's stack only
 * has to hold libleak's frames up to here.  It comes from ll_pages_alloc,
 * whose mappings the reachability scan knows as libleak's (never a root);
 * and a fresh one each time: a thread stopped for the exit report while it
 * printed a bad free keeps its frames on its own.
 *
 * The thread's own stack stays live below the switch: the scan must read
 * it, not the big one.  ll_bigstack_origin says where it was left. */
#include "ll.h"

#include <sys/mman.h>

#define LL_BIGSTACK (1u << 20)

/* The big stack this thread runs on (0: none), and its stack pointer on the
 * stack it left. */
static LL_TLS uintptr_t ll_big_lo, ll_big_from;

#if defined(__x86_64__)
/* ll_call_on(fn, arg, top, from): fn(arg) with the stack pointer at top
 * (16-byte aligned).  rbp holds the caller's stack pointer meanwhile, and
 * the CFI says so, so that gdb and libgcc unwind from fn back to the
 * caller.  The callee-saved registers are pushed on the caller's stack
 * first and *from is set below them: from there the scan reads that stack
 * with every value its frames still hold in a register (fn may save them
 * on the big stack, which is not scanned).  They are not changed, so need
 * no CFI and no pop. */
void ll_call_on(void (*fn)(void *), void *arg, void *top, uintptr_t *from) LL_HIDDEN;
__asm__(".text\n"
        ".p2align 4\n"
        ".globl ll_call_on\n.hidden ll_call_on\n.type ll_call_on, @function\n"
        "ll_call_on:\n"
        "\t.cfi_startproc\n"
        "\tpushq %rbp\n"
        "\t.cfi_def_cfa_offset 16\n"
        "\t.cfi_offset %rbp, -16\n"
        "\tmovq %rsp, %rbp\n"
        "\t.cfi_def_cfa_register %rbp\n"
        "\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
        "\tmovq %rsp, (%rcx)\n"
        "\tmovq %rdx, %rsp\n"
        "\tmovq %rdi, %rax\n"
        "\tmovq %rsi, %rdi\n"
        "\tcall *%rax\n"
        "\tmovq %rbp, %rsp\n"
        "\t.cfi_def_cfa %rsp, 16\n"
        "\tpopq %rbp\n"
        "\t.cfi_def_cfa_offset 8\n"
        "\t.cfi_restore %rbp\n"
        "\tret\n"
        "\t.cfi_endproc\n"
        ".size ll_call_on, .-ll_call_on\n");
#endif

static int ll_on_bigstack(uintptr_t sp)
{
    return ll_big_lo && sp - ll_big_lo < LL_BIGSTACK;
}

uintptr_t ll_bigstack_origin(uintptr_t sp)
{
    return ll_on_bigstack(sp) ? ll_big_from : sp;
}

/* fn(arg) on a fresh stack, unless this thread is on one already: a fatal
 * signal's report (its handler switches, then ll_report_write would), or a
 * handler that interrupted a bad free's printing and runs below it. */
void ll_bigstack_call(void (*fn)(void *), void *arg)
{
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    if (ll_on_bigstack((uintptr_t)__builtin_frame_address(0))) {
        fn(arg);
        return;
    }
    char *lo = ll_pages_alloc(LL_BIGSTACK);
    if (lo && mprotect(lo, ll_page_size, PROT_NONE) == 0) {
        uintptr_t was_lo = ll_big_lo, was_from = ll_big_from;
        ll_big_lo = (uintptr_t)lo;
        ll_call_on(fn, arg, lo + LL_BIGSTACK, &ll_big_from);
        ll_big_lo = was_lo;
        ll_big_from = was_from;
        ll_pages_free(lo, LL_BIGSTACK);
        return;
    }
    ll_pages_free(lo, LL_BIGSTACK);     /* no memory: the thread's own stack */
#endif
    fn(arg);
}
