/* stderr_broken_pipe: stderr is a pipe nobody reads any more, as in
 * `prog 2>&1 | head -1` once head has exited.  The program makes such a
 * pipe its stderr and executes itself again, so the process starts with it
 * (a stderr replaced later is not the one libleak writes to).  The program
 * never writes to it, so natively it exits 3 and exit() flushes its stdout;
 * libleak's report, written to that pipe before stdout is flushed, must not
 * kill it with SIGPIPE. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "started-with-it") == 0) {
        printf("stderr_broken_pipe: done\n");   /* still buffered at exit */
        return 3;
    }
    int p[2];
    if (pipe(p) != 0) {
        perror("pipe");
        return 1;
    }
    close(p[0]);                /* no reader: a write raises SIGPIPE */
    dup2(p[1], 2);
    close(p[1]);
    execl("/proc/self/exe", argv[0], "started-with-it", (char *)NULL);
    return 1;
}
