/* ll_uthash.h - uthash configured for use inside a malloc hook.
 *
 * uthash's own tables come from mem.c, never from the tracked malloc, and an
 * allocation failure is reported instead of calling exit(). */
#ifndef LL_UTHASH_H
#define LL_UTHASH_H

#include "ll.h"

/* Set when uthash could not allocate (the add was dropped or the table not
 * grown); the caller clears it before an add and checks it after. */
extern LL_TLS int ll_uthash_oom;

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) ll_mem_alloc(sz)
#define uthash_free(p, sz) ll_mem_free((p), (sz))
#define uthash_nonfatal_oom(obj) ((void)(obj), ll_uthash_oom = 1)
#include <uthash.h>

/* ---- tables used bucket by bucket (table.c, and the bench's floor) ------ */
/* An empty table of 2^log2 buckets for records whose handle is at hho.
 * uthash's own growth is off (noexpand): the caller applies its policy. */
static inline int ll_uthash_make(UT_hash_table *t, unsigned log2, size_t hho)
{
    UT_hash_bucket *b = ll_mem_alloc(sizeof(*b) << log2);  /* zeroed */
    if (!b)
        return -1;
    t->buckets = b;
    t->num_buckets = 1u << log2;
    t->log2_num_buckets = log2;
    t->hho = (ptrdiff_t)hho;
    t->noexpand = 1;
    t->signature = HASH_SIGNATURE;
    return 0;
}

/* Free records, listed through their handle's next field (hho: the
 * handle's offset); made from mem.c n at a time, size bytes each. */
#define LL_UTHASH_LINK(r, hho) (((UT_hash_handle *)((char *)(r) + (hho)))->next)

static inline void *ll_uthash_rec_get(void **spare, size_t size, size_t hho, unsigned n)
{
    if (!*spare) {
        char *b = ll_mem_alloc(size * n);
        if (!b)
            return NULL;
        for (unsigned i = 0; i < n; i++) {
            LL_UTHASH_LINK(b + i * size, hho) = *spare;
            *spare = b + i * size;
        }
    }
    void *r = *spare;
    *spare = LL_UTHASH_LINK(r, hho);
    return r;
}

static inline void ll_uthash_rec_put(void **spare, size_t hho, void *r)
{
    LL_UTHASH_LINK(r, hho) = *spare;
    *spare = r;
}

#endif
