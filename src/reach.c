/* reach.c - which never-freed blocks are still reachable, and which are lost.
 *
 * A conservative scan in the manner of Valgrind memcheck's leak check: every
 * aligned pointer-sized word of the roots (writable data of the loaded
 * objects, the current thread's stack and registers) that points into a live
 * block reaches it, and reached blocks are scanned in turn.  Of the blocks
 * never reached, those pointed to from other lost blocks are indirectly lost;
 * each lost structure has exactly one definitely lost block.
 *
 * Runs at report time with the table locked and the recursion guard held, so
 * it never mallocs (work memory comes from ll_pages_alloc), never uses stdio
 * and never recurses (an explicit work stack walks the graph).
 */
#include "ll.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const ll_kind_json[LL_KIND_COUNT] = {
    "definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable"
};
const char *const ll_kind_text[LL_KIND_COUNT] = {
    "definitely lost", "indirectly lost", "possibly lost", "still reachable"
};

/* Scratch bits in ll_block.flags.  START and INTERIOR are kept apart so that
 * "possibly lost" (reached only through interior pointers) can be told from
 * "reachable" later; for now either one counts as reached. */
enum {
    RF_START = 0x01,     /* some scanned word points at its first byte */
    RF_INTERIOR = 0x02,  /* some scanned word points into its middle */
    RF_REACHED = RF_START | RF_INTERIOR,
    RF_LOSTPRED = 0x04,  /* pointed to by another lost block */
    RF_CLAIMED = 0x08,   /* member of a lost structure */
    RF_LEADER = 0x10,    /* that structure's definitely lost block, so far */
    RF_CLIP = 0x20,      /* not inside one readable mapping: scan piecewise */
};

/* Scanning reads stacks, globals and heap wholesale, redzones included. */
#define NOASAN __attribute__((no_sanitize_address))
#define WORD sizeof(uintptr_t)

/* ---- growable list of address ranges ------------------------------------ */

struct ranges { struct ll_range *v; size_t n, cap; };

static int ranges_add(struct ranges *r, uintptr_t lo, uintptr_t hi)
{
    if (lo >= hi) return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        struct ll_range *v = ll_pages_alloc(cap * sizeof *v);
        if (!v) return -1;
        if (r->n) memcpy(v, r->v, r->n * sizeof *v);
        if (r->v) ll_pages_free(r->v, r->cap * sizeof *v);
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (struct ll_range){ lo, hi };
    return 0;
}

static void ranges_free(struct ranges *r)
{
    if (r->v) ll_pages_free(r->v, r->cap * sizeof *r->v);
    *r = (struct ranges){ 0 };
}

/* ---- readable mappings, from /proc/self/maps (ascending, disjoint) ------- */

static const char *parse_hex(const char *s, const char *end, uintptr_t *out)
{
    uintptr_t v = 0;
    for (; s < end; s++) {
        unsigned c = (unsigned char)*s, d;
        if (c - '0' < 10) d = c - '0';
        else if ((c | 0x20) - 'a' < 6) d = (c | 0x20) - 'a' + 10;
        else break;
        v = v << 4 | d;
    }
    *out = v;
    return s;
}

/* The whole file, or NULL: a truncated map would hide readable roots. */
static char *slurp(const char *path, size_t *len, size_t *cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    char *buf = NULL;
    ssize_t r = 0;
    *len = *cap = 0;
    for (;;) {
        if (*len == *cap) {
            size_t ncap = *cap ? 2 * *cap : 1u << 16;
            char *nbuf = ll_pages_alloc(ncap);
            if (!nbuf) { r = -1; break; }
            if (buf) { memcpy(nbuf, buf, *len); ll_pages_free(buf, *cap); }
            buf = nbuf;
            *cap = ncap;
        }
        r = read(fd, buf + *len, *cap - *len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        *len += (size_t)r;
    }
    close(fd);
    if (r < 0 && buf) { ll_pages_free(buf, *cap); buf = NULL; }
    return buf;
}

static int maps_read(struct ranges *maps)
{
    size_t len, cap;
    char *buf = slurp("/proc/self/maps", &len, &cap);
    if (!buf) return -1;
    int err = 0;
    for (const char *s = buf, *end = buf + len; s < end && !err;) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol) eol = end;
        uintptr_t lo, hi;
        const char *p = parse_hex(s, eol, &lo);
        if (p < eol && *p == '-') p = parse_hex(p + 1, eol, &hi);
        else hi = 0;
        if (p + 1 < eol && *p == ' ' && p[1] == 'r') err = ranges_add(maps, lo, hi);
        s = eol + 1;
    }
    ll_pages_free(buf, cap);
    return err;
}

