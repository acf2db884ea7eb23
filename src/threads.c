/* threads.c - stop the process's other threads without ptrace.
 *
 * The leak check must read every thread's stack and registers while they
 * hold still.  LeakSanitizer does it with ptrace, which fails without
 * CAP_SYS_PTRACE (containers) and when a debugger or strace is attached
 * already.  Here each thread is sent a signal (tgkill) whose handler, on
 * the thread's own stack, notes where that stack is and waits until the
 * scan is done.  The handler copies the interrupted general registers out
 * of its ucontext and notes the interrupted stack pointer: the stack is
 * scanned from there less the 128-byte red zone a leaf function may use
 * (as Valgrind does; not for a thread inside a system call, see
 * ll_stop_save), not from the handler's own frame - the signal frame
 * the kernel pushed below the red zone is only partly written (XSAVE skips
 * unused components), so dead frames' stale pointers survive in it.
 *
 * Threads that do not answer within LL_STOP_WAIT_MS (stuck in
 * uninterruptible sleep) are left running; reach.c then scans their whole
 * stack mapping and says so.  So are threads that block the signal or wait
 * for it in sigwait() (ll_task_answers), but they are neither sent it nor
 * waited for beyond a short look (ll_stop_recheck).  Worker threads that
 * block every signal are common (xz, node, servers that sigwait in one
 * thread): each such process used to exit half a second late, and its
 * sigwait loop or signalfd got our signal as if it were the program's.
 * Nothing here allocates, takes a lock another thread could hold, or waits
 * without a bound.
 *
 * A thread interrupted while it holds a lock of mem.c or internal.c
 * (ll_inner_held) is not held there: the scan itself asks mem.c which
 * pages are libleak's, and would wait on it.  Its handler only notes the
 * stop as pending, and the thread stops itself as it releases its last
 * such lock (ll_unlock_inner).
 *
 * A handler interrupts a blocking system call that SA_RESTART does not
 * restart (pause, poll, select, epoll_wait, nanosleep, sigsuspend): it
 * would return EINTR to a program that never sees such a signal natively,
 * and a thread waiting in pause() while another calls exit() would go on
 * and end the process itself.  So the handler restarts it the way the
 * kernel restarts the calls SA_RESTART covers: pc back over the syscall
 * instruction, the call's number back in rax (ll_stop_restart).  A relative
 * timeout starts over (the kernel's own restart of a sleep keeps the time
 * left, which a handler cannot reach).  The number is the one
 * /proc/self/task/TID/syscall showed just before the signal was sent,
 * trusted only if the pc, sp and six arguments shown then are the
 * interrupted ones; if the thread was running then and entered the call
 * before the signal came, the number is read from the code before the pc
 * (ll_stop_entered_call); and not when a signal of the program's is
 * pending, whose handler would run next and expect the call to end with
 * EINTR.
 *
 * The signal is SIGURG: its default action is to do nothing, so one that
 * arrives late (a thread had it blocked) is harmless; gdb and strace pass
 * it on without stopping the program.  The handler stays installed after
 * the first stop and hands every SIGURG that is not ours (another sender,
 * or no stop in progress) to the program's own handler. */
#include "ll.h"
#include "reach.h"

#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define LL_STOP_WAIT_MS 500
#define LL_STOP_MASK_MS 10              /* see ll_stop_recheck */
#define LL_STOP_MAX 4096

static struct ll_stopped ll_stopped[LL_STOP_MAX];
static size_t ll_nstopped;
static atomic_int ll_stop_active;       /* handlers answer only while set */
static atomic_int ll_stop_closed;       /* the wait is over: a late one does not stop */
static atomic_int ll_stop_release;      /* futex word: 1 when they may go */
static atomic_int ll_stop_inside;       /* handlers not yet returned */
static int ll_stop_installed;
static struct sigaction ll_stop_old;    /* the program's, for a foreign sender */

static long ll_futex(atomic_int *w, int op, int val, const struct timespec *t)
{
    return syscall(SYS_futex, (int *)w, op | FUTEX_PRIVATE_FLAG, val, t, NULL, 0);
}

