/* pairs - the plain loop: malloc then free, N times, sizes 16..256.
 * The benchmark divides libleak's extra time by N: the added cost per
 * malloc/free pair.   pairs N */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    unsigned long sum = 0;
    for (long i = 0; i < n; i++) {
        char *volatile p = malloc(16 + (size_t)(i & 15) * 16);
        p[0] = (char)i;
        sum += (unsigned long)p[0];
        free(p);
    }
    printf("pairs: %ld (%lu)\n", n, sum & 1);
    return 0;
}
