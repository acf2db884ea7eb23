/* roots.c - the roots of the real process, for reach.c's scan.
 *
 * What is a root (decided against Valgrind memcheck, which scans every
 * client mapping that is readable and writable, minus its heap, and each
 * thread's stack from its stack pointer up):
 *
 *  - writable segments of every loaded object but libleak, to the end of
 *    their last page (ld.so puts its early allocations there); in the real
 *    allocator's object (libc) a word that points at a malloc chunk header
 *    does not count, in the dynamic loader's any pointer makes a block
 *    Reachable (see object_cb);
 *  - every thread's registers and stack, from its stack pointer to the end
 *    of its stack block, which holds its static TLS and its TCB (so its
 *    pthread_setspecific values): the exiting thread from exit's caller
 *    (exitroot.c), the others stopped by a signal (threads.c); a stack
 *    pointer in a block or mapping of the program's is a coroutine's: that
 *    stack, and the thread's own too (add_thread_stack); the report's own
 *    stack (bigstack.c) never: the exiting thread's is read instead;
 *  - each TCB's DTV, by its exact start; through it dynamic TLS (tls.c);
 *  - the stdio stream after libleak's own in glibc's list, by its exact
 *    start (late.c: libleak's stream, first in the list, is no root);
 *  - the start argument of each thread created but not started yet (its
 *    record in glibc holds libleak's start instead, threads.c); a started
 *    thread's is its key value in its TCB (nursery.c);
 *  - the blocks the C library and the loader made for libleak's own calls
 *    (internal.c): they hold the program's blocks once it asks for the same
 *    (a library libleak loaded that the program dlopens too);
 *  - anonymous private writable mappings: the program's own mmap regions,
 *    and ld.so's early allocations, among them the main thread's TCB and
 *    static TLS.  Not: mappings over 64 GiB (sanitizer shadows, runtime
 *    reservations: reading them would take hours), mappings that hold many
 *    small blocks packed together, or start a glibc arena heap (64 MiB
 *    aligned) - the allocator's own, whose free chunks hold stale pointers;
 *    the pages that blocks lie in (a block is scanned only when reached);
 *    thread stacks (scanned from their stack pointer, since below it lie
 *    dead frames); the cached stacks of exited threads (dead: only what
 *    their TCB owns, see tls.c); libleak's own memory;
 *  - private writable mappings of files (no device's) that are no loaded
 *    object's segments: the pages the process wrote there (roots_add_cow).
 *
 * Not scanned, unlike Valgrind: shared mappings (MAP_SHARED, of /dev/zero too),
 * [heap] (glibc's main arena: its free chunks hold stale pointers; its
 * blocks are scanned when reached), and the pages of private file mappings
 * the process did not write (the file's own: they hold none of its
 * pointers).  An anonymous mapping the program named ("[anon:NAME]") is
 * one like the others (reach.c).
 *
 * Order matters: everything that takes a lock another thread may hold
 * (dl_iterate_phdr, dlsym) runs before the other threads are stopped;
 * while they are stopped nothing here allocates from malloc. */
#include "ll.h"
#include "reach.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE_DOWN(a) ((a) & ~(uintptr_t)4095)
#define PAGE_UP(a) (((a) + 4095) & ~(uintptr_t)4095)
#define ARENA_HEAP ((uintptr_t)64 << 20)    /* glibc's HEAP_MAX_SIZE, 64-bit */
#define HEAP_BLOCKS 64                     /* more packed blocks: an allocator's mapping */
#define ANON_MAX ((uintptr_t)64 << 30)     /* larger: a reservation, not data */
#define OWNED_MAX 256

/* ---- loaded objects ------------------------------------------------------ */

struct objects {
    struct ll_roots *roots;
    struct ll_ranges *segs;   /* every object's writable pages, libleak's too */
    uintptr_t self, alloc, loader;
    unsigned index;
    int err;
};

/* libleak's own static TLS (its per-thread nursery holds block pointers):
 * at a fixed distance below each thread's TCB, never a root. */
static uintptr_t self_tls_below, self_tls_size;

static void note_self_tls(const struct dl_phdr_info *info)
{
    for (unsigned k = 0; k < info->dlpi_phnum; k++)
        if (info->dlpi_phdr[k].p_type == PT_TLS && info->dlpi_tls_data && ll_tcb_supported()) {
            self_tls_below = (uintptr_t)pthread_self() - (uintptr_t)info->dlpi_tls_data;
            self_tls_size = info->dlpi_phdr[k].p_memsz;
        }
}

