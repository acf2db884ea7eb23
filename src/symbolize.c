/* symbolize.c - return address -> function, file:line, object, offset.
 *
 * libdw is dlopen'ed here, at report time, and never linked: the traced
 * program must not map it (nor libelf, libz, ...) while it runs.  Without
 * libdw, or where it knows nothing, dladdr gives what the dynamic symbol
 * tables say.  Results are cached by pc for the session; every string handed
 * out lives until ll_sym_end() (dwfl's own strings live until dwfl_end).
 *
 * Per pc, libdw gives the module, the line and (from DWARF) the inlined
 * function, and the functions it was inlined into with the line of each
 * call (ll_frame.callers, as addr2line -i lists them: a student's helper
 * inlined into main at -O2 would otherwise hide main); function symbols
 * come from our own sorted copy of each
 * module's symbol table, because dwfl_module_addrinfo scans the whole table
 * on every call.  DWARF is read only where it is cheap or wanted: see
 * "which objects get DWARF" below.
 *
 * A session runs in one thread, with ll_guard set by the caller, so plain
 * malloc/free here go untracked to the real allocator.
 */
#include "ll.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int session;                   /* between ll_sym_begin and _end */
static char *(*cxa_demangle)(const char *, char *, size_t *, int *);

/* ---- hash tables: open addressing, power-of-two sizes ---------------------
 * Entries begin with a non-zero uintptr_t key; 0 marks a free slot. */
struct table { char *v; size_t size, cap, used; };
static struct table frames = { .size = sizeof(struct ll_frame) }; /* by pc */
struct name { const char *raw; char *nice; };
static struct table names = { .size = sizeof(struct name) };  /* by raw */
static struct table paths = { .size = sizeof(struct name) };  /* by raw */

static uintptr_t key_at(const char *v, size_t size, size_t i)
{
    uintptr_t k;
    memcpy(&k, v + i * size, sizeof k);
    return k;
}

static size_t probe(const char *v, size_t size, size_t cap, uintptr_t k)
{
    size_t h = (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
    uintptr_t at;
    while ((at = key_at(v, size, h)) && at != k)
        h = (h + 1) & (cap - 1);
    return h;
}

static int table_grow(struct table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    char *v = calloc(cap, t->size);
    if (!v)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        uintptr_t k = key_at(t->v, t->size, i);
        if (k)
            memcpy(v + probe(v, t->size, cap, k) * t->size,
                   t->v + i * t->size, t->size);
    }
    free(t->v);
    t->v = v, t->cap = cap;
    return 0;
}

/* The entry for k; a new one is zeroed but for its key and sets *fresh.
 * NULL when out of memory. */
static void *table_slot(struct table *t, uintptr_t k, int *fresh)
{
    if (t->used * 2 >= t->cap && table_grow(t) != 0)
        return NULL;
    char *e = t->v + probe(t->v, t->size, t->cap, k) * t->size;
    *fresh = key_at(e, t->size, 0) == 0;
    if (*fresh) {
        memcpy(e, &k, sizeof k);
        t->used++;
    }
    return e;
}

static void table_free(struct table *t)
{
    free(t->v);
    t->v = NULL, t->cap = t->used = 0;
}

/* ---- libdw, resolved by hand ------------------------------------------- */
#define LL_DW_FUNCS(X)                                                    \
    X(dwfl_begin) X(dwfl_end) X(dwfl_report_begin) X(dwfl_report_end)     \
    X(dwfl_linux_proc_report) X(dwfl_linux_proc_find_elf)                 \
    X(dwfl_standard_find_debuginfo) X(dwfl_addrmodule) X(dwfl_module_info) \
    X(dwfl_module_getelf) X(dwfl_module_getsymtab)                        \
    X(dwfl_module_getsym_info) X(dwfl_module_getsrc)                      \
    X(dwfl_lineinfo) X(dwfl_module_addrdie) X(dwarf_haspc)                \
    X(dwarf_tag) X(dwarf_attr_integrate) X(dwarf_formstring)              \
    X(dwarf_diename) X(dwarf_child) X(dwarf_siblingof) X(dwarf_ranges)    \
    X(dwfl_module_getdwarf) X(elf_getscn) X(gelf_getshdr)                 \
    X(dwfl_line_comp_dir) X(dwfl_report_begin_add) X(dwfl_report_elf)     \
    X(dwfl_build_id_find_debuginfo) X(dwarf_formudata)                   \
    X(dwarf_getsrcfiles) X(dwarf_filesrc) X(dwfl_module_nextcu)           \
    X(dwarf_getsrc_die) X(dwarf_lineno) X(dwarf_linecol) X(dwarf_linesrc) \
    X(dwarf_cu_info)

static struct {
    void *lib;                /* stays loaded: unloading at exit buys nothing */
    int tried;
#define LL_DW_DECL(f) __typeof__(f) *f;
    LL_DW_FUNCS(LL_DW_DECL)
#undef LL_DW_DECL
} dw;

static Dwfl_Callbacks dw_callbacks;   /* dwfl keeps a pointer to it */
static Dwfl *dwfl;                    /* NULL: dladdr only */

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

