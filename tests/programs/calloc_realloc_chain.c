/* calloc_realloc_chain: a buffer started with calloc and grown by realloc 20 times is one leak - the last realloc, with the final size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *volatile buffer;

#include "scrub.h"

int main(void)
{
    size_t size = 10;
    buffer = calloc(1, size);
    for (int i = 1; i <= 20; i++) {
        size += 50;                          /* 60, 110, ... 1010 */
        char *bigger = realloc(buffer, size); /* @grow */
        if (!bigger)
            return 1;
        memset(bigger + size - 50, 'a' + i % 26, 50);
        buffer = bigger;
    }
    printf("final size %zu, last byte '%c'\n", size, buffer[size - 1]);
    buffer = NULL;                          /* only the final 1010-byte block is lost */
    scrub_stack();
    return 0;
}