/* Index of the first mapping ending above a. */
static size_t maps_find(const struct ranges *m, uintptr_t a)
{
    size_t i = 0, j = m->n;
    while (i < j) {
        size_t k = i + (j - i) / 2;
        if (m->v[k].hi <= a) i = k + 1;
        else j = k;
    }
    return i;
}

/* Append [a,b) minus libleak's own memory.  ll_mem_owns answers per address
 * and our mappings are page-aligned, so one question per 4 KiB suffices. */
static int add_not_ours(struct ranges *out, uintptr_t a, uintptr_t b)
{
    uintptr_t run = a;
    for (uintptr_t p = a; p < b;) {
        uintptr_t next = (p | 4095) + 1;
        if (next > b || next < p) next = b;
        if (ll_mem_owns((const void *)p)) {
            if (ranges_add(out, run, p)) return -1;
            run = next;
        }
        p = next;
    }
    return ranges_add(out, run, b);
}

/* Append the readable parts of [lo,hi); no map at all means "trust it". */
static int clip_add(struct ranges *out, const struct ranges *maps,
                    uintptr_t lo, uintptr_t hi)
{
    if (!maps->n) return add_not_ours(out, lo, hi);
    for (size_t i = maps_find(maps, lo); i < maps->n && maps->v[i].lo < hi; i++) {
        uintptr_t a = lo > maps->v[i].lo ? lo : maps->v[i].lo;
        uintptr_t b = hi < maps->v[i].hi ? hi : maps->v[i].hi;
        if (add_not_ours(out, a, b)) return -1;
    }
    return 0;
}

/* ---- block lookup: min/max filter, region, granule index ----------------
 * The address space is sparse (brk heap, mmapped big blocks, thread arenas),
 * so the sorted blocks are cut into regions at gaps of 1 MiB or more, and
 * each region gets a flat array with, per granule, the first block ending
 * above the granule's start.  A word's candidate blocks then lie between
 * two adjacent entries: usually one block, one cache line.  Granules are
 * sized per region to about four per block: at most ~16 bytes per block. */

#define REGION_GAP ((uintptr_t)1 << 20)

struct region {
    uintptr_t lo, hi;            /* first block's start, greatest block end */
    uint32_t first, last;        /* its blocks: [first, last) */
    unsigned shift;              /* granule = 1 << shift bytes */
    size_t off;                  /* where its granules' entries start in idx */
};

struct scan {
    struct ll_block *b;
    size_t n;
    uintptr_t lo, span;          /* every block lies in [lo, lo + span) */
    struct region *reg;
    size_t nreg;
    uint32_t *idx;               /* NULL: binary search the whole array */
    size_t nidx;
    uint32_t *stack;             /* work stack; a block is pushed once a phase */
    size_t top;
    const struct ranges *maps;
};

static inline uintptr_t block_end(const struct ll_block *b)
{
    return b->ptr + (b->size ? b->size : 1);   /* malloc(0): its ptr only */
}

/* Cut the blocks into regions; with out == NULL only count them. */
static size_t regions_cut(const struct scan *s, struct region *out)
{
    size_t nr = 0;
    uintptr_t hi = 0;
    for (size_t i = 0; i < s->n; i++) {
        uintptr_t p = s->b[i].ptr, e = block_end(&s->b[i]);
        if (i == 0 || (p > hi && p - hi >= REGION_GAP)) {
            if (out && nr) out[nr - 1].last = (uint32_t)i;
            if (out) out[nr] = (struct region){ .lo = p, .first = (uint32_t)i };
            nr++;
        }
        if (e > hi) hi = e;
        if (out) out[nr - 1].hi = hi;
    }
    if (out && nr) out[nr - 1].last = (uint32_t)s->n;
    return nr;
}

