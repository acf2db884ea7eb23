/* modules.c - every object the process has loaded, remembered after it is
 * dlclosed, so that the report still names the frames of a library that
 * leaked and was closed before exit (the symbolizer reports such objects to
 * libdw again, at their old address).
 *
 * The list is refreshed only when a new stack holds an address outside
 * every object it knows: most new stacks run through known code, so
 * dl_iterate_phdr (which takes the loader's lock) is rarely called. */
#include "ll.h"

#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define LL_MAX_MODULES 1024

static struct ll_module *ll_mods;       /* from ll_pages_alloc */
static _Atomic size_t ll_nmods;
static ll_lock_t ll_mods_lock;

static int ll_mods_known(uintptr_t pc, size_t n)
{
    pc &= ~LL_PC_EXACT;
    for (size_t i = 0; i < n; i++)
        if (pc - ll_mods[i].lo < ll_mods[i].hi - ll_mods[i].lo)
            return 1;
    return 0;
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
    int fd = ll_proc_open("maps", O_RDONLY);
    if (fd < 0)
        return -1;
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
    for (size_t i = 0; i < n; i++)
        if (ll_mods[i].lo == lo && ll_mods[i].base == info->dlpi_addr &&
            ll_mods[i].name_hash == h)
            return;
    if (n == LL_MAX_MODULES)
        return;
    struct ll_module *m = &ll_mods[n];
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
