/* hostile_cancel_stop: a cancellation request that comes while libleak's
 * leak check holds a thread stopped in its signal handler.  The worker
 * waits in read(), a cancellation point: glibc turns asynchronous
 * cancellation on for the call's length, so the stop signal's handler runs
 * with it on.  A request made then would unwind the worker out of
 * libleak's handler while the check reads its stack; it must wait until
 * the check has let the threads go.
 *
 * Who makes the request while every thread is stopped?  A thread libleak
 * did not see start (a raw clone(), every signal blocked, so the check
 * neither stops nor waits for it): it watches the worker's system call in
 * /proc, and calls pthread_cancel() once the worker sits in libleak's wait
 * (futex) after having sat in read().
 *
 * Under libleak the request acts as libleak's handler ends, once the check
 * has let the threads go: libleak turns cancellation off while the thread
 * waits there, and turning it back on acts on the request (the thread's
 * cancellation is asynchronous).  Run natively, the worker never sits in
 * such a wait, and the watcher makes no request.
 *
 * main keeps 200,000 blocks (so that the check lasts), leaks one 40-byte
 * block (marked), and returns: status 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KEEP 200000

static void **keep;
static void *volatile sink;
static int pipefd[2];
static pthread_t worker_th;
static volatile pid_t worker_tid;
static char task_path[64];

static void say(const char *s)
{
    if (write(1, s, strlen(s)) < 0)
        _exit(4);
}

static void cleanup(void *arg)
{
    (void)arg;
    say("hostile_cancel_stop: worker cancelled\n");
}

static void *worker(void *arg)
{
    (void)arg;
    char c;
    worker_tid = (pid_t)syscall(SYS_gettid);
    pthread_cleanup_push(cleanup, NULL);
    for (;;)
        if (read(pipefd[0], &c, 1) <= 0)
            break;
    pthread_cleanup_pop(0);
    return NULL;
}

/* The watcher shares main's thread pointer (no TLS of its own): it makes
 * system calls directly, never through errno, and calls nothing that
 * allocates. */
static long raw(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}

/* The worker's system call number, as /proc/self/task/TID/syscall starts. */
static long worker_syscall(void)
{
    char buf[32];
    long fd = raw(SYS_open, (long)task_path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    long n = raw(SYS_read, fd, (long)buf, sizeof buf - 1);
    raw(SYS_close, fd, 0, 0);
    long nr = 0;
    for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        nr = nr * 10 + (buf[i] - '0');
    return n > 0 && buf[0] >= '0' && buf[0] <= '9' ? nr : -1;
}

static int watcher(void *arg)
{
    (void)arg;
    static const char sent[] = "hostile_cancel_stop: cancel sent while the worker was stopped\n";
    struct timespec nap = { 0, 100000 };
    int seen_read = 0;
    for (;;) {
        long nr = worker_syscall();
        if (nr == SYS_read)
            seen_read = 1;
        else if (seen_read && nr == SYS_futex)
            break;
        raw(SYS_nanosleep, (long)&nap, 0, 0);
    }
    pthread_cancel(worker_th);
    raw(SYS_write, 1, (long)sent, sizeof sent - 1);
    return 0;
}

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    /* glibc loads its unwinder at the first pthread_cancel(): done here,
     * so that the watcher's does not allocate. */
    pthread_t t;
    if (pthread_create(&t, NULL, idle, NULL) || pthread_cancel(t) || pthread_join(t, NULL))
        return 1;
    keep = malloc(KEEP * sizeof *keep);
    if (!keep || pipe(pipefd))
        return 1;
    for (size_t i = 0; i < KEEP; i++)
        keep[i] = malloc(32);
    sink = malloc(40);                      /* @leak */
    sink = NULL;
    if (pthread_create(&worker_th, NULL, worker, NULL))
        return 1;
    while (!worker_tid)
        sched_yield();
    snprintf(task_path, sizeof task_path, "/proc/self/task/%d/syscall", (int)worker_tid);

    /* The watcher starts with every signal blocked (the mask is inherited). */
    size_t stack_size = 64 << 10;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return 1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    if (clone(watcher, stack + stack_size, flags, NULL) < 0)
        return 1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    /* Until the watcher has seen the worker in read(). */
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    say("hostile_cancel_stop: main returns\n");
    return 0;
}