static void region_fill(struct scan *s, struct region *r)
{
    uintptr_t gran = (r->hi - r->lo - 1) >> r->shift;   /* last granule */
    size_t k = r->first;
    for (uintptr_t g = 0; g <= gran + 1; g++) {         /* + a sentinel */
        uintptr_t start = r->lo + (g << r->shift);
        while (k < r->last && block_end(&s->b[k]) <= start) k++;
        s->idx[r->off + g] = (uint32_t)k;
    }
}

static void index_build(struct scan *s)
{
    uintptr_t hi = 0;
    for (size_t i = 0; i < s->n; i++)
        if (block_end(&s->b[i]) > hi) hi = block_end(&s->b[i]);
    s->lo = s->b[0].ptr;
    s->span = hi - s->lo;
    s->nreg = regions_cut(s, NULL);
    s->reg = ll_pages_alloc(s->nreg * sizeof *s->reg);
    if (!s->reg) return;
    regions_cut(s, s->reg);
    for (size_t k = 0; k < s->nreg; k++) {
        struct region *r = &s->reg[k];
        uintptr_t span = r->hi - r->lo, nb = r->last - r->first;
        r->shift = 4;
        while ((span >> r->shift) > 4 * nb) r->shift++;
        r->off = s->nidx;
        s->nidx += ((span - 1) >> r->shift) + 2;
    }
    s->idx = ll_pages_alloc(s->nidx * sizeof *s->idx);
    if (!s->idx) return;                  /* fall back to binary search */
    for (size_t k = 0; k < s->nreg; k++) region_fill(s, &s->reg[k]);
}

/* The index entry of v's granule, or NULL when v is in no region. */
static inline const uint32_t *entry_of(const struct scan *s, uintptr_t v)
{
    size_t i = 0, j = s->nreg;
    while (j - i > 1) {
        size_t m = i + (j - i) / 2;
        if (s->reg[m].lo <= v) i = m;
        else j = m;
    }
    const struct region *r = &s->reg[i];
    if (v - r->lo >= r->hi - r->lo) return NULL;
    return &s->idx[r->off + ((v - r->lo) >> r->shift)];
}

/* Index of the block in [i, j) that v points into, or SIZE_MAX. */
static inline size_t search(const struct scan *s, uintptr_t v, size_t i, size_t j)
{
    if (i == j) return SIZE_MAX;
    while (j - i > 1) {                   /* last block starting at or below v */
        size_t m = i + (j - i) / 2;
        if (s->b[m].ptr <= v) i = m;
        else j = m;
    }
    const struct ll_block *b = &s->b[i];
    if (v - b->ptr < b->size || v == b->ptr) return i;
    return SIZE_MAX;
}

/* ---- marking -------------------------------------------------------------- */

enum mode {
    M_REACH,   /* from roots and reached blocks: mark reached */
    M_REACH_START, /* the same, but only pointers to a block's first byte */
    M_PRED,    /* from a lost block: note its lost successors have a predecessor */
    M_CLAIM,   /* from a lost structure's leader: claim what it reaches */
};

static inline void push(struct scan *s, size_t i) { s->stack[s->top++] = (uint32_t)i; }

static inline void visit(struct scan *s, size_t j, uintptr_t v, enum mode mode,
                         size_t self)
{
    struct ll_block *b = &s->b[j];
    uint8_t f = b->flags;
    if (mode == M_REACH_START && v != b->ptr) return;
    if (mode == M_REACH || mode == M_REACH_START) {
        if (!(f & RF_REACHED)) {          /* scanned soon, in random order */
            __builtin_prefetch((const void *)b->ptr);
            push(s, j);
        }
        b->flags = f | (v == b->ptr ? RF_START : RF_INTERIOR);
        return;
    }
    if ((f & RF_REACHED) || j == self) return;
    if (mode == M_PRED) {
        b->flags = f | RF_LOSTPRED;
    } else if (!(f & RF_CLAIMED)) {
        b->flags = f | RF_CLAIMED;
        b->kind = LL_INDIRECT;
        push(s, j);
    } else if (f & RF_LEADER) {           /* an earlier structure hangs off ours */
        b->flags = f & ~RF_LEADER;
        b->kind = LL_INDIRECT;
    }
}

/* A lookup is two dependent cache misses (index entry, block entry); done
 * in batches, with prefetches a stage ahead, the misses overlap instead. */
