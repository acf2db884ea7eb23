/* nursery.h - the per-thread nursery's layout and its common paths, in
 * line in the allocation and free hooks (interpose.c): a malloc/free pair
 * of a young block then makes no call into nursery.c.  (Callgrind, per
 * operation: pairs 406 -> 379, churn 1 591 -> 575, deep 682 -> 657.)
 * nursery.c has the rest. */
#ifndef LL_NURSERY_H
#define LL_NURSERY_H

#include "ll.h"

#define LL_NURSERY 30720                /* slots (all fits mem.c's 1 MiB class) */
#define LL_NIDX_BITS 16
#define LL_NIDX (1u << LL_NIDX_BITS)    /* index entries: load <= 0.47 */
#define LL_NIDX_SMALL 4096              /* entries used at first: 16 KiB */
/* Slots an index of mask + 1 entries may hold: 1920, 7680, 30720. */
#define LL_NY_SLOTS(mask) (((mask) + 1) / 32 * 15)
#define LL_NQUARANTINE 64               /* recent frees kept per thread */
#define LL_LIFO_MAX 8                   /* how long a pattern is remembered */
#define LL_WIN 4096                     /* allocations judged at a time, when full */
#define LL_BYPASS 65536                 /* allocations sent past, then a new trial, */
#define LL_BYPASS_MAX (1u << 20)        /* ... twice as many after each failed one */

struct ll_nursery {
    ll_lock_t lock;                     /* others', and the owner's while shared */
    atomic_uint busy;                   /* the owner is in, by this flag alone */
    atomic_uint shared;                 /* others look in: the owner locks too */
    unsigned visits, visits_seen, owner_entries;
    unsigned n, filled, qpos;
    unsigned free_slot;                 /* last freed slot + 1, 0: none */
    unsigned mask;                      /* index entries in use - 1 */
    unsigned hand;                      /* next to move out when full */
    struct ll_nursery *next, *prev;
    uint64_t allocs, frees, bytes;
    struct ll_block last;               /* the newest block, not indexed; ptr 0: none */
    int lifo;                           /* > 0: newest blocks often die first */
    unsigned bypass;                    /* allocations left to send past it */
    unsigned bypass_len;                /* the next bypass's; 0: LL_BYPASS */
    unsigned emptied;                   /* judged to be bypassed (ll_ny_judge) */
    unsigned win_evicts;                /* blocks moved out since win_allocs */
    uint64_t win_allocs;
    const struct ll_held_list *held;    /* the owner's held frees, in its TLS */
    uint32_t idx[LL_NIDX];
    struct ll_freed quarantine[LL_NQUARANTINE];
    struct ll_block ent[LL_NURSERY];
};

/* BYPASS: the thread has a nursery, empty, and its blocks go to the table
 * (ll_ny_add_bypass). */
enum { LL_NY_NEW, LL_NY_LIVE, LL_NY_GONE, LL_NY_BYPASS };
#define ll_ny (ll_hot.ny)                /* ll.h: one TLS variable */
#define ll_ny_state (ll_hot.ny_state)

/* The owner's way in: a plain store and a plain load (the compiler keeps
 * their order; the CPU may not, which ll_ny_lock_other's barrier settles).
 * 1 if it is in; 0 if y is shared, and it must take the lock
 * (ll_ny_enter_shared). */
