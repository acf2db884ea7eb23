/* fork_child: after fork both processes are checked; each writes its own report (use %p in output=), inheriting the leaks made before the fork. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

int main(void)
{
    leak(33);                               /* before the fork: lost in both processes */
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        leak(222);                          /* the child's own leak */
        scrub_stack();
        printf("child pid %ld\n", (long)getpid());
        exit(0);                            /* exit(), not _exit(): the report runs at exit */
    }
    leak(111);                              /* the parent's own leak */
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    scrub_stack();
    printf("parent: child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
