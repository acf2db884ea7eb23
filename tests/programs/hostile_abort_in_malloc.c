/* hostile_abort_in_malloc: glibc's malloc finds its own lists corrupted (a
 * write after free spoils a tcache link) and aborts from inside malloc;
 * the program's SIGABRT handler calls exit(7).  Natively the process ends
 * with status 7.  The handler runs inside the real allocator, whose lists
 * are broken: libleak's report must take no memory from it, and says so
 * in one line.  A block of 48 bytes is dropped first (@leak). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scrub.h"

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(48); /* @leak */
    p[0] = 1;
}

static void on_abort(int sig)
{
    (void)sig;
    exit(7);
}

int main(void)
{
    signal(SIGABRT, on_abort);
    drop();
    scrub_stack();
    void *volatile x = malloc(32);
    volatile uintptr_t *volatile a = malloc(32);
    free(x);
    free((void *)a);                /* tcache list of 32-byte chunks: a, x */
    /* After free: a's link, stored mangled with its own address (glibc's
     * safe-linking), now reads as the odd pointer 1. */
    a[0] = ((uintptr_t)&a[0] >> 12) ^ 1;
    void *volatile b = malloc(32);  /* returns a; the list's head is garbage */
    void *volatile c = malloc(32);  /* "malloc(): unaligned tcache chunk detected" */
    printf("hostile_abort_in_malloc: malloc did not abort (%p %p)\n", b, c);
    return 0;
}
