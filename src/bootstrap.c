/* bootstrap.c - the allocator used when the real one cannot be.
 *
 * dlsym() may call calloc() while we are resolving the real malloc; those
 * requests (and any made by other threads in that window) are served from a
 * static arena.  Blocks are never reused: the window is tiny.  free() and
 * realloc() recognise arena pointers and never pass them on.
 *
 * The same allocator serves every report (ll_boot_salvage: from libleak's
 * destructor at exit, or from a signal's report): the program may have
 * spoiled its heap, and the real allocator's lock may be held by the very
 * thread that must write the report, or by another one stopped inside it.
 * The report's first malloc faulted again there (the process died with no
 * word), aborted, or waited for good.  A large region of fresh pages takes
 * over from the static arena, and every allocation libleak passes on
 * untracked comes from there (and goes back there when freed); the process
 * ends once the report is written. */
#include "ll.h"

#include <string.h>
#include <sys/mman.h>

struct ll_boot_hdr { size_t size; uint32_t cls; uint32_t pad; };

char ll_boot_arena[LL_BOOT_SIZE] __attribute__((aligned(4096)));
static atomic_size_t ll_boot_used;

uintptr_t ll_salvage_lo;
size_t ll_salvage_len;                  /* 0 until ll_boot_salvage() */
static atomic_size_t ll_salvage_used;

/* A block of size bytes aligned to align from [base, base + len), of which
 * *used bytes are taken, with room for cap bytes from its start; NULL when
 * it does not fit. */
static void *ll_boot_carve(uintptr_t base, size_t len, atomic_size_t *used, size_t size,
                           size_t cap, size_t align)
{
    if (align < 16)
        align = 16;
    if (cap > len || align > len / 4)
        return NULL;
    size_t need = sizeof(struct ll_boot_hdr) + cap + align;
    size_t off = atomic_load(used);
    do                                  /* a refused request takes nothing */
        if (off + need > len)
            return NULL;
    while (!atomic_compare_exchange_weak(used, &off, off + need));
    uintptr_t start = base + off + sizeof(struct ll_boot_hdr);
    uintptr_t p = (start + align - 1) & ~(uintptr_t)(align - 1);
    ((struct ll_boot_hdr *)p)[-1] = (struct ll_boot_hdr){ .size = size };
    return (void *)p;                   /* never used before: already zero */
}

/* The salvage region's blocks are reused: the report symbolizes, and
 * libdw and the loader free much of what they take (a Python report at
 * show_reachable=1 took 67 MB with none reused).  Each block holds a power
 * of two, 32 bytes or more, and a freed one waits on its class's list for
 * a request of that class and an alignment of 16. */
#define LL_SALVAGE_CLASSES 48
static void *ll_salvage_free[LL_SALVAGE_CLASSES];
static ll_lock_t ll_salvage_lock;

static unsigned ll_salvage_class(size_t size)
{
    unsigned c = 5;
    while (c < LL_SALVAGE_CLASSES - 1 && ((size_t)1 << c) < size)
        c++;
    return c;
}

static void *ll_salvage_alloc(size_t size, size_t align)
{
    if (size > ll_salvage_len)
        return NULL;
    unsigned c = ll_salvage_class(size);
    void *p = NULL;
    if (align <= 16) {
        ll_lock(&ll_salvage_lock);
        if ((p = ll_salvage_free[c]))
            ll_salvage_free[c] = *(void **)p;
        ll_unlock(&ll_salvage_lock);
    }
    if (p) {
        memset(p, 0, size < sizeof(void *) ? sizeof(void *) : size);
        ((struct ll_boot_hdr *)p)[-1].size = size;
    } else {
        p = ll_boot_carve(ll_salvage_lo, ll_salvage_len, &ll_salvage_used, size,
                          (size_t)1 << c, align);
        if (p)
            ((struct ll_boot_hdr *)p)[-1].cls = c;
    }
    return p;
}

void *ll_boot_alloc(size_t size, size_t align)
{
    if (__atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE))
        return ll_salvage_alloc(size, align);
    return ll_boot_carve((uintptr_t)ll_boot_arena, LL_BOOT_SIZE, &ll_boot_used, size, size,
                         align);
}

/* A freed block of 1 MiB or more gives its whole pages back to the system
 * (they read as zeros again): the report sorts a copy of every block with
 * qsort(), whose buffer for 10,000,000 blocks is 240 MB, and kept, that
 * raised the peak RSS of bench-report's 10,000,000 live blocks by 150 MiB. */
#define LL_SALVAGE_RELEASE 20

/* A block of the static arena stays taken; one of the salvage region goes
 * back to its class's list. */
void ll_boot_free(void *p)
{
    if (ll_boot_arena_owns(p))
        return;
    unsigned c = ((struct ll_boot_hdr *)p)[-1].cls;
    if (c >= LL_SALVAGE_RELEASE) {
        uintptr_t lo = ((uintptr_t)p + ll_page_size - 1) & ~(uintptr_t)(ll_page_size - 1);
        uintptr_t hi = ((uintptr_t)p + ((size_t)1 << c)) & ~(uintptr_t)(ll_page_size - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    ll_lock(&ll_salvage_lock);
    *(void **)p = ll_salvage_free[c];
    ll_salvage_free[c] = p;
    ll_unlock(&ll_salvage_lock);
}

/* fork.c: the salvage lists' lock is held across fork(), then released
 * in the parent and reset in the child (a fork from another thread while
 * the exit report runs). */
void ll_boot_fork_prepare(void) { ll_lock(&ll_salvage_lock); }
void ll_boot_fork_parent(void) { ll_unlock(&ll_salvage_lock); }
void ll_boot_fork_child(void) { ll_lock_reset(&ll_salvage_lock); }

size_t ll_boot_size(const void *p)
{
    return ((const struct ll_boot_hdr *)p)[-1].size;
}

/* Reserved, not committed (MAP_NORESERVE): only the pages the report
 * touches count.  Halved until the system grants it (an address-space
 * limit); libleak's own (ll_pages), so that the leak scan skips it. */
#define LL_SALVAGE_MAX ((size_t)1 << 30)
#define LL_SALVAGE_MIN ((size_t)16 << 20)

int ll_boot_salvage(void)
{
    static atomic_int taken;            /* one region: a second caller gets it or -1 */
    if (atomic_exchange(&taken, 1))
        return ll_boot_salvaging() ? 0 : -1;
    for (size_t len = LL_SALVAGE_MAX; len >= LL_SALVAGE_MIN; len /= 2) {
        void *p = ll_pages_reserve(len);
        if (p) {
            ll_salvage_lo = (uintptr_t)p;
            __atomic_store_n(&ll_salvage_len, len, __ATOMIC_RELEASE);
            return 0;
        }
    }
    return -1;
}
