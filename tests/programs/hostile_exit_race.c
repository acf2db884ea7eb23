/* hostile_exit_race: two threads call exit(4) at the same moment while main
 * waits in pause(); main leaked one 88-byte block.  Under glibc 2.36 both
 * run exit() at once, and the one that does not write the report ends the
 * process in the middle of the other's: no report at all.  Under libleak
 * the second exit() waits (as newer glibc and musl do), and still answers
 * the leak check's stop signal. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

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
    exit(4);
}

int main(void)
{
    leak(88);
    scrub_stack();
    pthread_barrier_init(&together, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, exiter, NULL);
    pthread_create(&t, NULL, exiter, NULL);
    for (;;)
        pause();
}
