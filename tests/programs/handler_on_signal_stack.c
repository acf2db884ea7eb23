/* handler_on_signal_stack: a signal handler with SA_ONSTACK, in a program
 * that sets no signal stack of its own, runs on the one libleak gives each
 * thread (natively it would run on the thread's stack).  The block it
 * holds in its frame is still reachable, as Valgrind says.
 *   thread   another thread's handler holds it and waits; main exits
 *   exit     the handler holds it and calls exit() itself */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t started, in_handler;

static void on_usr1(int sig)
{
    (void)sig;
    char *volatile held = malloc(77);   /* @held */
    held[0] = 1;
    in_handler = 1;
    for (;;)
        pause();
}

static void on_usr2(int sig)
{
    (void)sig;
    char *volatile held = malloc(55);   /* @held-exit */
    held[0] = 1;
    exit(0);
}

static void *worker(void *arg)
{
    (void)arg;
    started = 1;                        /* running: its signal stack is set */
    for (;;)
        pause();
    return NULL;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_flags = SA_ONSTACK;
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    if (argc > 1 && !strcmp(argv[1], "exit")) {
        raise(SIGUSR2);
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    while (!started)
        usleep(1000);
    pthread_kill(t, SIGUSR1);
    while (!in_handler)
        usleep(1000);
    printf("handler_on_signal_stack: waiting\n");
    exit(0);
}
