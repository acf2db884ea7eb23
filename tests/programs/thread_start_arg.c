/* thread_start_arg: threads handed a block as their start argument, which
 * they never store (they wait in pause()).  glibc keeps the argument in its
 * record of the thread for the thread's life, so the blocks are still
 * reachable, as Valgrind says.  The first 16 have started when main exits
 * (it waits for them); the last 16 may not have: exit() comes at once. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scrub.h"

static atomic_int started;

static void *worker(void *arg)
{
    (void)arg;                          /* dropped: only glibc's record holds it */
    atomic_fetch_add(&started, 1);
    for (;;)
        pause();
    return NULL;
}

static __attribute__((noinline)) void spawn(int n)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, &a, worker, malloc(24)) != 0)   /* @arg */
            exit(1);
    }
    pthread_attr_destroy(&a);
}

int main(void)
{
    spawn(16);
    while (atomic_load(&started) < 16)
        usleep(1000);
    spawn(16);
    scrub_stack();
    printf("thread_start_arg: %d started\n", atomic_load(&started) >= 16);
    exit(0);
}