/* Objects the program loaded and dlclosed before the report (modules.c
 * remembers them) are reported again from their files, at their old
 * address: to the live session where that range is free, else (something
 * else is mapped there now: a library loaded in its place, or libdw itself,
 * loaded for this report into the hole) to a second session, or a third
 * where that one holds an object at the same place already.  A stack's pc
 * goes to the session of the newest entry holding it that is no newer than
 * the stack (ll_sym_key): the object that was mapped there when the stack
 * was captured. */
#define LL_LAYERS 4                   /* the live session and 3 more */
#define LL_KEY_SHIFT 60               /* user-space pcs fit below, 5-level paging too */
static Dwfl *layer[LL_LAYERS];        /* [0] is dwfl */
static struct { uintptr_t lo, hi; unsigned layer; } shadow[64];
static size_t nshadow;
static uint8_t mod_layer[LL_MAX_MODULES];

/* 1 if m's range is that of the object d has there (by path). */
static int range_own(Dwfl *d, const struct ll_module *m)
{
    Dwfl_Module *o = dw.dwfl_addrmodule(d, m->lo);
    if (!o)
        o = dw.dwfl_addrmodule(d, m->hi - 1);
    if (!o)
        return -1;
    const char *name = dw.dwfl_module_info(o, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    return name && !strcmp(name, m->path);
}

static int layer_free(unsigned k, const struct ll_module *m)
{
    for (size_t i = 0; i < nshadow; i++)
        if (shadow[i].layer == k && m->lo < shadow[i].hi && shadow[i].lo < m->hi)
            return 0;
    return 1;
}

static void dw_report_into(Dwfl **d, int *begun, const struct ll_module *m)
{
    if (!*d && !(*d = dw.dwfl_begin(&dw_callbacks)))
        return;
    if (!*begun) {
        dw.dwfl_report_begin_add(*d);
        *begun = 1;
    }
    const char *base = strrchr(m->path, '/');
    dw.dwfl_report_elf(*d, base + 1, m->path, -1, m->base, false);
}

static void dw_report_closed(Dwfl *d)
{
    const struct ll_module *m;
    ll_modules_settle();
    size_t n = ll_modules_get(&m);
    int begun[LL_LAYERS] = { 0 };
    layer[0] = d;
    for (size_t i = 0; i < n && i < LL_MAX_MODULES; i++) {
        mod_layer[i] = 0;
        /* Loaded now: the live session has it, whatever path the loader
         * and /proc each give it (/lib or /usr/lib on a merged /usr). */
        if (m[i].path[0] != '/' || ll_modules_alive(i) ||
            nshadow == sizeof(shadow) / sizeof(shadow[0]))
            continue;
        int own = range_own(d, &m[i]);
        if (own == 1)
            continue;                 /* still loaded */
        unsigned k = own < 0 ? 0 : 1; /* a free range, else a second session */
        while (k < LL_LAYERS && !layer_free(k, &m[i]))
            k++;
        if (k == LL_LAYERS)
            continue;
        dw_report_into(&layer[k], &begun[k], &m[i]);
        shadow[nshadow].lo = m[i].lo;
        shadow[nshadow].hi = m[i].hi;
        shadow[nshadow++].layer = k;
        mod_layer[i] = (uint8_t)k;
    }
    for (unsigned k = 0; k < LL_LAYERS; k++)
        if (begun[k])
            dw.dwfl_report_end(layer[k], NULL, NULL);
}

uintptr_t ll_sym_key(uintptr_t pc, unsigned epoch)
{
    uintptr_t exact = pc & LL_PC_EXACT;       /* kept apart from the layer */
    pc &= ~LL_PC_EXACT;
    size_t i = nshadow && pc >> 56 == 0 ? ll_modules_at(pc, epoch) : SIZE_MAX;
    if (i != SIZE_MAX)
        return pc | (uintptr_t)mod_layer[i] << LL_KEY_SHIFT | exact;
    return pc | exact;
}

/* The layer a key names (0: none, the key is a plain pc), and its pc.  A
 * garbage pc with high bits set reads as itself: bits 56-59 are clear in a
 * key, and its layer has a session. */
static unsigned key_split(uintptr_t key, uintptr_t *pc)
{
    unsigned k = (unsigned)(key >> LL_KEY_SHIFT);
    int marked = k && k < LL_LAYERS && layer[k] && !(key >> 56 & 0xf);
    *pc = marked ? key & ((1ull << LL_KEY_SHIFT) - 1) : key;
    return marked ? k : 0;
}

/* The session that knows key's pc, and the pc. */
static Dwfl *dw_for(uintptr_t key, uintptr_t *pc)
{
    unsigned k = key_split(key, pc);
    return k ? layer[k] : dwfl;
}

/* ---- separate debug files, never from the network ----------------------
 * dwfl_standard_find_debuginfo's last resort is debuginfod: for every
 * stripped object without a local debug file (git, libsqlite3, ...) it
 * dlopens libdebuginfod, which maps libcurl, gnutls, kerberos and 20 more
 * libraries (~20 ms and MBs of RSS at every exit), and with DEBUGINFOD_URLS
 * set it downloads whole debug files.  So: the build-id file that distros
 * install (/usr/lib/debug/.build-id/xx/...), and the standard search by
 * .gnu_debuglink name only when a file it could find exists. */
static int debug_file_in(const char *file, const char *link)
{
    static const char *const where[] = { "%.*s/%s", "%.*s/.debug/%s",
                                         "/usr/lib/debug%.*s/%s" };
    const char *slash = strrchr(file, '/');
    char path[4096];
    for (size_t i = 0; slash && i < sizeof where / sizeof where[0]; i++) {
        snprintf(path, sizeof path, where[i], (int)(slash - file), file, link);
        if (access(path, F_OK) == 0)
            return 1;
    }
    return 0;
}

static int debuglink_exists(const char *file, const char *link)
{
    if (!link || !file)
        return 0;
    if (link[0] == '/')       /* a dwz file (.gnu_debugaltlink) */
        return access(link, F_OK) == 0;
    char *canon = realpath(file, NULL);     /* /lib -> /usr/lib */
    int found = debug_file_in(file, link) || (canon && debug_file_in(canon, link));
    free(canon);
    return found;
}

static int find_debuginfo(Dwfl_Module *m, void **ud, const char *name,
                          Dwarf_Addr base, const char *file, const char *link,
                          GElf_Word crc, char **out)
{
    int fd = dw.dwfl_build_id_find_debuginfo(m, ud, name, base, file, link,
                                             crc, out);
    if (fd >= 0 || !debuglink_exists(file, link))
        return fd;
    return dw.dwfl_standard_find_debuginfo(m, ud, name, base, file, link,
                                           crc, out);
}

/* /proc/PID/maps writes a newline in a path as the four bytes "\012" (and
 * a backslash as itself), so an object whose path holds one is named that
 * way and its file is not found: then the name with each "\012" read as a
 * newline is tried. */
static int find_elf(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr base,
                    char **file, Elf **elf)
{
    int fd = dw.dwfl_linux_proc_find_elf(m, ud, name, base, file, elf);
    if (fd >= 0 || *elf || name[0] != '/' || !strstr(name, "\\012"))
        return fd;
    char real[4096];
    size_t k = 0;
    for (const char *s = name; *s && k + 1 < sizeof real; k++)
        if (!strncmp(s, "\\012", 4))
            real[k] = '\n', s += 4;
        else
            real[k] = *s++;
    real[k] = '\0';
    return dw.dwfl_linux_proc_find_elf(m, ud, real, base, file, elf);
}

/* Report every object mapped in this process to a fresh dwfl. */
static Dwfl *dw_session(void)
{
    dw_callbacks.find_elf = find_elf;
    dw_callbacks.find_debuginfo = find_debuginfo;
    Dwfl *d = dw.dwfl_begin(&dw_callbacks);
    if (!d)
        return NULL;
    dw.dwfl_report_begin(d);
    /* By thread id: /proc/PID/maps reads empty once the main thread has
     * called pthread_exit() (see ll_proc_open). */
    if (dw.dwfl_linux_proc_report(d, gettid()) != 0 ||
        dw.dwfl_report_end(d, NULL, NULL) != 0) {
        dw.dwfl_end(d);
        return NULL;
    }
    dw_report_closed(d);
    return d;
}

/* ---- names -------------------------------------------------------------- */
/* Rust legacy symbols demangle to "path::h<16 hex>"; the hash is noise. */
static void strip_rust_hash(const char *raw, char *s)
{
    size_t n = strlen(s);
    if (strncmp(raw, "_ZN", 3) == 0 && n > 19 &&
        memcmp(s + n - 19, "::", 2) == 0 && ll_rust_is_hash(s + n - 17, 17))
        s[n - 19] = '\0';
}

/* A program linked with -static-libstdc++ exports no __cxa_demangle, and
 * its C++ names read _ZNSt10shared_ptr...: libstdc++'s shared copy is
 * loaded for it, once, at the first C++ name (a Rust name, first tried
 * below, never loads it).  Local: nothing of the program binds to it. */
static void *cxa_lib;

static int cxa_load(void)
{
    static int tried;
    if (!tried) {
        tried = 1;
        cxa_lib = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
    }
    if (cxa_lib)
        *(void **)&cxa_demangle = dlsym(cxa_lib, "__cxa_demangle");
    return cxa_demangle != NULL;
}

static char *demangle(const char *raw)
{
    if (raw[1] == 'R')              /* Rust's v0 scheme: not Itanium's */
        return ll_demangle_rust_v0(raw);
    if (!cxa_demangle) {
        char *rust = ll_demangle_rust(raw);
        if (rust || !cxa_load())
            return rust;
    }
    int status = -1;
    char *s = cxa_demangle ? cxa_demangle(raw, NULL, NULL, &status) : NULL;
    if (status != 0) {
        free(s);
        /* a Rust program has no libstdc++: its own reader, then */
        return ll_demangle_rust(raw);
    }
    strip_rust_hash(raw, s);
    return s;
}

static int is_mangled(const char *s)
{
    return s[0] == '_' && (s[1] == 'Z' || s[1] == 'R');
}

/* raw without its symbol version ("getservent_r@@GLIBC_2.2.5" in .symtab),
 * demangled; NULL if that changes nothing. */
static char *make_nice(const char *raw)
{
    const char *at = strchr(raw, '@');
    char *bare = at ? strndup(raw, (size_t)(at - raw)) : NULL;
    char *d = is_mangled(bare ? bare : raw) ? demangle(bare ? bare : raw)
                                            : NULL;
    if (!d)
        return bare;
    free(bare);
    return d;
}

/* The name to show for raw, cached by the raw pointer: every pc of a
 * function shares its symbol string. */
static const char *nice_name(const char *raw)
{
    int fresh;
    struct name *n;
    if (!raw || !session || (!is_mangled(raw) && !strchr(raw, '@')) ||
        !(n = table_slot(&names, (uintptr_t)raw, &fresh)))
        return raw;
    if (fresh)
        n->nice = make_nice(raw);
    return n->nice ? n->nice : raw;
}

/* ---- file names -------------------------------------------------------- */
/* raw, absolute, with every "." and "dir/.." taken out (lexically). */
static char *path_tidy(const char *raw)
{
    char *out = malloc(strlen(raw) + 2);
    size_t len = 0;                       /* out: "/a/b", no '/' at the end */
    if (!out)
        return NULL;
    for (const char *p = raw; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchrnul(p, '/');
        size_t k = (size_t)(e - p);
        if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[--len] != '/')
                ;
        } else if (k > 0 && !(k == 1 && p[0] == '.')) {
            out[len++] = '/';
            memcpy(out + len, p, k);
            len += k;
        }
        p = e;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
           x.st_ino == y.st_ino;
}

