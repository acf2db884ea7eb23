/* freelist.c - freed blocks kept from the allocator for a while (option
 * freelist=MiB, for the whole process), as Valgrind's --freelist-vol keeps
 * them.
 *
 * glibc gives a freed chunk to the next malloc of its size at once.  A
 * pointer the program left dangling to the freed block then points to the
 * new block, which reads still reachable when the program loses it; under
 * Valgrind, whose allocator keeps freed memory out of use, it reads
 * definitely lost (zip 3.0 keeps its list's tail so).  With a freelist each
 * thread keeps the blocks it freed, newest last, in a ring of its own (no
 * lock), and while the process keeps more than the volume asked for (one
 * shared count), lets its own oldest go - the block just freed last of all,
 * so the volume holds however many threads there are.  realloc always
 * moves the block, as Valgrind's does.
 *
 * A kept block is no one's: not reported, and not scanned - one of glibc's
 * mmapped chunks (128 KiB and more) stays mapped while kept, and the scan
 * would take it for the program's own memory, its stale pointers for roots
 * (troff's freed hash table held 2,060 lost blocks "reachable").  So the
 * rings are listed (mem.c memory, not TLS: a fork child keeps the other
 * threads' rings, their blocks still kept) and the scan skips what they
 * hold (ll_fl_skip).  Off by default: it costs memory, a new block no
 * longer comes warm from the cache, and glibc's per-thread cache, never
 * refilled by a free, no longer spares the program's malloc its arena's
 * lock: a program whose signal handler allocates (hostile_sigalloc) can
 * deadlock there, where the cache let it pass natively. */
#include "ll.h"
#include "reach.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#define LL_FL_SLOTS 65536u      /* per thread: 1 MiB of mem.c, touched as used */

/* A kept block: what its free knew of it (for a second free's report, as
 * the recent frees keep it) and its size to the allocator. */
struct ll_fl_ent { struct ll_freed f; size_t size; };
struct ll_fl {
    struct ll_fl *next, *prev;          /* the list, under ll_fl_reg */
    unsigned head, n;                   /* the owner alone changes these */
    size_t bytes;
    struct ll_fl_ent ring[LL_FL_SLOTS];
};

size_t ll_fl_limit;
void (*ll_free_tracked)(void *);
static LL_TLS struct ll_fl *ll_fl_mine;
static LL_TLS struct ll_freed ll_fl_last;   /* the free on its way here (ll_fl_note) */
static struct ll_fl *ll_fl_head;
static ll_lock_t ll_fl_reg;             /* inner: a thread holding it is not stopped */
static atomic_size_t ll_fl_total;       /* bytes kept by every thread */

void ll_fl_init(void)
{
    ll_fl_limit = (size_t)ll_opt.freelist << 20;
    if (ll_fl_limit && !ll_real.malloc_usable_size) {  /* a block's size: none */
        ll_msg("freelist=%d: the allocator has no malloc_usable_size(), so no freed "
               "block is kept", ll_opt.freelist);
        ll_fl_limit = 0;
    }
    ll_free_tracked = ll_fl_limit ? ll_fl_put : ll_real.free;
}

static void ll_fl_real_free(void *p)
{
    ll_in_real++;
    ll_real.free(p);
    ll_in_real--;
}

/* This thread's ring, made and listed on its first free; NULL without
 * memory.  The thread's end is asked to be seen (a thread that only frees
 * has no nursery to ask it), so that its blocks go back then. */
static struct ll_fl *ll_fl_get(void)
{
    struct ll_fl *f = ll_fl_mine;
    if (ll_likely(f) || !(f = ll_mem_alloc(sizeof(*f))))
        return f;
    (void)ll_thread_register();
    ll_lock_inner(&ll_fl_reg);
    f->next = ll_fl_head;
    if (ll_fl_head)
        ll_fl_head->prev = f;
    ll_fl_head = f;
    ll_unlock_inner(&ll_fl_reg);
    return ll_fl_mine = f;
}

/* The entry k places back from the ring's head: 1 the newest, f->n the
 * oldest, 0 the slot the next one goes to. */
static inline struct ll_fl_ent *ll_fl_back(struct ll_fl *f, unsigned k)
{
    return &f->ring[(f->head - k) % LL_FL_SLOTS];
}

/* Let the oldest go. */
static void ll_fl_pop(struct ll_fl *f)
{
    struct ll_fl_ent *e = ll_fl_back(f, f->n);
    f->n--;
    f->bytes -= e->size;
    atomic_fetch_sub_explicit(&ll_fl_total, e->size, memory_order_relaxed);
    ll_fl_real_free((void *)e->f.ptr);
}

/* Let the oldest go until the process keeps less than the volume by a
 * sixteenth (and the ring is less full by as much), so that they go in
 * batches, with every signal blocked but a fault's.  A block let go now
 * was freed by the program earlier, maybe by a signal handler, and this
 * free runs where the program frees nothing natively: a handler that
 * allocates from glibc meanwhile would find glibc inside itself, holding
 * the lock of the block's bin.  The block just freed, alone, goes at once,
 * as it would natively, with no mask. */
