/* demo_tutorial_free: the tutorial's first example in C - allocate room for
 * one int with malloc, store 42 in it, use it, give it back with free.
 * Every block is freed, so the report finds nothing lost. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int *p = malloc(sizeof *p);   /* room for one int: 4 bytes */
    if (p == NULL)
        return 1;
    *p = 42;
    printf("*p = %d\n", *p);
    free(p);                      /* @free: the memory goes back */
    return 0;
}
