/* interpose.c - the exported allocator entry points.
 *
 * Each entry point has one shape: if libleak is not active on this thread,
 * pass through; else call the real function and, on success, record the
 * block (ll_on_alloc), or remove the record before the real free
 * (ll_on_free).  Policy lives elsewhere. */
#include "ll.h"
#include "nursery.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define LL_ALIGN_DEFAULT alignof(max_align_t)
#define LL_CALLER ((uintptr_t)__builtin_return_address(0))

/* scripts/bench also builds two copies.  -DLL_FORWARD_ONLY: the same entry
 * points, guard and forwarding, but no block recorded, so that what
 * interposing alone costs is measured beside what recording adds.  With
 * -DLL_UTHASH_FLOOR as well, each block gets one bare uthash record and
 * nothing more (tests/bench/floor.c): what the table alone costs.  In
 * libleak.so the LL_FLOOR_ hooks are empty. */
#ifdef LL_FORWARD_ONLY
#define LL_RECORDS 0
#else
#define LL_RECORDS 1
#endif
#ifdef LL_UTHASH_FLOOR
void ll_floor_add(uintptr_t p, size_t size, uintptr_t caller);
void ll_floor_del(uintptr_t p);
#define LL_FLOOR_ADD(p, size, caller) ll_floor_add((uintptr_t)(p), (size), (caller))
#define LL_FLOOR_DEL(p) ll_floor_del((uintptr_t)(p))
#else
#define LL_FLOOR_ADD(p, size, caller) ((void)0)
#define LL_FLOOR_DEL(p) ((void)0)
#endif

/* Active: initialised, not yet reported, and not inside libleak itself. */
static inline int ll_active(void)
{
    return ll_likely(!ll_guard) && ll_ready();
}

/* Not active.  Inside libleak (or after the report) the real allocator
 * serves untracked; before the real one is known, or while another thread
 * initialises, the bootstrap arena does. */
static int ll_pass_real(void)
{
    return (ll_guard || atomic_load(&ll_state) == LL_DONE) &&
           __atomic_load_n(&ll_real.malloc, __ATOMIC_ACQUIRE) && !ll_boot_salvaging();
}

/* Blocks made by a signal handler that interrupted mem.c or internal.c on
 * this thread (their locks are taken, so the internal set cannot be used):
 * kept in a small per-thread ring that needs no lock, so that their later
 * free on this thread is not called a bad free.  The 64 newest are kept. */
#define LL_ORPHANS 64
static LL_TLS uintptr_t ll_orphan[LL_ORPHANS];
static LL_TLS unsigned ll_orphan_pos;

static int ll_orphan_take(uintptr_t p)
{
    for (unsigned i = 0; i < LL_ORPHANS; i++)
        if (ll_orphan[i] == p) {
            ll_orphan[i] = 0;
            return 1;
        }
    return 0;
}

/* A block made for libleak's own callees while the program runs. */
static void *ll_pass_note(void *p)
{
    /* Not inside mem.c or internal.c: then this is a signal handler that
     * interrupted them, and their lock is taken; the orphan ring keeps it. */
    if (p && ll_guard && !ll_inner_held)
        ll_internal_add((uintptr_t)p);
    else if (p && ll_guard)
        ll_orphan[ll_orphan_pos++ % LL_ORPHANS] = (uintptr_t)p;
    return p;
}

static void *ll_pass_alloc(size_t n, size_t align)
{
    if (ll_pass_real())
        return ll_pass_note(align <= LL_ALIGN_DEFAULT ? ll_real.malloc(n)
                                                      : ll_real.memalign(align, n));
    void *p = ll_boot_alloc(n, align);
    if (!p)
        errno = ENOMEM;
    return p;
}

/* errno's address, asked once per thread: __errno_location() is a call
 * through the PLT, twice per malloc/free pair otherwise (the address of a
 * thread's errno never changes, and a fork child keeps it). */
#define ll_errno_at (ll_hot.errno_at)   /* ll.h: one TLS variable */

static inline int *ll_errno(void)
{
    int *e = ll_errno_at;
    if (ll_unlikely(!e))
        e = ll_errno_at = &errno;
    return e;
}

/* Our code leaves copies of the block's address in scratch registers, and
 * the caller may not overwrite them before it blocks in a system call: if
 * the program has dropped the block meanwhile and the leak check stops that
 * thread there, its registers are scanned and the copy would keep the block
 * "still reachable" (Valgrind: definitely lost).  So they are cleared on the
 * way out; the caller expects nothing in them.  (rax carries the result.) */