static struct ll_stopped *ll_stop_slot(pid_t tid)
{
    for (size_t i = 0; i < ll_nstopped; i++)
        if (ll_stopped[i].tid == tid) return &ll_stopped[i];
    return NULL;
}

/* Where a stopped thread stands against the system call it was in when it
 * was sent the signal (ll_stop_in_call). */
enum { LL_CALL_NONE, LL_CALL_EINTR, LL_CALL_RESTARTED };

#if defined(__x86_64__)
/* LL_CALL_EINTR: the stop ended that call with EINTR (pc just past it,
 * rax -EINTR); LL_CALL_RESTARTED: the kernel restarts it itself (SA_RESTART:
 * pc back on it, rax its number).  Same sp and arguments either way.  A
 * program's handler that ran on that EINTR just before ours leaves the same
 * registers: sending the signal right after /proc was read keeps that
 * window small. */
/* The call a thread entered after /proc showed it running, before the
 * signal came: pc just past a syscall instruction, rax -EINTR, and the
 * call's number in the `mov $nr, %eax` right before it, as glibc's wrappers
 * make every call; -1 if that is not what the registers and code show. */
static long ll_stop_entered_call(const void *uc)
{
    const greg_t *g = ((const ucontext_t *)uc)->uc_mcontext.gregs;
    const unsigned char *pc = (const unsigned char *)g[REG_RIP];
    uint32_t nr;
    if (g[REG_RAX] != -EINTR || ((uintptr_t)pc & 4095) < 7 || pc[-2] != 0x0f ||
        pc[-1] != 0x05 || pc[-7] != 0xb8)   /* b8 imm32: mov $imm32, %eax */
        return -1;
    memcpy(&nr, pc - 6, sizeof nr);
    return nr < 1024 ? (long)nr : -1;
}

static int ll_stop_in_call(const struct ll_stopped *s, const void *uc)
{
    const greg_t *g = ((const ucontext_t *)uc)->uc_mcontext.gregs;
    static const int arg[6] = { REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9 };
    if (s->sc_nr < 0)               /* running when /proc was read */
        return ll_stop_entered_call(uc) >= 0 ? LL_CALL_EINTR : LL_CALL_NONE;
    if ((uintptr_t)g[REG_RSP] != s->sc[6])
        return LL_CALL_NONE;
    for (int i = 0; i < 6; i++)
        if ((uintptr_t)g[arg[i]] != s->sc[i]) return LL_CALL_NONE;
    if ((uintptr_t)g[REG_RIP] == s->sc[7] && g[REG_RAX] == -EINTR)
        return LL_CALL_EINTR;
    if ((uintptr_t)g[REG_RIP] == s->sc[7] - 2 && g[REG_RAX] == s->sc_nr)
        return LL_CALL_RESTARTED;
    return LL_CALL_NONE;
}

/* The 128 bytes below sp are a leaf function's red zone, scanned as live,
 * unless the thread sits in a system call made by the C library: its
 * wrappers are asm or C that calls others (so no red zone), and what lies
 * below their sp is dead - often a copy of the last block malloc returned,
 * left by our own hook's frames, which would keep a lost block reachable.
 * A system call the program makes itself (inline asm in a leaf function)
 * keeps its red zone: a live local may be there. */
static void ll_stop_save(struct ll_stopped *s, void *uc, int in_call)
{
    const greg_t *g = ((const ucontext_t *)uc)->uc_mcontext.gregs;
    for (int i = 0; i < LL_STOP_REGS; i++) s->regs[i] = (uintptr_t)g[i];
    s->sp = (uintptr_t)g[REG_RSP] - (in_call && s->sc_libc ? 0 : 128);
}

/* A signal the thread would take when our handler returns (pending, not
 * blocked in the interrupted context): its handler is the program's, and
 * must see the call end with EINTR, as it would have. */
