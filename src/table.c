/* table.c - the live blocks: uthash tables keyed by pointer, sharded by a
 * pointer hash with one lock per shard, so no global lock sits on the
 * malloc path.  Each shard also keeps the counters and a small quarantine of
 * recently freed blocks (a double free lands in the same shard). */
/* A record's key is its block's address, held in the handle's key field
 * itself (ll_rec_ptr), not pointed to: a lookup compares it as one word, and
 * walking a chain reads nothing of a record outside its handle. */
#define HASH_KEYCMP(a, b, n) ((uintptr_t)(a) != *(const uintptr_t *)(b))
#include "ll_uthash.h"

#include <string.h>

#define LL_SHARD_BITS 6
#define LL_SHARDS (1u << LL_SHARD_BITS)
#define LL_QUARANTINE 64                /* recent frees per shard */
#define LL_REC_BATCH 16                 /* 16 x 64 bytes = one 1024-byte class */

/* One cache line: uthash's handle, packed with the block around it.  The
 * shards use uthash's bucket-level macros (HASH_FIND_IN_BKT,
 * HASH_ADD_TO_BKT, HASH_DEL_IN_BKT) and not HASH_ADD/HASH_DELETE, which also
 * keep every record on a list in insertion order: unlinking from that list
 * touches two more records per free, for an order we never use (the report
 * walks the buckets).  So that list's two links are free: prev holds the
 * block's size, next links the shard's spare records.  The address is the
 * key field's value (HASH_KEYCMP).  80 bytes until 2026-11-28 (address and
 * size beside the handle, key pointing at the address): a lookup that
 * passed a record read two of its cache lines, and a table of a million
 * blocks held 16 MB more. */
struct ll_rec {
    UT_hash_handle hh;
    uint32_t stack;
    uint8_t fn, align_log2;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct ll_rec) == 64, "a record is one cache line");

static inline uintptr_t ll_rec_ptr(const struct ll_rec *r)
{
    return (uintptr_t)r->hh.key;
}

static inline size_t ll_rec_size(const struct ll_rec *r)
{
    return (size_t)(uintptr_t)r->hh.prev;
}

static inline void ll_rec_set_size(struct ll_rec *r, size_t n)
{
    r->hh.prev = (void *)(uintptr_t)n;
}

struct ll_shard {
    ll_lock_t lock;
    unsigned qpos;
    UT_hash_table tbl;                  /* buckets made on the first add */
    struct ll_rec *spare;               /* free records, linked through hh.next */
    uint64_t allocs, frees, bytes, dropped;
} __attribute__((aligned(64)));

LL_TLS int ll_uthash_oom;
static struct ll_shard ll_shards[LL_SHARDS];
/* Apart from the shards: taking every shard's lock (the report, fork) then
 * touches 2 pages, not the 34 that the shards with their quarantines
 * inside would span, each a page fault in a process that never used them. */
static struct ll_freed ll_shard_q[LL_SHARDS][LL_QUARANTINE];

static _Atomic int64_t ll_live;
static _Atomic int64_t ll_peak;

void ll_live_publish(void)
{
    int64_t base = atomic_fetch_add(&ll_live, ll_live_mine.delta);
    int64_t cand = base + ll_live_mine.hw, peak = atomic_load(&ll_peak);
    while (cand > peak && !atomic_compare_exchange_weak(&ll_peak, &peak, cand))
        ;
    ll_live_mine.delta = ll_live_mine.hw = 0;
}

int ll_live_publish_then(int res)
{
    ll_live_publish();
    return res;
}

/* A thread's unpublished share is handed over when it exits. */
static LL_TLS int ll_live_registered;

void ll_table_thread_exit(void)
{
    ll_live_publish();
}

void ll_table_init(void)
{
    ll_nursery_init();
}

/* The shard path's accounting: its thread may have no nursery, which
 * would have registered it. */
static void ll_live_add(int64_t d)
{
    if (ll_unlikely(!ll_live_registered)) {
        ll_live_registered = 1;
        ll_thread_register();
    }
    ll_live_note(d);
}

/* The shard is chosen by the 64 KiB region of the address, not by the
 * address itself: allocators give each thread its own arena, so a thread's
 * blocks fall into shards that other threads rarely touch, and the shard's
 * lock and table stay in that core's cache. */
static inline struct ll_shard *ll_shard_of(uintptr_t p)
{
    return &ll_shards[((uint64_t)(p >> 16) * 0x9e3779b97f4a7c15ull) >> (64 - LL_SHARD_BITS)];
}

/* The bucket hash keeps neighbours together: each 1 KiB stretch of
 * addresses maps to 16 consecutive buckets (one per 64 bytes), starting at
 * a hash of the stretch.  Blocks allocated one after another, which leave a
 * nursery in about that order, then share bucket cache lines, and their
 * records (taken in turn from the shard's free list) lie side by side: in
 * a table of a million blocks, most inserts hit the cache. */
