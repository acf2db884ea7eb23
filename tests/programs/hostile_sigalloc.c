/* hostile_sigalloc: a thread allocates and frees without pause while another
 * sends it SIGUSR1 20,000 times; the handler allocates and frees too, and
 * keeps some blocks that the thread frees later, outside the handler.  At the
 * end exactly 5 blocks of 333 bytes made in the handler are leaked.
 * (The handler's sizes use other malloc bins than the loop's, so glibc
 * itself is never re-entered on the same bin.) */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSIG_SENT 20000
static atomic_int handled, stop;
static void *kept[64];
static atomic_int nkept;
void *volatile leaked[5];

#include "scrub.h"

static void handler(int sig)
{
    (void)sig;
    free(malloc(200));
    int h = atomic_fetch_add(&handled, 1);
    if (h < 5)
        leaked[h] = malloc(333);            /* @handler-leak */
    int k = atomic_load(&nkept);
    if (k < 64) {
        kept[k] = malloc(400);              /* freed later, outside the handler */
        atomic_store(&nkept, k + 1);
    }
}

static void *looper(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        void *volatile p = malloc(24);
        free(p);
        int k = atomic_load(&nkept);        /* free what the handler kept */
        if (k == 64) {
            for (int i = 0; i < 64; i++)
                free(kept[i]);
            atomic_store(&nkept, 0);
        }
    }
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, looper, NULL);
    for (int i = 0; i < NSIG_SENT; i++) {
        pthread_kill(t, SIGUSR1);
        if (i % 64 == 0)
            sched_yield();
    }
    while (atomic_load(&handled) == 0)
        sched_yield();
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    for (int i = 0, k = atomic_load(&nkept); i < k; i++)
        free(kept[i]);
    for (int i = 0; i < 5; i++)
        leaked[i] = NULL;
    scrub_stack();
    printf("hostile_sigalloc: done\n");
    return 0;
}
