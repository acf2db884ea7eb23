/* ll.h - libleak's internal interfaces.
 *
 * Every internal non-static symbol carries the ll_ prefix and hidden
 * visibility (the whole library is built with -fvisibility=hidden; only the
 * allocator entry points in interpose.c are exported).  One concern per file:
 *
 *   interpose.c  exported entry points: guard, forward, record - no policy
 *   exits.c      _exit/_Exit, quick_exit, exit (one thread at a time)
 *   dlclose.c    dlclose: what is known about unmapped code is forgotten
 *   real.c       the next allocator's functions, resolved with dlsym
 *   bootstrap.c  static arena serving allocations made while resolving
 *   mem.c        internal mmap-backed allocator (records, stacks, uthash)
 *   nursery.c    each thread's youngest blocks, in front of the table
 *   freelist.c   freelist=MiB: freed blocks kept from the allocator a while
 *   table.c      live-block records in uthash shards, one lock per shard
 *   internal.c   blocks libleak's own callees got, kept out of the table
 *   stack.c      stack capture and the de-duplicating stack table
 *   unwind.c     the unwinder behind stack capture
 *   symbolize.c  address -> function, file:line, object (libdw, loaded late)
 *   demangle_rust*.c, snippet.c  Rust names (legacy, v0); source lines for the report
 *   reach.c      reachability scan and classification
 *   roots.c, exitroot.c, threads.c, tls.c   the roots it starts from
 *   report.c     grouping of leaks; report_{text,json,html,folded}.c format it
 *   sort.c       the report's sorts of every block (radix)
 *   suppress.c   suppression files (shared with the leakcheck wrapper)
 *   errors.c     bad frees
 *   signals.c    the report on a fatal signal
 *   started.c    started=PATH: the marker that pairs a process with its report
 *   out.c        non-allocating buffered writer and messages (utf8.h: the
 *                UTF-8 rule it shares with leakcheck)
 *   options.c    LIBLEAK_OPTIONS, one table
 *   fork.c       pthread_atfork handlers
 *   libleak.c    lazy initialisation, exit report, order of set-up
 */
#ifndef LL_H
#define LL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "suppress.h"         /* suppress.c: shared with the leakcheck wrapper */

#define LL_HIDDEN __attribute__((visibility("hidden")))
#define LL_EXPORT __attribute__((visibility("default")))
#define ll_likely(x) __builtin_expect(!!(x), 1)
#define ll_unlikely(x) __builtin_expect(!!(x), 0)
#define LL_TLS __thread __attribute__((tls_model("initial-exec")))

#define LL_VERSION "0.1.0"
#define LL_MAX_DEPTH 64

/* ---- lock.h-style spinlock: tiny, fork-resettable, no allocation ------- */
typedef struct { atomic_int v; } ll_lock_t;
#define LL_LOCK_INIT { 0 }
void ll_lock_slow(ll_lock_t *l);
/* The n-th round of waiting for another thread: pause, yield or sleep. */
void ll_backoff(unsigned n);
/* 1 if it took l, 0 if another holder has it. */
static inline int ll_trylock(ll_lock_t *l) {
    return !atomic_exchange_explicit(&l->v, 1, memory_order_acquire);
}
static inline void ll_lock(ll_lock_t *l) {
    if (ll_likely(ll_trylock(l)))
        return;
    ll_lock_slow(l);
}
static inline void ll_unlock(ll_lock_t *l) {
    atomic_store_explicit(&l->v, 0, memory_order_release);
}
static inline void ll_lock_reset(ll_lock_t *l) { atomic_store(&l->v, 0); }
/* Every lock but a thread's own nursery's (its fast paths): the locks a
 * thread holds are counted, so that a stack overflow inside libleak can
 * tell whether its tables are whole (signals.c). */
extern __thread __attribute__((tls_model("initial-exec"))) int ll_locks_held;
static inline void ll_lock_counted(ll_lock_t *l) {
    ll_locks_held++;
    atomic_signal_fence(memory_order_seq_cst);
    ll_lock(l);
}
static inline void ll_unlock_counted(ll_lock_t *l) {
    ll_unlock(l);
    atomic_signal_fence(memory_order_seq_cst);
    ll_locks_held--;
}
/* The locks of mem.c and internal.c, the innermost ones: a signal handler
 * that allocates while its thread holds one of them (it interrupted
 * libleak) must not call into mem.c or internal.c. */
extern __thread __attribute__((tls_model("initial-exec"))) int ll_inner_held;
/* A leak check asked this thread to stop while it held one (threads.c). */
extern __thread __attribute__((tls_model("initial-exec"))) int ll_stop_pending;
void ll_stop_deferred(void);
static inline void ll_lock_inner(ll_lock_t *l) {
    ll_inner_held++;
    atomic_signal_fence(memory_order_seq_cst);  /* counted before, as a handler sees it */
    ll_lock(l);
}
static inline void ll_unlock_inner(ll_lock_t *l) {
    ll_unlock(l);
    atomic_signal_fence(memory_order_seq_cst);
    ll_inner_held--;
    atomic_signal_fence(memory_order_seq_cst);  /* a handler after this sees 0 */
    if (ll_unlikely(ll_stop_pending) && !ll_inner_held)
        ll_stop_deferred();
}

/* ---- allocating functions, as recorded with each block ----------------- */
enum ll_fn {
    LL_FN_MALLOC, LL_FN_CALLOC, LL_FN_REALLOC, LL_FN_REALLOCARRAY,
    LL_FN_POSIX_MEMALIGN, LL_FN_ALIGNED_ALLOC, LL_FN_MEMALIGN, LL_FN_VALLOC,
    LL_FN_PVALLOC, LL_FN_NEW, LL_FN_NEW_ARRAY, LL_FN_COUNT
};
const char *ll_fn_name(unsigned fn);

/* The hex number at s (no prefix), stopping at end or the first other
 * character, into *out; returns where it stopped.  For /proc/self/maps
 * lines (reach.c, modules.c). */
static inline const char *ll_parse_hex(const char *s, const char *end, uintptr_t *out)
{
    uintptr_t v = 0;
    for (; s < end; s++) {
        unsigned c = (unsigned char)*s, d;
        if (c - '0' < 10) d = c - '0';
        else if ((c | 0x20) - 'a' < 6) d = (c | 0x20) - 'a' + 10;
        else break;
        v = v << 4 | d;
    }
    *out = v;
    return s;
}

/* ---- per-thread state --------------------------------------------------- */
/* Frees a signal handler made while its thread was inside libleak, held
 * back until the thread's next allocation (interpose.c, nursery.c). */
#define LL_HELD 16
struct ll_held_free { void *p; uintptr_t caller; unsigned dealloc; };
struct ll_held_list { struct ll_held_free e[LL_HELD]; unsigned n; };
/* Live bytes, summed per thread (table.c, ll_live_note below). */
struct ll_live_share { int64_t delta, hw; };
struct ll_nursery;
struct ll_tstate;

/* The thread-local words every allocation and free touches, in one
 * variable: a function reaches them all through one GOT load of its TLS
 * offset (a separate variable each took one load per variable, 13 per
 * malloc/free pair), and they share one cache line. */
