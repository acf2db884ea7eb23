/* bootstrap.c - the allocator used before the real one is known.
 *
 * dlsym() may call calloc() while we are resolving the real malloc; those
 * requests (and any made by other threads in that window) are served from a
 * static arena.  Blocks are never reused: the window is tiny.  free() and
 * realloc() recognise arena pointers and never pass them on. */
#include "ll.h"

#include <string.h>

struct ll_boot_hdr { size_t size; size_t pad; };

char ll_boot_arena[LL_BOOT_SIZE] __attribute__((aligned(4096)));
static atomic_size_t ll_boot_used;

void *ll_boot_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    if (size > LL_BOOT_SIZE || align > LL_BOOT_SIZE / 4)
        return NULL;
    size_t need = sizeof(struct ll_boot_hdr) + size + align;
    size_t off = atomic_load(&ll_boot_used);
    do                                  /* a refused request takes nothing */
        if (off + need > LL_BOOT_SIZE)
            return NULL;
    while (!atomic_compare_exchange_weak(&ll_boot_used, &off, off + need));
    uintptr_t base = (uintptr_t)ll_boot_arena + off + sizeof(struct ll_boot_hdr);
    uintptr_t p = (base + align - 1) & ~(uintptr_t)(align - 1);
    ((struct ll_boot_hdr *)p)[-1].size = size;
    return (void *)p;        /* static storage: already zero */
}

size_t ll_boot_size(const void *p)
{
    return ((const struct ll_boot_hdr *)p)[-1].size;
}
