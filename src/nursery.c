/* nursery.c - a per-thread front for the table of live blocks.
 *
 * Most blocks die young, freed soon by the thread that made them.  Each
 * thread keeps its newest blocks in a small array of its own (in TLS) and
 * moves them to the sharded uthash table only when they outlive
 * LL_NURSERY newer allocations.  A young block's malloc/free pair then
 * touches no shared cache line and no uthash bucket.
 *
 * The array still has a lock, because other threads may look in: a free of
 * a block made by this thread, the exit report, fork.  Its owner almost
 * always takes it uncontended.  Lock order: registry, nursery, shard. */
#include "ll.h"

#include <pthread.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define LL_NURSERY 32                   /* a power of two */
#define LL_NQUARANTINE 64               /* recent frees kept per thread */

/* A ring: each add takes the next slot, and a block still in that slot has
 * outlived LL_NURSERY newer ones, so it moves to the table.  Freed slots
 * hold 0.  A lookup compares 32-bit tags of the addresses, four at a time,
 * and checks the full address only where a tag matches. */
struct ll_nursery {
    ll_lock_t lock;
    unsigned head, n, qpos;
    struct ll_nursery *next, *prev;
    uint64_t allocs, frees, bytes;
    uint32_t tag[LL_NURSERY] __attribute__((aligned(16)));
    struct ll_block ent[LL_NURSERY];
    struct ll_freed quarantine[LL_NQUARANTINE];
};

enum { LL_NY_NEW, LL_NY_LIVE, LL_NY_GONE };

static inline uint32_t ll_ny_tag(uintptr_t p) { return (uint32_t)(p >> 4); }

static LL_TLS struct ll_nursery ll_ny;
static LL_TLS int ll_ny_state;
static struct ll_nursery *ll_ny_head;
static ll_lock_t ll_ny_reg;
static uint64_t ll_ny_gone_allocs, ll_ny_gone_frees, ll_ny_gone_bytes;

/* Threads announce themselves once, so that their exit is seen (a pthread
 * key destructor; setting one of the first 32 keys needs no allocation). */
static pthread_key_t ll_exit_key;
static int ll_exit_key_ok;

static void ll_thread_exit(void *arg)
{
    (void)arg;
    ll_guard++;
    ll_nursery_thread_exit();
    ll_table_thread_exit();
    ll_guard--;
}

void ll_nursery_init(void)
{
    ll_exit_key_ok = pthread_key_create(&ll_exit_key, ll_thread_exit) == 0;
}

int ll_thread_register(void)
{
    return ll_exit_key_ok && pthread_setspecific(ll_exit_key, (void *)1) == 0;
}

static void ll_ny_link(struct ll_nursery *y)
{
    ll_lock(&ll_ny_reg);
    y->next = ll_ny_head;
    y->prev = NULL;
    if (ll_ny_head)
        ll_ny_head->prev = y;
    ll_ny_head = y;
    ll_unlock(&ll_ny_reg);
}

static void ll_ny_spill_all(struct ll_nursery *y)
{
    for (unsigned i = 0; i < LL_NURSERY; i++)
        if (y->ent[i].ptr) {
            ll_table_insert_shard(&y->ent[i]);
            y->ent[i].ptr = 0;
            y->tag[i] = 0;
        }
    y->n = 0;
}

/* The calling thread is exiting: its blocks go to the table and its array
 * leaves the registry before glibc reuses the TLS memory it lives in. */
void ll_nursery_thread_exit(void)
{
    struct ll_nursery *y = &ll_ny;
    if (ll_ny_state != LL_NY_LIVE)
        return;
    ll_ny_state = LL_NY_GONE;
    ll_lock(&ll_ny_reg);
    ll_lock(&y->lock);
    ll_ny_spill_all(y);
    if (y->prev)
        y->prev->next = y->next;
    else
        ll_ny_head = y->next;
    if (y->next)
        y->next->prev = y->prev;
    ll_ny_gone_allocs += y->allocs;
    ll_ny_gone_frees += y->frees;
    ll_ny_gone_bytes += y->bytes;
    ll_unlock(&y->lock);
    ll_unlock(&ll_ny_reg);
}