static int add_self_tls(struct ll_ranges *holes, uintptr_t tcb)
{
    if (!self_tls_size || !tcb) return 0;
    return ll_ranges_add(holes, tcb - self_tls_below, tcb - self_tls_below + self_tls_size);
}

static int object_contains(const struct dl_phdr_info *info, uintptr_t a)
{
    for (unsigned k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && a - lo < ph->p_memsz) return 1;
    }
    return 0;
}

/* Writable PT_LOAD segments (data, bss) of every object but libleak itself.
 * The main program is listed first and is never skipped: when reach.c is
 * linked into it (unit tests) its globals are the program's globals.  The
 * real allocator's object (libc) holds chunk pointers such as glibc's
 * main_arena.top, which point into the last 8 bytes of the block before a
 * free chunk: from there such words do not count (reach.c's chunk_header),
 * while other pointers into a block's middle (strtok's saved position,
 * stdout's buffer from setvbuf) make it Possible, as in Valgrind.  The dynamic loader
 * keeps blocks it allocated for the life of the process through aligned
 * pointers into them (_dl_find_object's segments: malloc'd, then aligned
 * to 64 bytes); Valgrind hides them by calling __libc_freeres first (we
 * cannot: destructors still run after the report, and it frees what they
 * may use).  So from the loader's data any pointer into a block counts as
 * a start pointer: what ld.so holds is ld.so's, not a possible leak. */
static int object_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct objects *o = data;
    (void)size;
    int self = o->index++ > 0 && object_contains(info, o->self);
    if (self) note_self_tls(info);
    struct ll_ranges *to = object_contains(info, o->alloc) ? &o->roots->start
                         : o->loader && info->dlpi_addr == o->loader ? &o->roots->loader
                         : &o->roots->any;
    for (unsigned k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W)) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = PAGE_UP(lo + ph->p_memsz);
        o->err |= ll_ranges_add(o->segs, PAGE_DOWN(lo), hi);
        if (!self) o->err |= ll_ranges_add(to, lo, hi);
    }
    return 0;
}

static int roots_add_objects(struct ll_roots *roots, struct ll_ranges *segs)
{
    /* Unit tests never resolve ll_real; the allocator is then whatever the
     * program's malloc is (dlsym may allocate: the guard is held). */
    void *alloc = (void *)ll_real.malloc;
    if (!alloc) alloc = dlsym(RTLD_NEXT, "malloc");
    struct objects o = { roots, segs, (uintptr_t)&ll_reach_classify, (uintptr_t)alloc,
                         getauxval(AT_BASE), 0, 0 };
    dl_iterate_phdr(object_cb, &o);
    return o.err;
}

/* ---- stacks and thread control blocks ------------------------------------ */

/* The mapping holding a, or NULL. */
static const struct ll_range *mapping_of(const struct ll_ranges *maps, uintptr_t a)
{
    size_t k = ll_maps_find(maps, a);
    return k < maps->n && maps->v[k].lo <= a ? &maps->v[k] : NULL;
}

/* A thread's stack, from sp: to the end of its TCB's page when its TCB
 * tops the same mapping (glibc-allocated or user-given stacks), else to the
 * end of the mapping (the main thread's [stack]).  The whole stack block,
 * dead part included, is kept out of the anonymous roots. */
static int roots_add_stack(struct ll_roots *roots, struct ll_ranges *excl,
                           const struct ll_ranges *maps, uintptr_t sp, uintptr_t tcb)
{
    const struct ll_range *m = mapping_of(maps, sp);
    if (!m) return 0;
    uintptr_t end = m->hi;
    if (ll_tcb_supported() && tcb > sp && tcb < m->hi) end = ll_tcb_top(tcb);
    return ll_ranges_add(&roots->any, sp, end) | ll_ranges_add(excl, m->lo, end);
}

static int add_dtv(struct ll_roots *roots, int memfd, uintptr_t tcb)
{
    uintptr_t w[3];
    if (memfd < 0 || ll_peek(memfd, tcb, w, sizeof w) != sizeof w || !ll_tcb_is(w, tcb))
        return 0;
    uintptr_t d = ll_tcb_dtv_block(w[1]);
    return ll_ranges_add_word(&roots->words, d);
}

