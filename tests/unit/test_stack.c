/* test_stack.c - the de-duplicating stack table and capture (src/stack.c).
 *
 * Interning only compares numbers, so most stacks here are made up.  Each
 * Criterion test runs in a fresh process: the table starts empty. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ll.h"

static void setup(void) { ll_opt_defaults(); }
TestSuite(stack, .init = setup);

/* Check id's frames against pcs[0..n). */
static void expect_stack(uint32_t id, const uintptr_t *pcs, unsigned n)
{
    const uintptr_t *got = NULL;
    unsigned d = ll_stack_get(id, &got);
    cr_assert_eq(d, n, "stack %u: depth %u, want %u", id, d, n);
    if (n) {
        cr_assert_not_null(got);
        for (unsigned i = 0; i < n; i++)
            cr_expect_eq(got[i], pcs[i], "stack %u frame %u: %#lx, want %#lx", id, i,
                         (unsigned long)got[i], (unsigned long)pcs[i]);
    }
}

Test(stack, same_pcs_same_id)
{
    uintptr_t a[] = { 0x401000, 0x402000, 0x403000 };
    uintptr_t copy[] = { 0x401000, 0x402000, 0x403000 };
    uint32_t x = ll_stack_intern(a, 3);
    cr_assert_neq(x, LL_STACK_NONE);
    cr_expect_eq(ll_stack_intern(a, 3), x);
    cr_expect_eq(ll_stack_intern(copy, 3), x, "same frames in another array");
    cr_expect_eq(ll_stack_count(), 1, "count %zu", ll_stack_count());
    expect_stack(x, a, 3);
}

Test(stack, different_pcs_or_depth_different_id)
{
    uintptr_t a[] = { 0x401000, 0x402000, 0x403000 };
    uintptr_t b[] = { 0x401000, 0x402000, 0x403008 };
    uintptr_t c[] = { 0x403000, 0x402000, 0x401000 };
    uint32_t ids[] = {
        ll_stack_intern(a, 3), ll_stack_intern(b, 3), ll_stack_intern(c, 3),
        ll_stack_intern(a, 2), ll_stack_intern(a, 1), ll_stack_intern(a, 0),
    };
    for (unsigned i = 0; i < 6; i++) {
        cr_expect_neq(ids[i], LL_STACK_NONE, "stack %u got id 0", i);
        for (unsigned j = 0; j < i; j++)
            cr_expect_neq(ids[i], ids[j], "stacks %u and %u share id %u", i, j, ids[i]);
    }
    cr_expect_eq(ll_stack_count(), 6);
    expect_stack(ids[0], a, 3);
    expect_stack(ids[1], b, 3);
    expect_stack(ids[2], c, 3);
    expect_stack(ids[3], a, 2);
    expect_stack(ids[4], a, 1);
    expect_stack(ids[5], a, 0);
}

Test(stack, deepest_stack)
{
    uintptr_t a[LL_MAX_DEPTH];
    for (unsigned i = 0; i < LL_MAX_DEPTH; i++)
        a[i] = 0x500000 + 0x10 * i;
    uint32_t id = ll_stack_intern(a, LL_MAX_DEPTH);
    expect_stack(id, a, LL_MAX_DEPTH);
    a[LL_MAX_DEPTH - 1]++;                      /* only the last frame differs */
    cr_expect_neq(ll_stack_intern(a, LL_MAX_DEPTH), id);
}

Test(stack, unknown_ids)
{
    const uintptr_t *pcs = (const uintptr_t *)1;
    cr_expect_eq(ll_stack_get(LL_STACK_NONE, &pcs), 0);
    cr_expect_null(pcs);
    uintptr_t a[] = { 1, 2 };
    uint32_t id = ll_stack_intern(a, 2);
    pcs = (const uintptr_t *)1;
    cr_expect_eq(ll_stack_get(id + 1, &pcs), 0, "an id never issued");
    cr_expect_null(pcs);
    pcs = (const uintptr_t *)1;
    cr_expect_eq(ll_stack_get(100000, &pcs), 0, "an id on a page never made");
    cr_expect_null(pcs);
}

