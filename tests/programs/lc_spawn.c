/* lc_spawn: starts PROGRAM through posix_spawn and waits for it, for the
 * tests of the start markers its parent writes for it (started=).
 *   lc_spawn spawn|spawnp|nopid PROGRAM [ARG...]
 * nopid passes posix_spawn no pid to fill in.  Exits with the program's
 * status, 127 if it could not be started. */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lc_spawn spawn|spawnp|nopid PROGRAM [ARG...]\n");
        return 2;
    }
    pid_t pid = 0;
    int e = strcmp(argv[1], "spawnp") == 0
                ? posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ)
                : posix_spawn(strcmp(argv[1], "nopid") ? &pid : NULL, argv[2], NULL, NULL,
                              argv + 2, environ);
    if (e) {
        fprintf(stderr, "lc_spawn: %s: %s\n", argv[2], strerror(e));
        return 127;
    }
    int status;
    if ((pid ? waitpid(pid, &status, 0) : wait(&status)) < 0)
        return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