#if defined(__x86_64__)
#define LL_SCRUB_SCRATCH()                                                  \
    __asm__ volatile("xor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"             \
                     "xor %%esi, %%esi\n\txor %%edi, %%edi\n\t"             \
                     "xor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\t"             \
                     "xor %%r10d, %%r10d\n\txor %%r11d, %%r11d"               \
                     ::: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11")
#else
#define LL_SCRUB_SCRATCH() ((void)0)
#endif

/* The same for the stack: our callees' frames (and the real allocator's)
 * held the address just below the caller's stack pointer, and the calls the
 * caller makes next, down to a system call it blocks in, build frames there
 * that do not overwrite every slot.  A thread that allocated a block, let
 * it go, then waited, read "still reachable" (1000 such threads: 914 lost
 * with the registers cleared alone, 1000 with the 256 bytes below the
 * caller's frame cleared too, as Valgrind says).  In line, with AVX: 10
 * instructions (callgrind, pairs: 442 -> 433 per malloc/free pair, against
 * a call that made 16 stores of 16 bytes; churn 1 623 -> 614). */
#define LL_SCRUB_BYTES 256
#if defined(__x86_64__)
/* Stores straight below the stack pointer, in line: no call, no frame.
 * With AVX, 8 stores of 32 bytes rather than 16 of 16 (the stores are this
 * path's bottleneck; vzeroupper keeps the program's SSE code from paying
 * for the upper halves).  The slots are dead: a signal handler may build
 * its frame over them meanwhile, and is done before the next store. */
static int ll_scrub_ymm;

void ll_scrub_init(void)
{
    unsigned a, b, c, d, lo, hi;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) || !(c & bit_OSXSAVE))
        return;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ll_scrub_ymm = (lo & 6) == 6;       /* the kernel saves xmm and ymm state */
}

#define LL_YMM0(off) "vmovdqu %%ymm0, -" #off "(%%rsp)\n\t"
#define LL_XMM0(off) "movdqu %%xmm0, -" #off "(%%rsp)\n\t"
static inline __attribute__((always_inline)) void ll_scrub_stack(void)
{
    _Static_assert(LL_SCRUB_BYTES == 256, "the stores below clear 256 bytes");
    if (ll_likely(ll_scrub_ymm))
        __asm__ volatile("vpxor %%xmm0, %%xmm0, %%xmm0\n\t"
                         LL_YMM0(32) LL_YMM0(64) LL_YMM0(96) LL_YMM0(128)
                         LL_YMM0(160) LL_YMM0(192) LL_YMM0(224) LL_YMM0(256)
                         "vzeroupper" ::: "xmm0", "memory");
    else
        __asm__ volatile("pxor %%xmm0, %%xmm0\n\t"
                         LL_XMM0(16) LL_XMM0(32) LL_XMM0(48) LL_XMM0(64)
                         LL_XMM0(80) LL_XMM0(96) LL_XMM0(112) LL_XMM0(128)
                         LL_XMM0(144) LL_XMM0(160) LL_XMM0(176) LL_XMM0(192)
                         LL_XMM0(208) LL_XMM0(224) LL_XMM0(240) LL_XMM0(256)
                         ::: "xmm0", "memory");
}
#else                                   /* ll_scrub_init: libleak.c's weak one */
typedef long long ll_v2 __attribute__((vector_size(16)));
static __attribute__((noinline)) void ll_scrub_stack(void)
{
    ll_v2 below[LL_SCRUB_BYTES / sizeof(ll_v2)];
    for (size_t i = 0; i < sizeof below / sizeof below[0]; i++)
        below[i] = (ll_v2){ 0, 0 };
    __asm__ volatile("" : : "r"(below) : "memory");
}
#endif

/* Frees held back while the thread was inside libleak (below). */
static void ll_held_flush(void);

/* After a successful allocation: capture the stack and insert the record;
 * returns p.  errno is kept as the real call left it (success must not
 * change it).
 *
 * While the stack is walked, p waits in libleak's TLS, not in a register:
 * a register that holds it is saved by the walk's callees, deep below the
 * caller's frame, past the clearing below (ll_scrub_stack), and a report
 * that reads a stack whole (at a fatal signal) found the dropped block
 * there, "still reachable" (hostile::seccomp_filter_trapping_timers_still
 * _reports, once the nursery's add was in line here). */
static inline __attribute__((always_inline))
void *ll_on_alloc(void *p, size_t size, size_t align, unsigned fn,
                  const struct ll_caller *c)
{
    if (!LL_RECORDS) {
        LL_FLOOR_ADD(p, size, c->ra);
        return p;
    }
    int *e = ll_errno(), saved = *e;
    LL_GUARD_ENTER();
    ll_hot.pending = (uintptr_t)p;
    __asm__ volatile("" : "+m"(ll_hot.pending), "+r"(p));
    p = NULL;                           /* from here, only ll_hot.pending */
    uint32_t stack = ll_stack_capture_at(c->ra, c->sp, c->bp);
    p = (void *)ll_hot.pending;
    unsigned align_log2 = ll_log2(align);
    if (ll_nursery_add_in((uintptr_t)p, size, stack, fn, align_log2) < 0)
        ll_table_insert_far((uintptr_t)p, size, align_log2, fn, stack);
    LL_GUARD_LEAVE();
    *e = saved;
    if (ll_unlikely(ll_held.n))
        ll_held_flush();
    ll_scrub_stack();
    LL_SCRUB_SCRATCH();
    return p;
}

/* Why a pointer we do not know is being freed. */
static unsigned ll_bad_free_kind(uintptr_t p)
{
    struct ll_freed q;
    struct ll_block b;
    if (ll_quarantine_find(p, &q) || ll_fl_find(p, &q))
        return LL_ERR_DOUBLE_FREE;
    if (ll_table_find_containing(p, &b))
        return LL_ERR_INTERIOR_FREE;
    return LL_ERR_INVALID_FREE;
}

