/* test_freelist.c - freed blocks kept from the allocator (src/freelist.c).
 *
 * The real allocator is the next one (dlsym RTLD_NEXT from the test
 * binary: libc's); each test runs in its own process. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ll.h"

static void setup(int mib)
{
    cr_assert_eq(ll_real_resolve(), 0, "the next allocator");
    ll_opt.freelist = mib;
    ll_fl_init();
}

/* 3000 blocks of 1000 bytes through a 1 MiB freelist: the newest are kept,
 * never more than the volume, and the oldest go back, in batches (down to
 * 15/16 of the volume); none of the kept ones comes out of malloc again. */
Test(freelist, keeps_the_newest_up_to_the_volume)
{
    setup(1);
    enum { N = 3000 };
    static void *p[N];
    size_t bytes = 0;
    for (int i = 0; i < N; i++) {
        p[i] = ll_real.malloc(1000);
        cr_assert_not_null(p[i]);
        ll_fl_put(p[i]);
        unsigned n = ll_fl_kept(&bytes, NULL);
        cr_assert_leq(bytes, (size_t)1 << 20, "kept %zu bytes after %d", bytes, i + 1);
        cr_assert_gt(n, 0u);
    }
    unsigned n = ll_fl_kept(&bytes, NULL);
    size_t each = ll_real.malloc_usable_size(p[N - 1]);
    cr_expect_geq(bytes, ((size_t)1 << 20) - ((size_t)1 << 16) - each,
                  "kept %zu bytes in %u blocks (%zu bytes each)", bytes, n, each);
    cr_expect_eq(bytes, n * each);
    /* the kept ones are the last n: a new block is none of them */
    for (int k = 0; k < 100; k++) {
        void *q = ll_real.malloc(1000);
        for (unsigned i = N - n; i < N; i++)
            cr_assert_neq(q, p[i], "block %u of the kept ones given out again", i);
    }
    ll_fl_thread_exit();
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 0u);
    cr_expect_eq(bytes, 0u);
}

/* More blocks than the ring has slots (65536): the oldest go, whatever
 * their size, in batches (down to 15/16 of the slots). */
Test(freelist, ring_full_lets_the_oldest_go)
{
    setup(64);
    size_t bytes;
    for (int i = 0; i < 70000; i++)
        ll_fl_put(ll_real.malloc(16));
    unsigned n = ll_fl_kept(&bytes, NULL);
    cr_expect(n >= 61440u && n < 65536u, "%u blocks kept", n);
    ll_fl_thread_exit();
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 0u);
}

/* A block larger than the whole volume goes back at once. */
Test(freelist, block_larger_than_the_volume_is_not_kept)
{
    setup(1);
    size_t bytes;
    ll_fl_put(ll_real.malloc(2 << 20));
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 0u);
}

/* realloc always moves the block (bytes copied, the old one kept);
 * realloc(p, 0) keeps p and returns NULL. */
Test(freelist, realloc_moves_and_keeps_the_old_block)
{
    setup(1);
    size_t bytes;
    char *p = ll_real.malloc(100);
    memset(p, 'x', 100);
    char *q = ll_fl_realloc(p, 50);
    cr_assert_not_null(q);
    cr_expect_neq(q, p, "shrunk in place");
    for (int i = 0; i < 50; i++)
        cr_assert_eq(q[i], 'x', "byte %d", i);
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 1u);
    char *r = ll_fl_realloc(q, 4000);
    cr_assert_not_null(r);
    for (int i = 0; i < 50; i++)
        cr_assert_eq(r[i], 'x', "byte %d after growing", i);
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 2u);
    cr_expect_null(ll_fl_realloc(r, 0));
    cr_expect_eq(ll_fl_kept(&bytes, NULL), 3u);
}

/* Four threads, each freeing 2000 blocks of 1000 bytes through one 1 MiB
 * freelist: the process keeps no more than the volume (each thread lets its
 * own oldest go, the block just freed last of all), but for the blocks the
 * other threads are adding at that moment (one each), and a thread's
 * blocks go back as it ends. */
static void *four_put(void *arg)
{
    size_t bytes, total, most = 0;
    for (int i = 0; i < 2000; i++) {
        ll_fl_put(ll_real.malloc(1000));
        ll_fl_kept(&bytes, &total);
        if (total > most)
            most = total;
    }
    ll_fl_thread_exit();
    *(size_t *)arg = most;
    return NULL;
}

Test(freelist, the_volume_holds_for_the_whole_process)
{
    setup(1);
    pthread_t t[4];
    size_t most[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, four_put, &most[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_expect_leq(most[i], ((size_t)1 << 20) + 3 * 1024, "thread %d saw %zu bytes kept",
                      i, most[i]);
    }
    size_t bytes, total;
    ll_fl_kept(&bytes, &total);
    cr_expect_eq(total, 0u, "kept after every thread ended");
}

/* A fork child counts only the forking thread's kept blocks: another
 * thread's, gone with it, no longer take the volume's room. */
static void *hold_half(void *arg)
{
    (void)arg;
    for (int i = 0; i < 500; i++)       /* ~0.5 MiB, kept: this thread stays */
        ll_fl_put(ll_real.malloc(1000));
    return NULL;
}

Test(freelist, fork_child_counts_its_own_thread_only)
{
    setup(1);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, hold_half, NULL), 0);
    pthread_join(t, NULL);          /* no ll_fl_thread_exit: as if still running */
    for (int i = 0; i < 10; i++)
        ll_fl_put(ll_real.malloc(1000));
    size_t bytes, total;
    ll_fl_kept(&bytes, &total);
    cr_assert_gt(total, bytes, "the other thread's count");
    ll_fl_fork_child();
    ll_fl_kept(&bytes, &total);
    cr_expect_eq(total, bytes, "after the fork: this thread's alone");
}

/* A thread that only frees (no allocation of its own, so no nursery): what
 * it kept goes back as it ends, with no call of its own. */
static void *only_frees(void *arg)
{
    void **blocks = arg;
    for (int i = 0; i < 100; i++)
        ll_fl_put(blocks[i]);
    return NULL;
}

Test(freelist, a_thread_that_only_frees_gives_back_as_it_ends)
{
    setup(1);
    ll_nursery_init();                  /* the thread-exit key */
    static void *blocks[100];
    for (int i = 0; i < 100; i++)
        blocks[i] = ll_real.malloc(100);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, only_frees, blocks), 0);
    pthread_join(t, NULL);
    size_t bytes, total;
    ll_fl_kept(&bytes, &total);
    cr_expect_eq(total, 0u, "kept after the thread ended");
}
