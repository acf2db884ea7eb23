/* bootstrap.c - the allocator used when the real one cannot be.
 *
 * dlsym() may call calloc() while we are resolving the real malloc; those
 * requests (and any made by other threads in that window) are served from a
 * static arena.  Blocks are never reused: the window is tiny.  free() and
 * realloc() recognise arena pointers and never pass them on.
 *
 * The same allocator serves the report at a fault inside the real
 * allocator (ll_boot_salvage): its lists are corrupt, or its lock is held
 * by the very thread that must write the report, and the report's first
 * malloc faulted again (the process died with no word) or waited for good.
 * Then a large region of fresh pages takes over from the static arena, and
 * every allocation libleak passes on untracked comes from there; the
 * process dies once the report is written, so nothing is reused either. */
#include "ll.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ll_boot_hdr { size_t size; size_t pad; };

char ll_boot_arena[LL_BOOT_SIZE] __attribute__((aligned(4096)));
static atomic_size_t ll_boot_used;

uintptr_t ll_salvage_lo;
size_t ll_salvage_len;                  /* 0 until ll_boot_salvage() */
static atomic_size_t ll_salvage_used;

/* A block of size bytes aligned to align from [base, base + len), of which
 * *used bytes are taken; NULL when it does not fit. */
static void *ll_boot_carve(uintptr_t base, size_t len, atomic_size_t *used, size_t size,
                           size_t align)
{
    if (align < 16)
        align = 16;
    if (size > len || align > len / 4)
        return NULL;
    size_t need = sizeof(struct ll_boot_hdr) + size + align;
    size_t off = atomic_load(used);
    do                                  /* a refused request takes nothing */
        if (off + need > len)
            return NULL;
    while (!atomic_compare_exchange_weak(used, &off, off + need));
    uintptr_t start = base + off + sizeof(struct ll_boot_hdr);
    uintptr_t p = (start + align - 1) & ~(uintptr_t)(align - 1);
    ((struct ll_boot_hdr *)p)[-1].size = size;
    return (void *)p;                   /* never used before: already zero */
}

void *ll_boot_alloc(size_t size, size_t align)
{
    size_t len = __atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE);
    if (len)
        return ll_boot_carve(ll_salvage_lo, len, &ll_salvage_used, size, align);
    return ll_boot_carve((uintptr_t)ll_boot_arena, LL_BOOT_SIZE, &ll_boot_used, size, align);
}

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
    if (__atomic_load_n(&ll_salvage_len, __ATOMIC_ACQUIRE))
        return 0;
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
