/* real.c - the next allocator in the lookup order (glibc's malloc, or a
 * jemalloc/tcmalloc preloaded after us), resolved once with RTLD_NEXT. */
#include "ll.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

struct ll_real ll_real;
unsigned ll_cxx_own;

#define LL_RESOLVE(name) \
    (ll_real.name = (__typeof__(ll_real.name))dlsym(RTLD_NEXT, #name))

void *ll_real_next(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f) {
        int saved = errno;          /* the caller's call may succeed: errno as it was */
        ll_guard++;                 /* dlsym may allocate */
        f = dlsym(RTLD_NEXT, name);
        ll_guard--;
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
        errno = saved;
    }
    return f;
}

int ll_real_resolve(void)
{
    /* Optional ones first: malloc is published last, and its presence is
     * what the hooks test to know that the table is complete. */
    LL_RESOLVE(posix_memalign);
    LL_RESOLVE(aligned_alloc);
    LL_RESOLVE(memalign);
    LL_RESOLVE(valloc);
    LL_RESOLVE(pvalloc);
    LL_RESOLVE(malloc_usable_size);
    LL_RESOLVE(calloc);
    LL_RESOLVE(realloc);
    LL_RESOLVE(free);
    void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    if (!m || !ll_real.free || !ll_real.calloc || !ll_real.realloc)
        return -1;
    __atomic_store_n(&ll_real.malloc, m, __ATOMIC_RELEASE);
    return 0;
}

/* The object whose own symbol f starts; NULL if f starts none.  dlsym's
 * answer alone is not a definition: a non-PIE program that takes a
 * function's address in its code (Debian's python3.11 takes malloc's)
 * carries an undefined symbol whose value is its PLT entry, and dlsym and
 * dladdr both return that entry, in the program, for pointer equality; its
 * section index says it is undefined. */
static struct link_map *ll_definer_of(void *f)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    struct link_map *lm = NULL;
    return f && dladdr1(f, &info, (void **)&sym, RTLD_DL_SYMENT) && sym &&
                   sym->st_shndx != SHN_UNDEF && info.dli_saddr == f &&
                   dladdr1(f, &info, (void **)&lm, RTLD_DL_LINKMAP)
               ? lm
               : NULL;
}

/* libleak's own link map, and the first of the list (the program's);
 * asked once, at initialisation. */
static struct link_map *ll_self_lm, *ll_program_lm;

static void ll_maps_init(void)
{
    Dl_info info;
    struct link_map *lm = NULL;
    if (ll_self_lm || !dladdr1((void *)ll_maps_init, &info, (void **)&lm, RTLD_DL_LINKMAP))
        return;
    ll_self_lm = ll_program_lm = lm;
    while (ll_program_lm && ll_program_lm->l_prev)
        ll_program_lm = ll_program_lm->l_prev;
}

/* 1 if the program itself defines name: the global scope searches it
 * first, so dlsym finds its definition if there is one.  An answer in
 * libleak's own code (every C program's, for operator new) needs no
 * dladdr: two of them took 6,000 instructions, the twelve names asked at
 * start 76,000, more than a short process runs natively. */
static int ll_program_defines(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    return ll_program_lm && f && !ll_self_contains((uintptr_t)f) &&
           ll_definer_of(f) == ll_program_lm;
}

/* The object ahead of libleak in the global scope (the program, or a
 * library preloaded before libleak) that defines name; NULL if none.
 * dlsym's answer, unless it is the program's PLT entry (ll_definer_of):
 * then the objects after the program are asked one by one. */
static struct link_map *ll_definer_ahead(const char *name)
{
    struct link_map *self = ll_self_lm, *lm;
    void *f = dlsym(RTLD_DEFAULT, name);
    if (!self || !ll_program_lm || !f)
        return NULL;
    if ((lm = ll_definer_of(f)))
        return lm == self ? NULL : lm;
    for (lm = ll_program_lm->l_next; lm && lm != self; lm = lm->l_next) {
        void *h = lm->l_name[0] ? dlopen(lm->l_name, RTLD_LAZY | RTLD_NOLOAD) : NULL;
        if (!h)
            continue;
        int here = ll_definer_of(dlsym(h, name)) == lm;
        dlclose(h);
        if (here)
            return lm;
    }
    return NULL;
}

/* Another copy of libleak ahead of this one (preloaded twice, from two
 * paths: a wrapper's LD_PRELOAD and the user's): 1 if the object that
 * defines malloc ahead of this one also defines the start of every
 * program and the exec calls, as only libleak does.  That copy sees every
 * allocation and passes it on to this one's malloc: were this one to track
 * them too, each copy's records would be roots to the other (every lost
 * block reachable), and each would write a report. */
/* ll_definer_ahead("malloc"), asked once: ll_other_copy_ahead and
 * ll_alloc_hidden_init both want it at initialisation. */
static struct link_map *ll_malloc_ahead(void)
{
    static int asked;
    static struct link_map *lm;
    if (!asked) {
        ll_maps_init();
        lm = ll_definer_ahead("malloc");
        asked = 1;
    }
    return lm;
}

int ll_other_copy_ahead(void)
{
    struct link_map *lm = ll_malloc_ahead();
    return lm && lm != ll_program_lm && ll_definer_ahead("__libc_start_main") == lm &&
           ll_definer_ahead("execveat") == lm && ll_definer_ahead("posix_spawnp") == lm;
}

void ll_cxx_own_init(void)
{
    static const char *const news[] = { "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t",
                                        "_ZnamRKSt9nothrow_t", "_ZnwmSt11align_val_t",
                                        "_ZnamSt11align_val_t" };
    static const char *const deletes[] = { "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm",
                                           "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t" };
    unsigned own = 0;
    ll_maps_init();
    for (size_t i = 0; i < sizeof news / sizeof news[0]; i++)
        if (ll_program_defines(news[i]))
            own |= LL_CXX_OWN_NEW;
    for (size_t i = 0; i < sizeof deletes / sizeof deletes[0]; i++)
        if (ll_program_defines(deletes[i]))
            own |= LL_CXX_OWN_DELETE;
    ll_cxx_own = own;
}

/* The object whose malloc the global scope finds before libleak's: a
 * program linked with an allocator of its own (rustc, with jemalloc), or a
 * library preloaded ahead of libleak.  Every call goes there, and libleak
 * sees none of the blocks made through it: the report says so, rather
 * than read as a clean one.  Its path, "" when libleak's malloc is the one. */
char ll_alloc_hidden[256];

void ll_alloc_hidden_init(void)
{
    struct link_map *lm = ll_malloc_ahead();
    ll_alloc_hidden[0] = 0;
    if (!lm)                                            /* ours: the usual case */
        return;
    const size_t cap = sizeof ll_alloc_hidden - 1;
    if (lm->l_prev && lm->l_name[0]) {
        size_t n = strnlen(lm->l_name, cap);
        memcpy(ll_alloc_hidden, lm->l_name, n);
        ll_alloc_hidden[n] = 0;
        return;
    }
    ssize_t n = readlink("/proc/self/exe", ll_alloc_hidden, cap);   /* the program's */
    if (n <= 0)
        strcpy(ll_alloc_hidden, "the program");
    else
        ll_alloc_hidden[n] = 0;
}
