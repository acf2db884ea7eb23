/* altstack.c - a signal stack, so that a stack overflow gets its report.
 *
 * A thread that runs past the end of its stack (runaway recursion) faults
 * on the guard page, and the kernel must push the SIGSEGV frame onto that
 * same stack: it cannot, and the process dies at once, handler or not, with
 * no report.  Each thread therefore gets an alternate signal stack of
 * libleak's (sigaltstack), unless it has one already, and the
 * report's SIGSEGV and SIGBUS handler runs there (SA_ONSTACK, signals.c);
 * the report itself moves on to a bigger stack (bigstack.c).  The signal
 * that stops the other threads for the leak check also puts its frame
 * there (threads.c): on a thread's own stack it did not fit when the
 * thread waited with less than 3.5 KiB of it left.
 *
 * The main thread's is set at initialisation, every other thread's as it
 * starts (threadstart.c), or at its first allocation (nursery.c) if libleak
 * did not see it start, and taken back when the thread exits, for
 * the next thread: a thread's start and end then cost one sigaltstack call
 * each (a fresh mapping and its unmapping, 11 us per thread, made a
 * program that starts 1000 threads 13% slower).  The stacks come from
 * ll_pages_alloc, which the reachability scan knows as libleak's (never a
 * root).  They have no guard page: one splits the mapping in two, and the
 * kernel merges neighbouring mappings only when alike, so each thread took
 * two more of the process's 65530 (1000 threads: 4083 mappings against
 * 2054 natively; 16000 threads would have met the limit).  What runs there
 * (the kernel's frame, 3.5 KiB with AVX-512 state, and libleak's handlers
 * until they switch stacks) uses a tenth of it.
 *
 * A program that sets a signal stack of its own replaces ours; one that
 * asks finds ours, and uses it: Rust's standard library does so, instead
 * of making its own. */
#include "ll.h"

#include <signal.h>

/* The handlers' frames before the switch to the big stack, under the
 * kernel's signal frame, with room to spare */
#define LL_ALTSTACK (64u << 10)
#define LL_ALT_KEEP 64                  /* stacks kept for the next threads */

static LL_TLS char *ll_alt_base;        /* this thread's, 0: none of ours */
static struct ll_keep ll_alt_kept = LL_KEEP_INIT(LL_ALT_KEEP);

static char *ll_alt_get(void)
{
    char *base = ll_keep_take(&ll_alt_kept);
    return base ? base : ll_pages_alloc(LL_ALTSTACK);
}

static void ll_alt_put(char *base)
{
    if (!ll_keep_put(&ll_alt_kept, base))
        ll_pages_free(base, LL_ALTSTACK);
}

void ll_altstack_give(void)
{
    stack_t ss, old;
    if (!ll_opt.signals || ll_alt_base)
        return;
    char *base = ll_alt_get();
    if (!base)
        return;
    ss.ss_sp = base;
    ss.ss_size = LL_ALTSTACK;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, &old) != 0) {  /* running on the thread's own */
        ll_alt_put(base);
        return;
    }
    if (!(old.ss_flags & SS_DISABLE)) { /* the thread had one: it stays */
        sigaltstack(&old, NULL);
        ll_alt_put(base);
        return;
    }
    ll_alt_base = base;
}

/* The thread is exiting: its signal stack goes back, unless a handler runs
 * on it now.  A stack the program set meanwhile is left in place, and ours,
 * which it replaced, goes back.  But if the thread has none any more,
 * someone disabled ours, and may have unmapped it too (the sanitizers'
 * runtimes unmap whatever stack a thread has when it exits): it is
 * forgotten, neither reused nor unmapped, since another mapping may lie
 * there now. */
void ll_altstack_take_back(void)
{
    stack_t off = { .ss_flags = SS_DISABLE }, old;
    char *base = ll_alt_base;
    if (!base)
        return;
    ll_alt_base = NULL;
    if (sigaltstack(&off, &old) != 0) { /* running on a signal stack */
        if (sigaltstack(NULL, &old) == 0 && old.ss_sp == base)
            return;                     /* ours: it stays, mapped */
    } else if (old.ss_flags & SS_DISABLE) {
        ll_pages_forget(base, LL_ALTSTACK);
        return;
    } else if (old.ss_sp != base) {
        sigaltstack(&old, NULL);        /* the program's: put back */
    }
    ll_alt_put(base);
}

/* The end of this thread's signal stack of libleak's when sp lies on it
 * (a handler of the program's runs there: its frames are the program's,
 * in libleak's memory, which the leak check does not read unless told),
 * else 0.  Async-signal-safe. */
uintptr_t ll_altstack_end_above(uintptr_t sp)
{
    uintptr_t base = (uintptr_t)ll_alt_base;
    return base && sp - base < LL_ALTSTACK ? base + LL_ALTSTACK : 0;
}

/* fork(): the list of kept stacks is never seen half updated. */
void ll_altstack_fork_prepare(void) { ll_lock_counted(&ll_alt_kept.lock); }
void ll_altstack_fork_parent(void) { ll_unlock_counted(&ll_alt_kept.lock); }
void ll_altstack_fork_child(void) { ll_lock_reset(&ll_alt_kept.lock); }
