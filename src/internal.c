/* internal.c - blocks the real allocator gave libleak's own callees while
 * the program runs (dlopen of libdw to print an error, dlsym's error
 * state).  They are not the program's, so they stay out of the tables; but
 * the loader may free or grow them later from the program's own dl* calls,
 * and that free must not be called invalid.  Rare, so one lock will do. */
#include "ll_uthash.h"
#include "reach.h"

struct ll_ent {
    uintptr_t ptr;
    UT_hash_handle hh;
};

LL_TLS int ll_internal_off;
static struct ll_ent *ll_internal;
static ll_lock_t ll_internal_lock;

void ll_internal_add(uintptr_t p)
{
    if (ll_internal_off || atomic_load(&ll_state) != LL_READY)
        return;
    struct ll_ent *e = ll_mem_alloc(sizeof(*e));
    if (!e)
        return;
    e->ptr = p;
    ll_lock_inner(&ll_internal_lock);
    HASH_ADD(hh, ll_internal, ptr, sizeof(e->ptr), e);
    ll_unlock_inner(&ll_internal_lock);
}

int ll_internal_remove(uintptr_t p)
{
    struct ll_ent *e;
    if (ll_internal_off || !__atomic_load_n(&ll_internal, __ATOMIC_RELAXED))
        return 0;             /* off: this thread holds every lock (fork, report) */
    ll_lock_inner(&ll_internal_lock);
    HASH_FIND(hh, ll_internal, &p, sizeof(p), e);
    if (e)
        HASH_DELETE(hh, ll_internal, e);
    ll_unlock_inner(&ll_internal_lock);
    if (e)
        ll_mem_free(e, sizeof(*e));
    return e != NULL;
}

/* Each block as a range of memory to scan (roots.c): they are the C
 * library's and the loader's, which keep them for good and store the
 * program's blocks in them when the program asks for the same thing.  A
 * library libleak dlopened to print an error (libdw, and libz, libbz2 ...
 * it needs) that the program dlopens after has its link map here, and the
 * dependency list the program's dlopen gives it is the program's block:
 * unscanned, it read definitely lost.  Taken before the other threads stop
 * (one of them may hold the lock). */
int ll_internal_roots(struct ll_ranges *to)
{
    int err = 0;
    if (!__atomic_load_n(&ll_internal, __ATOMIC_RELAXED) || !ll_real.malloc_usable_size ||
        ll_inner_held)                  /* a report at a signal that interrupted us */
        return 0;
    ll_lock_inner(&ll_internal_lock);
    for (struct ll_ent *e = ll_internal; e && !err; e = e->hh.next)
        err = ll_ranges_add(to, e->ptr, e->ptr + ll_real.malloc_usable_size((void *)e->ptr));
    ll_unlock_inner(&ll_internal_lock);
    return err;
}

void ll_internal_fork_prepare(void) { ll_lock_counted(&ll_internal_lock); }
void ll_internal_fork_parent(void) { ll_unlock_counted(&ll_internal_lock); }
void ll_internal_fork_child(void) { ll_lock_reset(&ll_internal_lock); }