static inline __attribute__((always_inline)) int ll_ny_enter_own(struct ll_nursery *y)
{
    atomic_store_explicit(&y->busy, 1, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    return !atomic_load_explicit(&y->shared, memory_order_relaxed);
}

static inline __attribute__((always_inline)) void ll_ny_leave(struct ll_nursery *y, int locked)
{
    if (ll_likely(!locked))
        atomic_store_explicit(&y->busy, 0, memory_order_release);
    else
        ll_unlock(&y->lock);
}

/* A block leaving: copied out, and noted among the recent frees. */
static inline void ll_ny_quarantine(struct ll_nursery *y, const struct ll_block *b,
                                    uintptr_t free_pc, struct ll_block *out)
{
    if (out)
        *out = *b;
    if (free_pc)
        y->quarantine[y->qpos++ % LL_NQUARANTINE] = (struct ll_freed){
            .ptr = b->ptr, .size = b->size, .free_pc = free_pc,
            .alloc_stack = b->stack, .fn = b->fn };
}

/* The newest block's record dropped (ll_ny_drop's case of it): its place
 * empties, and the pattern of newest-first frees counts one more. */
static inline __attribute__((always_inline)) void ll_ny_drop_newest(struct ll_nursery *y)
{
    y->last.ptr = 0;
    y->frees++;
    if (y->lifo < LL_LIFO_MAX)          /* no store once it is there */
        y->lifo++;
}

/* A bypassed nursery: the table takes the block (-1), and after
 * LL_BYPASS of them (or more: ll_ny_judge) the nursery is tried again.  In
 * line, so that a bypassed thread's allocation makes no call here (callgrind,
 * `churn 1 N 80000` at depth=1: 739 to 713 instructions per operation). */
static inline int ll_ny_add_bypass(struct ll_nursery *y)
{
    if (!--y->bypass)
        ll_ny_state = LL_NY_LIVE;
    return -1;
}

/* The out-of-line cases (nursery.c).  meta is fn, align_log2 << 8 and
 * LL_NY_LOCKED (y was entered by its lock: ll_ny_leave). */
#define LL_NY_LOCKED (1u << 16)
void ll_ny_enter_shared(struct ll_nursery *y);
int ll_ny_add_first(uintptr_t p, size_t size, uint32_t stack, unsigned fn,
                    unsigned align_log2);
int ll_ny_add_indexed(struct ll_nursery *y, uintptr_t p, size_t size, uint32_t stack,
                      unsigned meta);
int ll_ny_add_shared(struct ll_nursery *y, uintptr_t p, size_t size, uint32_t stack,
                     unsigned meta);
int ll_ny_free_indexed(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc, unsigned dealloc,
                       int locked);
int ll_ny_free_shared(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc, unsigned dealloc);

/* Keep a block in this thread's nursery: LL_INSERT_OK, or LL_INSERT_DUP
 * when the address was already there (a free we never saw); -1 if this
 * thread has none, and the caller uses the table.
 *
 * The newest block is held apart (last), not indexed: many blocks die
 * before the next is born (a buffer used and freed, a realloc), and their
 * free then needs no hash, no probe and no index update.  While that pays
 * (lifo > 0: frees of the held block outnumber the blocks that outlived
 * it), the held block is indexed when the next one comes; while blocks die
 * in no order, a new block goes straight into the index, with the probe
 * its duplicate check made, and the held place is left as it is.  The
 * commonest case, nothing young but the new block (a plain malloc/free
 * loop), is done here, in line in the allocation hooks (interpose.c); an
 * empty held place or a free slot in ll_ny_add_indexed; the others in
 * ll_ny_add_slow. */
static inline __attribute__((always_inline))
int ll_nursery_add_in(uintptr_t p, size_t size, uint32_t stack, unsigned fn,
                      unsigned align_log2)
{
    struct ll_nursery *y = ll_ny;
    if (ll_unlikely(ll_ny_state != LL_NY_LIVE))
        return ll_ny_state == LL_NY_BYPASS ? ll_ny_add_bypass(y)
                                           : ll_ny_add_first(p, size, stack, fn, align_log2);
    unsigned meta = fn | align_log2 << 8;
    if (ll_unlikely(!ll_ny_enter_own(y)))
        return ll_ny_add_shared(y, p, size, stack, meta);
    if (ll_likely(!y->n && !y->last.ptr)) {     /* nothing young: no index to ask */
        y->last = (struct ll_block){ .ptr = p, .size = size, .stack = stack,
                                     .fn = (uint8_t)fn, .align_log2 = (uint8_t)align_log2 };
        y->allocs++;
        y->bytes += size;
        ll_ny_leave(y, 0);
        return ll_live_note_then((int64_t)size, LL_INSERT_OK);
    }
    return ll_ny_add_indexed(y, p, size, stack, meta);
}

/* The common free: the newest block's is done here, in line in the free
 * hooks; the others, which probe and shift the index, and every free while
 * y is shared, out of line.  1: done; 0: p is not in this thread's
 * nursery; -1: this thread has none, or p's allocator was of another
 * family.  On 0 and -1 nothing changed. */
static inline __attribute__((always_inline))
int ll_nursery_free_own_in(uintptr_t p, uintptr_t free_pc, unsigned dealloc)
{
    struct ll_nursery *y = ll_ny;
    if (ll_unlikely(ll_ny_state != LL_NY_LIVE))
        return ll_ny_state == LL_NY_BYPASS ? 0 : -1;   /* bypassed: empty */
    if (ll_unlikely(!ll_ny_enter_own(y)))
        return ll_ny_free_shared(y, p, free_pc, dealloc);
    if (ll_likely(p && y->last.ptr == p && ll_fn_pairs(y->last.fn, dealloc))) {
        size_t size = y->last.size;
        ll_ny_quarantine(y, &y->last, free_pc, NULL);
        ll_ny_drop_newest(y);
        ll_ny_leave(y, 0);
        return ll_live_note_down_then(size, 1);
    }
    return ll_ny_free_indexed(y, p, free_pc, dealloc, 0);
}

#endif
