/* entry_points: one leak through each C allocation entry point, and a self-check of the contract each must keep (failure modes, errno, edge cases). */
#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;
#define CHECK(cond, ...)                                   \
    do {                                                   \
        checks++;                                          \
        if (!(cond)) {                                     \
            failures++;                                    \
            printf("FAIL (line %d): ", __LINE__);          \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
        }                                                  \
    } while (0)

void *volatile kept[10];                         /* leaked blocks, dropped at the end */
static volatile size_t huge = SIZE_MAX / 2 + 1;  /* runtime values: no compile-time folding */
static volatile size_t three = 3;
static volatile size_t twenty_four = 24;
static volatile size_t zero = 0;
static volatile size_t all_ones = SIZE_MAX;

static int is_aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* GCC takes posix_memalign for a builtin that never writes errno, and would
 * fold an errno check after it: the errno checks call it through this. */
static int (*volatile posix_memalign_v)(void **, size_t, size_t) = posix_memalign;

/* glibc before 2.38 serves aligned_alloc with an alignment that is not a
 * power of two as memalign does, rounded up; 2.38 and later fail with
 * EINVAL (C17).  Under libleak a program must see what its libc does. */
static int aligned_alloc_rounds(void)
{
    int major, minor;
    return sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) == 2 &&
           (major < 2 || (major == 2 && minor < 38));
}

#include "scrub.h"

static __attribute__((noinline)) void leak_one_of_each(void)
{
    char *p;
    void *q = NULL;

    kept[0] = malloc(11);                        /* @malloc */
    CHECK(kept[0] && is_aligned(kept[0], 16), "malloc(11) = %p, want 16-aligned", kept[0]);
    CHECK(kept[0] && malloc_usable_size(kept[0]) >= 11, "malloc_usable_size(malloc(11)) < 11");

    kept[1] = calloc(3, 7);                      /* @calloc */
    p = kept[1];
    CHECK(p && is_aligned(p, 16), "calloc(3, 7) = %p", (void *)p);
    for (int i = 0; p && i < 21; i++)
        CHECK(p[i] == 0, "calloc byte %d is %d, not 0", i, p[i]);

    p = malloc(5);
    memcpy(p, "abcd", 5);
    kept[2] = realloc(p, 29);                    /* @realloc */
    CHECK(kept[2] && memcmp(kept[2], "abcd", 5) == 0, "realloc lost the old contents");

    p = malloc(6);
    memcpy(p, "wxyz", 5);
    kept[3] = reallocarray(p, 5, 7);             /* @reallocarray */
    CHECK(kept[3] && memcmp(kept[3], "wxyz", 5) == 0, "reallocarray lost the old contents");

    int rc = posix_memalign(&q, 64, 100);        /* @posix_memalign */
    kept[4] = q;
    CHECK(rc == 0 && q && is_aligned(q, 64), "posix_memalign(64, 100) = %d, %p", rc, q);

    kept[5] = aligned_alloc(256, 512);           /* @aligned_alloc */
    CHECK(kept[5] && is_aligned(kept[5], 256), "aligned_alloc(256, 512) = %p", kept[5]);

    kept[6] = memalign(128, 200);                /* @memalign */
    CHECK(kept[6] && is_aligned(kept[6], 128), "memalign(128, 200) = %p", kept[6]);

    kept[7] = valloc(300);                       /* @valloc */
    CHECK(kept[7] && is_aligned(kept[7], 4096), "valloc(300) = %p", kept[7]);

    kept[8] = pvalloc(4096);                     /* @pvalloc */
    CHECK(kept[8] && is_aligned(kept[8], 4096), "pvalloc(4096) = %p", kept[8]);

    errno = 0;
    kept[9] = aligned_alloc(twenty_four, 48);    /* @aligned_alloc24 */
    if (aligned_alloc_rounds())
        CHECK(kept[9] && is_aligned(kept[9], 32) && errno == 0,
              "aligned_alloc(24, 48): %p, errno %d (want 32-aligned, errno 0)", kept[9], errno);
    else
        CHECK(!kept[9] && errno == EINVAL,
              "aligned_alloc(24, 48): %p, errno %d (want NULL, EINVAL)", kept[9], errno);
}

