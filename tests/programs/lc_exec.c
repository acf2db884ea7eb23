/* lc_exec: starts PROGRAM from a child that runs no fork handler, as
 * Python's subprocess does (vfork, then exec), for the tests of the start
 * markers such a child writes before its exec (started=).
 *   lc_exec vfork-execv|vfork-execvp|vfork-execl|vfork-execle|clone-execve PROGRAM [ARG...]
 * Exits with the program's status, 127 if it could not be started. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *how;
static char **args;

/* The child: one of the exec family, then _exit(127) if it returned. */
static int child(void *unused)
{
    (void)unused;
    if (strcmp(how, "vfork-execv") == 0)
        execv(args[0], args);
    else if (strcmp(how, "vfork-execvp") == 0)
        execvp(args[0], args);
    else if (strcmp(how, "vfork-execl") == 0)
        execl(args[0], args[0], args[1], (char *)NULL);     /* one argument at most */
    else if (strcmp(how, "vfork-execle") == 0)
        execle(args[0], args[0], args[1], (char *)NULL, environ);
    else
        execve(args[0], args, environ);
    _exit(127);
}

static char clone_stack[64 << 10] __attribute__((aligned(16)));

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lc_exec vfork-execv|vfork-execvp|vfork-execl|vfork-execle|"
                        "clone-execve PROGRAM [ARG...]\n");
        return 2;
    }
    how = argv[1];
    args = argv + 2;
    pid_t pid = strncmp(how, "vfork-", 6) == 0
                    ? vfork()
                    : clone(child, clone_stack + sizeof clone_stack, SIGCHLD, NULL);
    if (pid == 0)
        child(NULL);                    /* the vfork child */
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
