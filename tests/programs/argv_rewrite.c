/* argv_rewrite: rewrites its own command line after it starts, as head,
 * git and ld do: argv[1]'s bytes in place, argv[2] pointed elsewhere,
 * argv[3] dropped.  Its report must name the command it was started
 * with.  Leaks nothing. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1)
        memset(argv[1], 'X', strlen(argv[1]));
    if (argc > 2)
        argv[2] = "REWRITTEN";
    if (argc > 3)
        argv[3] = NULL;
    puts("argv_rewrite: done");
    return 0;
}