struct ll_hot {
    /* Recursion guard: non-zero while this thread runs libleak's own code,
     * so every allocation made meanwhile (by us, the unwinder, the
     * symbolizer, dlsym, dlopen) goes straight to the real allocator
     * untracked. */
    int guard;
    /* Non-zero while this thread is inside the real allocator for a
     * tracked call (interpose.c): a signal handler that ends the process
     * from there must not run the report, which allocates while glibc's
     * arena is mid-update and its lock is this thread's
     * (ll_end_interrupted). */
    int in_real;
    int *errno_at;                      /* &errno (interpose.c) */
    struct ll_nursery *ny;              /* the thread's nursery (nursery.c) */
    int ny_state;
    struct ll_tstate *ts;               /* its stack caches (stack.c) */
    struct ll_live_share live;          /* table.c */
    uintptr_t pending;                  /* the new block, while its stack is walked */
    struct ll_held_list held;           /* interpose.c, nursery.c */
} __attribute__((aligned(64)));         /* the words before held: one line */
_Static_assert(__builtin_offsetof(struct ll_hot, held) <= 64, "ll_hot's words span one line");
extern LL_TLS struct ll_hot ll_hot;
#define ll_guard (ll_hot.guard)
/* The guard around code in line in a hook (the nursery's common paths, the
 * stack memo's check): the compiler may not move that code's loads and
 * stores out past the guard, where a signal handler that allocates would
 * see the guard down and enter the same nursery or memo mid-update (a
 * handler's realloc lost its new block's record: an invalid free at the
 * end, hostile::free_in_a_handler_that_interrupted_libleak).  A call to
 * another file needs no fence: the compiler cannot move stores across it. */
#define LL_GUARD_ENTER() (ll_guard++, atomic_signal_fence(memory_order_seq_cst))
#define LL_GUARD_LEAVE() (atomic_signal_fence(memory_order_seq_cst), ll_guard--)
#define ll_in_real (ll_hot.in_real)
#define ll_held (ll_hot.held)
#define ll_live_mine (ll_hot.live)
/* A call into the real allocator for a tracked call, marked (ll_in_real). */
#define LL_REAL(call)                                                      \
    ({                                                                     \
        ll_in_real++;                                                      \
        __typeof__(call) ll_r_ = (call);                                   \
        ll_in_real--;                                                      \
        ll_r_;                                                             \
    })

/* ---- global state ------------------------------------------------------- */
enum ll_state { LL_UNINIT, LL_INITIALISING, LL_READY, LL_DONE };
extern atomic_int ll_state;
void ll_init_slow(void);
static inline int ll_ready(void) {
    int s = atomic_load_explicit(&ll_state, memory_order_acquire);
    if (ll_likely(s == LL_READY)) return 1;
    if (s == LL_UNINIT) { ll_init_slow(); s = atomic_load(&ll_state); }
    return s == LL_READY;
}

/* ---- real.c ------------------------------------------------------------- */
struct ll_real {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
};
extern struct ll_real ll_real;
int ll_real_resolve(void);   /* 0 on success */
/* The next definition of name after libleak's (libc's, for a function
 * libleak wraps), looked up once into *slot (NULL if there is none);
 * errno is left as it was. */
void *ll_real_next(void **slot, const char *name);

/* ---- bootstrap.c -------------------------------------------------------- */
void *ll_boot_alloc(size_t size, size_t align);
#define LL_BOOT_SIZE (256u << 10)
extern char ll_boot_arena[LL_BOOT_SIZE];
extern uintptr_t ll_salvage_lo;
extern size_t ll_salvage_len;
/* From now on the bootstrap allocator serves everything libleak passes on
 * untracked (the real allocator is not to be trusted: a fault, or a signal
 * inside it); 0, or -1 if no pages were had. */
int ll_boot_salvage(void);
void ll_boot_free(void *p);     /* a salvage block is reused; an arena one is not */
void ll_boot_fork_prepare(void);
void ll_boot_fork_parent(void);
void ll_boot_fork_child(void);
static inline int ll_boot_salvaging(void)
{
    return __atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE) != 0;
}
/* p in the static arena: only libleak's own calls while it is not active
 * get blocks from the salvage region, so an active realloc asks this. */
static inline int ll_boot_arena_owns(const void *p)
{
    return (uintptr_t)p - (uintptr_t)ll_boot_arena < LL_BOOT_SIZE;
}
static inline int ll_boot_owns(const void *p)   /* inline: every free asks */
{
    size_t n = __atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE);
    return ll_boot_arena_owns(p) || (n && (uintptr_t)p - ll_salvage_lo < n);
}
size_t ll_boot_size(const void *p);

/* ---- a thread's objects kept for the next thread ------------------------ */
/* What a thread takes for its life (its signal stack, nursery and stack
 * caches) is kept when it ends, up to cap of a kind, for the next thread
 * to take: given back, its pages went to the OS, and a program that starts
 * a thread per task had each fault them in afresh.  The owner's fork
 * handlers take, release and reset the lock. */
#define LL_KEEP_MAX 64
struct ll_keep { ll_lock_t lock; unsigned n, cap; void *v[LL_KEEP_MAX]; };
#define LL_KEEP_INIT(c) { LL_LOCK_INIT, 0, (c), { 0 } }
/* A kept one, or NULL. */
static inline void *ll_keep_take(struct ll_keep *k)
{
    void *p = NULL;
    ll_lock_counted(&k->lock);
    if (k->n)
        p = k->v[--k->n];
    ll_unlock_counted(&k->lock);
    return p;
}
/* 1: p is kept; 0: cap are already, and the caller frees it. */
static inline int ll_keep_put(struct ll_keep *k, void *p)
{
    ll_lock_counted(&k->lock);
    int kept = k->n < k->cap && k->n < LL_KEEP_MAX;
    if (kept)
        k->v[k->n++] = p;
    ll_unlock_counted(&k->lock);
    return kept;
}

/* ---- mem.c: internal allocator; callers pass the size back on free ------ */
void *ll_mem_alloc(size_t size);          /* zeroed, 16-byte aligned, or NULL */
void ll_mem_free(void *p, size_t size);
size_t ll_mem_mapped(void);               /* bytes obtained from the OS */
int ll_mem_owns(const void *p);           /* p inside one of our mappings */
void ll_mem_set_chunk_limit(size_t n);    /* tests: fewer than 65,536 chunks */
int ll_mem_overlaps(uintptr_t lo, uintptr_t hi); /* one of them meets [lo, hi) */
void ll_mem_fork_prepare(void);
void ll_mem_fork_parent(void);
void ll_mem_fork_child(void);
/* Raw pages, for large transient arrays (report time). */
void *ll_pages_alloc(size_t size);
void *ll_pages_reserve(size_t size);   /* the same, MAP_NORESERVE */
void ll_pages_free(void *p, size_t size);
void ll_pages_forget(void *p, size_t size);   /* unmapped by someone else */
/* The process is ending (its one report is being written): small page
 * runs freed from now on stay mapped, which saves a trivial process's exit
 * a dozen munmap calls; large ones are still returned. */
void ll_pages_ending(void);

/* ---- bigstack.c: fn(arg) on a fresh 1 MiB stack (libdw needs ~150 KiB) --- */
void ll_bigstack_call(void (*fn)(void *), void *arg);
/* sp, or, when sp is on this thread's big stack, the stack pointer it left
 * its own stack at (the callee-saved registers lie there). */
uintptr_t ll_bigstack_origin(uintptr_t sp);

/* ---- internal.c: libleak's callees' blocks, kept out of the tables ------- */
/* Non-zero on a thread that holds table locks (report, fork). */
extern LL_TLS int ll_internal_off;
void ll_internal_add(uintptr_t p);
int ll_internal_remove(uintptr_t p);   /* 1 if p was one */
void ll_internal_fork_prepare(void);
void ll_internal_fork_parent(void);
void ll_internal_fork_child(void);

/* ---- table.c: live blocks ------------------------------------------------ */
struct ll_block {             /* a flat copy of a record, for the report */
    uintptr_t ptr;
    size_t size;
    uint32_t stack;
    uint8_t fn;
    uint8_t align_log2;
    uint8_t kind;             /* enum ll_kind, set by reach.c */
    uint8_t flags;            /* scratch for reach.c */
};
enum ll_insert_result { LL_INSERT_OK, LL_INSERT_DUP, LL_INSERT_OOM };
/* The first of b's n blocks (sorted by address) at or above a (roots.c). */
size_t ll_block_at(const struct ll_block *b, size_t n, uintptr_t a);
void ll_table_init(void);     /* once, at initialisation */
/* ll_table_insert and ll_table_remove (after the nursery, below) record a
 * block and remove p's record: 1 if it was live (fills *out), 0 if
 * unknown.  A non-zero free_pc also puts it in the quarantine of recent
 * frees. */
