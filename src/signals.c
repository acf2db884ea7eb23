/* signals.c - the report when the process dies abnormally.
 *
 * A signal whose default action ends the process (SIGSEGV, SIGABRT, but
 * also SIGTERM, SIGINT from the terminal, SIGPIPE...) or _exit() skips the
 * ELF destructors, and with them the exit report.  For the signals, libleak
 * installs a handler - only where the disposition is still SIG_DFL at
 * initialisation, so a program's own handler always wins, also one
 * installed later - that writes the report and then lets the signal end the
 * process exactly as it would have: the default action, core dump included.
 * The handler stands for SIG_DFL: the program sees SIG_DFL where it is
 * (sigaction.c).  exits.c does the same for _exit()/_Exit().
 *
 * While a report is being written - at exit() as at a signal - the
 * signals sent to end the process are held off: one that arrives then is
 * dropped, so a kill, a Ctrl-C or a storm of them cannot cut the report
 * short.  At exit the process ends with the program's own status, as under
 * Valgrind (natively it would have been gone already), unless the signal
 * came before the exit and was put off (ll_sig_owed_end); at a signal it
 * dies of the first one.
 *
 * The report from a handler is not async-signal-safe in general: the
 * crashing thread may hold a lock of the real allocator.  Two guards bound
 * the damage: no report when the thread was inside libleak itself (it may
 * hold our locks; ll_end_interrupted says so), and a watchdog (a timer's
 * SIGALRM) that ends the process with the original signal if the report
 * has not finished in LL_SIG_TIMEOUT s. */
#include "ll.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unwind.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_SIG_TIMEOUT 30

/* The faults (and abort), then the signals sent to end the process: a
 * kill, the terminal, a closed pipe, a timer or a resource limit.  Not the
 * real-time signals (glibc keeps two for itself) nor SIGKILL/SIGSTOP. */
static const int ll_fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
static const int ll_ending[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM,
                                 SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF };
#define LL_NFATAL (sizeof(ll_fatal) / sizeof(ll_fatal[0]))
#define LL_NENDING (sizeof(ll_ending) / sizeof(ll_ending[0]))

/* Every signal but the faults (and abort), which must reach their
 * handlers even while the others are blocked. */
void ll_sigset_but_faults(sigset_t *s)
{
    sigfillset(s);
    for (size_t i = 0; i < LL_NFATAL; i++)
        sigdelset(s, ll_fatal[i]);
}

static int ll_sig_in(int sig, const int *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == sig)
            return 1;
    return 0;
}

int ll_sig_reported(int sig)
{
    return ll_opt.signals && (ll_sig_in(sig, ll_fatal, LL_NFATAL) ||
                              ll_sig_in(sig, ll_ending, LL_NENDING));
}

struct ll_live_root ll_live_root;
static atomic_int ll_reporting;     /* the one report of the process began */
static atomic_int ll_writing;       /* it is being written (ll_report_held) */
static atomic_int ll_writer;        /* by this thread (its tid) */
static atomic_int ll_sig_owed;      /* a signal put off for later (ll_sig_later) */
static volatile sig_atomic_t ll_dying;  /* signal being reported, for the watchdog */
/* The process libleak knows it is in: set at initialisation and by the
 * fork child handler.  vfork and posix_spawn children run no fork handlers,
 * so a pid that differs means "a child sharing the parent's memory". */
static pid_t ll_own_pid;
static int ll_forked;               /* this process is a fork() child */
static void (*ll_real_exit)(int);   /* the next _exit */

/* The thread that ends the process: the first to enter exit() or
 * quick_exit() (exits.c) or to claim the report; pid << 32 | tid, so that
 * a fork child's copy, naming its parent, counts as free. */
static _Atomic uint64_t ll_ender;

/* 1 if this thread ends the process (now or already), 0 if another does. */
static int ll_end_take(void)
{
    uint64_t me = (uint64_t)syscall(SYS_getpid) << 32 | (uint32_t)syscall(SYS_gettid);
    uint64_t cur = atomic_load(&ll_ender);
    while (cur != me) {
        if (cur && cur >> 32 == me >> 32)
            return 0;
        if (atomic_compare_exchange_weak(&ll_ender, &cur, me))
            return 1;
    }
    return 1;                       /* exit() again, from an atexit handler */
}

/* A signal handler that ends the process (exit(), quick_exit(), _exit(),
 * or the fatal signal itself) on a thread that was inside libleak's own
 * code (ll_guard): its tables may be mid-update and their locks held by
 * this very thread, so the leak check would read garbage or wait for good
 * on a lock.  No report, then: one line says why, and the process ends as
 * it would have.  end names the end, signal says it is a fatal signal. */
