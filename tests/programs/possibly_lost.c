/* possibly_lost: a block whose only reference points into its middle (not to its start) is "possibly lost". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *g_cursor;                     /* points 10 bytes into a 100-byte block */

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char pad[16384];       /* wipe stale copies of the start pointer (conservative scan) */
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0;
}

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
