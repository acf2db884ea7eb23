/* many_threads - 600 threads that block every signal and wait, and one
 * block main drops.  None of the threads can be stopped, so each one's
 * whole stack mapping is read as a root; the check must still classify
 * (it once ran out of scratch past about 500 mappings and gave up) and
 * name the dropped block definitely lost.
 *   many_threads [N] */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scrub.h"

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(77);              /* @dropped */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 600;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    pthread_sigmask(SIG_BLOCK, &all, NULL);     /* the threads inherit it */
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, &a, idle, NULL))
            return 1;
    }
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    drop();
    printf("many_threads: %d\n", n);
    scrub_stack();
    return 0;
}