static __attribute__((noinline)) void check_failures(void)
{
    void *p, *q;

    errno = 0;
    p = calloc(huge, three);                     /* n * size overflows */
    CHECK(p == NULL && errno == ENOMEM, "calloc overflow: %p, errno %d (want NULL, ENOMEM)", p, errno);

    errno = 0;
    p = malloc(all_ones);
    CHECK(p == NULL && errno == ENOMEM, "malloc(SIZE_MAX): %p, errno %d (want NULL, ENOMEM)", p, errno);

    q = malloc(8);
    errno = 0;
    p = reallocarray(q, huge, three);            /* overflow: q must stay valid */
    CHECK(p == NULL && errno == ENOMEM, "reallocarray overflow: %p, errno %d", p, errno);
    free(p ? p : q);

    p = NULL;
    int rc = posix_memalign(&p, 3, 64);          /* not a power of two */
    CHECK(rc == EINVAL, "posix_memalign(3, 64) returned %d, want EINVAL", rc);
    rc = posix_memalign(&p, 4, 64);              /* not a multiple of sizeof(void *) */
    CHECK(rc == EINVAL, "posix_memalign(4, 64) returned %d, want EINVAL", rc);

    /* glibc's posix_memalign leaves errno ENOMEM as well as returning it. */
    errno = 0;
    rc = posix_memalign_v(&p, 64, all_ones - 100);
    CHECK(rc == ENOMEM && errno == ENOMEM, "posix_memalign(64, SIZE_MAX - 100) = %d, errno %d (want ENOMEM, ENOMEM)", rc, errno);

    errno = 0;
    p = aligned_alloc(three, 64);
    if (aligned_alloc_rounds())
        CHECK(p && is_aligned(p, 16) && errno == 0, "aligned_alloc(3, 64): %p, errno %d (want 16-aligned, errno 0)", p, errno);
    else
        CHECK(p == NULL && errno == EINVAL, "aligned_alloc(3, 64): %p, errno %d (want NULL, EINVAL)", p, errno);
    free(p);

    /* Each aligned call fails as malloc does, errno ENOMEM. */
    errno = 0;
    p = aligned_alloc(64, all_ones - 100);
    CHECK(p == NULL && errno == ENOMEM, "aligned_alloc(64, SIZE_MAX - 100): %p, errno %d", p, errno);
    errno = 0;
    p = memalign(64, all_ones - 100);
    CHECK(p == NULL && errno == ENOMEM, "memalign(64, SIZE_MAX - 100): %p, errno %d", p, errno);
    errno = 0;
    p = valloc(all_ones - 100);
    CHECK(p == NULL && errno == ENOMEM, "valloc(SIZE_MAX - 100): %p, errno %d", p, errno);
    errno = 0;
    p = pvalloc(all_ones - 100);
    CHECK(p == NULL && errno == ENOMEM, "pvalloc(SIZE_MAX - 100): %p, errno %d", p, errno);
}

static __attribute__((noinline)) void check_edge_cases(void)
{
    /* realloc(NULL, n) is malloc(n). */
    char *p = realloc(NULL, 40);
    CHECK(p && is_aligned(p, 16), "realloc(NULL, 40) = %p", (void *)p);
    if (p) {
        memset(p, 'r', 40);
        free(p);
    }

    /* realloc(p, 0) frees p (glibc returns NULL). */
    p = malloc(77);                              /* @realloc0 */
    p[0] = 1;
    char *r = realloc(p, zero);
    CHECK(r == NULL, "realloc(p, 0) = %p, want NULL (block freed)", (void *)r);
    if (r)
        free(r);

    /* malloc(0) gives distinct, freeable, non-NULL pointers. */
    void *a = malloc(zero), *b = malloc(zero);
    CHECK(a && b && a != b, "malloc(0) twice: %p, %p", a, b);
    free(a);
    free(b);

    free(NULL);                                  /* a no-op, never an error */
}

static __attribute__((noinline)) void check_errno_preserved(void)
{
    void *p;
    errno = EDOM;
    p = malloc(10);            CHECK(errno == EDOM, "malloc changed errno to %d", errno);
    p = realloc(p, 1000);      CHECK(errno == EDOM, "realloc changed errno to %d", errno);
    free(p);                   CHECK(errno == EDOM, "free changed errno to %d", errno);
    p = calloc(10, 10);        CHECK(errno == EDOM, "calloc changed errno to %d", errno);
    p = reallocarray(p, 4, 8); CHECK(errno == EDOM, "reallocarray changed errno to %d", errno);
    free(p);
    CHECK(posix_memalign_v(&p, 32, 10) == 0 && errno == EDOM, "posix_memalign changed errno to %d", errno);
    free(p);
    p = aligned_alloc(64, 64); CHECK(errno == EDOM, "aligned_alloc changed errno to %d", errno);
    free(p);
    p = memalign(32, 10);      CHECK(errno == EDOM, "memalign changed errno to %d", errno);
    free(p);
    p = valloc(10);            CHECK(errno == EDOM, "valloc changed errno to %d", errno);
    free(p);
    p = pvalloc(10);           CHECK(errno == EDOM, "pvalloc changed errno to %d", errno);
    free(p);
}

int main(void)
{
    leak_one_of_each();
    check_failures();
    check_edge_cases();
    check_errno_preserved();

    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        kept[i] = NULL;                          /* all the blocks are now definitely lost */
    scrub_stack();

    if (failures) {
        printf("entry_points: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("entry_points: all %d checks passed\n", checks);
    return 0;
}