struct ll_check_notes ll_check_notes;

/* A thread left running: its whole stack is scanned, and the report says so. */
static void note_running(const struct ll_stopped *s, pid_t tid)
{
    if (!ll_check_notes.running++)
        ll_check_notes.first_tid = (int)tid;
    ll_check_notes.blocking += s && s->blocked;
}

static const struct ll_stopped *slot_of(const struct ll_stopped *th, size_t nth, pid_t tid)
{
    for (size_t i = 0; i < nth; i++)
        if (th[i].tid == tid) return &th[i];
    return NULL;
}

/* A TCB at t (copied in w) that no stopped thread owns: an exited thread's,
 * kept in glibc's stack cache (its tid is 0, or -1 once joined), or a running thread's that
 * did not stop.  The former's stack is dead; the latter's is scanned whole
 * as an anonymous mapping.  Running ones: their DTV is a root word. */
static int other_tcb(struct ll_roots *roots, struct ll_ranges *excl,
                     struct ll_ranges *holes, int memfd,
                     const uintptr_t *w, uintptr_t t, uintptr_t mlo,
                     const struct ll_stopped *th, size_t nth)
{
    int off = ll_tcb_tid_offset();
    int32_t tid = 0;
    if (off < 0 || ll_peek(memfd, t + (uintptr_t)off, &tid, sizeof tid) != sizeof tid)
        return add_dtv(roots, memfd, t);
    const struct ll_stopped *s = slot_of(th, nth, tid);
    if (tid == (int32_t)syscall(SYS_gettid) || (s && s->held)) return 0;
    if (tid > 0) {                      /* glibc: <= 0 once it exited (FREE_P) */
        note_running(s, tid);
        return add_dtv(roots, memfd, t) | add_self_tls(holes, t);
    }
    uintptr_t owned[OWNED_MAX];
    size_t k = ll_tcb_dead_owned(memfd, w[1], owned, OWNED_MAX);
    int err = ll_ranges_add(excl, mlo, ll_tcb_top(t));
    for (size_t i = 0; i < k; i++) err |= ll_ranges_add_word(&roots->owned, owned[i]);
    return err;
}

/* The TCBs at the top of anonymous mappings (thread stacks). */
#define TCB_SEARCH (16u << 10)
static int roots_add_tcbs(struct ll_roots *roots, struct ll_ranges *excl,
                          struct ll_ranges *holes, int memfd,
                          const struct ll_ranges *anon, const struct ll_stopped *th,
                          size_t nth)
{
    if (!ll_tcb_supported() || memfd < 0) return 0;
    uintptr_t *w = ll_work_alloc(TCB_SEARCH), main_tcb = ll_tcb_main();
    int err = !w, main_seen = 0;
    for (size_t k = 0; w && k < anon->n && !err; k++) {
        uintptr_t lo = anon->v[k].lo, hi = anon->v[k].hi;
        if (hi - lo > TCB_SEARCH) lo = hi - TCB_SEARCH;
        size_t got = ll_peek(memfd, lo, w, hi - lo);
        for (uintptr_t a = (lo + 63) & ~(uintptr_t)63;       /* TCB_ALIGNMENT */
             a + 3 * sizeof *w <= lo + got && !err; a += 64)
            if (ll_tcb_is(&w[(a - lo) / sizeof *w], a)) {
                main_seen |= a == main_tcb;
                err = other_tcb(roots, excl, holes, memfd, &w[(a - lo) / sizeof *w], a,
                                anon->v[k].lo, th, nth);
            }
    }
    /* The main thread's TCB, wherever its mapping has grown: read as the
     * search would have read it (its mapping's start matters only for an
     * exited thread's stack, which the main thread does not have). */
    if (w && !err && !main_seen && main_tcb &&
        ll_peek(memfd, main_tcb, w, 3 * sizeof *w) == 3 * sizeof *w &&
        ll_tcb_is(w, main_tcb))
        err = other_tcb(roots, excl, holes, memfd, w, main_tcb, ll_tcb_top(main_tcb),
                        th, nth);
    if (w) ll_work_free(w, TCB_SEARCH);
    return err;
}

/* ---- anonymous mappings -------------------------------------------------- */

