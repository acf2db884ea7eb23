/* many_bad_frees: free() of a global array N times (argv[1]; none without
 * it), each an invalid free libleak reports and keeps from the allocator.
 * Past the first 100 they are counted, not printed; past 1,000, not listed. */
#include <stdio.h>
#include <stdlib.h>

char global_buffer[64];

static __attribute__((noinline)) void *launder(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    for (long i = 0; i < n; i++)
        free(launder(global_buffer));   /* @bad-free */
    printf("many_bad_frees: %ld frees survived\n", n);
    return 0;
}