/* Ids come from records, but a corrupted or foreign one must not read
 * outside the directory (it has 4096 pages of 16384 ids). */
Test(stack, ids_beyond_the_directory)
{
    const uintptr_t *pcs = (const uintptr_t *)1;
    cr_expect_eq(ll_stack_get(4096u << 14, &pcs), 0);
    cr_expect_null(pcs);
    cr_expect_eq(ll_stack_get(UINT32_MAX, &pcs), 0);
    cr_expect_null(pcs);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t u = *(const uint32_t *)x, v = *(const uint32_t *)y;
    return u < v ? -1 : u > v;
}

Test(stack, many_distinct_stacks, .timeout = 30)
{
    enum { N = 100000 };
    static uint32_t id[N];
    uintptr_t a[4];
    for (unsigned i = 0; i < N; i++) {
        a[0] = 0x400000 + i;
        a[1] = 0x600000 + (i % 7);
        a[2] = 0x700000 + i * 3;
        id[i] = ll_stack_intern(a, 1 + i % 4);
        cr_assert_neq(id[i], LL_STACK_NONE, "stack %u", i);
    }
    cr_expect_eq(ll_stack_count(), N, "count %zu", ll_stack_count());
    for (unsigned i = 0; i < N; i++) {
        a[0] = 0x400000 + i;
        a[1] = 0x600000 + (i % 7);
        a[2] = 0x700000 + i * 3;
        const uintptr_t *got;
        unsigned d = ll_stack_get(id[i], &got);
        cr_assert_eq(d, 1 + i % 4, "stack %u: depth %u", i, d);
        cr_assert(memcmp(got, a, d * sizeof a[0]) == 0, "stack %u: frames differ", i);
        cr_assert_eq(ll_stack_intern(a, d), id[i], "stack %u interned again: new id", i);
    }
    cr_expect_eq(ll_stack_count(), N);
    /* distinct ids: sort and compare neighbours */
    qsort(id, N, sizeof id[0], cmp_u32);
    for (unsigned i = 1; i < N; i++)
        cr_assert_neq(id[i], id[i - 1], "id %u given twice", id[i]);
}

/* A thread's cache of stacks grows when most lookups miss it: 40,000
 * stacks in rotation, five times what it holds at first (a recursion that
 * allocates at every level); one with 1,000 keeps its first size.  Ids
 * stay the same across the growth. */
static unsigned cache_entries_after(unsigned nstacks, unsigned rounds, int *stable)
{
    static uint32_t first[40000];
    *stable = 1;
    for (unsigned r = 0; r < rounds; r++)
        for (unsigned i = 0; i < nstacks; i++) {
            uintptr_t a[3] = { 0xb00000 + i, 0xc00000 + (nstacks << 4), 0xd00000 };
            uint32_t id = ll_stack_intern(a, 3);
            if (r == 0)
                first[i] = id;
            else if (first[i] != id)
                *stable = 0;
        }
    return ll_hot.ts ? ll_hot.ts->tsets * 4 : 0;
}

static void *many_stacks(void *arg)
{
    int stable;
    unsigned n = cache_entries_after((unsigned)(uintptr_t)arg, 6, &stable);
    return (void *)(uintptr_t)(stable ? n : 1);
}

Test(stack, a_thread_with_more_stacks_than_its_cache_grows_it, .timeout = 30)
{
    pthread_t th;
    void *many, *few;
    cr_assert_eq(pthread_create(&th, NULL, many_stacks, (void *)(uintptr_t)40000), 0);
    cr_assert_eq(pthread_join(th, &many), 0);
    cr_assert_neq((uintptr_t)many, 1, "an id changed as the cache grew");
    cr_expect_geq((uintptr_t)many, 32768, "cache of %lu entries with 40,000 stacks",
                  (unsigned long)(uintptr_t)many);
    cr_assert_eq(pthread_create(&th, NULL, many_stacks, (void *)(uintptr_t)1000), 0);
    cr_assert_eq(pthread_join(th, &few), 0);
    cr_expect_eq((uintptr_t)few, 8192, "cache of %lu entries with 1,000 stacks",
                 (unsigned long)(uintptr_t)few);
}