/* Bit j set where tag[g + j] == t, for 16 slots from g. */
static unsigned ll_ny_match16(const struct ll_nursery *y, unsigned g, uint32_t t)
{
    unsigned m = 0;
#if defined(__SSE2__)
    __m128i key = _mm_set1_epi32((int)t);
    for (unsigned j = 0; j < 16; j += 4) {
        __m128i v = _mm_load_si128((const __m128i *)&y->tag[g + j]);
        m |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, key))) << j;
    }
#else
    for (unsigned j = 0; j < 16; j++)
        m |= (unsigned)(y->tag[g + j] == t) << j;
#endif
    return m;
}

static int ll_ny_find(const struct ll_nursery *y, uintptr_t p)
{
    if (!y->n || !p)                    /* empty slots hold address 0 */
        return -1;
    uint32_t t = ll_ny_tag(p);
    for (unsigned g = 0; g < LL_NURSERY; g += 16)
        for (unsigned m = ll_ny_match16(y, g, t); m; m &= m - 1) {
            unsigned i = g + (unsigned)__builtin_ctz(m);
            if (y->ent[i].ptr == p)
                return (int)i;
        }
    return -1;
}

/* Keep b in this thread's nursery: LL_INSERT_OK, or LL_INSERT_DUP when the
 * address was already there (a free we never saw) and *old_size says how
 * big it was; -1 if this thread has none (it is exiting), and the caller
 * uses the table. */
int ll_nursery_add(const struct ll_block *b, size_t *old_size)
{
    struct ll_nursery *y = &ll_ny;
    if (ll_unlikely(ll_ny_state != LL_NY_LIVE)) {
        if (ll_ny_state == LL_NY_GONE || !ll_thread_register())
            return -1;
        ll_ny_state = LL_NY_LIVE;
        ll_ny_link(y);
    }
    ll_lock(&y->lock);
    int dup = ll_ny_find(y, b->ptr);
    if (ll_unlikely(dup >= 0)) {
        *old_size = y->ent[dup].size;
        y->ent[dup] = *b;
        y->allocs++;
        y->bytes += b->size;
        ll_unlock(&y->lock);
        return LL_INSERT_DUP;
    }
    unsigned i = y->head++ % LL_NURSERY;
    if (y->ent[i].ptr)      /* moved under our lock: never missing in between */
        ll_table_insert_shard(&y->ent[i]);
    else
        y->n++;
    y->tag[i] = ll_ny_tag(b->ptr);
    y->ent[i] = *b;
    y->allocs++;
    y->bytes += b->size;
    ll_unlock(&y->lock);
    return LL_INSERT_OK;
}

/* Remove p from y (locked by the caller); 1 if it was there. */
static int ll_ny_take(struct ll_nursery *y, uintptr_t p, uintptr_t free_pc,
                      struct ll_block *out)
{
    int i = ll_ny_find(y, p);
    if (i < 0)
        return 0;
    if (out)
        *out = y->ent[i];
    if (free_pc)
        y->quarantine[y->qpos++ % LL_NQUARANTINE] = (struct ll_freed){
            .ptr = p, .size = y->ent[i].size, .free_pc = free_pc,
            .alloc_stack = y->ent[i].stack, .fn = y->ent[i].fn };
    y->ent[i].ptr = 0;
    y->tag[i] = 0;
    y->n--;
    y->frees++;
    return 1;
}

/* The common free: a young block of this thread. */
int ll_nursery_take(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    struct ll_nursery *y = &ll_ny;
    if (ll_ny_state != LL_NY_LIVE)
        return 0;
    ll_lock(&y->lock);
    int found = ll_ny_take(y, p, free_pc, out);
    ll_unlock(&y->lock);
    return found;
}

/* A block made by another thread and still young there (slow path: only
 * after the table did not know p). */