static int ll_stop_other_pending(const void *uc)
{
    sigset_t pending;
    const sigset_t *mask = &((const ucontext_t *)uc)->uc_sigmask;
    if (sigpending(&pending))
        return 1;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != LL_STOP_SIGNAL && sigismember(&pending, sig) == 1 &&
            sigismember(mask, sig) != 1)
            return 1;
    return 0;
}

/* The stop ended the call the thread was in with EINTR: make it restart
 * instead (see the top). */
static void ll_stop_restart(const struct ll_stopped *s, void *uc, int in_call)
{
    greg_t *g = ((ucontext_t *)uc)->uc_mcontext.gregs;
    const unsigned char *pc = (const unsigned char *)g[REG_RIP];
    if (in_call != LL_CALL_EINTR)
        return;
    long nr = s->sc_nr >= 0 ? s->sc_nr : ll_stop_entered_call(uc);
    /* close() ends with EINTR having closed the descriptor already: a
     * restart would close one another thread may have opened since. */
    if (nr < 0 || nr == SYS_close || pc[-2] != 0x0f || pc[-1] != 0x05 ||
        ll_stop_other_pending(uc))      /* 0f 05: syscall */
        return;
    g[REG_RAX] = nr;
    g[REG_RIP] -= 2;
}
#else
static int ll_stop_in_call(const struct ll_stopped *s, const void *uc)
{
    (void)s;
    (void)uc;
    return LL_CALL_NONE;
}

/* Unknown ucontext layout: scan from here, signal frame included. */
static void ll_stop_save(struct ll_stopped *s, void *uc, int in_call)
{
    (void)uc;
    (void)in_call;
    s->sp = (uintptr_t)__builtin_frame_address(0);
}

static void ll_stop_restart(const struct ll_stopped *s, void *uc, int in_call)
{
    (void)s;
    (void)uc;
    (void)in_call;
}
#endif

/* Note where the thread is, then wait until the scan is done. */
static void ll_stop_here(struct ll_stopped *s, void *uc, int in_call)
{
    atomic_fetch_add(&ll_stop_inside, 1);
    ll_stop_save(s, uc, in_call);
    s->alt_end = ll_altstack_end_above(s->sp);
    s->tcb = (uintptr_t)pthread_self(); /* reads %fs: signal-safe */
    atomic_store_explicit(&s->stopped, 1, memory_order_release);
    /* The bound only guards against a stopper that died; it resumes us. */
    struct timespec t = { 0, 100 * 1000 * 1000 };
    for (int i = 0; i < 600 && !atomic_load(&ll_stop_release); i++)
        ll_futex(&ll_stop_release, FUTEX_WAIT, 0, &t);
    atomic_fetch_sub(&ll_stop_inside, 1);
}

/* Async-signal-safe: syscalls, atomics and plain stores only. */
static void ll_stop_handler(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    struct ll_stopped *s = NULL;
    if (atomic_load(&ll_stop_active) && si->si_code == SI_TKILL && si->si_pid == getpid())
        s = ll_stop_slot((pid_t)syscall(SYS_gettid));
    if (!s) {                           /* not ours: pass it on */
        errno = saved;
        if (ll_stop_old.sa_flags & SA_SIGINFO) {
            if (ll_stop_old.sa_sigaction) ll_stop_old.sa_sigaction(sig, si, uc);
        } else if (ll_stop_old.sa_handler != SIG_DFL && ll_stop_old.sa_handler != SIG_IGN) {
            ll_stop_old.sa_handler(sig);
        }
        return;
    }
    int in_call = ll_stop_in_call(s, uc);
    /* A thread stopped inside a blocking call that is a cancellation point
     * has asynchronous cancellation on for the call's length: a
     * pthread_cancel() meanwhile would unwind it out of this handler while
     * its stack is read, and leave ll_stop_inside counting it. */
    int was = ll_cancel_off();
    /* Once the wait is over the scan counts this thread as running (its
     * whole stack is read): stopping it then would change nothing. */
    if (!atomic_load(&ll_stop_closed)) {
        if (ll_inner_held)
            ll_stop_pending = 1;
        else
            ll_stop_here(s, uc, in_call);
    }
    ll_stop_restart(s, uc, in_call);    /* after the wait: a signal may have come */
    ll_cancel_restore(was);
    errno = saved;
}

