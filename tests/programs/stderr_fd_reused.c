/* stderr_fd_reused: like a daemon, the program closes every fd but stdin and
 * stdout - stderr, and with it libleak's copy of stderr at fd 64 - then opens
 * files of its own: /dev/null on fds 2 to 63, and its data file argv[1] on
 * fd 64.  The data file must hold only what the program wrote: with stderr
 * gone, libleak's report is lost, not appended there. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: stderr_fd_reused DATA-FILE\n");
        return 2;
    }
    for (int fd = 2; fd < 1024; fd++)
        close(fd);
    int fd;
    do
        fd = open("/dev/null", O_RDONLY);
    while (fd >= 0 && fd < 63);
    int data = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (data < 0)
        return 1;
    dprintf(data, "program data on fd %d\n", data);
    printf("stderr_fd_reused: data on fd %d\n", data);
    return 0;
}