/* Sort by lo, in place, without qsort (glibc's may malloc). */
static void sort_ranges(struct ll_ranges *r)
{
    for (size_t i = 1; i < r->n; i++) {
        struct ll_range x = r->v[i];
        size_t j = i;
        for (; j > 0 && r->v[j - 1].lo > x.lo; j--) r->v[j] = r->v[j - 1];
        r->v[j] = x;
    }
}

/* Append [lo, hi) minus the ranges skip[0..n) (sorted by lo). */
static int add_minus(struct ll_ranges *out, uintptr_t lo, uintptr_t hi,
                     const struct ll_range *skip, size_t n)
{
    uintptr_t cur = lo;
    for (size_t i = 0; i < n && cur < hi; i++) {
        if (skip[i].hi <= cur || skip[i].lo >= hi) continue;
        if (skip[i].lo > cur && ll_ranges_add(out, cur, skip[i].lo)) return -1;
        if (skip[i].hi > cur) cur = skip[i].hi;
    }
    return cur < hi ? ll_ranges_add(out, cur, hi) : 0;
}

/* First block at or above a (b sorted by address). */
size_t ll_block_at(const struct ll_block *b, size_t n, uintptr_t a)
{
    size_t i = 0, j = n;
    while (i < j) {
        size_t m = i + (j - i) / 2;
        if (b[m].ptr < a) i = m + 1;
        else j = m;
    }
    return i;
}

/* The /proc/self/pagemap entries of k pages, from the one holding a. */
int ll_pagemap_read(int pmfd, uintptr_t a, uint64_t *e, size_t k)
{
    off_t at = (off_t)(a / ll_page_size * sizeof *e);
    return pread(pmfd, e, k * sizeof *e, at) == (ssize_t)(k * sizeof *e);
}

/* [lo, hi) read whole, minus skip: without pagemap a private file
 * mapping is, when small (a large one would be read from its file). */
#define COW_WHOLE_MAX ((uintptr_t)64 << 20)

static int add_whole_minus(struct ll_ranges *out, uintptr_t lo, uintptr_t hi,
                           const struct ll_range *skip, size_t n, int written)
{
    return written && hi - lo > COW_WHOLE_MAX ? 0 : add_minus(out, lo, hi, skip, n);
}

/* add_minus for the runs of [lo, hi) whose pages hold data (see
 * page_holds_data), in /proc/self/pagemap (pmfd; -1: all of it).  A page
 * of an anonymous mapping that was never written reads as zeros, and a
 * thread's stack is mostly such pages: a thousand threads that did not stop
 * have 8 GiB of stack mappings, and reading them whole took seconds. */
int ll_pagemap_runs(int pmfd, uintptr_t lo, uintptr_t hi, int written,
                    int (*fn)(uintptr_t, uintptr_t, void *), void *arg, uintptr_t *rest)
{
    /* Static, not on the stack, which may be the exiting thread's own
     * (bigstack.c) and all but used; one check runs at a time.  2 MiB of
     * pages per read: a short process's check read the page map 30 times
     * with 64 entries a read, 11 times now. */
    static uint64_t e[512];
    const uintptr_t pg = ll_page_size;  /* one pagemap entry per page */
    uintptr_t run = lo, p = lo & ~(pg - 1);
    int in = 0, r;
    *rest = hi;
    while (p < hi) {
        size_t k = (hi - p + pg - 1) / pg;
        if (k > sizeof e / sizeof e[0])
            k = sizeof e / sizeof e[0];
        if (!ll_pagemap_read(pmfd, p, e, k)) {
            *rest = in ? run : p > lo ? p : lo;
            return 0;
        }
        for (size_t i = 0; i < k; i++, p += pg) {
            int data = ll_page_holds_data(e[i], written);
            if (data && !in) run = p > lo ? p : lo;
            else if (!data && in && (r = fn(run, p, arg))) return r;
            in = data;
        }
    }
    return in ? fn(run, hi, arg) : 0;
}

struct add_run { struct ll_ranges *out; const struct ll_range *skip; size_t n; };

static int add_run(uintptr_t lo, uintptr_t hi, void *arg)
{
    const struct add_run *a = arg;
    return add_minus(a->out, lo, hi, a->skip, a->n);
}

