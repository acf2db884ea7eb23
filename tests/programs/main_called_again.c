/* main_called_again: main calls itself (three levels deep, each leaking
 * 20, 21 and 22 bytes), and an atexit handler calls it once more (30
 * bytes).  Stacks end at main's caller in libc, so frames past a main are
 * the program's: the reports list them, the recursion's mains and the
 * handler again below the last main.  The text report cut every stack
 * after its first main frame, as if start-up code came next. */
#include <stdlib.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

int main(int argc, char **argv);

static __attribute__((noinline)) void again(void)
{
    int r = main(0, NULL);                  /* @again */
    __asm__ volatile("" : "+r"(r));         /* no tail call */
}

int main(int argc, char **argv)
{
    static int calls;
    int me = calls++;
    if (me == 0)
        atexit(again);
    if (me == 3) {                          /* from the handler */
        leak(30);
        return 0;
    }
    leak(20 + (size_t)me);
    int r = 0;
    if (me < 2) {
        r = main(argc, argv);
        __asm__ volatile("" : "+r"(r));     /* no tail call: a frame each */
    }
    scrub_stack();
    return r;
}
