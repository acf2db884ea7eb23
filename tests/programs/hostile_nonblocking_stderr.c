/* hostile_nonblocking_stderr: the report goes to a stderr the program made
 * non-blocking (as event loops do with their stdio), into a pipe whose
 * reader is slower than the writer.  The child (this program again, run
 * with "leak", its stderr the pipe) makes its stderr non-blocking and
 * leaks at 128 sites (a report well past a pipe's 64 KiB); the parent
 * reads the pipe only after a second, copies it to its own stderr, and
 * exits with the child's status.  The child's report must come whole. */
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

/* 8 functions, each leaking at 16 recursion depths: 128 distinct stacks */
#define SITE(n)                                                    \
    static __attribute__((noinline)) void site##n(int d)           \
    {                                                              \
        if (d)                                                     \
            site##n(d - 1);                                        \
        else                                                       \
            sink = malloc(100 + n);                                \
        __asm__ volatile("" ::: "memory");  /* no tail call */     \
    }
SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7)

static int child(void)
{
    if (fcntl(2, F_SETFL, fcntl(2, F_GETFL) | O_NONBLOCK) < 0)
        return 1;
    for (int d = 0; d < 16; d++) {
        site0(d); site1(d); site2(d); site3(d);
        site4(d); site5(d); site6(d); site7(d);
    }
    sink = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "leak"))
        return child();
    int p[2];
    if (pipe(p))
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        char *args[] = { argv[0], "leak", NULL };
        if (dup2(p[1], 2) == 2 && close(p[0]) == 0 && close(p[1]) == 0)
            execv("/proc/self/exe", args);
        _exit(127);
    }
    close(p[1]);
    sleep(1);                           /* the child's report fills the pipe */
    char buf[4096];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (write(2, buf, (size_t)n) != n)
            return 1;
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return 1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
