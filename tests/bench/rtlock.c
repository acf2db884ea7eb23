/* rtlock - an ordinary thread and a real-time one (SCHED_FIFO, as audio
 * threads run) on one CPU (run it under taskset -c 0), sharing blocks: the
 * ordinary one allocates into a ring and frees what it replaces, the
 * real-time one frees from the ring, allocates and frees a block of its
 * own, and sleeps 100 us every 1024 steps.  A lock waiter that only yields
 * the CPU never lets a lower-priority holder run here.
 *   rtlock N      exit 3 when the thread cannot have a real-time priority */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING 4096
static void *_Atomic ring[RING];
static atomic_int done, refused;
static long total;

static void *ordinary(void *arg)
{
    (void)arg;
    for (long i = 0; i < total && !atomic_load(&refused); i++)
        free(atomic_exchange(&ring[i % RING], malloc(32 + (size_t)(i & 63))));
    atomic_store(&done, 1);
    return NULL;
}

static void *realtime(void *arg)
{
    (void)arg;
    struct sched_param sp = { .sched_priority = 10 };
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) {
        atomic_store(&refused, 1);
        return NULL;
    }
    for (long k = 0; !atomic_load(&done); k++) {
        free(atomic_exchange(&ring[k % RING], NULL));
        free(malloc(16));
        if ((k & 1023) == 1023) {
            struct timespec t = { 0, 100 * 1000 };
            nanosleep(&t, NULL);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    total = argc > 1 ? atol(argv[1]) : 2000000;
    pthread_t a, b;
    if (pthread_create(&a, NULL, ordinary, NULL) || pthread_create(&b, NULL, realtime, NULL))
        return 1;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    for (int i = 0; i < RING; i++)
        free(ring[i]);
    if (atomic_load(&refused)) {
        fprintf(stderr, "rtlock: no real-time priority here\n");
        return 3;
    }
    printf("rtlock: %ld\n", total);
    return 0;
}
