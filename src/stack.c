/* stack.c - call stacks: capture, and a table that stores each distinct
 * stack once.  A record holds a 32-bit stack id; ids index a two-level
 * directory, so a stack is found from its id without a lock.
 *
 * Lookup order: a per-thread cache of recent stacks (no lock, no shared
 * cache line), then the uthash shard for the stack's hash (locked). */
#include "ll_uthash.h"

#include <string.h>

#define LL_SSHARD_BITS 4
#define LL_SSHARDS (1u << LL_SSHARD_BITS)
#define LL_DIR_BITS 14                  /* ids per directory page */
#define LL_DIR_PAGES 4096               /* up to 64M distinct stacks */
#define LL_TCACHE 8192                  /* per-thread recent stacks, at first */
#define LL_TCACHE_WAYS 4                /* a set is one 64-byte line */
/* A thread whose stacks outnumber its cache (a recursion that allocates at
 * every level: each path from the root is a stack of its own) misses it
 * on most lookups and pays the shared table's cache misses for each.
 * Judged every LL_TC_JUDGE lookups: when more than a quarter missed, the
 * cache grows fourfold, up to LL_TCACHE_MAX entries (2 MiB), while all
 * the grown ones take no more than LL_TC_BUDGET in all.  (Binary trees of
 * depth 20, tests/bench/tree.c, 131,071 stacks: 4.23 s with 8,192 entries,
 * 3.61 s with 32,768, 3.08 s with 131,072; native 0.39 s.  cc1 on big.c,
 * 65,536 entries: 2% less CPU time, within the noise.) */
#define LL_TCACHE_MAX (128u << 10)
#define LL_TC_JUDGE 65536u
#define LL_TC_BUDGET ((size_t)64 << 20)
static atomic_size_t ll_tc_grown;       /* bytes of caches above LL_TCACHE entries */

/* The key is the epoch and the frames (epoch right before pcs): the same
 * frames captured before and after a library was loaded where a closed one
 * was are two stacks, named after different objects (modules.c). */
struct ll_stk {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t depth;
    uintptr_t epoch;
    uintptr_t pcs[];
};

struct ll_sshard {
    ll_lock_t lock;
    struct ll_stk *head;
} __attribute__((aligned(64)));

static struct ll_sshard ll_sshards[LL_SSHARDS];
static struct ll_stk **_Atomic ll_dir[LL_DIR_PAGES];
static ll_lock_t ll_dir_lock;
static atomic_uint ll_next_id = 1;      /* 0 is LL_STACK_NONE */

/* The per-thread cache trusts a 64-bit hash of the frames: comparing the
 * frames themselves meant reading the stack's record through the
 * directory, two or three cache misses on a hit in a program with
 * thousands of stacks (cc1).  Two distinct stacks share a hash with odds of
 * about 2^-63 per pair; the shared table, behind it, compares frames. */
struct ll_tcache_ent { uint64_t hash; uint32_t id, pad; };

static size_t ll_tc_bytes(uint32_t sets)
{
    return (size_t)sets * LL_TCACHE_WAYS * sizeof(struct ll_tcache_ent);
}

#define ll_ts (ll_hot.ts)                /* ll.h: one TLS variable */
static LL_TLS int ll_ts_tried;

/* The caches of threads that ended, kept for the next threads: given back
 * to mem.c, their pages went back to the OS, and a new thread faulted them
 * in again (a program that starts a thread per task).  The stack cache and
 * the callers' stay as they are (a stack's id never changes); the walks
 * are forgotten, their replay reading stack words where the old thread's
 * stack was, which the new one's need not cover. */
static struct ll_keep ll_ts_kept = LL_KEEP_INIT(8);

static __attribute__((noinline)) struct ll_tstate *ll_ts_make(void)
{
    ll_ts_tried = 1;
    struct ll_tstate *t = ll_keep_take(&ll_ts_kept);
    if (t) {
        for (unsigned i = 0; i < LL_MEMOS; i++)
            for (unsigned w = 0; w < LL_MEMO_WAYS; w++)
                t->memo[i][w].ra = 0;   /* never matches */
        return ll_ts = t;
    }
    t = ll_mem_alloc(sizeof(*t));       /* zeroed: ra 0 never matches */
    if (t)
        t->tsets = LL_TCACHE / LL_TCACHE_WAYS;
    if (t && !(t->tcache = ll_mem_alloc(ll_tc_bytes(t->tsets)))) {
        ll_mem_free(t, sizeof(*t));
        t = NULL;
    }
    if (t)
        t->gen = atomic_load_explicit(&ll_unmap_gen, memory_order_acquire);
    return ll_ts = t;
}

