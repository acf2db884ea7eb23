/* hostile_dlclose: dlopen libhostile_leak.so (next to this program), call
 * its leaking function, dlclose it, exit.
 *
 *   hostile_dlclose [relative [keep]]
 *
 * relative: dlopen it as "./libhostile_leak.so" from this program's
 * directory, then chdir("/") before the call, so that the loader's name for
 * it is relative to a directory the process has left.  keep: no dlclose. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scrub.h"

static void *open_lib(int relative)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0)
        return NULL;
    path[n] = 0;
    char *base = strrchr(path, '/') + 1;
    strcpy(base, "libhostile_leak.so");
    if (!relative)
        return dlopen(path, RTLD_NOW);
    base[-1] = 0;
    if (chdir(path) != 0)
        return NULL;
    void *h = dlopen("./libhostile_leak.so", RTLD_NOW);
    return chdir("/") == 0 ? h : NULL;
}

int main(int argc, char **argv)
{
    int relative = argc > 1 && !strcmp(argv[1], "relative");
    int keep = argc > 2 && !strcmp(argv[2], "keep");
    void *h = open_lib(relative);
    if (!h) {
        const char *e = dlerror();
        fprintf(stderr, "%s\n", e ? e : "hostile_dlclose: no directory to load from");
        return 1;
    }
    void (*leak)(void) = (void (*)(void))dlsym(h, "hostile_lib_leak");
    if (!leak)
        return 1;
    leak();
    int closed = keep || dlclose(h) == 0;
    scrub_stack();
    printf("hostile_dlclose: %s\n", !closed ? "dlclose failed" : keep ? "kept" : "closed");
    return !closed;
}
