/* dlclose_reuse: a library loaded where a dlclosed one used to be.
 *
 *   dlclose_reuse [rounds]
 *
 * Each round dlopens libreuse_a.so (next to this program), calls its
 * reuse_alpha (an 11-byte leak), dlcloses it, then dlopens libreuse_b.so,
 * which the loader maps at the same address, calls its reuse_bravo (22
 * bytes, same return address after the malloc call, another frame size)
 * and, but for the last round, dlcloses it too.  Prints "same address"
 * when the two did share their address, as the tests need. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrub.h"

void *volatile reuse_sink;

static const char *lib_path(const char *name)
{
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
    if (n <= 0)
        exit(1);
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, name);
    return path;
}

__attribute__((noinline)) static void call_it(void *(*f)(void))
{
    reuse_sink = f();
    reuse_sink = NULL;
    __asm__ volatile("" ::: "memory");      /* not a tail call */
}

/* The address of sym in the library, which is dlclosed if close. */
__attribute__((noinline)) static void *use_lib(const char *name, const char *sym, int close)
{
    void *h = dlopen(lib_path(name), RTLD_NOW);
    void *(*f)(void) = h ? (void *(*)(void))dlsym(h, sym) : NULL;
    if (!f) {
        fprintf(stderr, "dlclose_reuse: %s\n", dlerror());
        exit(1);
    }
    call_it(f);
    if (close && dlclose(h) != 0)
        exit(1);
    return (void *)f;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 1, same = 1;
    for (int i = 0; i < rounds; i++) {
        void *a = use_lib("libreuse_a.so", "reuse_alpha", 1);
        void *b = use_lib("libreuse_b.so", "reuse_bravo", i + 1 < rounds);
        same &= a == b;
    }
    scrub_stack();
    printf("dlclose_reuse: %s\n", same ? "same address" : "different addresses");
    return 0;
}