/* The element count C++ keeps before an array of objects with destructors
 * (the "cookie") takes max(8, alignof) bytes, the count in its last 8
 * (Itanium C++ ABI).  A class aligned to 16 or less comes from the plain
 * operator new[] (GCC's default new alignment is 16, which is what such a
 * block records), so its cookie is 8 or 16 bytes; one aligned to more
 * comes from the aligned operator new[], whose block records the class's
 * alignment, and that is its cookie.  The same holds for one object from
 * new, whose address delete[] takes to lie past a cookie.  1 if a block
 * from fn (LL_FN_NEW or LL_FN_NEW_ARRAY) can sit a c-byte cookie away. */
static int ll_cookie_fits(const struct ll_block *b, unsigned fn, uintptr_t c)
{
    uintptr_t align = (uintptr_t)1 << b->align_log2;
    if (b->fn != fn || (fn == LL_FN_NEW_ARRAY && b->size < c))
        return 0;
    return align <= LL_ALIGN_DEFAULT ? c <= LL_ALIGN_DEFAULT : c == align;
}

/* Larger cookies than this are not looked for: a class aligned to more
 * than a 2 MiB huge page is not met in practice. */
#define LL_COOKIE_MAX ((uintptr_t)2 << 20)

/* The cookie size c (0 if none) for which p + dir * c starts a block from
 * fn that fits it, the block in *b.  Only the table is asked.  A cookie
 * above 16 bytes comes with a block aligned to it, so p is aligned to it
 * too: the search stops at the first size p is not aligned to, and costs
 * two lookups and one more per larger power of two that divides p. */
static uintptr_t ll_cookie_find(uintptr_t p, int dir, unsigned fn, struct ll_block *b)
{
    for (uintptr_t c = 8; c <= LL_COOKIE_MAX; c <<= 1) {
        if (c > LL_ALIGN_DEFAULT && p % c)
            return 0;
        if (dir < 0 ? p < c : p > UINTPTR_MAX - c)
            return 0;
        if (ll_table_lookup(dir < 0 ? p - c : p + c, b) && ll_cookie_fits(b, fn, c))
            return c;
    }
    return 0;
}

/* Takes the record of the block found a c-byte cookie from p, if it is
 * still one that fits: another thread may have freed it and been given its
 * address again between the lookup and the removal. */
static int ll_cookie_take(uintptr_t at, uintptr_t c, unsigned fn, uintptr_t caller,
                          struct ll_block *b)
{
    if (!ll_table_remove(at, caller, b))
        return 0;
    if (ll_cookie_fits(b, fn, c))
        return 1;
    ll_table_restore(b);
    return 0;
}

/* An element count that fits the block: it divides the bytes after the
 * cookie, and for a cookie of 16 or more the element's size (a class's
 * size is a multiple of its alignment) is a multiple of the cookie. */
static int ll_count_fits(const struct ll_block *b, uintptr_t c, uint64_t count)
{
    size_t rest = b->size - c;
    return count && rest % count == 0 && (c == 8 || rest / count % c == 0);
}

/* delete or free of an array from new[] of a class with a destructor: the
 * pointer is past the element count C++ keeps before the array (the
 * cookie, 8 bytes or the class's alignment), which divides the rest (in 8
 * bytes, what reach.c's "newarray" heuristic reads).  It is the array's
 * start to the program, so it is the mismatched pair it looks like (new[]
 * with delete), not a free into the block's middle: the record goes, as
 * for any mismatch, and the block is kept from the allocator.  1 if it was
 * such a free. */
static int ll_array_mismatch(uintptr_t p, unsigned dealloc, uintptr_t caller)
{
    struct ll_block b;
    uintptr_t c;
    if (dealloc == LL_DEALLOC_DELETE_ARRAY ||
        !(c = ll_cookie_find(p, -1, LL_FN_NEW_ARRAY, &b)) ||
        !ll_cookie_take(p - c, c, LL_FN_NEW_ARRAY, caller, &b))
        return 0;
    /* read once the record is ours: no other thread's free can release the
     * block under this read any more */
    uint64_t count = *(const uint64_t *)(p - 8);
    if (!ll_count_fits(&b, c, count)) {
        ll_table_restore(&b);             /* a free into its middle after all */
        return 0;
    }
    ll_error_report_block(LL_ERR_MISMATCH, p, &b, dealloc);
    return 1;
}

/* The other way round: delete[] of an object from new, whose class has a
 * destructor.  delete[] takes the word before the object for the element
 * count it expects there and passes operator delete[] the address a
 * cookie before the object (8 bytes, or the class's alignment).  Only the
 * table is asked, about p + 8, p + 16, ...: p is no block of ours, so
 * nothing says it is mapped, and it is not read.  The mismatch is reported
 * with the object's block, whose record goes and which is kept from the
 * allocator.  1 if it was such a free. */
static int ll_object_mismatch(uintptr_t p, unsigned dealloc, uintptr_t caller)
{
    struct ll_block b;
    uintptr_t c;
    if (dealloc != LL_DEALLOC_DELETE_ARRAY || !(c = ll_cookie_find(p, 1, LL_FN_NEW, &b)) ||
        !ll_cookie_take(p + c, c, LL_FN_NEW, caller, &b))
        return 0;
    ll_error_report_block(LL_ERR_MISMATCH, p, &b, dealloc);
    return 1;
}

/* Before a free: remove the record first, so another thread that gets the
 * same address from the real malloc cannot have its record removed by us.
 * Returns 1 when p may go to the real free; a bad free is reported and
 * kept from the real allocator, so the program survives it. */
