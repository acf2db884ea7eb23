/* hostile_term: libleak's handler for the signals that end a process must
 * read as SIG_DFL to the program.  argv[1]:
 *   query      print what sigaction() and signal() say of SIGINT, SIGTERM
 *              and SIGSEGV (the same natively and preloaded)
 *   dfl_raise  leak 77 bytes, install a SIGTERM handler, set SIG_DFL back
 *              with signal(), raise SIGTERM: dies of it
 *   busy       leak 77 bytes; a thread allocates and frees in a loop while
 *              the main thread, which blocks SIGTERM, sends SIGTERM to the
 *              process: it arrives on the busy thread, mostly inside malloc
 *              or free.  Dies of it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scrub.h"

char *volatile sink;

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static const char *disposition(int sig)
{
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0)
        return "error";
    if (old.sa_flags & SA_SIGINFO)
        return "a handler (SA_SIGINFO)";
    return old.sa_handler == SIG_DFL ? "SIG_DFL" : old.sa_handler == SIG_IGN ? "SIG_IGN"
                                                                             : "a handler";
}

static void on_term(int sig) { (void)sig; }

static int query(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGSEGV };
    for (size_t i = 0; i < 3; i++)
        printf("hostile_term: SIG%s: sigaction says %s\n", sigabbrev_np(sigs[i]),
               disposition(sigs[i]));
    void (*was)(int) = signal(SIGTERM, on_term);
    printf("hostile_term: signal(SIGTERM) returned %s\n", was == SIG_DFL ? "SIG_DFL" : "other");
    was = signal(SIGTERM, SIG_DFL);
    printf("hostile_term: then %s\n", was == on_term ? "on_term" : "other");
    printf("hostile_term: after SIG_DFL, sigaction says %s\n", disposition(SIGTERM));
    return 0;
}

static void *churn(void *arg)
{
    (void)arg;
    for (unsigned i = 0;; i++) {
        void *volatile p = malloc(16 + i % 512);
        free(p);
    }
    return NULL;
}

static int busy(void)
{
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_t t;
    if (pthread_create(&t, NULL, churn, NULL) != 0)     /* it does not block SIGTERM */
        return 1;
    pthread_sigmask(SIG_BLOCK, &term, NULL);
    struct timespec d = { 0, 20 * 1000 * 1000 };
    nanosleep(&d, NULL);
    kill(getpid(), SIGTERM);
    pthread_join(t, NULL);
    return 2;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "query";
    if (!strcmp(m, "query"))
        return query();
    leak(77);
    scrub_stack();
    printf("hostile_term: %s\n", m);
    fflush(stdout);
    if (!strcmp(m, "dfl_raise")) {
        signal(SIGTERM, on_term);
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
    } else if (!strcmp(m, "busy")) {
        return busy();
    }
    return 3;
}
