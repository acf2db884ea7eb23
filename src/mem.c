/* mem.c - libleak's internal allocator.
 *
 * Records, stacks and uthash's own tables live here, never in the traced
 * program's heap: they must not be counted, scanned as roots, or recurse
 * into our hooks.  Size classes with free lists, carved from chunks
 * obtained with mmap (256 KiB; a block of a class above that is its own run
 * of chunks); requests above the largest class are mapped whole.
 * Callers give the size back on free (uthash_free passes it too), so blocks
 * carry no header. */
#include "ll.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define LL_CHUNK (256u << 10)
#define LL_SMALL_MAX 1024u            /* fine-grained classes up to here */
#define LL_FIRST_LARGE 19u
#define LL_LARGE_MAX (1u << 20)       /* then powers of two up to here */
#define LL_NCLASS (LL_FIRST_LARGE + 10)
#define LL_MAX_CHUNKS 65536           /* 16 GiB of metadata */

struct ll_class {
    ll_lock_t lock;
    void *free;                       /* singly linked through the first word */
    char *cur, *end;                  /* bump region */
} __attribute__((aligned(64)));

static struct ll_class ll_classes[LL_NCLASS];
static atomic_size_t ll_mapped;
static ll_lock_t ll_chunks_lock;
static uintptr_t ll_chunks[LL_MAX_CHUNKS];
static atomic_size_t ll_nchunks;

/* Classes: 16..64 by 16, then 128..1024 by 64, then powers of two.
 * Blocks of 64 bytes and more start on a cache line, so two shards' hot
 * uthash headers never share one (false sharing between threads). */
static unsigned ll_class_of(size_t size)
{
    if (size <= 64)
        return size ? (unsigned)(size - 1) / 16 : 0;
    if (size <= LL_SMALL_MAX)
        return 3 + (unsigned)(size - 1) / 64;
    unsigned c = LL_FIRST_LARGE;
    for (size_t s = 2 * LL_SMALL_MAX; s < size; s <<= 1)
        c++;
    return c;
}

static size_t ll_class_size(unsigned c)
{
    if (c < 4)
        return (c + 1) * 16;
    if (c < LL_FIRST_LARGE)
        return (size_t)(c - 2) * 64;
    return (size_t)2 * LL_SMALL_MAX << (c - LL_FIRST_LARGE);
}

/* Every direct mapping is remembered, so that ll_mem_owns can tell the
 * reachability scan (which treats anonymous mappings as roots) that it is
 * ours.  There are few: directory pages, large uthash bucket arrays, the
 * report's work arrays. */
#define LL_MAX_PAGES 4096
static struct { uintptr_t lo; size_t size; } ll_pages[LL_MAX_PAGES];
static size_t ll_npages;
static ll_lock_t ll_pages_lock;

/* A reservation (MAP_NORESERVE: only the pages used count) made while the
 * program has called mlockall(MCL_FUTURE), as real-time and cryptographic
 * programs do, is locked like any new mapping, and so populated whole: the
 * report's 1 GiB salvage region took 1.09 GB of RAM and 1.6 s at the end
 * of a program that used 35 MB.  So it is made inaccessible first (never
 * populated), unlocked, then opened: its pages come as they are used. */
