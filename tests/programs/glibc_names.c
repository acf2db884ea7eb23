/* glibc_names: glibc's other names for the allocator (__libc_malloc,
 * __libc_free, __libc_calloc, __libc_realloc, __libc_memalign,
 * __libc_valloc, __libc_pvalloc, and the compat cfree) are the same entry
 * points as their plain counterparts: blocks cross between the names with no
 * bad free, and a leak through each is reported as its plain counterpart's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__libc_malloc(size_t);
void __libc_free(void *);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void *__libc_valloc(size_t);
void *__libc_pvalloc(size_t);

static int failures;
#define CHECK(cond, what)                                          \
    do {                                                           \
        if (!(cond)) {                                             \
            failures++;                                            \
            printf("FAIL (line %d): %s\n", __LINE__, what);        \
        }                                                          \
    } while (0)

void *volatile kept[4];             /* leaked blocks, dropped at the end */

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

#include "scrub.h"

static __attribute__((noinline)) void cross_names(void)
{
    char *p = __libc_malloc(32);                 /* @libc_malloc_free */
    CHECK(p, "__libc_malloc(32)");
    free(p);

    p = malloc(32);                              /* @malloc_libc_free */
    __libc_free(p);

    p = __libc_calloc(4, 8);
    CHECK(p && !memcmp(p, "\0\0\0\0\0\0\0\0", 8), "__libc_calloc(4, 8) zeroed");
    free(p);

    p = malloc(8);
    memcpy(p, "abcdefg", 8);
    p = __libc_realloc(p, 64);
    CHECK(p && !strcmp(p, "abcdefg"), "__libc_realloc kept the contents");
    free(p);

    p = __libc_memalign(64, 100);
    CHECK(p && aligned(p, 64), "__libc_memalign(64, 100)");
    free(p);
    p = __libc_valloc(10);
    CHECK(p && aligned(p, 4096), "__libc_valloc(10)");
    free(p);
    p = __libc_pvalloc(10);
    CHECK(p && aligned(p, 4096), "__libc_pvalloc(10)");
    __libc_free(p);

    /* cfree is a compat symbol: old binaries bind to it by version. */
    void (*cfree_v)(void *) = (void (*)(void *))dlvsym(RTLD_DEFAULT, "cfree", "GLIBC_2.2.5");
    CHECK(cfree_v, "dlvsym(cfree@GLIBC_2.2.5)");
    p = malloc(16);                              /* @malloc_cfree */
    if (cfree_v)
        cfree_v(p);
}

static __attribute__((noinline)) void leak_through_libc_names(void)
{
    kept[0] = __libc_malloc(11);                 /* @libc_malloc */
    kept[1] = __libc_calloc(3, 7);               /* @libc_calloc */
    kept[2] = __libc_memalign(128, 200);         /* @libc_memalign */
    kept[3] = __libc_realloc(NULL, 29);          /* @libc_realloc */
}

int main(void)
{
    cross_names();
    leak_through_libc_names();
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        kept[i] = NULL;
    scrub_stack();
    printf("glibc_names: %s\n", failures ? "FAILED" : "all checks passed");
    return failures != 0;
}
