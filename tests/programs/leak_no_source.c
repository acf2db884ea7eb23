/* leak_no_source [leak]: with an argument, drops a 21-byte block allocated
 * on a line of a source file that does not exist (the #line below names
 * it), so no report can show that line's text; it must still say where the
 * block was allocated.  Without an argument it frees it (the CI gate runs
 * every program so). */
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;

#include "scrub.h"

int main(int argc, char **argv)
{
    (void)argv;
#line 500 "gone_source.c"
    sink = malloc(21);
    sink[0] = 'x';
    if (argc < 2)
        free(sink);
    sink = NULL;
    scrub_stack();
    printf("leak_no_source: done\n");
    return 0;
}
