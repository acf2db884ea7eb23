/* stderr_fd2_reused: the program closes its stderr and opens a data file of
 * its own, which gets fd 2.  The data file must hold only what the program
 * wrote: libleak's report goes to the copy of stderr it kept, or, when the
 * program closed that too ("every" as argv[2], like a daemon), it is lost. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *volatile sink;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: stderr_fd2_reused DATA-FILE [every]\n");
        return 2;
    }
    sink = malloc(55); /* @leak */
    sink = NULL;
    int last = argc > 2 && strcmp(argv[2], "every") == 0 ? 1024 : 3;
    for (int fd = 2; fd < last; fd++)
        close(fd);
    int data = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (data != 2)
        return 1;
    dprintf(data, "program data on fd %d\n", data);
    printf("stderr_fd2_reused: data on fd %d\n", data);
    return 0;
}
