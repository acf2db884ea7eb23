/* exitcode: a leaking program that exits with status 3; libleak's exitcode=N option replaces the status with N when blocks were lost. */
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char pad[16384];           /* wipe stale pointer copies (conservative scan) */
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0;
}

int main(void)
{
    sink = malloc(10);                  /* @leak */
    sink[0] = 0;
    sink = NULL;
    scrub_stack();
    printf("exitcode: returning 3\n");
    return 3;
}
