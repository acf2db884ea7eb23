/* floor_oa.c - floor.c's table with open addressing instead of uthash
 * (scripts/bench-table): the same record per block (address, size,
 * caller), the same shards, locks and address hash, but each record lies
 * in the table itself (24 bytes, linear probing, deletion by backward
 * shift, doubled at half full), so a lookup reads one cache line where
 * uthash's reads a bucket and then the record it points to.  Never part of
 * libleak: it measures how much of `floor` is uthash's layout (the design
 * fixes uthash for the tables). */
#include "../../src/ll.h"

#define LL_OA_SHARDS 64
#define LL_OA_MIN 1024                  /* entries at the first add */

struct ll_oa_ent {
    uintptr_t ptr;                      /* 0: empty */
    size_t size;
    uintptr_t caller;
};

struct ll_oa_shard {
    ll_lock_t lock;
    size_t n, mask;
    struct ll_oa_ent *e;
} __attribute__((aligned(64)));

static struct ll_oa_shard ll_oa[LL_OA_SHARDS];

static struct ll_oa_shard *ll_oa_of(uintptr_t p)
{
    return &ll_oa[((uint64_t)(p >> 16) * 0x9e3779b97f4a7c15ull) >> 58];
}

static size_t ll_oa_home(uintptr_t p, size_t mask)
{
#ifdef LL_OA_NEAR
    /* as table.c keeps neighbours together: each 1 KiB of addresses maps
     * to 64 consecutive entries at a hashed start */
    return (size_t)((((uint64_t)(p >> 10) * 0x9e3779b97f4a7c15ull) >> 32) + ((p >> 4) & 63)) & mask;
#else
    return (size_t)(((uint64_t)(p >> 4) * 0x9e3779b97f4a7c15ull) >> 32) & mask;
#endif
}

static void ll_oa_put(struct ll_oa_shard *s, const struct ll_oa_ent *x)
{
    size_t j = ll_oa_home(x->ptr, s->mask);
    while (s->e[j].ptr)
        j = (j + 1) & s->mask;
    s->e[j] = *x;
}

static int ll_oa_grow(struct ll_oa_shard *s)
{
    size_t old = s->e ? s->mask + 1 : 0, cap = old ? 2 * old : LL_OA_MIN;
    struct ll_oa_ent *prev = s->e, *e = ll_pages_alloc(cap * sizeof(*e));
    if (!e)
        return -1;
    s->e = e;
    s->mask = cap - 1;
    for (size_t i = 0; i < old; i++)
        if (prev[i].ptr)
            ll_oa_put(s, &prev[i]);
    if (prev)
        ll_pages_free(prev, old * sizeof(*prev));
    return 0;
}

void ll_floor_add(uintptr_t p, size_t size, uintptr_t caller)
{
    struct ll_oa_shard *s = ll_oa_of(p);
    ll_lock(&s->lock);
    if ((s->e && 2 * (s->n + 1) <= s->mask + 1) || !ll_oa_grow(s)) {
        ll_oa_put(s, &(struct ll_oa_ent){ p, size, caller });
        s->n++;
    }
    ll_unlock(&s->lock);
}

void ll_floor_del(uintptr_t p)
{
    struct ll_oa_shard *s = ll_oa_of(p);
    ll_lock(&s->lock);
    if (s->e) {
        size_t j = ll_oa_home(p, s->mask);
        for (; s->e[j].ptr && s->e[j].ptr != p; j = (j + 1) & s->mask)
            ;
        if (s->e[j].ptr) {              /* backward shift: no tombstones */
            s->n--;
            for (size_t k = (j + 1) & s->mask; s->e[k].ptr; k = (k + 1) & s->mask) {
                size_t h = ll_oa_home(s->e[k].ptr, s->mask);
                if (((k - h) & s->mask) >= ((k - j) & s->mask)) {
                    s->e[j] = s->e[k];
                    j = k;
                }
            }
            s->e[j].ptr = 0;
        }
    }
    ll_unlock(&s->lock);
}
