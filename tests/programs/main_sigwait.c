/* main_sigwait - the leak check runs on a worker while the main thread
 * cannot stop: it blocks every signal and waits in sigwait() (or pause()),
 * as servers do, and the worker calls exit().  The only pointer to a block
 * is in main's frame: it is reachable, not lost.
 *   main_sigwait [sigwait|pause] */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *worker(void *arg)
{
    (void)arg;
    usleep(20 * 1000);                  /* main is in its wait by now, or on its way */
    write(1, "main_sigwait: done\n", 19);
    exit(0);
}

int main(int argc, char **argv)
{
    int use_pause = argc > 1 && strcmp(argv[1], "pause") == 0;
    void *volatile kept = malloc(4321);         /* @main-kept */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);     /* before the worker: never stoppable */
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL))
        return 1;
    int sig;
    if (use_pause)
        pause();
    else
        sigwait(&all, &sig);
    return kept == NULL;
}
