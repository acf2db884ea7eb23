/* vfork_child_exit - a vfork child that calls exit() instead of _exit()
 * (a common mistake on the "exec failed" path) runs the parent's exit
 * handlers and destructors in the parent's memory: they will not run again
 * in the parent, libleak's report among them.  libleak says so once. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

int main(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        exit(2);                        /* not _exit: runs the destructors */
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 2)
        return 1;
    sink = malloc(55);                  /* @leak */
    sink = NULL;
    puts("vfork_child_exit: child exited 2");
    return 0;
}
