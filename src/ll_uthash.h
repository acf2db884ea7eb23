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

#endif
