/* hostile_term: libleak's handler for the signals that end a process must
 * read as SIG_DFL to the program.  argv[1]:
 *   query      print what sigaction() and signal() say of SIGINT, SIGTERM
 *              and SIGSEGV (the same natively and preloaded)
 *   dfl_raise  leak 77 bytes, install a SIGTERM handler, set SIG_DFL back
 *              with signal(), raise SIGTERM: dies of it
 *   busy       leak 77 bytes; a thread allocates and frees in a loop while
 *              the main thread, which blocks SIGTERM, sends SIGTERM to the
 *              process: it arrives on the busy thread, mostly inside malloc
 *              or free.  Dies of it.
 *   oneshot    leak 77 bytes; a one-shot SIGTERM handler (sysv_signal)
 *              runs once, then SIGTERM reads SIG_DFL; a one-shot SIGINT
 *              handler (SA_RESETHAND) raises SIGINT again from inside: dies
 *              of it
 *   dl_busy    leak 77 bytes; a thread dlopens and dlcloses libm in a
 *              loop while the main thread, which blocks SIGTERM, sends
 *              SIGTERM to the process: it mostly lands inside the loader.
 *              Dies of it.
 *   alarm_ticks  leak 77 bytes; a timer of the program's sends it SIGALRM
 *              every 0.5 ms, which its handler counts; SIGTERM: dies of it
 *   alarm_pending  leak 77 bytes; a SIGALRM of the program's waits, blocked,
 *              when SIGTERM is raised: dies of SIGTERM
 *   short_threads  leak 77 bytes; workers that allocate and free 200 times
 *              and end, one after the other, are the only threads that take
 *              SIGTERM, which another thread sends to the process: it
 *              mostly lands inside malloc or free of a worker that ends
 *              before it is sent again.  Dies of it.
 *   owed       a child (this program again, as owed_child: leak 77 bytes
 *              and make 200 bad frees) whose stderr is a pipe of one page:
 *              once the messages filled it the child waits inside libleak,
 *              and is sent SIGTERM,
 *              which libleak puts off.  Then the pipe is read, the child
 *              ends its bad frees and exits 0 at once.  Natively the
 *              SIGTERM would have ended it: it dies of it, report or not
 *              held off.  Prints how the child ended; run with
 *              output=DIR/r.%p.json and immediate_exit=0 (this process
 *              ends by _exit).
 *   report_storm  leak 77 bytes; a fork child makes 256 leaks more, each of
 *              its own stack (a report of some 100 KiB), and returns from
 *              main.  Its report goes to the FIFO DIR/r.fifo (run with
 *              output=DIR/r.fifo, the FIFO is made here), a pipe of one page that
 *              this process reads: once the first bytes came, the child is
 *              inside its report, which cannot end before the rest is read,
 *              and it is sent 200 SIGTERMs, a SIGINT, a SIGHUP and a
 *              SIGQUIT then.  The report read goes to DIR/child.json, how the
 *              child ended to stdout; this process ends by _exit (run it
 *              with immediate_exit=0: no report of its own). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static void say(const char *m) { write(1, m, strlen(m)); }

static void on_once(int sig)
{
    say(sig == SIGTERM ? "hostile_term: SIGTERM handled once\n" : "?\n");
}

/* A crash handler's shape: say so, then raise the signal again, which the
 * reset made SIG_DFL. */
static void on_reraise(int sig, siginfo_t *info, void *uc)
{
    (void)info;
    (void)uc;
    say("hostile_term: SIGINT handled, raised again\n");
    raise(sig);
}

