/* dlopen_after_error: an invalid free, which libleak reports with file and
 * line (it loads libdw for that, with the libraries libdw needs: libz among
 * them), then a dlopen of libz by the program itself.  The loader keeps
 * libz's link map from libleak's load, and stores in it the dependency list
 * the program's dlopen makes: the program's block, held for good, so still
 * reachable, not lost.  Prints whether libz was loaded before the dlopen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* Opaque hand-off so the compiler cannot see (or warn about) what is freed. */
static __attribute__((noinline)) void *launder(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

int main(void)
{
    int local = 5;
    free(launder(&local));                          /* @free-stack */
    void *before = dlopen("libz.so.1", RTLD_NOW | RTLD_NOLOAD);
    void *z = dlopen("libz.so.1", RTLD_NOW);        /* @dlopen */
    printf("dlopen_after_error: libz loaded before: %s, dlopen: %s\n",
           before ? "yes" : "no", z ? "ok" : dlerror());
    return 0;
}
