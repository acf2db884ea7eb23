/* invalid_free: free() of memory malloc never returned (a stack variable, a global array) and realloc() of a stack address are reported, not executed. */
#include <stdio.h>
#include <stdlib.h>

char global_buffer[64];

/* Opaque hand-off so the compiler cannot see (or warn about) what is freed. */
static __attribute__((noinline)) void *launder(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

int main(void)
{
    int local = 5;
    char local_buffer[32];

    printf("stack %p global %p\n", (void *)&local, (void *)global_buffer);
    free(launder(&local));                          /* @free-stack */
    free(launder(global_buffer));                   /* @free-global */
    void *r = realloc(launder(local_buffer), 100);  /* @realloc-stack */
    printf("invalid_free: survived, local = %d, realloc gave %s\n", local, r ? "a block" : "NULL");
    free(r);
    return 0;
}
