/* hostile_names: a leak whose stack names a function and a source file full
 * of what JSON must escape: quotes, backslashes, a newline, control bytes,
 * DEL and invalid UTF-8 (asm label; #line file name). */
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;

#include "scrub.h"

/* The symbol is written in quotes in the assembly, so it may hold control
 * bytes, DEL and invalid UTF-8 (gas rejects quotes and backslashes in it;
 * the file name below has those). */
void weird(void) __asm__("\"we\x01\x1f\x7f\xff\xc3(fn\"");

#line 1 "ho\"st\\ile\n\x01\x7f\xfe\xc3.c"
__attribute__((noinline)) void weird(void)
{
    sink = malloc(31);
    sink[0] = 1;
    sink = NULL;
}
#line 32 "hostile_names.c"

int main(void)
{
    weird();
    scrub_stack();
    printf("hostile_names: done\n");
    return 0;
}