/* Put back a record removed by ll_table_remove (a failed realloc). */
void ll_table_restore(const struct ll_block *b);
int ll_table_lookup(uintptr_t p, struct ll_block *out);
/* Block containing p (slow, for error messages only). */
int ll_table_find_containing(uintptr_t p, struct ll_block *out);
/* Snapshot: lock every shard, copy all records into a page-allocated array
 * (NULL if it cannot be mapped); *count blocks and *bytes (if bytes) are
 * live either way.  The shards stay locked until ll_table_unlock_all(). */
struct ll_block *ll_table_snapshot(size_t *count, uint64_t *bytes);
void ll_table_unlock_all(void);
void ll_table_lock_all(void);
void ll_table_reset_locks(void);
struct ll_totals {
    uint64_t allocations, frees, bytes_allocated, peak_live_bytes,
             live_bytes, dropped;
};
void ll_table_totals(struct ll_totals *t);
/* Quarantine of recently freed blocks (per shard ring). */
struct ll_freed {
    uintptr_t ptr;
    size_t size;
    uintptr_t free_pc;        /* caller of the first free */
    uint32_t alloc_stack;
    uint8_t fn;
};
int ll_quarantine_find(uintptr_t p, struct ll_freed *out);
void ll_quarantine_put(const struct ll_freed *f);   /* an ending thread's */

/* The frame of an allocator entry point's caller, read from the entry
 * point's own frame pointer (__builtin_frame_address(0) makes the compiler
 * set one up there): saved rbp at [fp], return address at [fp + 8], and the
 * caller's stack pointer after the call returns at fp + 16. */
struct ll_caller { uintptr_t ra, sp, bp; };
#define LL_CALLER_FRAME()                                                    \
    ({ const uintptr_t *ll_fp_ = __builtin_frame_address(0);                 \
       (struct ll_caller){ ll_fp_[1], (uintptr_t)(ll_fp_ + 2), ll_fp_[0] }; })

/* ---- barrier.c: a full barrier on every running thread (membarrier) ------ */
extern atomic_int ll_barrier_ok;        /* 1: a nursery's owner may enter without an atomic */
extern atomic_ulong ll_barrier_runs;    /* how many were made (tests) */
void ll_barrier_init(void);
void ll_barrier_all(void);

/* ---- nursery.c: each thread's young blocks, in front of the table -------- */
void ll_nursery_init(void);
int ll_thread_register(void);            /* 1 if the thread's exit will be seen */
/* The same for a new thread, whose start argument the key's value then is,
 * in the thread's TCB (a root), where glibc would keep it (threadstart.c). */
int ll_thread_register_arg(void *arg);
/* Both keep the thread's live-byte count (ll_live_note); -1 from add: this
 * thread has no nursery, and the caller uses the table. */
int ll_nursery_add(uintptr_t p, size_t size, uint32_t stack, unsigned fn,
                   unsigned align_log2);
int ll_nursery_take(uintptr_t p, uintptr_t free_pc, struct ll_block *out);
int ll_nursery_free_own(uintptr_t p, uintptr_t free_pc, unsigned dealloc);
int ll_nursery_held(void);
int ll_nursery_bypassed(void);           /* this thread's blocks go past it */
void ll_nursery_set_unshare(unsigned entries);  /* tests: how soon a nursery is unshared */
int ll_nursery_take_any(uintptr_t p, uintptr_t free_pc, struct ll_block *out);
int ll_nursery_lookup(uintptr_t p, struct ll_block *out);
int ll_nursery_find_containing(uintptr_t p, struct ll_block *out);
int ll_nursery_quarantine_find(uintptr_t p, struct ll_freed *out);
int ll_nursery_newest_freed(uintptr_t p, struct ll_freed *out);  /* this thread's */
void ll_nursery_each(void (*fn)(const struct ll_block *, void *), void *arg);
size_t ll_nursery_count(void);
void ll_nursery_totals(struct ll_totals *t);
void ll_nursery_lock_all(void);
void ll_nursery_unlock_all(void);
void ll_nursery_fork_child(void);
void ll_nursery_thread_exit(void);
/* Frees a signal handler made while its thread was inside libleak, held
 * back until the thread's next allocation (interpose.c): each thread's
 * list, which its nursery points to, so that the exit report can leave
 * those blocks out (ll_nursery_held_out, with v sorted by address and the
 * nurseries locked; returns v's new count and lowers *bytes). */
extern atomic_uint ll_held_pending;      /* held in every thread's list */
void ll_held_settle(void);               /* done now, if the thread can */
/* The allocation hooks' stack clearing picks its stores (interpose.c). */
void ll_scrub_init(void);
/* A thread without a nursery holds a free: its list is made known to the
 * report (async-signal-safe). */
void ll_held_register(void);
size_t ll_nursery_held_out(struct ll_block *v, size_t n, uint64_t *bytes);
/* ---- freelist.c: freed blocks kept a while (freelist=MiB) ---------------- */
extern size_t ll_fl_limit;               /* bytes in all; 0: off */
/* The free of a tracked block whose record is gone: the real free, or
 * ll_fl_put with a freelist (one indirect call either way). */
extern void (*ll_free_tracked)(void *);
void ll_fl_init(void);                   /* from the options, ll_real resolved */
void ll_fl_put(void *p);                 /* instead of the real free */
struct ll_freed;
void ll_fl_note(const struct ll_freed *f);   /* the free about to reach ll_fl_put */
int ll_fl_find(uintptr_t p, struct ll_freed *out);  /* p is kept: freed already */
void *ll_fl_realloc(void *p, size_t n);  /* instead of the real realloc */
unsigned ll_fl_kept(size_t *bytes, size_t *total);
void ll_fl_thread_exit(void);
void ll_fl_fork_prepare(void);
void ll_fl_fork_parent(void);
void ll_fl_fork_child(void);
/* table.c's side of it */
void ll_table_insert_shard(const struct ll_block *b);
int ll_table_insert_far(uintptr_t p, size_t size, unsigned align_log2, unsigned fn,
                        uint32_t stack);
int ll_table_remove_far(uintptr_t p, uintptr_t free_pc, struct ll_block *out);

/* Inline, so that a call with a constant alignment folds its log2. */
static inline unsigned ll_log2(size_t a)
{
    return a ? 63u - (unsigned)__builtin_clzll(a) : 0;
}

/* Young blocks go to this thread's nursery; the shards take the rest. */
static inline int ll_table_insert(uintptr_t p, size_t size, size_t align, unsigned fn,
                                  uint32_t stack)
{
    int res = ll_nursery_add(p, size, stack, fn, ll_log2(align));
    return ll_likely(res >= 0) ? res : ll_table_insert_far(p, size, ll_log2(align), fn, stack);
}

/* This thread's young blocks first: the common case. */
static inline int ll_table_remove(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    return ll_likely(ll_nursery_take(p, free_pc, out)) || ll_table_remove_far(p, free_pc, out);
}
/* Live bytes are summed per thread and published in batches: an atomic on
 * every call would make all threads fight over one cache line.  hw keeps
 * the highest point since the last publication, so the peak stays exact
 * for one thread and within LL_LIVE_BATCH per other thread.  The caller's
 * thread must be registered (ll_thread_register), so that its share is
 * handed over when it exits. */
#define LL_LIVE_BATCH (16 << 10)
void ll_live_publish(void);
/* Each returns res, so that the publication is a call in tail position,
 * and a caller with no other call needs no stack frame. */
