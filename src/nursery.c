/* nursery.c - a per-thread front for the table of live blocks.
 *
 * Most blocks die young, freed soon by the thread that made them.  Each
 * thread keeps its young blocks in a nursery of its own, and a block moves
 * to the sharded uthash table only when the nursery is full (LL_NURSERY
 * live blocks): then a clock hand moves one out.  A young block's
 * malloc/free pair touches no shared cache line and no uthash bucket, and a
 * new block takes the slot freed last, still in cache.  The nursery holds
 * the window of a typical allocation pattern (up to 7680 young blocks per
 * thread), so it is indexed: an open-addressing table of 32-bit entries,
 * slot + 1 in the low half and 16 bits of the address's hash in the high
 * half, so a probe rarely touches the slots and a deletion (backward
 * shift) never does.  (A table of 16-byte entries holding the blocks
 * themselves, one cache line per probe and no slots, measured slower:
 * 615 instructions per churn operation against 586 at depth=1, and 6-16%
 * more CPU time on churn.)  The newest block waits outside the index (last)
 * until the next one comes: if it dies first, as a temporary buffer does,
 * it never enters.  The index uses its first 4096 entries until 1920 slots
 * are taken, then all 16384 (ll_ny_grow).  (Up to 1920 slots in all, a
 * thread with a few thousand live blocks sent most of them through the
 * nursery and the table both: `churn 1 4000000 5000`, CPU time, minimum
 * of 5 alternating runs, 0.71 s against 0.35 s now.)
 *
 * The nursery is allocated from mem.c on the thread's first allocation
 * (247 KiB: static TLS would take that from every thread's stack, even
 * those that never allocate; mem.c pages are not roots for the leak scan,
 * and they come zeroed without being touched, so a thread's RSS grows only
 * with the slots and the part of the index it uses).  Slots at or above
 * `filled` were never used.
 *
 * A nursery pays only while blocks die in it.  When its thread's blocks
 * outlive it (a large live set: an interpreter's objects, a compiler's
 * trees, a big random-replacement window), every add moves an older block
 * on to the table, and the index work is lost: then (half of LL_WIN adds
 * moved one out: ll_ny_judge) it empties into the table and is bypassed for
 * LL_BYPASS allocations, new blocks going to the table as a thread without
 * a nursery's do, then tried again.  (`churn 1 N 20000` under callgrind:
 * 921 instructions per operation against 1097; perl's hash workload: 10%
 * fewer added; a window that fits, `churn 1`: unchanged, 613.)  Each trial
 * that fails doubles the next bypass, up to LL_BYPASS_MAX: a trial fills
 * the nursery, moves a window's worth out and empties it into the table, a
 * few percent of a program's allocations if it recurs every 65536 of them.
 * (Added instructions, callgrind: perl's hash workload, its hash seed fixed,
 * 2.45 billion against 2.36 with the doubling, `churn 1 N 20000` 900 per
 * operation against 886.)  A block another thread frees (ll_ny_ask_take)
 * moved out too, and weighs as many as there are nurseries, each of which
 * its free searched: a thread whose blocks die in other threads (a
 * producer, a pipeline's stage) is bypassed after a few of them, and their
 * frees then find its blocks in the table at once.  (tests/bench/ring.c:
 * T threads each freeing the blocks the one before made, 3.2 million
 * blocks, wall time, medians of 3 alternating runs, before / after /
 * native: T = 2 1.69 / 0.45 / 0.23 s; T = 32 2.92 / 0.25 / 0.04 s;
 * T = 128 14.0 / 0.26 / 0.05 s.)
 *
 * Other threads may look in (a free of a block made by this thread, the
 * exit report, fork), under the nursery's lock; its owner enters without
 * an atomic instruction while no other thread does.  It sets busy and then
 * reads shared; another thread takes the lock, sets shared, makes every
 * running thread execute a barrier (barrier.c) and waits for busy to
 * clear: either the owner saw shared, and takes the lock too, or the other
 * sees busy.  The nursery stays shared, its owner taking the lock, until
 * 65536 of the owner's entries have passed with no visit.  (The xchg
 * an uncontended lock costs was a sixth of a malloc/free loop's CPU time
 * under libleak: `pairs`, 15 alternating runs, minimum 1.24 s against
 * 1.03 s, median 1.50 s against 1.26 s.)
 * Lock order: registry, nursery, shard. */
#include "ll.h"
#include "nursery.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* One block of mem.c's largest class (1 MiB, a run of chunks): a nursery
 * never needs a mapping of its own, which the leak scan would have to be
 * told of.  Its pages are touched as it fills (ll_ny_grow). */
_Static_assert(sizeof(struct ll_nursery) <= (1u << 20), "nursery above mem.c's largest class");

atomic_uint ll_held_pending;

/* interpose.c's, which does them; a unit test links no interpose.c, and
 * its threads hold no frees back. */
__attribute__((weak)) void ll_held_settle(void)
{
}

static struct ll_nursery *ll_ny_head;
static ll_lock_t ll_ny_reg;
static unsigned ll_ny_linked;           /* nurseries on the list */

/* Nurseries of threads that ended, kept for the next threads (ll.h's
 * ll_keep; a thread per task, tests/bench/threads.c: 1.32 s against
 * 0.51 s natively, 0.57 s kept).  A kept one is empty (ll_ny_spill_all)
 * but for its counters and recent frees, which ll_ny_new clears. */