/* Code was unmapped since t's walks were made: their frames may have come
 * from rules of code that is gone, so forget them (the stack cache maps
 * frames to ids, which stay right). */
static __attribute__((noinline, cold)) void ll_ts_renew(struct ll_tstate *t, unsigned gen)
{
    memset(t->memo, 0, sizeof(t->memo));
    memset(t->victim, 0, sizeof(t->victim));
    memset(t->caller, 0, sizeof(t->caller));
    t->gen = gen;
}

static inline struct ll_tstate *ll_ts_get(void)
{
    if (ll_likely(ll_ts != NULL) || ll_ts_tried)
        return ll_ts;
    return ll_ts_make();
}

void ll_stack_thread_exit(void)
{
    struct ll_tstate *t = ll_ts;
    ll_ts = NULL;
    if (t && !ll_keep_put(&ll_ts_kept, t)) {
        if (t->tsets > LL_TCACHE / LL_TCACHE_WAYS)
            atomic_fetch_sub(&ll_tc_grown, ll_tc_bytes(t->tsets));
        ll_mem_free(t->tcache, ll_tc_bytes(t->tsets));
        ll_mem_free(t, sizeof(*t));
    }
}

/* One multiply per frame (each step is a bijection of the state, so two
 * stacks that differ in one frame never collide); the high half, where
 * every frame's bits have mixed, is folded down once at the end. */
static uint64_t ll_pcs_hash(const uintptr_t *pcs, unsigned n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ pcs[i]) * 0xff51afd7ed558ccdull;
    return (h ^ h >> 29) | 1;           /* 0 marks an empty cache slot */
}

static struct ll_stk *ll_stk_of(uint32_t id)
{
    if ((id >> LL_DIR_BITS) >= LL_DIR_PAGES)
        return NULL;
    struct ll_stk **page = atomic_load_explicit(&ll_dir[id >> LL_DIR_BITS],
                                                memory_order_acquire);
    return page ? page[id & ((1u << LL_DIR_BITS) - 1)] : NULL;
}

/* Publish s under a fresh id; the directory page is created on demand. */
static int ll_dir_publish(struct ll_stk *s)
{
    uint32_t id = atomic_fetch_add(&ll_next_id, 1);
    uint32_t pg = id >> LL_DIR_BITS;
    if (pg >= LL_DIR_PAGES)
        return -1;
    struct ll_stk **page = atomic_load_explicit(&ll_dir[pg], memory_order_acquire);
    if (!page) {
        ll_lock_counted(&ll_dir_lock);
        page = atomic_load(&ll_dir[pg]);
        if (!page) {
            page = ll_pages_alloc(sizeof(*page) << LL_DIR_BITS);
            atomic_store_explicit(&ll_dir[pg], page, memory_order_release);
        }
        ll_unlock_counted(&ll_dir_lock);
        if (!page)
            return -1;
    }
    s->id = id;
    __atomic_store_n(&page[id & ((1u << LL_DIR_BITS) - 1)], s, __ATOMIC_RELEASE);
    return 0;
}

/* As in table.c: at most 2 stacks per bucket (uthash alone lets chains
 * grow to 10 before it doubles, and every probe compares whole stacks). */
static void ll_sshard_grow(struct ll_sshard *sh)
{
    UT_hash_table *t = sh->head->hh.tbl;
    t->noexpand = 1;
    if (t->num_items <= 2 * t->num_buckets)
        return;
    ll_uthash_oom = 0;
    HASH_EXPAND_BUCKETS(&sh->head->hh, t, ll_uthash_oom);
}

