/* allocmaps.c - the memory the next allocator mapped for itself, when it
 * is not the C library's (jemalloc, tcmalloc or mimalloc, preloaded after
 * libleak or linked into the program).
 *
 * The leak check reads the program's anonymous mappings as roots (roots.c).
 * Such an allocator keeps its own bookkeeping in mappings of that kind:
 * jemalloc's extent records hold the address of every large block and of
 * the first block of every slab, its thread caches the addresses of blocks
 * freed and handed out again.  Read as roots, they made lost blocks
 * "still reachable": under jemalloc every leak of leak_simple and
 * demo_list read so.  (glibc's own arenas are told apart otherwise: their
 * heaps are 64 MiB aligned, and the C library maps them with its internal
 * mmap, which nothing sees.)
 *
 * So mmap.c reports every mapping made or unmapped through the C library's
 * mmap, munmap and mremap, with the caller's address: a mapping made from
 * the allocator's own code is its own, and the scan skips it (its blocks
 * are read when reached, as any block).  Any other call that maps or
 * unmaps over a recorded range takes that part out: a range wrongly kept
 * would hide the program's memory from the scan, and its blocks would read
 * lost, where a range missed only leaves the allocator's records as roots,
 * as before.  An allocator that maps by system call of its own (not
 * through the C library) is not seen.
 *
 * The other way round, a block the allocator's own code allocated through
 * malloc or operator new is kept in its records, which may lie in memory
 * that is no root at all (tcmalloc takes its with sbrk, in the C library's
 * heap): after the scan, such a block is the allocator's, reachable
 * (ll_amaps_own_blocks). */
#include "ll.h"
#include "reach.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>

#define LL_AMAPS 2048

static struct { uintptr_t lo, hi; } ll_amaps[LL_AMAPS];
static unsigned ll_namaps;
static ll_lock_t ll_amaps_lock;
/* The allocator's code, [lo, hi); 0, 0: none to watch (the C library's). */
static uintptr_t ll_acode_lo, ll_acode_hi;
static atomic_int ll_amaps_state;       /* 0 not looked, 1 looking, 2 known */

/* at: the next malloc; aligned: the next posix_memalign, and whether the
 * object that holds at holds it too. */
struct ll_acode { uintptr_t at, aligned, lo, hi; int libc, both; };

static int ll_acode_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct ll_acode *a = arg;
    int holds = 0, aligned = 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t s = info->dlpi_addr + ph->p_vaddr, e = s + ph->p_memsz;
        if (ph->p_type != PT_LOAD)
            continue;
        holds |= a->at - s < ph->p_memsz;
        aligned |= a->aligned - s < ph->p_memsz;
        if (ph->p_flags & PF_X) {
            lo = s < lo ? s : lo;
            hi = e > hi ? e : hi;
        }
    }
    if (!holds)
        return 0;
    const char *slash = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    const char *base = slash ? slash + 1 : info->dlpi_name ? info->dlpi_name : "";
    a->libc = strncmp(base, "libc.so", 7) == 0;
    a->both = aligned;
    a->lo = lo;
    a->hi = hi;
    return 1;
}

/* Find the allocator's code, once: from mmap.c at the first mapping call
 * (the allocator may map from its constructor, before libleak starts), or
 * at initialisation.  An object is an allocator of its own only if it
 * defines posix_memalign beside malloc, as jemalloc, tcmalloc and mimalloc
 * do (one that did not would have its free() handed the C library's
 * aligned blocks).  A library that only wraps malloc, free, calloc and
 * realloc and passes them on (binutils' libgprofng does) is no allocator:
 * taken for one, every block its own code made read still reachable
 * (gp-display-src: Valgrind's 449 blocks definitely lost and 10,428
 * indirectly, none in libleak). */
void ll_amaps_init(void)
{
    int expect = 0, saved = errno;
    if (!atomic_compare_exchange_strong(&ll_amaps_state, &expect, 1))
        return;
    ll_guard++;                         /* dlsym may allocate, and set errno */
    struct ll_acode a = { (uintptr_t)dlsym(RTLD_NEXT, "malloc"),
                          (uintptr_t)dlsym(RTLD_NEXT, "posix_memalign"), 0, 0, 0, 0 };
    if (a.at && a.aligned && dl_iterate_phdr(ll_acode_phdr, &a) && !a.libc && a.both &&
        a.lo < a.hi)
        ll_amaps_set_code(a.lo, a.hi);
    ll_guard--;
    errno = saved;
    atomic_store(&ll_amaps_state, 2);
}