static struct ll_keep ll_ny_kept = LL_KEEP_INIT(8);
static uint64_t ll_ny_gone_allocs, ll_ny_gone_frees, ll_ny_gone_bytes;

/* The calling thread has a nursery (ll_ny), in use or bypassed. */
static inline int ll_ny_has(void)
{
    return ll_ny_state == LL_NY_LIVE || ll_ny_state == LL_NY_BYPASS;
}

int ll_nursery_bypassed(void)
{
    return ll_ny_state == LL_NY_BYPASS;
}

/* The held lists of threads without a nursery (one that only frees: a
 * consumer), which no nursery points to: each such thread takes a slot
 * when it first holds a free, from a signal handler (so a slot is claimed
 * by compare-and-swap, nothing else), and gives it back as it ends.  A
 * slot left by a thread that ended by a raw exit system call points into
 * TLS that is gone (unreadable, skipped) or is a later thread's, laid out
 * alike (its list, read twice at worst).  With every slot taken, a further
 * thread's held frees go unseen by the report, as they all did before. */
#define LL_HELD_LISTS 1024
static const struct ll_held_list *_Atomic ll_held_lists[LL_HELD_LISTS];
static LL_TLS unsigned ll_held_slot;    /* slot + 1; 0: none */

void ll_held_register(void)
{
    if (ll_held_slot || ll_ny_has())
        return;
    for (unsigned i = 0; i < LL_HELD_LISTS; i++) {
        const struct ll_held_list *none = NULL;
        if (atomic_compare_exchange_strong(&ll_held_lists[i], &none, &ll_held)) {
            ll_held_slot = i + 1;
            return;
        }
    }
}

/* The thread ends with nothing held (ll_held_settle ran). */
static void ll_held_unregister(void)
{
    if (ll_held_slot && !ll_held.n) {
        atomic_store(&ll_held_lists[ll_held_slot - 1], NULL);
        ll_held_slot = 0;
    }
}

/* 16 hash bits; the top LL_NIDX_BITS of them, masked to the index in use,
 * are the home position. */
static inline uint32_t ll_ny_hash(uintptr_t p)
{
    return (uint32_t)(((uint64_t)p * 0x9e3779b97f4a7c15ull) >> 48);
}
static inline unsigned ll_ny_home(uint32_t h16, unsigned mask)
{
    return h16 >> (16 - LL_NIDX_BITS) & mask;
}

/* Threads announce themselves once, so that their exit is seen (a pthread
 * key destructor; setting one of the first 32 keys needs no allocation). */
static pthread_key_t ll_exit_key;
static int ll_exit_key_ok;

static void ll_thread_exit(void *arg)
{
    (void)arg;
    ll_held_settle();
    ll_held_unregister();
    ll_guard++;
    ll_nursery_thread_exit();
    ll_table_thread_exit();
    ll_stack_thread_exit();
    ll_altstack_take_back();
    ll_fl_thread_exit();
    ll_guard--;
}

void ll_nursery_init(void)
{
    ll_barrier_init();
    ll_exit_key_ok = pthread_key_create(&ll_exit_key, ll_thread_exit) == 0;
}

int ll_thread_register(void)
{
    return ll_exit_key_ok && (pthread_getspecific(ll_exit_key) ||
                              pthread_setspecific(ll_exit_key, (void *)1) == 0);
}

/* glibc keeps a thread's start argument in its record of the thread for
 * the thread's life, so a block passed there stays reachable (Valgrind
 * says so) even when the thread kept no pointer of its own; libleak's
 * start took its place there.  The key's value holds it instead: in the
 * TCB, read by the leak check as glibc's record is. */
int ll_thread_register_arg(void *arg)
{
    return ll_exit_key_ok && pthread_setspecific(ll_exit_key, arg ? arg : (void *)1) == 0;
}

static void ll_ny_link(struct ll_nursery *y)
{
    ll_lock_counted(&ll_ny_reg);
    y->next = ll_ny_head;
    y->prev = NULL;
    if (ll_ny_head)
        ll_ny_head->prev = y;
    ll_ny_head = y;
    ll_ny_linked++;
    ll_unlock_counted(&ll_ny_reg);
}

static void ll_ny_spill_all(struct ll_nursery *y)
{
    if (y->last.ptr) {
        ll_table_insert_shard(&y->last);
        y->last.ptr = 0;
    }
    for (unsigned i = 0; i < y->filled; i++)
        if (y->ent[i].ptr) {
            ll_table_insert_shard(&y->ent[i]);
            y->ent[i].ptr = 0;
        }
    memset(y->idx, 0, (y->mask + 1) * sizeof(y->idx[0]));
    y->n = y->filled = y->free_slot = y->hand = 0;
}

/* The calling thread is exiting: its blocks go to the table and its
 * nursery leaves the registry, then goes back to mem.c. */
