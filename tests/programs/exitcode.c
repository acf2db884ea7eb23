/* exitcode: a leaking program that exits with status 3; libleak's exitcode=N option replaces the status with N when blocks were lost. */
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;

#include "scrub.h"

int main(void)
{
    sink = malloc(10);                  /* @leak */
    sink[0] = 0;
    sink = NULL;
    scrub_stack();
    printf("exitcode: returning 3\n");
    return 3;
}
