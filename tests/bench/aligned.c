/* aligned - the aligned calls: posix_memalign, aligned_alloc, memalign
 * with alignments from 16 to 4096.   aligned N */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    void *keep[64] = { 0 };
    for (long i = 0; i < n; i++) {
        size_t a = (size_t)16 << (i % 9), sz = 32 + (size_t)(i % 256);
        void *p = NULL;
        switch (i % 3) {
        case 0: if (posix_memalign(&p, a, sz)) p = NULL; break;
        case 1: p = aligned_alloc(a, (sz + a - 1) / a * a); break;
        default: p = memalign(a, sz); break;
        }
        free(keep[i % 64]);
        keep[i % 64] = p;
    }
    for (int k = 0; k < 64; k++)
        free(keep[k]);
    printf("aligned: %ld\n", n);
    return 0;
}