int ll_live_publish_then(int res);
static inline int ll_live_note_then(int64_t d, int res)
{
    struct ll_live_share *l = &ll_live_mine;
    int64_t v = l->delta += d;
    if (v > l->hw)
        l->hw = v;
    if (ll_unlikely((uint64_t)(v + LL_LIVE_BATCH) > 2 * LL_LIVE_BATCH))
        return ll_live_publish_then(res);
    return res;
}
/* A free: the count only goes down, so the highest point cannot move. */
static inline int ll_live_note_down_then(size_t d, int res)
{
    struct ll_live_share *l = &ll_live_mine;
    int64_t v = l->delta -= (int64_t)d;
    if (ll_unlikely(v < -LL_LIVE_BATCH))
        return ll_live_publish_then(res);
    return res;
}
static inline void ll_live_note(int64_t d) { (void)ll_live_note_then(d, 0); }
static inline void ll_live_note_down(size_t d) { (void)ll_live_note_down_then(d, 0); }
void ll_table_thread_exit(void);
void ll_stack_thread_exit(void);        /* frees the thread's caches */

/* ---- modules.c: every object ever loaded, kept after dlclose -------------- */
struct ll_module {
    uintptr_t base;           /* load bias */
    uintptr_t lo, hi;         /* one executable segment */
    uint64_t name_hash;       /* of the loader's name for it */
    unsigned epoch;           /* ll_modules_sync()'s value once it was added */
    char path[256];           /* absolute if it could be; "" for the main program */
};
#define LL_MAX_MODULES 1024
/* A new stack, interned at epoch (what ll_modules_sync() gave): remember
 * the objects its addresses lie in.  1: the epoch has moved since (an
 * object was loaded where one that libc unloaded itself was, noticed here
 * or by another thread meanwhile), intern it again. */
int ll_modules_note(const uintptr_t *pcs, unsigned n, unsigned epoch);
/* The loader's count of objects unloaded so far, or LL_UNLOADS_UNKNOWN. */
#define LL_UNLOADS_UNKNOWN (~0ull)
unsigned long long ll_modules_unloads(void);
/* Before a stack is interned: refresh the list if code was unmapped since,
 * or if one of pcs lies where only a closed object was; returns the epoch
 * the stack belongs to (see modules.c). */
unsigned ll_modules_sync(const uintptr_t *pcs, unsigned n);
size_t ll_modules_get(const struct ll_module **out);
unsigned ll_modules_epoch(void);        /* 0 until an object reused a closed one's place */
/* The entry of the object pc lay in for a stack of that epoch: the newest
 * one no newer than the stack; SIZE_MAX outside every object. */
size_t ll_modules_at(uintptr_t pc, unsigned epoch);
/* The object pc lay in for a stack of that epoch, as the symbolizer reads
 * it (the newest entry no newer than the stack), named by the first entry
 * of that file at that place; SIZE_MAX outside every object.  Two stacks
 * with the same pcs are one call site to the report when their origins
 * agree. */
size_t ll_modules_origin(uintptr_t pc, unsigned epoch);
/* For the report: the list brought up to date, then whether entry i's
 * object is still loaded (a closed one's range may hold another now). */
void ll_modules_settle(void);
int ll_modules_alive(size_t i);
void ll_modules_fork_prepare(void);
void ll_modules_fork_parent(void);
void ll_modules_fork_child(void);

/* ---- stack.c ------------------------------------------------------------- */
#define LL_STACK_NONE 0u
/* Capture the caller's stack (libleak's own frames skipped) and intern it;
 * returns a stack id (never LL_STACK_NONE unless out of memory). */
uint32_t ll_stack_capture(void);
/* From the frame (ra, sp, bp) describe (see ll_unwind_memo):
 * ll_stack_capture_at (below) in line, this when the thread's caches are
 * missing or stale. */
uint32_t ll_stack_capture_from(uintptr_t ra, uintptr_t sp, uintptr_t bp);
uint32_t ll_stack_intern(const uintptr_t *pcs, unsigned depth);
/* Frames of a stack id; returns the depth, *pcs points into the table. */
unsigned ll_stack_get(uint32_t id, const uintptr_t **pcs);
unsigned ll_stack_epoch(uint32_t id);   /* ll_modules_sync() at its capture */
size_t ll_stack_count(void);
void ll_stack_fork_prepare(void);
void ll_stack_fork_parent(void);
void ll_stack_fork_child(void);

/* ---- unwind.c ------------------------------------------------------------ */
void ll_unwind_init(void);
/* Fill pcs with return addresses of the caller's frames, starting with the
 * first frame outside libleak; returns how many (<= max). */
unsigned ll_unwind(uintptr_t *pcs, unsigned max);
/* Set in a captured pc that is not a return address but the instruction
 * itself: the one a signal interrupted, or the signal trampoline the
 * handler returns to.  It is looked up at pc, not at the call before it
 * (pc - 1).  User addresses on x86-64 never have bit 63 set; only
 * symbolize.c and modules.c look at a pc's bits. */
#define LL_PC_EXACT (1ull << 63)
int ll_self_contains(uintptr_t pc);     /* pc inside libleak's own code */
/* Code was unmapped (dlclose.c): forget every cached rule, and bump
 * ll_unmap_gen, which each thread's memo (stack.c) and the module list
 * (modules.c) compare with the value they were made at. */
void ll_unwind_forget(void);
/* The start of the function that lookup address q lies in, by its object's
 * unwind tables (its FDE), and that object's load bias; 0 when no table
 * covers q.  Not for the allocation path (it searches the tables). */
uintptr_t ll_unwind_fn_start(uintptr_t q, uintptr_t *base);
/* The code of the function at f, [lo, hi), from its unwind tables or else
 * its symbol; 0 if neither says. */
int ll_code_range(const void *f, uintptr_t *lo, uintptr_t *hi);
extern LL_HIDDEN atomic_uint ll_unmap_gen;   /* hidden: one load, no GOT */

/* A walk from a frame the caller describes: ra is the first frame recorded,
 * sp the stack pointer it returns with (its callee's CFA), bp its rbp.  The
 * allocator entry points give their own frame this way, so no frame of
 * libleak is walked.
 *
 * What a walk from (ra, sp, bp) depended on: the walk is a function of
 * those registers and of the stack words it read, so when every word it
 * used still holds the same value, a new walk would give the same frames.
 * Only words whose value mattered are kept: a saved rbp that no later rule
 * used is left out, or code using rbp as a plain register would never
 * match.  depth 0: the walk cannot be replayed (libgcc made it, it needed
 * more than LL_MEMO_READS words, or it gave no stack).  The walk always
 * depends on sp (a frame with no rule gives a stack of one frame, which
 * the memo then keeps per sp: the caller's key hashes sp anyway). */
#define LL_MEMO_READS 24               /* a multiple of LL_MEMO_GROUP */
#define LL_MEMO_GROUP 4
struct ll_uw_memo {
    uintptr_t ra, sp, bp;
    uint8_t n, need_bp, depth;
    uint32_t id;                        /* the stack it gave (stack.c) */
    struct ll_uw_read { uintptr_t at, v; } rd[LL_MEMO_READS];
};
_Static_assert(LL_MEMO_READS % LL_MEMO_GROUP == 0, "memo reads in whole groups");
unsigned ll_unwind_memo(uintptr_t *pcs, unsigned max, uintptr_t ra,
                        uintptr_t sp, uintptr_t bp, struct ll_uw_memo *m);
/* 1 if the walk m describes would give the same frames from here. */
static inline int ll_unwind_replay(const struct ll_uw_memo *m, uintptr_t ra,
                                   uintptr_t sp, uintptr_t bp, unsigned depth)
{
    if (m->ra != ra || m->sp != sp || m->depth != depth || (m->need_bp && m->bp != bp))
        return 0;
    /* Past LL_MEMO_GROUP words, n is a multiple of it (ll_unwind_memo pads
     * it with words that read as themselves): one branch per group, not
     * per word.  A shorter walk's words are compared one by one, with no
     * padding to read.  (Callgrind, instructions per operation: deep 749
     * -> 726, pairs 446 -> 449; with every walk padded to whole groups,
     * deep 718 but pairs 456, its one word read as four.) */
    const struct ll_uw_read *r = m->rd, *end = r + m->n;
    for (; r + LL_MEMO_GROUP <= end; r += LL_MEMO_GROUP) {
        uintptr_t d = (*(const uintptr_t *)r[0].at ^ r[0].v) |
                      (*(const uintptr_t *)r[1].at ^ r[1].v) |
                      (*(const uintptr_t *)r[2].at ^ r[2].v) |
                      (*(const uintptr_t *)r[3].at ^ r[3].v);
        if (d)
            return 0;
    }
    for (; r < end; r++)
        if (*(const uintptr_t *)r->at != r->v)
            return 0;
    return 1;
}