static uint32_t ll_stack_find_or_add(const uintptr_t *pcs, unsigned n, unsigned epoch,
                                     uint32_t h, int *fresh)
{
    struct ll_sshard *sh = &ll_sshards[h >> (32 - LL_SSHARD_BITS)];
    struct ll_stk *s;
    uintptr_t key[LL_MAX_DEPTH + 1];
    size_t len = n * sizeof(*pcs);
    key[0] = epoch;
    memcpy(key + 1, pcs, len);
    ll_lock_counted(&sh->lock);
    HASH_FIND_BYHASHVALUE(hh, sh->head, key, len + sizeof(*key), h, s);
    if (!s && (s = ll_mem_alloc(sizeof(*s) + len))) {
        s->depth = n;
        s->epoch = epoch;
        memcpy(s->pcs, pcs, len);
        if (ll_dir_publish(s) != 0) {
            ll_mem_free(s, sizeof(*s) + len);
            s = NULL;
        } else {
            /* If uthash cannot grow, s stays published but unindexed: a
             * later capture of the same stack just gets another id. */
            HASH_ADD_BYHASHVALUE(hh, sh->head, epoch, len + sizeof(s->epoch), h, s);
            ll_sshard_grow(sh);
            *fresh = 1;
        }
    }
    ll_unlock_counted(&sh->lock);
    return s ? s->id : LL_STACK_NONE;
}

/* Each set of the per-thread cache is kept newest first: e goes to the
 * front, and the entries before way w move back one (the last one out).
 * Four ways: compiling a C file, cc1's 7,400 stacks missed this cache on
 * 21% of its million lookups with one way and on 4% with four, and each
 * miss takes a shard's lock and walks its bucket. */
static void ll_tcache_put(struct ll_tcache_ent *set, unsigned w, struct ll_tcache_ent e)
{
    for (; w > 0; w--)
        set[w] = set[w - 1];
    set[0] = e;
}

static uint32_t ll_tcache_find(struct ll_tcache_ent *set, uint64_t h)
{
    for (unsigned w = 0; w < LL_TCACHE_WAYS; w++)
        if (set[w].hash == h) {         /* never 0: stored ids are not either */
            struct ll_tcache_ent e = set[w];
            ll_tcache_put(set, w, e);
            return e.id;
        }
    return 0;
}

/* LL_TC_JUDGE lookups of t's cache have passed: more than a quarter
 * missed, and it grows if it may (emptied: the stacks it held are found
 * again in the shared table). */
static __attribute__((noinline)) void ll_tcache_judge(struct ll_tstate *t)
{
    uint32_t sets = t->tsets, grown = 4 * sets;
    size_t was = ll_tc_bytes(sets), now = ll_tc_bytes(grown);
    int more = t->tmisses > t->tlookups / 4 && grown * LL_TCACHE_WAYS <= LL_TCACHE_MAX;
    t->tlookups = t->tmisses = 0;
    if (!more)
        return;
    size_t add = sets == LL_TCACHE / LL_TCACHE_WAYS ? now : now - was;
    if (atomic_fetch_add(&ll_tc_grown, add) + add > LL_TC_BUDGET) {
        atomic_fetch_sub(&ll_tc_grown, add);
        return;
    }
    struct ll_tcache_ent *e = ll_mem_alloc(now);
    if (!e) {
        atomic_fetch_sub(&ll_tc_grown, add);
        return;
    }
    ll_mem_free(t->tcache, was);
    t->tcache = e;
    t->tsets = grown;
}

uint32_t ll_stack_intern(const uintptr_t *pcs, unsigned n)
{
    if (n > LL_MAX_DEPTH)
        n = LL_MAX_DEPTH;
    unsigned epoch = ll_modules_sync(pcs, n);
    uint64_t h64 = ll_pcs_hash(pcs, n) ^ (uint64_t)epoch << 33;  /* bit 0 stays 1 */
    uint32_t h = (uint32_t)(h64 ^ h64 >> 32);
    struct ll_tstate *t = ll_ts_get();
    struct ll_tcache_ent *set = NULL;
    if (t) {
        if (ll_unlikely(++t->tlookups == LL_TC_JUDGE))
            ll_tcache_judge(t);
        set = &t->tcache[(h & (t->tsets - 1)) * LL_TCACHE_WAYS];
        uint32_t id = ll_tcache_find(set, h64);
        if (id)
            return id;
        t->tmisses++;
    }
    int fresh = 0;
    uint32_t id = ll_stack_find_or_add(pcs, n, epoch, h, &fresh);
    if (set && id != LL_STACK_NONE)
        ll_tcache_put(set, LL_TCACHE_WAYS - 1, (struct ll_tcache_ent){ h64, id, 0 });
    /* Outside the shard lock: it may take the loader's.  A stack found to
     * belong to a newer epoch is interned again there (once: the list is
     * then up to date). */
    if (fresh && ll_modules_note(pcs, n, epoch))
        return ll_stack_intern(pcs, n);
    return id;
}

