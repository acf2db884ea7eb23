/* test_bootstrap.c - the static arena used before the real malloc is known
 * (src/bootstrap.c).  The arena is 256 KiB; each Criterion test runs in a
 * fresh process, so each starts with it empty. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ll.h"

#define ARENA (256u << 10)

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

Test(bootstrap, alignment_size_and_zero)
{
    const size_t aligns[] = { 0, 1, 8, 16, 32, 64, 256, 4096, 16384 };
    const size_t sizes[] = { 0, 1, 24, 100, 4095 };
    for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t al = aligns[a], n = sizes[s], want = al < 16 ? 16 : al;
            unsigned char *p = ll_boot_alloc(n, al);
            cr_assert_not_null(p, "ll_boot_alloc(%zu, %zu)", n, al);
            cr_expect_eq((uintptr_t)p % want, 0, "ll_boot_alloc(%zu, %zu) = %p", n, al,
                         (void *)p);
            cr_expect_eq(ll_boot_size(p), n, "size %zu for %zu", ll_boot_size(p), n);
            cr_expect(all_zero(p, n));
            memset(p, 0xcc, n);
        }
}

Test(bootstrap, blocks_are_distinct_and_keep_their_contents)
{
    enum { N = 50 };
    unsigned char *p[N];
    for (int i = 0; i < N; i++) {
        size_t n = 1 + (size_t)i * 37;
        p[i] = ll_boot_alloc(n, i % 3 ? 16 : 64);
        cr_assert_not_null(p[i]);
        memset(p[i], i + 1, n);
    }
    for (int i = 0; i < N; i++) {
        size_t n = 1 + (size_t)i * 37;
        cr_expect_eq(ll_boot_size(p[i]), n, "block %d: size %zu", i, ll_boot_size(p[i]));
        for (size_t k = 0; k < n; k++)
            if (p[i][k] != i + 1) {
                cr_assert_fail("block %d byte %zu overwritten: %u", i, k, p[i][k]);
            }
    }
}

Test(bootstrap, owns)
{
    unsigned char *p = ll_boot_alloc(100, 16);
    cr_assert_not_null(p);
    cr_expect(ll_boot_owns(p));
    cr_expect(ll_boot_owns(p + 99));
    void *m = malloc(100);
    cr_expect_not(ll_boot_owns(m), "malloc'd %p", m);
    free(m);
    int local;
    static char global[16];
    cr_expect_not(ll_boot_owns(&local));
    cr_expect_not(ll_boot_owns(global));
    cr_expect_not(ll_boot_owns(NULL));
    /* the arena's first and last bytes, found from a block in it */
    unsigned char *lo = p - 16, *last = NULL;
    while (ll_boot_owns(lo - 1)) lo--;
    cr_expect_lt((size_t)(p - lo), 256, "block %td bytes into the arena", p - lo);
    for (last = lo; ll_boot_owns(last + 4096); last += 4096) ;
    while (ll_boot_owns(last + 1)) last++;
    cr_expect_eq((size_t)(last - lo + 1), ARENA, "arena of %zu bytes",
                 (size_t)(last - lo + 1));
}

Test(bootstrap, refuses_what_cannot_fit)
{
    cr_expect_null(ll_boot_alloc(ARENA + 1, 16));
    cr_expect_null(ll_boot_alloc(SIZE_MAX, 16));
    cr_expect_null(ll_boot_alloc(16, (size_t)1 << 40));
    cr_expect_not_null(ll_boot_alloc(16, 16), "the arena is still usable");
}

Test(bootstrap, exhaustion_returns_null)
{
    size_t got = 0;
    int n = 0;
    void *p;
    while ((p = ll_boot_alloc(1000, 16)) != NULL) {
        got += 1000;
        cr_assert_lt(++n, 1000, "never exhausted");
        cr_assert(ll_boot_owns(p) && ll_boot_owns((char *)p + 999), "block %d outside", n);
    }
    cr_expect_gt(got, ARENA * 9 / 10, "only %zu bytes served", got);
    cr_expect_leq(got, ARENA);
    cr_expect_null(ll_boot_alloc(1000, 16), "served again once exhausted");
}

/* A request too big for what is left fails, but must not use up the rest:
 * small requests that still fit keep working. */
Test(bootstrap, failed_request_leaves_the_rest_usable)
{
    cr_assert_not_null(ll_boot_alloc(200u << 10, 16));
    cr_expect_null(ll_boot_alloc(100u << 10, 16), "100 KiB cannot fit in ~56 KiB");
    void *p = ll_boot_alloc(1000, 16);
    cr_expect_not_null(p, "1000 bytes refused with ~56 KiB of the arena unused");
}