static inline unsigned ll_bucket_hash(uintptr_t p)
{
    uint32_t run = (uint32_t)(((uint64_t)(p >> 10) * 0x9e3779b97f4a7c15ull) >> 32);
    return run + (unsigned)((p >> 6) & 15);
}

static UT_hash_bucket *ll_bucket_of(struct ll_shard *s, unsigned hv)
{
    return &s->tbl.buckets[hv & (s->tbl.num_buckets - 1)];
}

/* Every record of shard s, bucket by bucket. */
#define LL_SHARD_EACH(s, r)                                                     \
    for (unsigned ll_b_ = 0; ll_b_ < ((s)->tbl.buckets ? (s)->tbl.num_buckets : 0); ll_b_++) \
        for (struct ll_rec *r = (s)->tbl.buckets[ll_b_].hh_head ?               \
                 ELMT_FROM_HH(&(s)->tbl, (s)->tbl.buckets[ll_b_].hh_head) : NULL; \
             r; r = r->hh.hh_next ? ELMT_FROM_HH(&(s)->tbl, r->hh.hh_next) : NULL)

/* The shard paths are every allocation's and free's once a thread's live
 * set outgrows its nursery (an interpreter's objects, a compiler's trees),
 * so the find and the add are inlined where they are used, and a removal
 * fills its caller's record directly: `churn 1 N 20000` under callgrind,
 * 886 instructions per operation before, 840 after; perl's hash workload
 * (its hash seed fixed), 4.84 billion before, 4.77 after. */
static inline __attribute__((always_inline))
struct ll_rec *ll_shard_find(struct ll_shard *s, uintptr_t p, unsigned hv)
{
    struct ll_rec *r;
    if (!s->tbl.buckets)
        return NULL;
    HASH_FIND_IN_BKT(&s->tbl, hh, *ll_bucket_of(s, hv), &p, sizeof(p), hv, r);
    return r;
}

#define LL_BUCKETS0_LOG2 5u             /* 32 buckets at the first add */

static int ll_shard_make(struct ll_shard *s)
{
    return ll_uthash_make(&s->tbl, LL_BUCKETS0_LOG2, offsetof(struct ll_rec, hh));
}

static struct ll_rec *ll_rec_get(struct ll_shard *s)
{
    return ll_uthash_rec_get((void **)&s->spare, sizeof(struct ll_rec),
                             offsetof(struct ll_rec, hh), LL_REC_BATCH);
}

static void ll_rec_put(struct ll_shard *s, struct ll_rec *r)
{
    ll_uthash_rec_put((void **)&s->spare, offsetof(struct ll_rec, hh), r);
}

/* uthash grows a table only when one bucket's chain reaches 10, which lets
 * the average chain reach several records, each a cache miss on lookup.  We
 * keep the load at most 1 record per bucket instead: at most 32 bytes of
 * buckets per record (about 16 on average).  At most 2 until 2026-11-28:
 * half the buckets and longer chains (`churn 1 4000000 20000` 15% slower,
 * perl's hash workload and a std::map program 5-6%; 10 bytes less per
 * block). */
static __attribute__((noinline)) void ll_shard_expand(UT_hash_table *t)
{
    ll_uthash_oom = 0;
    HASH_EXPAND_BUCKETS(hh, t, ll_uthash_oom);   /* (hh: unused) */
}

/* Every add asks; the check is in line, the expansion (rare) out of it. */
static inline void ll_shard_grow(struct ll_shard *s)
{
    UT_hash_table *t = &s->tbl;
    if (ll_unlikely(t->num_items > t->num_buckets))
        ll_shard_expand(t);
}

/* Caller holds s->lock.  *delta gets the change in live bytes. */
static inline __attribute__((always_inline))
int ll_shard_add(struct ll_shard *s, unsigned hv, const struct ll_block *b, int64_t *delta)
{
    struct ll_rec *r = ll_shard_find(s, b->ptr, hv);
    *delta = 0;
    int res = LL_INSERT_DUP;            /* an address we missed the free of */
    if (!r) {
        if ((!s->tbl.buckets && ll_shard_make(s)) || !(r = ll_rec_get(s)))
            return LL_INSERT_OOM;
        r->hh.tbl = &s->tbl;
        r->hh.key = (const void *)b->ptr;
        r->hh.keylen = sizeof(b->ptr);
        r->hh.hashv = hv;
        HASH_ADD_TO_BKT(*ll_bucket_of(s, hv), hh, &r->hh, ll_uthash_oom);
        s->tbl.num_items++;
        ll_shard_grow(s);
        res = LL_INSERT_OK;
        ll_rec_set_size(r, 0);
    }
    *delta = (int64_t)b->size - (int64_t)ll_rec_size(r);
    ll_rec_set_size(r, b->size);
    r->stack = b->stack;
    r->fn = b->fn;
    r->align_log2 = b->align_log2;
    return res;
}