void ll_nursery_thread_exit(void)
{
    struct ll_nursery *y = ll_ny;
    if (!ll_ny_has())
        return;
    ll_ny_state = LL_NY_GONE;
    ll_lock_counted(&ll_ny_reg);
    ll_lock_counted(&y->lock);
    ll_ny_spill_all(y);
    for (unsigned i = 0; i < LL_NQUARANTINE; i++) {     /* oldest first */
        const struct ll_freed *f = &y->quarantine[(y->qpos + i) % LL_NQUARANTINE];
        if (f->ptr && f->free_pc)
            ll_quarantine_put(f);
    }
    if (y->prev)
        y->prev->next = y->next;
    else
        ll_ny_head = y->next;
    if (y->next)
        y->next->prev = y->prev;
    ll_ny_linked--;
    ll_ny_gone_allocs += y->allocs;
    ll_ny_gone_frees += y->frees;
    ll_ny_gone_bytes += y->bytes;
    ll_unlock_counted(&y->lock);
    ll_unlock_counted(&ll_ny_reg);
    ll_ny = NULL;
    if (!ll_keep_put(&ll_ny_kept, y))
        ll_mem_free(y, sizeof(*y));
}

/* A nursery for a new thread: a kept one made as new (its index and slots
 * are empty already: every slot is above filled once that is 0), or one
 * from mem.c, zeroed. */
static struct ll_nursery *ll_ny_new(void)
{
    struct ll_nursery *y = ll_keep_take(&ll_ny_kept);
    if (!y)
        return ll_mem_alloc(sizeof(*y));
    memset(y, 0, offsetof(struct ll_nursery, idx));
    memset(y->quarantine, 0, sizeof(y->quarantine));
    return y;
}

/* p's index position if it is there (*found = 1), else the empty
 * position where it would go (h is p's ll_ny_hash). */
static inline __attribute__((always_inline))
unsigned ll_ny_probe(const struct ll_nursery *y, uintptr_t p, uint32_t h, int *found)
{
    const unsigned mask = y->mask;
    unsigned j = ll_ny_home(h, mask);
    for (uint32_t e; (e = y->idx[j]); j = (j + 1) & mask)
        if (e >> 16 == h && y->ent[(e & 0xffff) - 1].ptr == p) {
            *found = 1;
            return j;
        }
    *found = 0;
    return j;
}

/* Index position of p, or -1. */
static inline __attribute__((always_inline))
int ll_ny_pos(const struct ll_nursery *y, uintptr_t p)
{
    int found;
    unsigned j = ll_ny_probe(y, p, ll_ny_hash(p), &found);
    return found ? (int)j : -1;
}

/* p's block in y, the newest or an indexed one; NULL if not there. */
static const struct ll_block *ll_ny_find(const struct ll_nursery *y, uintptr_t p)
{
    if (!p)
        return NULL;
    if (y->last.ptr == p)
        return &y->last;
    int j = y->n ? ll_ny_pos(y, p) : -1;
    return j < 0 ? NULL : &y->ent[(y->idx[j] & 0xffff) - 1];
}

/* Empty index position j, moving later entries of its cluster back so
 * that every entry stays reachable from its home (no tombstones). */
static inline __attribute__((always_inline))
void ll_ny_unindex(struct ll_nursery *y, unsigned j)
{
    const unsigned mask = y->mask;
    y->idx[j] = 0;
    for (unsigned k = (j + 1) & mask;; k = (k + 1) & mask) {
        uint32_t e = y->idx[k];
        if (!e)
            return;
        unsigned home = ll_ny_home(e >> 16, mask);
        if (((k - home) & mask) >= ((k - j) & mask)) {
            y->idx[j] = e;
            y->idx[k] = 0;
            j = k;
        }
    }
}

/* A block left y other than by its owner's free (y held): the first opens
 * a window of judgement (ll_ny_judge). */
static inline void ll_ny_moved_out(struct ll_nursery *y, unsigned weight)
{
    if (!y->win_evicts)
        y->win_allocs = y->allocs;
    y->win_evicts += weight;
}

/* The window of judgement has closed, or enough moved out in it that its
 * end cannot change the verdict (ll_ny_judge). */
static inline int ll_ny_judge_due(const struct ll_nursery *y)
{
    return ll_unlikely(y->win_evicts) &&
           (y->allocs - y->win_allocs >= LL_WIN || y->win_evicts >= LL_WIN / 2);
}

/* The owner (only it sets its thread's state) bypasses y once a judgement
 * emptied it: its own, or another thread's (ll_ny_ask_take), which it
 * learns at its next entry by the lock (ll_ny_enter_shared); y's blocks
 * are in the table already. */
static inline void ll_ny_bypass_if_emptied(struct ll_nursery *y)
{
    if (ll_unlikely(y->emptied)) {
        y->emptied = 0;
        ll_ny_state = LL_NY_BYPASS;
    }
}

/* The nursery is full: move the block under the hand to the table (while
 * we hold the nursery, so it is never missing in between); its slot is
 * returned.  Out of line, like every rare path of the hooks. */
static __attribute__((noinline)) unsigned ll_ny_evict(struct ll_nursery *y)
{
    unsigned i = y->hand;
    y->hand = i + 1 == LL_NURSERY ? 0 : i + 1;
    ll_ny_moved_out(y, 1);
    ll_ny_unindex(y, (unsigned)ll_ny_pos(y, y->ent[i].ptr));
    ll_table_insert_shard(&y->ent[i]);
    return i;
}

