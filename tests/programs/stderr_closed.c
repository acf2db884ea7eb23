/* stderr_closed: like ls and sort, the program closes its stderr before it
 * exits; libleak's report must still appear (on the stderr it started with). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *volatile sink;

int main(void)
{
    sink = malloc(77); /* @leak */
    sink = NULL;
    printf("stderr_closed: closing stderr\n");
    fflush(stdout);
    close(2);
    return 0;
}
