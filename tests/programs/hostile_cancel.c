/* hostile_cancel: a thread with a cancellation request pending (deferred,
 * enabled) that reaches libleak before any cancellation point of its own.
 * libleak writes, opens files and waits on that thread: the request must
 * act at the program's next cancellation point, not inside libleak, where
 * it would unwind the thread out of a half-written message or report,
 * holding libleak's locks.
 *   badfree   the worker frees a stack address (libleak prints the bad
 *             free) and then reaches pthread_testcancel(); main joins it,
 *             frees a stack address too, and returns: status 0
 *   term      the worker raises SIGTERM: the process dies of it with its
 *             report
 *   exit      the worker calls exit(5): status 5, with the report
 * Each leaks 48 bytes first (marked). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;
static const char *mode;

/* Opaque hand-off so the compiler cannot see (or warn about) what is freed. */
static __attribute__((noinline)) void *launder(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

static void *worker(void *arg)
{
    (void)arg;
    int local = 1;
    pthread_cancel(pthread_self());     /* pending until a cancellation point */
    if (!strcmp(mode, "badfree"))
        free(launder(&local));
    else if (!strcmp(mode, "term"))
        raise(SIGTERM);
    else if (!strcmp(mode, "exit"))
        exit(5);
    pthread_testcancel();               /* here, and only here, it acts */
    return launder(NULL);
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "badfree";
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    pthread_t t;
    void *ret;
    if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, &ret))
        return 1;
    fprintf(stderr, "hostile_cancel: worker %s\n",
            ret == PTHREAD_CANCELED ? "cancelled" : "returned");
    int local = 2;
    free(launder(&local));
    fprintf(stderr, "hostile_cancel: main goes on\n");
    return 0;
}
