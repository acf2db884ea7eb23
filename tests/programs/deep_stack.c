/* deep_stack: a leak made 10 calls deep, to show the recorded call stack (and how depth=N truncates it). */
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;
volatile int depth_reached;

static __attribute__((noinline, noclone)) void recurse(int n)
{
    if (n == 0) {
        sink = malloc(100);             /* @leak */
        sink = NULL;
        return;
    }
    recurse(n - 1);                     /* @recurse */
    depth_reached++;                    /* work after the call: no tail call, a real frame */
}

#include "scrub.h"

int main(int argc, char **argv)
{
    (void)argv;
    recurse(argc + 9);                  /* @main: 10 levels with no arguments */
    scrub_stack();
    printf("deep_stack: %d frames unwound\n", depth_reached);
    return 0;
}