/* After ll_boot_salvage (a fault inside the real allocator), a region of
 * libleak's own pages serves: blocks far larger than the static arena,
 * zeroed and owned; the static arena's earlier blocks are still owned (a
 * free of one must not reach the real allocator either). */
Test(bootstrap, salvage_serves_from_pages_of_its_own)
{
    unsigned char *before = ll_boot_alloc(64, 16);
    cr_assert_not_null(before);
    cr_expect_not(ll_boot_salvaging());
    cr_assert_null(ll_boot_alloc(ARENA + 1, 16), "the static arena took more than it holds");
    cr_assert_eq(ll_boot_salvage(), 0, "no pages for the salvage region");
    cr_expect(ll_boot_salvaging());
    cr_expect_eq(ll_boot_salvage(), 0, "a second call");
    size_t big = (size_t)8 << 20;
    unsigned char *p = ll_boot_alloc(big, 64);
    cr_assert_not_null(p, "8 MiB from the salvage region");
    cr_expect_eq((uintptr_t)p % 64, 0);
    cr_expect_eq(ll_boot_size(p), big);
    cr_expect(all_zero(p, big));
    memset(p, 0xcc, big);
    cr_expect(ll_boot_owns(p) && ll_boot_owns(p + big - 1));
    cr_expect(ll_boot_owns(before), "a block of the static arena");
    unsigned char *q = ll_boot_alloc(100, 16);
    cr_assert_not_null(q);
    cr_expect(q >= p + big || q + 100 <= p, "blocks overlap");
    cr_expect(all_zero(q, 100));
    cr_expect(ll_mem_owns(p), "the leak scan would read the region as a root");
    void *m = malloc(100);
    cr_expect_not(ll_boot_owns(m), "malloc'd %p", m);
    free(m);
    cr_expect_null(ll_boot_alloc(SIZE_MAX / 2, 16), "an impossible size");
}

/* The salvage region's freed blocks serve the next request of their class
 * (a power of two), zeroed again; a block of the static arena is never
 * reused. */
Test(bootstrap, salvage_reuses_freed_blocks)
{
    unsigned char *arena = ll_boot_alloc(40, 16);
    cr_assert_eq(ll_boot_salvage(), 0);
    unsigned char *a = ll_boot_alloc(100, 16), *b = ll_boot_alloc(100, 16);
    cr_assert(a && b && a != b);
    memset(a, 0xcc, 100);
    ll_boot_free(a);
    unsigned char *c = ll_boot_alloc(120, 16);    /* the same class: 128 bytes */
    cr_expect_eq(c, a, "a freed block of the class was not reused");
    cr_expect_eq(ll_boot_size(c), 120);
    cr_expect(all_zero(c, 120), "a reused block is not zeroed");
    ll_boot_free(c);
    unsigned char *d = ll_boot_alloc(200, 16);    /* another class */
    cr_expect_neq(d, a);
    cr_expect(ll_boot_owns(d));
    ll_boot_free(arena);                           /* kept: no list for it */
    unsigned char *e = ll_boot_alloc(40, 16);
    cr_expect_neq(e, arena);
    cr_expect(ll_boot_owns(arena));
}

/* A freed salvage block of 1 MiB or more gives its pages back (the
 * report's qsort() buffer for 10,000,000 blocks is 240 MB); reused, it
 * reads as zeros. */
Test(bootstrap, salvage_gives_big_blocks_pages_back)
{
    cr_assert_eq(ll_boot_salvage(), 0);
    size_t n = (size_t)4 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *p = ll_boot_alloc(n, 16);
    cr_assert_not_null(p);
    memset(p, 0xcc, n);
    unsigned char *lo = (unsigned char *)(((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1));
    size_t pages = 512;
    unsigned char vec[512];
    cr_assert_eq(mincore(lo, pages * page, vec), 0);
    size_t resident = 0;
    for (size_t i = 0; i < pages; i++)
        resident += vec[i] & 1;
    cr_expect_eq(resident, pages, "touched pages resident: %zu of %zu", resident, pages);
    ll_boot_free(p);
    cr_assert_eq(mincore(lo, pages * page, vec), 0);
    resident = 0;
    for (size_t i = 0; i < pages; i++)
        resident += vec[i] & 1;
    cr_expect_eq(resident, 0, "pages still resident after the free: %zu of %zu", resident,
                 pages);
    unsigned char *q = ll_boot_alloc(n, 16);
    cr_expect_eq(q, p, "the freed block was not reused");
    cr_expect(all_zero(q, n), "a reused block is not zeroed");
}