static int ll_on_free(void *p, unsigned dealloc, uintptr_t caller, int far)
{
    if (!LL_RECORDS) {
        LL_FLOOR_DEL(p);
        return 1;
    }
    int *e = ll_errno(), saved = *e;
    int ok = 1;
    struct ll_block b;
    ll_guard++;
    if (far ? ll_table_remove_far((uintptr_t)p, caller, &b)
            : ll_table_remove((uintptr_t)p, caller, &b)) {
        /* A mismatched pair is a bad free like the others: reported, and the
         * block kept from the allocator (its record is gone: the program
         * meant to free it, so it is not reported again as a leak). */
        if (!ll_fn_pairs(b.fn, dealloc)) {
            ll_error_report(LL_ERR_MISMATCH, (uintptr_t)p, dealloc);
            ok = 0;
        } else if (ll_fl_limit) {
            ll_fl_note(&(struct ll_freed){ .ptr = b.ptr, .size = b.size, .free_pc = caller,
                                            .alloc_stack = b.stack, .fn = b.fn });
        }
    } else if (!ll_internal_remove((uintptr_t)p) && !ll_orphan_take((uintptr_t)p)) {
        if (!ll_array_mismatch((uintptr_t)p, dealloc, caller) &&
            !ll_object_mismatch((uintptr_t)p, dealloc, caller))
            ll_error_report(ll_bad_free_kind((uintptr_t)p), (uintptr_t)p, dealloc);
        ok = 0;
    }
    ll_guard--;
    *e = saved;
    return ok;
}

/* The real free of a tracked block, marked (ll_in_real) as LL_REAL marks
 * the calls that return a value. */
static inline void ll_free_real(void *p)
{
    ll_in_real++;
    ll_free_tracked(p);
    ll_in_real--;
}

/* ---- frees held back -------------------------------------------------------
 * A free on a thread inside libleak's bookkeeping, of a block libleak's own
 * callees did not make: a signal handler's, or a C library call of
 * libleak's letting go of a block the program's own call made (dlerror's
 * message).  The record cannot be removed there (the thread may hold the
 * locks), and a block let go at once kept it: one whose address was not
 * given out again read lost (a handler freeing a block every millisecond:
 * 100 bytes in 1 run of 3).  The free is held back, block and all, and
 * done in full at the thread's next allocation, or as the thread ends; the
 * exit report leaves out those of threads still running (their nurseries
 * point to their lists).  A slot is claimed with one atomic add, so a
 * handler that interrupts another's claim takes the next one. */
static int ll_can_hold(void)
{
    return ll_held.n < LL_HELD && !ll_internal_off && atomic_load(&ll_state) == LL_READY;
}

static int ll_hold_free(void *p, unsigned dealloc, uintptr_t caller)
{
    if (!ll_can_hold())
        return 0;
    unsigned i = __atomic_fetch_add(&ll_held.n, 1, __ATOMIC_RELAXED);
    if (i >= LL_HELD)
        return 0;                       /* a nested handler took the last slot */
    ll_held.e[i] = (struct ll_held_free){ p, caller, dealloc };
    atomic_fetch_add(&ll_held_pending, 1);
    ll_held_register();
    return 1;
}

/* Every free but the common one: p unknown to this thread's nursery
 * (own 0: then only the table and other threads' nurseries are left to
 * ask), or not asked (own -1), or not active. */
static __attribute__((noinline))
void ll_free_slow(void *p, unsigned dealloc, uintptr_t caller, int own)
{
    if (!p || ll_unlikely(ll_boot_arena_owns(p)))
        return;
    if (!ll_active()) {
        if (ll_boot_owns(p)) {          /* the salvage region's: see ll_boot_arena_owns */
            ll_boot_free(p);
            return;
        }
        if (ll_guard && !ll_inner_held && !ll_internal_remove((uintptr_t)p) &&
            ll_hold_free(p, dealloc, caller))
            return;
        if (ll_real.free && !ll_boot_salvaging())   /* else: kept, the heap is broken */
            ll_real.free(p);
        return;
    }
    if (ll_on_free(p, dealloc, caller, own == 0))
        ll_free_real(p);
}

/* The common free is of a young block of this thread: it is done here,
 * with nothing to save (no errno: nothing on this path can set it; no copy
 * of the record).  The guard keeps a signal handler's malloc away from the
 * nursery's lock. */
static inline __attribute__((always_inline))
void ll_free_any(void *p, unsigned dealloc, uintptr_t caller)
{
    int own = -1;
    if (LL_RECORDS && ll_likely(p && !ll_guard) &&
        ll_likely(atomic_load_explicit(&ll_state, memory_order_acquire) == LL_READY)) {
        LL_GUARD_ENTER();
        own = ll_nursery_free_own_in((uintptr_t)p, caller, dealloc);
        LL_GUARD_LEAVE();
        if (ll_likely(own > 0)) {
            ll_free_real(p);
            return;
        }
    }
    ll_free_slow(p, dealloc, caller, own);
}

/* The held frees, done in full; signals blocked while the list is taken,
 * so that a handler's new one is not lost. */