/* clang names the C++ headers from its own directory,
 * "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/
 * stl_vector.h": shown as "/usr/include/c++/12/bits/stl_vector.h".  Only
 * when both name the same file: through a symbolic link "dir/.." is not
 * where dir's parent is.  Cached by the raw pointer, as names are. */
static const char *nice_path(const char *raw)
{
    int fresh;
    struct name *n;
    if (!raw || !session || raw[0] != '/' || !strstr(raw, "/.") ||
        !(n = table_slot(&paths, (uintptr_t)raw, &fresh)))
        return raw;
    if (fresh) {
        n->nice = path_tidy(raw);
        if (n->nice && (!strcmp(n->nice, raw) || !same_file(raw, n->nice))) {
            free(n->nice);
            n->nice = NULL;
        }
    }
    return n->nice ? n->nice : raw;
}

/* ---- per-module function symbols ----------------------------------------
 * dwfl_module_addrinfo scans the whole symbol table on every call (30 s for
 * 100,000 pcs in libc); a sorted copy per module answers in log n. */
struct span {
    Dwarf_Addr lo, hi;
    const char *name;
    unsigned depth;
    const char *call_file;    /* where the caller calls it: NULL if unknown */
    int call_line, call_col;
};
struct sym {
    uintptr_t lo, size;
    const char *name;
    unsigned rank;
    int sizeless;             /* size runs to the section end, or next sym */
    int nspans;               /* -1 until the function's DWARF is read, */
                              /* -2 if it cannot be (a missing .dwo) */
    struct span *spans;       /* its inlined calls' address ranges */
};
struct cu_span { Dwarf_Addr lo, hi; Dwarf_Die *cu; };
struct mod {
    struct mod *next;
    uintptr_t bias;           /* load bias: run-time minus link-time address */
    int dwarf;                /* lines and inlined functions from libdw */
    int ncus;                 /* -1 until cus is made (see mod_cu) */
    struct cu_span *cus;      /* every CU's address ranges, sorted by lo */
    size_t n;
    struct sym *syms;         /* sorted by lo, one per address */
};
static struct mod *mods;      /* every struct mod of the session */