int ll_nursery_take_any(uintptr_t p, uintptr_t free_pc, struct ll_block *out)
{
    int found = 0;
    ll_lock(&ll_ny_reg);
    for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next) {
        ll_lock(&y->lock);
        found = ll_ny_take(y, p, free_pc, out);
        ll_unlock(&y->lock);
    }
    ll_unlock(&ll_ny_reg);
    return found;
}

/* Visit every young block of every thread, with all nurseries locked
 * (ll_nursery_lock_all held). */
void ll_nursery_each(void (*fn)(const struct ll_block *, void *), void *arg)
{
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        for (unsigned i = 0; i < LL_NURSERY; i++)
            if (y->ent[i].ptr)
                fn(&y->ent[i], arg);
}

size_t ll_nursery_count(void)
{
    size_t n = 0;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        n += y->n;
    return n;
}

/* Error path: look everywhere, one nursery at a time. */
int ll_nursery_find_containing(uintptr_t p, struct ll_block *out)
{
    int found = 0;
    ll_lock(&ll_ny_reg);
    for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next) {
        ll_lock(&y->lock);
        for (unsigned i = 0; i < LL_NURSERY && !found; i++)
            if (y->ent[i].ptr && p > y->ent[i].ptr &&
                p - y->ent[i].ptr < y->ent[i].size) {
                *out = y->ent[i];
                found = 1;
            }
        ll_unlock(&y->lock);
    }
    ll_unlock(&ll_ny_reg);
    return found;
}

int ll_nursery_lookup(uintptr_t p, struct ll_block *out)
{
    int found = 0;
    ll_lock(&ll_ny_reg);
    for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next) {
        ll_lock(&y->lock);
        int i = ll_ny_find(y, p);
        if (i >= 0) {
            if (out)
                *out = y->ent[i];
            found = 1;
        }
        ll_unlock(&y->lock);
    }
    ll_unlock(&ll_ny_reg);
    return found;
}

int ll_nursery_quarantine_find(uintptr_t p, struct ll_freed *out)
{
    int found = 0;
    ll_lock(&ll_ny_reg);
    for (struct ll_nursery *y = ll_ny_head; y && !found; y = y->next) {
        ll_lock(&y->lock);
        for (unsigned i = 0; i < LL_NQUARANTINE && !found; i++) {
            const struct ll_freed *q =
                &y->quarantine[(y->qpos - 1 - i) % LL_NQUARANTINE];
            if (q->ptr == p && q->free_pc) {
                *out = *q;
                found = 1;
            }
        }
        ll_unlock(&y->lock);
    }
    ll_unlock(&ll_ny_reg);
    return found;
}

void ll_nursery_totals(struct ll_totals *t)
{
    t->allocations += ll_ny_gone_allocs;
    t->frees += ll_ny_gone_frees;
    t->bytes_allocated += ll_ny_gone_bytes;
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next) {
        t->allocations += y->allocs;
        t->frees += y->frees;
        t->bytes_allocated += y->bytes;
    }
}

void ll_nursery_lock_all(void)
{
    ll_lock(&ll_ny_reg);
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        ll_lock(&y->lock);
}

void ll_nursery_unlock_all(void)
{
    for (struct ll_nursery *y = ll_ny_head; y; y = y->next)
        ll_unlock(&y->lock);
    ll_unlock(&ll_ny_reg);
}

/* In a fork child the other threads are gone, and glibc will reuse their
 * stacks - and the TLS our arrays live in - for new threads.  Their blocks
 * are still the child's: move them to the table and drop the arrays. */
void ll_nursery_fork_child(void)
{
    ll_lock_reset(&ll_ny_reg);
    struct ll_nursery *y = ll_ny_head;
    ll_ny_head = NULL;
    while (y) {
        struct ll_nursery *next = y->next;
        ll_lock_reset(&y->lock);
        if (y == &ll_ny) {
            y->next = ll_ny_head;
            y->prev = NULL;
            ll_ny_head = y;
        } else {
            ll_ny_spill_all(y);
            ll_ny_gone_allocs += y->allocs;
            ll_ny_gone_frees += y->frees;
            ll_ny_gone_bytes += y->bytes;
            y->n = 0;
                }
        y = next;
    }
}
