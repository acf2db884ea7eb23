/* exit_while_main_waits [read]: the main thread drops a block, then waits
 * in poll() (or read(), which SA_RESTART covers) on a pipe nobody writes to, holding the only pointer to another
 * block in a local; a worker drops a block of its own and calls exit(3).  Natively poll() never returns: the
 * process ends with status 3.  libleak stops main for the leak check, and
 * main's poll() must not return EINTR because of it (it would print, then
 * end the process itself with another status). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static pid_t main_tid;

/* Until main is inside the call it waits in (its /proc syscall line starts
 * with a number): stopped elsewhere, it would prove nothing. */
static void wait_for_main(void)
{
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)main_tid);
    for (;;) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0)
            close(fd);
        if (n > 0 && buf[0] >= '0' && buf[0] <= '9')
            return;
        usleep(1000);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    wait_for_main();
    sink = malloc(40);  /* @dropped */
    memset(sink, 2, 40);
    sink = NULL;
    scrub_stack();
    exit(3);
}

int main(int argc, char **argv)
{
    int fds[2];
    if (pipe(fds))
        return 1;
    char *volatile kept = malloc(333);  /* @kept: still reachable, from main's frame */
    memset(kept, 1, 333);
    main_tid = (pid_t)syscall(SYS_gettid);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    sink = malloc(56);  /* @main-dropped: lost, though a dead copy may lie below poll's frame */
    memset(sink, 3, 56);
    sink = NULL;
    int r;
    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        char c;
        r = (int)read(fds[0], &c, 1);
    } else {
        struct pollfd p = { fds[0], POLLIN, 0 };
        r = poll(&p, 1, -1);
    }
    printf("exit_while_main_waits: the wait returned %d (%s)\n", r, r < 0 ? strerror(errno) : "");
    free(kept);
    return 0;
}
