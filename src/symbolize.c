/* symbolize.c - return address -> function, file:line, object, offset.
 *
 * libdw is dlopen'ed here, at report time, and never linked: the traced
 * program must not map it (nor libelf, libz, ...) while it runs.  Without
 * libdw, or where it knows nothing, dladdr gives what the dynamic symbol
 * tables say.  Results are cached by pc for the session; every string handed
 * out lives until ll_sym_end() (dwfl's own strings live until dwfl_end).
 *
 * A session runs in one thread, with ll_guard set by the caller, so plain
 * malloc/free here go untracked to the real allocator.
 */
#include "ll.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- libdw, resolved by hand ------------------------------------------- */
#define LL_DW_FUNCS(X)                                                    \
    X(dwfl_begin) X(dwfl_end) X(dwfl_report_begin) X(dwfl_report_end)     \
    X(dwfl_linux_proc_report) X(dwfl_linux_proc_find_elf)                 \
    X(dwfl_standard_find_debuginfo) X(dwfl_addrmodule) X(dwfl_module_info) \
    X(dwfl_module_getelf) X(dwfl_module_getsymtab)                        \
    X(dwfl_module_getsym_info) X(dwfl_module_getsrc)                      \
    X(dwfl_lineinfo) X(dwfl_module_addrdie) X(dwarf_getscopes)            \
    X(dwarf_tag) X(dwarf_attr_integrate) X(dwarf_formstring)              \
    X(dwarf_diename) X(dwarf_child) X(dwarf_siblingof) X(dwarf_haspc)     \
    X(dwarf_hasattr)

static struct {
    void *lib;                /* kept across sessions: dlclose at exit buys nothing */
    int tried;
#define LL_DW_DECL(f) __typeof__(f) *f;
    LL_DW_FUNCS(LL_DW_DECL)
#undef LL_DW_DECL
} dw;

static Dwfl_Callbacks dw_callbacks;   /* dwfl keeps a pointer to it */
static Dwfl *dwfl;                    /* NULL: dladdr only */

/* ---- the session's caches: open addressing, power-of-two sizes ---------- */
static struct ll_frame *frames;       /* keyed by pc; pc 0 marks a free slot */
static size_t frames_cap, frames_used;

struct name { const char *raw; char *nice; };  /* demangled, keyed by pointer */
static struct name *names;
static size_t names_cap, names_used;

static char *(*cxa_demangle)(const char *, char *, size_t *, int *);

static size_t hash_ptr(uintptr_t k, size_t cap)
{
    return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static int dw_load(void)
{
    if (dw.tried)
        return dw.lib != NULL;
    dw.tried = 1;
    void *lib = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return 0;
#define LL_DW_SYM(f) if (!(*(void **)&dw.f = dlsym(lib, #f))) goto fail;
    LL_DW_FUNCS(LL_DW_SYM)
#undef LL_DW_SYM
    dw.lib = lib;
    return 1;
fail:
    dlclose(lib);
    return 0;
}

/* Report every object mapped in this process to a fresh dwfl. */
static Dwfl *dw_session(void)
{
    dw_callbacks.find_elf = dw.dwfl_linux_proc_find_elf;
    dw_callbacks.find_debuginfo = dw.dwfl_standard_find_debuginfo;
    Dwfl *d = dw.dwfl_begin(&dw_callbacks);
    if (!d)
        return NULL;
    dw.dwfl_report_begin(d);
    if (dw.dwfl_linux_proc_report(d, getpid()) != 0 ||
        dw.dwfl_report_end(d, NULL, NULL) != 0) {
        dw.dwfl_end(d);
        return NULL;
    }
    return d;
}

/* ---- names -------------------------------------------------------------- */
static int is_hex16(const char *s)
{
    for (int i = 0; i < 16; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[16] == '\0';
}

/* Rust legacy symbols demangle to "path::h<16 hex>"; the hash is noise. */
static void strip_rust_hash(const char *raw, char *s)
{
    size_t n = strlen(s);
    if (strncmp(raw, "_ZN", 3) == 0 && n > 19 &&
        memcmp(s + n - 19, "::h", 3) == 0 && is_hex16(s + n - 16))
        s[n - 19] = '\0';
}

static char *demangle(const char *raw)
{
    int status = -1;
    char *s = cxa_demangle(raw, NULL, NULL, &status);
    if (status != 0) {
        free(s);
        return NULL;
    }
    strip_rust_hash(raw, s);
    return s;
}

static int names_grow(void)
{
    struct name *old = names;
    size_t old_cap = names_cap, cap = old_cap * 2;
    struct name *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].raw)
            continue;
        size_t h = hash_ptr((uintptr_t)old[i].raw, cap);
        while (t[h].raw)
            h = (h + 1) & (cap - 1);
        t[h] = old[i];
    }
    free(old);
    names = t, names_cap = cap;
    return 0;
}