/* 1 if this thread's nursery is entered or locked, most likely by this
 * thread itself (another one that looks in holds it briefly). */
int ll_nursery_held(void)
{
    return ll_ny_has() &&
           (atomic_load(&ll_ny->busy) != 0 || atomic_load(&ll_ny->lock.v) != 0);
}

/* The owner's way in while y is shared: the lock.  After ll_ny_unshare
 * such entries with no visit meanwhile, y is unshared (the next visitor
 * shares it again). */
static unsigned ll_ny_unshare = 65536;

void ll_nursery_set_unshare(unsigned entries)
{
    ll_ny_unshare = entries ? entries : 1;
}

__attribute__((noinline)) void ll_ny_enter_shared(struct ll_nursery *y)
{
    atomic_store_explicit(&y->busy, 0, memory_order_release);
    ll_lock(&y->lock);
    if (++y->owner_entries >= ll_ny_unshare) {
        if (y->visits == y->visits_seen && atomic_load(&ll_barrier_ok))
            atomic_store_explicit(&y->shared, 0, memory_order_relaxed);
        y->visits_seen = y->visits;
        y->owner_entries = 0;
    }
    ll_ny_bypass_if_emptied(y);
}

/* Another thread's nursery, locked and shared (the caller's own: locked);
 * 1 if it was not shared yet, and the caller must make the barrier and
 * wait (ll_ny_wait_owner) before it looks in. */
static int ll_ny_lock_one(struct ll_nursery *y)
{
    ll_lock_counted(&y->lock);
    if (y == ll_ny)                     /* not in its fast path: this is it */
        return 0;
    y->visits++;
    if (atomic_load_explicit(&y->shared, memory_order_relaxed))
        return 0;
    atomic_store(&y->shared, 1);
    return 1;
}

static void ll_ny_wait_owner(struct ll_nursery *y)
{
    for (unsigned n = 0; atomic_load_explicit(&y->busy, memory_order_acquire); n++)
        ll_backoff(n);
}

static void ll_ny_lock_other(struct ll_nursery *y)
{
    if (ll_ny_lock_one(y)) {
        ll_barrier_all();
        ll_ny_wait_owner(y);
    }
}

/* The calling thread's nursery, made on its first allocation; NULL if it
 * has none (exiting, or out of memory), and the caller uses the table. */
static struct ll_nursery *ll_ny_mine(void)
{
    if (ll_likely(ll_ny_state == LL_NY_LIVE))
        return ll_ny;
    if (ll_ny_state == LL_NY_GONE || !ll_thread_register())
        return NULL;
    struct ll_nursery *y = ll_ny_new();
    if (!y)
        return NULL;
    y->held = &ll_held;
    y->mask = LL_NIDX_SMALL - 1;
    atomic_store(&y->shared, !atomic_load(&ll_barrier_ok));
    ll_ny = y;
    ll_ny_state = LL_NY_LIVE;
    ll_ny_link(y);
    if (atomic_load(&ll_state) == LL_READY)
        ll_altstack_give();         /* before: ll_abnormal_init gives the main thread's */
    return y;
}

/* Take the slot freed last (y->free_slot non-zero) for a block to index. */
static inline unsigned ll_ny_pop_free(struct ll_nursery *y)
{
    unsigned i = y->free_slot - 1;
    y->free_slot = (unsigned)y->ent[i].size;    /* free slots form a list */
    y->n++;
    return i;
}

/* The index grows fourfold when its slots are all taken (LL_NY_SLOTS),
 * twice at most in a thread's life: 4,096 entries for 1,920 slots, 16,384
 * for 7,680, 65,536 for 30,720 (LL_NIDX, LL_NURSERY); every indexed slot is
 * indexed again.  A thread touches no more of the index and slots than its
 * young blocks need, so one with a few hundred live blocks (most threads of
 * a server with many) pays 16 KiB of index (500 threads of 200 blocks each:
 * 46 MB of RSS, 44 MB with 1920 slots at most, 68 MB with an index of
 * 16,384 from the start).  Up to 2026-11-28 the nursery stopped at 7,680
 * slots, and a thread with 12,000 or 20,000 young blocks freed at random
 * went through the table: `churn 1 4000000 12000` 0.64 s against 0.33 s
 * with 30,720 slots, at 20000 0.72 s against 0.46 s (medians of 3
 * alternating runs). */
static inline int ll_ny_grown(const struct ll_nursery *y)
{
    return y->mask == LL_NIDX - 1;
}

static __attribute__((noinline)) void ll_ny_grow(struct ll_nursery *y)
{
    memset(y->idx, 0, (y->mask + 1) * sizeof(y->idx[0]));
    y->mask = 4 * (y->mask + 1) - 1;
    for (unsigned i = 0; i < y->filled; i++) {
        uintptr_t p = y->ent[i].ptr;
        if (!p)
            continue;                   /* on the free list */
        uint32_t h = ll_ny_hash(p);
        int dup;
        y->idx[ll_ny_probe(y, p, h, &dup)] = h << 16 | (i + 1);
    }
}

/* Index b (not there yet) at a free slot; j is the empty index position
 * where its probe ended (h its hash). */
