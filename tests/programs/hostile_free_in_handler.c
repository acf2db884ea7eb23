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
 *   hostile_free_in_handler freeonly   as alive, but 4 threads that never
 *                                      allocate: main makes their blocks,
 *                                      and each spins freeing 60,000 more
 *                                      that main made for it
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

/* freeonly: the blocks main makes for a thread, and those it frees to
 * spin (each free enters libleak, and no allocation does). */
#define FREEONLY_THREADS 4
#define FREEONLY_HANDLED 16
#define FREEONLY_SUPPLY 60000
struct supply {
    void *handled[FREEONLY_HANDLED];
    void **spin;
};

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

/* SIGALRM to the calling thread every millisecond of its CPU time. */
static timer_t timer_start(void)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev._sigev_un._tid = gettid();
    timer_t t;
    struct itimerspec every = { { 0, 1000000 }, { 0, 1000000 } };
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t))
        abort();
    timer_settime(t, 0, &every, NULL);
    return t;
}

static void timer_stop(timer_t t)
{
    struct itimerspec off = { 0 };
    timer_settime(t, 0, &off, NULL);
    timer_delete(t);
}

static void *worker(void *arg)
{
    (void)arg;
    churn_until_freed(PER_THREAD);
    timer_t t = timer_start();
    spin();
    timer_stop(t);
    sem_post(&done);
    while (alive)
        pause();
    return NULL;
}

static void *freeonly_worker(void *arg)
{
    struct supply *s = arg;
    for (int i = 0; i < FREEONLY_HANDLED; i++)
        blocks[i] = s->handled[i];
    want = FREEONLY_HANDLED;
    timer_t t = timer_start();
    for (int i = 0; frees < want; i++) {
        if (i < FREEONLY_SUPPLY) {
            free(s->spin[i]);
            s->spin[i] = NULL;
        } else {
            free(NULL);
        }
    }
    timer_stop(t);
    sem_post(&done);
    for (;;)
        pause();
    return NULL;
}

/* The threads stay in pause() as main calls exit(). */
static int freeonly(void)
{
    static struct supply s[FREEONLY_THREADS];
    pthread_t t;
    sem_init(&done, 0, 0);
    for (int k = 0; k < FREEONLY_THREADS; k++) {
        for (int i = 0; i < FREEONLY_HANDLED; i++)
            s[k].handled[i] = malloc(256 + 16 * (size_t)i);
        s[k].spin = malloc(FREEONLY_SUPPLY * sizeof(void *));
        for (int i = 0; i < FREEONLY_SUPPLY; i++)
            s[k].spin[i] = malloc(32);
    }
    for (int k = 0; k < FREEONLY_THREADS; k++)
        if (pthread_create(&t, NULL, freeonly_worker, &s[k]))
            abort();
    for (int k = 0; k < FREEONLY_THREADS; k++)
        sem_wait(&done);
    for (int k = 0; k < FREEONLY_THREADS; k++) {
        memset(s[k].handled, 0, sizeof s[k].handled);   /* the threads freed them */
        free(s[k].spin);
        s[k].spin = NULL;
    }
    return FREEONLY_THREADS * FREEONLY_HANDLED;
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
    } else if (strcmp(mode, "freeonly") == 0) {
        n = freeonly();
    } else {
        alive = strcmp(mode, "alive") == 0;
        n = threads();
    }
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    printf("hostile_free_in_handler: %d frees in the handler\n", n);
    return 0;
}