static __attribute__((noinline)) void ll_held_flush(void)
{
    int saved = errno;
    sigset_t all, old;
    struct ll_held_free h[LL_HELD];
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    unsigned n = ll_held.n < LL_HELD ? ll_held.n : LL_HELD;
    memcpy(h, ll_held.e, n * sizeof h[0]);
    memset(ll_held.e, 0, n * sizeof h[0]);      /* the report reads them too */
    ll_held.n = 0;
    atomic_fetch_sub(&ll_held_pending, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    for (unsigned i = 0; i < n; i++)
        ll_free_any(h[i].p, h[i].dealloc, h[i].caller);
    errno = saved;
}

/* The thread ends (its exit key's destructor), or the process does. */
void ll_held_settle(void)
{
    if (ll_held.n && !ll_guard)
        ll_held_flush();
}

/* ---- C ------------------------------------------------------------------ */

LL_EXPORT void *malloc(size_t n)
{
    if (!ll_active())
        return ll_pass_alloc(n, 0);
    struct ll_caller c = LL_CALLER_FRAME();
    void *p = LL_REAL(ll_real.malloc(n));
    if (ll_likely(p != NULL))
        p = ll_on_alloc(p, n, LL_ALIGN_DEFAULT, LL_FN_MALLOC, &c);
    return p;
}

LL_EXPORT void free(void *p)
{
    ll_free_any(p, LL_DEALLOC_FREE, LL_CALLER);
}

LL_EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (!ll_active())
        return ll_pass_real() ? ll_pass_note(ll_real.calloc(n, size))
                              : ll_pass_alloc(total, 0);
    struct ll_caller c = LL_CALLER_FRAME();
    void *p = LL_REAL(ll_real.calloc(n, size));
    if (ll_likely(p != NULL))
        p = ll_on_alloc(p, total, LL_ALIGN_DEFAULT, LL_FN_CALLOC, &c);
    return p;
}

/* realloc of a bootstrap block: move it into the real heap. */
static void *ll_realloc_boot(void *p, size_t n, unsigned fn)
{
    void *q = malloc(n);
    if (q) {
        size_t old = ll_boot_size(p);
        memcpy(q, p, old < n ? old : n);
        ll_boot_free(p);
        if (ll_active()) {       /* re-tag: the caller asked for realloc */
            struct ll_block b;
            if (ll_table_remove((uintptr_t)q, 0, &b)) {
                b.fn = (uint8_t)fn;
                ll_table_restore(&b);
            }
        }
    }
    return q;
}

/* realloc of a block from new or new[] (its record just removed): a
 * mismatched pair, reported as free reports one, and the block is kept
 * from the allocator (the program meant to free it: not a leak either).
 * Its bytes move to a new block from malloc, so the program goes on as
 * realloc promises; if there is none, the old block keeps its record, as
 * after any failed realloc. */
static __attribute__((noinline))
void *ll_realloc_mismatch(void *p, size_t n, const struct ll_block *old, unsigned fn,
                          const struct ll_caller *c)
{
    int saved = errno;
    ll_guard++;
    ll_error_report_block(LL_ERR_MISMATCH, old->ptr, old, LL_DEALLOC_REALLOC);
    ll_guard--;
    errno = saved;
    if (n == 0)
        return NULL;              /* realloc(p, 0) frees p (glibc returns NULL) */
    void *q = LL_REAL(ll_real.malloc(n));
    if (!q) {
        saved = errno;
        ll_guard++;
        ll_table_restore(old);
        ll_guard--;
        errno = saved;
        return NULL;
    }
    memcpy(q, p, old->size < n ? old->size : n);
    return ll_on_alloc(q, n, LL_ALIGN_DEFAULT, fn, c);
}

/* realloc of a real block, untracked, once the real allocator is not to
 * be called (ll_boot_salvage): a copy in the bootstrap allocator, the old
 * block left as it is.  Its size is read from the allocator's header of the
 * block (no lock, no list).  Before the real allocator is known there is
 * no such block: NULL. */
static void *ll_realloc_salvage(void *p, size_t n)
{
    if (!ll_boot_salvaging() || !ll_real.malloc_usable_size)
        return NULL;
    void *q = ll_pass_alloc(n, 0);
    if (q && n) {
        size_t old = ll_real.malloc_usable_size(p);
        memcpy(q, p, old < n ? old : n);
    }
    return q;
}

/* realloc of a program's block by a signal handler that interrupted
 * libleak's bookkeeping: the record cannot be moved there, and a real
 * realloc that moved the block left it behind (the block read lost).  The
 * new block is made apart (untracked, as such a handler's malloc is), the
 * bytes copied, and the old block's free held back.  realloc(p, 0) frees
 * p, as glibc's does. */
static void *ll_realloc_held(void *p, size_t n, uintptr_t caller)
{
    if (!n) {
        if (!ll_hold_free(p, LL_DEALLOC_FREE, caller))
            ll_real.free(p);
        return NULL;
    }
    void *q = ll_pass_note(ll_real.malloc(n));
    if (!q)
        return NULL;
    size_t old = ll_real.malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    if (!ll_hold_free(p, LL_DEALLOC_FREE, caller))  /* its free, as realloc's */
        ll_real.free(p);        /* a nested handler took the last slot */
    return q;
}