static void ll_fl_trim_to(struct ll_fl *f, size_t total, size_t want, unsigned want_n)
{
    if (f->n == 1) {
        ll_fl_pop(f);
        return;
    }
    sigset_t all, old;
    ll_sigset_but_faults(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    while (f->n && (total > want || f->n > want_n)) {
        total -= ll_fl_back(f, f->n)->size;
        ll_fl_pop(f);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void ll_fl_trim(struct ll_fl *f, size_t total)
{
    ll_fl_trim_to(f, total, ll_fl_limit - ll_fl_limit / 16, LL_FL_SLOTS - LL_FL_SLOTS / 16);
}

/* p's record is gone: keep it instead of freeing it (under the guard, so
 * that a signal handler's free meets no half-updated ring). */
void ll_fl_put(void *p)
{
    ll_guard++;
    struct ll_fl *f;
    size_t size = ll_real.malloc_usable_size(p);
    if (size > ll_fl_limit || !(f = ll_fl_get())) {
        ll_fl_real_free(p);
    } else {
        struct ll_freed q;
        if (ll_fl_last.ptr == (uintptr_t)p)
            q = ll_fl_last;
        else if (!ll_nursery_newest_freed((uintptr_t)p, &q))
            q = (struct ll_freed){ .ptr = (uintptr_t)p };   /* free_pc 0: nothing known */
        *ll_fl_back(f, 0) = (struct ll_fl_ent){ q, size };
        f->head++;
        f->n++;
        f->bytes += size;
        size_t total = atomic_fetch_add_explicit(&ll_fl_total, size,
                                                 memory_order_relaxed) + size;
        if (total > ll_fl_limit || f->n == LL_FL_SLOTS)
            ll_fl_trim(f, total);
    }
    ll_fl_last.ptr = 0;
    ll_guard--;
}

/* realloc of a tracked block, its record removed: always a new block (NULL
 * and p kept if there is no room), the old one kept.  realloc(p, 0) frees
 * p, as glibc's does. */
void *ll_fl_realloc(void *p, size_t n)
{
    if (!n) {
        ll_fl_put(p);
        return NULL;
    }
    void *q = LL_REAL(ll_real.malloc(n));
    if (q) {
        size_t old = ll_real.malloc_usable_size(p);
        memcpy(q, p, old < n ? old : n);
        ll_fl_put(p);
    } else {
        ll_fl_last.ptr = 0;             /* p stays the program's */
    }
    return q;
}

/* What every ring keeps, for the scan to skip (the other threads stopped;
 * one left running may change its ring meanwhile: a block it lets go then
 * is skipped all the same, one it keeps then is not). */
int ll_fl_skip(struct ll_ranges *skip)
{
    int err = 0;
    ll_lock_inner(&ll_fl_reg);
    for (struct ll_fl *f = ll_fl_head; f && !err; f = f->next)
        for (unsigned i = f->n; i > 0 && !err; i--) {
            const struct ll_fl_ent *e = ll_fl_back(f, i);
            err = ll_ranges_add(skip, e->f.ptr, e->f.ptr + e->size);
        }
    ll_unlock_inner(&ll_fl_reg);
    return err;
}

/* The free of a tracked block that is about to reach ll_fl_put, as its
 * caller knew it (the record's copy and the free's caller): the common
 * free's is read from the thread's recent frees instead. */
void ll_fl_note(const struct ll_freed *f)
{
    ll_fl_last = *f;
}

/* p among the kept blocks, newest first: a second free of a block that is
 * surely one freed (its address not given out since).  Error path: every
 * ring is searched, under the list's lock; an entry whose free was not
 * known (free_pc 0) does not count. */
int ll_fl_find(uintptr_t p, struct ll_freed *out)
{
    int found = 0;
    if (!ll_fl_limit)
        return 0;
    ll_lock_inner(&ll_fl_reg);
    for (struct ll_fl *f = ll_fl_head; f && !found; f = f->next)
        for (unsigned i = 1; i <= f->n && !found; i++) {
            const struct ll_fl_ent *e = ll_fl_back(f, i);
            if (e->f.ptr == p && e->f.free_pc) {
                *out = e->f;
                found = 1;
            }
        }
    ll_unlock_inner(&ll_fl_reg);
    return found;
}

/* How many blocks this thread keeps, and their bytes; *total: the
 * process's. */
unsigned ll_fl_kept(size_t *bytes, size_t *total)
{
    struct ll_fl *f = ll_fl_mine;
    *bytes = f ? f->bytes : 0;
    if (total)
        *total = atomic_load(&ll_fl_total);
    return f ? f->n : 0;
}

void ll_fl_fork_prepare(void) { ll_lock_inner(&ll_fl_reg); }
void ll_fl_fork_parent(void) { ll_unlock_inner(&ll_fl_reg); }

/* In a fork child the other threads are gone, and what they kept stays
 * out of use for good (their rings stay listed, for the scan): only this
 * thread's counts against the volume. */
void ll_fl_fork_child(void)
{
    ll_lock_reset(&ll_fl_reg);
    atomic_store(&ll_fl_total, ll_fl_mine ? ll_fl_mine->bytes : 0);
}

/* The thread ends: what it kept goes back to the allocator. */
void ll_fl_thread_exit(void)
{
    struct ll_fl *f = ll_fl_mine;
    if (!f)
        return;
    if (f->n)
        ll_fl_trim_to(f, f->bytes, 0, 0);
    ll_lock_inner(&ll_fl_reg);
    if (f->prev)
        f->prev->next = f->next;
    else
        ll_fl_head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    ll_unlock_inner(&ll_fl_reg);
    ll_fl_mine = NULL;
    ll_mem_free(f, sizeof(*f));
}