int ll_end_interrupted(const char *end, int signal)
{
    /* Inside the real allocator a fatal signal still gets its report, and
     * so does a handler's exit(), with no memory taken from the allocator
     * (bootstrap.c): its first malloc found the arena mid-update, its lock
     * taken by this thread. */
    if (!ll_guard && (signal || !ll_in_real))
        return 0;
    if (!ll_guard && ll_boot_salvage() == 0) {
        ll_msg("%s was called from a signal handler that interrupted malloc or free: the "
               "report takes no memory from the allocator", end);
        return 0;
    }
    ll_msg("%s %s malloc or free; no leak report (%s were mid-update)", end,
           signal ? "arrived inside" : "was called from a signal handler that interrupted",
           ll_guard ? "libleak's tables" : "the allocator's lists");
    return 1;
}

/* glibc 2.36 lets two threads run exit() at once: the one that does not
 * run our destructor reaches glibc's internal _exit (no hook sees it) and
 * ends the process in the middle of the other's report.  Newer glibc
 * (BZ 31997) and musl serialize exit(): a second caller blocks, and the
 * first one's exit ends the process.  So here, with one difference: until
 * the report has begun, the wait is bounded (LL_END_WAIT_MS), then the
 * second exit goes on as glibc 2.36 lets it.  An atexit handler of the
 * first may be joining this very thread (2.36 ends such a program; waiting
 * for good would hang it).  Once the report has begun, its writer ends the
 * process: the wait is for good.  The wait runs signal handlers: the leak
 * check stops this thread with one (threads.c) to read its stack.  No wait
 * in a vfork child (it shares our memory), nor on a thread inside libleak
 * or inside the real allocator (a handler that interrupted them): it may
 * hold locks the report needs. */
#define LL_END_WAIT_MS 2000

void ll_end_enter(void)
{
    if (ll_guard || ll_in_real || !ll_is_own_process() || ll_end_take())
        return;
    struct timespec t = { 0, 10 * 1000 * 1000 };
    int was = ll_cancel_off();
    for (int ms = 0; ms < LL_END_WAIT_MS || atomic_load(&ll_reporting); ms += 10)
        nanosleep(&t, NULL);
    ll_cancel_restore(was);
}

int ll_report_claim(void)
{
    int expect = 0;
    /* A later exit() on another thread waits for this report; returning
     * from main reaches exit() inside libc, unseen, so the report marks it. */
    (void)ll_end_take();
    return atomic_compare_exchange_strong(&ll_reporting, &expect, 1);
}

int ll_is_own_process(void)
{
    return ll_own_pid && (pid_t)syscall(SYS_getpid) == ll_own_pid;
}

int ll_is_fork_child(void) { return ll_forked; }

/* Not our process (ll_is_own_process is 0): 1 if it shares our memory
 * (vfork, posix_spawn, clone with CLONE_VM), or if that cannot be told; 0
 * for a clone() without CLONE_VM, which has its own copy, as a fork child
 * has (but it ran no fork handlers). */
int ll_child_shares_memory(void)
{
    long r = syscall(SYS_kcmp, (pid_t)syscall(SYS_getpid), ll_own_pid, KCMP_VM, 0, 0);
    return r < 0 || r == 0;
}

static void ll_sig_later_fork_child(void);

static void ll_abnormal_fork_child(void)
{
    ll_own_pid = (pid_t)syscall(SYS_getpid);
    ll_forked = 1;
    ll_sig_later_fork_child();
    atomic_store(&ll_sig_owed, 0);  /* the parent's: this process was not sent it */
}

void ll_exit_real(int status)
{
    if (ll_real_exit)
        ll_real_exit(status);
    for (;;)                        /* what glibc's _exit does */
        syscall(SYS_exit_group, status);
}

/* Restore the default action and make the signal pending: it is delivered
 * as soon as the handler returns (the kernel unblocks it then), so a fault,
 * an abort() or a kill all end the process as they would have. */
static void ll_sig_default(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    ll_sigaction_next(sig, &sa, NULL);
    raise(sig);
}

/* sig let in on this thread (the handler blocks every signal); the mask
 * it had goes to *old unless NULL. */
static void ll_sig_unblock(int sig, sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, old);
}

/* The same, and sig unblocked on this thread: the process ends here, not
 * when a handler returns (every other thread may block sig). */
static void ll_sig_end_now(int sig)
{
    ll_sig_default(sig);
    ll_sig_unblock(sig, NULL);
}

/* ---- libleak's calls under a seccomp filter that traps them --------------- */
/* A seccomp filter may trap a system call (SECCOMP_RET_TRAP): the kernel
 * sends the thread a SIGSYS, and kills the process with it when the thread
 * blocks it, as ours does in the handler: a program whose filter traps
 * timer_create died of SIGSYS at its first fault, with no report, where it
 * dies of SIGSEGV natively; one that traps openat died so at any report.
 * Around the timer calls and the whole report this thread takes a SIGSYS
 * of its own and lets the call fail: a trapped call is never made, and
 * returns -ENOSYS, so the caller's fallback (alarm(), no putting off, the
 * report on stderr, frames not named) follows.  The handler sets that
 * value: the kernel gives it the registers as they were at the call (its
 * syscall_rollback), and the call would return its own number (257 from
 * openat: a "descriptor" every write then failed on, EBADF).  Another
 * thread's SIGSYS meanwhile goes to the handler that was there; with none,
 * its call fails the same way (the process is ending: dying of SIGSYS
 * would end the report too).  Nested guards (the report's own timer calls)
 * are one. */
