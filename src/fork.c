/* fork.c - keep libleak's locks consistent across fork().
 *
 * prepare takes every lock in one fixed order (nurseries, table shards,
 * stack table, modules, errors, internal blocks, mem.c's, then the salvage
 * lists' of bootstrap.c: the order in which code nests them;
 * tests/unit/test_fork.c forks against it), so no
 * other thread is inside a half-updated structure when the address space
 * is copied.  The parent releases them; the child resets them instead,
 * because the threads that would have released them do not exist there. */
#include "ll.h"

#include <pthread.h>

static void ll_fork_prepare(void)
{
    ll_guard++;           /* nothing we call from here on may take our locks */
    ll_internal_off = 1;
    ll_table_lock_all();
    ll_stack_fork_prepare();
    ll_modules_fork_prepare();
    ll_error_fork_prepare();
    ll_internal_fork_prepare();
    ll_altstack_fork_prepare();
    ll_amaps_fork_prepare();
    ll_mem_fork_prepare();
    ll_boot_fork_prepare();
}

static void ll_fork_parent(void)
{
    ll_boot_fork_parent();
    ll_mem_fork_parent();
    ll_amaps_fork_parent();
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
    ll_inner_held = 0;    /* the locks are reset below, not released */
    ll_locks_held = 0;
    ll_boot_fork_child();
    ll_mem_fork_child();
    ll_amaps_fork_child();
    ll_altstack_fork_child();
    ll_internal_fork_child();
    ll_error_fork_child();
    ll_modules_fork_child();
    ll_stack_fork_child();
    ll_table_reset_locks();
    ll_tcb_note_main();   /* the forking thread is the child's main thread */
    ll_started_fork_child();  /* a process of its own: a report of its own, or none */
    ll_sig_fork_child();
    ll_internal_off = 0;
    ll_guard--;
}

void ll_fork_install(void)
{
    if (pthread_atfork(ll_fork_prepare, ll_fork_parent, ll_fork_child) != 0)
        ll_msg("pthread_atfork failed: a fork() may deadlock in the child");
}
