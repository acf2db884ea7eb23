/* many - N blocks from S distinct call stacks, all leaked (never freed) or
 * kept reachable: the exit report's worst case.  Each block is allocated
 * 9 calls deep on a path chosen two bits at a time from its stack number,
 * through four functions, so S <= 262144 distinct stacks within 16 frames.
 *   many N S [live]    prints when main returns, for the benchmark */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))
static void *volatile sink;
static void **keep;
static long kept;

NOINLINE static void f0(unsigned path, int depth);
NOINLINE static void f1(unsigned path, int depth);
NOINLINE static void f2(unsigned path, int depth);
NOINLINE static void f3(unsigned path, int depth);

/* Inlined into each f: four call sites per function, so every path gives
 * its own return addresses. */
static inline void down(unsigned path, int depth)
{
    if (depth == 0) {
        void *p = malloc(32);
        if (keep)
            keep[kept++] = p;
        sink = p;
        return;
    }
    switch (path & 3) {
    case 0: f0(path >> 2, depth - 1); break;
    case 1: f1(path >> 2, depth - 1); break;
    case 2: f2(path >> 2, depth - 1); break;
    default: f3(path >> 2, depth - 1); break;
    }
    sink = &path;
}

NOINLINE static void f0(unsigned path, int depth) { down(path, depth); }
NOINLINE static void f1(unsigned path, int depth) { down(path, depth); }
NOINLINE static void f2(unsigned path, int depth) { down(path, depth); }
NOINLINE static void f3(unsigned path, int depth) { down(path, depth); }

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long s = argc > 2 ? atol(argv[2]) : 100000;
    int live = argc > 3 && argv[3][0] == 'l';   /* "live": keep them reachable */
    if (live)
        keep = malloc((size_t)n * sizeof(*keep));
    for (long i = 0; i < n; i++)
        f0((unsigned)(i % s), 9);
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    printf("many: %ld blocks from %ld stacks%s; main returns at %ld.%09ld\n", n, s,
           live ? " (reachable)" : " (lost)", (long)t.tv_sec, t.tv_nsec);
    return 0;
}
