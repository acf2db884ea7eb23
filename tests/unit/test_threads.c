/* test_threads.c - stopping threads without ptrace (src/threads.c) and
 * glibc's thread control blocks (src/tls.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ll.h"

static atomic_int g_run, g_count, g_tid;

struct stack { uintptr_t lo, hi; };

static struct stack stack_of(pthread_t t)
{
    pthread_attr_t a;
    void *addr;
    size_t size;
    cr_assert(!pthread_getattr_np(t, &a));
    cr_assert(!pthread_attr_getstack(&a, &addr, &size));
    pthread_attr_destroy(&a);
    return (struct stack){ (uintptr_t)addr, (uintptr_t)addr + size };
}

/* The calling thread blocks the stop signal (s: that signal alone) and
 * publishes its tid. */
static void block_stop_signal(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, LL_STOP_SIGNAL);
    pthread_sigmask(SIG_BLOCK, s, NULL);
    atomic_store(&g_tid, (int)syscall(SYS_gettid));
}

static void *spin(void *arg)
{
    sigset_t s;
    if (arg)
        block_stop_signal(&s);
    else
        atomic_store(&g_tid, (int)syscall(SYS_gettid));
    while (atomic_load(&g_run)) atomic_fetch_add(&g_count, 1);
    return NULL;
}

static pthread_t start(void *arg)
{
    pthread_t t;
    atomic_store(&g_run, 1);
    atomic_store(&g_tid, 0);
    cr_assert(!pthread_create(&t, NULL, spin, arg));
    while (!atomic_load(&g_tid) || atomic_load(&g_count) < 1000) sched_yield();
    return t;
}

static struct ll_stopped *slot(struct ll_stopped *v, size_t n, int tid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].tid == tid) return &v[i];
    return NULL;
}

Test(threads, running_thread_is_stopped_and_resumed)
{
    pthread_t t = start(NULL);
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, atomic_load(&g_tid));
    cr_assert_not_null(s, "the spinning thread was not listed");
    cr_assert(atomic_load(&s->stopped), "the spinning thread did not stop");
    cr_expect(s->held, "stopped, but the scan would not read it as held");
    cr_expect(!s->blocked, "it does not block the signal");
    int frozen = atomic_load(&g_count);
    usleep(20 * 1000);
    cr_expect_eq(atomic_load(&g_count), frozen, "it ran on while stopped");
    struct stack st = stack_of(t);
    cr_expect(s->sp >= st.lo && s->sp < st.hi, "sp %#lx outside its stack [%#lx, %#lx)",
              (unsigned long)s->sp, (unsigned long)st.lo, (unsigned long)st.hi);
    cr_expect_eq(s->tcb, (uintptr_t)t, "tcb is its pthread_t");
    ll_resume_threads();
    while (atomic_load(&g_count) == frozen) sched_yield();   /* it runs again */
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
}

/* The signals pending for thread tid alone (SigPnd in its status). */
static unsigned long long pending_of(int tid)
{
    char path[64], line[256];
    unsigned long long v = 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "SigPnd: %llx", &v) == 1) break;
    fclose(f);
    return v;
}

/* Its mask says it blocks the signal: it is marked so, and neither sent
 * the signal nor waited for. */
Test(threads, thread_blocking_the_signal_is_left_unanswered)
{
    pthread_t t = start((void *)1);
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, atomic_load(&g_tid));
    cr_assert_not_null(s);
    cr_expect_eq(atomic_load(&s->stopped), 0);
    cr_expect(!s->held);
    cr_expect(s->blocked, "not marked as blocking the signal");
    cr_expect(!(pending_of(s->tid) >> (LL_STOP_SIGNAL - 1) & 1),
              "the signal was sent: it waits, pending, for the thread to unblock it");
    ll_resume_threads();
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
}

/* A thread that blocks the signal only for a moment (as glibc does while it
 * creates a thread or spawns a process) is looked at again, sent the signal
 * once it lets it in, and stopped.  Here it lets it in half a millisecond
 * after the stop began, well inside the 10 ms the stopper keeps looking. */
static atomic_llong g_unblock_at_ns;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void *masked_for_a_moment(void *arg)
{
    (void)arg;
    sigset_t s;
    block_stop_signal(&s);
    int masked = 1;
    while (atomic_load(&g_run)) {
        long long at = atomic_load(&g_unblock_at_ns);
        if (masked && at && now_ns() >= at) {
            pthread_sigmask(SIG_UNBLOCK, &s, NULL);
            masked = 0;
        }
        atomic_fetch_add(&g_count, 1);
    }
    return NULL;
}

