/* live - keep N blocks of 32 bytes alive, then free them all: the
 * benchmark's probe for libleak's metadata bytes per live block (peak RSS
 * under libleak minus native, divided by N).  live N */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    void **v = malloc((size_t)n * sizeof(*v));
    for (long i = 0; i < n; i++)
        v[i] = malloc(32);
    for (long i = 0; i < n; i++)
        free(v[i]);
    free(v);
    printf("live: %ld blocks\n", n);
    return 0;
}
