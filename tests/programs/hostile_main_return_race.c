/* hostile_main_return_race: main returns 0 while a worker calls exit(3), at
 * the same moment; main leaked one 55-byte block.  main's return reaches
 * exit() from inside libc, so under glibc 2.36 the two exits ran at once,
 * unseen by libleak's exit(), and the one that did not write the report
 * ended the process in the middle of it: about one run in two had no
 * report.  Either status is right (natively too); the report must come. */
#include <pthread.h>
#include <stdlib.h>

char *volatile sink;

#include "scrub.h"

static pthread_barrier_t together;

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static void *exiter(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&together);
    exit(3);
}

int main(void)
{
    leak(55);
    scrub_stack();
    pthread_barrier_init(&together, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, exiter, NULL);
    pthread_barrier_wait(&together);
    return 0;
}
