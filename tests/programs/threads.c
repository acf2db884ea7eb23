/* threads: four threads allocate and free concurrently, and each leaks one block of a known size (1000 + thread number bytes). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 4

void *volatile leaked[NTHREADS];            /* each thread parks its leak here */

#include "scrub.h"

static void *worker(void *arg)
{
    size_t id = (size_t)arg;

    for (int i = 0; i < 2000; i++) {        /* allocator traffic from all threads at once */
        void *volatile q = malloc(16 + (i % 64) * 8);   /* volatile: keep the pair */
        free(q);
    }
    char *p = malloc(1000 + id);            /* @thread-leak */
    if (!p)
        abort();
    p[0] = (char)id;
    leaked[id] = p;
    scrub_stack();
    return NULL;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (size_t i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    for (size_t i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    for (size_t i = 0; i < NTHREADS; i++)
        leaked[i] = NULL;                   /* 1000 + 1001 + 1002 + 1003 = 4006 bytes lost */
    scrub_stack();
    printf("threads: %d joined\n", NTHREADS);
    return 0;
}
