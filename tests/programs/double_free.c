/* double_free: freeing a block twice is reported with where it was allocated and first freed; the second free is not passed on, so the program carries on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *volatile sink;

int main(void)
{
    char *p = malloc(40);           /* @alloc */
    strcpy(p, "short-lived");
    sink = p;
    printf("allocated %p\n", (void *)p);
    free(sink);                     /* @first-free */
    free(sink);                     /* @second-free: the bug */
    printf("double_free: survived\n");
    return 0;
}