Test(threads, thread_masking_the_signal_for_a_moment_is_stopped, .timeout = 30)
{
    pthread_t t;
    atomic_store(&g_run, 1);
    atomic_store(&g_tid, 0);
    atomic_store(&g_unblock_at_ns, 0);
    cr_assert(!pthread_create(&t, NULL, masked_for_a_moment, NULL));
    while (!atomic_load(&g_tid) || atomic_load(&g_count) < 1000) sched_yield();
    atomic_store(&g_unblock_at_ns, now_ns() + 500 * 1000);
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, atomic_load(&g_tid));
    cr_assert_not_null(s);
    cr_expect(s->held, "not stopped once it let the signal in");
    cr_expect(!s->blocked);
    ll_resume_threads();
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
}

/* A thread in sigwait() for a set that holds the signal: the signal would
 * end its wait (the program would get it) rather than stop it, so it is
 * not sent.  Its wait is ended by SIGUSR1 afterwards, which must be the
 * signal it got. */
static atomic_int g_got;

static void *sigwaiter(void *arg)
{
    sigset_t *set = arg;
    atomic_store(&g_tid, (int)syscall(SYS_gettid));
    int sig = 0;
    sigwait(set, &sig);
    atomic_store(&g_got, sig);
    return NULL;
}

/* The system call thread tid is in, as /proc shows it; -1 outside one
 * ("running" reads as -1 too). */
static int syscall_of(int tid)
{
    char path[64], buf[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(buf, sizeof buf, f));
    fclose(f);
    return buf[0] >= '0' && buf[0] <= '9' ? atoi(buf) : -1;
}

Test(threads, thread_in_sigwait_is_not_sent_the_signal, .timeout = 30)
{
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, LL_STOP_SIGNAL);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);     /* the waiter inherits it */
    pthread_t t;
    atomic_store(&g_tid, 0);
    cr_assert(!pthread_create(&t, NULL, sigwaiter, &set));
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);   /* the caller's own mask: back */
    while (!atomic_load(&g_tid)) sched_yield();
    int tid = atomic_load(&g_tid);
    /* Its mask shows the waited-for signals unblocked once it is inside. */
    while (syscall_of(tid) != SYS_rt_sigtimedwait) sched_yield();
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, tid);
    cr_assert_not_null(s);
    cr_expect(s->blocked, "not marked as waiting for the signal");
    cr_expect(!s->held);
    ll_resume_threads();
    syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
    pthread_join(t, NULL);
    cr_expect_eq(atomic_load(&g_got), SIGUSR1, "sigwait returned signal %d", atomic_load(&g_got));
}

/* A signal of ours that reaches a thread after the wait is over (here sent
 * by hand, then unblocked) must not stop it: the scan counts it as running.
 * Nor may it go to the program's handler. */
static atomic_int g_unblock;

static void *unblock_later(void *arg)
{
    (void)arg;
    sigset_t s;
    block_stop_signal(&s);
    while (atomic_load(&g_run)) {
        if (atomic_load(&g_unblock) == 1) {
            pthread_sigmask(SIG_UNBLOCK, &s, NULL);     /* the late signal runs here */
            atomic_store(&g_unblock, 2);
        }
        atomic_fetch_add(&g_count, 1);
    }
    return NULL;
}

static atomic_int g_foreign;
static void count_foreign(int sig) { (void)sig; atomic_fetch_add(&g_foreign, 1); }

Test(threads, late_answer_does_not_stop_the_thread, .timeout = 30)
{
    signal(LL_STOP_SIGNAL, count_foreign);
    pthread_t t;
    atomic_store(&g_run, 1);
    atomic_store(&g_tid, 0);
    cr_assert(!pthread_create(&t, NULL, unblock_later, NULL));
    while (!atomic_load(&g_tid) || atomic_load(&g_count) < 1000) sched_yield();
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, atomic_load(&g_tid));
    cr_assert_not_null(s);
    cr_assert(!s->held && s->blocked);
    syscall(SYS_tgkill, getpid(), s->tid, LL_STOP_SIGNAL);    /* late, as if delayed */
    atomic_store(&g_unblock, 1);
    while (atomic_load(&g_unblock) != 2) sched_yield();
    int after = atomic_load(&g_count);
    while (atomic_load(&g_count) < after + 100000) sched_yield();   /* it runs on */
    cr_expect(!atomic_load(&s->stopped), "it stopped after the wait was over");
    cr_expect(!s->held);
    cr_expect_eq(atomic_load(&g_foreign), 0, "the program's handler got libleak's signal");
    ll_resume_threads();
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
    signal(LL_STOP_SIGNAL, SIG_DFL);
}

