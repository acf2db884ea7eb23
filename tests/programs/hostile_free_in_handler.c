/* hostile_free_in_handler: a signal handler frees (or grows), every
 * millisecond, the next of the blocks made up front, while its thread
 * allocates and frees a small block in a loop: many of the handler's calls
 * land while the thread is inside libleak.  The small block comes back from the same cache every
 * time, so the allocator never gives a freed block's address out again.
 *   hostile_free_in_handler            main: SIGALRM, 300 blocks, then main
 *                                      allocates again
 *   hostile_free_in_handler exit       16 threads, 40 blocks each, a timer
 *                                      of their own; each returns right
 *                                      after its last free (no allocation)
 *   hostile_free_in_handler alive      the same, but the threads wait in
 *                                      pause() and main calls exit()
 *   hostile_free_in_handler realloc    as main, but the handler grows each
 *                                      block to 4096 bytes (realloc), and
 *                                      main frees them all at the end
 * Then main leaks 48 bytes (marked) and ends with status 0: nothing else
 * is lost. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BLOCKS 300
#define THREADS 16
#define PER_THREAD 40
static __thread void *blocks[BLOCKS];
static __thread volatile sig_atomic_t frees, want;
static sem_t done;
static int alive;
static void *volatile sink;

static int grow;

static void on_alarm(int sig)
{
    (void)sig;
    if (frees < want) {
        if (grow) {
            blocks[frees] = realloc(blocks[frees], 4096);
        } else {
            free(blocks[frees]);
            blocks[frees] = NULL;
        }
        frees++;
    }
}

/* Make n blocks, then allocate and free until the handler freed them all. */
static void churn_until_freed(int n)
{
    for (int i = 0; i < n; i++)
        blocks[i] = malloc(256 + 16 * (size_t)i);
    want = n;
}

static void spin(void)
{
    while (frees < want) {
        void *volatile p = malloc(32);
        free(p);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev._sigev_un._tid = gettid();
    timer_t t;
    struct itimerspec every = { { 0, 1000000 }, { 0, 1000000 } }, off = { 0 };
    churn_until_freed(PER_THREAD);
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t))
        abort();
    timer_settime(t, 0, &every, NULL);
    spin();
    timer_settime(t, 0, &off, NULL);
    timer_delete(t);
    sem_post(&done);
    while (alive)
        pause();
    return NULL;
}

static int threads(void)
{
    pthread_t t[THREADS];
    sem_init(&done, 0, 0);
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, NULL))
            abort();
    for (int i = 0; i < THREADS; i++)
        sem_wait(&done);
    if (!alive)
        for (int i = 0; i < THREADS; i++)
            pthread_join(t[i], NULL);
    return THREADS * PER_THREAD;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "main";
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    int n;
    grow = strcmp(mode, "realloc") == 0;
    if (strcmp(mode, "main") == 0 || grow) {
        churn_until_freed(BLOCKS);
        struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { 0 };
        setitimer(ITIMER_REAL, &it, NULL);
        spin();
        setitimer(ITIMER_REAL, &off, NULL);
        n = frees;
        for (int i = 0; i < BLOCKS; i++) {
            free(blocks[i]);
            blocks[i] = NULL;   /* else the leak below may reuse an address kept here */
        }
    } else {
        alive = strcmp(mode, "alive") == 0;
        n = threads();
    }
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    printf("hostile_free_in_handler: %d frees in the handler\n", n);
    return 0;
}