#define LL_SYS_SECCOMP 1                /* si_code of a SIGSYS from a filter */
static LL_TLS int ll_sys_guarded;       /* depth */
static struct sigaction ll_sys_prev;
static ll_lock_t ll_sys_lock;           /* one thread at a time swaps the handler */

static void ll_sys_fail(void *uc)
{
#if defined(__x86_64__)
    ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
    ((ucontext_t *)uc)->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#endif
}

static void ll_sys_trap(int sig, siginfo_t *si, void *uc)
{
    int prog = !ll_sys_guarded || si->si_code != LL_SYS_SECCOMP;
    if (prog && (ll_sys_prev.sa_flags & SA_SIGINFO))
        ll_sys_prev.sa_sigaction(sig, si, uc);
    else if (prog && ll_sys_prev.sa_handler != SIG_DFL && ll_sys_prev.sa_handler != SIG_IGN)
        ll_sys_prev.sa_handler(sig);
    else if (si->si_code == LL_SYS_SECCOMP)
        ll_sys_fail(uc);
}

static void ll_sys_take(sigset_t *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = ll_sys_trap;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    ll_sigaction_next(SIGSYS, &sa, &ll_sys_prev);
    ll_sig_unblock(SIGSYS, old);
}

void ll_sys_guard_on(sigset_t *old)
{
    sigemptyset(old);
    if (ll_sys_guarded++)
        return;                         /* the outer guard stands */
    ll_lock(&ll_sys_lock);
    ll_sys_take(old);
}

/* The same, or 0 if another thread holds the guard: a caller holding
 * libleak's table locks must not wait for one that may be waiting for
 * them (the report takes the guard, then the tables). */
int ll_sys_guard_try_on(sigset_t *old)
{
    sigemptyset(old);
    if (ll_sys_guarded) {
        ll_sys_guarded++;
        return 1;
    }
    if (!ll_trylock(&ll_sys_lock))
        return 0;
    ll_sys_guarded++;
    ll_sys_take(old);
    return 1;
}

/* A fork while another thread swapped the handler: no one releases the
 * lock in the child. */
void ll_sig_fork_child(void)
{
    ll_lock_reset(&ll_sys_lock);
}

void ll_sys_guard_off(const sigset_t *old)
{
    if (--ll_sys_guarded)
        return;
    pthread_sigmask(SIG_SETMASK, old, NULL);
    ll_sigaction_next(SIGSYS, &ll_sys_prev, NULL);
    ll_unlock(&ll_sys_lock);
}

/* The watchdog's timer (a SIGALRM to the reporting thread), or -1: then
 * alarm() stands in, whose SIGALRM cannot be told from the program's. */
static int ll_watchdog_timer = -1;

/* The report did not finish in time (a lock the crashing thread held).
 * A SIGALRM of the program's own (its timer_create() timer, setitimer(),
 * a kill) is not the watchdog's: it waits, as the process dies after the
 * report anyway; it used to end the report at once, with no report. */
static void ll_sig_watchdog(int alrm, siginfo_t *info, void *uc)
{
    (void)alrm;
    (void)uc;
    if (ll_watchdog_timer >= 0 &&
        (info->si_code != SI_TIMER || info->si_timerid != ll_watchdog_timer))
        return;
    static const char m[] = "libleak: the report at the signal did not finish in "
                            "time; the process dies without it\n";
    ll_out_direct(2, m, sizeof(m) - 1);
    ll_sig_end_now(ll_dying);       /* to this thread: every other one may block it */
}

/* A timer (not set) that sends sig to thread tid, or to the process when
 * tid is 0; -1 if none can be made. */
static int ll_sig_timer_make(int sig, pid_t tid)
{
    struct sigevent ev;
    int id;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = tid ? SIGEV_THREAD_ID : SIGEV_SIGNAL;
    ev.sigev_signo = sig;
    ev._sigev_un._tid = tid;
    return syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id) == 0 ? id : -1;
}

/* LL_SIG_TIMEOUT s from now, a SIGALRM to this thread. */
static void ll_sig_watchdog_timer(void)
{
    struct itimerspec when = { .it_value = { LL_SIG_TIMEOUT, 0 } };
    int id = ll_sig_timer_make(SIGALRM, (pid_t)syscall(SYS_gettid));
    if (id < 0)
        return;
    ll_watchdog_timer = id;
    if (syscall(SYS_timer_settime, id, 0, &when, NULL) != 0) {
        syscall(SYS_timer_delete, id);
        ll_watchdog_timer = -1;
    }
}

