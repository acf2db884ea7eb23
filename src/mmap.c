/* mmap.c - mmap, munmap and mremap, passed on to the C library's, so that
 * allocmaps.c learns which mappings the next allocator made for itself
 * (when it is not the C library's, whose own mappings do not come here).
 * The caller's return address says who mapped.  libleak's own mappings
 * (mem.c) are made by system call, and do not come here either.
 *
 * Exported entry points, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <stdarg.h>
#include <sys/mman.h>

static void *ll_next_mmap, *ll_next_munmap, *ll_next_mremap;

LL_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *(*f)(void *, size_t, int, int, int, off_t);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    if (ll_unlikely(!ll_amaps_known()))
        ll_amaps_init();
    *(void **)&f = ll_real_next(&ll_next_mmap, "mmap");
    void *p = f(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        ll_amaps_mapped(caller, (uintptr_t)p, len);
    return p;
}
LL_EXPORT void *mmap64(void *, size_t, int, int, int, off_t) __attribute__((alias("mmap")));

LL_EXPORT int munmap(void *addr, size_t len)
{
    int (*f)(void *, size_t);
    *(void **)&f = ll_real_next(&ll_next_munmap, "munmap");
    int r = f(addr, len);
    if (r == 0)
        ll_amaps_unmapped((uintptr_t)addr, len);
    return r;
}

/* mremap(old, old_len, new_len, flags[, new_address]) */
LL_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    void *(*f)(void *, size_t, size_t, int, ...);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    void *want = NULL;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        want = va_arg(ap, void *);
        va_end(ap);
    }
    *(void **)&f = ll_real_next(&ll_next_mremap, "mremap");
    void *p = f(old, old_len, new_len, flags, want);
    if (p != MAP_FAILED) {
        ll_amaps_unmapped((uintptr_t)old, old_len);
        ll_amaps_mapped(caller, (uintptr_t)p, new_len);
    }
    return p;
}
