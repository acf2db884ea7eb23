/* barrier.c - a memory barrier executed by every running thread at once.
 *
 * A thread enters its own nursery with a plain store and a plain load, no
 * atomic instruction (nursery.c): the store (busy) may still sit in its
 * CPU's store buffer when the load (shared) runs, so a thread that looks
 * into another's nursery must first make every running thread of the
 * process execute a full barrier.  Then either the owner's load saw the
 * looker's store, or the looker sees the owner's.  The heavy side is rare
 * (a nursery visited after 65536 of its owner's entries without a visit:
 * a block freed by another thread, the exit report, fork); the light side
 * runs twice per malloc/free pair.
 *
 * membarrier(2)'s private expedited command does it (Linux 4.14; the
 * process registers once, and a fork child inherits the registration).
 * It is not used, and the nurseries are always shared (their lock, as
 * before), when it cannot be registered or when a seccomp filter is there
 * at start (/proc/thread-self/status): a filter that kills on calls it does not
 * list would kill every program at its first allocation.  For a filter
 * the program installs later, the calling thread's status is read again
 * before each barrier (barriers are rare: one per nursery per 65536 of its
 * owner's entries at most).  With a filter there, a status that cannot be
 * read, or a call the filter traps (no SIGSYS reaches the program:
 * ll_sys_guard_try_on) or refuses, every nursery becomes shared for good,
 * and the barrier is made another way: a page of ours loses its write
 * permission, and the kernel interrupts each CPU that may hold its
 * translation to flush it, which serialises the CPUs that run our threads
 * where the flush is done by interrupt (x86 without broadcast
 * invalidation).  A filter that kills on opening /proc kills the process.
 * The SIGSYS guard is taken only if no other thread holds it (the report
 * holds it while it waits for the tables, whose locks the caller here
 * holds); if one does, the page makes this barrier. */
#include "ll.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

atomic_int ll_barrier_ok;
atomic_ulong ll_barrier_runs;
static volatile char *ll_barrier_page;
static ll_lock_t ll_barrier_lock;

static long ll_membarrier(int cmd)
{
    return syscall(SYS_membarrier, cmd, 0, 0);
}

/* 1 if the calling thread runs under no seccomp filter ("Seccomp:\t0");
 * 0 if it does, or if it cannot be told.  open, read and close are
 * cancellation points: a pending pthread_cancel must not act here, with
 * the nurseries locked (ll_cancel_off). */
static int ll_barrier_no_filter(void)
{
    char buf[4096];
    int was = ll_cancel_off();
    size_t n = ll_read_close(ll_proc_open("status", O_RDONLY), buf, sizeof buf - 1);
    ll_cancel_restore(was);
    if (!n)
        return 0;
    buf[n] = '\0';
    const char *s = strstr(buf, "\nSeccomp:");
    if (!s)
        return 1;                       /* a kernel without seccomp */
    s += strlen("\nSeccomp:");
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '0';
}

/* Once, at start. */
void ll_barrier_init(void)
{
    int saved = errno;
    long cmds = ll_barrier_no_filter() ? ll_membarrier(MEMBARRIER_CMD_QUERY) : -1;
    int ok = cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
             ll_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    if (ok) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ok = p != MAP_FAILED;
        if (ok)
            ll_barrier_page = p;
    }
    atomic_store(&ll_barrier_ok, ok);
    errno = saved;
}

/* The other way: touched, so that its translation is cached here, then
 * made read-only, which flushes it from every CPU that may hold it. */
static void ll_barrier_by_page(void)
{
    ll_lock(&ll_barrier_lock);
    mprotect((void *)ll_barrier_page, 4096, PROT_READ | PROT_WRITE);
    ll_barrier_page[0]++;
    mprotect((void *)ll_barrier_page, 4096, PROT_READ);
    ll_unlock(&ll_barrier_lock);
}

/* Every thread of the process that is running now executes a full memory
 * barrier before this returns. */
void ll_barrier_all(void)
{
    int saved = errno;
    sigset_t old;
    atomic_fetch_add_explicit(&ll_barrier_runs, 1, memory_order_relaxed);
    if (!ll_sys_guard_try_on(&old)) {
        ll_barrier_by_page();               /* the guard is busy: see above */
        errno = saved;
        return;
    }
    long r = ll_barrier_no_filter() ? ll_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) : -1;
    ll_sys_guard_off(&old);
    if (r != 0) {
        atomic_store(&ll_barrier_ok, 0);        /* no nursery is unshared again */
        ll_barrier_by_page();
    }
    errno = saved;
}
