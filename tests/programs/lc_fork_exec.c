/* lc_fork_exec: a process tree for leakcheck.  The parent leaks 5 bytes in
 * parent_leak(), forks, and the child execs lc_leaker (next to this program)
 * with the arguments given here, e.g. "lc_fork_exec 17 0": the child leaks 17
 * bytes.  The parent exits with 0 whatever the child did. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void parent_leak(void)
{
    sink = malloc(5);                     /* @fe-parent */
    sink[0] = 1;
    sink = NULL;
}

int main(int argc, char **argv)
{
    char self[PATH_MAX], prog[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(prog, sizeof prog, "%s/lc_leaker", self);
    parent_leak();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        argv[0] = prog;
        execv(prog, argv);
        perror("execv");
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return 1;
    scrub_stack();
    printf("lc_fork_exec: child %ld exited with %d\n", (long)pid,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
