/* nopie_malloc_addr: a non-PIE program that takes the addresses of malloc
 * and free in its code, as Debian's python3.11 does.  The linker then gives
 * the program an undefined malloc whose value is its PLT entry, so that
 * every object sees one address for the function; dlsym returns that
 * entry, inside the program, though the program defines no malloc.  Built
 * with -no-pie -fno-pie (Makefile).  It leaks one 40-byte block, which
 * libleak sees, as it sees every block here. */
#include <stdio.h>
#include <stdlib.h>

void *(*volatile alloc_fn)(size_t);
void (*volatile free_fn)(void *);

int main(void)
{
    alloc_fn = malloc;
    free_fn = free;
    char *kept = alloc_fn(40);
    char *freed = alloc_fn(24);
    kept[0] = 1;
    free_fn(freed);
    kept = NULL;
    puts("nopie_malloc_addr: done");
    return 0;
}
