/* libdtorfree.so - late_dtor dlopens it: it keeps the blocks it is given
 * in an array of its own, and its ELF destructor frees the array but not
 * the blocks, so they are lost only once it has run.  After
 * dtorfree_then("exit") the destructor then calls _exit(7); after
 * dtorfree_then("flush"), fflush(NULL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void **kept;
static size_t nkept;
static char then[8];

void dtorfree_then(const char *what)
{
    snprintf(then, sizeof then, "%s", what);
}

void dtorfree_keep(void *p)
{
    void **v = realloc(kept, (nkept + 1) * sizeof *v);
    if (!v)
        abort();
    kept = v;
    kept[nkept++] = p;
}

__attribute__((destructor)) static void dtorfree_fini(void)
{
    free(kept);
    kept = NULL;
    if (strcmp(then, "flush") == 0)
        fflush(NULL);
    if (strcmp(then, "exit") == 0)
        _exit(7);
}
