/* threadstart.c - pthread_create, passed on to the C library's with a start
 * of libleak's in front of the program's, which gives the new thread its
 * signal stack (altstack.c) before the program's code runs.  Without it a
 * thread got one at its first allocation, so one that never allocated died
 * of a stack overflow with no report, and took the leak check's stop
 * signal on its own stack (3.5 KiB, which a nearly full one lacks).
 *
 * The start costs one small block of libleak's memory (mem.c, never the
 * program's malloc), freed as the thread starts.  It jumps to the program's
 * start, so no frame of libleak's lies under the thread's (a stack walk
 * would pass through it at every allocation).  Until libleak is ready, with
 * signals=0, or without memory, the call goes through as it is.
 *
 * An exported entry point, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <errno.h>
#include <pthread.h>

struct ll_start {
    void *(*fn)(void *);
    void *arg;
    unsigned slot;                      /* ll_start_arg_put's, until it starts */
};

static void *ll_next_pthread_create;

static void *ll_thread_start(void *p)
{
    struct ll_start s = *(struct ll_start *)p;
    int saved = errno;
    ll_guard++;
    ll_mem_free(p, sizeof(s));
    ll_thread_register_arg(s.arg);      /* its stack goes back at its exit */
    ll_start_arg_drop(s.slot);
    ll_altstack_give();
    ll_guard--;
    errno = saved;
    return s.fn(s.arg);                 /* a tail call: no frame of ours stays */
}

LL_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                             void *arg)
{
    int (*f)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    *(void **)&f = ll_real_next(&ll_next_pthread_create, "pthread_create");
    struct ll_start *s = NULL;
    int saved = errno;
    if (!ll_guard && atomic_load_explicit(&ll_state, memory_order_acquire) == LL_READY &&
        ll_opt.signals) {
        ll_guard++;
        s = ll_mem_alloc(sizeof(*s));
        ll_guard--;
    }
    errno = saved;
    if (!s)
        return f(t, attr, fn, arg);
    s->fn = fn;
    s->arg = arg;
    s->slot = ll_start_arg_put(arg);
    int e = f(t, attr, ll_thread_start, s);
    if (e) {
        ll_start_arg_drop(s->slot);
        saved = errno;
        ll_guard++;
        ll_mem_free(s, sizeof(*s));
        ll_guard--;
        errno = saved;
    }
    return e;
}
