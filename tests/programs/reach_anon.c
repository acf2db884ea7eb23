/* reach_anon: anonymous mappings that hold blocks, one shape per argument,
 * for tests/integration/test_reach.c.  No stdio (its buffer would be one
 * more block); the stacks that held a lost pointer are scrubbed or dead.
 *
 *   merged  70 blocks of 200 KiB, each its own mmapped chunk, then the
 *           program's own 1 MiB mmap holding the only pointer to a block:
 *           the kernel merges them into one mapping, which must still be
 *           scanned (exits 3 if they did not merge: nothing was tested);
 *   arena   a thread's glibc arena heap: a freed 64 KiB chunk there keeps
 *           the only, stale, pointer to a block, which must read lost;
 *   file    a private writable mapping of a file (4 MiB, its file deleted,
 *           as a JVM's class-data archive is mapped) and one of 4 KiB, each
 *           holding the only pointer to a block in a page the program
 *           wrote: roots, as Valgrind reads them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG 70             /* more than 64: as many blocks as an allocator's heap */

#define LL_SCRUB_BYTES 65536
#include "scrub.h"

static void *volatile g_big[BIG];
static void *volatile g_kept[8];

/* The /proc/self/maps line holding a, as [*lo, *hi); 0 if none. */
static int mapping_of(uintptr_t a, uintptr_t *lo, uintptr_t *hi)
{
    static char buf[1 << 16];
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while (fd >= 0 && len < (ssize_t)sizeof buf - 1 &&
           (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += n;
    if (fd >= 0) close(fd);
    buf[len] = 0;
    for (char *s = buf; *s;) {
        char *end;
        *lo = strtoul(s, &end, 16);
        *hi = strtoul(end + 1, &end, 16);
        if (*lo <= a && a < *hi) return 1;
        s = strchr(s, '\n');
        if (!s) break;
        s++;
    }
    return 0;
}

static void merged(void)
{
    for (int i = 0; i < BIG; i++) g_big[i] = malloc(200 << 10);   /* @merged-big */
    void **area = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    if (area == MAP_FAILED) exit(3);
    area[0] = malloc(40);                                         /* @merged-mmap */
    uintptr_t lo, hi;
    int in = 0;
    if (!mapping_of((uintptr_t)area, &lo, &hi)) exit(3);
    for (int i = 0; i < BIG; i++) in += lo <= (uintptr_t)g_big[i] && (uintptr_t)g_big[i] < hi;
    if (in <= 64) exit(3);
}

static __attribute__((noinline)) void *arena_body(void *arg)
{
    (void)arg;
    for (int i = 0; i < 7; i++) g_kept[i] = malloc(100);          /* @arena-kept */
    void *volatile *stale = malloc(64 << 10);     /* volatile: the store before free stays */
    g_kept[7] = malloc(100);                      /* keeps it from merging into the top */
    stale[(8 << 10) / sizeof *stale] = malloc(24);                /* @arena-lost */
    free((void *)stale);
    scrub_stack();
    return NULL;
}

static void arena(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, arena_body, NULL) || pthread_join(t, NULL)) exit(3);
}

/* A private writable mapping of a new file of size bytes, holding at
 * offset at the only pointer to block. */
static void file_mapping(size_t size, size_t at, void *block)
{
    char path[] = "/tmp/reach_anon_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || unlink(path) || ftruncate(fd, (off_t)size)) exit(3);
    char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) exit(3);
    volatile char sum = 0;
    for (size_t i = 0; i < size; i += 4096) sum += m[i];        /* the file's pages, read */
    *(void **)(m + at) = block;
}

static void file(void)
{
    file_mapping(4 << 20, (2 << 20) + 8, malloc(48));             /* @file-big */
    file_mapping(4096, 16, malloc(24));                           /* @file-small */
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "merged")) merged();
        else if (!strcmp(argv[i], "arena")) arena();
        else if (!strcmp(argv[i], "file")) file();
        else return 2;
    }
    scrub_stack();
    write(1, "reach_anon: done\n", 17);
    return 0;
}
