/* wrap_malloc: run under LD_PRELOAD="libleak.so libwrapmalloc.so", it
 * calls the wrapper library's wrapmalloc_leak_list, which leaks a list from
 * the library's own code, and makes a list of its own that it keeps. */
#include "scrub.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; long pad[3]; };
static struct node *kept;

int main(void)
{
    void (*leak)(void);
    *(void **)&leak = dlsym(RTLD_DEFAULT, "wrapmalloc_leak_list");
    if (!leak) {
        fprintf(stderr, "wrap_malloc: libwrapmalloc.so is not loaded\n");
        return 2;
    }
    leak();
    for (int i = 0; i < 4; i++) {
        struct node *n = malloc(sizeof *n);
        n->next = kept;
        kept = n;
    }
    scrub_stack();
    puts("wrap_malloc: done");
    return 0;
}