static int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;  /* best first */
    return strcmp(x->name, y->name);        /* then the same every run */
}

/* Aliases share an address: prefer a sized symbol, then global over weak
 * over local, then the fewest leading underscores (malloc rather than
 * __libc_malloc). */
static unsigned sym_rank(const GElf_Sym *s, const char *name)
{
    unsigned bind = GELF_ST_BIND(s->st_info);
    unsigned r = bind == STB_GLOBAL ? 6u : bind == STB_WEAK ? 3u : 0u;
    r += name[0] != '_' ? 2u : name[1] != '_' ? 1u : 0u;
    return r + (s->st_size ? 9u : 0u);
}

/* Bytes from a sizeless symbol (_start, crtstuff's helpers, assembly) to
 * its section's end; 0 if unknown.  Merely "up to the next symbol" would
 * name the PLT stubs after _init. */
static uintptr_t section_rest(const GElf_Sym *s, Elf *elf, GElf_Word shndx)
{
    GElf_Shdr sh;
    Elf_Scn *scn = elf ? dw.elf_getscn(elf, shndx) : NULL;
    if (!scn || !dw.gelf_getshdr(scn, &sh) || s->st_value < sh.sh_addr ||
        s->st_value >= sh.sh_addr + sh.sh_size)
        return 0;
    return sh.sh_addr + sh.sh_size - s->st_value;
}

/* Sort by address, keep the best name at each, end sizeless symbols at
 * the next one. */
