/* dlclose_same_name: two plugins of one file name from two directories, the
 * second loaded where the first was after it was dlclosed.
 *   dlclose_same_name DIR_A/libplug.so DIR_B/libplug.so
 * calls reuse_alpha in the first (an 11-byte leak), closes it, then
 * reuse_bravo in the second (22 bytes), kept loaded.  Prints "same address"
 * when they shared it, as the test needs.  Each leak must be named after
 * its own library, though the file names are the same. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

void *volatile plug_sink;

__attribute__((noinline)) static void *call(const char *path, const char *sym, int close)
{
    void *h = dlopen(path, RTLD_NOW);
    void *(*f)(void) = h ? (void *(*)(void))dlsym(h, sym) : NULL;
    if (!f) {
        fprintf(stderr, "dlclose_same_name: %s\n", dlerror());
        exit(1);
    }
    plug_sink = f();
    plug_sink = NULL;
    if (close && dlclose(h) != 0)
        exit(1);
    return (void *)f;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    void *a = call(argv[1], "reuse_alpha", 1);
    void *b = call(argv[2], "reuse_bravo", 0);
    scrub_stack();
    printf("dlclose_same_name: %s\n", a == b ? "same address" : "different addresses");
    return 0;
}
