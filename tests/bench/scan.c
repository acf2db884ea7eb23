/* scan: the workload of scripts/bench-scan - N live blocks (default
 * 1,000,000) holding B bytes in all (default 1 GiB), every byte written,
 * linked into lists from a global array so that the leak check reads all
 * of it; every 8th list is dropped, so lost blocks are classified too.
 * Prints the monotonic time at which main returns: the exit report starts
 * right after, and the script measures when the process is gone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LISTS 1024

struct blk { struct blk *next; uint64_t data[]; };

static struct blk *g_lists[LISTS];

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : (size_t)1 << 30;
    size_t avg = total / n, sum = 0;
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;           /* xorshift */
        size_t size = avg / 2 + (size_t)(x % (avg + 1));     /* avg on average */
        if (size < sizeof(struct blk)) size = sizeof(struct blk);
        struct blk *b = malloc(size);
        if (!b) return 1;
        memset(b, 0x5c, size);                               /* data, not pointers */
        b->next = g_lists[i % LISTS];
        g_lists[i % LISTS] = b;
        sum += size;
    }
    for (size_t l = 0; l < LISTS; l += 8) g_lists[l] = NULL;   /* 1/8 lost */
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    fprintf(stderr, "scan: %zu blocks, %zu bytes live; main returns at %lld.%09ld\n",
            n, sum, (long long)t.tv_sec, t.tv_nsec);
    return 0;
}
