/* possibly_lost: a block whose only reference points into its middle (not to its start) is "possibly lost". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *g_cursor;                     /* points 10 bytes into a 100-byte block */

#include "scrub.h"

int main(void)
{
    char *block = malloc(100);      /* @alloc */
    if (!block)
        return 1;
    strcpy(block, "0123456789interior");
    g_cursor = block + 10;
    printf("cursor: %s\n", g_cursor);
    scrub_stack();
    return 0;
}