#define BATCH 32

/* e[k]: v[k]'s index entry; the candidates run from the first block ending
 * above the granule's start through the first ending above its end. */
static void resolve(struct scan *s, const uintptr_t *v, const uint32_t *const *e,
                    size_t nv, enum mode mode, size_t self)
{
    uint32_t i[BATCH], j[BATCH];
    for (size_t k = 0; k < nv; k++) {
        i[k] = e[k] ? e[k][0] : 0;
        j[k] = e[k] ? e[k][1] + 1 : (uint32_t)s->n;
        if (j[k] > s->n) j[k] = (uint32_t)s->n;
        __builtin_prefetch(&s->b[i[k]]);
        __builtin_prefetch(&s->b[j[k] - 1]);
    }
    for (size_t k = 0; k < nv; k++) {
        size_t b = search(s, v[k], i[k], j[k]);
        if (b != SIZE_MAX) visit(s, b, v[k], mode, self);
    }
}

static NOASAN void scan_range(struct scan *s, uintptr_t a, uintptr_t b,
                              enum mode mode, size_t self)
{
    const uintptr_t lo = s->lo, span = s->span;
    const uintptr_t *w = (const uintptr_t *)((a + WORD - 1) & ~(WORD - 1));
    const uintptr_t *end = (const uintptr_t *)(b & ~(WORD - 1));
    uintptr_t v[BATCH];
    const uint32_t *e[BATCH];
    size_t nv = 0;
    for (; w < end; w++) {
        uintptr_t x = *w;
        if (x - lo >= span) continue;     /* the cheap filter: most words */
        const uint32_t *ex = NULL;
        if (s->idx && !(ex = entry_of(s, x))) continue;
        __builtin_prefetch(ex);
        v[nv] = x;
        e[nv++] = ex;
        if (nv == BATCH) { resolve(s, v, e, nv, mode, self); nv = 0; }
    }
    resolve(s, v, e, nv, mode, self);
}

static void scan_block(struct scan *s, size_t i, enum mode mode, size_t self)
{
    const struct ll_block *b = &s->b[i];
    uintptr_t lo = b->ptr, hi = b->ptr + b->size;
    if (!(b->flags & RF_CLIP)) { scan_range(s, lo, hi, mode, self); return; }
    const struct ranges *m = s->maps;
    for (size_t k = maps_find(m, lo); k < m->n && m->v[k].lo < hi; k++)
        scan_range(s, lo > m->v[k].lo ? lo : m->v[k].lo,
                   hi < m->v[k].hi ? hi : m->v[k].hi, mode, self);
}

static void drain(struct scan *s, enum mode mode, size_t self)
{
    while (s->top) scan_block(s, s->stack[--s->top], mode, self);
}

/* Blocks not wholly inside one readable mapping (mprotected, unmapped under
 * us) are scanned piecewise; one merge pass since both lists ascend. */
static void mark_clipped(struct scan *s)
{
    const struct ranges *m = s->maps;
    if (!m->n) return;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct ll_block *b = &s->b[i];
        while (k < m->n && m->v[k].hi <= b->ptr) k++;
        if (k == m->n || m->v[k].lo > b->ptr || m->v[k].hi - b->ptr < b->size)
            b->flags |= RF_CLIP;
    }
}

/* Valgrind's clique rule, made independent of address order where it can
 * be cheaply: first lead from lost blocks nothing lost points to (the heads
 * of lost lists and trees), then from whatever is left, which lies in lost
 * cycles.  A leader's flood claims every unclaimed lost block it reaches and
 * demotes earlier leaders it meets, without descending into their claims, so
 * each lost block is scanned twice in all (once here for predecessors). */
static void classify_lost(struct scan *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!(s->b[i].flags & RF_REACHED)) scan_block(s, i, M_PRED, i);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->n; i++) {
            uint8_t f = s->b[i].flags;
            if (f & (RF_REACHED | RF_CLAIMED)) continue;
            if (pass == 0 && (f & RF_LOSTPRED)) continue;
            s->b[i].flags = f | RF_CLAIMED | RF_LEADER;
            s->b[i].kind = LL_DEFINITE;
            push(s, i);
            drain(s, M_CLAIM, i);
        }
    }
}

