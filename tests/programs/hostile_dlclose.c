/* hostile_dlclose: dlopen libhostile_leak.so (next to this program), call
 * its leaking function, dlclose it, exit. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scrub.h"

int main(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0)
        return 1;
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "libhostile_leak.so");
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    void (*leak)(void) = (void (*)(void))dlsym(h, "hostile_lib_leak");
    if (!leak)
        return 1;
    leak();
    int closed = dlclose(h) == 0;
    scrub_stack();
    printf("hostile_dlclose: %s\n", closed ? "closed" : "dlclose failed");
    return !closed;
}