static size_t syms_finish(struct sym *v, size_t k)
{
    qsort(v, k, sizeof *v, sym_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || v[u - 1].lo != v[i].lo)
            v[u++] = v[i];
    for (size_t i = 0; i + 1 < u; i++)
        if (v[i].sizeless && v[i + 1].lo - v[i].lo < v[i].size)
            v[i].size = v[i + 1].lo - v[i].lo;
    return u;
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
        Elf *elf;
        const char *name = dw.dwfl_module_getsym_info(m, i, &s, &lo, &shndx,
                                                      &elf, NULL);
        unsigned type = name ? GELF_ST_TYPE(s.st_info) : STT_NOTYPE;
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !name[0] ||
            s.st_shndx == SHN_UNDEF || shndx == (GElf_Word)-1)
            continue;
        uintptr_t size = s.st_size ? s.st_size : section_rest(&s, elf, shndx);
        if (size)
            md->syms[k++] = (struct sym){ .lo = lo, .size = size,
                                          .name = name, .nspans = -1,
                                          .sizeless = s.st_size == 0,
                                          .rank = sym_rank(&s, name) };
    }
    md->n = syms_finish(md->syms, k);
}

/* ---- which objects get DWARF ----------------------------------------------
 * The first time libdw reads any DWARF of a file, it decompresses all of
 * its .debug_* sections.  For libc's debug file from libc6-dbg (which
 * Valgrind pulls in) that is ~60 ms and ~25 MB of RSS in every process that
 * reports, for "malloc.c:3287" in frames whose source nobody opens.  So
 * objects whose DWARF comes from a distribution's debug package (a file
 * under /usr/lib/debug, found when their stripped symbol table sent libdw
 * looking for it) are named from symbol tables alone - that file's .symtab
 * included: it is not compressed, and libc's static functions keep their
 * names.  DWARF in the object's own file (built with -g), in a debug file
 * of the user's own next to it, or for the main program stays. */
static const char *main_program(void);

static int wants_dwarf(Dwfl_Module *m)
{
    const char *file = NULL, *debug = NULL, *exe = main_program();
    dw.dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &file, &debug);
    return !debug || strncmp(debug, "/usr/lib/debug/", 15) != 0 ||
           (file && exe && !strcmp(file, exe));
}

/* Our data for module m, made on first use; *path gets its file name. */
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
    md->dwarf = wants_dwarf(m);     /* after the symbols: see above */
    md->ncus = -1;
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
     * with symbols inside it). */
    for (size_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
        struct sym *s = &md->syms[i - 1];
        if (addr - s->lo < s->size)
            return s;
    }
    return NULL;
}

static void mods_free(void)
{
    while (mods) {
        struct mod *next = mods->next;
        for (size_t i = 0; i < mods->n; i++)
            free(mods->syms[i].spans);
        free(mods->syms);
        free(mods->cus);
        free(mods);
        mods = next;
    }
}

/* ---- the CU at an address, without .debug_aranges -----------------------
 * libdw (0.188) finds the CU at an address only through .debug_aranges,
 * which clang (14) does not write unless asked (-gdwarf-aranges): there
 * dwfl_module_getsrc and dwfl_module_addrdie find nothing, and a clang-built
 * program would get no file:line.  So, where they find nothing, the CUs'
 * own ranges (DW_AT_low_pc/high_pc, DW_AT_ranges) answer: read once per
 * module, the first time, into a table sorted by address (the DIEs are
 * dwfl's and live as long as the session). */
static int cu_span_cmp(const void *a, const void *b)
{
    const struct cu_span *x = a, *y = b;
    return x->lo != y->lo ? (x->lo < y->lo ? -1 : 1) : 0;
}

static void mod_cus_read(Dwfl_Module *m, struct mod *md)
{
    Dwarf_Addr bias;
    size_t n = 0, cap = 0;
    for (Dwarf_Die *cu = NULL; (cu = dw.dwfl_module_nextcu(m, cu, &bias));) {
        Dwarf_Addr base, lo, hi;
        for (ptrdiff_t o = 0; (o = dw.dwarf_ranges(cu, o, &base, &lo, &hi)) > 0;) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                struct cu_span *v = realloc(md->cus, cap * sizeof *v);
                if (!v || cap > INT_MAX)
                    goto done;
                md->cus = v;
            }
            if (lo < hi)
                md->cus[n++] = (struct cu_span){ lo, hi, cu };
        }
    }
done:
    if (n)
        qsort(md->cus, n, sizeof *md->cus, cu_span_cmp);
    md->ncus = (int)n;
}