static int add_touched_minus(struct ll_ranges *out, int pmfd, uintptr_t lo, uintptr_t hi,
                             const struct ll_range *skip, size_t n, int written)
{
    const uintptr_t pg = ll_page_size;
    if (pmfd < 0 || (!written && hi - lo < LL_SPARSE_MIN) || lo % pg || hi % pg)
        return add_whole_minus(out, lo, hi, skip, n, written);
    struct add_run a = { out, skip, n };
    uintptr_t rest;
    if (ll_pagemap_runs(pmfd, lo, hi, written, add_run, &a, &rest))
        return -1;
    return rest < hi ? add_whole_minus(out, rest, hi, skip, n, written) : 0; /* unreadable */
}

/* /proc/self/pagemap, if it describes this address space: the page of
 * `here` (this frame, in use) must read present.  Under qemu-user it
 * describes the host's, and would make every page of ours look unused. */
int ll_pagemap_open(uintptr_t here)
{
    int fd = ll_proc_open("pagemap", O_RDONLY);
    uint64_t e = 0;
    if (fd >= 0 && (!ll_pagemap_read(fd, here, &e, 1) || !(e >> 63))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Append [lo, hi) minus the pages that blocks b[*i..n) (sorted) lie in;
 * *i moves past the blocks that end by hi, for the next, higher piece. */
static int add_minus_pages(struct ll_ranges *out, uintptr_t lo, uintptr_t hi,
                           const struct ll_block *b, size_t n, size_t *i)
{
    uintptr_t cur = lo;
    for (; *i < n && cur < hi; ++*i) {
        uintptr_t blo = PAGE_DOWN(b[*i].ptr), bhi = PAGE_UP(b[*i].ptr + b[*i].size);
        if (bhi <= cur) continue;
        if (blo >= hi) break;
        if (blo > cur && ll_ranges_add(out, cur, blo)) return -1;
        cur = bhi;
        if (cur > hi) break;            /* the block goes on into the next piece */
    }
    return cur < hi ? ll_ranges_add(out, cur, hi) : 0;
}

/* Blocks of b[0..n) (sorted) that share a page with the one before, counted
 * up to max + 1: small blocks packed together, as an allocator's heap holds
 * them (jemalloc's, tcmalloc's, glibc's main arena when brk fails). */
static size_t packed(const struct ll_block *b, size_t n, size_t max)
{
    size_t k = 0;
    for (size_t i = 1; i < n && k <= max; i++)
        k += PAGE_DOWN(b[i].ptr) < PAGE_UP(b[i - 1].ptr + b[i - 1].size);
    return k;
}

/* One anonymous mapping: skipped whole when it is an allocator's heap (a
 * glibc arena heap, or many small blocks packed together), whose free
 * chunks hold stale pointers; else added minus what is excluded and minus
 * the pages its blocks lie in.  The kernel merges adjacent private mappings
 * into one, so one mapping may hold glibc's mmapped chunks (blocks of 128
 * KiB and more, each on pages of its own) next to the program's own mmap
 * regions: the pages no block lies in are the program's.  Arena heaps merge
 * with no such mapping (glibc maps them MAP_NORESERVE): they start 64 MiB
 * aligned.  pieces is scratch the caller keeps for all mappings: scratch
 * freed while roots are gathered stays mapped until the end (ll_work_free),
 * so one set per mapping would use up ll_work_alloc's slots in a process
 * with a thousand threads, and the check would be given up. */
static int add_anon(struct ll_roots *roots, struct ll_ranges *pieces, int pmfd,
                    uintptr_t lo, uintptr_t hi, const struct ll_ranges *skip,
                    const struct ll_block *b, size_t n)
{
    size_t first = ll_block_at(b, n, lo), last = ll_block_at(b, n, hi);
    if (hi - lo > ANON_MAX) return 0;   /* ASan's 15 TiB shadow, a JVM's or Go's arena */
    if (last > first && (lo % ARENA_HEAP == 0 ||
                         packed(b + first, last - first, HEAP_BLOCKS) > HEAP_BLOCKS))
        return 0;
    pieces->n = 0;
    int err = add_touched_minus(pieces, pmfd, lo, hi, skip->v, skip->n, 0);
    for (size_t k = 0, i = first; k < pieces->n && !err; k++)
        err = add_minus_pages(&roots->any, pieces->v[k].lo, pieces->v[k].hi, b, last, &i);
    return err;
}

/* add_anon for [lo, hi) minus the report's own pages (bootstrap.c's
 * salvage region): never roots, and as a mapping of up to 1 GiB, walking
 * its pagemap took 5 ms at every exit (a process that allocates once and
 * exits: 1.2 ms added by libleak, then 5.3). */
static int add_anon_outside(struct ll_roots *roots, struct ll_ranges *pieces, int pmfd,
                            uintptr_t lo, uintptr_t hi, const struct ll_ranges *skip,
                            const struct ll_block *b, size_t n)
{
    size_t len = __atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE);
    uintptr_t slo = ll_salvage_lo, shi = slo + len;
    if (!len || hi <= slo || shi <= lo)
        return add_anon(roots, pieces, pmfd, lo, hi, skip, b, n);
    int err = 0;
    if (lo < slo)
        err = add_anon(roots, pieces, pmfd, lo, slo, skip, b, n);
    if (!err && shi < hi)
        err = add_anon(roots, pieces, pmfd, shi, hi, skip, b, n);
    return err;
}

static int roots_add_anon(struct ll_roots *roots, const struct ll_ranges *anon,
                          struct ll_ranges *skip, const struct ll_block *b, size_t n)
{
    sort_ranges(skip);
    struct ll_ranges pieces = { 0 };
    int pmfd = ll_pagemap_open((uintptr_t)&pieces);
    int err = 0;
    for (size_t k = 0; k < anon->n && !err; k++)
        err = add_anon_outside(roots, &pieces, pmfd, anon->v[k].lo, anon->v[k].hi, skip, b,
                               n);
    if (pmfd >= 0) close(pmfd);
    ll_ranges_free(&pieces);
    return err;
}

/* Private writable mappings of files that are no loaded object's segments
 * (those are in skip, sorted): the JVM's class-data archive, a program's
 * copy-on-write view of a file.  The pages the process wrote there are
 * roots, as Valgrind reads them; the file's own pages are not read. */
static int roots_add_cow(struct ll_roots *roots, const struct ll_ranges *cow,
                         const struct ll_ranges *skip)
{
    if (!cow->n) return 0;
    int pmfd = ll_pagemap_open((uintptr_t)&pmfd);
    int err = 0;
    for (size_t k = 0; k < cow->n && !err; k++)
        if (cow->v[k].hi - cow->v[k].lo <= ANON_MAX)    /* larger: a reservation */
            err = add_touched_minus(&roots->any, pmfd, cow->v[k].lo, cow->v[k].hi, skip->v,
                                    skip->n, 1);
    if (pmfd >= 0) close(pmfd);
    return err;
}

/* roots minus holes (few, small), in place. */
static int cut_holes(struct ll_ranges *roots, struct ll_ranges *holes)
{
    if (!holes->n) return 0;
    sort_ranges(holes);
    struct ll_ranges out = { 0 };
    int err = 0;
    for (size_t k = 0; k < roots->n && !err; k++)
        err = add_minus(&out, roots->v[k].lo, roots->v[k].hi, holes->v, holes->n);
    ll_ranges_free(roots);
    *roots = out;
    return err;
}

/* ---- all together ---------------------------------------------------------- */

/* Spill every general register into r[] so that the stack scan sees values
 * held only in registers.  A macro: the array must be in the scanning
 * function's own live frame.  (setjmp would mangle rbp and rsp.) */
#if defined(__x86_64__)
#define NREGS 15
#define SPILL_REGISTERS(r) __asm__ volatile(                                  \
    "movq %%rax, 0(%0)\n\tmovq %%rbx, 8(%0)\n\tmovq %%rcx, 16(%0)\n\t"        \
    "movq %%rdx, 24(%0)\n\tmovq %%rsi, 32(%0)\n\tmovq %%rdi, 40(%0)\n\t"      \
    "movq %%rbp, 48(%0)\n\tmovq %%r8, 56(%0)\n\tmovq %%r9, 64(%0)\n\t"        \
    "movq %%r10, 72(%0)\n\tmovq %%r11, 80(%0)\n\tmovq %%r12, 88(%0)\n\t"      \
    "movq %%r13, 96(%0)\n\tmovq %%r14, 104(%0)\n\tmovq %%r15, 112(%0)"        \
    : : "r"(r) : "memory")