/* The thread let go of its last inner lock with a stop pending: it stops
 * now, with the registers it has here (the program's are in them, or were
 * saved by the frames between here and the program's code, all above sp,
 * which the scan reads). */
void ll_stop_deferred(void)
{
    int saved = errno;
    ll_stop_pending = 0;
    struct ll_stopped *s = NULL;
    if (atomic_load(&ll_stop_active) && !atomic_load(&ll_stop_closed))
        s = ll_stop_slot((pid_t)syscall(SYS_gettid));
    ucontext_t uc;
    if (s && !atomic_load(&s->stopped) && getcontext(&uc) == 0)
        ll_stop_here(s, &uc, 0);
    errno = saved;
}

static int ll_stop_install(void)
{
    if (ll_stop_installed) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = ll_stop_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
#if defined(__x86_64__)
    /* The frame goes on the thread's signal stack (altstack.c), not on a
     * stack it may have all but used up: 3.5 KiB with AVX-512 state, which
     * a thread that waited with less left did not have, and the kernel
     * killed the process.  (The scan starts at the interrupted sp, read
     * from the context; elsewhere it is this handler's own frame.) */
    sa.sa_flags |= SA_ONSTACK;
#endif
    sigfillset(&sa.sa_mask);            /* nothing else runs on top of it */
    if (ll_sigaction_next(LL_STOP_SIGNAL, &sa, &ll_stop_old)) return -1;
    ll_stop_installed = 1;
    return 0;
}

/* /proc/self/task/TID/NAME into buf, NUL-terminated; 0 if it cannot be read. */
static int ll_task_read(pid_t tid, const char *name, char *buf, size_t size)
{
    char path[64];
    struct ll_out o;
    ll_out_init(&o, -1);
    ll_out_str(&o, "/proc/self/task/");
    ll_out_u64(&o, (uint64_t)tid);
    ll_out_str(&o, "/");
    ll_out_str(&o, name);
    memcpy(path, o.buf, o.len);
    path[o.len] = 0;
    size_t n = ll_read_close(open(path, O_RDONLY | O_CLOEXEC), buf, size - 1);
    if (!n) return 0;
    buf[n] = 0;
    return 1;
}

/* Field 3 (state) and field 32 (blocked signals: 1-31, in decimal) of
 * /proc/self/task/TID/stat; 0 if it cannot be read. */
_Static_assert(LL_STOP_SIGNAL < 32, "stat shows the blocked mask of signals 1-31 only");

static int ll_task_stat(pid_t tid, char *state, uint64_t *blocked)
{
    char buf[1024];
    if (!ll_task_read(tid, "stat", buf, sizeof buf)) return 0;
    const char *p = strrchr(buf, ')');  /* the name may hold spaces */
    if (!p || p[1] != ' ') return 0;
    *state = p[2];
    p += 2;
    for (int field = 3; field < 32; field++) {
        p = strchr(p, ' ');
        if (!p) return 0;
        p++;
    }
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
    *blocked = v;
    return 1;
}

/* The C library's code, found once before the first stop (the loader's
 * lock is free then: no thread is held by us): a system call made there
 * comes from a wrapper (ll_stop_save). */
static uintptr_t ll_libc_lo, ll_libc_hi;

