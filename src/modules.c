/* modules.c - every object the process has loaded, remembered after it is
 * dlclosed, so that the report still names the frames of a library that
 * leaked and was closed before exit (the symbolizer reports such objects to
 * libdw again, at their old address).
 *
 * The list is refreshed only when a new stack holds an address outside
 * every object it knows, or when code was unmapped since the last refresh
 * (ll_unmap_gen, dlclose.c): most new stacks run through known code, so
 * dl_iterate_phdr (which takes the loader's lock) is rarely called.
 *
 * An object loaded where a closed one was overlaps that one's entry: it is
 * added all the same, and the epoch (the number of such entries) moves.
 * Stacks are interned with the epoch current when they were captured
 * (stack.c), so the report names a pc after the newest entry holding it
 * that is no newer than the stack: the object that was mapped there. */
#include "ll.h"

#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static struct ll_module *ll_mods;       /* from ll_pages_alloc */
static _Atomic size_t ll_nmods;
static ll_lock_t ll_mods_lock;
static atomic_uint ll_mods_seen;        /* ll_unmap_gen at the last refresh */
static atomic_uint ll_mods_epoch;
static uint8_t ll_mods_alive[LL_MAX_MODULES];   /* seen by the last refresh */
static atomic_size_t ll_mods_ndead;
/* Entries of the first refresh: start-up objects.  Read without the lock
 * (a reader that finds 0 just takes every object for a later one). */
static atomic_size_t ll_mods_boot;
static _Atomic unsigned long long ll_mods_subs; /* ll_modules_unloads() at the last refresh */

/* The first entry holding pc, or n. */
static size_t ll_mods_find(uintptr_t pc, size_t n)
{
    pc &= ~LL_PC_EXACT;
    size_t i = 0;
    while (i < n && pc - ll_mods[i].lo >= ll_mods[i].hi - ll_mods[i].lo)
        i++;
    return i;
}

/* The loader's count of objects unloaded so far (dl_iterate_phdr's
 * dlpi_subs, which the first object reports), or LL_UNLOADS_UNKNOWN. */
static int ll_mods_subs_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    int has = size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs);
    *(unsigned long long *)arg = has ? info->dlpi_subs : LL_UNLOADS_UNKNOWN;
    return 1;
}

unsigned long long ll_modules_unloads(void)
{
    unsigned long long n = LL_UNLOADS_UNKNOWN;
    dl_iterate_phdr(ll_mods_subs_cb, &n);
    return n;
}

/* FNV-1a: entries are found again by the loader's name, which their path
 * may no longer be (ll_mods_file). */
static uint64_t ll_mods_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
}

/* Parse "lo-hi " at the start of a maps line; 1 if it holds a. */
static int ll_maps_line_has(const char *s, const char *eol, uintptr_t a)
{
    uintptr_t lo, hi = 0;
    const char *p = ll_parse_hex(s, eol, &lo);
    if (p < eol && *p == '-')
        ll_parse_hex(p + 1, eol, &hi);
    return lo < hi && a - lo < hi - lo;
}

/* The file mapped at a, from /proc/self/maps, into out (n bytes): 0 if
 * found, absolute and fitting.  Static buffer: the caller holds
 * ll_mods_lock.  Raw reads, no stdio: this runs inside malloc. */
static int ll_mods_file(uintptr_t a, char *out, size_t n)
{
    static char buf[8192];            /* a whole line: PATH_MAX and some */
    int was = ll_cancel_off();
    int fd = ll_proc_open("maps", O_RDONLY);
    if (fd < 0) {
        ll_cancel_restore(was);
        return -1;
    }
    int found = -1;
    size_t len = 0;
    ssize_t r;
    while (found && (r = read(fd, buf + len, sizeof(buf) - len)) > 0) {
        len += (size_t)r;
        char *s = buf, *eol;
        while (found && (eol = memchr(s, '\n', len - (size_t)(s - buf)))) {
            if (ll_maps_line_has(s, eol, a)) {
                char *path = memchr(s, '/', (size_t)(eol - s));
                found = path && (size_t)(eol - path) < n ? 0 : -2;
                if (!found) {
                    memcpy(out, path, (size_t)(eol - path));
                    out[eol - path] = 0;
                }
            }
            s = eol + 1;
        }
        len -= (size_t)(s - buf);     /* keep the partial last line */
        memmove(buf, s, len);
        if (len == sizeof(buf))
            break;                    /* a line longer than any path */
    }
    close(fd);
    ll_cancel_restore(was);
    return found;
}

