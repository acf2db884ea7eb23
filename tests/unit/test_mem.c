/* test_mem.c - libleak's internal allocator (src/mem.c).
 *
 * Each Criterion test runs in its own process, so every test starts with
 * empty size classes and nothing mapped. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ll.h"

static const size_t sizes[] = {
    0, 1, 2, 8, 15, 16, 17, 31, 32, 33, 100, 500, 1000, 1023, 1024, 1025,
    2047, 2048, 2049, 4096, 5000, 10000, 32768, 40000, 65535, 65536,
    65537, 70000, 131072, 200000, 262144, 262145, 600000, 1048576,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

Test(mem, zeroed_and_aligned_for_every_size)
{
    for (size_t i = 0; i < NSIZES; i++) {
        size_t n = sizes[i];
        unsigned char *p = ll_mem_alloc(n);
        cr_assert_not_null(p, "ll_mem_alloc(%zu)", n);
        cr_expect_eq((uintptr_t)p % 16, 0, "ll_mem_alloc(%zu) = %p", n, (void *)p);
        cr_expect(all_zero(p, n), "ll_mem_alloc(%zu) not zeroed", n);
        memset(p, 0xa5, n);                 /* the whole size is writable */
        ll_mem_free(p, n);
    }
}

Test(mem, reused_blocks_are_zeroed_again)
{
    for (size_t i = 0; i < NSIZES; i++) {
        size_t n = sizes[i] ? sizes[i] : 1;
        unsigned char *p = ll_mem_alloc(n);
        memset(p, 0xff, n);
        ll_mem_free(p, n);
        unsigned char *q = ll_mem_alloc(n);
        cr_assert_not_null(q);
        cr_expect(all_zero(q, n), "reused block of %zu not zeroed", n);
        ll_mem_free(q, n);
    }
}

/* Many live blocks of each size: no two overlap. */
struct span { uintptr_t lo, hi; };

static int by_lo(const void *a, const void *b)
{
    uintptr_t x = ((const struct span *)a)->lo, y = ((const struct span *)b)->lo;
    return x < y ? -1 : x > y;
}

Test(mem, live_blocks_do_not_overlap)
{
    enum { PER = 40 };
    static struct span v[NSIZES * PER];
    size_t k = 0;
    for (size_t i = 0; i < NSIZES; i++)
        for (int j = 0; j < PER; j++) {
            size_t n = sizes[i] ? sizes[i] : 1;
            void *p = ll_mem_alloc(n);
            cr_assert_not_null(p, "ll_mem_alloc(%zu), block %d", n, j);
            v[k++] = (struct span){ (uintptr_t)p, (uintptr_t)p + n };
        }
    qsort(v, k, sizeof v[0], by_lo);
    for (size_t i = 1; i < k; i++)
        cr_assert_leq(v[i - 1].hi, v[i].lo, "[%#lx,%#lx) overlaps [%#lx,%#lx)",
                      (unsigned long)v[i - 1].lo, (unsigned long)v[i - 1].hi,
                      (unsigned long)v[i].lo, (unsigned long)v[i].hi);
}

Test(mem, freed_block_reused_within_its_class)
{
    void *p = ll_mem_alloc(100);
    ll_mem_free(p, 100);
    void *q = ll_mem_alloc(100);
    cr_expect_eq(q, p, "same size: got %p, freed %p", q, p);
    ll_mem_free(q, 100);
    void *r = ll_mem_alloc(101);                /* a neighbouring size */
    cr_expect_eq(r, p, "same class: got %p, freed %p", r, p);
    void *s = ll_mem_alloc(100);                /* r is live: not p again */
    cr_expect_neq(s, p);

    void *b = ll_mem_alloc(3000);               /* a power-of-two class */
    ll_mem_free(b, 3000);
    void *c = ll_mem_alloc(4096);
    cr_expect_eq(c, b, "4 KiB class: got %p, freed %p", c, b);
}

/* The largest class, 1 MiB (a run of four chunks each), holds a thread's
 * nursery: a freed one is taken again, every byte zero, without a new
 * mapping. */