static int ll_libc_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t at = (uintptr_t)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && at - lo < ph->p_memsz) {
            ll_libc_lo = lo;
            ll_libc_hi = lo + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

static void ll_libc_find(void)
{
    if (!ll_libc_hi)
        dl_iterate_phdr(ll_libc_phdr, (void *)(uintptr_t)&pause);
}

/* The system call thread tid is in, from /proc/self/task/TID/syscall
 * ("nr arg1 ... arg6 sp pc"; "running", or "-1 sp pc" outside one):
 * s->sc_nr is -1 unless all nine numbers were read. */
static void ll_task_syscall(pid_t tid, struct ll_stopped *s)
{
    char buf[256], *p = buf, *end;
    s->sc_nr = -1;
    if (!ll_task_read(tid, "syscall", buf, sizeof buf)) return;
    long nr = strtol(p, &end, 10);
    if (end == p || nr < 0) return;
    for (int i = 0; i < 8; i++) {
        p = end;
        if (*p != ' ') return;
        s->sc[i] = (uintptr_t)strtoull(p + 1, &end, 16);
        if (end == p + 1) return;
    }
    s->sc_nr = nr;
    s->sc_libc = s->sc[7] - ll_libc_lo < ll_libc_hi - ll_libc_lo;
}

/* A thread in sigwait(), sigwaitinfo() or sigtimedwait() for the signal:
 * the kernel unblocks what it waits for, so its mask does not show it, but
 * the signal would end its wait instead of running our handler.  The set
 * is at the call's first argument, read through /proc/self/mem (as roots.c
 * reads): the thread may have left the call since, and the memory gone. */
static int ll_task_sigwaits(const struct ll_stopped *s)
{
    if (s->sc_nr != SYS_rt_sigtimedwait) return 0;
    uint64_t set = 0, at = s->sc[0];
    int fd = ll_proc_open("mem", O_RDONLY);
    if (fd < 0) return 0;
    size_t got = ll_peek(fd, (uintptr_t)at, &set, sizeof set);
    close(fd);
    return got == sizeof set && (set >> (LL_STOP_SIGNAL - 1) & 1);
}

/* Whether thread s->tid would run our handler if sent the signal now;
 * notes the system call it is in. */
enum { LL_TASK_DEAD, LL_TASK_ANSWERS, LL_TASK_MASKS, LL_TASK_SIGWAITS };

static int ll_task_answers(struct ll_stopped *s)
{
    char state;
    uint64_t blocked;
    s->sc_nr = -1;
    if (!ll_task_stat(s->tid, &state, &blocked) || state == 'Z' || state == 'X')
        return LL_TASK_DEAD;            /* never runs a handler again */
    if (blocked >> (LL_STOP_SIGNAL - 1) & 1)
        return LL_TASK_MASKS;
    ll_task_syscall(s->tid, s);
    return ll_task_sigwaits(s) ? LL_TASK_SIGWAITS : LL_TASK_ANSWERS;
}

/* Add each thread of /proc/self/task not yet listed; returns how many. */
static size_t ll_stop_list(pid_t self)
{
    size_t added = 0;
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            pid_t tid = 0;
            for (const char *c = d->d_name; *c >= '0' && *c <= '9'; c++) tid = tid * 10 + (*c - '0');
            if (tid <= 0 || tid == self || ll_stop_slot(tid) || ll_nstopped == LL_STOP_MAX)
                continue;
            struct ll_stopped *s = &ll_stopped[ll_nstopped];
            *s = (struct ll_stopped){ .tid = tid };
            int answers = ll_task_answers(s);
            if (answers == LL_TASK_DEAD)
                continue;
            s->masks = answers == LL_TASK_MASKS;
            s->blocked = answers == LL_TASK_SIGWAITS;
            ll_nstopped++;
            added++;
        }
    }
    close(fd);
    return added;
}

static uint64_t ll_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* The system call is read again just before the signal goes: the listing
 * may be long past (thousands of threads), and the handler restarts only
 * the call shown here. */
static void ll_stop_send(struct ll_stopped *s, pid_t pid)
{
    ll_task_syscall(s->tid, s);
    if (syscall(SYS_tgkill, pid, s->tid, LL_STOP_SIGNAL))
        s->gone = 1;
}

/* A thread whose mask blocked the signal: it may be in one of the moments
 * glibc blocks every signal (creating a thread, spawning a process, a
 * handler running), so its mask is read again until LL_STOP_MASK_MS have
 * passed; once it lets the signal in, it is sent it.  After that it counts
 * as blocking. */
