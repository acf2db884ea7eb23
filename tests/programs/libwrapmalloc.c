/* libwrapmalloc.so: a library that wraps malloc, free, calloc and realloc
 * and passes them on (binutils' libgprofng does so, to count a profiled
 * program's allocations).  Preloaded after libleak it is the next malloc,
 * but no allocator of its own: it defines no posix_memalign.  Its own code
 * leaks a list, wrapmalloc_leak_list, which must read lost like any other
 * (taken for an allocator's bookkeeping, it read still reachable). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static void *(*next_malloc)(size_t);
static void (*next_free)(void *);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static unsigned long calls;                 /* what such a wrapper is for */

/* Found at load, before the program's first call. */
__attribute__((constructor)) static void wrap_init(void)
{
    *(void **)&next_malloc = dlsym(RTLD_NEXT, "malloc");
    *(void **)&next_free = dlsym(RTLD_NEXT, "free");
    *(void **)&next_calloc = dlsym(RTLD_NEXT, "calloc");
    *(void **)&next_realloc = dlsym(RTLD_NEXT, "realloc");
}

void *malloc(size_t n)
{
    if (!next_malloc)
        wrap_init();
    calls++;
    return next_malloc(n);
}

void free(void *p)
{
    if (!next_free)
        wrap_init();
    next_free(p);
}

void *calloc(size_t n, size_t size)
{
    if (!next_calloc)
        wrap_init();
    calls++;
    return next_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (!next_realloc)
        wrap_init();
    calls++;
    return next_realloc(p, n);
}

struct node { struct node *next; long pad[3]; };

/* Ten 32-byte nodes, the head dropped: 32 bytes in 1 block definitely
 * lost, 288 in 9 indirectly. */
__attribute__((noinline)) void wrapmalloc_leak_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 10; i++) {
        struct node *n = malloc(sizeof *n);
        n->next = head;
        head = n;
    }
    __asm__ volatile("" : : "r"(head) : "memory");
}
