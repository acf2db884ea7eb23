/* lock.c - the contended path of ll_lock.
 *
 * A spinlock rather than a pthread mutex: it is one int, needs no
 * initialisation call (so it works before our constructor runs), and the
 * fork child can reset it with a plain store. */
#include "ll.h"

#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

LL_TLS int ll_inner_held;
LL_TLS int ll_locks_held;
LL_TLS int ll_stop_pending;

/* The n-th wait for another thread: spin, then yield, then sleep.  The
 * other may be descheduled: yielding lets it run, unless this thread has a
 * real-time priority (SCHED_FIFO, SCHED_RR, as audio threads have) and the
 * other a lower one on the same CPU: sched_yield() then gives the CPU back
 * to this thread alone, and it spun until its own next sleep (a real-time
 * and an ordinary thread sharing blocks on one CPU took 4.0 s against
 * 0.03 s native, nearly all in sched_yield: tests/bench/rtlock.c).  A short
 * sleep lets any thread run.  By system call: nanosleep() is a
 * cancellation point, and this may run inside malloc. */
#define LL_SPIN_PAUSE 64
#define LL_SPIN_YIELD 128

void ll_backoff(unsigned n)
{
    if (n < LL_SPIN_PAUSE) {
        __builtin_ia32_pause();
    } else if (n < LL_SPIN_YIELD) {
        sched_yield();
    } else {
        struct timespec t = { 0, 20 * 1000 };
        syscall(SYS_nanosleep, &t, NULL);
    }
}

void ll_lock_slow(ll_lock_t *l)
{
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&l->v, memory_order_relaxed) &&
            !atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
            return;
        ll_backoff(spins);
    }
}