static int oneshot(void)
{
    sysv_signal(SIGTERM, on_once);
    printf("hostile_term: SIGTERM: %s\n", disposition(SIGTERM));
    fflush(stdout);
    raise(SIGTERM);
    printf("hostile_term: then SIGTERM: %s\n", disposition(SIGTERM));
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_reraise;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGINT, NULL, &old);
    printf("hostile_term: SIGINT: %s%s\n", disposition(SIGINT),
           old.sa_flags & SA_RESETHAND ? ", SA_RESETHAND" : "");
    fflush(stdout);
    raise(SIGINT);
    return 3;
}

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
    /* sigset(SIG_DFL) unblocks, and says SIG_HOLD if the signal was blocked
     * (sigset is obsolete, and still exported: libleak takes it over) */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    sigset_t term, now;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    signal(SIGTERM, on_term);
    sigprocmask(SIG_BLOCK, &term, NULL);
    was = sigset(SIGTERM, SIG_DFL);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("hostile_term: sigset(SIG_DFL) of a blocked one returned %s, blocked now: %d\n",
           was == SIG_HOLD ? "SIG_HOLD" : was == on_term ? "on_term" : "other",
           sigismember(&now, SIGTERM));
    was = sigset(SIGTERM, SIG_DFL);
    printf("hostile_term: then %s, sigaction says %s\n", was == SIG_DFL ? "SIG_DFL" : "other",
           disposition(SIGTERM));
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

static void *load_unload(void *arg)
{
    (void)arg;
    for (;;) {
        void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
        if (h)
            dlclose(h);
    }
    return NULL;
}

static int busy(void *(*work)(void *))
{
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_t t;
    if (pthread_create(&t, NULL, work, NULL) != 0)      /* it does not block SIGTERM */
        return 1;
    pthread_sigmask(SIG_BLOCK, &term, NULL);
    struct timespec d = { 0, 20 * 1000 * 1000 };
    nanosleep(&d, NULL);
    kill(getpid(), SIGTERM);
    pthread_join(t, NULL);
    return 2;
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
    (void)sig;
    ticks++;
}

static int alarm_ticks(void)
{
    timer_t t;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    struct itimerspec every = { { 0, 500 * 1000 }, { 0, 500 * 1000 } };
    signal(SIGALRM, on_tick);
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 || timer_settime(t, 0, &every, NULL) != 0)
        return 1;
    while (ticks < 10)
        ;
    raise(SIGTERM);                 /* the report: the ticks go on meanwhile */
    return 3;
}

/* The handler of SIGTERM unblocks SIGALRM for its watchdog: the pending
 * SIGALRM arrives then, as the report begins. */
static int alarm_pending(void)
{
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    signal(SIGALRM, on_tick);
    pthread_sigmask(SIG_BLOCK, &alrm, NULL);
    raise(SIGALRM);
    raise(SIGTERM);
    return 3;
}

static void *short_work(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 200; i++) {
        void *volatile p = malloc(32 + i);
        free(p);
    }
    return NULL;
}

static void *send_term(void *arg)
{
    (void)arg;
    struct timespec d = { 0, 20 * 1000 * 1000 };
    nanosleep(&d, NULL);
    kill(getpid(), SIGTERM);
    return NULL;
}

static int short_threads(void)
{
    sigset_t term, none;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigemptyset(&none);
    pthread_sigmask(SIG_BLOCK, &term, NULL);   /* the sender inherits it */
    pthread_t t;
    pthread_create(&t, NULL, send_term, NULL);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setsigmask_np(&a, &none);
    for (;;) {
        if (pthread_create(&t, &a, short_work, NULL) != 0)
            return 1;
        pthread_join(t, NULL);
    }
}

/* How the child ended, on stdout. */
static int child_status(pid_t child)
{
    int st;
    if (waitpid(child, &st, 0) != child)
        return 1;
    if (WIFSIGNALED(st))
        printf("hostile_term: the child died of SIG%s\n", sigabbrev_np(WTERMSIG(st)));
    else
        printf("hostile_term: the child exited %d\n", WEXITSTATUS(st));
    return 0;
}

/* report_storm's leaks: one block per path of 8 turns, left or right */
static volatile unsigned turns;
static void grow(unsigned depth, unsigned path);

static __attribute__((noinline)) void go_left(unsigned depth, unsigned path)
{
    grow(depth, path);
    turns += 1;
}

static __attribute__((noinline)) void go_right(unsigned depth, unsigned path)
{
    grow(depth, path);
    turns += 2;
}