#define CURRENT_SP(sp) __asm__ volatile("movq %%rsp, %0" : "=r"(sp))
#else
/* Forces callee-saved registers into this frame, which the stack scan covers. */
#define NREGS 1
#define SPILL_REGISTERS(r) do { (r)[0] = 0; __builtin_unwind_init(); } while (0)
#define CURRENT_SP(sp) ((sp) = (uintptr_t)__builtin_frame_address(0))
#endif

struct gather {
    struct ll_roots roots;
    struct ll_ranges maps, anon, skip;
    struct ll_files files;    /* file-backed mappings: vtables and code */
    struct ll_ranges holes;   /* cut out of every root: libleak's TLS */
    int memfd;
    const struct ll_block *b; /* the blocks, sorted */
    size_t n;
};

/* The main thread did not stop (the check runs on another): its stack is
 * the [stack] mapping, which the anonymous-mapping pass that covers other
 * running threads' stacks does not read.  The whole mapping is a root; the
 * auxiliary vector's strings (AT_EXECFN) lie at its top. */
static int add_main_stack(struct gather *g)
{
    const struct ll_range *m = mapping_of(&g->maps, (uintptr_t)getauxval(AT_EXECFN));
    return m ? roots_add_stack(&g->roots, &g->skip, &g->maps, m->lo, 0) : 0;
}

