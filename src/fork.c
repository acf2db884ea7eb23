/* fork.c - keep libleak's locks consistent across fork().
 *
 * prepare takes every lock in one fixed order (nurseries, table shards,
 * stack table, modules, errors, internal blocks, signal stacks, the
 * freelist's list, the allocator maps', mem.c's, then the salvage lists'
 * of bootstrap.c: the order in which code nests them;
 * tests/unit/test_fork.c forks against it), so no
 * other thread is inside a half-updated structure when the address space
 * is copied.  The parent releases them; the child resets them instead,
 * because the threads that would have released them do not exist there. */
#include "ll.h"

#include <pthread.h>

/* A fork from a signal handler that interrupted this thread inside
 * libleak's bookkeeping (ll_guard set), which may hold one of the locks
 * below: taking them would wait on itself for good (a program forking from
 * its SIGALRM handler hung at once; natively it forked 200 times in 0.4 s).
 * Such a fork takes no lock; its child passes every call on untracked and
 * writes no report (LL_DONE): other threads' structures may have been
 * mid-update.  Its locks are reset; the forking thread's own bookkeeping,
 * which goes on when the handler returns, is left as it was. */
static LL_TLS int ll_fork_inside;

static void ll_fork_prepare(void)
{
    if ((ll_fork_inside = ll_guard > 0))
        return;
    ll_guard++;           /* nothing we call from here on may take our locks */
    ll_internal_off = 1;
    ll_table_lock_all();
    ll_stack_fork_prepare();
    ll_modules_fork_prepare();
    ll_error_fork_prepare();
    ll_internal_fork_prepare();
    ll_altstack_fork_prepare();
    ll_fl_fork_prepare();
    ll_amaps_fork_prepare();
    ll_mem_fork_prepare();
    ll_boot_fork_prepare();
}

static void ll_fork_parent(void)
{
    if (ll_fork_inside) {
        ll_fork_inside = 0;
        return;
    }
    ll_boot_fork_parent();
    ll_mem_fork_parent();
    ll_amaps_fork_parent();
    ll_fl_fork_parent();
    ll_altstack_fork_parent();
    ll_internal_fork_parent();
    ll_error_fork_parent();
    ll_modules_fork_parent();
    ll_stack_fork_parent();
    ll_table_unlock_all();
    ll_internal_off = 0;
    ll_guard--;
}

static void ll_fork_child(void)
{
    int inside = ll_fork_inside;
    ll_fork_inside = 0;
    if (inside)
        atomic_store(&ll_state, LL_DONE);
    else {
        ll_inner_held = 0;    /* the locks are reset below, not released */
        ll_locks_held = 0;
    }
    ll_boot_fork_child();
    ll_mem_fork_child();
    ll_amaps_fork_child();
    ll_altstack_fork_child();
    ll_internal_fork_child();
    ll_error_fork_child();
    ll_modules_fork_child();
    ll_stack_fork_child();
    ll_fl_fork_child();
    ll_table_reset_locks();
    if (!inside)
        ll_tcb_note_main();   /* the forking thread is the child's main thread */
    /* a process of its own: a report of its own, or none (inside: none, and
     * the parent's marker is forgotten, not removed at the child's _exit) */
    ll_started_fork_child();
    ll_sig_fork_child();
    if (inside)
        return;
    ll_internal_off = 0;
    ll_guard--;
}

void ll_fork_install(void)
{
    if (pthread_atfork(ll_fork_prepare, ll_fork_parent, ll_fork_child) != 0)
        ll_msg("pthread_atfork failed: a fork() may deadlock in the child");
}