static void ll_ny_insert(struct ll_nursery *y, const struct ll_block *b, uint32_t h,
                         unsigned j)
{
    unsigned i;
    int dup;
    if (y->free_slot) {                 /* the slot freed last: still in cache */
        i = ll_ny_pop_free(y);
    } else if (y->filled < LL_NY_SLOTS(y->mask)) {
        i = y->filled++;
        y->n++;
    } else if (!ll_ny_grown(y)) {           /* the index in use is full */
        ll_ny_grow(y);
        i = y->filled++;
        y->n++;
        j = ll_ny_probe(y, b->ptr, h, &dup);    /* every entry moved */
    } else {                            /* full: the hand moves one block on */
        i = ll_ny_evict(y);
        j = ll_ny_probe(y, b->ptr, h, &dup);    /* the shift may have moved it */
    }
    y->ent[i] = *b;
    y->idx[j] = h << 16 | (i + 1);
}

/* Index the block that was the newest (every add checked that no other
 * block has its address). */
static void ll_ny_put(struct ll_nursery *y, const struct ll_block *b)
{
    uint32_t h = ll_ny_hash(b->ptr);
    int dup;
    ll_ny_insert(y, b, h, ll_ny_probe(y, b->ptr, h, &dup));
}

/* A window of LL_WIN adds since the first block moved out has closed, or
 * half of it moved out already (y held: by its owner after an add, or by
 * another thread that freed one of its blocks).  When half of them moved
 * one, new blocks outlive the nursery or die elsewhere, and the table
 * alone is cheaper: it empties into the table and is to be bypassed
 * (ll_ny_bypass_if_emptied).  (A block moved out
 * costs its nursery add, its index entry, the move and then the table's
 * work too; `churn 1 4000000 W`, CPU time, minimum of 5 alternating runs:
 * at W = 5000, with 1920 slots, 0.68 s judged at four in five against
 * 0.53 s at half; at W = 20000, with 7680 slots, 0.85 s against 0.74 s.) */
static __attribute__((noinline)) void ll_ny_judge(struct ll_nursery *y)
{
    if (2 * (uint64_t)y->win_evicts >= y->allocs - y->win_allocs) {
        ll_ny_spill_all(y);
        y->bypass = y->bypass_len ? y->bypass_len : LL_BYPASS;
        y->bypass_len = y->bypass < LL_BYPASS_MAX ? 2 * y->bypass : LL_BYPASS_MAX;
        y->emptied = 1;
    } else {
        y->bypass_len = 0;              /* a trial passed: counted afresh */
    }
    y->win_evicts = 0;
}

/* The owner's judgement, when due (y held by it). */
static inline void ll_ny_judge_mine(struct ll_nursery *y)
{
    if (ll_ny_judge_due(y)) {
        ll_ny_judge(y);
        ll_ny_bypass_if_emptied(y);
    }
}

/* The other cases of an add (ll_nursery_add), y entered by the caller.
 * Five arguments, so that the call is a jump (nursery.h: meta). */
static __attribute__((noinline))
int ll_ny_add_slow(struct ll_nursery *y, uintptr_t p, size_t size, uint32_t stack,
                   unsigned meta)
{
    const struct ll_block b = { .ptr = p, .size = size, .stack = stack,
                                .fn = (uint8_t)meta, .align_log2 = (uint8_t)(meta >> 8) };
    int64_t delta = (int64_t)size;
    int res = LL_INSERT_OK, dup = 0;
    uint32_t h = ll_ny_hash(p);
    unsigned j = y->n ? ll_ny_probe(y, p, h, &dup) : ll_ny_home(h, y->mask);
    if (ll_unlikely(dup)) {             /* p was indexed already */
        unsigned i = (y->idx[j] & 0xffff) - 1;
        delta -= (int64_t)y->ent[i].size;
        y->ent[i] = b;
        res = LL_INSERT_DUP;
    } else if (ll_unlikely(y->last.ptr == p)) {
        delta -= (int64_t)y->last.size;
        res = LL_INSERT_DUP;
        y->last = b;
    } else if (!y->last.ptr) {
        y->last = b;
    } else if (y->lifo > 0) {           /* the newest lived on: index it */
        y->lifo--;
        ll_ny_put(y, &y->last);
        y->last = b;
    } else {                            /* blocks die in no order: index b */
        if (y->lifo > -LL_LIFO_MAX)
            y->lifo--;
        ll_ny_insert(y, &b, h, j);
    }
    y->allocs++;
    y->bytes += size;
    ll_ny_judge_mine(y);
    ll_ny_leave(y, !!(meta & LL_NY_LOCKED));
    ll_live_note(delta);
    return res;
}

/* A thread's first add, or one with no nursery (exiting, or out of
 * memory); a bypassed one never comes here (ll_nursery_add_in). */
__attribute__((noinline))
int ll_ny_add_first(uintptr_t p, size_t size, uint32_t stack, unsigned fn,
                    unsigned align_log2)
{
    return ll_ny_mine() ? ll_nursery_add(p, size, stack, fn, align_log2) : -1;
}