void ll_amaps_set_code(uintptr_t lo, uintptr_t hi)
{
    ll_acode_lo = lo;
    ll_acode_hi = hi;
}

int ll_amaps_known(void)
{
    return atomic_load_explicit(&ll_amaps_state, memory_order_acquire) == 2;
}

/* [lo, hi) out of every range (the lock held).  A range split in two
 * that has no room for its second half loses it: that part is read as a
 * root again, the safe side. */
static void ll_amaps_cut(uintptr_t lo, uintptr_t hi)
{
    for (unsigned i = 0; i < ll_namaps;) {
        uintptr_t a = ll_amaps[i].lo, b = ll_amaps[i].hi;
        if (b <= lo || hi <= a) {
            i++;
            continue;
        }
        if (lo <= a && b <= hi) {       /* all of it */
            ll_amaps[i] = ll_amaps[--ll_namaps];
            continue;
        }
        if (a < lo && hi < b && ll_namaps < LL_AMAPS) {
            ll_amaps[ll_namaps].lo = hi;
            ll_amaps[ll_namaps++].hi = b;
        }
        if (a < lo)
            ll_amaps[i].hi = lo;
        else
            ll_amaps[i].lo = hi;
        i++;
    }
}

/* [p, p + len) was mapped by a call from caller (a return address).  Not
 * while this thread holds an inner lock of libleak's, the amaps lock
 * perhaps (a signal handler's mmap): that range is missed. */
void ll_amaps_mapped(uintptr_t caller, uintptr_t p, size_t len)
{
    if (!ll_acode_hi || !len || ll_inner_held)
        return;
    uintptr_t hi = ll_page_up(p + len);
    ll_lock_inner(&ll_amaps_lock);
    ll_amaps_cut(p, hi);
    if (caller - ll_acode_lo < ll_acode_hi - ll_acode_lo && ll_namaps < LL_AMAPS) {
        ll_amaps[ll_namaps].lo = p;
        ll_amaps[ll_namaps++].hi = hi;
    }
    ll_unlock_inner(&ll_amaps_lock);
}

/* [p, p + len) was unmapped, by whomever. */
void ll_amaps_unmapped(uintptr_t p, size_t len)
{
    if (!ll_acode_hi || !len || ll_inner_held)
        return;
    ll_lock_inner(&ll_amaps_lock);
    ll_amaps_cut(p, ll_page_up(p + len));
    ll_unlock_inner(&ll_amaps_lock);
}

/* Every recorded range into out (the scan's ranges to skip); -1 if out
 * could not grow. */
int ll_amaps_add_to(struct ll_ranges *out)
{
    int err = 0;
    ll_lock_inner(&ll_amaps_lock);
    for (unsigned i = 0; i < ll_namaps && !err; i++)
        err = ll_ranges_add(out, ll_amaps[i].lo, ll_amaps[i].hi);
    ll_unlock_inner(&ll_amaps_lock);
    return err;
}

/* Blocks the allocator allocated for itself through malloc or operator
 * new (the caller is its own code: tcmalloc's MallocExtension::Register
 * at start): its records keep them, in memory that is not a root (tcmalloc
 * takes it with sbrk), so they read lost.  They are its, reachable. */
void ll_amaps_own_blocks(struct ll_block *v, size_t n)
{
    if (!ll_acode_hi)
        return;
    for (size_t i = 0; i < n; i++) {
        const uintptr_t *pcs;
        if (v[i].kind != LL_REACHABLE && ll_stack_get(v[i].stack, &pcs) &&
            pcs[0] - ll_acode_lo < ll_acode_hi - ll_acode_lo)
            v[i].kind = LL_REACHABLE;
    }
}

unsigned ll_amaps_count(void)
{
    return ll_namaps;
}

void ll_amaps_fork_prepare(void) { ll_lock_inner(&ll_amaps_lock); }
void ll_amaps_fork_parent(void) { ll_unlock_inner(&ll_amaps_lock); }
void ll_amaps_fork_child(void) { ll_lock_reset(&ll_amaps_lock); }