/* Root ranges by how their words may point: any byte of a block, or only
 * its first (the allocator's own data: its free-chunk headers fall inside
 * the preceding live block). */
struct roots { struct ranges any, start; };

static void roots_free(struct roots *r) { ranges_free(&r->any); ranges_free(&r->start); }

static int clip_all(struct ranges *out, const struct ranges *in, const struct ranges *maps)
{
    for (size_t r = 0; r < in->n; r++)
        if (clip_add(out, maps, in->v[r].lo, in->v[r].hi)) return -1;
    return 0;
}

static void scan_roots(struct scan *s, const struct ranges *r, enum mode mode)
{
    for (size_t k = 0; k < r->n; k++) {
        scan_range(s, r->v[k].lo, r->v[k].hi, mode, SIZE_MAX);
        drain(s, M_REACH, SIZE_MAX);
    }
}

/* Without a full scan nothing can be proved lost: claim nothing. */
static void give_up(struct ll_block *blocks, size_t n)
{
    ll_msg("leak classification skipped: out of memory");
    for (size_t i = 0; i < n; i++) blocks[i].kind = LL_REACHABLE;
}

static void classify(struct ll_block *blocks, size_t n, const struct roots *roots,
                     const struct ranges *maps)
{
    struct scan s = { .b = blocks, .n = n, .maps = maps };
    struct roots clipped = { 0 };
    size_t stack_bytes = n * sizeof *s.stack;
    for (size_t i = 0; i < n; i++) { blocks[i].flags = 0; blocks[i].kind = LL_DEFINITE; }
    if (!n) return;
    s.stack = n < UINT32_MAX ? ll_pages_alloc(stack_bytes) : NULL;
    int err = !s.stack || clip_all(&clipped.any, &roots->any, maps) ||
              clip_all(&clipped.start, &roots->start, maps);
    if (err) {
        give_up(blocks, n);
    } else {
        index_build(&s);
        mark_clipped(&s);
        scan_roots(&s, &clipped.any, M_REACH);
        scan_roots(&s, &clipped.start, M_REACH_START);
        for (size_t i = 0; i < n; i++)
            if (blocks[i].flags & RF_REACHED) blocks[i].kind = LL_REACHABLE;
        classify_lost(&s);
    }
    if (s.idx) ll_pages_free(s.idx, s.nidx * sizeof *s.idx);
    if (s.reg) ll_pages_free(s.reg, s.nreg * sizeof *s.reg);
    if (s.stack) ll_pages_free(s.stack, stack_bytes);
    roots_free(&clipped);
}

void ll_reach_classify_roots(struct ll_block *blocks, size_t n,
                             const struct ll_range *roots, size_t nroots)
{
    struct ranges maps = { 0 };
    struct roots r = { .any = { (struct ll_range *)roots, nroots, nroots } };
    if (maps_read(&maps)) ranges_free(&maps);     /* unknown: trust roots */
    classify(blocks, n, &r, &maps);               /* r is only read */
    ranges_free(&maps);
}

/* ---- roots of the real process ------------------------------------------ */

struct objects { struct roots *roots; uintptr_t self, alloc; unsigned index; int err; };

static int object_contains(const struct dl_phdr_info *info, uintptr_t a)
{
    for (unsigned k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && a - lo < ph->p_memsz) return 1;
    }
    return 0;
}

/* Writable PT_LOAD segments (data, bss) of every object but libleak itself.
 * The main program is listed first and is never skipped: when reach.c is
 * linked into it (unit tests) its globals are the program's globals.  The
 * real allocator's object (libc) holds chunk pointers such as glibc's
 * main_arena.top, which point into the last 8 bytes of the block before a
 * free chunk: from there only start pointers count. */
static int object_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct objects *o = data;
    (void)size;
    if (o->index++ > 0 && object_contains(info, o->self)) return 0;
    struct ranges *to = object_contains(info, o->alloc) ? &o->roots->start : &o->roots->any;
    for (unsigned k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W)) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        o->err |= ranges_add(to, lo, lo + ph->p_memsz);
    }
    return 0;
}

