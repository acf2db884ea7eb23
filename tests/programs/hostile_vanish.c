/* hostile_vanish [term]: memory vanishes under the leak check.  A thread
 * that blocks every signal (so the check cannot stop it) maps 128 KiB
 * regions, fills them, and unmaps them, over and over; the check reads the
 * list of mappings first, so it meets regions that are gone by the time it
 * scans them, and must catch those faults (reach.c) and go on.  Then main
 * drops a block (@leak) and exits, or raises SIGTERM with "term": in the
 * handler every signal is blocked, the scan's faults too, and they killed
 * the process with SIGSEGV and no report (11 runs in 50). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scrub.h"

#define REGION (128u << 10)

static void *churn(void *arg)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED)
            continue;
        memset(p, 1, REGION);
        munmap(p, REGION);
    }
    return arg;
}

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(40); /* @leak */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    pthread_t t;
    pthread_create(&t, NULL, churn, NULL);
    usleep(20000);
    drop();
    scrub_stack();
    if (argc > 1 && strcmp(argv[1], "term") == 0)
        raise(SIGTERM);
    exit(0);
}
