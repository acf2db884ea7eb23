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
 * (its own __libc_dlclose: iconv modules) do not come here; modules.c
 * notices them by the same count (ll_modules_note).
 *
 * Kept out of the unit-test library (the Makefile filters it out), as
 * exits.c is. */
#include "ll.h"

#include <dlfcn.h>

typedef int (*ll_dlclose_fn)(void *);
static void *ll_next_dlclose;

static ll_dlclose_fn ll_dlclose_next(void)
{
    ll_dlclose_fn f;
    *(void **)&f = ll_real_next(&ll_next_dlclose, "dlclose");
    return f;
}

LL_EXPORT int dlclose(void *handle)
{
    ll_dlclose_fn f = ll_dlclose_next();
    if (!f)
        return -1;                  /* no loader: cannot happen */
    /* (0 is a count: a process that never unloaded anything, where a
     * dlclose that drops a reference, as after dlopen(RTLD_NOLOAD), must
     * not empty every cache.) */
    unsigned long long before = ll_modules_unloads();
    int r = f(handle);
    unsigned long long after = ll_modules_unloads();
    if (after != before || after == LL_UNLOADS_UNKNOWN)
        ll_unwind_forget();
    return r;
}

/* At load, as exits.c does: no dlsym from a dlclose in a signal handler. */
__attribute__((constructor)) static void ll_dlclose_install(void)
{
    (void)ll_dlclose_next();
}
