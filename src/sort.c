/* sort.c - the report's sorts of every live block, in linear time.
 *
 * The leak check sorts all live blocks by address (reach.c searches them),
 * then by group (report.c); with qsort, those two took a sixth of the
 * check on a big heap (4,000,000 blocks: perf, 17.6% in glibc's merge
 * sort and its comparisons).  A least-significant-digit radix sort, 11
 * bits a pass, over the bits in which the keys differ at all (about 44
 * for addresses across a heap and its mappings: 4 passes), is stable, as
 * glibc's merge sort is, and needs one scratch copy of the array, as that
 * does. */
#include "ll.h"

#include <stdlib.h>
#include <string.h>

#define LL_RADIX_BITS 11
#define LL_RADIX (1u << LL_RADIX_BITS)
#define LL_RADIX_MIN 4096               /* fewer blocks: qsort, which is quick enough */

static inline uint64_t ll_sort_key(const struct ll_block *b, enum ll_sort_by by)
{
    return by == LL_SORT_PTR ? b->ptr : ll_group_key(b);
}

static int ll_cmp_by_ptr(const void *a, const void *b)
{
    uint64_t x = ll_sort_key(a, LL_SORT_PTR), y = ll_sort_key(b, LL_SORT_PTR);
    return (x > y) - (x < y);
}

static int ll_cmp_by_group(const void *a, const void *b)
{
    uint64_t x = ll_sort_key(a, LL_SORT_GROUP), y = ll_sort_key(b, LL_SORT_GROUP);
    return (x > y) - (x < y);
}

/* One pass: v into out by the digit at shift of (key - base). */
static void ll_radix_pass(const struct ll_block *v, struct ll_block *out, size_t n,
                          enum ll_sort_by by, uint64_t base, unsigned shift)
{
    static size_t at[LL_RADIX];         /* one sort at a time: the report's */
    memset(at, 0, sizeof(at));
    for (size_t i = 0; i < n; i++)
        at[(ll_sort_key(&v[i], by) - base) >> shift & (LL_RADIX - 1)]++;
    size_t sum = 0;
    for (unsigned d = 0; d < LL_RADIX; d++) {
        size_t c = at[d];
        at[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        out[at[(ll_sort_key(&v[i], by) - base) >> shift & (LL_RADIX - 1)]++] = v[i];
}

void ll_sort_blocks(struct ll_block *v, size_t n, enum ll_sort_by by)
{
    if (n < 2)
        return;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = ll_sort_key(&v[i], by);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    if (lo == hi)
        return;
    struct ll_block *tmp = n >= LL_RADIX_MIN ? ll_pages_alloc(n * sizeof(*v)) : NULL;
    if (!tmp) {
        qsort(v, n, sizeof(*v), by == LL_SORT_PTR ? ll_cmp_by_ptr : ll_cmp_by_group);
        return;
    }
    unsigned bits = 64 - (unsigned)__builtin_clzll(hi - lo);
    struct ll_block *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < bits; shift += LL_RADIX_BITS) {
        ll_radix_pass(src, dst, n, by, lo, shift);
        struct ll_block *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof(*v));
    ll_pages_free(tmp, n * sizeof(*v));
}
