/* iconv_reuse: a library loaded where libc unloaded an iconv module itself.
 *
 * iconv_open("UTF-16", "UTF-8") loads glibc's UTF-16.so, whose gconv_init
 * allocates (so a stack runs through it); iconv_close gives it back, and
 * libc's own __libc_dlclose unloads it once a few more conversions were
 * released: never through dlclose().  Then libreuse_b.so is dlopen'ed,
 * which the loader maps in the hole, and its reuse_bravo leaks 22 bytes.
 * Prints "same address" when reuse_bravo lies where UTF-16.so's code was,
 * as the test needs. */
#include <dlfcn.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrub.h"

void *volatile reuse_sink;

/* The code range of the object whose path holds name; 0 if not mapped. */
static int code_of(const char *name, uintptr_t *lo, uintptr_t *hi)
{
    char line[4096];
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, " r-xp ") && strstr(line, name) &&
                sscanf(line, "%lx-%lx", lo, hi) == 2;
    if (f)
        fclose(f);
    return found;
}

int main(void)
{
    uintptr_t lo, hi, a, b;
    iconv_t c = iconv_open("UTF-16", "UTF-8");
    if (c == (iconv_t)-1 || !code_of("/UTF-16.so", &lo, &hi)) {
        printf("iconv_reuse: no UTF-16 module\n");
        return 0;
    }
    iconv_close(c);
    for (int i = 0; i < 8; i++)
        iconv_close(iconv_open("ISO-8859-2", "UTF-8"));
    if (code_of("/UTF-16.so", &a, &b)) {
        printf("iconv_reuse: UTF-16.so stayed loaded\n");
        return 0;
    }
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
    if (n <= 0)
        return 1;
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "libreuse_b.so");
    void *h = dlopen(path, RTLD_NOW);
    void *(*f)(void) = h ? (void *(*)(void))dlsym(h, "reuse_bravo") : NULL;
    if (!f) {
        fprintf(stderr, "iconv_reuse: %s\n", dlerror());
        return 1;
    }
    reuse_sink = f();
    reuse_sink = NULL;
    scrub_stack();
    uintptr_t at = (uintptr_t)f;
    printf("iconv_reuse: %s\n", at - lo < hi - lo ? "same address" : "different addresses");
    return 0;
}