/* ---- symbolize.c --------------------------------------------------------- */
struct ll_frame {
    uintptr_t pc;             /* return address as captured (LL_PC_EXACT kept) */
    const char *function;     /* demangled when possible, or NULL */
    const char *file;         /* source file or NULL */
    int line;                 /* 0 when unknown */
    const char *object;       /* path of the loaded object, or NULL */
    uintptr_t offset;         /* pc - object load base */
    int column;               /* source column of the call, 0 when unknown */
    const char *comp_dir;     /* compilation directory, for a relative file */
    int inlined;              /* from ll_sym_frames: inlined into the next frame */
    int has_fn_offset;        /* no function name, but the unwind tables */
    uintptr_t fn_offset;      /* say pc lies fn_offset bytes into its function */
    unsigned ncallers;        /* the functions this code was inlined into, */
    const struct ll_frame *callers; /* innermost first, each at its call */
};
#define LL_SYM_INLINED 16     /* inlined calls followed per pc, at most */
/* Begin a symbolization session (loads libdw if it can); strings it returns
 * stay valid until ll_sym_end(). */
void ll_sym_begin(void);
/* The pc of a stack of that epoch, marked with the session that knows the
 * object it was in then (a closed one's, where another now lies): what the
 * functions below take as pc. */
uintptr_t ll_sym_key(uintptr_t pc, unsigned epoch);
void ll_sym_lookup(uintptr_t pc, struct ll_frame *out);
/* The logical frames at pc, innermost first: the function whose code is
 * there (inlined, perhaps: then inlined = 1), then each function it was
 * inlined into, at the line of the call; the last is the function that
 * owns the machine code.  Returns how many (1 to max, for max > 0). */
unsigned ll_sym_frames(uintptr_t pc, struct ll_frame *out, unsigned max);
void ll_sym_end(void);
/* demangle_rust.c: a legacy Rust name ("_ZN...17h<hash>E") without its
 * hash, from the real malloc; NULL if raw is not one. */
char *ll_demangle_rust(const char *raw);
char *ll_demangle_rust_v0(const char *raw);   /* demangle_rust_v0.c: "_R..." */
/* s[0..n) is a legacy Rust hash: "h" and 16 lowercase hex digits. */
int ll_rust_is_hash(const char *s, size_t n);
/* A lowercase hex digit's value, or -1 (Rust's names use no capitals). */
static inline int ll_hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* ---- sort.c: the report's sorts of every block ---------------------------- */
enum ll_sort_by { LL_SORT_PTR, LL_SORT_GROUP };
/* The report's groups, in their order: kind, stack, allocating function,
 * alignment; blocks with one key are one group. */
static inline uint64_t ll_group_key(const struct ll_block *b)
{
    return (uint64_t)b->kind << 48 | (uint64_t)b->stack << 16 | (uint64_t)b->fn << 8 |
           b->align_log2;
}
/* Sort v by address, or by kind, stack, function and alignment (the
 * report's groups); stable. */
void ll_sort_blocks(struct ll_block *v, size_t n, enum ll_sort_by by);

/* ---- reach.c ------------------------------------------------------------- */
enum ll_kind { LL_DEFINITE, LL_INDIRECT, LL_POSSIBLE, LL_REACHABLE, LL_KIND_COUNT };
extern const char *const ll_kind_json[LL_KIND_COUNT];
extern const char *const ll_kind_text[LL_KIND_COUNT];
/* Classify blocks (sorted by ptr) into kinds.  Roots are found here. */
void ll_reach_classify(struct ll_block *blocks, size_t n);
/* The same on caller-given root ranges (unit tests). */
struct ll_range { uintptr_t lo, hi; };
void ll_reach_classify_roots(struct ll_block *blocks, size_t n,
                             const struct ll_range *roots, size_t nroots);
/* Out of memory: n blocks (bytes in all) were not classified; said once on
 * stderr and noted for the report (ll_check_notes). */
void ll_reach_unclassified(size_t n, uint64_t bytes);

/* ---- exitroot.c: the exiting thread's live stack --------------------------- */
#define LL_EXIT_REGS 6
/* Inside exit(): the stack pointer of exit's caller and the callee-saved
 * registers it held; -1 when not called from within exit(). */
int ll_exit_root(uintptr_t *sp, uintptr_t regs[LL_EXIT_REGS]);
void ll_exit_root_init(void);   /* at initialisation: no dlsym at report time */
/* The same for the frame that called into code where start(pc) holds,
 * through frames where within(pc) holds (NULL: none), found by unwinding
 * from here (through a signal frame); -1 if there is none. */
int ll_caller_root(int (*start)(uintptr_t pc), int (*within)(uintptr_t pc),
                   uintptr_t *sp, uintptr_t regs[LL_EXIT_REGS]);

/* ---- threads.c: other threads, stopped without ptrace (reach section) ---- */
/* SIGURG: ignored by default (a late one harms nothing), and gdb and strace
 * pass it on without stopping; the program's handler, if any, is chained. */
#define LL_STOP_SIGNAL SIGURG
struct ll_stopped {
    pid_t tid;
    atomic_int stopped;       /* its handler saved sp and tcb, and waits */
    int held;                 /* stopped when the wait ended: what the scan reads */
    int gone;                 /* exited before it could be signalled */
    int masks;                /* its mask blocks the signal: looked at again */
    int blocked;              /* blocks the signal or sigwaits for it: never sent it */
    uintptr_t sp;             /* its stack pointer when interrupted, less the red zone */
    uintptr_t tcb;            /* its pthread_self() */
    uintptr_t alt_end;        /* sp is on its signal stack of libleak's, which ends here */
    uintptr_t regs[18];       /* its general registers then (LL_STOP_REGS) */
    long sc_nr;               /* the system call it was in when sent the signal, or -1, */
    uintptr_t sc[8];          /* with its 6 arguments, sp and pc (/proc .../syscall) */
    int sc_libc;              /* that pc is in the C library's code */
};
#define LL_STOP_REGS 18
/* Stop every other thread; *out lists them (answered or not) until
 * ll_resume_threads().  Bounded: a thread that does not answer is left. */
size_t ll_stop_threads(struct ll_stopped **out);
void ll_resume_threads(void);
/* The start argument of a thread created but not started yet: libleak's
 * start (threadstart.c) stands between, so glibc's record of the thread
 * holds libleak's block, not the argument, which only the leak check's
 * roots then keep (ll_start_arg_roots).  put: its slot + 1, or 0 if every
 * slot is taken (the argument is then not kept: a rare window only). */
unsigned ll_start_arg_put(void *arg);
void ll_start_arg_drop(unsigned slot);
/* What the last leak check could not do as usual, for the report rather
 * than for stderr: threads it left running (their whole stacks scanned)
 * and memory that vanished while it read it.  roots.c and reach.c fill it. */
struct ll_check_notes {
    unsigned running;         /* threads that did not stop */
    unsigned blocking;        /* of them: they block the signal or sigwait for it */
    int first_tid;            /* one of them, to name */
    size_t vanished;          /* memory ranges skipped */
    /* Out of memory: blocks whose kind could not be decided (counted as
     * still reachable: nothing is claimed lost without a full scan), and
     * whether the leaks could not be listed (their kinds are counted). */
    uint64_t unclassified, unclassified_bytes;
    int unlisted;
};
extern struct ll_check_notes ll_check_notes;