Test(mem, the_largest_class_is_reused_zeroed)
{
    size_t n = 1000000;
    unsigned char *p = ll_mem_alloc(n);
    cr_assert_not_null(p);
    cr_expect(all_zero(p, n));
    memset(p, 0x5a, n);
    ll_mem_free(p, n);
    size_t before = ll_mem_mapped();
    unsigned char *q = ll_mem_alloc(n);
    cr_expect_eq(q, p, "1 MiB class: got %p, freed %p", (void *)q, (void *)p);
    cr_expect(all_zero(q, n), "a reused block is not zero");
    cr_expect_eq(ll_mem_mapped(), before, "reuse mapped %zu more", ll_mem_mapped() - before);
    ll_mem_free(q, n);
}

/* A chunk the list has no room for (65,536 of them, 16 GiB; 4 here) is
 * not used: the leak check would take it for the program's memory.  The
 * allocation fails instead, and every block given out is known as ours. */
Test(mem, no_block_from_a_chunk_the_list_cannot_hold)
{
    ll_mem_set_chunk_limit(4);
    void *got[8];
    size_t n = 0;
    while (n < 8 && (got[n] = ll_mem_alloc(200000)) != NULL)  /* a chunk each */
        n++;
    cr_expect_eq(n, 4, "%zu blocks of a chunk each with 4 chunks listed", n);
    for (size_t i = 0; i < n; i++)
        cr_expect(ll_mem_owns(got[i]), "block %zu not known as libleak's", i);
    cr_expect_null(ll_mem_alloc(16), "a new chunk for a small class");
    for (size_t i = 0; i < n; i++)
        ll_mem_free(got[i], 200000);
    cr_expect_not_null(ll_mem_alloc(200000), "a freed block is given again");
}

/* A block of a class above a chunk (512 KiB, 1 MiB) is its own run of
 * chunks, each listed: known as ours from its first byte to its last, and
 * counted against the list's room as that many chunks. */
Test(mem, a_block_above_a_chunk_is_listed_as_its_chunks)
{
    ll_mem_set_chunk_limit(6);
    size_t n = 1000000;                         /* the 1 MiB class: 4 chunks */
    unsigned char *p = ll_mem_alloc(n);
    cr_assert_not_null(p);
    for (size_t off = 0; off < n; off += 4096)
        cr_assert(ll_mem_owns(p + off), "offset %zu not known as libleak's", off);
    cr_expect(ll_mem_owns(p + n - 1));
    cr_expect(!ll_mem_owns(p + (1u << 20)), "past the run");
    cr_expect_null(ll_mem_alloc(n), "a second run of 4 with room for 2 chunks left");
    void *h = ll_mem_alloc(400000);             /* the 512 KiB class: 2 chunks */
    cr_expect_not_null(h, "a run of 2 with room for 2");
    cr_expect_null(ll_mem_alloc(16), "a small class's chunk with no room left");
    ll_mem_free(h, 400000);
    ll_mem_free(p, n);
}

Test(mem, large_blocks_are_mapped_whole)
{
    size_t before = ll_mem_mapped();
    size_t n = 1200000;                         /* above the largest class */
    unsigned char *p = ll_mem_alloc(n);
    cr_assert_not_null(p);
    cr_expect_eq((uintptr_t)p % ll_page_size, 0, "%p not page-aligned", (void *)p);
    cr_expect(all_zero(p, n));
    memset(p, 1, n);
    size_t during = ll_mem_mapped();
    cr_expect_geq(during - before, n, "mapped grew by %zu for %zu", during - before, n);
    cr_expect_lt(during - before, n + ll_page_size);
    ll_mem_free(p, n);
    cr_expect_eq(ll_mem_mapped(), before, "unmapping left %zu", ll_mem_mapped());

    void *big = ll_mem_alloc(64u << 20);        /* 64 MiB: also fine */
    cr_assert_not_null(big);
    ll_mem_free(big, 64u << 20);
}

Test(mem, huge_request_fails_cleanly)
{
    cr_expect_null(ll_mem_alloc(SIZE_MAX));
    cr_expect_null(ll_mem_alloc(SIZE_MAX - 4096 * 2));
    cr_expect_null(ll_mem_alloc((size_t)1 << 62));
}