/* The caller is never in the list (it would wait for itself). */
Test(threads, caller_is_not_stopped)
{
    pthread_t t = start(NULL);
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    cr_expect_geq(n, 1);
    cr_expect_null(slot(v, n, (int)syscall(SYS_gettid)));
    ll_resume_threads();
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
}

/* A thread that holds a lock of mem.c when the stop reaches it is let go
 * on and stopped again once it has left: the scan takes mem.c's page lock,
 * so a thread stopped inside would hold the scan up until its handler's
 * bound ran out.  Here the thread is inside nearly all the time, and each
 * stop must find it outside. */
static atomic_int g_inside;

static void *in_and_out(void *arg)
{
    (void)arg;
    static ll_lock_t lock;
    atomic_store(&g_tid, (int)syscall(SYS_gettid));
    while (atomic_load(&g_run)) {
        ll_lock_inner(&lock);
        atomic_store(&g_inside, 1);
        for (int i = 0; i < 2000; i++) atomic_fetch_add(&g_count, 1);
        atomic_store(&g_inside, 0);
        ll_unlock_inner(&lock);
        atomic_fetch_add(&g_count, 1);
    }
    return NULL;
}

Test(threads, thread_inside_mem_is_stopped_outside)
{
    pthread_t t;
    atomic_store(&g_run, 1);
    cr_assert(!pthread_create(&t, NULL, in_and_out, NULL));
    while (!atomic_load(&g_tid) || atomic_load(&g_count) < 10000) sched_yield();
    int stopped = 0, outside = 0;
    for (int round = 0; round < 20; round++) {
        struct ll_stopped *v;
        size_t n = ll_stop_threads(&v);
        struct ll_stopped *s = slot(v, n, atomic_load(&g_tid));
        cr_assert_not_null(s);
        if (atomic_load(&s->stopped)) {
            stopped++;
            outside += !atomic_load(&g_inside);
        }
        ll_resume_threads();
    }
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
    cr_expect_eq(stopped, 20, "stopped in %d of 20 rounds", stopped);
    cr_expect_eq(outside, stopped, "stopped inside mem.c in %d rounds", stopped - outside);
}

static atomic_int g_handled;
static void own_handler(int sig) { (void)sig; atomic_fetch_add(&g_handled, 1); }

/* The program's SIGURG handler keeps working after a stop. */
Test(threads, program_handler_is_chained)
{
    signal(LL_STOP_SIGNAL, own_handler);
    pthread_t t = start(NULL);
    struct ll_stopped *v;
    ll_stop_threads(&v);
    ll_resume_threads();
    raise(LL_STOP_SIGNAL);
    cr_expect_eq(atomic_load(&g_handled), 1);
    atomic_store(&g_run, 0);
    pthread_join(t, NULL);
}

/* ---- tls.c ------------------------------------------------------------------ */

static void *check_tcb(void *arg)
{
    (void)arg;
    uintptr_t tcb = (uintptr_t)pthread_self();
    int ok = ll_tcb_is((const uintptr_t *)tcb, tcb);
    int off = ll_tcb_tid_offset();
    ok &= off > 0 && *(const int *)(tcb + (uintptr_t)off) == (int)syscall(SYS_gettid);
    ok &= ll_tcb_top(tcb) == stack_of(pthread_self()).hi;
    return (void *)(intptr_t)ok;
}

Test(tls, tcb_header_tid_and_stack_top_of_a_thread)
{
    cr_assert(ll_tcb_supported());
    pthread_t t;
    void *ok;
    cr_assert(!pthread_create(&t, NULL, check_tcb, NULL));
    pthread_join(t, &ok);
    cr_expect_eq((intptr_t)ok, 1);
}

Test(tls, main_thread_tcb_and_dtv)
{
    uintptr_t tcb = (uintptr_t)pthread_self();
    const uintptr_t *w = (const uintptr_t *)tcb;
    cr_expect(ll_tcb_is(w, tcb));
    cr_expect(!ll_tcb_is(w, tcb + 64));
    cr_expect_eq(ll_tcb_dtv_block(w[1]), w[1] - 16, "the DTV starts one entry before");
    cr_expect_eq(ll_tcb_dtv_block(8), 0);
    int off = ll_tcb_tid_offset();
    cr_assert_gt(off, 0);
    cr_expect_eq(*(const int *)(tcb + (uintptr_t)off), getpid());
}

/* A thread blocked in a call that SA_RESTART does not restart is stopped
 * and resumed without the call returning: the program never asked for a
 * signal, so natively it would not see EINTR.  Each waiter reports what its
 * call returned; only the program's own SIGUSR1, sent after the resume,
 * may end the wait. */