static void ll_sig_arm_watchdog(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = ll_sig_watchdog;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;  /* the report's calls go on */
    ll_sigaction_next(SIGALRM, &sa, NULL);
    /* the timer before the unblocking: a SIGALRM of the program's already
     * pending would otherwise find ll_watchdog_timer at -1 and be taken for
     * the watchdog's, ending the report as it starts */
    sigset_t old;
    ll_sys_guard_on(&old);
    ll_sig_watchdog_timer();
    if (ll_watchdog_timer < 0)
        alarm(LL_SIG_TIMEOUT);
    ll_sys_guard_off(&old);
    ll_sig_unblock(SIGALRM, NULL);
}

static void ll_sig_disarm_watchdog(void)
{
    sigset_t old;
    ll_sys_guard_on(&old);
    if (ll_watchdog_timer >= 0)
        syscall(SYS_timer_delete, ll_watchdog_timer);
    else
        alarm(0);
    ll_sys_guard_off(&old);
}

/* A signal put off for later (ll_sig_later) came before the process
 * began to end, natively it would have ended it: if the report held it
 * off, the process dies of it now, unless the program has since set a
 * handler of its own or SIG_IGN.  (Sent again before, it was reported.) */
static void ll_sig_owed_end(void)
{
    int sig = atomic_exchange(&ll_sig_owed, 0);
    struct sigaction now;
    if (!sig || ll_sigaction_next(sig, NULL, &now) != 0 || !(now.sa_flags & SA_SIGINFO) ||
        now.sa_sigaction != ll_sig_handler)
        return;
    ll_sig_end_now(sig);
}

/* The report, the signals sent to end the process dropped meanwhile
 * (ll_sig_put_off); every end writes it through here, with no memory
 * taken from the allocator (bootstrap.c).  The program may have spoiled its
 * heap: one that overran a block into the top chunk and then exited had
 * the report's first malloc abort ("malloc(): corrupted top size"), and
 * died of SIGABRT where it exits 0 natively; another thread stopped inside
 * the allocator may hold the lock of an arena the report would use.  What
 * it costs: the report's memory is not the heap's free memory reused, peak
 * RSS +0.8% on the sqlite3 workload, +0.1% on a gcc -O2 compile, nothing
 * measurable on perl, python or churn, -1.7% with 1,000,000 leaks from
 * 100,000 stacks to symbolize (big blocks give their pages back). */
int ll_report_held(void)
{
    ll_boot_salvage();
    atomic_store(&ll_writer, (int)syscall(SYS_gettid));
    atomic_store(&ll_writing, 1);
    int lost = ll_report_write();
    atomic_store(&ll_writing, 0);
    atomic_store(&ll_writer, 0);
    if (!ll_dying)
        ll_sig_owed_end();          /* an exit's report, not a signal's */
    return lost;
}

/* The report for an abnormal end; caller won ll_report_claim().  Returns
 * what ll_report_write returns (1: lost blocks, for exitcode=N). */
int ll_abnormal_report(void)
{
    ll_guard++;
    ll_internal_off = 1;            /* the report holds the table locks */
    int lost = ll_report_held();
    ll_internal_off = 0;
    ll_guard--;
    return lost;
}

/* "SIGTERM": a static table, nothing to allocate in a handler. */
static const char *ll_sig_name(int sig, char buf[16])
{
    const char *a = sigabbrev_np(sig);
    if (!a)
        return "signal";
    memcpy(buf, "SIG", 3);
    size_t n = strnlen(a, 12);
    memcpy(buf + 3, a, n);
    buf[3 + n] = 0;
    return buf;
}

/* A signal sent to end the process (a kill, the terminal, a timer) came
 * while this thread was inside malloc or free, or inside libleak, or while
 * the loader or the allocator was busy (ll_code_busy): the report would wait for good on
 * a lock the thread holds, or read lists mid-update, so it is not written
 * here.  The signal is sent again 1 ms later by a timer, by then
 * most likely to a thread out of the allocator.  After LL_SIG_RETRIES tries
 * (a thread blocked in there), or when no timer can be made, the handler
 * goes on as for a signal that cannot wait: the report is attempted, under
 * the watchdog, unless the thread is inside libleak itself, where the
 * process just dies of the signal.  Sent to the process, not to this thread:
 * one that exits or blocks the signal within that 1 ms would lose it for
 * good, and the process would outlive the kill it got.  Returns 0 if the
 * timer could not be set. */
#define LL_SIG_RETRIES 2000

/* One timer per signal, made at its first use (a timer's signal is fixed
 * when it is made): its id + 1, 0 for none.  A fork child inherits no
 * timers, so it forgets them (a stale id could name one of the program's). */
static _Atomic int ll_later_timer[LL_NENDING];

static void ll_sig_later_fork_child(void)
{
    for (size_t i = 0; i < LL_NENDING; i++)
        atomic_store(&ll_later_timer[i], 0);
}

