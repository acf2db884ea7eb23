/* hostile_fork_in_handler: a SIGALRM handler that forks, every 2 ms, while
 * main allocates and frees in a loop: most signals land inside malloc or
 * free, many inside libleak's bookkeeping, whose locks the fork handlers
 * would take.  Natively it forks 200 times in under a second.
 *   exit     the child _exits at once, in the handler
 *   return   the child returns from the handler (finishing the call it
 *            interrupted), allocates and frees 1,000 times, then _exits 0
 *            (a child has no timer: it gets no SIGALRM)
 * Then main leaks 48 bytes (marked) and returns 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t forks, in_child;
static int child_returns;
static void *volatile sink;

static void on_alarm(int sig)
{
    (void)sig;
    /* No fork once main may have left its loop: a child would return
     * past the loop's check of in_child, print and exit as main does (on a
     * loaded machine, many: each one's exit can outlast the 2 ms). */
    if (forks >= 200)
        return;
    pid_t p = fork();
    if (p == 0) {
        if (!child_returns)
            _exit(0);
        in_child = 1;
        return;
    }
    int st;
    if (p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        forks++;
}

/* A child that returned from the handler. */
static void child_work(void)
{
    for (int i = 0; i < 1000; i++)
        free(malloc(16 + (size_t)(i & 255)));
    _exit(0);
}

int main(int argc, char **argv)
{
    child_returns = argc > 1 && !strcmp(argv[1], "return");
    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    while (forks < 200) {
        if (in_child)
            child_work();
        sink = malloc(16 + (size_t)(forks & 255));
        free(sink);
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    printf("hostile_fork_in_handler: %d forks\n", (int)forks);
    return 0;
}
