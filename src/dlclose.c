/* dlclose.c - dlclose(), exported so that what libleak remembers about
 * loaded code is forgotten once code is unmapped: the unwinder's rules are
 * keyed by return address, each thread's memo replays a walk made with
 * them, and modules.c refreshes its list only for an address outside every
 * object it knows.  A library dlopen'ed later at the freed address would
 * otherwise be unwound with the closed one's rules and named after it.
 *
 * The program's dlclose runs as before (the next one in the lookup order,
 * libc's); its destructors' allocations are tracked as any others.  What
 * counts is whether an object left: dl_iterate_phdr's dlpi_subs (objects
 * unloaded so far) is read before and after, and a dlclose that only
 * dropped a reference forgets nothing.  dlclose calls made inside libc
 * (its own __libc_dlclose: iconv modules, NSS) do not come here.
 *
 * Kept out of the unit-test library (the Makefile filters it out), as
 * exits.c is. */
#include "ll.h"

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>

typedef int (*ll_dlclose_fn)(void *);
static void *ll_next_dlclose;

static ll_dlclose_fn ll_dlclose_next(void)
{
    ll_dlclose_fn f;
    *(void **)&f = ll_real_next(&ll_next_dlclose, "dlclose");
    return f;
}

#define LL_UNCOUNTED (~0ull)            /* the loader does not count unloads */

static int ll_subs_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    int has = size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs);
    *(unsigned long long *)arg = has ? info->dlpi_subs : LL_UNCOUNTED;
    return 1;                       /* the first object says it */
}

/* Objects unloaded so far, or LL_UNCOUNTED.  (0 is a count: a process that
 * never unloaded anything, where a dlclose that drops a reference, as after
 * dlopen(RTLD_NOLOAD), must not empty every cache.) */
static unsigned long long ll_unloads(void)
{
    unsigned long long n = LL_UNCOUNTED;
    dl_iterate_phdr(ll_subs_cb, &n);
    return n;
}

LL_EXPORT int dlclose(void *handle)
{
    ll_dlclose_fn f = ll_dlclose_next();
    if (!f)
        return -1;                  /* no loader: cannot happen */
    unsigned long long before = ll_unloads();
    int r = f(handle);
    unsigned long long after = ll_unloads();
    if (after != before || after == LL_UNCOUNTED)
        ll_unwind_forget();
    return r;
}

/* At load, as exits.c does: no dlsym from a dlclose in a signal handler. */
__attribute__((constructor)) static void ll_dlclose_install(void)
{
    (void)ll_dlclose_next();
}