static void ll_stop_recheck(struct ll_stopped *s, pid_t pid, int last)
{
    int answers = ll_task_answers(s);
    if (answers == LL_TASK_MASKS && !last)
        return;
    s->masks = 0;
    if (answers == LL_TASK_ANSWERS)
        ll_stop_send(s, pid);
    else if (answers == LL_TASK_DEAD)
        s->gone = 1;
    else
        s->blocked = 1;
}

/* Until every thread sent the signal has answered (or LL_STOP_WAIT_MS),
 * and no masked one is left to look at again. */
static void ll_stop_wait(size_t from, pid_t pid)
{
    uint64_t start = ll_now_ms(), deadline = start + LL_STOP_WAIT_MS;
    for (;;) {
        uint64_t now = ll_now_ms();
        size_t pending = 0;
        for (size_t i = from; i < ll_nstopped; i++) {
            struct ll_stopped *s = &ll_stopped[i];
            if (s->masks)
                ll_stop_recheck(s, pid, now >= start + LL_STOP_MASK_MS);
            pending += s->masks || (!s->blocked && !s->gone &&
                       !atomic_load_explicit(&s->stopped, memory_order_acquire));
        }
        if (!pending || now >= deadline) return;
        struct timespec t = { 0, 500 * 1000 };
        nanosleep(&t, NULL);
    }
}

size_t ll_stop_threads(struct ll_stopped **out)
{
    pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
    ll_nstopped = 0;
    atomic_store(&ll_stop_release, 0);
    atomic_store(&ll_stop_closed, 0);
    *out = ll_stopped;
    ll_libc_find();
    if (!ll_stop_list(self)) return 0;  /* single-threaded: nothing to do */
    if (ll_stop_install()) return ll_nstopped;     /* all "unanswered" */
    atomic_store(&ll_stop_active, 1);
    /* Threads may start meanwhile: list again until no new one appears. */
    size_t from = 0;
    for (int round = 0; round < 4 && from < ll_nstopped; round++) {
        for (size_t i = from; i < ll_nstopped; i++)
            if (!ll_stopped[i].blocked && !ll_stopped[i].masks)
                ll_stop_send(&ll_stopped[i], pid);
        ll_stop_wait(from, pid);
        from = ll_nstopped;
        ll_stop_list(self);
    }
    /* From here on the answers are fixed: a thread is either held or scanned
     * whole as a running one, never both or neither. */
    atomic_store(&ll_stop_closed, 1);
    for (size_t i = 0; i < ll_nstopped; i++)
        ll_stopped[i].held = atomic_load(&ll_stopped[i].stopped) != 0;
    return ll_nstopped;
}

void ll_resume_threads(void)
{
    if (!ll_nstopped) return;
    atomic_store(&ll_stop_active, 0);
    atomic_store(&ll_stop_release, 1);
    ll_futex(&ll_stop_release, FUTEX_WAKE, 0x7fffffff, NULL);
    /* The slots are reused by the next stop: let every handler leave first. */
    uint64_t deadline = ll_now_ms() + LL_STOP_WAIT_MS;
    for (unsigned n = 0; atomic_load(&ll_stop_inside) && ll_now_ms() < deadline; n++)
        ll_backoff(n);
    ll_nstopped = 0;
}

/* ---- threads created, not started yet --------------------------------------- */
#define LL_START_SLOTS 64
static atomic_uintptr_t ll_start_args[LL_START_SLOTS];

unsigned ll_start_arg_put(void *arg)
{
    if (!arg)
        return 0;
    for (unsigned i = 0; i < LL_START_SLOTS; i++) {
        uintptr_t none = 0;
        if (atomic_compare_exchange_strong(&ll_start_args[i], &none, (uintptr_t)arg))
            return i + 1;
    }
    return 0;
}

void ll_start_arg_drop(unsigned slot)
{
    if (slot)
        atomic_store(&ll_start_args[slot - 1], 0);
}

/* Each argument as a start pointer, as glibc's record of the thread holds it. */
int ll_start_arg_roots(struct ll_ranges *words)
{
    int err = 0;
    for (unsigned i = 0; i < LL_START_SLOTS && !err; i++)
        err = ll_ranges_add_word(words, atomic_load(&ll_start_args[i]));
    return err;
}
