/* lock.c - the contended path of ll_lock.
 *
 * A spinlock rather than a pthread mutex: it is one int, needs no
 * initialisation call (so it works before our constructor runs), and the
 * fork child can reset it with a plain store. */
#include "ll.h"

#include <sched.h>

LL_TLS int ll_inner_held;
LL_TLS int ll_locks_held;
LL_TLS int ll_stop_pending;

void ll_lock_slow(ll_lock_t *l)
{
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&l->v, memory_order_relaxed) &&
            !atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
            return;
        if (spins < 64)
            __builtin_ia32_pause();
        else
            sched_yield();   /* the holder may be descheduled: let it run */
    }
}