/* A live thread's stack from sp (main: it is the main thread).  A stack
 * pointer inside one of the program's blocks is a coroutine's on a stack
 * from malloc (makecontext, a fiber library): the stack is that block from
 * sp, not the rest of its heap mapping, whose other blocks, lost ones
 * among them, were roots; and the block, when reached, is scanned from sp
 * too (roots.stacks): below it lie dead frames.  And a thread running away
 * from its own stack still has frames there: main's, say, which swapped to
 * the coroutine that called exit().  No stack pointer says where their
 * live part begins, so the main thread's [stack] is then a root whole;
 * another thread's stack is an anonymous mapping, read whole by that pass
 * when no stack pointer in it kept it out.  Its blocks were called lost. */
static int add_thread_stack(struct gather *g, uintptr_t sp, uintptr_t tcb, int main,
                            uintptr_t alt_end)
{
    /* A handler of the program's that runs on libleak's signal stack (one
     * with SA_ONSTACK, in a thread with no signal stack of its own): its
     * frames there are the program's, though in libleak's memory; the
     * thread's own stack holds the frames it interrupted, and no stack
     * pointer says where they begin, so it is read whole (as above). */
    if (alt_end)
        return ll_ranges_add(&g->roots.own, sp, alt_end) | (main ? add_main_stack(g) : 0);
    size_t i = ll_block_at(g->b, g->n, sp + 1);
    const struct ll_range *home = main ? mapping_of(&g->maps, (uintptr_t)getauxval(AT_EXECFN))
                                       : NULL;
    int err = 0;
    if (home && !(sp - home->lo < home->hi - home->lo))
        err = add_main_stack(g);
    if (i && sp - g->b[i - 1].ptr < g->b[i - 1].size) {
        uintptr_t end = g->b[i - 1].ptr + g->b[i - 1].size;
        return err | ll_ranges_add(&g->roots.any, sp, end) |
               ll_ranges_add(&g->roots.stacks, sp, end);
    }
    return err | roots_add_stack(&g->roots, &g->skip, &g->maps, sp, tcb);
}

/* The other threads' stacks (stopped ones), and their DTVs. */
static int roots_add_threads(struct gather *g, const struct ll_stopped *th, size_t nth)
{
    int err = 0;
    for (size_t i = 0; i < nth; i++) {
        if (!th[i].held) {
            if (!th[i].gone && !ll_tcb_supported())
                note_running(&th[i], th[i].tid);
            if (!th[i].gone && th[i].tid == getpid())
                err |= add_main_stack(g);
            continue;
        }
        err |= add_thread_stack(g, th[i].sp, th[i].tcb, th[i].tid == getpid(), th[i].alt_end);
        err |= ll_ranges_add(&g->roots.any, (uintptr_t)th[i].regs,
                             (uintptr_t)(th[i].regs + LL_STOP_REGS));
        err |= add_dtv(&g->roots, g->memfd, th[i].tcb);
        err |= add_self_tls(&g->holes, th[i].tcb);
    }
    return err;
}

