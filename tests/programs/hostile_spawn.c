/* hostile_spawn: while two threads allocate, start children with vfork+exec,
 * posix_spawn, system and popen.  Each child is this program again with
 * "child N": it leaks 100 + N bytes and exits, writing its own report (the
 * preload is inherited through exec).  The parent leaks 99 bytes. */
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static atomic_int stop;
char *volatile sink;

#include "scrub.h"

static void *churn(void *arg)
{
    (void)arg;
    for (unsigned n = 0; !atomic_load(&stop); n++)
        free(malloc(16 + n % 1024));
    return NULL;
}

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static int wait_ok(pid_t pid)
{
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "child")) {
        leak(100 + (size_t)atoi(argv[2]));
        scrub_stack();
        printf("child %s\n", argv[2]);
        return 0;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    pthread_t t[2];
    for (size_t i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, churn, NULL);

    int ok = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        execl(self, self, "child", "1", (char *)NULL);
        _exit(127);
    }
    ok += wait_ok(pid);

    char *av[] = { self, "child", "2", NULL };
    ok += posix_spawn(&pid, self, NULL, NULL, av, environ) == 0 && wait_ok(pid);

    char cmd[4200];
    fflush(stdout);
    snprintf(cmd, sizeof cmd, "'%s' child 3 >/dev/null", self);
    ok += system(cmd) == 0;

    snprintf(cmd, sizeof cmd, "'%s' child 4", self);
    FILE *f = popen(cmd, "r");
    char line[64] = "";
    if (f && fgets(line, sizeof line, f) && !strcmp(line, "child 4\n"))
        ok += pclose(f) == 0;

    atomic_store(&stop, 1);
    for (size_t i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    leak(99);
    scrub_stack();
    printf("hostile_spawn: %d of 4 children ok\n", ok);
    return ok != 4;
}