static void *ll_realloc_any(void *p, size_t n, unsigned fn,
                            const struct ll_caller *c)
{
    if (ll_unlikely(p && ll_boot_arena_owns(p)))
        return ll_realloc_boot(p, n, fn);
    if (!LL_RECORDS && ll_active()) {
        if (p)
            LL_FLOOR_DEL(p);
        void *q = LL_REAL(ll_real.realloc(p, n));
        if (q || (p && n))          /* a failed realloc keeps the old block */
            LL_FLOOR_ADD(q ? q : p, n, c->ra);
        return q;
    }
    if (!ll_active()) {
        if (p && ll_boot_owns(p))         /* the salvage region's */
            return ll_realloc_boot(p, n, fn);
        if (ll_pass_real()) {
            int internal = ll_guard && !ll_inner_held && p &&
                           ll_internal_remove((uintptr_t)p);
            if (ll_guard && !ll_inner_held && p && !internal && ll_can_hold() &&
                ll_real.malloc_usable_size)
                return ll_realloc_held(p, n, c->ra);
            void *q = ll_real.realloc(p, n);
            if (internal && !q && n)
                ll_internal_add((uintptr_t)p);
            return ll_pass_note(q);
        }
        return p ? ll_realloc_salvage(p, n) : ll_pass_alloc(n, 0);
    }
    struct ll_block old;
    if (p) {
        ll_guard++;
        int known = ll_table_remove((uintptr_t)p, 0, &old);
        if (!known && ll_internal_remove((uintptr_t)p)) {
            ll_guard--;           /* the loader growing its own block */
            void *q = ll_real.realloc(p, n);
            ll_internal_add((uintptr_t)(q ? q : p));
            return q;
        }
        if (!known)
            ll_error_report(LL_ERR_INVALID_REALLOC, (uintptr_t)p,
                            LL_DEALLOC_REALLOC);
        ll_guard--;
        if (!known) {
            errno = ENOMEM;
            return NULL;
        }
        if (ll_unlikely(ll_fn_family(old.fn) != LL_DEALLOC_FREE))
            return ll_realloc_mismatch(p, n, &old, fn, c);
    }
    if (ll_unlikely(ll_fl_limit && p))
        ll_fl_note(&(struct ll_freed){ .ptr = old.ptr, .size = old.size, .free_pc = c->ra,
                                        .alloc_stack = old.stack, .fn = old.fn });
    void *q = ll_unlikely(ll_fl_limit && p) ? ll_fl_realloc(p, n)
                                            : LL_REAL(ll_real.realloc(p, n));
    if (q)
        q = ll_on_alloc(q, n, LL_ALIGN_DEFAULT, fn, c);
    else if (p && n) {
        int saved = errno;        /* a failed realloc keeps the old block */
        ll_guard++;
        ll_table_restore(&old);
        ll_guard--;
        errno = saved;
    }
    return q;
}

LL_EXPORT void *realloc(void *p, size_t n)
{
    struct ll_caller c = LL_CALLER_FRAME();
    return ll_realloc_any(p, n, LL_FN_REALLOC, &c);
}

LL_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    struct ll_caller c = LL_CALLER_FRAME();
    return ll_realloc_any(p, total, LL_FN_REALLOCARRAY, &c);
}

static int ll_pow2(size_t a) { return a && !(a & (a - 1)); }

/* The alignment glibc's memalign gives (and its aligned_alloc before 2.38):
 * malloc's at least, one that is not a power of two rounded up to one. */
static size_t ll_align_given(size_t align)
{
    if (align <= LL_ALIGN_DEFAULT)
        return LL_ALIGN_DEFAULT;
    if (ll_pow2(align) || align > SIZE_MAX / 2 + 1)
        return align;             /* the latter is refused: never recorded */
    size_t a = align - 1;
    for (unsigned s = 1; s < sizeof(a) * 8; s <<= 1)
        a |= a >> s;
    return a + 1;
}

LL_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (!ll_pow2(align) || align % sizeof(void *))
        return EINVAL;
    if (!ll_active()) {
        void *p = ll_pass_alloc(n, align);
        if (!p)
            return ENOMEM;
        *out = p;
        return 0;
    }
    struct ll_caller c = LL_CALLER_FRAME();
    /* errno as the real call leaves it: glibc's sets ENOMEM on failure too. */
    int r = LL_REAL(ll_real.posix_memalign(out, align, n));
    if (r == 0)
        *out = ll_on_alloc(*out, n, align, LL_FN_POSIX_MEMALIGN, &c);
    return r;
}

/* The aligned calls that return a pointer share one body.  The real
 * function decides what align it accepts; got is the alignment a block it
 * returns has, and size the bytes the program owns (n asked, but pvalloc's
 * whole pages), which are recorded. */
static void *ll_aligned(void *(*real)(size_t, size_t), size_t align, size_t got,
                        size_t n, size_t size, unsigned fn, const struct ll_caller *c)
{
    if (!ll_active())
        return ll_pass_real() ? ll_pass_note(real(align, n)) : ll_pass_alloc(size, got);
    void *p = LL_REAL(real(align, n));
    if (p)
        p = ll_on_alloc(p, size, got, fn, c);
    return p;
}

/* glibc before 2.38 rounds an alignment that is not a power of two up, as
 * memalign does; later ones fail with EINVAL.  Forwarded as it is, so the
 * program sees what its libc does.  A power of two is recorded as asked. */
LL_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    struct ll_caller c = LL_CALLER_FRAME();
    size_t got = ll_pow2(align) ? align : ll_align_given(align);
    return ll_aligned(ll_real.aligned_alloc, align, got, n, n, LL_FN_ALIGNED_ALLOC, &c);
}

LL_EXPORT void *memalign(size_t align, size_t n)
{
    struct ll_caller c = LL_CALLER_FRAME();
    return ll_aligned(ll_real.memalign, align, ll_align_given(align), n, n, LL_FN_MEMALIGN, &c);
}

