/* floor.c - what a bare uthash table of live blocks costs (scripts/bench).
 *
 * Built into build/bench/floor.so with libleak's interposer and
 * -DLL_UTHASH_FLOOR: every block gets one record (address, size, caller)
 * in a uthash table, as the design asks, and nothing else is done: no stack
 * beyond the caller, no per-thread nursery, no quarantine, no counters, no
 * report.  The tables are sharded by address with a spinlock each (the
 * least that keeps them right when one thread frees another's block), and
 * use uthash the cheapest way libleak knows, through table.c's helpers
 * in ll_uthash.h: the bucket-level macros (no insertion-order list to
 * keep), a one-multiply hash of the address, at most 1 record per bucket,
 * and table.c's record: one cache line, the handle packed with the block
 * (the address in the key field, the size in the unused app-order link).
 *
 * Its cost against native is what the table alone takes; libleak's own
 * figures can then be read against it. */
#define HASH_KEYCMP(a, b, n) ((uintptr_t)(a) != *(const uintptr_t *)(b))
#include "../../src/ll_uthash.h"

#define LL_FLOOR_SHARDS 64
#define LL_FLOOR_BATCH 16
#define LL_FLOOR_BUCKETS0_LOG2 10u
#define LL_FLOOR_HHO offsetof(struct ll_floor_rec, hh)

struct ll_floor_rec {
    UT_hash_handle hh;
    uintptr_t caller;
} __attribute__((aligned(64)));

struct ll_floor_shard {
    ll_lock_t lock;
    UT_hash_table tbl;
    struct ll_floor_rec *spare;
} __attribute__((aligned(64)));

static struct ll_floor_shard ll_floor[LL_FLOOR_SHARDS];

static struct ll_floor_shard *ll_floor_of(uintptr_t p)
{
    return &ll_floor[((uint64_t)(p >> 16) * 0x9e3779b97f4a7c15ull) >> 58];
}

static unsigned ll_floor_hash(uintptr_t p)
{
    return (unsigned)(((uint64_t)(p >> 4) * 0x9e3779b97f4a7c15ull) >> 32);
}

static UT_hash_bucket *ll_floor_bucket(struct ll_floor_shard *s, unsigned hv)
{
    return &s->tbl.buckets[hv & (s->tbl.num_buckets - 1)];
}

void ll_floor_add(uintptr_t p, size_t size, uintptr_t caller)
{
    struct ll_floor_shard *s = ll_floor_of(p);
    unsigned hv = ll_floor_hash(p);
    ll_lock(&s->lock);
    struct ll_floor_rec *r;
    if ((s->tbl.buckets ||
         !ll_uthash_make(&s->tbl, LL_FLOOR_BUCKETS0_LOG2, LL_FLOOR_HHO)) &&
        (r = ll_uthash_rec_get((void **)&s->spare, sizeof(*r), LL_FLOOR_HHO,
                               LL_FLOOR_BATCH))) {
        r->hh.prev = (void *)size;
        r->caller = caller;
        r->hh.tbl = &s->tbl;
        r->hh.key = (const void *)p;
        r->hh.keylen = sizeof(p);
        r->hh.hashv = hv;
        HASH_ADD_TO_BKT(*ll_floor_bucket(s, hv), hh, &r->hh, ll_uthash_oom);
        if (++s->tbl.num_items > s->tbl.num_buckets) {
            ll_uthash_oom = 0;
            HASH_EXPAND_BUCKETS(hh, &s->tbl, ll_uthash_oom);
        }
    }
    ll_unlock(&s->lock);
}

void ll_floor_del(uintptr_t p)
{
    struct ll_floor_shard *s = ll_floor_of(p);
    unsigned hv = ll_floor_hash(p);
    struct ll_floor_rec *r = NULL;
    ll_lock(&s->lock);
    if (s->tbl.buckets)
        HASH_FIND_IN_BKT(&s->tbl, hh, *ll_floor_bucket(s, hv), &p, sizeof(p), hv, r);
    if (r) {
        HASH_DEL_IN_BKT(*ll_floor_bucket(s, hv), &r->hh);
        s->tbl.num_items--;
        ll_uthash_rec_put((void **)&s->spare, LL_FLOOR_HHO, r);
    }
    ll_unlock(&s->lock);
}