/* The name to show for raw.  Demangling is cached by the raw pointer since
 * symbol strings are shared by every pc of a function. */
static const char *nice_name(const char *raw)
{
    if (!raw || raw[0] != '_' || raw[1] != 'Z' || !cxa_demangle || !names)
        return raw;
    if (names_used * 2 >= names_cap && names_grow() != 0)
        return raw;
    size_t h = hash_ptr((uintptr_t)raw, names_cap);
    while (names[h].raw && names[h].raw != raw)
        h = (h + 1) & (names_cap - 1);
    if (!names[h].raw) {
        names[h].raw = raw;
        names[h].nice = demangle(raw);
        names_used++;
    }
    return names[h].nice ? names[h].nice : raw;
}

/* ---- per-module function symbols ----------------------------------------
 * dwfl_module_addrinfo scans the whole symbol table on every call (seconds
 * for 100,000 pcs in libc); a sorted copy per module answers in log n. */
struct sym {
    uintptr_t lo, size;
    const char *name;
    unsigned rank;
    int scope;                /* 0 not looked for, 1 in fn, -1 none found */
    Dwarf_Die fn;             /* the function's DIE, found once per symbol */
};
struct mod {
    struct mod *next;
    uintptr_t bias;           /* load bias: run-time minus link-time address */
    size_t n;
    struct sym *syms;         /* sorted by lo, one per address */
};
static struct mod *mods;      /* every struct mod of the session */

static int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return (int)y->rank - (int)x->rank;      /* best first */
}

/* Aliases share an address: prefer a sized symbol, then global over weak
 * over local (malloc rather than __libc_malloc's local twin). */
static unsigned sym_rank(const GElf_Sym *s)
{
    unsigned bind = GELF_ST_BIND(s->st_info);
    return (s->st_size ? 4u : 0u) +
           (bind == STB_GLOBAL ? 2u : bind == STB_WEAK ? 1u : 0u);
}

static void mod_symbols(Dwfl_Module *m, struct mod *md)
{
    int n = dw.dwfl_module_getsymtab(m);
    if (n <= 1 || !(md->syms = malloc((size_t)n * sizeof *md->syms)))
        return;
    size_t k = 0;
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr lo;
        GElf_Word shndx;
        const char *name = dw.dwfl_module_getsym_info(m, i, &s, &lo, &shndx,
                                                      NULL, NULL);
        unsigned type = name ? GELF_ST_TYPE(s.st_info) : STT_NOTYPE;
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !name[0] ||
            s.st_shndx == SHN_UNDEF || shndx == (GElf_Word)-1)
            continue;
        md->syms[k++] = (struct sym){ lo, s.st_size, name, sym_rank(&s), 0,
                                      { 0 } };
    }
    qsort(md->syms, k, sizeof *md->syms, sym_cmp);
    size_t u = 0;             /* keep the best symbol at each address */
    for (size_t i = 0; i < k; i++)
        if (u == 0 || md->syms[u - 1].lo != md->syms[i].lo)
            md->syms[u++] = md->syms[i];
    md->n = u;
}

