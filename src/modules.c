/* modules.c - every object the process has loaded, remembered after it is
 * dlclosed, so that the report still names the frames of a library that
 * leaked and was closed before exit (the symbolizer reports such objects to
 * libdw again, at their old address).
 *
 * The list is refreshed only when a new stack holds an address outside
 * every object it knows: most new stacks run through known code, so
 * dl_iterate_phdr (which takes the loader's lock) is rarely called. */
#include "ll.h"

#include <link.h>
#include <string.h>

#define LL_MAX_MODULES 1024

static struct ll_module *ll_mods;       /* from ll_pages_alloc */
static _Atomic size_t ll_nmods;
static ll_lock_t ll_mods_lock;

static int ll_mods_known(uintptr_t pc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pc - ll_mods[i].lo < ll_mods[i].hi - ll_mods[i].lo)
            return 1;
    return 0;
}

static void ll_mods_add(const struct dl_phdr_info *info, uintptr_t lo, uintptr_t hi)
{
    size_t n = atomic_load(&ll_nmods);
    for (size_t i = 0; i < n; i++)
        if (ll_mods[i].lo == lo && ll_mods[i].base == info->dlpi_addr &&
            !strncmp(ll_mods[i].path, info->dlpi_name ? info->dlpi_name : "",
                     sizeof(ll_mods[i].path) - 1))
            return;
    if (n == LL_MAX_MODULES)
        return;
    struct ll_module *m = &ll_mods[n];
    m->base = info->dlpi_addr;
    m->lo = lo;
    m->hi = hi;
    strncpy(m->path, info->dlpi_name ? info->dlpi_name : "", sizeof(m->path) - 1);
    atomic_store_explicit(&ll_nmods, n + 1, memory_order_release);
}

static int ll_mods_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
            ll_mods_add(info, lo, lo + ph->p_memsz);
        }
    }
    return 0;
}

void ll_modules_note(const uintptr_t *pcs, unsigned n)
{
    size_t known = atomic_load_explicit(&ll_nmods, memory_order_acquire);
    if (known) {
        unsigned i = 0;
        while (i < n && ll_mods_known(pcs[i], known))
            i++;
        if (i == n)
            return;
    }
    ll_lock(&ll_mods_lock);
    if (!ll_mods)
        ll_mods = ll_pages_alloc(LL_MAX_MODULES * sizeof(*ll_mods));
    if (ll_mods)
        dl_iterate_phdr(ll_mods_cb, NULL);
    ll_unlock(&ll_mods_lock);
}

size_t ll_modules_get(const struct ll_module **out)
{
    *out = ll_mods;
    return ll_mods ? atomic_load_explicit(&ll_nmods, memory_order_acquire) : 0;
}

void ll_modules_fork_prepare(void) { ll_lock(&ll_mods_lock); }
void ll_modules_fork_parent(void) { ll_unlock(&ll_mods_lock); }
void ll_modules_fork_child(void) { ll_lock_reset(&ll_mods_lock); }