/* A block of a thread without a nursery (exiting, or out of memory): a
 * shard takes it.  Out of line (ll.h inlines the nursery path). */
int ll_table_insert_far(uintptr_t p, size_t size, unsigned align_log2, unsigned fn,
                        uint32_t stack)
{
    struct ll_block b = { .ptr = p, .size = size, .stack = stack,
                          .fn = (uint8_t)fn, .align_log2 = (uint8_t)align_log2 };
    unsigned hv = ll_bucket_hash(p);
    struct ll_shard *s = ll_shard_of(p);
    int64_t delta;
    ll_lock_counted(&s->lock);
    int res = ll_shard_add(s, hv, &b, &delta);
    s->allocs++;
    s->bytes += size;
    if (res == LL_INSERT_OOM)
        s->dropped++;
    ll_unlock_counted(&s->lock);
    if (delta)
        ll_live_add(delta);
    return res;
}

/* A block leaving a nursery: already counted, live bytes unchanged. */
void ll_table_insert_shard(const struct ll_block *b)
{
    unsigned hv = ll_bucket_hash(b->ptr);
    struct ll_shard *s = ll_shard_of(b->ptr);
    int64_t delta;
    ll_lock_counted(&s->lock);
    if (ll_shard_add(s, hv, b, &delta) == LL_INSERT_OOM)
        s->dropped++;
    ll_unlock_counted(&s->lock);
}

void ll_table_restore(const struct ll_block *b)
{
    unsigned hv = ll_bucket_hash(b->ptr);
    struct ll_shard *s = ll_shard_of(b->ptr);
    int64_t delta;
    ll_lock_counted(&s->lock);
    int res = ll_shard_add(s, hv, b, &delta);
    s->frees--;                         /* undo the count of the removal */
    if (res == LL_INSERT_OOM)
        s->dropped++;
    ll_unlock_counted(&s->lock);
    if (delta)
        ll_live_add(delta);
}

static void ll_rec_copy(const struct ll_rec *r, struct ll_block *out)
{
    out->ptr = ll_rec_ptr(r);
    out->size = ll_rec_size(r);
    out->stack = r->stack;
    out->fn = r->fn;
    out->align_log2 = r->align_log2;
    out->kind = 0;
    out->flags = 0;
}

/* A recent free into s's ring (s locked). */
static inline void ll_shard_q_push(struct ll_shard *s, const struct ll_freed *f)
{
    ll_shard_q[s - ll_shards][s->qpos++ % LL_QUARANTINE] = *f;
}

/* Takes p's record from its shard, if there.  In line in the far removal,
 * whose common case it is. */
static inline __attribute__((always_inline))
int ll_shard_remove(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    unsigned hv = ll_bucket_hash(p);
    struct ll_shard *s = ll_shard_of(p);
    ll_lock_counted(&s->lock);
    struct ll_rec *r = ll_shard_find(s, p, hv);
    if (!r) {
        ll_unlock_counted(&s->lock);
        return 0;
    }
    HASH_DEL_IN_BKT(*ll_bucket_of(s, hv), &r->hh);
    s->tbl.num_items--;
    s->frees++;
    if (out)
        ll_rec_copy(r, out);
    if (free_pc)
        ll_shard_q_push(s, &(struct ll_freed){ .ptr = p, .size = ll_rec_size(r),
                                               .free_pc = free_pc, .alloc_stack = r->stack,
                                               .fn = r->fn });
    ll_rec_put(s, r);
    ll_unlock_counted(&s->lock);
    return 1;
}

/* The rest of a far removal, out of line: other threads' young blocks,
 * then the shards once more. */
static __attribute__((noinline))
int ll_table_remove_rest(uintptr_t p, uintptr_t free_pc, struct ll_block *b)
{
    return ll_nursery_take_any(p, free_pc, b) || ll_shard_remove(p, free_pc, b);
}

/* Not among this thread's young blocks: the shards, then
 * other threads' young blocks (a block handed to another thread early), then
 * the shards once more: the block's owner may have moved it from its nursery
 * to a shard after we looked there.  Blocks only ever move that way, so a
 * live block is found by the last look at the latest. */
int ll_table_remove_far(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    struct ll_block tmp, *b = out ? out : &tmp;
    if (ll_likely(ll_shard_remove(p, free_pc, b)) || ll_table_remove_rest(p, free_pc, b)) {
        ll_live_add(-(int64_t)b->size);
        return 1;
    }
    return 0;
}

