/* demo_overwrite: a pointer overwritten while it still held the only
 * address of a block.  The second malloc's block is freed; the first one's
 * address was lost when p was assigned again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void greet(void)
{
    char *p = malloc(16);         /* @first */
    if (!p)
        return;
    strcpy(p, "hello");
    printf("%s\n", p);
    p = malloc(32);               /* @second: the 16 bytes above are lost here */
    if (!p)
        return;
    strcpy(p, "hello, world");
    printf("%s\n", p);
    free(p);                      /* frees the 32 bytes only */
}

int main(void)
{
    greet();
    return 0;
}