/* The CU whose code holds a (DWARF address: module bias taken off), or NULL. */
static Dwarf_Die *mod_cu(Dwfl_Module *m, struct mod *md, Dwarf_Addr a)
{
    if (md->ncus < 0)
        mod_cus_read(m, md);
    size_t lo = 0, hi = (size_t)md->ncus;   /* first span with lo > a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (md->cus[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
        const struct cu_span *c = &md->cus[i - 1];
        if (a - c->lo < c->hi - c->lo)
            return c->cu;
    }
    return NULL;
}

/* The CU DIE around addr (module address) and the bias to take off: from
 * .debug_aranges through libdw, else from the table above. */
static Dwarf_Die *addr_cu(Dwfl_Module *m, struct mod *md, Dwarf_Addr addr,
                          Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dw.dwfl_module_addrdie(m, addr, bias);
    if (cu || !dw.dwfl_module_getdwarf(m, bias))
        return cu;
    return mod_cu(m, md, addr - *bias);
}

/* ---- inlined functions ----------------------------------------------------
 * The line table describes the innermost inlined function at a pc; name
 * that function too, or "f at g.h:12" would mix two functions, and list
 * the functions around it, each at its DW_AT_call_file:call_line.  Each
 * function's inlined calls are flattened once into address spans: asking
 * libdw per pc (dwarf_getscopes, dwarf_haspc) costs microseconds each. */
/* The (linkage) name of a function DIE or its abstract origin. */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    const char *s = NULL;
    if (dw.dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
        dw.dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
        s = dw.dwarf_formstring(&a);
    return s ? s : dw.dwarf_diename(die);
}

struct spans { struct span *v; int n, cap; Dwarf_Files *files; size_t nfiles; };
#define LL_SPAN_DEPTH 64      /* nesting of inlined calls and blocks read */

/* An unsigned attribute of die into *w; 0 if it has none. */
static int die_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *w)
{
    Dwarf_Attribute a;
    *w = 0;
    return dw.dwarf_attr_integrate(die, name, &a) && dw.dwarf_formudata(&a, w) == 0;
}

static void spans_add(struct spans *sp, Dwarf_Die *die, unsigned depth)
{
    Dwarf_Addr base, lo, hi;
    const char *name = die_name(die);
    Dwarf_Word fi, line, col;
    /* the index as DWARF writes it: dwarf_filesrc counts the same way */
    const char *call_file = die_udata(die, DW_AT_call_file, &fi) && sp->files &&
                            fi < sp->nfiles ? dw.dwarf_filesrc(sp->files, fi, NULL, NULL)
                                            : NULL;
    int call_line = die_udata(die, DW_AT_call_line, &line) && line < INT_MAX ? (int)line : 0;
    int call_col = die_udata(die, DW_AT_call_column, &col) && col < INT_MAX ? (int)col : 0;
    for (ptrdiff_t o = 0;
         name && (o = dw.dwarf_ranges(die, o, &base, &lo, &hi)) > 0;) {
        if (sp->n == sp->cap) {
            int cap = sp->cap ? sp->cap * 2 : 16;
            struct span *v = realloc(sp->v, (size_t)cap * sizeof *v);
            if (!v)
                return;
            sp->v = v, sp->cap = cap;
        }
        sp->v[sp->n++] = (struct span){ lo, hi, name, depth, call_file,
                                        call_line, call_col };
    }
}

static void spans_walk(struct spans *sp, Dwarf_Die *die, unsigned depth)
{
    Dwarf_Die c;
    if (depth > LL_SPAN_DEPTH || dw.dwarf_child(die, &c) != 0)
        return;
    do {
        int tag = dw.dwarf_tag(&c);
        if (tag == DW_TAG_inlined_subroutine)
            spans_add(sp, &c, depth);
        if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block)
            spans_walk(sp, &c, depth + 1);
    } while (dw.dwarf_siblingof(&c, &c) == 0);
}

/* The concrete DIE of the function containing a (DWARF address), found by
 * walking the CU's top level (dwarf_getscopes stops at inlined code and
 * returns abstract scopes, not the function the code was inlined into). */
static int function_die(Dwarf_Die *parent, Dwarf_Addr a, Dwarf_Die *out)
{
    if (dw.dwarf_child(parent, out) != 0)
        return 0;
    do {
        int tag = dw.dwarf_tag(out);
        if (tag == DW_TAG_subprogram && dw.dwarf_haspc(out, a) == 1)
            return 1;
        Dwarf_Die ns;
        if (tag == DW_TAG_namespace && function_die(out, a, &ns)) {
            *out = ns;
            return 1;
        }
    } while (dw.dwarf_siblingof(out, out) == 0);
    return 0;
}

/* Read the inlined calls of the function around a (DWARF address).  With
 * -gsplit-dwarf, cu is a skeleton without children: the functions are in
 * its split unit (the .dwo file, which libdw opens), whose addresses are
 * the skeleton's and whose DW_AT_call_file counts in its own file table. */
static void spans_read(struct sym *s, Dwarf_Die *cu, Dwarf_Addr a)
{
    struct spans sp = { NULL, 0, 0, NULL, 0 };
    Dwarf_Die fn, split;
    uint8_t type;
    if (dw.dwarf_cu_info(cu->cu, NULL, &type, NULL, &split, NULL, NULL, NULL) == 0 &&
        type == DW_UT_skeleton) {
        if (!split.addr || dw.dwarf_tag(&split) != DW_TAG_compile_unit) {
            s->nspans = -2;     /* no .dwo found: inlined calls unknown */
            return;
        }
        cu = &split;
    }
    if (dw.dwarf_getsrcfiles(cu, &sp.files, &sp.nfiles) != 0)
        sp.files = NULL;
    if (function_die(cu, a, &fn))
        spans_walk(&sp, &fn, 0);
    s->spans = sp.v, s->nspans = sp.n;
}

/* ---- libdw lookup ------------------------------------------------------------ */
/* The inlined calls around a (DWARF address, module bias not yet taken
 * off) into in[], outermost first; returns how many, or -1 when they
 * cannot be known.  Past max, the innermost max are kept: frame 0's line
 * is the innermost function's. */
