/* interior_free: free() of a pointer into the middle of a block is reported with the block's allocation site; the block stays live and is freed properly later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *volatile sink;

int main(void)
{
    char *p = malloc(64);               /* @alloc */
    memset(p, 'z', 64);
    sink = p + 16;
    printf("block %p, freeing %p\n", (void *)p, (void *)sink);
    free(sink);                         /* @interior: the bug */
    free(p);                            /* the correct free */
    printf("interior_free: survived\n");
    return 0;
}