/* An add that may probe the index (ll_nursery_add's other cases). */
__attribute__((noinline))
int ll_ny_add_indexed(struct ll_nursery *y, uintptr_t p, size_t size, uint32_t stack,
                      unsigned meta)
{
    int dup = 0;
    uint32_t h = ll_ny_hash(p);
    unsigned j = y->n ? ll_ny_probe(y, p, h, &dup) : ll_ny_home(h, y->mask);
    struct ll_block *to;
    if (ll_unlikely(dup))
        return ll_ny_add_slow(y, p, size, stack, meta);
    if (!y->last.ptr) {
        to = &y->last;
    } else if (y->lifo <= 0 && y->free_slot && y->last.ptr != p) {
        /* blocks die in no order: b goes into the index, at the slot
         * freed last (ll_ny_insert's common case) */
        unsigned i = ll_ny_pop_free(y);
        if (y->lifo > -LL_LIFO_MAX)
            y->lifo--;
        y->idx[j] = h << 16 | (i + 1);
        to = &y->ent[i];
    } else {
        return ll_ny_add_slow(y, p, size, stack, meta);
    }
    *to = (struct ll_block){ .ptr = p, .size = size, .stack = stack,
                             .fn = (uint8_t)meta, .align_log2 = (uint8_t)(meta >> 8) };
    y->allocs++;
    y->bytes += size;
    ll_ny_leave(y, !!(meta & LL_NY_LOCKED));
    ll_live_note((int64_t)size);
    return LL_INSERT_OK;
}

/* An add while y is shared: its owner takes the lock. */
__attribute__((noinline))
int ll_ny_add_shared(struct ll_nursery *y, uintptr_t p, size_t size, uint32_t stack,
                     unsigned meta)
{
    ll_ny_enter_shared(y);
    ll_ny_judge_mine(y);
    if (ll_ny_state == LL_NY_BYPASS) {  /* emptied: by us, or by another thread */
        ll_unlock(&y->lock);
        return ll_ny_add_bypass(y);
    }
    return ll_ny_add_indexed(y, p, size, stack, meta | LL_NY_LOCKED);
}

int ll_nursery_add(uintptr_t p, size_t size, uint32_t stack, unsigned fn,
                   unsigned align_log2)
{
    return ll_nursery_add_in(p, size, stack, fn, align_log2);
}

/* p's record in y (locked by the caller): the newest (*j = -1) or an
 * indexed one (*j its index position); NULL if p is not there. */
static inline __attribute__((always_inline))
struct ll_block *ll_ny_locate(struct ll_nursery *y, uintptr_t p, int *j)
{
    *j = -1;
    if (!p)                             /* empty places hold address 0 */
        return NULL;
    if (y->last.ptr == p)
        return &y->last;
    if (!y->n || (*j = ll_ny_pos(y, p)) < 0)
        return NULL;
    return &y->ent[(y->idx[*j] & 0xffff) - 1];
}

/* Drop the record ll_ny_locate found. */
static inline __attribute__((always_inline))
void ll_ny_drop(struct ll_nursery *y, struct ll_block *b, int j)
{
    if (j < 0) {                        /* b is &y->last */
        ll_ny_drop_newest(y);
        return;
    }
    b->ptr = 0;
    y->frees++;
    unsigned i = (unsigned)(b - y->ent);
    b->size = y->free_slot;             /* free slots form a list */
    y->free_slot = i + 1;
    ll_ny_unindex(y, (unsigned)j);
    y->n--;
}

/* Remove p from y (locked by the caller); 1 if it was there. */
static inline __attribute__((always_inline))
int ll_ny_take(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    int j;
    struct ll_block *b = ll_ny_locate(y, p, &j);
    if (!b)
        return 0;
    ll_ny_quarantine(y, b, free_pc, out);
    ll_ny_drop(y, b, j);
    return 1;
}

/* Remove p from this thread's nursery (realloc, and the frees that do
 * not take ll_nursery_free_own's path): entered as the owner, as an add
 * is, not by the lock: no locked instruction.  (grow, 11 alternating
 * runs, CPU time: minimum 0.64 s against 0.60 s, median 0.90 against 0.85.) */
int ll_nursery_take(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    struct ll_nursery *y = ll_ny;
    if (ll_ny_state != LL_NY_LIVE)      /* none, or bypassed: empty */
        return 0;
    struct ll_block tmp, *b = out ? out : &tmp;
    int locked = !ll_ny_enter_own(y);
    if (locked)
        ll_ny_enter_shared(y);
    int found = ll_ny_take(y, p, free_pc, b);
    ll_ny_leave(y, locked);
    if (found)
        ll_live_note_down(b->size);
    return found;
}

/* The common free: a young block of this thread, freed through the call
 * its allocator pairs with.  Nothing is copied out.  1: done; 0: p is not
 * in this thread's nursery; -1: this thread has none, or p's allocator was
 * of another family.  On 0 and -1 nothing changed. */
__attribute__((noinline))
int ll_ny_free_indexed(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc, unsigned dealloc,
                       int locked)
{
    int j, res = 1;
    struct ll_block *b = ll_ny_locate(y, p, &j);
    size_t size = 0;
    if (ll_unlikely(!b))
        res = 0;
    else if (ll_unlikely(!ll_fn_pairs(b->fn, dealloc)))
        res = -1;
    else {
        size = b->size;
        ll_ny_quarantine(y, b, free_pc, NULL);
        ll_ny_drop(y, b, j);
    }
    ll_ny_leave(y, locked);
    if (res > 0)
        ll_live_note_down(size);
    return res;
}