/* The kernel's vDSO: a relative name ("linux-vdso.so.1") and no file, so
 * reading /proc/self/maps for its path would find nothing (that read was
 * 3% of a trivial process's time under libleak, on every first stack). */
static int ll_mods_vdso(const struct dl_phdr_info *info)
{
    uintptr_t ehdr = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    return ehdr && (uintptr_t)info->dlpi_phdr - ehdr < 65536;
}

static void ll_mods_add(const struct dl_phdr_info *info, uintptr_t lo, uintptr_t hi)
{
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    uint64_t h = ll_mods_hash(name);
    size_t n = atomic_load(&ll_nmods);
    int over = 0;
    for (size_t i = n; i-- > 0 && !over;) {    /* the newest entry there */
        if (ll_mods[i].lo == lo && ll_mods[i].base == info->dlpi_addr &&
            ll_mods[i].name_hash == h) {
            __atomic_store_n(&ll_mods_alive[i], 1, __ATOMIC_RELAXED);
            return;
        }
        over = lo < ll_mods[i].hi && ll_mods[i].lo < hi;
    }
    if (n == LL_MAX_MODULES)
        return;
    struct ll_module *m = &ll_mods[n];
    unsigned epoch = atomic_load(&ll_mods_epoch) + (unsigned)over;
    m->epoch = epoch;
    __atomic_store_n(&ll_mods_alive[n], 1, __ATOMIC_RELAXED);
    m->base = info->dlpi_addr;
    m->lo = lo;
    m->hi = hi;
    m->name_hash = h;
    /* A relative name (dlopen("./libx.so"), or found through a relative
     * LD_LIBRARY_PATH entry) is relative to the directory that was current
     * at load time, which the program may have left since: the kernel's
     * name for the mapping is the one that still finds the file at exit. */
    if (name[0] == '/' || !name[0] || ll_mods_vdso(info) ||
        ll_mods_file(lo, m->path, sizeof(m->path)))
        strncpy(m->path, name, sizeof(m->path) - 1);
    atomic_store_explicit(&ll_nmods, n + 1, memory_order_release);
    atomic_store_explicit(&ll_mods_epoch, epoch, memory_order_release);
}

/* arg: where the loader's unload count goes, read with the list. */
static int ll_mods_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    if (*(unsigned long long *)arg == LL_UNLOADS_UNKNOWN)
        (void)ll_mods_subs_cb(info, size, arg);
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
            ll_mods_add(info, lo, lo + ph->p_memsz);
        }
    }
    return 0;
}

static void ll_mods_refresh(void)
{
    ll_lock_counted(&ll_mods_lock);
    if (!ll_mods)
        ll_mods = ll_pages_alloc(LL_MAX_MODULES * sizeof(*ll_mods));
    atomic_store(&ll_mods_seen, atomic_load(&ll_unmap_gen));
    if (ll_mods) {
        size_t n = atomic_load(&ll_nmods), dead = 0;
        unsigned long long subs = LL_UNLOADS_UNKNOWN;
        for (size_t i = 0; i < n; i++)
            __atomic_store_n(&ll_mods_alive[i], 0, __ATOMIC_RELAXED);
        dl_iterate_phdr(ll_mods_cb, &subs);
        atomic_store(&ll_mods_subs, subs);
        if (!n)
            atomic_store_explicit(&ll_mods_boot, atomic_load(&ll_nmods), memory_order_relaxed);
        n = atomic_load(&ll_nmods);
        for (size_t i = 0; i < n; i++)
            dead += !__atomic_load_n(&ll_mods_alive[i], __ATOMIC_RELAXED);
        atomic_store(&ll_mods_ndead, dead);
    }
    ll_unlock_counted(&ll_mods_lock);
}

/* pc lies in a closed object's range and in no live one's: something was
 * loaded there since the last refresh (or it is garbage). */
static int ll_mods_in_hole(uintptr_t pc, size_t n)
{
    int hole = 0;
    for (size_t i = 0; i < n; i++)
        if (pc - ll_mods[i].lo < ll_mods[i].hi - ll_mods[i].lo) {
            if (__atomic_load_n(&ll_mods_alive[i], __ATOMIC_RELAXED))
                return 0;
            hole = 1;
        }
    return hole;
}

