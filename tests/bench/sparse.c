/* sparse - a big table from calloc, kept to the end, of which two pages
 * are written: what the exit check pays to read it.
 *   sparse GIB */
#include <stdio.h>
#include <stdlib.h>

char *volatile keep;

int main(int argc, char **argv)
{
    size_t n = (size_t)(argc > 1 ? atol(argv[1]) : 4) << 30;
    keep = calloc(1, n);
    if (!keep)
        return 1;
    keep[0] = 1;
    keep[n / 2] = 2;
    printf("sparse: %zu MiB, 2 pages written\n", n >> 20);
    return 0;
}