/* The timer that sends sig (one of ll_ending) to the process; -1 if none. */
static int ll_sig_timer(int sig)
{
    size_t i = 0;
    while (ll_ending[i] != sig)
        i++;
    int was = atomic_load(&ll_later_timer[i]);
    if (was)
        return was - 1;
    int id = ll_sig_timer_make(sig, 0);
    if (id < 0)
        return -1;
    if (atomic_compare_exchange_strong(&ll_later_timer[i], &was, id + 1))
        return id;
    syscall(SYS_timer_delete, id);      /* another thread made one first */
    return was - 1;
}

static int ll_sig_later(int sig)
{
    static _Atomic int tries;
    if (atomic_fetch_add(&tries, 1) >= LL_SIG_RETRIES)
        return 0;
    struct itimerspec when = { .it_value = { 0, 1000 * 1000 } };
    sigset_t old;
    ll_sys_guard_on(&old);
    int timer = ll_sig_timer(sig);
    int set = timer >= 0 && syscall(SYS_timer_settime, timer, 0, &when, NULL) == 0;
    ll_sys_guard_off(&old);
    if (!set)
        return 0;
    atomic_store(&ll_sig_owed, sig);
    return 1;
}

/* A signal sent to end the process, not a fault of this thread's: it can
 * wait until the thread leaves the allocator. */
static int ll_sig_can_wait(int sig)
{
    return ll_sig_in(sig, ll_ending, LL_NENDING);
}

/* The interrupted context is the live one: its stack pointer and every
 * general register. */
static void ll_sig_root(const void *ucv)
{
#if defined(__x86_64__)
    const ucontext_t *uc = ucv;
    ll_live_root.nregs = NGREG < 24 ? NGREG : 24;
    for (unsigned i = 0; i < ll_live_root.nregs; i++)
        ll_live_root.regs[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    ll_live_root.sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#else
    (void)ucv;                      /* reach.c's own frame: conservative */
#endif
}

/* The stack ran into its guard (said in the message; and inside libleak it
 * is reported, see ll_sig_handler): a fault just below the stack pointer (a
 * push, a call), or within 64 KiB above it when the stack pointer itself
 * was moved where nothing can be read (a frame's sub, then a store into
 * the frame).  A fault above a stack pointer that is fine is something
 * else: a frame pointer into a PROT_NONE page the stack walk followed
 * (hostile::fatal_signal_inside_malloc_no_report). */
static int ll_sig_overflow;
/* The signal came inside the allocator, and the report keeps off it. */
static int ll_sig_in_alloc;

/* 1 if the stack at a can be read, asked of the kernel, which fails with
 * EFAULT rather than fault: access() reads a path name there, up to a NUL
 * (the stack above a holds many).  Not process_vm_readv, which container
 * profiles often deny. */
static int ll_sig_readable(uintptr_t a)
{
    return syscall(SYS_access, (const char *)a, F_OK) == 0 || errno != EFAULT;
}

static int ll_sig_is_overflow(int sig, const siginfo_t *info, const void *ucv)
{
#if defined(__x86_64__)
    const ucontext_t *uc = ucv;
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    uintptr_t at = (uintptr_t)info->si_addr;
    if (sig != SIGSEGV || info->si_code <= 0 || !at)
        return 0;
    if (at < sp)
        return sp - at <= 256;
    return at - sp < (64u << 10) && !ll_sig_readable(sp);
#else
    (void)sig; (void)info; (void)ucv;
    return 0;
#endif
}

/* No lock of libleak's held by this thread: its tables are not mid-update. */
static int ll_sig_tables_whole(void)
{
    return !ll_inner_held && !ll_locks_held && !ll_nursery_held();
}

/* The watchdog, the message and the report, on a stack of libleak's own
 * (bigstack.c): the message alone takes 8 KiB of stack, and the handler
 * may run on a thread's small one (abort() on a PTHREAD_STACK_MIN thread). */
struct ll_sig_at {
    int sig;
    const void *uc;                     /* the interrupted context */
};

static void ll_sig_salvage(const void *uc);
static void ll_sig_live(const void *uc);

static void ll_sig_report(void *arg)
{
    const struct ll_sig_at *at = arg;
    char name[16];
    sigset_t faults;
    ll_sig_arm_watchdog();
    /* The scan catches the faults of memory another thread unmaps under it
     * (reach.c); blocked, as the handler blocks every signal, they killed
     * the process, of SIGSEGV and with no report (a thread that blocks
     * every signal, so it does not stop, mapping and unmapping 128 KiB
     * regions: 4 SIGTERM reports in 20).  Any other fault now comes to
     * ll_sig_in_report. */
    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV);
    sigaddset(&faults, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &faults, NULL);
    /* here, not in the handler: the walks take more stack than a small
     * one has (abort() on an 8 KiB coroutine's) */
    ll_sig_salvage(at->uc);
    ll_sig_live(at->uc);
    ll_msg("%s%s: writing the report, then the process dies of the signal "
           "(signals=0 turns this off)", ll_sig_name(at->sig, name),
           ll_sig_overflow ? " (a stack overflow)" :
           ll_sig_in_alloc ?
               " inside the allocator (the report takes no memory from it)" : "");
    ll_abnormal_report();
}

