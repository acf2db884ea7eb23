/* full_stack_stop: a thread that has used nearly all of its stack waits in
 * a system call when the process exits.  The leak check stops it with a
 * signal, whose frame (some 1-3 KiB) must not go on that stack: it would
 * not fit, and the kernel would kill the process.  main loses 40 bytes;
 * the thread holds 24 in a live frame at the top of its stack (reachable:
 * the scan reads that stack from where it stopped).  Exits 0.
 *   full_stack_stop [MARGIN [noalloc]]   stop MARGIN bytes above the stack's
 *                              end (default 1024); noalloc: the thread never
 *                              allocates (its stack is main's mapping, so
 *                              that it need not ask for its bounds), and
 *                              holds no block */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scrub.h"

char *volatile sink;
static int ready[2], never[2];
static uintptr_t stack_lo, margin;

static __attribute__((noinline)) void lose(void)
{
    sink = malloc(40);                      /* @lost */
    sink[0] = 1;
    sink = NULL;
}

/* Down to 768 bytes above the end of the stack, then wait for good. */
static __attribute__((noinline)) int descend(int n)
{
    volatile char frame[192];
    frame[0] = (char)n;
    if ((uintptr_t)frame - stack_lo > margin)
        return descend(n + 1) + frame[0];
    char c = 0;
    if (write(ready[1], "r", 1) != 1)
        return -1;
    return (int)read(never[0], &c, 1) + frame[0];
}

static void *worker_noalloc(void *arg)
{
    char c;
    if (write(ready[1], "", 0) != 0 || read(never[0], &c, 0) != 0)
        exit(2);
    return (void *)(intptr_t)descend((int)(intptr_t)arg);
}

static void *worker(void *arg)
{
    pthread_attr_t a;
    void *lo;
    size_t size;
    char *volatile held = malloc(24);       /* @held */
    sink = malloc(16);                      /* a thread that allocates */
    free(sink);
    if (pthread_getattr_np(pthread_self(), &a) != 0 ||
        pthread_attr_getstack(&a, &lo, &size) != 0)
        exit(2);
    stack_lo = (uintptr_t)lo;
    /* bound now: the loader's lazy binding saves every register on the
     * stack (2.5 KiB with AVX-512), which would not fit down there */
    char c;
    if (write(ready[1], "", 0) != 0 || read(never[0], &c, 0) != 0)
        exit(2);
    int r = descend((int)(intptr_t)arg);
    free(held);
    return (void *)(intptr_t)r;
}

int main(int argc, char **argv)
{
    pthread_t t;
    pthread_attr_t a;
    char c;
    margin = (uintptr_t)atol(argc > 1 ? argv[1] : "1024");
    int noalloc = argc > 2 && !strcmp(argv[2], "noalloc");
    lose();
    scrub_stack();
    if (pipe(ready) != 0 || pipe(never) != 0 || pthread_attr_init(&a) != 0)
        return 2;
    if (noalloc) {
        void *stk = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stk == MAP_FAILED || pthread_attr_setstack(&a, stk, 64 << 10) != 0)
            return 2;
        stack_lo = (uintptr_t)stk;
    } else if (pthread_attr_setstacksize(&a, 64 << 10) != 0) {
        return 2;
    }
    if (pthread_create(&t, &a, noalloc ? worker_noalloc : worker, NULL) != 0 ||
        read(ready[0], &c, 1) != 1)
        return 2;
    exit(0);
}
