/* hostile_exit_threads: four threads keep allocating, reallocating and
 * freeing while main returns (the exit report runs meanwhile).  Main leaks
 * 99 bytes first. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static void *churn(void *arg)
{
    unsigned n = (unsigned)(size_t)arg;
    for (;;) {                              /* until the process ends */
        void *volatile p = malloc(8 + n++ % 300);
        p = realloc(p, 8 + n % 5000);
        free(p);
    }
    return NULL;
}

static __attribute__((noinline)) void leak(void)
{
    sink = malloc(99);                      /* @leak */
    sink[0] = 1;
    sink = NULL;
}

int main(void)
{
    pthread_t t;
    for (size_t i = 0; i < 4; i++)
        pthread_create(&t, NULL, churn, (void *)i);
    usleep(20000);
    leak();
    scrub_stack();
    printf("hostile_exit_threads: returning\n");
    return 0;
}
