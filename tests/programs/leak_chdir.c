/* leak_chdir DIR: starts over in DIR (it changes there and executes itself
 * again, so libleak starts in DIR), then changes to / and drops a 24-byte
 * block.  A relative output= path must still name a file in DIR: the
 * directory the process started in, not the one it ended in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

int main(int argc, char **argv)
{
    if (argc == 2) {
        if (chdir(argv[1]) != 0)
            return 2;
        execl(argv[0], argv[0], argv[1], "started", (char *)NULL);
        return 127;
    }
    if (chdir("/") != 0)
        return 3;
    sink = malloc(24); /* @leak */
    memset(sink, 1, 24);
    sink = NULL;
    scrub_stack();
    printf("leak_chdir: done\n");
    return 0;
}