/* ---- tls.c: glibc's thread control blocks (reach section) ----------------- */
int ll_tcb_supported(void);
int ll_tcb_is(const uintptr_t *words, uintptr_t at);   /* a TCB copied from at */
uintptr_t ll_tcb_dtv_block(uintptr_t dtv);  /* the DTV's start, from tcbhead_t.dtv */
uintptr_t ll_tcb_top(uintptr_t tcb);        /* end of the thread's stack block */
int ll_tcb_tid_offset(void);                /* -1 if unknown */
void ll_tcb_note_main(void);                /* at start-up, and in a fork child */
uintptr_t ll_tcb_main(void);                /* the main thread's TCB, 0 if unknown */
size_t ll_peek(int memfd, uintptr_t a, void *buf, size_t n);
size_t ll_tcb_dead_owned(int memfd, uintptr_t dtv, uintptr_t *out, size_t max);

/* ---- out.c --------------------------------------------------------------- */
struct ll_out {
    int fd;
    int failed;               /* a write failed: errno of the failure */
    int plain;                /* fd is a file or a terminal: no SIGPIPE (1), else 0 */
    size_t len;
    char buf[8192];
};
void ll_out_init(struct ll_out *o, int fd);
void ll_out_keep_stderr(void);  /* once at start-up: stderr survives close(2) */
/* The fd o writes to, decided at its first write: for fd 2, the stderr the
 * process started with (fd 2 or the copy of it), or -1 (the output is lost,
 * never written into a file of the program's own). */
int ll_out_where(struct ll_out *o);
void ll_out_flush(struct ll_out *o);
/* Unbuffered, for a signal handler whose stack may be small. */
void ll_out_direct(int fd, const char *s, size_t n);
void ll_out_mem(struct ll_out *o, const char *s, size_t n);
void ll_out_str(struct ll_out *o, const char *s);
/* A string literal, without strlen at run time. */
#define ll_out_lit(o, lit) ll_out_mem((o), "" lit, sizeof(lit) - 1)
void ll_out_u64(struct ll_out *o, uint64_t v);
/* v in decimal at buf (room for 20 bytes, no NUL written); its length. */
size_t ll_fmt_u64(char *buf, uint64_t v);
void ll_out_i64(struct ll_out *o, int64_t v);
void ll_out_line_no(struct ll_out *o, int line);           /* ":N", or nothing for 0 */
void ll_out_hex(struct ll_out *o, uint64_t v);           /* 0x... */
void ll_out_json_str(struct ll_out *o, const char *s);   /* quoted, escaped */
void ll_out_bytes_human(struct ll_out *o, uint64_t v);   /* 1,234 */
/* One-line message on stderr with the "libleak: " prefix; printf subset
 * (%s %d %u %zu %lu %llu %x %p %%), never allocates. */
void ll_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ll_check_notes, one line per note between prefix and end (report.c);
 * _msg writes them to stderr, for a report format with no place for them. */
void ll_check_notes_write(struct ll_out *o, const char *prefix, const char *end);
void ll_check_notes_msg(void);

/* ---- options.c ----------------------------------------------------------- */
enum ll_format { LL_FORMAT_TEXT, LL_FORMAT_JSON, LL_FORMAT_HTML, LL_FORMAT_FOLDED };
enum ll_color { LL_COLOR_AUTO, LL_COLOR_ALWAYS, LL_COLOR_NEVER };
struct ll_options {
    int format;
    char output[4096];
    int depth;
    int show_reachable;
    int exitcode;
    int help;
    int signals;              /* report at a fatal signal (signals.c) */
    int immediate_exit;       /* report at _exit/_Exit (exits.c) */
    int color;                /* enum ll_color, for the text report */
    int freelist;             /* MiB of freed blocks kept (freelist.c) */
    /* CI gate (leakcheck): */
    int fail_on;              /* bit (1 << enum ll_kind) per kind that fails */
    char suppressions[4096];  /* LSan-syntax suppression file, or "" */
    char started[4096];       /* marker written at start-up (started.c), or "" */
};
extern struct ll_options ll_opt;

/* ---- stack.c: a capture's common case, in line --------------------------- */
/* Each thread remembers its last walks (by the caller's return address and
 * stack pointer: one site reached at several depths keeps one per depth,
 * and up to LL_MEMO_WAYS for paths that reach it at the same depth).
 * A call site that allocates again from the same stack, as a loop does, is
 * recognised by comparing the stack words the last walk depended on,
 * without walking or hashing: a few loads instead of a rule lookup per
 * frame and the interning of the whole stack. */
#define LL_MEMO_BITS 4
#define LL_MEMOS (1u << LL_MEMO_BITS)
#define LL_MEMO_WAYS 4
#define LL_CALLER_BITS 10               /* depth=1: return address -> id */
#define LL_CALLERS (1u << LL_CALLER_BITS)

/* A thread's caches (43 KiB, and the stack cache's 128 KiB) live in mem.c,
 * not in static TLS: glibc carves each thread's static TLS out of its
 * stack, and with them there a thread asking for a 16 or 32 KiB stack could
 * not be created (EINVAL).  Made on the thread's first capture; NULL once
 * it has exited or if memory ran out, and captures then go without. */
struct ll_tstate {
    unsigned gen;                       /* ll_unmap_gen the walks below were made at */
    struct ll_uw_memo memo[LL_MEMOS][LL_MEMO_WAYS];
    uint8_t victim[LL_MEMOS];           /* next way to overwrite, per set */
    struct { uintptr_t ra; uint32_t id; } caller[LL_CALLERS];
    struct ll_tcache_ent *tcache;       /* tsets sets of 4 (128 KiB at first) */
    uint32_t tsets;                     /* a power of two */
    uint32_t tlookups, tmisses;         /* since the cache last grew or was judged */
};
/* A walk from (ra, sp, bp), noted in memo way set's victim, or in caller
 * entry i at depth=1: a capture's misses (stack.c). */
uint32_t ll_capture_memo(struct ll_tstate *t, uintptr_t ra, uintptr_t sp, uintptr_t bp,
                         unsigned depth, unsigned set);
uint32_t ll_capture_caller(struct ll_tstate *t, uintptr_t ra, uintptr_t sp, uintptr_t bp,
                           unsigned i);

/* The stack from (ra, sp, bp) by t's caches, walking on a miss. */
static inline __attribute__((always_inline))
uint32_t ll_stack_capture_in(struct ll_tstate *t, uintptr_t ra, uintptr_t sp, uintptr_t bp)
{
    unsigned depth = (unsigned)ll_opt.depth;
    if (depth == 1) {
        /* The stack is the caller alone, a function of ra: a direct-mapped
         * cache of return addresses serves it (the memo's key has sp in it,
         * and a set's four ways are compared in turn). */
        unsigned i = (unsigned)((ra * 0x9e3779b97f4a7c15ull) >> (64 - LL_CALLER_BITS));
        if (ll_likely(t->caller[i].ra == ra && t->caller[i].id))
            return t->caller[i].id;
        return ll_capture_caller(t, ra, sp, bp, i);
    }
    uintptr_t k = (ra ^ sp >> 3) * 0x9e3779b97f4a7c15ull;
    unsigned set = (unsigned)(k >> (64 - LL_MEMO_BITS));
    struct ll_uw_memo *m = t->memo[set];
    for (unsigned w = 0; w < LL_MEMO_WAYS; w++)
        if (ll_unwind_replay(&m[w], ra, sp, bp, depth))
            return m[w].id;
    return ll_capture_memo(t, ra, sp, bp, depth, set);
}

/* The allocation hooks' capture: in line in each, so that a memo's hit
 * (a loop's allocation) makes no call and saves no registers of its own
 * (callgrind: pairs 416 -> 406 instructions per malloc/free pair, 387 ->
 * 372 at depth=1; cc1 on small.c 7.798 -> 7.787 billion in all). */