uint32_t ll_stack_capture(void)
{
    uintptr_t pcs[LL_MAX_DEPTH];
    unsigned n = ll_unwind(pcs, (unsigned)ll_opt.depth);
    return ll_stack_intern(pcs, n);
}

/* A walk from the frame (ra, sp, bp) describe, noted in m, and its stack's id. */
static uint32_t ll_stack_walk(uintptr_t ra, uintptr_t sp, uintptr_t bp, unsigned depth,
                              struct ll_uw_memo *m)
{
    uintptr_t pcs[LL_MAX_DEPTH];
    return ll_stack_intern(pcs, ll_unwind_memo(pcs, depth, ra, sp, bp, m));
}

/* The paths of a capture that walk, out of line: the common capture, in
 * line in the hooks (ll.h's ll_stack_capture_in), calls them on a miss. */
static __attribute__((noinline)) uint32_t ll_capture_bare(uintptr_t ra, uintptr_t sp,
                                                          uintptr_t bp, unsigned depth)
{
    struct ll_uw_memo scratch;
    return ll_stack_walk(ra, sp, bp, depth, &scratch);
}

__attribute__((noinline)) uint32_t ll_capture_caller(struct ll_tstate *t, uintptr_t ra,
                                                     uintptr_t sp, uintptr_t bp, unsigned i)
{
    struct ll_uw_memo scratch;
    uint32_t id = ll_stack_walk(ra, sp, bp, 1, &scratch);
    t->caller[i].ra = ra;
    t->caller[i].id = id;
    return id;
}

__attribute__((noinline)) uint32_t ll_capture_memo(struct ll_tstate *t, uintptr_t ra,
                                                   uintptr_t sp, uintptr_t bp,
                                                   unsigned depth, unsigned set)
{
    struct ll_uw_memo *m = &t->memo[set][t->victim[set]++ % LL_MEMO_WAYS];
    uint32_t id = ll_stack_walk(ra, sp, bp, depth, m);
    m->id = id;
    if (id == LL_STACK_NONE)
        m->depth = 0;                   /* never replayed: ll_unwind_replay */
    return id;
}

/* The capture when the thread's caches are missing or stale (ll.h's
 * ll_stack_capture_at is the common case, in line). */
uint32_t ll_stack_capture_from(uintptr_t ra, uintptr_t sp, uintptr_t bp)
{
    unsigned depth = (unsigned)ll_opt.depth;
    struct ll_tstate *t = ll_ts_get();
    if (ll_unlikely(!t))
        return ll_capture_bare(ra, sp, bp, depth);
    unsigned gen = atomic_load_explicit(&ll_unmap_gen, memory_order_acquire);
    if (ll_unlikely(t->gen != gen))
        ll_ts_renew(t, gen);
    return ll_stack_capture_in(t, ra, sp, bp);
}

unsigned ll_stack_get(uint32_t id, const uintptr_t **pcs)
{
    struct ll_stk *s = id ? ll_stk_of(id) : NULL;
    if (!s) {
        *pcs = NULL;
        return 0;
    }
    *pcs = s->pcs;
    return s->depth;
}

unsigned ll_stack_epoch(uint32_t id)
{
    struct ll_stk *s = id ? ll_stk_of(id) : NULL;
    return s ? (unsigned)s->epoch : 0;
}

size_t ll_stack_count(void) { return atomic_load(&ll_next_id) - 1; }

void ll_stack_fork_prepare(void)
{
    for (unsigned i = 0; i < LL_SSHARDS; i++)
        ll_lock_counted(&ll_sshards[i].lock);
    ll_lock_counted(&ll_dir_lock);
    ll_lock_counted(&ll_ts_kept.lock);
}

void ll_stack_fork_parent(void)
{
    ll_unlock_counted(&ll_ts_kept.lock);
    ll_unlock_counted(&ll_dir_lock);
    for (unsigned i = LL_SSHARDS; i-- > 0;)
        ll_unlock_counted(&ll_sshards[i].lock);
}

void ll_stack_fork_child(void)
{
    ll_lock_reset(&ll_ts_kept.lock);
    ll_lock_reset(&ll_dir_lock);
    for (unsigned i = 0; i < LL_SSHARDS; i++)
        ll_lock_reset(&ll_sshards[i].lock);
}