__attribute__((noinline))
int ll_ny_free_shared(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc, unsigned dealloc)
{
    ll_ny_enter_shared(y);
    return ll_ny_free_indexed(y, p, free_pc, dealloc, 1);
}

int ll_nursery_free_own(uintptr_t p, uintptr_t free_pc, unsigned dealloc)
{
    return ll_nursery_free_own_in(p, free_pc, dealloc);
}

/* Ask every thread's nursery in turn, each under its lock, until one
 * answers: the slow paths (a block freed by another thread, the error
 * reports) all search this way. */
struct ll_ny_query {
    uintptr_t p, free_pc;
    void *out;              /* struct ll_block or struct ll_freed */
    const struct ll_nursery *skip;  /* asked already (the caller's own) */
};

/* Every nursery locked and shared, with one barrier for all those that
 * were not shared (the registry held). */
static void ll_ny_lock_each(void)
{
    int barrier = 0;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        barrier |= ll_ny_lock_one(y);
    if (barrier)
        ll_barrier_all();
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        ll_ny_wait_owner(y);
}

static void ll_ny_unlock_each(void)
{
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        ll_unlock_counted(&y->lock);
}

/* Another thread's nursery is not shared (the registry held; a hint, read
 * without its lock). */
static int ll_ny_some_unshared(void)
{
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        if (y != ll_ny && !atomic_load_explicit(&y->shared, memory_order_relaxed))
            return 1;
    return 0;
}

/* While every nursery is shared (a program that frees other threads'
 * blocks often), one at a time; else all at once, so that the search makes
 * one barrier, not one per nursery it passes (a thread pool's first such
 * free after a quiet spell). */
static int ll_ny_search(int (*ask)(struct ll_nursery *, struct ll_ny_query *),
                        struct ll_ny_query *q)
{
    int found = 0;
    ll_lock_counted(&ll_ny_reg);
    if (ll_ny_some_unshared()) {
        ll_ny_lock_each();
        for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next)
            found = ask(y, q);
        ll_ny_unlock_each();
    } else {
        for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next) {
            if (y == q->skip)
                continue;
            ll_ny_lock_other(y);
            found = ask(y, q);
            ll_unlock_counted(&y->lock);
        }
    }
    ll_unlock_counted(&ll_ny_reg);
    return found;
}

/* A block another thread frees here weighs on its owner's judgement as
 * many evictions as there are nurseries: each such free searched them all
 * (ll_ny_search), while a bypassed nursery's blocks are found in the
 * table at once. */
static int ll_ny_ask_take(struct ll_nursery *y, struct ll_ny_query *q)
{
    if (!ll_ny_take(y, q->p, q->free_pc, q->out))
        return 0;
    if (y != ll_ny) {
        ll_ny_moved_out(y, ll_ny_linked);
        if (ll_ny_judge_due(y))
            ll_ny_judge(y);
    }
    return 1;
}

/* A block made by another thread and still young there (slow path: only
 * after the table did not know p).  The caller's own nursery was asked
 * first (ll_nursery_free_own, ll_nursery_take): it is not locked again
 * while the others are asked one at a time. */
int ll_nursery_take_any(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    struct ll_ny_query q = { p, free_pc, out, ll_ny_has() ? ll_ny : NULL };
    return ll_ny_search(ll_ny_ask_take, &q);
}

/* Visit every young block of every thread, with all nurseries locked
 * (ll_nursery_lock_all held). */
void ll_nursery_each(void (*fn)(const struct ll_block *, void *), void *arg)
{
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next) {
        if (y->last.ptr)
            fn(&y->last, arg);
        for (unsigned i = 0; i < y->filled; i++)
            if (y->ent[i].ptr)
                fn(&y->ent[i], arg);
    }
}

size_t ll_nursery_count(void)
{
    size_t n = 0;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        n += y->n + (y->last.ptr != 0);
    return n;
}

/* Error path: a pointer into the middle of a young block. */
static int ll_ny_contains(const struct ll_block *b, uintptr_t p)
{
    return b->ptr && p > b->ptr && p - b->ptr < b->size;
}

static int ll_ny_ask_containing(struct ll_nursery *y, struct ll_ny_query *q)
{
    const struct ll_block *b = ll_ny_contains(&y->last, q->p) ? &y->last : NULL;
    for (unsigned i = 0; i < y->filled && !b; i++)
        if (ll_ny_contains(&y->ent[i], q->p))
            b = &y->ent[i];
    if (b)
        *(struct ll_block *)q->out = *b;
    return b != NULL;
}

int ll_nursery_find_containing(uintptr_t p, struct ll_block *out)
{
    struct ll_ny_query q = { p, 0, out, NULL };
    return ll_ny_search(ll_ny_ask_containing, &q);
}

static int ll_ny_ask_lookup(struct ll_nursery *y, struct ll_ny_query *q)
{
    const struct ll_block *b = ll_ny_find(y, q->p);
    if (b && q->out)
        *(struct ll_block *)q->out = *b;
    return b != NULL;
}

int ll_nursery_lookup(uintptr_t p, struct ll_block *out)
{
    struct ll_ny_query q = { p, 0, out, NULL };
    return ll_ny_search(ll_ny_ask_lookup, &q);
}

