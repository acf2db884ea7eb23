/* reach_under: run a program under strace -f or gdb -batch with libleak
 * preloaded into the program only (not into strace or gdb):
 *   reach_under strace|gdb PROGRAM ARGS...
 * The LD_PRELOAD this process got is handed to the traced program. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *pre = getenv("LD_PRELOAD");
    if (argc < 3 || !pre) return 2;
    static char env[8192], setenv_cmd[8192];
    snprintf(env, sizeof env, "LD_PRELOAD=%s", pre);
    snprintf(setenv_cmd, sizeof setenv_cmd, "set environment LD_PRELOAD=%s", pre);
    unsetenv("LD_PRELOAD");
    char *args[64];
    int n = 0;
    if (!strcmp(argv[1], "strace")) {
        const char *head[] = { "strace", "-f", "-q", "-o", "/dev/null", "-E", env };
        for (size_t i = 0; i < sizeof head / sizeof *head; i++) args[n++] = (char *)head[i];
    } else if (!strcmp(argv[1], "gdb")) {
        const char *head[] = { "gdb", "-batch", "-nx", "-q", "-ex", setenv_cmd, "-ex", "run",
                               "--args" };
        for (size_t i = 0; i < sizeof head / sizeof *head; i++) args[n++] = (char *)head[i];
    } else {
        return 2;
    }
    for (int i = 2; i < argc && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    execvp(args[0], args);
    perror(args[0]);
    return 127;
}
