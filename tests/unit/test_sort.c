/* test_sort.c - the report's sorts of every block (src/sort.c): by address
 * and by group, stable, for the radix path (4,096 blocks or more) and the
 * qsort one below it. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ll.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* n blocks of random keys; size holds each block's position in v. */
static struct ll_block *made(size_t n, uint64_t seed, int narrow)
{
    struct ll_block *v = calloc(n, sizeof(*v));
    cr_assert_not_null(v);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rnd(&seed);
        /* addresses across a heap and its mappings (47 bits), or a few
         * thousand apart: many equal keys either way */
        v[i].ptr = narrow ? 0x555555550000 + (r % 5000) * 16 : (r % 40000) << 32 | (r >> 40);
        v[i].stack = (uint32_t)(r >> 20) % 3000;
        v[i].kind = (uint8_t)(r >> 8) % LL_KIND_COUNT;
        v[i].fn = (uint8_t)(r >> 12) % LL_FN_COUNT;
        v[i].align_log2 = (uint8_t)(r >> 16) % 13;
        v[i].size = i;
    }
    return v;
}

static int before_by_group(const struct ll_block *x, const struct ll_block *y)
{
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->stack != y->stack) return x->stack < y->stack ? -1 : 1;
    if (x->fn != y->fn) return x->fn < y->fn ? -1 : 1;
    if (x->align_log2 != y->align_log2) return x->align_log2 < y->align_log2 ? -1 : 1;
    return 0;
}

static void check(size_t n, uint64_t seed, int narrow, enum ll_sort_by by)
{
    struct ll_block *v = made(n, seed, narrow);
    unsigned char *seen = calloc(n, 1);
    ll_sort_blocks(v, n, by);
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(v[i].size, n);
        cr_assert(!seen[v[i].size], "block %zu twice", (size_t)v[i].size);
        seen[v[i].size] = 1;
        if (!i)
            continue;
        int c = by == LL_SORT_PTR ? (v[i - 1].ptr > v[i].ptr) - (v[i - 1].ptr < v[i].ptr)
                                  : before_by_group(&v[i - 1], &v[i]);
        cr_assert_leq(c, 0, "n %zu: blocks %zu and %zu out of order", n, i - 1, i);
        if (c == 0)
            cr_assert_lt(v[i - 1].size, v[i].size, "n %zu: equal keys at %zu reordered", n, i);
    }
    free(seen);
    free(v);
}

Test(sort, by_address_large_and_small)
{
    check(200000, 1, 0, LL_SORT_PTR);
    check(200000, 2, 1, LL_SORT_PTR);
    check(1000, 3, 0, LL_SORT_PTR);     /* below the radix path */
    check(1, 4, 0, LL_SORT_PTR);
}

Test(sort, by_group_large_and_small)
{
    check(200000, 5, 0, LL_SORT_GROUP);
    check(5000, 6, 1, LL_SORT_GROUP);
    check(100, 7, 0, LL_SORT_GROUP);
}

Test(sort, equal_keys_stay_in_order)
{
    struct ll_block *v = made(10000, 8, 0);
    for (size_t i = 0; i < 10000; i++)
        v[i].ptr = 0x7f0000001000;
    ll_sort_blocks(v, 10000, LL_SORT_PTR);
    for (size_t i = 0; i < 10000; i++)
        cr_assert_eq(v[i].size, i);
    free(v);
}
