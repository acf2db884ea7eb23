/* real.c - the next allocator in the lookup order (glibc's malloc, or a
 * jemalloc/tcmalloc preloaded after us), resolved once with RTLD_NEXT. */
#include "ll.h"

#include <dlfcn.h>

struct ll_real ll_real;

#define LL_RESOLVE(name) \
    (ll_real.name = (__typeof__(ll_real.name))dlsym(RTLD_NEXT, #name))

void *ll_real_next(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f) {
        ll_guard++;                 /* dlsym may allocate */
        f = dlsym(RTLD_NEXT, name);
        ll_guard--;
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

int ll_real_resolve(void)
{
    /* Optional ones first: malloc is published last, and its presence is
     * what the hooks test to know that the table is complete. */
    LL_RESOLVE(posix_memalign);
    LL_RESOLVE(aligned_alloc);
    LL_RESOLVE(memalign);
    LL_RESOLVE(valloc);
    LL_RESOLVE(pvalloc);
    LL_RESOLVE(malloc_usable_size);
    LL_RESOLVE(calloc);
    LL_RESOLVE(realloc);
    LL_RESOLVE(free);
    void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    if (!m || !ll_real.free || !ll_real.calloc || !ll_real.realloc)
        return -1;
    __atomic_store_n(&ll_real.malloc, m, __ATOMIC_RELEASE);
    return 0;
}
