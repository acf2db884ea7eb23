/* grow - realloc growth and calloc-heavy patterns: strings built by
 * doubling realloc, arrays from calloc.   grow N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    unsigned long sum = 0;
    for (long i = 0; i < n; i++) {
        size_t cap = 8, len = 0;
        char *s = malloc(cap);
        for (int k = 0; k < 24; k++) {
            if (len + 16 > cap)
                s = realloc(s, cap *= 2);
            memcpy(s + len, "0123456789abcdef", 16);
            len += 16;
        }
        int *a = calloc(64 + (size_t)(i % 64), sizeof(int));
        sum += (unsigned long)a[3] + (unsigned char)s[len - 1];
        free(a);
        free(s);
    }
    printf("grow: %ld (%lu)\n", n, sum & 1);
    return 0;
}