enum { W_PAUSE, W_POLL, W_SELECT, W_NANOSLEEP, W_EPOLL, W_SIGSUSPEND, W_COUNT };
static const char *const w_name[W_COUNT] = { "pause", "poll", "select", "nanosleep",
                                             "epoll_wait", "sigsuspend" };
static atomic_int w_tid[W_COUNT], w_done[W_COUNT], w_errno[W_COUNT];

static void on_usr1(int sig) { (void)sig; }

static void *waiter(void *arg)
{
    int k = (int)(intptr_t)arg, r = 0;
    int fds[2];
    cr_assert(!pipe(fds));
    atomic_store(&w_tid[k], (int)syscall(SYS_gettid));
    if (k == W_PAUSE) {
        r = pause();
    } else if (k == W_POLL) {
        struct pollfd p = { fds[0], POLLIN, 0 };
        r = poll(&p, 1, 60 * 1000);
    } else if (k == W_SELECT) {
        fd_set in;
        FD_ZERO(&in);
        FD_SET(fds[0], &in);
        r = select(fds[0] + 1, &in, NULL, NULL, NULL);
    } else if (k == W_NANOSLEEP) {
        struct timespec t = { 60, 0 };
        r = nanosleep(&t, NULL);
    } else if (k == W_EPOLL) {
        int ep = epoll_create1(0);
        struct epoll_event e = { .events = EPOLLIN }, out;
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &e);
        r = epoll_wait(ep, &out, 1, -1);
        close(ep);
    } else {
        sigset_t none;
        sigemptyset(&none);
        r = sigsuspend(&none);
    }
    atomic_store(&w_errno[k], r < 0 ? errno : 0);
    atomic_store(&w_done[k], 1);
    close(fds[0]);
    close(fds[1]);
    return NULL;
}

Test(threads, blocking_calls_are_not_interrupted_by_the_stop, .timeout = 30)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[W_COUNT];
    for (int k = 0; k < W_COUNT; k++)
        cr_assert(!pthread_create(&t[k], NULL, waiter, (void *)(intptr_t)k));
    for (int k = 0; k < W_COUNT; k++)
        while (!atomic_load(&w_tid[k]) || syscall_of(atomic_load(&w_tid[k])) < 0)
            sched_yield();
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    for (int k = 0; k < W_COUNT; k++) {
        struct ll_stopped *s = slot(v, n, atomic_load(&w_tid[k]));
        cr_assert_not_null(s, "%s: not listed", w_name[k]);
        cr_expect(s->held, "%s: not stopped", w_name[k]);
    }
    ll_resume_threads();
    usleep(50 * 1000);                  /* a call that returned has said so by now */
    for (int k = 0; k < W_COUNT; k++)
        cr_expect(!atomic_load(&w_done[k]), "%s returned (errno %d) after the stop",
                  w_name[k], atomic_load(&w_errno[k]));
    /* The program's own signal still ends each wait with EINTR. */
    for (int k = 0; k < W_COUNT; k++) {
        syscall(SYS_tgkill, getpid(), atomic_load(&w_tid[k]), SIGUSR1);
        pthread_join(t[k], NULL);
        cr_expect_eq(atomic_load(&w_errno[k]), EINTR, "%s: errno %d after SIGUSR1",
                     w_name[k], atomic_load(&w_errno[k]));
    }
}

/* A signal of the program's that arrives while the thread is held by the
 * stop runs its handler when the thread is let go, and the call it
 * interrupted ends with EINTR, as it would have: the stop's restart must
 * not take that EINTR away (pause() would wait for good: the timeout). */
Test(threads, program_signal_during_the_stop_still_ends_the_call, .timeout = 30)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    cr_assert(!pthread_create(&t, NULL, waiter, (void *)(intptr_t)W_PAUSE));
    while (!atomic_load(&w_tid[W_PAUSE]) || syscall_of(atomic_load(&w_tid[W_PAUSE])) < 0)
        sched_yield();
    int tid = atomic_load(&w_tid[W_PAUSE]);
    struct ll_stopped *v;
    size_t n = ll_stop_threads(&v);
    struct ll_stopped *s = slot(v, n, tid);
    cr_assert_not_null(s);
    cr_assert(s->held, "not stopped");
    syscall(SYS_tgkill, getpid(), tid, SIGUSR1);    /* pending: the stop blocks it */
    ll_resume_threads();
    pthread_join(t, NULL);
    cr_expect_eq(atomic_load(&w_errno[W_PAUSE]), EINTR, "pause: errno %d",
                 atomic_load(&w_errno[W_PAUSE]));
}