static inline __attribute__((always_inline))
uint32_t ll_stack_capture_at(uintptr_t ra, uintptr_t sp, uintptr_t bp)
{
    struct ll_tstate *t = ll_hot.ts;
    if (ll_likely(t != NULL) &&
        ll_likely(t->gen == atomic_load_explicit(&ll_unmap_gen, memory_order_acquire)))
        return ll_stack_capture_in(t, ra, sp, bp);
    return ll_stack_capture_from(ra, sp, bp);
}
/* Parse a LIBLEAK_OPTIONS string into ll_opt (defaults first).  Each bad
 * item gets one warning; returns the number of warnings. */
int ll_opt_parse(const char *s);
void ll_opt_defaults(void);
void ll_opt_help(void);

/* ---- report.c ------------------------------------------------------------ */
struct ll_group {             /* leaks with one kind, stack, fn, alignment */
    uint8_t kind, fn, align_log2;
    uint32_t stack;
    uint64_t bytes, blocks;
};
struct ll_error;              /* report.c keeps the error list */
enum ll_error_kind {
    LL_ERR_DOUBLE_FREE, LL_ERR_INVALID_FREE, LL_ERR_INTERIOR_FREE,
    LL_ERR_INVALID_REALLOC, LL_ERR_MISMATCH, LL_ERR_KIND_COUNT
};
extern const char *const ll_error_json[LL_ERR_KIND_COUNT];
/* Record (and print at once) a bad free/realloc at p; caller holds the guard. */
void ll_error_report(unsigned kind, uintptr_t p, unsigned dealloc_fn);
/* The same for a live block whose record the caller has just removed; p is
 * the pointer the program passed (b's start, or its array past the count). */
void ll_error_report_block(unsigned kind, uintptr_t p, const struct ll_block *b,
                           unsigned dealloc_fn);
struct ll_report {
    struct ll_group *groups;
    size_t ngroups;
    uint64_t kind_bytes[LL_KIND_COUNT], kind_blocks[LL_KIND_COUNT];
    struct ll_totals totals;
    size_t meta_bytes;        /* libleak's own memory */
    /* suppressions=FILE: groups it matched are removed from groups and
     * kind_* and counted here instead (report.c). */
    const struct ll_supp_set *supp;
    uint64_t supp_bytes, supp_blocks;
};
/* pattern (output=, started=) with each %p replaced by the pid, followed
 * by ".N" when n > 1: the Nth file of that name, pids being reused. */
void ll_pid_path(char *path, size_t cap, const char *pattern, unsigned n);
void ll_pid_path_of(char *path, size_t cap, const char *pattern, pid_t pid, unsigned n);
/* The exit report; returns 1 when unsuppressed blocks of a fail_on kind
 * were found (the process then fails with exitcode=N). */
int ll_report_write(void);
void ll_report_text(struct ll_out *o, const struct ll_report *r);
void ll_report_json(struct ll_out *o, const struct ll_report *r);
void ll_report_html(struct ll_out *o, const struct ll_report *r);    /* report_html.c */
void ll_report_folded(struct ll_out *o, const struct ll_report *r);  /* report_folded.c */
/* Errors recorded so far, for the formatters. */
struct ll_error_rec {
    uint8_t kind, fn, dealloc_fn, has_block;
    uintptr_t ptr, block;     /* the bad pointer; the block it belongs to */
    size_t size;
    uint32_t stack, alloc_stack, free_stack;
};
/* An error in words, as its stderr line has it after "libleak: ". */
void ll_error_describe(struct ll_out *o, const struct ll_error_rec *e);
size_t ll_error_count(void);     /* recorded: the first 1,000 */
size_t ll_error_total(void);     /* every bad free, the ones past the first 1,000 too */
#define LL_ERRORS_PRINTED 100    /* the first ones are printed when they happen */
const struct ll_error_rec *ll_error_get(size_t i);
enum ll_dealloc { LL_DEALLOC_FREE, LL_DEALLOC_DELETE, LL_DEALLOC_DELETE_ARRAY,
                  LL_DEALLOC_REALLOC, LL_DEALLOC_COUNT };
/* The deallocation family a block made by fn must be freed with (inline:
 * every free asks): two bits per fn in one word, a shift and a mask with
 * no branch (the two comparisons took 8 instructions). */
#define LL_FAMILY_BITS(fn, d) ((uint32_t)(d) << (2 * (fn)))
#define LL_FAMILIES (LL_FAMILY_BITS(LL_FN_NEW, LL_DEALLOC_DELETE) |                \
                     LL_FAMILY_BITS(LL_FN_NEW_ARRAY, LL_DEALLOC_DELETE_ARRAY))
_Static_assert(LL_FN_COUNT <= 16, "two bits per fn in a 32-bit word");
static inline unsigned ll_fn_family(unsigned fn)
{
    return LL_FAMILIES >> (2 * fn) & 3;         /* fn < LL_FN_COUNT */
}

/* Global operator new or delete that the program replaced (real.c, at
 * initialisation): its own calls malloc or free, so a block from malloc
 * reaches libleak's delete, or one from libleak's new reaches free, and the
 * pair is the program's, not a mismatch. */
#define LL_CXX_OWN_NEW 1u
#define LL_CXX_OWN_DELETE 2u
extern LL_HIDDEN unsigned ll_cxx_own;
void ll_cxx_own_init(void);
/* malloc defined ahead of libleak's (real.c): by that object, whose path
 * this holds; "" if libleak's is the one. */
extern LL_HIDDEN char ll_alloc_hidden[256];
void ll_alloc_hidden_init(void);
/* 1 if another copy of libleak is loaded ahead of this one (real.c). */
int ll_other_copy_ahead(void);

/* A block made by fn may be freed through dealloc. */
static inline int ll_fn_pairs(unsigned fn, unsigned dealloc)
{
    unsigned want = ll_fn_family(fn);
    if (ll_likely(want == dealloc))
        return 1;
    if (ll_likely(!ll_cxx_own) || dealloc == LL_DEALLOC_REALLOC)
        return 0;
    return want == LL_DEALLOC_FREE ? (ll_cxx_own & LL_CXX_OWN_NEW) != 0
                                   : dealloc == LL_DEALLOC_FREE &&
                                     (ll_cxx_own & LL_CXX_OWN_DELETE);
}

extern const char *const ll_dealloc_name[LL_DEALLOC_COUNT];
void ll_error_fork_prepare(void);
void ll_error_fork_parent(void);
void ll_error_fork_child(void);
/* Frame printing shared by the formatters and the error messages. */
void ll_text_stack(struct ll_out *o, uint32_t stack, const char *indent);
/* A stack's logical frames (ll_sym_frames of each pc), innermost first,
 * *n of them, in one buffer valid until the next call (reports and error
 * messages are written one at a time). */
#define LL_FRAMES_MAX (4 * LL_MAX_DEPTH)
const struct ll_frame *ll_stack_frames(uint32_t stack, unsigned *n);
void ll_json_stack(struct ll_out *o, uint32_t stack);
void ll_json_stack_end(void);  /* the report is written: drop its texts */

/* ---- snippet.c: source lines around a call, for the reports -------------- */
#define LL_SNIP_BEFORE 2      /* lines shown before the call's line */
#define LL_SNIP_AFTER 1       /* and after it */
#define LL_SNIP_WIDTH 160     /* bytes kept of each line */
struct ll_snippet {
    int first;                /* line number of lines[0] */
    int n;                    /* lines read (0: the file was not readable) */
    int target;               /* index of the call's line in lines[] */
    int mark_col, mark_len;   /* the call's extent in that line, 0-based */
    char lines[LL_SNIP_BEFORE + 1 + LL_SNIP_AFTER][LL_SNIP_WIDTH];
};
/* Read the lines around f's file:line (file made absolute with f's
 * comp_dir) without allocating; hint is a name to mark when the column is
 * unknown (the allocating function).  0 when the source is not readable. */
int ll_snippet_read(const struct ll_frame *f, const char *hint, struct ll_snippet *s);
/* The snippet of a stack's first frame with readable source (stopping at
 * main); fills f with that frame.  0 when there is none. */
int ll_site_snippet(uint32_t stack, const char *hint, struct ll_frame *f,
                    struct ll_snippet *s);
