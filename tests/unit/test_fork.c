/* test_fork.c - fork() while other threads are inside libleak (src/fork.c).
 *
 * The prepare handler takes every lock of libleak in one order; if any code
 * path nests two of them the other way, a fork can deadlock against a
 * thread on that path.  Here worker threads record blocks and new stacks
 * (which maps chunks for records, stacks and each new thread's state) and
 * are replaced as they finish, while the main thread forks again and again.
 * Each child takes the same paths once more, so locks left held or
 * half-updated structures show there too.  A deadlock ends in the timeout. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ll.h"

enum { WORKERS = 3, FORKS = 200, BLOCKS = 500 };

static atomic_int stop;
static atomic_uint serial;

static void setup(void)
{
    ll_opt_defaults();
    ll_table_init();
    ll_fork_install();
}
TestSuite(fork, .init = setup);

/* Record BLOCKS blocks, each from a stack not seen before, then free them. */
static int record_and_free(unsigned id)
{
    uintptr_t base = (uintptr_t)id << 32;
    for (uintptr_t i = 0; i < BLOCKS; i++) {
        uintptr_t pcs[4] = { 0x1000 + i, base, 0x2000, 0x3000 };
        uint32_t s = ll_stack_intern(pcs, 4);
        if (s == LL_STACK_NONE ||
            ll_table_insert(base + 64 * i, 48, 16, LL_FN_MALLOC, s) != LL_INSERT_OK)
            return -1;
    }
    for (uintptr_t i = 0; i < BLOCKS; i++)
        if (ll_table_remove(base + 64 * i, 0, NULL) != 1)
            return -1;
    return 0;
}

static void *worker(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)record_and_free(atomic_fetch_add(&serial, 1) + 1);
}

/* Keeps one worker running at a time, each a new thread. */
static void *spawner(void *arg)
{
    (void)arg;
    intptr_t bad = 0;
    while (!atomic_load(&stop)) {
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, worker, NULL) != 0)
            return (void *)1;
        pthread_join(t, &r);
        bad |= (intptr_t)r;
    }
    return (void *)bad;
}

Test(fork, forks_while_threads_record_and_intern, .timeout = 120)
{
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, spawner, NULL), 0);
    int failed = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0, "fork");
        if (pid == 0)
            _exit(record_and_free(100000 + (unsigned)i) == 0 ? 0 : 1);
        int st;
        failed += waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        cr_expect_null(r, "worker %d: a record or a stack failed", i);
    }
    cr_expect_eq(failed, 0, "%d of %d children failed", failed, FORKS);
    cr_expect_gt(atomic_load(&serial), WORKERS, "workers started: %u", atomic_load(&serial));
}

/* The salvage lists (bootstrap.c, the report's allocator) have a lock too:
 * a fork while another thread holds it must not leave it held in the
 * child, whose report would then spin for good. */
static void *salvage_churn(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        void *p = ll_boot_alloc(100, 16);
        if (p)
            ll_boot_free(p);
    }
    return NULL;
}

static void salvage_child(void)
{
    alarm(5);               /* a child stuck on the lock dies: failed, not hung */
    for (int i = 0; i < 1000; i++) {
        void *p = ll_boot_alloc(100, 16);
        if (!p)
            _exit(1);
        ll_boot_free(p);
    }
    _exit(0);
}

Test(fork, forks_while_a_thread_uses_the_salvage_lists, .timeout = 60)
{
    cr_assert_eq(ll_boot_salvage(), 0);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, salvage_churn, NULL), 0);
    int failed = 0;
    for (int i = 0; i < 500; i++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0, "fork");
        if (pid == 0)
            salvage_child();
        int st;
        failed += waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    cr_expect_eq(failed, 0, "%d of 500 children failed", failed);
}
