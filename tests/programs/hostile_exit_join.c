/* hostile_exit_join: main calls exit(0); its atexit handler tells a worker
 * to stop and joins it; the worker, told to stop, ends with exit(1) (an
 * error path) after dropping a block.  glibc 2.36 lets the worker's exit
 * run beside main's: the process ends with status 1.  Under libleak the
 * worker's exit() waits for main's, which waits for the worker: the wait
 * must give way, and the worker's exit write the report. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *volatile sink;
static atomic_int stop;
static pthread_t t;

#include "scrub.h"

static void *worker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop))
        usleep(1000);
    sink = malloc(66);  /* @leak */
    memset(sink, 6, 66);
    sink = NULL;
    scrub_stack();
    exit(1);
}

static void cleanup(void)
{
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
}

int main(void)
{
    pthread_create(&t, NULL, worker, NULL);
    atexit(cleanup);
    exit(0);
}
