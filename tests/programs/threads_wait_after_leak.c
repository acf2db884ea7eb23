/* threads_wait_after_leak - 64 threads each allocate a block, drop it, and
 * wait on a condition variable until the process exits: every block is
 * definitely lost (Valgrind: 64 blocks).  The copies of their addresses
 * that the allocator's call left below each thread's stack pointer, and in
 * its scratch registers, lie in or under the frames of the wait and must
 * not make them look reachable. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 64

void *volatile sink;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

__attribute__((noinline)) static void leak_one(void)
{
    sink = malloc(24);  /* @thread-lost */
    sink = NULL;
}

static void *body(void *arg)
{
    (void)arg;
    leak_one();
    pthread_mutex_lock(&mu);
    ready++;
    pthread_cond_broadcast(&cv);
    for (;;)
        pthread_cond_wait(&cv, &mu);
    return NULL;
}

int main(void)
{
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 64 << 10);
    for (int i = 0; i < THREADS; i++) {
        pthread_t t;
        if (pthread_create(&t, &at, body, NULL))
            return 1;
    }
    pthread_mutex_lock(&mu);
    while (ready < THREADS)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    printf("threads_wait_after_leak: %d waiting\n", THREADS);
    exit(0);
}