int ll_table_lookup(uintptr_t p, struct ll_block *out)
{
    unsigned hv = ll_bucket_hash(p);
    struct ll_shard *s = ll_shard_of(p);
    ll_lock_counted(&s->lock);
    struct ll_rec *r = ll_shard_find(s, p, hv);
    if (r && out)
        ll_rec_copy(r, out);
    ll_unlock_counted(&s->lock);
    return r != NULL || ll_nursery_lookup(p, out);
}

int ll_quarantine_find(uintptr_t p, struct ll_freed *out)
{
    struct ll_shard *s = ll_shard_of(p);
    int found = 0;
    ll_lock_counted(&s->lock);
    for (unsigned i = 0; i < LL_QUARANTINE && !found; i++) {
        /* newest first, so a reused-then-refreed address names its last life */
        const struct ll_freed *q =
            &ll_shard_q[s - ll_shards][(s->qpos - 1 - i) % LL_QUARANTINE];
        if (q->ptr == p && q->free_pc) {
            *out = *q;
            found = 1;
        }
    }
    ll_unlock_counted(&s->lock);
    return found || ll_nursery_quarantine_find(p, out);
}

/* A recent free of a thread that is ending (its nursery's): its shard's
 * ring takes it, so that a second free after the thread is gone is still
 * told as one. */
void ll_quarantine_put(const struct ll_freed *f)
{
    struct ll_shard *s = ll_shard_of(f->ptr);
    ll_lock_counted(&s->lock);
    ll_shard_q_push(s, f);
    ll_unlock_counted(&s->lock);
}

/* Linear: only the error path (a free into the middle of a block) uses it. */
int ll_table_find_containing(uintptr_t p, struct ll_block *out)
{
    int found = 0;
    for (unsigned i = 0; i < LL_SHARDS && !found; i++) {
        struct ll_shard *s = &ll_shards[i];
        ll_lock_counted(&s->lock);
        LL_SHARD_EACH(s, r)
            if (!found && p > ll_rec_ptr(r) && p - ll_rec_ptr(r) < ll_rec_size(r)) {
                ll_rec_copy(r, out);
                found = 1;
            }
        ll_unlock_counted(&s->lock);
    }
    return found || ll_nursery_find_containing(p, out);
}

/* Lock order: nursery registry, each nursery, then the shards. */
void ll_table_lock_all(void)
{
    ll_nursery_lock_all();
    for (unsigned i = 0; i < LL_SHARDS; i++)
        ll_lock_counted(&ll_shards[i].lock);
}

void ll_table_unlock_all(void)
{
    for (unsigned i = LL_SHARDS; i-- > 0;)
        ll_unlock_counted(&ll_shards[i].lock);
    ll_nursery_unlock_all();
}

void ll_table_reset_locks(void)
{
    for (unsigned i = 0; i < LL_SHARDS; i++)
        ll_lock_reset(&ll_shards[i].lock);
    ll_nursery_fork_child();
}

struct ll_snap { struct ll_block *v; size_t k; uint64_t bytes; };

static void ll_snap_add(const struct ll_block *b, void *arg)
{
    struct ll_snap *sn = arg;
    sn->bytes += b->size;
    if (sn->v) {
        sn->v[sn->k] = *b;
        sn->v[sn->k].kind = sn->v[sn->k].flags = 0;
    }
    sn->k++;
}

struct ll_block *ll_table_snapshot(size_t *count, uint64_t *bytes)
{
    ll_table_lock_all();
    size_t n = ll_nursery_count();
    for (unsigned i = 0; i < LL_SHARDS; i++)
        n += ll_shards[i].tbl.num_items;
    struct ll_block *v = ll_pages_alloc((n + 1) * sizeof(*v));
    struct ll_snap sn = { v, 0, 0 };
    ll_nursery_each(ll_snap_add, &sn);
    for (unsigned i = 0; i < LL_SHARDS; i++)
        LL_SHARD_EACH(&ll_shards[i], r) {
            if (v)
                ll_rec_copy(r, &v[sn.k]);
            sn.k++;
            sn.bytes += ll_rec_size(r);
        }
    *count = sn.k;
    if (bytes)
        *bytes = sn.bytes;
    return v;
}

void ll_table_totals(struct ll_totals *t)
{
    memset(t, 0, sizeof(*t));
    ll_live_publish();
    for (unsigned i = 0; i < LL_SHARDS; i++) {
        const struct ll_shard *s = &ll_shards[i];
        t->allocations += s->allocs;
        t->frees += s->frees;
        t->bytes_allocated += s->bytes;
        t->dropped += s->dropped;
    }
    ll_nursery_totals(t);
    t->live_bytes = (uint64_t)atomic_load(&ll_live);
    t->peak_live_bytes = (uint64_t)atomic_load(&ll_peak);
    if ((int64_t)t->live_bytes > (int64_t)t->peak_live_bytes)
        t->peak_live_bytes = t->live_bytes;
}