static struct mod *mod_get(Dwfl_Module *m, const char **path)
{
    void **ud;
    Dwarf_Addr start;
    *path = dw.dwfl_module_info(m, &ud, &start, NULL, NULL, NULL, NULL, NULL);
    if (*ud)
        return *ud;
    struct mod *md = calloc(1, sizeof *md);
    if (!md)
        return NULL;
    /* The bias is what addr2line -e object needs subtracted: the object's
     * base for PIE and shared objects, 0 for fixed executables. */
    GElf_Addr bias;
    md->bias = dw.dwfl_module_getelf(m, &bias) ? bias : start;
    mod_symbols(m, md);
    md->next = mods, mods = md;
    return *ud = md;
}

/* The function containing addr, or NULL (padding, unknown code). */
static struct sym *mod_symbol(const struct mod *md, uintptr_t addr)
{
    size_t lo = 0, hi = md->n;              /* first sym with lo > addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (md->syms[mid].lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* The nearest one, or an enclosing one a few entries back (a function
     * with symbols inside it); a sizeless symbol covers up to the next. */
    for (size_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
        struct sym *s = &md->syms[i - 1];
        if ((s->size == 0 && i == lo) || addr - s->lo < s->size)
            return s;
    }
    return NULL;
}

static void mods_free(void)
{
    while (mods) {
        struct mod *next = mods->next;
        free(mods->syms);
        free(mods);
        mods = next;
    }
}

/* ---- libdw lookup -------------------------------------------------------- */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    const char *s = NULL;
    if (dw.dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
        dw.dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
        s = dw.dwarf_formstring(&a);
    return s ? s : dw.dwarf_diename(die);
}

/* Innermost inlined call under die containing a (DWARF address).  Blocks
 * without addresses of their own are searched too: their children may
 * have some. */
static int inlined_under(Dwarf_Die *die, Dwarf_Addr a, const char **name,
                         int depth)
{
    Dwarf_Die c;
    if (depth > 32 || dw.dwarf_child(die, &c) != 0)
        return 0;
    do {
        int tag = dw.dwarf_tag(&c);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block)
            continue;
        if (dw.dwarf_haspc(&c, a) == 1) {
            if (tag == DW_TAG_inlined_subroutine)
                *name = die_name(&c);
            inlined_under(&c, a, name, depth + 1);
            return 1;
        }
        if (tag == DW_TAG_lexical_block &&
            !dw.dwarf_hasattr(&c, DW_AT_low_pc) &&
            !dw.dwarf_hasattr(&c, DW_AT_ranges) &&
            inlined_under(&c, a, name, depth + 1))
            return 1;
    } while (dw.dwarf_siblingof(&c, &c) == 0);
    return 0;
}

/* The DIE of the function at a, looked up once per symbol: dwarf_getscopes
 * walks the whole CU (tens of microseconds in libc). */
static Dwarf_Die *function_die(Dwfl_Module *m, struct sym *s, Dwarf_Addr a,
                               Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dw.dwfl_module_addrdie(m, a, bias);
    if (!cu)
        return NULL;
    if (s->scope == 0) {
        Dwarf_Die *scopes = NULL;
        int n = dw.dwarf_getscopes(cu, a - *bias, &scopes);
        s->scope = -1;
        for (int i = 0; i < n; i++)
            if (dw.dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
                s->fn = scopes[i], s->scope = 1;
                break;
            }
        free(scopes);
    }
    return s->scope > 0 ? &s->fn : NULL;
}

/* The line table describes the innermost inlined function at a; name that
 * function too, or "f at g.h:12" would mix two functions. */
static const char *inlined_name(Dwfl_Module *m, struct sym *s, Dwarf_Addr a)
{
    Dwarf_Addr bias;
    Dwarf_Die *fn = function_die(m, s, a, &bias);
    const char *name = NULL;
    if (fn && dw.dwarf_haspc(fn, a - bias) == 1)
        inlined_under(fn, a - bias, &name, 0);
    return name;
}

