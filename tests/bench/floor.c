/* floor.c - the least a uthash table of live blocks can cost (scripts/bench).
 *
 * Built into build/bench/floor.so with libleak's interposer and
 * -DLL_UTHASH_FLOOR: every block gets one record (address, size, caller)
 * in a uthash table, as the design asks, and nothing else is done - no
 * stack beyond the caller, no per-thread nursery, no quarantine, no counters,
 * no report.  The tables are sharded by address with a spinlock each (the
 * least that keeps them right when one thread frees another's block), and
 * use uthash's own macros with a one-multiply hash of the address.
 *
 * What this build costs against native is a floor under any design that
 * keeps a uthash record per live block: a target below it cannot be met by
 * tuning what surrounds the table. */
#define HASH_FUNCTION(key, len, hv) \
    ((hv) = (unsigned)((*(const uintptr_t *)(key) >> 4) * 0x9e3779b97f4a7c15ull >> 32))
#define HASH_KEYCMP(a, b, n) (*(const uintptr_t *)(a) != *(const uintptr_t *)(b))
#include "../../src/ll_uthash.h"

#define LL_FLOOR_SHARDS 64
#define LL_FLOOR_BATCH 64

struct ll_floor_rec {
    uintptr_t ptr;
    size_t size;
    uintptr_t caller;
    UT_hash_handle hh;
};

/* uthash frees a table when its last item goes, and makes it again on the
 * next add: a malloc/free loop would pay for both each time.  A sentinel
 * record (address 1, never a block's) keeps every table alive. */
struct ll_floor_shard {
    ll_lock_t lock;
    struct ll_floor_rec *head, *spare;
    struct ll_floor_rec sentinel;
} __attribute__((aligned(64)));

static struct ll_floor_shard ll_floor[LL_FLOOR_SHARDS];

static struct ll_floor_shard *ll_floor_of(uintptr_t p)
{
    return &ll_floor[((uint64_t)(p >> 16) * 0x9e3779b97f4a7c15ull) >> 58];
}

static struct ll_floor_rec *ll_floor_get(struct ll_floor_shard *s)
{
    if (!s->spare) {
        struct ll_floor_rec *b = ll_mem_alloc(sizeof(*b) * LL_FLOOR_BATCH);
        if (!b)
            return NULL;
        for (unsigned i = 0; i < LL_FLOOR_BATCH; i++) {
            b[i].hh.next = s->spare;
            s->spare = &b[i];
        }
    }
    struct ll_floor_rec *r = s->spare;
    s->spare = r->hh.next;
    return r;
}

void ll_floor_add(uintptr_t p, size_t size, uintptr_t caller)
{
    struct ll_floor_shard *s = ll_floor_of(p);
    ll_lock(&s->lock);
    if (ll_unlikely(!s->head)) {
        s->sentinel.ptr = 1;
        HASH_ADD(hh, s->head, ptr, sizeof(s->sentinel.ptr), &s->sentinel);
    }
    struct ll_floor_rec *r = ll_floor_get(s);
    if (r) {
        *r = (struct ll_floor_rec){ .ptr = p, .size = size, .caller = caller };
        ll_uthash_oom = 0;
        HASH_ADD(hh, s->head, ptr, sizeof(r->ptr), r);
        if (ll_uthash_oom) {
            r->hh.next = s->spare;
            s->spare = r;
        }
    }
    ll_unlock(&s->lock);
}

void ll_floor_del(uintptr_t p)
{
    struct ll_floor_shard *s = ll_floor_of(p);
    struct ll_floor_rec *r;
    ll_lock(&s->lock);
    HASH_FIND(hh, s->head, &p, sizeof(p), r);
    if (r) {
        HASH_DELETE(hh, s->head, r);
        r->hh.next = s->spare;
        s->spare = r;
    }
    ll_unlock(&s->lock);
}
