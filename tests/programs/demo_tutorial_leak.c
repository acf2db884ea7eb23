/* demo_tutorial_leak: the same program with the free forgotten.  When main
 * returns, p - the only pointer to the 4 bytes - is gone, so nothing can
 * free them any more: 4 bytes in 1 block definitely lost. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int *p = malloc(sizeof *p);   /* @leak: room for one int: 4 bytes */
    if (p == NULL)
        return 1;
    *p = 42;
    printf("*p = %d\n", *p);
    return 0;                     /* no free(p): the block leaks */
}
