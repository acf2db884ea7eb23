/* leak_simple: the smallest possible leak - one malloc(4) whose pointer is dropped. */
#include <stdio.h>
#include <stdlib.h>

/* A global the compiler must keep: without it, -O2 could delete the unused malloc. */
char *volatile sink;

/* libleak scans stacks conservatively.  Wipe the dead stack area below main so a
 * stale copy of the dropped pointer cannot make the lost block look reachable. */
#include "scrub.h"

int main(void)
{
    sink = malloc(4); /* @leak */
    sink[0] = 'x';
    sink = NULL;      /* the only pointer to the 4 bytes is gone: definitely lost */
    scrub_stack();
    printf("leak_simple: done\n");
    return 0;
}