static int inlined_chain(Dwfl_Module *m, struct mod *md, struct sym *s,
                         Dwarf_Addr a, const struct span **in, int max)
{
    if (s->nspans == -1) {
        Dwarf_Addr bias;
        Dwarf_Die *cu = addr_cu(m, md, a, &bias);
        s->nspans = 0;
        if (cu)
            spans_read(s, cu, a - bias);
    }
    if (s->nspans <= 0)
        return s->nspans < 0 ? -1 : 0;
    Dwarf_Addr bias;
    dw.dwfl_module_getdwarf(m, &bias);
    a -= bias;
    const struct span *all[LL_SPAN_DEPTH + 2];  /* one per depth at most */
    int n = 0;
    for (int i = 0; i < s->nspans && n < LL_SPAN_DEPTH + 2; i++)
        if (a >= s->spans[i].lo && a < s->spans[i].hi)
            all[n++] = &s->spans[i];
    for (int i = 1; i < n; i++)                 /* by depth: a handful */
        for (int k = i; k > 0 && all[k - 1]->depth > all[k]->depth; k--) {
            const struct span *t = all[k];
            all[k] = all[k - 1], all[k - 1] = t;
        }
    int skip = n > max ? n - max : 0;
    for (int i = skip; i < n; i++)
        in[i - skip] = all[i];
    return n - skip;
}

/* The functions the code at f was inlined into, innermost first, each at
 * the line of its call: f->callers, the last being the function that owns
 * the machine code (its symbol).  Held until ll_sym_end(). */
static void inlined_callers(struct ll_frame *f, const struct span **in, int n,
                            const char *owner)
{
    struct ll_frame *c = calloc((size_t)n, sizeof *c);
    if (!c)
        return;
    for (int j = 0; j < n; j++) {               /* in[n - 1 - j] calls f's j-th caller */
        const struct span *callee = in[n - 1 - j];
        c[j] = (struct ll_frame){ .pc = f->pc, .object = f->object, .offset = f->offset,
                                  .comp_dir = f->comp_dir, .file = nice_path(callee->call_file),
                                  .line = callee->call_line, .column = callee->call_col,
                                  .function = nice_name(j + 1 < n ? in[n - 2 - j]->name
                                                                  : owner) };
    }
    f->callers = c;
    f->ncallers = (unsigned)n;
}

/* The line of addr from the line table of the CU around it, found
 * without .debug_aranges (see mod_cu); 0 if none. */
static int cu_line(Dwfl_Module *m, struct mod *md, Dwarf_Addr addr,
                   struct ll_frame *f)
{
    Dwarf_Addr bias;
    if (md->ncus == 0)
        return 0;           /* no CU has code: a module without DWARF */
    Dwarf_Die *cu = dw.dwfl_module_getdwarf(m, &bias) ? mod_cu(m, md, addr - bias)
                                                      : NULL;
    Dwarf_Line *line = cu ? dw.dwarf_getsrc_die(cu, addr - bias) : NULL;
    const char *file = line ? dw.dwarf_linesrc(line, NULL, NULL) : NULL;
    int lineno = 0, col = 0;
    if (!file || dw.dwarf_lineno(line, &lineno) != 0 || lineno <= 0)
        return 0;
    if (dw.dwarf_linecol(line, &col) != 0)
        col = 0;
    Dwarf_Attribute a;
    f->file = file, f->line = lineno, f->column = col > 0 ? col : 0;
    f->comp_dir = dw.dwarf_attr_integrate(cu, DW_AT_comp_dir, &a)
                      ? dw.dwarf_formstring(&a) : NULL;
    return 1;
}

/* The line of addr, and the function inlined there, into f. */
static void dw_line(Dwfl_Module *m, struct mod *md, struct sym *s,
                    Dwarf_Addr addr, struct ll_frame *f)
{
    Dwfl_Line *line = dw.dwfl_module_getsrc(m, addr);
    Dwarf_Addr la;
    int lineno = 0, col = 0;
    const char *file = line ? dw.dwfl_lineinfo(line, &la, &lineno, &col,
                                               NULL, NULL) : NULL;
    if (file && lineno > 0) {
        f->file = file, f->line = lineno;
        /* for source snippets: where the file is, and where the call is */
        f->column = col > 0 ? col : 0;
        f->comp_dir = dw.dwfl_line_comp_dir(line);
    } else if (!cu_line(m, md, addr, f)) {
        return;
    }
    const struct span *in[LL_SYM_INLINED];
    int n = s ? inlined_chain(m, md, s, addr, in, LL_SYM_INLINED) : 0;
    if (n < 0) {
        /* The line may be an inlined function's, which s->name would then
         * claim: better none than a wrong one. */
        f->file = f->comp_dir = NULL, f->line = f->column = 0;
    } else if (n > 0) {
        f->function = in[n - 1]->name;
        inlined_callers(f, in, n, s->name);
    }
}

/* Returns 0 when libdw knows no module or symbol table for pc: then, and
 * only then, dladdr may know more (it scans every dynamic symbol).  addr is
 * where to look: pc - 1 for a return address (inside the call), pc itself
 * for an exact pc (LL_PC_EXACT); key is the pc with its layer (ll_sym_key). */