static void *ll_real_valloc(size_t align, size_t n) { (void)align; return ll_real.valloc(n); }
static void *ll_real_pvalloc(size_t align, size_t n) { (void)align; return ll_real.pvalloc(n); }

LL_EXPORT void *valloc(size_t n)
{
    struct ll_caller c = LL_CALLER_FRAME();
    return ll_aligned(ll_real_valloc, ll_page_size, ll_page_size, n, n, LL_FN_VALLOC, &c);
}

/* pvalloc gives whole pages, all the program's: a pointer into the
 * rounded-up part keeps the block.  pvalloc(0) is recorded as 0 bytes:
 * glibc 2.36 rounds with `& -(pagesize - 1)`, which turns 0 into 1, and the
 * block has 24 usable bytes, not a page.  A size whose rounding overflows
 * fails (SIZE_MAX: the bootstrap arena refuses it too). */
LL_EXPORT void *pvalloc(size_t n)
{
    struct ll_caller c = LL_CALLER_FRAME();
    size_t size;
    if (__builtin_add_overflow(n, ll_page_size - 1, &size))
        size = SIZE_MAX;
    else
        size &= ~(ll_page_size - 1);
    return ll_aligned(ll_real_pvalloc, ll_page_size, ll_page_size, n, size,
                      LL_FN_PVALLOC, &c);
}

LL_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (ll_boot_owns(p))
        return ll_boot_size(p);
    return ll_real.malloc_usable_size ? ll_real.malloc_usable_size(p) : 0;
}

/* glibc's other names for the same functions, which some programs call
 * (Valgrind replaces them too): the same entry points, so that a block from
 * __libc_malloc freed with free, or from malloc with __libc_free, is one
 * allocator's.  cfree is a compat symbol (old binaries only).  libleak
 * itself never asks for these names (real.c resolves the plain ones). */