static int roots_add_objects(struct roots *roots)
{
    /* Unit tests never resolve ll_real; the allocator is then whatever the
     * program's malloc is (dlsym may allocate: the guard is held). */
    void *alloc = (void *)ll_real.malloc;
    if (!alloc) alloc = dlsym(RTLD_NEXT, "malloc");
    struct objects o = { roots, (uintptr_t)&ll_reach_classify, (uintptr_t)alloc, 0, 0 };
    dl_iterate_phdr(object_cb, &o);
    return o.err;
}

/* From sp to the end of this thread's stack: the main thread's is its
 * mapping ([stack]); another thread's mapping may have merged with a
 * neighbour, so ask pthread for its bounds (this may malloc: the caller
 * holds the recursion guard, so that goes untracked). */
static int roots_add_stack(struct ranges *roots, const struct ranges *maps,
                           uintptr_t sp)
{
    uintptr_t end = 0;
    if (syscall(SYS_gettid) != getpid()) {
        pthread_attr_t attr;
        void *addr;
        size_t size;
        if (!pthread_getattr_np(pthread_self(), &attr)) {
            if (!pthread_attr_getstack(&attr, &addr, &size) &&
                sp - (uintptr_t)addr < size)
                end = (uintptr_t)addr + size;
            pthread_attr_destroy(&attr);
        }
    }
    size_t k = maps_find(maps, sp);
    if (!end && k < maps->n && maps->v[k].lo <= sp) end = maps->v[k].hi;
    return ranges_add(roots, sp, end);
}

/* Spill every general register into r[] so that the stack scan sees values
 * held only in registers.  A macro: the array must be in the scanning
 * function's own live frame.  (setjmp would mangle rbp and rsp.) */
#if defined(__x86_64__)
#define NREGS 15
#define SPILL_REGISTERS(r) __asm__ volatile(                                  \
    "movq %%rax, 0(%0)\n\tmovq %%rbx, 8(%0)\n\tmovq %%rcx, 16(%0)\n\t"        \
    "movq %%rdx, 24(%0)\n\tmovq %%rsi, 32(%0)\n\tmovq %%rdi, 40(%0)\n\t"      \
    "movq %%rbp, 48(%0)\n\tmovq %%r8, 56(%0)\n\tmovq %%r9, 64(%0)\n\t"        \
    "movq %%r10, 72(%0)\n\tmovq %%r11, 80(%0)\n\tmovq %%r12, 88(%0)\n\t"      \
    "movq %%r13, 96(%0)\n\tmovq %%r14, 104(%0)\n\tmovq %%r15, 112(%0)"        \
    : : "r"(r) : "memory")
#define CURRENT_SP(sp) __asm__ volatile("movq %%rsp, %0" : "=r"(sp))
#else
/* Forces callee-saved registers into this frame, which the stack scan covers. */
#define NREGS 1
#define SPILL_REGISTERS(r) do { (r)[0] = 0; __builtin_unwind_init(); } while (0)
#define CURRENT_SP(sp) ((sp) = (uintptr_t)__builtin_frame_address(0))
#endif

/* Inside exit() (the exit report), the live stack starts at exit's caller,
 * and the registers are the ones that caller held (see exitroot.c): exit's
 * and libleak's frames lie over stale pointers.  Elsewhere (unit tests, a
 * report on demand) they are this thread's own. */
void ll_reach_classify(struct ll_block *blocks, size_t n)
{
    uintptr_t regs[NREGS], xregs[LL_EXIT_REGS], sp;
    if (!n) return;
    SPILL_REGISTERS(regs);
    CURRENT_SP(sp);
    struct ranges maps = { 0 };
    struct roots roots = { 0 };
    if (maps_read(&maps)) ranges_free(&maps);
    int err;
    if (!ll_exit_root(&sp, xregs))
        err = ranges_add(&roots.any, (uintptr_t)xregs, (uintptr_t)(xregs + LL_EXIT_REGS));
    else
        err = ranges_add(&roots.any, (uintptr_t)regs, (uintptr_t)(regs + NREGS));
    err |= roots_add_stack(&roots.any, &maps, sp);
    err |= roots_add_objects(&roots);
    if (err) give_up(blocks, n);    /* missing roots would make live blocks "lost" */
    else classify(blocks, n, &roots, &maps);
    roots_free(&roots);
    ranges_free(&maps);
}