static void dw_lookup(uintptr_t pc, struct ll_frame *f)
{
    Dwarf_Addr addr = pc - 1;
    Dwfl_Module *m = dw.dwfl_addrmodule(dwfl, addr);
    struct mod *md = m ? mod_get(m, &f->object) : NULL;
    if (!md)
        return;
    f->offset = pc - md->bias;
    struct sym *s = mod_symbol(md, addr);
    f->function = s ? s->name : NULL;
    Dwfl_Line *line = dw.dwfl_module_getsrc(m, addr);
    Dwarf_Addr la;
    int lineno = 0;
    const char *file = line ? dw.dwfl_lineinfo(line, &la, &lineno, NULL,
                                               NULL, NULL) : NULL;
    if (!file || lineno <= 0)
        return;
    f->file = file, f->line = lineno;
    const char *inl = s ? inlined_name(m, s, addr) : NULL;
    if (inl)
        f->function = inl;
}

/* ---- dladdr fallback ------------------------------------------------------ */
/* dladdr names the main program by argv[0], which may be anything. */
static const char *main_program(void)
{
    static char path[4096];   /* the same for the life of the process */
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        path[n > 0 ? n : 0] = '\0';
    }
    return path[0] ? path : NULL;
}

static void dl_lookup(uintptr_t pc, struct ll_frame *f)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (!dladdr1((void *)(pc - 1), &info, (void **)&map, RTLD_DL_LINKMAP))
        return;
    if (!f->function)
        f->function = info.dli_sname;
    if (f->object)
        return;               /* libdw's module and offset stand */
    f->object = map && map->l_name[0] == '\0' ? main_program()
                                              : info.dli_fname;
    /* l_addr, not dli_fbase: they differ for fixed-address executables */
    f->offset = pc - (map ? map->l_addr : (uintptr_t)info.dli_fbase);
}

static void resolve(uintptr_t pc, struct ll_frame *f)
{
    memset(f, 0, sizeof *f);
    f->pc = pc;
    if (pc < 2)
        return;               /* nothing precedes it; pc - 1 is no code */
    if (dwfl)
        dw_lookup(pc, f);
    if (!f->function || !f->object)
        dl_lookup(pc, f);
    f->function = nice_name(f->function);
}

/* ---- the pc cache ----------------------------------------------------------- */
static int frames_grow(void)
{
    struct ll_frame *old = frames;
    size_t old_cap = frames_cap, cap = old_cap * 2;
    struct ll_frame *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].pc)
            continue;
        size_t h = hash_ptr(old[i].pc, cap);
        while (t[h].pc)
            h = (h + 1) & (cap - 1);
        t[h] = old[i];
    }
    free(old);
    frames = t, frames_cap = cap;
    return 0;
}

void ll_sym_lookup(uintptr_t pc, struct ll_frame *out)
{
    /* pc 0 cannot be a key; without a table (no session, out of memory)
     * answer uncached. */
    if (!pc || !frames ||
        (frames_used * 2 >= frames_cap && frames_grow() != 0)) {
        resolve(pc, out);
        return;
    }
    size_t h = hash_ptr(pc, frames_cap);
    while (frames[h].pc && frames[h].pc != pc)
        h = (h + 1) & (frames_cap - 1);
    if (!frames[h].pc) {
        resolve(pc, &frames[h]);
        frames_used++;
    }
    *out = frames[h];
}

/* ---- the session --------------------------------------------------------- */
void ll_sym_begin(void)
{
    ll_sym_end();
    frames_cap = 1024;
    frames = calloc(frames_cap, sizeof *frames);
    names_cap = 256;
    names = calloc(names_cap, sizeof *names);
    if (!frames || !names) {
        ll_sym_end();
        return;
    }
    *(void **)&cxa_demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
    if (dw_load())
        dwfl = dw_session();
}

void ll_sym_end(void)
{
    if (dwfl)
        dw.dwfl_end(dwfl);
    dwfl = NULL;
    mods_free();
    for (size_t i = 0; names && i < names_cap; i++)
        free(names[i].nice);
    free(names);
    free(frames);
    names = NULL, frames = NULL;
    names_cap = names_used = frames_cap = frames_used = 0;
}