Test(mem, mapped_grows_with_use)
{
    size_t m0 = ll_mem_mapped();
    void *v[2048];
    for (int i = 0; i < 2048; i++)              /* 2 MiB of 1 KiB blocks */
        cr_assert_not_null(v[i] = ll_mem_alloc(1024));
    size_t m1 = ll_mem_mapped();
    cr_expect_geq(m1 - m0, 2048u * 1024, "mapped %zu -> %zu", m0, m1);
    for (int i = 0; i < 2048; i++)
        ll_mem_free(v[i], 1024);
    for (int i = 0; i < 2048; i++)              /* reused: nothing new mapped */
        v[i] = ll_mem_alloc(1024);
    cr_expect_eq(ll_mem_mapped(), m1, "mapped %zu after reuse, %zu before",
                 ll_mem_mapped(), m1);
}

Test(mem, owns)
{
    void *small = ll_mem_alloc(48);
    cr_expect(ll_mem_owns(small));
    cr_expect(ll_mem_owns((char *)small + 47));
    void *mid = ll_mem_alloc(60000);
    cr_expect(ll_mem_owns(mid));
    void *m = malloc(48);
    cr_expect_not(ll_mem_owns(m), "malloc'd %p owned", m);
    free(m);
    static char global[64];
    int local;
    cr_expect_not(ll_mem_owns(global));
    cr_expect_not(ll_mem_owns(&local));
    cr_expect_not(ll_mem_owns(NULL));
}

Test(mem, pages)
{
    size_t m0 = ll_mem_mapped();
    unsigned char *p = ll_pages_alloc(1);
    cr_assert_not_null(p);
    cr_expect_eq((uintptr_t)p % ll_page_size, 0);
    cr_expect_eq(ll_mem_mapped() - m0, ll_page_size, "one byte took %zu",
                 ll_mem_mapped() - m0);
    p[ll_page_size - 1] = 1;
    ll_pages_free(p, 1);
    ll_pages_free(NULL, 123);
    cr_expect_eq(ll_mem_mapped(), m0);
}

/* The exit check takes a root range whole when ll_mem_overlaps says none of
 * our memory is in it, so that answer must cover all of it, even once the
 * list of direct mappings is full (a process with thousands of threads):
 * chunks mapped after that were scanned as roots, and the blocks their
 * records point to read "still reachable". */
Test(mem, overlaps_covers_what_owns_covers)
{
    void *before = ll_mem_alloc(1000), *m = malloc(64);
    cr_expect(ll_mem_overlaps((uintptr_t)before, (uintptr_t)before + 1));
    cr_expect_not(ll_mem_overlaps((uintptr_t)m, (uintptr_t)m + 64), "malloc'd %p", m);
    free(m);
    enum { FILL = 4200, BLOCKS = 600 };
    static void *page[FILL], *blk[BLOCKS];
    for (int i = 0; i < FILL; i++)
        cr_assert_not_null(page[i] = ll_pages_alloc(1));
    for (int i = 0; i < BLOCKS; i++) {          /* past the chunk made before */
        blk[i] = ll_mem_alloc(1000);
        cr_assert_not_null(blk[i]);
        uintptr_t a = (uintptr_t)blk[i];
        cr_assert(ll_mem_owns(blk[i]), "block %d", i);
        cr_assert(ll_mem_overlaps(a, a + 1000), "block %d at %p: owned, not overlapping", i,
                  blk[i]);
    }
    for (int i = 0; i < FILL; i++)
        ll_pages_free(page[i], 1);
}

/* ---- threads -------------------------------------------------------------------- */
enum { THREADS = 4, OPS = 100000, SLOTS = 512 };

struct worker { unsigned id, seed; int errors; };

static unsigned rnd(unsigned *s) { *s = *s * 1103515245u + 12345u; return *s >> 8; }

static size_t word_count(size_t n) { return n / sizeof(uint64_t); }

