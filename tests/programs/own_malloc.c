/* own_malloc: a program linked with an allocator of its own (as rustc is
 * with jemalloc): it defines malloc, free, calloc and realloc, a bump
 * allocator over a static arena here, and the C library's calls come to
 * them too.  No preload sees these blocks; libleak's report must say so
 * rather than read clean.  It leaks one block, which libleak cannot see. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static _Alignas(16) char arena[1 << 20];
static size_t used;

void *malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > sizeof arena - used)
        return NULL;
    void *p = arena + used;
    used += n;
    return p;
}

void free(void *p) { (void)p; }

void *calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        return NULL;
    void *p = malloc(n * size);
    return p ? memset(p, 0, n * size) : NULL;
}

void *realloc(void *p, size_t n)
{
    void *q = malloc(n);
    if (q && p)
        memcpy(q, p, n);            /* the old block is at least as long: it lies before q */
    return q;
}

static void *volatile sink;

int main(void)
{
    sink = malloc(40);              /* never freed, never seen */
    sink = NULL;
    printf("own_malloc: done\n");
    return 0;
}