/* The loader's code: ld.so's executable segment, found at initialisation
 * as the one of the object that holds _r_debug. */
static uintptr_t ll_ldso_lo, ll_ldso_hi;

static int ll_ldso_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t at = (uintptr_t)arg;
    int holds = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        holds |= ph->p_type == PT_LOAD && at - (info->dlpi_addr + ph->p_vaddr) < ph->p_memsz;
    }
    for (int i = 0; holds && i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            ll_ldso_lo = info->dlpi_addr + ph->p_vaddr;
            ll_ldso_hi = ll_ldso_lo + ph->p_memsz;
        }
    }
    return holds;
}

/* The loader's entry points in the C library, which take its locks
 * themselves (dlsym, dladdr, dl_iterate_phdr: libleak's own dlclose calls
 * it, outside its guard): their code, found at initialisation. */
static const char *const ll_dl_names[] = { "dlopen",  "dlmopen", "dlclose",
                                           "dlsym",   "dlvsym",  "dladdr",
                                           "dladdr1", "dlinfo",  "dl_iterate_phdr" };
#define LL_NDL (sizeof(ll_dl_names) / sizeof(ll_dl_names[0]))
static uintptr_t ll_dl_lo[LL_NDL], ll_dl_hi[LL_NDL];

/* The next allocator's entry points (the C library's, or jemalloc's...):
 * a thread interrupted inside one of them, called by the C library itself
 * and not through libleak (so ll_in_real is 0), holds its arena's lock.
 * A thread's exit frees its cache so (tcache_thread_shutdown, free,
 * _int_free): a SIGTERM there, reported at once, had the report's first
 * allocation wait for that lock for good, until the watchdog ended the
 * process with no report (about 1 run in 300 of hostile_term
 * short_threads).  The internal functions they call (_int_free,
 * malloc_consolidate) have no symbol; their callers do. */
static const char *const ll_alloc_names[] = {
    "malloc",  "free",          "calloc",         "realloc",       "reallocarray",
    "memalign", "aligned_alloc", "posix_memalign", "valloc",        "pvalloc",
    "malloc_trim", "malloc_usable_size", "mallopt", "mallinfo2",   "malloc_info",
    "malloc_stats"
};
#define LL_NALLOC (sizeof(ll_alloc_names) / sizeof(ll_alloc_names[0]))
static uintptr_t ll_alloc_lo[LL_NALLOC], ll_alloc_hi[LL_NALLOC];

static void ll_dl_find(void)
{
    for (size_t i = 0; i < LL_NDL; i++)
        ll_code_range(dlsym(RTLD_NEXT, ll_dl_names[i]), &ll_dl_lo[i], &ll_dl_hi[i]);
    for (size_t i = 0; i < LL_NALLOC; i++)
        ll_code_range(dlsym(RTLD_NEXT, ll_alloc_names[i]), &ll_alloc_lo[i], &ll_alloc_hi[i]);
}

static int ll_in_ranges(uintptr_t pc, const uintptr_t *lo, const uintptr_t *hi, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pc - lo[i] < hi[i] - lo[i])
            return 1;
    return 0;
}

/* pc is the next allocator's code (an entry point's: see ll_alloc_names). */
static int ll_alloc_pc(uintptr_t pc)
{
    return ll_in_ranges(pc, ll_alloc_lo, ll_alloc_hi, LL_NALLOC);
}

/* pc is code the report must not interrupt: the loader's, its entry
 * points', or the next allocator's. */
static int ll_busy_pc(uintptr_t pc)
{
    return pc - ll_ldso_lo < ll_ldso_hi - ll_ldso_lo ||
           ll_in_ranges(pc, ll_dl_lo, ll_dl_hi, LL_NDL) || ll_alloc_pc(pc);
}

struct ll_busy_walk {
    int (*busy)(uintptr_t pc);
    int left;                           /* frames still to look at; -1: found */
};