/* The frame that names a site shown without a snippet (ll_site_snippet's
 * choice had its source been readable); 0 when no frame has a name. */
int ll_site_frame(uint32_t stack, struct ll_frame *f);
/* main (or Rust's runtime entry): the last frame of the program's own. */
int ll_frame_is_bottom(const struct ll_frame *f);
/* libc's or Rust's start-up code, below main. */
int ll_frame_is_startup(const struct ll_frame *f);

/* ---- cancellation ---------------------------------------------------------
 * A pthread_cancel() request waits for the thread's next cancellation point,
 * and write, open, read, close and nanosleep are ones: met inside libleak
 * (a bad free's message, a report, a wait at exit), it would unwind the
 * thread out of libleak holding its locks, the report half written
 * (hostile_cancel).  So libleak turns cancellation off while it does such
 * things on a program's thread, and back on after, when it was on: the
 * request then acts at the program's next cancellation point, as natively.
 * pthread_setcancelstate takes no lock (glibc: an atomic on the thread's
 * own word), so it serves in signal handlers too. */
static inline int ll_cancel_off(void)
{
    int was = PTHREAD_CANCEL_DISABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &was);
    return was;
}

static inline void ll_cancel_restore(int was)
{
    if (was == PTHREAD_CANCEL_ENABLE)
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
}

/* ---- signals.c, exits.c: abnormal ends ----------------------------------- */
void ll_abnormal_init(void);  /* at initialisation: handlers, _exit */
void ll_sigset_but_faults(sigset_t *s);  /* every signal but the faults and abort */
int ll_report_claim(void);    /* 1 for the first caller: it writes the report */
/* At exit() and quick_exit(): returns, or blocks for good when another
 * thread is ending the process already (signals.c). */
void ll_end_enter(void);
/* The thread was inside libleak when a handler ended the process (end:
 * "exit()", "SIGSEGV"...): says so on stderr and returns 1; no report. */
int ll_end_interrupted(const char *end, int signal);
int ll_abnormal_report(void); /* the report outside exit(); ll_report_write's value */
/* Around libleak's own system calls: one a seccomp filter traps fails
 * (-ENOSYS) instead of killing the process with SIGSYS; nests. */
void ll_sys_guard_on(sigset_t *old);
int ll_sys_guard_try_on(sigset_t *old);    /* 0: another thread holds it */
void ll_sys_guard_off(const sigset_t *old);
/* ll_report_write, with the signals sent to end the process held off
 * meanwhile (signals.c) */
int ll_report_held(void);
int ll_is_own_process(void);  /* not a vfork/posix_spawn child */
int ll_child_shares_memory(void);   /* such a child: shares our memory (signals.c) */
int ll_is_fork_child(void);
void ll_exit_real(int status) __attribute__((noreturn));
/* Where the program's live stack begins and the registers it held, for a
 * report outside exit() (a signal handler, _exit): the root scan starts
 * here instead of in libleak's own frames, whose unused slots hold stale
 * pointers.  sp == 0: not set. */
struct ll_live_root { uintptr_t sp; unsigned nregs; uintptr_t regs[24]; };
extern struct ll_live_root ll_live_root;
/* The signals libleak reports on (signals=1): its handler stands for
 * SIG_DFL there.  sigaction.c shows the program SIG_DFL where it is, and
 * puts it back where the program sets SIG_DFL. */
int ll_sig_reported(int sig);
void ll_sig_fork_child(void);   /* fork.c: the SIGSYS guard's lock, reset */
void ll_sig_handler(int sig, siginfo_t *info, void *uc);
void ll_sig_action(struct sigaction *sa, int sig);
/* The mappings the next allocator made for itself, when it is not the C
 * library's (allocmaps.c; mmap.c reports them): not roots for the scan. */
void ll_amaps_init(void);
int ll_amaps_known(void);
void ll_amaps_set_code(uintptr_t lo, uintptr_t hi);
void ll_amaps_mapped(uintptr_t caller, uintptr_t p, size_t len);
void ll_amaps_unmapped(uintptr_t p, size_t len);
unsigned ll_amaps_count(void);
void ll_amaps_own_blocks(struct ll_block *v, size_t n);  /* after the scan */
void ll_amaps_fork_prepare(void);
void ll_amaps_fork_parent(void);
void ll_amaps_fork_child(void);
/* A signal stack of libleak's for this thread, if it has none (altstack.c):
 * a stack overflow's SIGSEGV then gets its report; taken back at its exit. */
void ll_altstack_give(void);
void ll_altstack_take_back(void);
uintptr_t ll_altstack_end_above(uintptr_t sp);
void ll_altstack_fork_prepare(void);
void ll_altstack_fork_parent(void);
void ll_altstack_fork_child(void);
/* The C library's own calls, past sigaction.c's (resolved at
 * initialisation, or at the first call before it). */
void ll_sigaction_init(void);
int ll_sigaction_next(int sig, const struct sigaction *act, struct sigaction *old);
enum { LL_SIGNAL_BSD, LL_SIGNAL_SET, LL_SIGNAL_KINDS };
__sighandler_t ll_signal_next(unsigned kind, int sig, __sighandler_t h);

/* ---- started.c: a marker at start-up, to find processes with no report -- */
/* The process's start time, in clock ticks after boot: field 22 of
 * /proc/self/stat.  With the pid it names one process, across exec; 0 if
 * unknown.  ll_stat_start_time reads it from such a line of n bytes. */
uint64_t ll_start_time(void);
uint64_t ll_stat_start_time(const char *stat, size_t n);
/* With started=PATH set: write this process's marker (at initialisation,
 * and in a fork child); remove it (a fork child's _exit(), unreported by
 * design). */
void ll_started_mark(void);
/* The marker of a child the C library spawned (posix_spawn), which runs no
 * code of ours before its exec: written by the parent (spawn.c). */
void ll_started_mark_child(pid_t pid, char *const argv[]);
/* Before the exec of a child that ran no fork handler (vfork, clone): its
 * own marker, from the stack alone; 1 if written, its file in path. */
int ll_started_mark_exec(char *const argv[], char *path, size_t cap);
#define LL_STARTED_PATH_MAX (sizeof(ll_opt.started) + 32)
void ll_started_fork_child(void);
void ll_started_unmark(void);

/* ---- fork.c -------------------------------------------------------------- */
void ll_fork_install(void);

/* ---- libleak.c ----------------------------------------------------------- */
void ll_start(int argc, char **argv);
void ll_finish(void);
void ll_finish_report(void);     /* the exit report itself (late.c calls it) */
/* late.c: the exit report put off until exit()'s last flush of stdio, after
 * every destructor.  ll_late_arm: 1 if it will come there.  ll_late_pending:
 * armed, not written yet (an _exit() from a later destructor writes it). */
int ll_late_arm(void);
int ll_late_pending(void);
/* The stream after libleak's in stdio's list of streams, 0 if there is no
 * stream of libleak's: a root (roots.c), since only libleak's stream points
 * to it once libleak's is first in the list. */
uintptr_t ll_late_next(void);
extern size_t ll_page_size;
static inline uintptr_t ll_page_up(uintptr_t a)
{
    return (a + ll_page_size - 1) & ~(uintptr_t)(ll_page_size - 1);
}
extern char **ll_argv;        /* the command line, for the report (a copy) */
extern int ll_argc;
/* /proc/thread-self/NAME, or /proc/self/NAME without it (Linux < 3.17):
 * once the main thread has called pthread_exit(), /proc/self/maps reads
 * empty and /proc/self/mem, pagemap and exe cannot be opened, while the
 * calling thread's view of the same address space still can. */
int ll_proc_open(const char *name, int flags);
/* Up to cap bytes from fd (its end, or cap) into buf, then fd closed; how
 * many (0 if none, or fd < 0).  Not NUL-terminated. */
size_t ll_read_close(int fd, char *buf, size_t cap);
void ll_flush_streams(void);  /* every stdio buffer out, taking no lock held */

#endif