static uint64_t tag(unsigned id, unsigned slot, size_t n, size_t w)
{
    return (uint64_t)id << 56 | (uint64_t)slot << 40 | (uint64_t)n << 16 | w;
}

static void *churn(void *arg)
{
    struct worker *me = arg;
    uint64_t *blk[SLOTS] = { 0 };
    size_t len[SLOTS] = { 0 };
    for (int op = 0; op < OPS; op++) {
        unsigned s = rnd(&me->seed) % SLOTS;
        if (blk[s]) {
            for (size_t w = 0; w < word_count(len[s]); w++)
                if (blk[s][w] != tag(me->id, s, len[s], w)) { me->errors++; break; }
            ll_mem_free(blk[s], len[s]);
            blk[s] = NULL;
        } else {
            unsigned r = rnd(&me->seed);
            size_t n = r % 64 == 0 ? 4096 + r % 20000 : 8 + r % 600;
            uint64_t *p = ll_mem_alloc(n);
            if (!p || !all_zero((unsigned char *)p, n)) { me->errors++; continue; }
            for (size_t w = 0; w < word_count(n); w++)
                p[w] = tag(me->id, s, n, w);
            blk[s] = p;
            len[s] = n;
        }
    }
    for (unsigned s = 0; s < SLOTS; s++)
        ll_mem_free(blk[s], len[s]);
    return NULL;
}

Test(mem, threads_keep_their_blocks_intact)
{
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (struct worker){ .id = i + 1, .seed = 77 * i + 1 };
        cr_assert_eq(pthread_create(&t[i], NULL, churn, &w[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (unsigned i = 0; i < THREADS; i++)
        cr_expect_eq(w[i].errors, 0, "thread %u: %d corrupted or bad blocks",
                     i, w[i].errors);
}

/* A block carved from a new chunk is already zero (mmap): handing it out
 * must not touch its pages, or a thread's 64 KiB nursery would add 64 KiB
 * to the program's RSS whether it is used or not. */
Test(mem, fresh_block_pages_are_not_touched)
{
    size_t n = 60000, page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *p = ll_mem_alloc(n);
    cr_assert_not_null(p);
    uintptr_t lo = (uintptr_t)p & ~(page - 1);
    size_t len = ((uintptr_t)p + n - lo + page - 1) & ~(page - 1);
    unsigned char vec[64];
    cr_assert_leq(len / page, sizeof vec);
    cr_assert_eq(mincore((void *)lo, len, vec), 0);
    size_t resident = 0;
    for (size_t i = 0; i < len / page; i++)
        resident += vec[i] & 1;
    cr_expect_eq(resident, 0, "%zu of %zu pages touched", resident, len / page);
    cr_expect(all_zero(p, n), "fresh block not zero");
}

/* fork() takes every lock of mem.c (ll_mem_fork_prepare) in the order the
 * code nests them.  A size class's lock is held while a new chunk is
 * mapped, which takes the page and chunk list locks: taking those two
 * first deadlocked a fork against a thread that was refilling a class.
 * Here two threads refill the 64 KiB class (4 blocks per chunk) while the
 * main thread takes and releases everything, as fork does.  The blocks are
 * never touched, so the mappings cost address space only. */
#define REFILLS 4000
static atomic_int refillers;

static void *refill(void *arg)
{
    (void)arg;
    static __thread void *kept[4 * REFILLS];
    for (unsigned i = 0; i < 4 * REFILLS; i++)
        kept[i] = ll_mem_alloc(64u << 10);
    atomic_fetch_sub(&refillers, 1);
    for (unsigned i = 0; i < 4 * REFILLS; i++)
        ll_mem_free(kept[i], 64u << 10);
    return NULL;
}

Test(mem, fork_handlers_and_refills_do_not_deadlock, .timeout = 60)
{
    pthread_t t[2];
    atomic_store(&refillers, 2);
    for (unsigned i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, refill, NULL), 0);
    unsigned rounds = 0;
    while (atomic_load(&refillers) > 0) {
        ll_mem_fork_prepare();
        ll_mem_fork_parent();
        rounds++;
    }
    for (unsigned i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_expect_gt(rounds, 0);
}