/* ---- threads ------------------------------------------------------------------- */
enum { THREADS = 4, NSTACKS = 5000, ROUNDS = 4 };
static uint32_t thread_ids[THREADS][NSTACKS];

static void *intern_all(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    for (unsigned r = 0; r < ROUNDS; r++)
        for (unsigned k = 0; k < NSTACKS; k++) {
            unsigned i = (k * 7919u + t * 1237u) % NSTACKS;   /* per-thread order */
            uintptr_t a[3] = { 0x800000 + i, 0x900000 + i / 3, 0xa00000 };
            uint32_t id = ll_stack_intern(a, 3);
            if (r == 0)
                thread_ids[t][i] = id;
            else if (thread_ids[t][i] != id)
                thread_ids[t][i] = 0;                           /* id changed */
        }
    return NULL;
}

Test(stack, threads_agree_on_ids, .timeout = 30)
{
    pthread_t th[THREADS];
    for (uintptr_t t = 0; t < THREADS; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, intern_all, (void *)t), 0);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    cr_expect_eq(ll_stack_count(), NSTACKS, "%zu ids for %d stacks", ll_stack_count(),
                 NSTACKS);
    for (unsigned i = 0; i < NSTACKS; i++) {
        cr_assert_neq(thread_ids[0][i], 0, "stack %u: no id, or it changed", i);
        for (unsigned t = 1; t < THREADS; t++)
            cr_assert_eq(thread_ids[t][i], thread_ids[0][i], "stack %u: thread %u got %u, "
                         "thread 0 got %u", i, t, thread_ids[t][i], thread_ids[0][i]);
    }
}

/* ---- capture --------------------------------------------------------------------- */
/* In this binary all of libll.a and the tests are "libleak's own code", so
 * the capture starts in Criterion's runner, the first frame outside it. */
__attribute__((noinline)) static uint32_t capture_here(void)
{
    uint32_t id = ll_stack_capture();
    __asm__ volatile("" ::: "memory");
    return id;
}

Test(stack, capture_from_a_test)
{
    ll_unwind_init();
    uint32_t id = capture_here();
    cr_assert_neq(id, LL_STACK_NONE);
    const uintptr_t *pcs;
    unsigned d = ll_stack_get(id, &pcs);
    cr_expect_gt(d, 0, "empty stack");
    cr_expect_leq(d, 16, "depth %u beyond the default 16", d);
    /* only the leading frames are skipped: Criterion calls back into this
     * binary further up */
    cr_expect_not(ll_self_contains(pcs[0]), "frame 0 (%#lx) is libleak's own",
                  (unsigned long)pcs[0]);
    for (unsigned i = 0; i < d; i++)
        cr_expect_neq(pcs[i], 0, "frame %u is 0", i);
    cr_expect_eq(capture_here(), id, "the same call path got another id");
}

Test(stack, capture_honours_depth)
{
    ll_unwind_init();
    ll_opt.depth = 1;
    uint32_t id = capture_here();
    const uintptr_t *pcs;
    cr_expect_eq(ll_stack_get(id, &pcs), 1);
}

/* depth=1 goes through a per-thread cache of return addresses (1,024
 * entries): 4,096 callers must each keep their own stack, the caller alone,
 * whatever the stack pointer, after the cache has overwritten them. */
Test(stack, depth_one_is_the_caller, .timeout = 30)
{
    ll_unwind_init();
    ll_opt.depth = 1;
    enum { N = 4096 };
    static uint32_t ids[N];
    for (unsigned pass = 0; pass < 3; pass++)
        for (unsigned i = 0; i < N; i++) {
            uintptr_t ra = 0x500000 + (uintptr_t)i * 0x40;
            struct ll_caller c = { ra, 0x7ff00000 - 64 * pass, 0 };
            uint32_t id = ll_stack_capture_from(c.ra, c.sp, c.bp);
            if (pass == 0) {
                ids[i] = id;
                expect_stack(id, &ra, 1);
            } else {
                cr_assert_eq(id, ids[i], "caller %#lx, pass %u: id %u, then %u",
                             (unsigned long)ra, pass, ids[i], id);
            }
        }
    cr_expect_eq(ll_stack_count(), N);
}