static int dw_lookup(uintptr_t key, int exact, struct ll_frame *f)
{
    uintptr_t pc;
    Dwfl *d = dw_for(key, &pc);
    Dwarf_Addr addr = exact ? pc : pc - 1;
    Dwfl_Module *m = dw.dwfl_addrmodule(d, addr);
    const char *path;
    struct mod *md = m ? mod_get(m, &path) : NULL;
    if (!md)
        return 0;
    f->object = path, f->offset = pc - md->bias;
    struct sym *s = mod_symbol(md, addr);
    f->function = s ? s->name : NULL;
    if (md->dwarf)
        dw_line(m, md, s, addr, f);
    return md->n > 0;
}

/* ---- dladdr fallback ------------------------------------------------------ */
/* dladdr names the main program by argv[0], which may be anything. */
static const char *main_program(void)
{
    static char path[4096];   /* the same for the life of the process */
    if (!path[0]) {
        ssize_t n = readlink("/proc/thread-self/exe", path, sizeof path - 1);
        if (n < 0)
            n = readlink("/proc/self/exe", path, sizeof path - 1);
        path[n > 0 ? n : 0] = '\0';
    }
    return path[0] ? path : NULL;
}

static void dl_lookup(uintptr_t pc, uintptr_t addr, struct ll_frame *f)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (!dladdr1((void *)addr, &info, (void **)&map, RTLD_DL_LINKMAP))
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

/* A frame with no name (a stripped program) is placed within its function
 * by the unwind tables, which stripping keeps: a baseline signature can
 * then tell its sites apart without the offsets in the object, which any
 * rebuild moves (leakcheck).  Only for code still mapped where it was. */
static void fn_offset(uintptr_t pc, uintptr_t addr, struct ll_frame *f)
{
    uintptr_t base = 0, start = ll_unwind_fn_start(addr, &base);
    if (start && base + f->offset == pc) {
        f->has_fn_offset = 1;
        f->fn_offset = pc - start;
    }
}

static void resolve(uintptr_t key, struct ll_frame *f)
{
    uintptr_t exact = key & LL_PC_EXACT, k = key & ~LL_PC_EXACT, pc;
    unsigned lay = key_split(k, &pc);
    uintptr_t addr = exact ? pc : pc - 1;
    memset(f, 0, sizeof *f);
    f->pc = key;              /* the frames table's key: layer and tag kept */
    if (pc < 2)
        return;               /* nothing precedes it; pc - 1 is no code */
    if (!dwfl || !dw_lookup(k, exact != 0, f))
        dl_lookup(pc, addr, f);
    if (!f->function && f->object && !lay)
        fn_offset(pc, addr, f);
    f->function = nice_name(f->function);
    f->file = nice_path(f->file);
}

void ll_sym_lookup(uintptr_t pc, struct ll_frame *out)
{
    /* pc 0 cannot be a key; without a session or memory, answer uncached */
    int fresh;
    struct ll_frame *f = pc && session ? table_slot(&frames, pc, &fresh)
                                       : NULL;
    if (!f) {
        resolve(pc, out);
        free((void *)out->callers);     /* nothing would free them later */
        out->callers = NULL, out->ncallers = 0;
    } else if (fresh)
        resolve(pc, f);
    if (f)
        *out = *f;
    /* The caller gets the pc as captured (its LL_PC_EXACT tag kept), not
     * the layer it was looked up in. */
    uintptr_t plain;
    key_split(out->pc & ~LL_PC_EXACT, &plain);
    out->pc = plain | (out->pc & LL_PC_EXACT);
}

unsigned ll_sym_frames(uintptr_t pc, struct ll_frame *out, unsigned max)
{
    if (max == 0)
        return 0;
    ll_sym_lookup(pc, &out[0]);
    unsigned n = 1;
    for (unsigned j = 0; j < out[0].ncallers && n < max; j++) {
        out[n] = out[0].callers[j];
        out[n++].pc = out[0].pc;        /* the same pc, without its layer */
    }
    for (unsigned i = 0; i < n; i++)
        out[i].inlined = i + 1 < n;
    return n;
}

/* ---- the session --------------------------------------------------------- */
/* No locking here: the caller runs one session at a time (state is global,
 * and a session spans many calls). */
void ll_sym_begin(void)
{
    ll_sym_end();
    session = 1;
    *(void **)&cxa_demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
    if (dw_load())
        dwfl = dw_session();
}

void ll_sym_end(void)
{
    if (dwfl)
        dw.dwfl_end(dwfl);
    for (unsigned k = 1; k < LL_LAYERS; k++)
        if (layer[k])
            dw.dwfl_end(layer[k]);
    memset(layer, 0, sizeof(layer));
    dwfl = NULL;
    nshadow = 0;
    mods_free();
    for (size_t i = 0; i < names.cap; i++)
        free(((struct name *)names.v)[i].nice);
    table_free(&names);
    for (size_t i = 0; i < paths.cap; i++)
        free(((struct name *)paths.v)[i].nice);
    table_free(&paths);
    for (size_t i = 0; i < frames.cap; i++)
        free((void *)((struct ll_frame *)frames.v)[i].callers);
    table_free(&frames);
    session = 0;
}