static void *ll_pages_reserve_map(size_t size)
{
    void *p = (void *)syscall(SYS_mmap, NULL, size, PROT_NONE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return p;
    syscall(SYS_munlock, p, size);
    if (syscall(SYS_mprotect, p, size, PROT_READ | PROT_WRITE) != 0) {
        syscall(SYS_munmap, p, size);
        return MAP_FAILED;
    }
    return p;
}

static void *ll_pages_map(size_t size, int flags)
{
    size = ll_page_up(size);
    /* by system call: the exported mmap (mmap.c) is the program's */
    void *p = flags & MAP_NORESERVE
                  ? ll_pages_reserve_map(size)
                  : (void *)syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (!(flags & MAP_NORESERVE))       /* reserved: never given back */
        atomic_fetch_add(&ll_mapped, size);
    ll_lock_inner(&ll_pages_lock);
    if (ll_npages < LL_MAX_PAGES)
        ll_pages[ll_npages++] = (__typeof__(ll_pages[0])){ (uintptr_t)p, size };
    ll_unlock_inner(&ll_pages_lock);
    return p;
}

void *ll_pages_alloc(size_t size) { return ll_pages_map(size, 0); }
void *ll_pages_reserve(size_t size) { return ll_pages_map(size, MAP_NORESERVE); }

#define LL_PAGES_KEEP (64u << 10)        /* at the end: left mapped up to this */
static int ll_pages_end;

void ll_pages_ending(void) { ll_pages_end = 1; }

/* p's mapping is no longer ours (someone else unmapped it): out of the
 * list, so that whatever is mapped there next is not taken for libleak's. */
void ll_pages_forget(void *p, size_t size)
{
    if (!p)
        return;
    size = ll_page_up(size);
    ll_lock_inner(&ll_pages_lock);
    for (size_t i = 0; i < ll_npages; i++)
        if (ll_pages[i].lo == (uintptr_t)p) {
            ll_pages[i] = ll_pages[--ll_npages];
            break;
        }
    ll_unlock_inner(&ll_pages_lock);
    atomic_fetch_sub(&ll_mapped, size);
}

void ll_pages_free(void *p, size_t size)
{
    if (!p)
        return;
    size = ll_page_up(size);
    ll_pages_forget(p, size);
    if (!ll_pages_end || size > LL_PAGES_KEEP)
        syscall(SYS_munmap, p, size);
}

/* 1 if one of our mappings (a chunk, or a direct mapping listed) meets
 * [lo, hi); full: the list of direct mappings has no room left, so some
 * may be missing from it. */
static int ll_mem_meets(uintptr_t lo, uintptr_t hi, int *full)
{
    size_t n = atomic_load(&ll_nchunks);
    for (size_t i = 0; i < n; i++)
        if (ll_chunks[i] < hi && lo < ll_chunks[i] + LL_CHUNK)
            return 1;
    int found = 0;
    ll_lock_inner(&ll_pages_lock);
    *full = ll_npages == LL_MAX_PAGES;
    for (size_t i = 0; i < ll_npages && !found; i++)
        found = ll_pages[i].lo < hi && lo < ll_pages[i].lo + ll_pages[i].size;
    ll_unlock_inner(&ll_pages_lock);
    return found;
}

/* 1 if a mapping of ours meets [lo, hi), or may (the list of direct
 * mappings is full, and ll_mem_owns knows chunks beyond it): the scan then
 * asks page by page. */
int ll_mem_overlaps(uintptr_t lo, uintptr_t hi)
{
    int full = 0;
    return ll_mem_meets(lo, hi, &full) || full;
}

/* How many chunks may be listed (tests lower it). */
static size_t ll_chunk_limit = LL_MAX_CHUNKS;

void ll_mem_set_chunk_limit(size_t n)
{
    ll_chunk_limit = n < LL_MAX_CHUNKS ? n : LL_MAX_CHUNKS;
}

/* A chunk the list has no room for is given back, and the allocation
 * fails (libleak's out-of-memory path: records dropped and counted): used
 * unlisted, it would not be known as libleak's, and the leak check would
 * read it as the program's, a root holding every young block's address.
 * A class above a chunk (512 KiB, 1 MiB: a thread's nursery) refills with
 * one block's run of chunks, mapped at once and listed chunk by chunk: such
 * a block is known as ours as a chunk is, without a place in the short
 * list of direct mappings. */
static int ll_class_refill(struct ll_class *k, size_t csize)
{
    size_t span = csize > LL_CHUNK ? csize : LL_CHUNK, pieces = span / LL_CHUNK;
    if (atomic_load(&ll_nchunks) + pieces > ll_chunk_limit)
        return -1;                      /* full: no mapping made to be given back */
    char *c = ll_pages_alloc(span);
    if (!c)
        return -1;
    ll_lock_inner(&ll_chunks_lock);
    size_t n = atomic_load(&ll_nchunks);
    int listed = n + pieces <= ll_chunk_limit;
    if (listed) {
        for (size_t i = 0; i < pieces; i++)
            ll_chunks[n + i] = (uintptr_t)c + i * LL_CHUNK;
        atomic_store(&ll_nchunks, n + pieces);
    }
    ll_unlock_inner(&ll_chunks_lock);
    if (!listed) {
        ll_pages_free(c, span);
        return -1;
    }
    k->cur = c;
    k->end = c + span;
    return 0;
}

void *ll_mem_alloc(size_t size)
{
    if (size > LL_LARGE_MAX)
        return ll_pages_alloc(size);  /* fresh pages are zero */
    unsigned c = ll_class_of(size);
    size_t csize = ll_class_size(c);
    struct ll_class *k = &ll_classes[c];
    void *p = NULL;
    size_t dirty = 0;
    ll_lock_inner(&k->lock);
    if (k->free) {
        p = k->free;
        k->free = *(void **)p;
        /* only the first page of a big freed block was kept (ll_mem_free) */
        dirty = csize >= 2 * ll_page_size ? ll_page_size : csize;
    } else if ((size_t)(k->end - k->cur) >= csize || ll_class_refill(k, csize) == 0) {
        p = k->cur;             /* never used: still the zero pages of mmap */
        k->cur += csize;
    }
    ll_unlock_inner(&k->lock);
    /* Clear no more than was written: a page touched here would count in
     * the program's RSS even if the caller never uses it (a thread's
     * 247 KiB nursery, mostly). */
    if (dirty)
        memset(p, 0, dirty);
    return p;
}

void ll_mem_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size > LL_LARGE_MAX) {
        ll_pages_free(p, size);
        return;
    }
    unsigned c = ll_class_of(size);
    size_t csize = ll_class_size(c);
    /* A big block (an old uthash bucket array, after its table doubled)
     * gives its pages back to the OS but its first one, which holds the
     * free-list link: reuse faults them in again, zeroed. */
    if (csize >= 2 * ll_page_size &&
        madvise((char *)p + ll_page_size, csize - ll_page_size, MADV_DONTNEED) != 0)
        memset((char *)p + ll_page_size, 0, csize - ll_page_size);  /* still zero after */
    struct ll_class *k = &ll_classes[c];
    ll_lock_inner(&k->lock);
    *(void **)p = k->free;
    k->free = p;
    ll_unlock_inner(&k->lock);
}

