/* reuse_lib.h - the body of libreuse_a.c and libreuse_b.c: one function that
 * leaks from a frame of SIZE bytes.  Built from one text, both libraries
 * have the same layout, so the one dlopen'ed after the other was dlclosed
 * lands at its address with the same return address after the malloc call,
 * but (SIZE differs) another frame size: another unwind rule. */
#include <stdlib.h>

__attribute__((noinline)) void *REUSE_FN(void)
{
    volatile char buf[REUSE_SIZE];
    (void)buf;
    buf[0] = 1;
    void *p = malloc(REUSE_ALLOC);          /* @reuse-leak */
    buf[1] = 2;
    return p;
}
