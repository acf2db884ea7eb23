/* freelist.c - freed blocks kept from the allocator for a while (option
 * freelist=MiB, for the whole process), as Valgrind's --freelist-vol keeps
 * them.
 *
 * glibc gives a freed chunk to the next malloc of its size at once.  A
 * pointer the program left dangling to the freed block then points to the
 * new block, which reads still reachable when the program loses it; under
 * Valgrind, whose allocator keeps freed memory out of use, it reads
 * definitely lost (zip 3.0 keeps its list's tail so).  With a freelist each
 * thread keeps the blocks it freed, newest last, in a ring of its own (no
 * lock), and while the process keeps more than the volume asked for (one
 * shared count), lets its own oldest go - the block just freed last of all,
 * so the volume holds however many threads there are.  realloc always
 * moves the block, as Valgrind's does.
 * A kept block is no one's: not reported, not scanned.  Off by default:
 * it costs memory, and a new block no longer comes warm from the cache. */
#include "ll.h"

#include <string.h>

#define LL_FL_SLOTS 65536u      /* per thread: 1 MiB of mem.c, touched as used */

struct ll_fl_ent { void *p; size_t size; };
struct ll_fl { struct ll_fl_ent *ring; unsigned head, n; size_t bytes; };

size_t ll_fl_limit;
void (*ll_free_tracked)(void *);
static LL_TLS struct ll_fl ll_fl;
static atomic_size_t ll_fl_total;       /* bytes kept by every thread */

void ll_fl_init(void)
{
    ll_fl_limit = (size_t)ll_opt.freelist << 20;
    ll_free_tracked = ll_fl_limit ? ll_fl_put : ll_real.free;
}

static void ll_fl_real_free(void *p)
{
    ll_in_real++;
    ll_real.free(p);
    ll_in_real--;
}

/* Let the oldest go. */
static void ll_fl_pop(struct ll_fl *f)
{
    struct ll_fl_ent *e = &f->ring[(f->head - f->n) % LL_FL_SLOTS];
    f->n--;
    f->bytes -= e->size;
    atomic_fetch_sub_explicit(&ll_fl_total, e->size, memory_order_relaxed);
    ll_fl_real_free(e->p);
}

/* p's record is gone: keep it instead of freeing it (under the guard, so
 * that a signal handler's free meets no half-updated ring). */
void ll_fl_put(void *p)
{
    struct ll_fl *f = &ll_fl;
    ll_guard++;
    size_t size = ll_real.malloc_usable_size(p);
    if (size > ll_fl_limit ||
        (!f->ring && !(f->ring = ll_mem_alloc(LL_FL_SLOTS * sizeof(*f->ring))))) {
        ll_fl_real_free(p);
    } else {
        if (f->n == LL_FL_SLOTS)
            ll_fl_pop(f);
        f->ring[f->head++ % LL_FL_SLOTS] = (struct ll_fl_ent){ p, size };
        f->n++;
        f->bytes += size;
        size_t total = atomic_fetch_add_explicit(&ll_fl_total, size,
                                                 memory_order_relaxed) + size;
        while (total > ll_fl_limit && f->n) {
            total -= f->ring[(f->head - f->n) % LL_FL_SLOTS].size;
            ll_fl_pop(f);
        }
    }
    ll_guard--;
}

/* realloc of a tracked block, its record removed: always a new block (NULL
 * and p kept if there is no room), the old one kept.  realloc(p, 0) frees
 * p, as glibc's does. */
void *ll_fl_realloc(void *p, size_t n)
{
    if (!n) {
        ll_fl_put(p);
        return NULL;
    }
    ll_in_real++;
    void *q = ll_real.malloc(n);
    ll_in_real--;
    if (q) {
        size_t old = ll_real.malloc_usable_size(p);
        memcpy(q, p, old < n ? old : n);
        ll_fl_put(p);
    }
    return q;
}

/* How many blocks this thread keeps, and their bytes; *total: the
 * process's. */
unsigned ll_fl_kept(size_t *bytes, size_t *total)
{
    *bytes = ll_fl.bytes;
    if (total)
        *total = atomic_load(&ll_fl_total);
    return ll_fl.n;
}

/* The thread ends: what it kept goes back to the allocator. */
void ll_fl_thread_exit(void)
{
    struct ll_fl *f = &ll_fl;
    if (!f->ring)
        return;
    while (f->n)
        ll_fl_pop(f);
    ll_mem_free(f->ring, LL_FL_SLOTS * sizeof(*f->ring));
    f->ring = NULL;
}
