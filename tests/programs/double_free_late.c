/* double_free_late: a block freed twice with 200 other frees between: the
 * recent frees libleak remembers (64 per thread) have forgotten it by the
 * second.  With freelist=1 the freed block is kept, its address given to
 * no one since, so the second free is a double free for sure, reported
 * with where the block was allocated and first freed; without, it reads
 * as the free of a pointer never allocated.  Either way it is not passed
 * on, and the program carries on.  Leaks nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *volatile sink, *volatile other;

int main(void)
{
    char *p = malloc(40);           /* @alloc */
    strcpy(p, "short-lived");
    sink = p;
    free(sink);                     /* @first-free */
    for (int i = 0; i < 200; i++) {
        other = malloc(100 + (size_t)i);
        free(other);
    }
    free(sink);                     /* @second-free: the bug */
    sink = NULL;
    printf("double_free_late: survived\n");
    return 0;
}
