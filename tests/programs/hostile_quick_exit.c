/* hostile_quick_exit: leak one 77-byte block, keep a 4321-byte block in a
 * global that an at_quick_exit handler frees, then end with quick_exit(9).
 * glibc's quick_exit runs the handlers and then its internal _exit, so a
 * report needs help (exits.c): it must come after the handler (the kept
 * block is not in it), keep the status 9 (or take exitcode=N), and leave
 * stdio unflushed as quick_exit does (the printf below is lost natively
 * when stdout is a file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *volatile sink;
char *kept;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static void handler(void)
{
    static const char m[] = "hostile_quick_exit: handler\n";
    free(kept);
    kept = NULL;
    if (write(1, m, sizeof m - 1) < 0)
        _exit(4);
}

int main(void)
{
    kept = malloc(4321);                    /* @kept */
    memset(kept, 1, 4321);
    at_quick_exit(handler);
    leak(77);
    scrub_stack();
    printf("hostile_quick_exit: buffered, never flushed\n");
    quick_exit(9);
}