/* Newest first, so a reused-then-refreed address names its last life. */
static int ll_ny_ask_quarantine(struct ll_nursery *y, struct ll_ny_query *q)
{
    for (unsigned i = 0; i < LL_NQUARANTINE; i++) {
        const struct ll_freed *f = &y->quarantine[(y->qpos - 1 - i) % LL_NQUARANTINE];
        if (f->ptr == q->p && f->free_pc) {
            *(struct ll_freed *)q->out = *f;
            return 1;
        }
    }
    return 0;
}

/* This thread's newest recent free, if it is p's (the free just done on
 * the common path, for freelist.c). */
int ll_nursery_newest_freed(uintptr_t p, struct ll_freed *out)
{
    struct ll_nursery *y = ll_ny;
    if (!ll_ny_has())
        return 0;
    ll_lock(&y->lock);
    *out = y->quarantine[(y->qpos - 1) % LL_NQUARANTINE];
    ll_unlock(&y->lock);
    return out->ptr == p && out->free_pc;
}

int ll_nursery_quarantine_find(uintptr_t p, struct ll_freed *out)
{
    struct ll_ny_query q = { p, 0, out, NULL };
    return ll_ny_search(ll_ny_ask_quarantine, &q);
}

void ll_nursery_totals(struct ll_totals *t)
{
    t->allocations += ll_ny_gone_allocs;
    t->frees += ll_ny_gone_frees;
    t->bytes_allocated += ll_ny_gone_bytes;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next) {
        t->allocations += y->allocs;
        t->frees += y->frees;
        t->bytes_allocated += y->bytes;
    }
}

/* Mark in v the blocks of one thread's held list, read at addr; the count
 * marked. */
static size_t ll_held_mark(int memfd, uintptr_t addr, struct ll_block *v, size_t n,
                           uint64_t *bytes)
{
    struct ll_held_list l;
    size_t gone = 0;
    if (ll_peek(memfd, addr, &l, sizeof l) != sizeof l)
        return 0;
    for (unsigned i = 0; i < LL_HELD && i < l.n; i++) {
        size_t at = ll_block_at(v, n, (uintptr_t)l.e[i].p);
        if (l.e[i].p && at < n && v[at].ptr == (uintptr_t)l.e[i].p && !v[at].flags) {
            *bytes -= v[at].size;
            v[at].flags = 1;                /* left out below */
            gone++;
        }
    }
    return gone;
}

/* Leave out of v (sorted by address, flags 0) the blocks that threads
 * still running had freed in a signal handler, held back (ll_held_settle
 * did those of the threads that ended, and this one's when it could).  A
 * list lives in its thread's TLS and is read through /proc/self/mem: a
 * thread that ended by a raw exit system call leaves its nursery here, its
 * TLS perhaps unmapped.  Nothing is read when no free is held anywhere
 * (ll_held_pending), nor without /proc. */
size_t ll_nursery_held_out(struct ll_block *v, size_t n, uint64_t *bytes)
{
    int memfd;
    size_t gone = 0;
    if (!atomic_load(&ll_held_pending) || (memfd = ll_proc_open("mem", O_RDONLY)) < 0)
        return n;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next) {
        size_t g = ll_held_mark(memfd, (uintptr_t)y->held, v, n, bytes);
        y->frees += g;
        gone += g;
    }
    for (unsigned i = 0; i < LL_HELD_LISTS; i++) {
        const struct ll_held_list *l = atomic_load(&ll_held_lists[i]);
        size_t g = l ? ll_held_mark(memfd, (uintptr_t)l, v, n, bytes) : 0;
        ll_ny_gone_frees += g;
        gone += g;
    }
    close(memfd);
    size_t k = 0;
    for (size_t i = 0; gone && i < n; i++)
        if (!v[i].flags)
            v[k++] = v[i];
    return n - gone;
}

/* One barrier for all the nurseries that were not shared. */
void ll_nursery_lock_all(void)
{
    ll_lock_counted(&ll_ny_reg);
    ll_ny_lock_each();
    ll_lock_counted(&ll_ny_kept.lock);  /* for fork: the kept list, whole */
}

void ll_nursery_unlock_all(void)
{
    ll_unlock_counted(&ll_ny_kept.lock);
    ll_ny_unlock_each();
    ll_unlock_counted(&ll_ny_reg);
}

/* In a fork child the other threads are gone; their blocks are still the
 * child's: move them to the table and drop those threads' nurseries. */
void ll_nursery_fork_child(void)
{
    ll_lock_reset(&ll_ny_reg);
    ll_lock_reset(&ll_ny_kept.lock);
    struct ll_nursery *y = ll_ny_head;
    ll_ny_head = NULL;
    ll_ny_linked = 0;
    while (y) {
        struct ll_nursery *next = y->next;
        ll_lock_reset(&y->lock);
        if (y == ll_ny) {
            y->next = ll_ny_head;
            y->prev = NULL;
            ll_ny_head = y;
            ll_ny_linked = 1;
        } else {        /* its memory stays: mem.c's locks may not be reset yet */
            ll_ny_spill_all(y);
            ll_ny_gone_allocs += y->allocs;
            ll_ny_gone_frees += y->frees;
            ll_ny_gone_bytes += y->bytes;
        }
        y = next;
    }
}