/* Stops the walk at the first frame in busy code (or after 64). */
static _Unwind_Reason_Code ll_busy_frame(struct _Unwind_Context *ctx, void *arg)
{
    struct ll_busy_walk *w = arg;
    if (w->busy((uintptr_t)_Unwind_GetIP(ctx))) {
        w->left = -1;
        return _URC_END_OF_STACK;
    }
    return --w->left > 0 ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/* A frame of busy code on this thread's stack, the interrupted pc's first. */
static int ll_busy_on_stack(const void *ucv, int (*busy)(uintptr_t pc))
{
#if defined(__x86_64__)
    const ucontext_t *uc = ucv;
    if (busy((uintptr_t)uc->uc_mcontext.gregs[REG_RIP]))
        return 1;
#else
    (void)ucv;
#endif
    struct ll_busy_walk w = { busy, 64 };
    _Unwind_Backtrace(ll_busy_frame, &w);
    return w.left < 0;
}

/* The next allocator is busy: this thread was interrupted inside one of
 * its entry points (ll_alloc_names).  Or the dynamic loader is: this thread
 * was interrupted in code the loader called, or its own, or one of its entry points (it holds the loader's locks, which are
 * recursive, so the report would get in: mid-dlclose it read the program
 * headers of an object being unmapped, SIGSEGV; mid-dlopen its own dlopen
 * of libdw used the cache being unmapped; inside pthread_mutex_lock of the
 * loader's lock, taken but not yet owned, its dlsym waited for good), or a
 * dlopen or dlclose on any thread is adding or removing objects (the state
 * debuggers read; ld.so's assertions failed).  The walk (libgcc's, through
 * the signal frame) finds a frame of ld.so's; a library's constructor
 * under dlopen counts too, and waits for its end: harmless. */
static int ll_code_busy(const void *ucv)
{
    if (__atomic_load_n(&_r_debug.r_state, __ATOMIC_RELAXED) != RT_CONSISTENT)
        return 1;
    return ll_busy_on_stack(ucv, ll_busy_pc);
}

static int ll_alloc_or_self_pc(uintptr_t pc)
{
    return ll_alloc_pc(pc) || ll_self_contains(pc);
}

/* The signal came inside the real allocator (libleak's call of it, or a
 * frame of its entry points): if it is a fault, the allocator's lists are
 * corrupt (a heap overrun the program made), and the report must not
 * allocate there; nor when it holds its lock (a report attempted after the
 * thread stayed in there for 2 s).  The report's allocations then come
 * from libleak's own pages (bootstrap.c).  Seen: a wild pointer in a freed
 * block's links faulted in _int_malloc, then again in the report's first
 * malloc, and the process died with no word; with a second thread, the
 * arena's lock was held and the watchdog ended it after 30 s, no report.
 * Every report keeps off it (ll_report_held); here it is taken before
 * the message, which says so, and the stack is then read from the
 * allocator's caller (ll_sig_live). */
static void ll_sig_salvage(const void *uc)
{
    int in_alloc = ll_in_real || ll_busy_on_stack(uc, ll_alloc_pc);
    ll_sig_in_alloc = ll_boot_salvage() == 0 && in_alloc;
}

/* The live context.  Inside the allocator, it is the frame that called it
 * (through libleak's entry point): the allocator's registers and frames
 * hold its chunk pointers, 16 bytes before a block's start, which is
 * inside the block before it, and that one read "possibly lost" when no
 * other pointer held it (Valgrind, whose allocator is its own, sees none). */
static void ll_sig_live(const void *uc)
{
    uintptr_t sp, regs[LL_EXIT_REGS];
    if (!ll_sig_in_alloc ||
        ll_caller_root(ll_alloc_pc, ll_alloc_or_self_pc, &sp, regs)) {
        ll_sig_root(uc);
        return;
    }
    ll_live_root.nregs = LL_EXIT_REGS;
    for (unsigned i = 0; i < LL_EXIT_REGS; i++)
        ll_live_root.regs[i] = regs[i];
    ll_live_root.sp = sp;
}

/* 1 if a signal sent to end the process is put off: dropped while a
 * report is written, sent again later while this thread is inside malloc,
 * free or libleak, or the loader or the allocator is busy (ll_sig_later). */
static int ll_sig_put_off(int sig, const void *uc)
{
    if (!ll_sig_can_wait(sig) || !ll_is_own_process())
        return 0;
    if (atomic_load(&ll_writing))
        return 1;
    return (ll_guard || ll_in_real || ll_code_busy(uc)) &&
           atomic_load(&ll_state) == LL_READY && !atomic_load(&ll_reporting) &&
           ll_sig_later(sig);
}

/* A fault (or abort) on the thread writing the report: libleak's own, or
 * the allocator's in a report that does not keep off it.  The report is cut
 * short, one line says so, and the process dies of the signal the report
 * was for, if it was for one, as it would have natively.  Before, it died
 * of this one with no word. */
static int ll_sig_in_report(int sig)
{
    char name[16], was[16];
    if (!atomic_load(&ll_writing) || atomic_load(&ll_writer) != (int)syscall(SYS_gettid) ||
        !ll_sig_in(sig, ll_fatal, LL_NFATAL))
        return 0;
    if (ll_dying && ll_dying != sig) {
        ll_msg("%s while writing the report at %s: the report is cut short; the process "
               "dies of %s", ll_sig_name(sig, name), ll_sig_name(ll_dying, was), was);
        ll_sig_end_now(ll_dying);
    } else {
        ll_msg("%s while writing the report: the report is cut short", ll_sig_name(sig, name));
    }
    return 1;
}

static void ll_sig_handle(int sig, siginfo_t *info, void *uc);

void ll_sig_handler(int sig, siginfo_t *info, void *uc)
{
    int was = ll_cancel_off();
    ll_sig_handle(sig, info, uc);
    ll_cancel_restore(was);
}

static void ll_sig_handle(int sig, siginfo_t *info, void *uc)
{
    int saved = errno;
    char name[16];
    if (ll_sig_in_report(sig)) {
        ll_sig_default(sig);
        errno = saved;
        return;
    }
    if (ll_sig_put_off(sig, uc)) {
        errno = saved;
        return;
    }
    /* In a vfork child (it shares the parent's memory), after the report
     * or inside libleak (it may hold its own locks): just die.  But a stack
     * overflow inside libleak, which takes more stack than the program's
     * frames (runaway recursion that allocates at each level faults there),
     * is reported when the thread holds none of libleak's locks: its tables
     * are whole then, as other threads read them all the time. */
    int overflow = ll_sig_is_overflow(sig, info, uc);
    if (ll_is_own_process() && atomic_load(&ll_state) == LL_READY && ll_report_claim() &&
        ((overflow && ll_guard && ll_sig_tables_whole()) ||
         !ll_end_interrupted(ll_sig_name(sig, name), 1))) {
        ll_dying = sig;             /* other threads' fatal signals wait for us */
        ll_sig_overflow = overflow;
        struct ll_sig_at at = { sig, uc };
        ll_bigstack_call(ll_sig_report, &at);
        ll_sig_disarm_watchdog();
    } else if (ll_dying && !ll_guard && ll_is_own_process()) {
        for (;;)                    /* another thread reports a signal: it ends us */
            pause();
    }
    ll_sig_default(sig);
    errno = saved;
}

/* Our handler, as sigaction() takes it. */
void ll_sig_action(struct sigaction *sa, int sig)
{
    memset(sa, 0, sizeof(*sa));
    sa->sa_sigaction = ll_sig_handler;
    /* SA_RESTART: a signal put off returns to what it interrupted, maybe a
     * write of the report or a read the program made.  SA_ONSTACK: a stack
     * overflow's fault runs on the thread's signal stack (altstack.c) */
    sa->sa_flags = SA_SIGINFO | SA_RESTART;
    if (sig == SIGSEGV || sig == SIGBUS)
        sa->sa_flags |= SA_ONSTACK;
    sigfillset(&sa->sa_mask);       /* nothing else runs on this thread meanwhile */
}

/* Our handler where the program has none yet; the program may replace it. */
static void ll_sig_install_all(const int *v, size_t n)
{
    struct sigaction sa, old;
    for (size_t i = 0; i < n; i++) {
        ll_sig_action(&sa, v[i]);
        if (ll_sigaction_next(v[i], NULL, &old) == 0 &&
            !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
            ll_sigaction_next(v[i], &sa, NULL);
    }
}

/* The C library's sigaction and signal calls, past sigaction.c's
 * (ll_real_next: resolved once, the guard held). */
static void *ll_next_sigaction, *ll_next_signal[LL_SIGNAL_KINDS];
static const char *const ll_signal_names[LL_SIGNAL_KINDS] = { "signal", "sigset" };

void ll_sigaction_init(void)
{
    ll_real_next(&ll_next_sigaction, "sigaction");
    for (unsigned k = 0; k < LL_SIGNAL_KINDS; k++)
        ll_real_next(&ll_next_signal[k], ll_signal_names[k]);
}

int ll_sigaction_next(int sig, const struct sigaction *act, struct sigaction *old)
{
    int (*f)(int, const struct sigaction *, struct sigaction *);
    *(void **)&f = ll_real_next(&ll_next_sigaction, "sigaction");
    if (!f) {
        errno = ENOSYS;
        return -1;
    }
    return f(sig, act, old);
}

__sighandler_t ll_signal_next(unsigned kind, int sig, __sighandler_t h)
{
    __sighandler_t (*f)(int, __sighandler_t);
    *(void **)&f = ll_real_next(&ll_next_signal[kind], ll_signal_names[kind]);
    if (!f) {
        errno = ENOSYS;
        return SIG_ERR;
    }
    return f(sig, h);
}

/* At initialisation, with the guard held (dlsym may allocate). */
void ll_abnormal_init(void)
{
    ll_own_pid = (pid_t)syscall(SYS_getpid);
    *(void **)&ll_real_exit = dlsym(RTLD_NEXT, "_exit");
    pthread_atfork(NULL, NULL, ll_abnormal_fork_child);
    ll_sigaction_init();
    dl_iterate_phdr(ll_ldso_phdr, &_r_debug);
    ll_dl_find();
    if (ll_opt.signals) {
        ll_sig_install_all(ll_fatal, LL_NFATAL);
        ll_sig_install_all(ll_ending, LL_NENDING);
        ll_altstack_give();         /* the main thread's; the others' in nursery.c */
    }
}