#define LL_ALIAS(name, target) \
    LL_EXPORT __typeof__(target) name __attribute__((alias(#target)))
LL_ALIAS(__libc_malloc, malloc);
LL_ALIAS(__libc_free, free);
LL_ALIAS(__libc_calloc, calloc);
LL_ALIAS(__libc_realloc, realloc);
LL_ALIAS(__libc_memalign, memalign);
LL_ALIAS(__libc_valloc, valloc);
LL_ALIAS(__libc_pvalloc, pvalloc);
LL_ALIAS(cfree, free);

/* ---- C++ operator new / delete -------------------------------------------
 * Mangled names, so this file stays C.  new keeps operator new's failure
 * behaviour: call the installed new-handler until it succeeds, then throw
 * std::bad_alloc (nothrow variants return NULL instead). */

typedef void (*ll_new_handler)(void);

/* The C++ runtime's functions, looked up only when an allocation fails:
 * in the global scope (RTLD_DEFAULT), or after libleak (RTLD_NEXT). */
static void *ll_cxx_sym(void *scope, const char *name)
{
    ll_guard++;
    void *f = dlsym(scope, name);
    ll_guard--;
    return f;
}

static ll_new_handler ll_new_handler_get(void)
{
    ll_new_handler (*get)(void) =
        (ll_new_handler (*)(void))ll_cxx_sym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
    return get ? get() : NULL;
}

/* Throws std::bad_alloc through our frames (built with unwind tables);
 * returns only when there is no C++ runtime. */
static void ll_throw_bad_alloc(void)
{
    void (*thr)(void) = (void (*)(void))ll_cxx_sym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    if (thr)
        thr();
}

/* new of 0 bytes asks for 1 (each new returns a distinct pointer), as
 * libstdc++'s does, and records 0, the size the program asked for, as
 * Valgrind counts it. */
static void *ll_new_try(size_t n, size_t align, unsigned fn,
                        const struct ll_caller *c)
{
    size_t ask = n + !n;
    if (align > LL_ALIGN_DEFAULT)
        return ll_aligned(ll_real.memalign, align, ll_align_given(align), ask, n, fn, c);
    if (!ll_active())
        return ll_pass_alloc(ask, 0);
    void *p = LL_REAL(ll_real.malloc(ask));
    if (ll_likely(p != NULL))
        p = ll_on_alloc(p, n, LL_ALIGN_DEFAULT, fn, c);
    return p;
}

/* The throwing operator new: the handler runs until it succeeds, gives up
 * (none left installed) or throws. */
static void *ll_new(size_t n, size_t align, unsigned fn, const struct ll_caller *c)
{
    for (;;) {
        void *p = ll_new_try(n, align, fn, c);
        if (ll_likely(p != NULL))
            return p;
        ll_new_handler h = ll_new_handler_get();
        if (!h)
            break;
        h();
    }
    ll_throw_bad_alloc();
    return NULL;
}

/* The nothrow operator new.  After a failure with a new-handler installed
 * the handler must run, and it may throw std::bad_alloc, which must not
 * leave this noexcept function; C cannot catch it.  So the C++ runtime's
 * own nothrow operator (next), which in libstdc++ is
 * `try { return ::operator new(n); } catch (...) { return nullptr; }`,
 * takes over: its ::operator new is ours (ll_new above), which runs the
 * handler and records a block that then comes (its stack starts in the
 * runtime's nothrow operator).  Without a runtime the handler is not
 * called.  aligned: an align_val_t form (next takes align too). */
static void *ll_new_nothrow(size_t n, int aligned, size_t align, unsigned fn,
                            const char *next, const void *nothrow,
                            const struct ll_caller *c)
{
    void *p = ll_new_try(n, align, fn, c);
    if (ll_likely(p != NULL) || !ll_new_handler_get())
        return p;
    void *f = ll_cxx_sym(RTLD_NEXT, next);
    if (!f)
        return NULL;
    if (aligned)
        return ((void *(*)(size_t, size_t, const void *))f)(n, align, nothrow);
    return ((void *(*)(size_t, const void *))f)(n, nothrow);
}

/* aligned: an align_val_t form.  An alignment that is not a power of two
 * (0 included) is never a block: libstdc++'s aligned operator new throws
 * std::bad_alloc at once, no handler called, and its nothrow form then
 * returns nullptr. */
#define LL_NEW(name, params, n, aligned, align, fn)                        \
    LL_EXPORT void *name params                                            \
    {                                                                      \
        if (aligned && ll_unlikely(!ll_pow2(align))) {                     \
            ll_throw_bad_alloc();                                          \
            return NULL;                                                   \
        }                                                                  \
        struct ll_caller c = LL_CALLER_FRAME();                            \
        return ll_new(n, align, fn, &c);                                   \
    }
#define LL_NEW_NOTHROW(name, params, n, aligned, align, fn)                \
    LL_EXPORT void *name params                                            \
    {                                                                      \
        if (aligned && ll_unlikely(!ll_pow2(align)))                       \
            return NULL;                                                   \
        struct ll_caller c = LL_CALLER_FRAME();                            \
        return ll_new_nothrow(n, aligned, align, fn, #name, t, &c);        \
    }
#define LL_DELETE(name, params, dealloc) \
    LL_EXPORT void name params { ll_free_any(p, dealloc, LL_CALLER); }

typedef struct ll_nothrow ll_nothrow;   /* std::nothrow_t, passed by reference */

/* operator new(size_t), new[](size_t), their nothrow and align_val_t forms */
LL_NEW(_Znwm, (size_t n), n, 0, 0, LL_FN_NEW)
LL_NEW(_Znam, (size_t n), n, 0, 0, LL_FN_NEW_ARRAY)
LL_NEW_NOTHROW(_ZnwmRKSt9nothrow_t, (size_t n, const ll_nothrow *t), n, 0, 0, LL_FN_NEW)
LL_NEW_NOTHROW(_ZnamRKSt9nothrow_t, (size_t n, const ll_nothrow *t), n, 0, 0, LL_FN_NEW_ARRAY)
LL_NEW(_ZnwmSt11align_val_t, (size_t n, size_t a), n, 1, a, LL_FN_NEW)
LL_NEW(_ZnamSt11align_val_t, (size_t n, size_t a), n, 1, a, LL_FN_NEW_ARRAY)
LL_NEW_NOTHROW(_ZnwmSt11align_val_tRKSt9nothrow_t, (size_t n, size_t a, const ll_nothrow *t),
               n, 1, a, LL_FN_NEW)
LL_NEW_NOTHROW(_ZnamSt11align_val_tRKSt9nothrow_t, (size_t n, size_t a, const ll_nothrow *t),
               n, 1, a, LL_FN_NEW_ARRAY)

/* operator delete / delete[]: plain, sized, nothrow, aligned */
LL_DELETE(_ZdlPv, (void *p), LL_DEALLOC_DELETE)
LL_DELETE(_ZdaPv, (void *p), LL_DEALLOC_DELETE_ARRAY)
LL_DELETE(_ZdlPvm, (void *p, size_t n), ((void)n, LL_DEALLOC_DELETE))
LL_DELETE(_ZdaPvm, (void *p, size_t n), ((void)n, LL_DEALLOC_DELETE_ARRAY))
LL_DELETE(_ZdlPvRKSt9nothrow_t, (void *p, const ll_nothrow *t), ((void)t, LL_DEALLOC_DELETE))
LL_DELETE(_ZdaPvRKSt9nothrow_t, (void *p, const ll_nothrow *t), ((void)t, LL_DEALLOC_DELETE_ARRAY))
LL_DELETE(_ZdlPvSt11align_val_t, (void *p, size_t a), ((void)a, LL_DEALLOC_DELETE))
LL_DELETE(_ZdaPvSt11align_val_t, (void *p, size_t a), ((void)a, LL_DEALLOC_DELETE_ARRAY))
LL_DELETE(_ZdlPvmSt11align_val_t, (void *p, size_t n, size_t a),
          ((void)n, (void)a, LL_DEALLOC_DELETE))
LL_DELETE(_ZdaPvmSt11align_val_t, (void *p, size_t n, size_t a),
          ((void)n, (void)a, LL_DEALLOC_DELETE_ARRAY))
LL_DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t a, const ll_nothrow *t),
          ((void)a, (void)t, LL_DEALLOC_DELETE))
LL_DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t a, const ll_nothrow *t),
          ((void)a, (void)t, LL_DEALLOC_DELETE_ARRAY))

/* ---- ELF constructor and destructor --------------------------------------- */

__attribute__((constructor)) static void ll_ctor(int argc, char **argv)
{
    ll_start(argc, argv);
}

__attribute__((destructor)) static void ll_dtor(void)
{
    ll_held_settle();
    ll_finish();
}
