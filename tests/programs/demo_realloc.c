/* demo_realloc: "p = realloc(p, n)" loses the old block when realloc fails.
 * realloc returns NULL and leaves the old block alone - but p now holds
 * NULL, so nothing points to the old block any more.  The fix:
 *     char *q = realloc(p, n); if (!q) { free(p); ... } p = q;
 * Here the request is impossibly large, so realloc always fails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *p = malloc(100);        /* @alloc */
    if (!p)
        return 1;
    strcpy(p, "some text");
    size_t huge = SIZE_MAX / 2;   /* no allocator can give this */
    p = realloc(p, huge);         /* @realloc: fails, returns NULL */
    printf("realloc %s\n", p ? "succeeded" : "failed: the old 100 bytes are lost");
    free(p);                      /* free(NULL) does nothing */
    return 0;
}
