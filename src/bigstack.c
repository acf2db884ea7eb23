/* bigstack.c - the report's and a bad free's printing on a stack of their
 * own.
 *
 * libdw's line-table reader (dwarf_getsrclines) keeps its work tables on
 * the stack: about 150 KiB for one lookup.  The report runs on the thread
 * that ends the process, and a bad free is printed on the thread that made
 * it; a thread with a smaller stack (pthread_attr_setstacksize, a
 * coroutine's stack from makecontext) then ran past its end: SIGSEGV and no
 * report, or, when the frame reached past the guard page, writes into
 * whatever mapping lay below.  Natively such a thread's exit() needs a few
 * hundred bytes.  So the printing gets a fresh mapping with a guard page of
 * its own, and the thread's stack only has to hold libleak's frames up to
 * here.  It comes from ll_pages_alloc, whose mappings the reachability scan
 * knows as libleak's; and a fresh one each time: a thread stopped for the
 * exit report while it printed a bad free keeps its frames on its own. */
#include "ll.h"

#include <sys/mman.h>

#define LL_BIGSTACK (1u << 20)

#if defined(__x86_64__)
/* ll_call_on(fn, arg, top): fn(arg) with the stack pointer at top (16-byte
 * aligned).  rbp holds the caller's stack pointer meanwhile, and the CFI
 * says so, so that gdb and libgcc unwind from fn back to the caller. */
void ll_call_on(void (*fn)(void *), void *arg, void *top) LL_HIDDEN;
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

void ll_bigstack_call(void (*fn)(void *), void *arg)
{
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    char *lo = ll_pages_alloc(LL_BIGSTACK);
    if (lo && mprotect(lo, ll_page_size, PROT_NONE) == 0) {
        ll_call_on(fn, arg, lo + LL_BIGSTACK);
        ll_pages_free(lo, LL_BIGSTACK);
        return;
    }
    ll_pages_free(lo, LL_BIGSTACK);     /* no memory: the thread's own stack */
#endif
    fn(arg);
}
