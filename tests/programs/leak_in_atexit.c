/* leak_in_atexit - a block dropped by an atexit handler, while exit() runs:
 * its stack passes through libleak's exit() wrapper, whose frames must not
 * show (the handler, exit in libc, then the program's caller of exit). */
#include <stdlib.h>

static void *volatile sink;

__attribute__((noinline)) static void leaf(void)
{
    sink = malloc(24);                  /* @leak */
    sink = NULL;
}

static void at_end(void)
{
    leaf();
}

__attribute__((noinline)) static void finish(int status)
{
    exit(status);                       /* @exit */
}

int main(void)
{
    atexit(at_end);
    finish(0);
}
