/* deep - allocations made 12 to 20 calls deep, from several call paths,
 * as in real programs whose allocations happen far below main.
 *   deep N */
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))
static void *volatile sink;

NOINLINE static void *leaf(int path, size_t n)
{
    void *p = malloc(n + (size_t)path);
    sink = p;
    return p;
}

NOINLINE static void *level_a(int d, int path, size_t n);
NOINLINE static void *level_b(int d, int path, size_t n)
{
    void *p = d ? level_a(d - 1, path, n + 1) : leaf(path, n);
    sink = &d;
    return p;
}

NOINLINE static void *level_a(int d, int path, size_t n)
{
    void *p = d ? level_b(d - 1, path, n) : leaf(path, n);
    sink = &d;
    return p;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    for (long i = 0; i < n; i++) {
        int path = (int)(i % 5);
        free(level_a(12 + path * 2, path, 32));
    }
    printf("deep: %ld\n", n);
    return 0;
}
