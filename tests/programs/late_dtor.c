/* late_dtor: hands 5 blocks of 24 bytes to a library it dlopens
 * (libdtorfree.so), whose destructor frees the array that holds them but
 * not them: at the end of the process they are lost (Valgrind: 120 bytes in
 * 5 blocks definitely lost).  libleak's own destructor runs before that
 * library's; its report must come after.
 *   late_dtor [flush|exit]    what the library's destructor does then */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

int main(int argc, char **argv)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", argv[0]);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
             "libdtorfree.so");
    void *h = dlopen(path, RTLD_NOW);
    void (*keep)(void *) = h ? (void (*)(void *))dlsym(h, "dtorfree_keep") : NULL;
    void (*then)(const char *) = h ? (void (*)(const char *))dlsym(h, "dtorfree_then") : NULL;
    if (!keep || !then) {
        fprintf(stderr, "late_dtor: %s\n", dlerror());
        return 2;
    }
    then(argc > 1 ? argv[1] : "");
    for (int i = 0; i < 5; i++)
        keep(calloc(1, 24));            /* @late-item */
    scrub_stack();
    printf("late_dtor: done\n");
    return 0;
}
