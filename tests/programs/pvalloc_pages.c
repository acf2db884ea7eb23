/* pvalloc_pages: pvalloc gives whole pages, all the program's.  Each block's only reference points past the size asked, into the rounded-up part: both are "possibly lost", one page and two. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

char *g_one_page;                   /* 3000 bytes into pvalloc(100) */
char *g_two_pages;                  /* 8000 bytes into pvalloc(4097) */

#include "scrub.h"

static __attribute__((noinline)) void keep_interior(void)
{
    char *a = pvalloc(100);         /* @pvalloc100 */
    char *b = pvalloc(4097);        /* @pvalloc4097 */
    if (!a || !b || malloc_usable_size(a) < 4096 || malloc_usable_size(b) < 8192)
        exit(1);
    a[3000] = 'a';                  /* the program owns the whole pages */
    b[8000] = 'b';
    g_one_page = a + 3000;
    g_two_pages = b + 8000;
}

int main(void)
{
    keep_interior();
    scrub_stack();
    printf("pvalloc_pages: %c%c\n", *g_one_page, *g_two_pages);
    return 0;
}
