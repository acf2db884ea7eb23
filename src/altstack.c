/* altstack.c - a signal stack, so that a stack overflow gets its report.
 *
 * A thread that runs past the end of its stack (runaway recursion) faults
 * on the guard page, and the kernel must push the SIGSEGV frame onto that
 * same stack: it cannot, and the process dies at once, handler or not, with
 * no report.  Each thread that allocates therefore gets an alternate signal
 * stack of libleak's (sigaltstack), unless it has one already, and the
 * report's SIGSEGV and SIGBUS handler runs there (SA_ONSTACK, signals.c);
 * the report itself moves on to a bigger stack (bigstack.c).
 *
 * The main thread's is set at initialisation, every other thread's at its
 * first allocation (nursery.c), and taken back when the thread exits.  It
 * comes from ll_pages_alloc, which the reachability scan knows as libleak's
 * (never a root), with a guard page below it.  A program that sets a
 * signal stack of its own replaces ours; one that asks finds ours, and
 * uses it: Rust's standard library and Go's runtime do so, instead of
 * making their own. */
#include "ll.h"

#include <signal.h>
#include <sys/mman.h>

/* The handler's frames before the switch to the big stack, under a signal
 * frame of up to some 10 KiB (AVX-512 state) */
#define LL_ALTSTACK (64u << 10)

static LL_TLS void *ll_alt_base;     /* this thread's mapping, guard page first */

static size_t ll_alt_size(void)
{
    return LL_ALTSTACK + ll_page_size;
}

void ll_altstack_give(void)
{
    stack_t now, ss;
    if (!ll_opt.signals || ll_alt_base || sigaltstack(NULL, &now) != 0 ||
        !(now.ss_flags & SS_DISABLE))
        return;
    char *base = ll_pages_alloc(ll_alt_size());
    if (!base)
        return;
    if (mprotect(base, ll_page_size, PROT_NONE) != 0) {
        ll_pages_free(base, ll_alt_size());
        return;
    }
    ss.ss_sp = base + ll_page_size;
    ss.ss_size = LL_ALTSTACK;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0) {
        ll_pages_free(base, ll_alt_size());
        return;
    }
    ll_alt_base = base;
}

/* The thread is exiting: its signal stack goes back, unless the program
 * replaced it (then it is just unmapped) or a handler runs on it now. */
void ll_altstack_take_back(void)
{
    stack_t now, off = { .ss_flags = SS_DISABLE };
    char *base = ll_alt_base;
    if (!base)
        return;
    ll_alt_base = NULL;
    if (sigaltstack(NULL, &now) == 0 && now.ss_sp == base + ll_page_size &&
        !(now.ss_flags & SS_DISABLE) &&
        ((now.ss_flags & SS_ONSTACK) || sigaltstack(&off, NULL) != 0))
        return;
    ll_pages_free(base, ll_alt_size());
}