size_t ll_mem_mapped(void) { return atomic_load(&ll_mapped); }

int ll_mem_owns(const void *p)
{
    int full;
    return ll_mem_meets((uintptr_t)p, (uintptr_t)p + 1, &full);
}

/* Fork: hold every lock across fork() so the child never sees a free list
 * half updated; the child resets them (the holder thread is gone).  The
 * class locks come first: a class lock is held while its refill maps a
 * chunk (ll_class_refill takes the page and chunk list locks), so taking
 * those two first deadlocks against a thread that is refilling. */
void ll_mem_fork_prepare(void)
{
    for (unsigned i = 0; i < LL_NCLASS; i++)
        ll_lock(&ll_classes[i].lock);
    ll_lock(&ll_chunks_lock);
    ll_lock(&ll_pages_lock);
}

void ll_mem_fork_parent(void)
{
    ll_unlock(&ll_pages_lock);
    ll_unlock(&ll_chunks_lock);
    for (unsigned i = LL_NCLASS; i-- > 0;)
        ll_unlock(&ll_classes[i].lock);
}

void ll_mem_fork_child(void)
{
    for (unsigned i = 0; i < LL_NCLASS; i++)
        ll_lock_reset(&ll_classes[i].lock);
    ll_lock_reset(&ll_chunks_lock);
    ll_lock_reset(&ll_pages_lock);
}
