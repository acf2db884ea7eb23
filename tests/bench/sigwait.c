/* sigwait - a server's shape: a thread that blocks every signal and waits
 * for them in sigwait(), as daemons do, and a main thread that allocates
 * and exits.  The leak check at exit cannot stop that thread; the benchmark
 * shows what waiting for it costs.   sigwait BLOCKS */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void *signals(void *arg)
{
    sigset_t *all = arg;
    int sig;
    for (;;)
        sigwait(all, &sig);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    static sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);     /* the thread inherits it */
    pthread_t t;
    if (pthread_create(&t, NULL, signals, &all))
        return 1;
    void **keep = calloc((size_t)n, sizeof(*keep));
    for (long i = 0; keep && i < n; i++)
        keep[i] = malloc(32 + (size_t)(i % 64));
    printf("sigwait: %ld blocks\n", n);
    return 0;
}