unsigned ll_modules_sync(const uintptr_t *pcs, unsigned n)
{
    int stale = atomic_load_explicit(&ll_unmap_gen, memory_order_acquire) !=
                atomic_load_explicit(&ll_mods_seen, memory_order_relaxed);
    if (!stale && ll_unlikely(atomic_load_explicit(&ll_mods_ndead, memory_order_relaxed))) {
        size_t known = atomic_load_explicit(&ll_nmods, memory_order_acquire);
        for (unsigned i = 0; i < n && !stale; i++)
            stale = ll_mods_in_hole(pcs[i], known);
    }
    if (ll_unlikely(stale))
        ll_mods_refresh();
    return atomic_load_explicit(&ll_mods_epoch, memory_order_acquire);
}

/* libc unloads objects itself (__libc_dlclose: iconv's modules once unused),
 * past libleak's dlclose, so ll_unmap_gen does not move: a library loaded
 * later where one of them was lies in "known" code and was named after the
 * unloaded module.  Start-up objects are never unloaded; for a stack that
 * runs through a later one, the loader's unload count, read at the last
 * refresh, tells.  That costs a dl_iterate_phdr per new stack through
 * dlopen'ed code, none for the others. */
int ll_modules_note(const uintptr_t *pcs, unsigned n, unsigned epoch)
{
    size_t known = atomic_load_explicit(&ll_nmods, memory_order_acquire);
    if (known) {
        unsigned i = 0;
        int late = 0;
        for (size_t m; i < n && (m = ll_mods_find(pcs[i], known)) < known; i++)
            late |= m >= atomic_load_explicit(&ll_mods_boot, memory_order_relaxed);
        /* Through later code, the list another thread refreshed since the
         * stack was interned counts too: its epoch is the one to use. */
        if (i == n && (!late || ll_modules_unloads() == atomic_load(&ll_mods_subs)))
            return late && atomic_load(&ll_mods_epoch) != epoch;
    }
    unsigned long long subs = atomic_load(&ll_mods_subs);
    ll_mods_refresh();
    if (atomic_load(&ll_mods_subs) != subs)
        ll_unwind_forget();             /* the unloaded code's rules too */
    return atomic_load(&ll_mods_epoch) != epoch;
}

void ll_modules_settle(void)
{
    ll_mods_refresh();
}

int ll_modules_alive(size_t i)
{
    return i < LL_MAX_MODULES && __atomic_load_n(&ll_mods_alive[i], __ATOMIC_RELAXED);
}

size_t ll_modules_get(const struct ll_module **out)
{
    *out = ll_mods;
    return ll_mods ? atomic_load_explicit(&ll_nmods, memory_order_acquire) : 0;
}

unsigned ll_modules_epoch(void)
{
    return atomic_load_explicit(&ll_mods_epoch, memory_order_acquire);
}

/* The first entry of the object entry i holds: a file dlclosed, then
 * loaded at the same place again, has an entry per load, and is one
 * object to the report. */
static size_t ll_mods_first_of(size_t i)
{
    const struct ll_module *m = &ll_mods[i];
    for (size_t j = 0; j < i; j++)
        if (ll_mods[j].base == m->base && ll_mods[j].lo == m->lo &&
            ll_mods[j].hi == m->hi && ll_mods[j].name_hash == m->name_hash &&
            !strcmp(ll_mods[j].path, m->path))
            return j;
    return i;
}

size_t ll_modules_at(uintptr_t pc, unsigned epoch)
{
    const struct ll_module *m;
    size_t n = ll_modules_get(&m);
    pc &= ~LL_PC_EXACT;
    for (size_t i = n < LL_MAX_MODULES ? n : LL_MAX_MODULES; i-- > 0;)
        if (m[i].epoch <= epoch && pc - m[i].lo < m[i].hi - m[i].lo)
            return i;
    return SIZE_MAX;
}

size_t ll_modules_origin(uintptr_t pc, unsigned epoch)
{
    size_t i = ll_modules_at(pc, epoch);
    return i == SIZE_MAX ? i : ll_mods_first_of(i);
}

void ll_modules_fork_prepare(void) { ll_lock_counted(&ll_mods_lock); }
void ll_modules_fork_parent(void) { ll_unlock_counted(&ll_mods_lock); }
void ll_modules_fork_child(void) { ll_lock_reset(&ll_mods_lock); }
