/* hostile_mlockall: a program that locks its memory, current and future
 * (mlockall(MCL_CURRENT | MCL_FUTURE)), as real-time and cryptographic
 * programs do.  Every mapping made after that is locked, and so filled at
 * once: libleak's must not make the program's RSS leap.  Leaks 48 bytes,
 * marked.  Exits 3 when the system does not let it lock its memory. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static void *volatile sink;

int main(void)
{
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        perror("hostile_mlockall: mlockall");
        return 3;
    }
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    for (int i = 0; i < 1000; i++)
        free(malloc(100));
    puts("hostile_mlockall: done");
    return 0;
}