static void gather_free(struct gather *g)
{
    ll_roots_free(&g->roots);
    ll_ranges_free(&g->maps);
    ll_ranges_free(&g->anon);
    ll_files_free(&g->files);
    ll_ranges_free(&g->skip);
    ll_ranges_free(&g->holes);
    if (g->memfd >= 0) close(g->memfd);
}

/* Inside exit() or quick_exit() (the exit report), the live stack starts at
 * its caller, and the registers are the ones that caller held (see
 * exitroot.c): exit's and libleak's frames lie over stale pointers.  Elsewhere (unit tests, a
 * report on demand) they are this thread's own. */
void ll_reach_classify(struct ll_block *blocks, size_t n)
{
    /* Not on this stack: the report runs on libleak's big stack
     * (bigstack.c), whose pages the scan never reads, and registers kept
     * there were no roots at all (lscpu --help: the context main held in
     * r15 when it called exit() read definitely lost).  One check at a
     * time: the table's locks are held. */
    static uintptr_t regs[NREGS], xregs[LL_EXIT_REGS];
    uintptr_t sp;
    ll_check_notes = (struct ll_check_notes){ 0 };
    if (!n) return;
    SPILL_REGISTERS(regs);
    CURRENT_SP(sp);
    struct gather g = { .memfd = -1, .b = blocks, .n = n };
    int err;
    ll_work_begin();
    if (ll_live_root.sp) {          /* a fatal signal or _exit (signals.c, exits.c) */
        sp = ll_live_root.sp;
        err = ll_ranges_add(&g.roots.any, (uintptr_t)ll_live_root.regs,
                            (uintptr_t)(ll_live_root.regs + ll_live_root.nregs));
    } else if (!ll_exit_root(&sp, xregs))
        err = ll_ranges_add(&g.roots.any, (uintptr_t)xregs, (uintptr_t)(xregs + LL_EXIT_REGS));
    else
        err = ll_ranges_add(&g.roots.any, (uintptr_t)regs, (uintptr_t)(regs + NREGS));
    sp = ll_bigstack_origin(sp);    /* the report's own stack is libleak's, not a root */
    err |= roots_add_objects(&g.roots, &g.skip);
    err |= ll_internal_roots(&g.roots.any);
    err |= ll_start_arg_roots(&g.roots.words);
    (void)ll_tcb_tid_offset();                  /* found once, before the stop */
    g.memfd = ll_proc_open("mem", O_RDONLY);
    struct ll_stopped *th;
    size_t nth = ll_stop_threads(&th);
    if (ll_maps_read(&g.maps, &g.anon, &g.files)) {
        ll_ranges_free(&g.maps);
        ll_ranges_free(&g.anon);
        ll_files_free(&g.files);
    }
    err |= add_thread_stack(&g, sp, (uintptr_t)pthread_self(),
                            (pid_t)syscall(SYS_gettid) == getpid(), ll_altstack_end_above(sp));
    err |= add_dtv(&g.roots, g.memfd, (uintptr_t)pthread_self());
    err |= ll_ranges_add_word(&g.roots.words, ll_late_next());
    err |= roots_add_threads(&g, th, nth);
    err |= add_self_tls(&g.holes, (uintptr_t)pthread_self());
    err |= roots_add_tcbs(&g.roots, &g.skip, &g.holes, g.memfd, &g.anon, th, nth);
    err |= ll_amaps_add_to(&g.skip);   /* the next allocator's own, if not libc's */
    err |= ll_fl_skip(&g.skip);        /* freed blocks kept (freelist=) */
    err |= roots_add_anon(&g.roots, &g.anon, &g.skip, blocks, n);
    err |= roots_add_cow(&g.roots, &g.files.cow, &g.skip);
    err |= cut_holes(&g.roots.any, &g.holes);
    int pmfd = err ? -1 : ll_pagemap_open((uintptr_t)&pmfd);
    if (err) ll_reach_give_up(blocks, n);   /* missing roots would make live blocks "lost" */
    else ll_reach_run(blocks, n, &g.roots, &g.maps, g.files.data.n ? &g.files : NULL, &g.anon,
                      pmfd);
    if (pmfd >= 0) close(pmfd);
    ll_resume_threads();
    gather_free(&g);
    ll_work_end();
}