static __attribute__((noinline)) void grow(unsigned depth, unsigned path)
{
    if (depth == 0) {
        sink = malloc(8);
        sink = NULL;
        return;
    }
    (path & 1 ? go_right : go_left)(depth - 1, path >> 1);
    turns += 3;
}

/* DIR/name, DIR from output=DIR/r.fifo in LIBLEAK_OPTIONS. */
static const char *in_dir(const char *name)
{
    static char path[4096];
    const char *o = getenv("LIBLEAK_OPTIONS"), *at = o ? strstr(o, "output=") : NULL;
    if (!at)
        return name;
    at += strlen("output=");
    size_t n = strcspn(at, ":");
    while (n && at[n - 1] != '/')
        n--;
    snprintf(path, sizeof path, "%.*s%s", (int)n, at, name);
    return path;
}

/* The rest of the FIFO (fd, open for reading and writing) into child.json,
 * once the child closed it. */
static int drain(int fd)
{
    int rd = open(in_dir("r.fifo"), O_RDONLY);  /* a writer is open: no wait */
    close(fd);                                  /* so that the child's close ends it */
    FILE *f = fopen(in_dir("child.json"), "a");
    char buf[4096];
    ssize_t n;
    while ((n = read(rd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, f);
    fclose(f);
    return n == 0 ? 0 : 1;
}

static int report_storm(void)
{
    if (mkfifo(in_dir("r.fifo"), 0600) != 0)
        return 1;
    int fd = open(in_dir("r.fifo"), O_RDWR);           /* the child's open does not wait */
    if (fd < 0 || fcntl(fd, F_SETPIPE_SZ, 4096) < 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        close(fd);
        for (unsigned path = 0; path < 256; path++)
            grow(8, path);
        exit(0);                                /* its report: to r.fifo */
    }
    char first;
    FILE *f = fopen(in_dir("child.json"), "w");
    if (child < 0 || !f || read(fd, &first, 1) != 1)
        return 1;
    fputc(first, f);                            /* drain appends the rest */
    fclose(f);
    for (int i = 0; i < 200; i++)
        kill(child, SIGTERM);
    kill(child, SIGINT);
    kill(child, SIGHUP);
    kill(child, SIGQUIT);
    int r = drain(fd);
    return child_status(child) | r;
}

static int owed(void)
{
    int p[2];
    if (pipe(p) != 0 || fcntl(p[0], F_SETPIPE_SZ, 4096) < 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        /* exec'd: libleak writes to the stderr a process started with */
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execl("/proc/self/exe", "hostile_term", "owed_child", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    /* Full: a message that does not fit in what is left of the page
     * waits, so the bytes queued stop short of 4096 and stop growing.
     * Sent earlier, between two bad frees, SIGTERM just ends the child. */
    struct timespec d = { 0, 10 * 1000 * 1000 };
    int queued = 0, was = -1;
    for (int i = 0; i < 2000 && (queued < 2048 || queued != was); i++) {
        nanosleep(&d, NULL);
        was = queued;
        ioctl(p[0], FIONREAD, &queued);
    }
    kill(child, SIGTERM);
    char buf[4096];
    while (read(p[0], buf, sizeof buf) > 0)
        ;
    return child_status(child);
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
        return busy(churn);
    } else if (!strcmp(m, "dl_busy")) {
        return busy(load_unload);
    } else if (!strcmp(m, "oneshot")) {
        return oneshot();
    } else if (!strcmp(m, "owed_child")) {
        for (int i = 0; i < 200; i++)
            free((void *)(uintptr_t)(0x10000 + 16 * i));
        exit(0);
    } else if (!strcmp(m, "alarm_ticks")) {
        return alarm_ticks();
    } else if (!strcmp(m, "alarm_pending")) {
        return alarm_pending();
    } else if (!strcmp(m, "short_threads")) {
        return short_threads();
    } else if (!strcmp(m, "report_storm") || !strcmp(m, "owed")) {
        int r = m[0] == 'r' ? report_storm() : owed();
        fflush(stdout);
        _exit(r);
    }
    return 3;
}
