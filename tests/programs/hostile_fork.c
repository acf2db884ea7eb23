/* hostile_fork: three threads allocate and free without pause while main
 * forks 200 times.  Each child allocates, frees, leaks 1000 + i bytes and
 * ends; every 50th ends with exit() and so writes its own report, the others
 * with _exit() (no report).  The parent leaks 99 bytes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFORKS 200
static atomic_int stop;
char *volatile sink;

#include "scrub.h"

static void *churn(void *arg)
{
    unsigned n = (unsigned)(size_t)arg;
    while (!atomic_load(&stop)) {
        void *volatile p = malloc(16 + n++ % 512);
        p = realloc(p, 700);
        free(p);
    }
    return NULL;
}

static __attribute__((noinline)) void child_leak(size_t n)
{
    sink = malloc(n);                       /* @child-leak */
    sink[0] = 1;
    sink = NULL;
}

static __attribute__((noinline)) void parent_leak(void)
{
    sink = malloc(99);                      /* @parent-leak */
    sink[0] = 1;
    sink = NULL;
}

static void child(int i)
{
    for (int k = 0; k < 100; k++)
        free(malloc(32 + k));
    child_leak(1000 + (size_t)i);
    scrub_stack();
    if (i % 50 == 0)
        exit(0);                            /* writes its report */
    _exit(0);                               /* a fork child: no report */
}

int main(void)
{
    pthread_t t[3];
    for (size_t i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, churn, (void *)i);
    int bad = 0;
    for (int i = 0; i < NFORKS; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            child(i);
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
            bad++;
    }
    atomic_store(&stop, 1);
    for (size_t i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    parent_leak();
    scrub_stack();
    printf("hostile_fork: %d forks, %d failed\n", NFORKS, bad);
    return bad != 0;
}
