/* reach.c - which never-freed blocks are still reachable, and which are lost.
 *
 * A conservative scan with Valgrind memcheck's rules: every aligned
 * pointer-sized word of the roots (roots.c finds them) that points to a
 * live block's first byte makes it Reachable, and Reachable blocks are
 * scanned in turn; a word pointing into a block's middle, or any word of a
 * Possible block, makes it only Possible ("possibly lost").  Of the blocks
 * never reached, those pointed to from other lost blocks are indirectly
 * lost; each lost structure has exactly one definitely lost block.
 *
 * Runs at report time with the table locked and the recursion guard held, so
 * it never mallocs (work memory comes from ll_work_alloc), never uses stdio
 * and never recurses (an explicit work stack walks the graph).
 */
#include "ll.h"
#include "reach.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const ll_kind_json[LL_KIND_COUNT] = {
    "definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable"
};
const char *const ll_kind_text[LL_KIND_COUNT] = {
    "definitely lost", "indirectly lost", "possibly lost", "still reachable"
};

/* Scratch bits in ll_block.flags.  Valgrind's states: Reachable is a chain
 * of start pointers from a root, each step from a root or a Reachable
 * block to a block's first byte; Possible is any other pointer path from
 * the roots (a step into a block's middle, or from a Possible block). */
enum {
    RF_START = 0x01,     /* Reachable */
    RF_INTERIOR = 0x02,  /* Possible (unless RF_START too) */
    RF_REACHED = RF_START | RF_INTERIOR,
    RF_LOSTPRED = 0x04,  /* pointed to by another lost block */
    RF_CLAIMED = 0x08,   /* member of a lost structure */
    RF_LEADER = 0x10,    /* that structure's definitely lost block, so far */
    RF_CLIP = 0x20,      /* not inside one readable mapping: scan piecewise */
    RF_SCANNED = 0x40,   /* scanned as Reachable (a Possible scan may precede) */
    RF_STACK = 0x80,     /* holds a live stack: scanned from its stack pointer */
};

/* Scanning reads stacks, globals and heap wholesale, redzones included. */
#define NOASAN __attribute__((no_sanitize_address))
#define WORD sizeof(uintptr_t)

/* ---- scratch pages, remembered so that no root ever covers them ---------- */

#define WORK_MAX 512
static struct ll_range work[WORK_MAX];
static size_t work_top;              /* entries at and above it never used */
static struct ll_range excluded;     /* the caller's block array */
static int deferring;                /* keep freed pages mapped until the end */

/* NULL when the registry is full: unregistered scratch could become a root. */
static void *work_map(size_t size)
{
    for (size_t i = 0; i < WORK_MAX; i++) {
        if (work[i].hi) continue;
        void *p = ll_pages_alloc(size);
        if (p) work[i] = (struct ll_range){ (uintptr_t)p, (uintptr_t)p + size };
        if (p && i >= work_top) work_top = i + 1;
        return p;
    }
    return NULL;
}

/* Small scratch (the range lists, line buffers) is carved from chunks
 * while a check defers its frees: a short process's check mapped 19 more
 * pages one by one for it (47 mmap calls in all, 28 now), and a check with
 * many lists ran out of the registry's 512 slots.  Chunks are never
 * reused, so what they give is zeroed, as fresh pages are; they go at
 * ll_work_end with the rest. */
#define WORK_CHUNK ((size_t)256 << 10)
#define WORK_SMALL ((size_t)16 << 10)
static uintptr_t chunk_at, chunk_end;

void *ll_work_alloc(size_t size)
{
    if (!deferring || size > WORK_SMALL)
        return work_map(size);
    size = (size + 63) & ~(size_t)63;
    if (chunk_end - chunk_at < size) {
        void *c = work_map(WORK_CHUNK);
        if (!c) return NULL;
        chunk_at = (uintptr_t)c;
        chunk_end = chunk_at + WORK_CHUNK;
    }
    chunk_at += size;
    return (void *)(chunk_at - size);
}

/* While roots are gathered from a list of mappings read earlier, pages we
 * unmap would still be listed: freeing is deferred to ll_work_end. */
void ll_work_free(void *p, size_t size)
{
    for (size_t i = 0; i < WORK_MAX && !deferring; i++)
        if (work[i].lo == (uintptr_t)p) work[i] = (struct ll_range){ 0, 0 };
    if (!deferring) ll_pages_free(p, size);
}

void ll_work_begin(void) { deferring = 1; }

void ll_work_end(void)
{
    deferring = 0;
    for (size_t i = 0; i < work_top; i++)
        if (work[i].hi) {
            ll_pages_free((void *)work[i].lo, work[i].hi - work[i].lo);
            work[i] = (struct ll_range){ 0, 0 };
        }
    work_top = 0;
    chunk_at = chunk_end = 0;
}

/* The blocks' array or a scratch page meets [a,b). */
static int ours_here(uintptr_t a, uintptr_t b)
{
    if (excluded.lo < b && a < excluded.hi) return 1;
    for (size_t i = 0; i < work_top; i++)
        if (work[i].lo < b && a < work[i].hi) return 1;
    return 0;
}

/* libleak's own memory: its allocator's chunks, scratch pages, the blocks'
 * array.  Asked per page (all are page-aligned). */
static int ours(uintptr_t p)
{
    return ours_here(p, p + 1) || ll_mem_owns((const void *)p);
}

/* 1 if any of libleak's own memory meets [a,b), or may.  Most roots (a
 * library's data, a stack) hold none, and are then taken whole, not page by
 * page. */
static int ours_within(uintptr_t a, uintptr_t b)
{
    return ours_here(a, b) || ll_mem_overlaps(a, b);
}

/* ---- growable list of address ranges ------------------------------------ */

int ll_ranges_add(struct ll_ranges *r, uintptr_t lo, uintptr_t hi)
{
    if (lo >= hi) return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;     /* 512 bytes: lists share pages */
        struct ll_range *v = ll_work_alloc(cap * sizeof *v);
        if (!v) return -1;
        if (r->n) memcpy(v, r->v, r->n * sizeof *v);
        if (r->v) ll_work_free(r->v, r->cap * sizeof *v);
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (struct ll_range){ lo, hi };
    return 0;
}

int ll_ranges_add_word(struct ll_ranges *r, uintptr_t v)
{
    return v ? ll_ranges_add(r, v, v + 1) : 0;
}

void ll_ranges_free(struct ll_ranges *r)
{
    if (r->v) ll_work_free(r->v, r->cap * sizeof *r->v);
    *r = (struct ll_ranges){ 0 };
}

/* ---- readable mappings, from /proc/self/maps (ascending, disjoint) ------- */

/* The whole file, or NULL: a truncated map would hide readable roots. */
static char *slurp(const char *name, size_t *len, size_t *cap)
{
    int fd = ll_proc_open(name, O_RDONLY);
    if (fd < 0) return NULL;
    char *buf = NULL;
    ssize_t r = 0;
    *len = *cap = 0;
    for (;;) {
        if (*len == *cap) {
            size_t ncap = *cap ? 2 * *cap : 1u << 16;
            char *nbuf = ll_work_alloc(ncap);
            if (!nbuf) { r = -1; break; }
            if (buf) { memcpy(nbuf, buf, *len); ll_work_free(buf, *cap); }
            buf = nbuf;
            *cap = ncap;
        }
        r = read(fd, buf + *len, *cap - *len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        *len += (size_t)r;
    }
    close(fd);
    if (r < 0 && buf) { ll_work_free(buf, *cap); buf = NULL; }
    return buf;
}

/* Skip n space-separated fields of a maps line. */
static const char *skip_fields(const char *p, const char *eol, int n)
{
    while (n-- > 0) {
        while (p < eol && *p == ' ') p++;
        while (p < eol && *p != ' ') p++;
    }
    while (p < eol && *p == ' ') p++;
    return p;
}

void ll_files_free(struct ll_files *f)
{
    ll_ranges_free(&f->data);
    ll_ranges_free(&f->code);
    ll_ranges_free(&f->cow);
}

/* A device's mapping may hang or have effects when read (Valgrind skips
 * them too); /dev/zero's is memory. */
static int is_device(const char *path, const char *eol)
{
    static const char dev[] = "/dev/", zero[] = "/dev/zero";
    size_t n = (size_t)(eol - path);
    return n >= sizeof dev - 1 && memcmp(path, dev, sizeof dev - 1) == 0 &&
           !(n >= sizeof zero - 1 && memcmp(path, zero, sizeof zero - 1) == 0 &&
             (n == sizeof zero - 1 || path[sizeof zero - 1] == ' '));
}

/* An anonymous mapping's name: none, or one the program gave it
 * (prctl(PR_SET_VMA_ANON_NAME): "[anon:NAME]", Linux 5.17), which is still
 * the program's memory; not the kernel's own ([stack], [heap], [vdso]...). */
static int anon_unnamed(const char *path, const char *eol)
{
    static const char named[] = "[anon:";
    return path == eol || ((size_t)(eol - path) > sizeof named - 1 &&
                           memcmp(path, named, sizeof named - 1) == 0);
}

/* Readable mappings of a /proc/PID/maps text into maps; with anon, also the
 * readable and writable private ones backed by no file and not named by
 * the kernel ([stack], [heap], ...); with files, the readable ones backed
 * by a file (a non-zero inode), of those the executable ones, and the
 * private writable ones no device's. */
int ll_maps_parse(const char *buf, size_t len, struct ll_ranges *maps, struct ll_ranges *anon,
                  struct ll_files *files)
{
    int err = 0;
    for (const char *s = buf, *end = buf + len; s < end && !err;) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol) eol = end;
        uintptr_t lo, hi;
        const char *p = ll_parse_hex(s, eol, &lo);
        if (p < eol && *p == '-') p = ll_parse_hex(p + 1, eol, &hi);
        else hi = 0;
        if (p + 4 < eol && *p == ' ' && p[1] == 'r') {
            err = ll_ranges_add(maps, lo, hi);
            const char *inode = skip_fields(p + 5, eol, 2);    /* offset, dev */
            const char *path = skip_fields(inode, eol, 1);
            int no_file = inode[0] == '0' && inode[1] == ' ';
            if (anon && !err && p[2] == 'w' && p[4] == 'p' && no_file && anon_unnamed(path, eol))
                err = ll_ranges_add(anon, lo, hi);
            if (files && !err && !no_file)
                err = ll_ranges_add(&files->data, lo, hi) ||
                      (p[3] == 'x' && ll_ranges_add(&files->code, lo, hi)) ||
                      (p[2] == 'w' && p[4] == 'p' && !is_device(path, eol) &&
                       ll_ranges_add(&files->cow, lo, hi));
        }
        s = eol + 1;
    }
    return err;
}

/* ll_maps_parse of this process's maps. */
int ll_maps_read(struct ll_ranges *maps, struct ll_ranges *anon, struct ll_files *files)
{
    size_t len, cap;
    char *buf = slurp("maps", &len, &cap);
    if (!buf) return -1;
    int err = ll_maps_parse(buf, len, maps, anon, files);
    ll_work_free(buf, cap);
    return err;
}



/* Index of the first mapping ending above a. */
size_t ll_maps_find(const struct ll_ranges *m, uintptr_t a)
{
    size_t i = 0, j = m->n;
    while (i < j) {
        size_t k = i + (j - i) / 2;
        if (m->v[k].hi <= a) i = k + 1;
        else j = k;
    }
    return i;
}

/* Append [a,b) minus libleak's own memory, asked once per 4 KiB page. */
static int add_not_ours(struct ll_ranges *out, uintptr_t a, uintptr_t b)
{
    if (!ours_within(a, b)) return ll_ranges_add(out, a, b);
    uintptr_t run = a;
    for (uintptr_t p = a; p < b;) {
        uintptr_t next = (p | 4095) + 1;
        if (next > b || next < p) next = b;
        if (ours(p)) {
            if (ll_ranges_add(out, run, p)) return -1;
            run = next;
        }
        p = next;
    }
    return ll_ranges_add(out, run, b);
}

/* Append the readable parts of [lo,hi); no map at all means "trust it". */
static int clip_add(struct ll_ranges *out, const struct ll_ranges *maps,
                    uintptr_t lo, uintptr_t hi)
{
    if (!maps->n) return add_not_ours(out, lo, hi);
    for (size_t i = ll_maps_find(maps, lo); i < maps->n && maps->v[i].lo < hi; i++) {
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
    size_t cap;                  /* the stack's entries; its top end holds */
    size_t dtop;                 /* the dtop blocks put off (drain_reach) */
    const struct ll_ranges *maps;
    const struct ll_files *files;  /* NULL: no multiple-inheritance heuristic */
    const struct ll_ranges *stacks; /* live parts of RF_STACK blocks */
    const struct ll_ranges *anon;   /* private mappings of no file, or NULL */
    int pmfd;                    /* /proc/self/pagemap, or -1 */
    sigjmp_buf jb;               /* where a fault resumes (see faults_arm) */
    volatile size_t k, i;        /* loop positions that survive a fault */
    volatile uintptr_t from;
    volatile int pass;
};

/* ---- memory that vanishes under the scan -----------------------------------
 * The list of mappings is read before the scan; a thread that did not stop
 * may unmap or mprotect memory meanwhile.  A fault while scanning is then
 * caught: the root range goes on after the faulting page, the rest of a
 * block is skipped (it is gone, or protected), the scan goes on.  A
 * fault anywhere else (another thread's) goes to the program's handler. */

static sigjmp_buf *volatile fault_jmp;
static pid_t fault_tid;
static struct sigaction fault_old[2];
static size_t fault_count;
static uintptr_t fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (fault_jmp && (pid_t)syscall(SYS_gettid) == fault_tid) {
        fault_addr = (uintptr_t)si->si_addr;
        siglongjmp(*fault_jmp, 1);
    }
    ll_sigaction_next(sig, &fault_old[sig == SIGBUS], NULL);   /* the fault repeats there */
}

static void faults_arm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    fault_tid = (pid_t)syscall(SYS_gettid);
    fault_count = 0;
    ll_sigaction_next(SIGSEGV, &sa, &fault_old[0]);
    ll_sigaction_next(SIGBUS, &sa, &fault_old[1]);
}

static void faults_disarm(void)
{
    fault_jmp = NULL;
    ll_sigaction_next(SIGSEGV, &fault_old[0], NULL);
    ll_sigaction_next(SIGBUS, &fault_old[1], NULL);
    ll_check_notes.vanished += fault_count;
}

/* Arm s->jb in the caller's frame; true when a fault came back to it.  No
 * signal mask is saved (a system call each time, and this is armed once per
 * lost block): SA_NODEFER keeps SIGSEGV unblocked in the handler, and its
 * sa_mask is empty, so the jump back leaves the mask as it was. */
#define FAULTED(s) (fault_jmp = &(s)->jb, sigsetjmp((s)->jb, 0) ? (fault_count++, 1) : 0)

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
    s->reg = ll_work_alloc(s->nreg * sizeof *s->reg);
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
    s->idx = ll_work_alloc(s->nidx * sizeof *s->idx);
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
    M_REACH,   /* from a root or a Reachable block: start -> Reachable, else Possible */
    M_REACH_ALLOC, /* from the allocator's data: as M_REACH, but no chunk pointers */
    M_REACH_ANY, /* from the loader's data: start or interior -> Reachable */
    M_POSSIBLE, /* from a Possible block: anything -> Possible */
    M_OWN,     /* a block owned by a dead thread's cache: Reachable, not scanned */
    M_PRED,    /* from a lost block: note its lost successors have a predecessor */
    M_CLAIM,   /* from a lost structure's leader: claim what it reaches */
};

static inline void push(struct scan *s, size_t i) { s->stack[s->top++] = (uint32_t)i; }

static int in_ranges(const struct ll_ranges *r, uintptr_t a)
{
    size_t k = ll_maps_find(r, a);
    return k < r->n && r->v[k].lo <= a;
}

/* Valgrind's test for a vtable: a in a file's mapping, and among the words
 * from a (21 at most, within that mapping) two non-null ones come before
 * any that does not point into a file's executable mapping. */
static NOASAN int vtable_at(const struct ll_files *f, uintptr_t a)
{
    if (a < 4096 || (a & (WORD - 1))) return 0;
    size_t k = ll_maps_find(&f->data, a);
    if (k == f->data.n || f->data.v[k].lo > a) return 0;
    unsigned fns = 0;
    for (uintptr_t w = a; w <= a + 20 * WORD && w + WORD <= f->data.v[k].hi; w += WORD) {
        uintptr_t fn = *(const uintptr_t *)w;
        if (!fn) continue;
        if (!in_ranges(&f->code, fn)) return 0;
        if (++fns == 2) return 1;
    }
    return 0;
}

/* "stdstring": a copy-on-write string (std::string in the old ABI, and in
 * every ABI the message of std::runtime_error and std::logic_error) points
 * to its characters, past a header of length, capacity and reference
 * count; the block holds the header, capacity characters and a NUL. */
static NOASAN int cow_string(const struct ll_block *b, uintptr_t v)
{
    const uint64_t *h = (const uint64_t *)b->ptr;
    return v == b->ptr + 3 * WORD && b->size > 3 * WORD &&
           h[1] == b->size - 3 * WORD - 1 && h[0] <= h[1];
}

/* Valgrind's default heuristics (--leak-check-heuristics=all) for pointers
 * into a block that programs keep on purpose, counted as start pointers.
 * To its 25th byte: "stdstring" (above).  To its 9th byte: "length64" (the
 * first word holds the size of the rest, as sqlite does) and "newarray"
 * (operator new[] of a class with a destructor keeps the element count
 * there, and hands out the address after it).  Anywhere:
 * "multipleinheritance" (a C++ object seen through a base class other than
 * its first: the word pointed to and the block's first word are both
 * vtable pointers). */
static NOASAN int heuristic_start(const struct scan *s, const struct ll_block *b, uintptr_t v)
{
    if (b->size < 8 || (b->flags & RF_CLIP)) return 0;
    if (cow_string(b, v)) return 1;
    uint64_t first = *(const uint64_t *)b->ptr;
    if (v == b->ptr + 8 && first && first == b->size - 8) return 1;
    if (v == b->ptr + 8 && b->fn == LL_FN_NEW_ARRAY && first && (b->size - 8) % first == 0)
        return 1;
    return s->files && !(v & (WORD - 1)) && v - b->ptr <= b->size - WORD &&
           vtable_at(s->files, *(const uintptr_t *)v) && vtable_at(s->files, first);
}

/* A word of glibc's malloc state (main_arena.top, its bins, last_remainder)
 * that points at a chunk header: chunks are 16-byte aligned, and a chunk's
 * first 8 bytes are the last 8 usable bytes of the block below it.  Such a
 * word is the allocator's, not a pointer to that block. */
static inline int chunk_header(const struct ll_block *b, uintptr_t v)
{
    return (v & 15) == 0 && v + 8 >= b->ptr + b->size;
}

static inline void visit(struct scan *s, size_t j, uintptr_t v, enum mode mode,
                         size_t self)
{
    struct ll_block *b = &s->b[j];
    uint8_t f = b->flags;
    if (mode == M_OWN) {                  /* last: anything live was scanned */
        if (v == b->ptr) b->flags = f | RF_START | RF_SCANNED;
        return;
    }
    if (mode <= M_POSSIBLE) {
        /* Each block is pushed at most twice: on becoming Possible and on
         * becoming Reachable (then scanned as Reachable, so what it points
         * to at its start is upgraded too; drain_reach puts the Possible
         * scan off until the roots are done, and skips it then). */
        int start = v == b->ptr || mode == M_REACH_ANY;
        if (!start && mode == M_REACH && !(f & RF_START)) start = heuristic_start(s, b, v);
        if (start && mode != M_POSSIBLE) {
            if (f & RF_START) return;
            b->flags = f | RF_START;
        } else {
            if ((f & RF_REACHED) || (mode == M_REACH_ALLOC && chunk_header(b, v))) return;
            b->flags = f | RF_INTERIOR;
        }
        __builtin_prefetch((const void *)b->ptr);   /* scanned soon */
        push(s, j);
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

/* Where an RF_STACK block's live part begins: its stack pointer.  Its dead
 * frames below hold stale pointers, as any stack's do (few such blocks). */
static uintptr_t stack_live_from(const struct scan *s, const struct ll_block *b)
{
    for (size_t k = 0; k < s->stacks->n; k++)
        if (s->stacks->v[k].lo - b->ptr < b->size) return s->stacks->v[k].lo;
    return b->ptr;
}

/* A block of LL_SPARSE_MIN or more, inside a private mapping of no file,
 * is read only where its pages hold data: a page never written reads as
 * zeros, and a big calloc'd table is mostly such pages (8 GiB with two
 * pages in use, kept to the end: the exit check read it all, 2.8 s; the
 * page map of it is 16 MiB). */

static int in_anon(const struct scan *s, uintptr_t lo, uintptr_t hi)
{
    if (!s->anon) return 0;
    size_t k = ll_maps_find(s->anon, lo);
    return k < s->anon->n && s->anon->v[k].lo <= lo && hi <= s->anon->v[k].hi;
}

struct scan_run { struct scan *s; enum mode mode; size_t self; };

static int scan_run(uintptr_t lo, uintptr_t hi, void *arg)
{
    const struct scan_run *a = arg;
    scan_range(a->s, lo, hi, a->mode, a->self);
    return 0;
}

static void scan_piece(struct scan *s, uintptr_t lo, uintptr_t hi, enum mode mode, size_t self)
{
    uintptr_t rest = lo;                /* unread: from here */
    if (hi - lo >= LL_SPARSE_MIN && s->pmfd >= 0 && in_anon(s, lo, hi))
        ll_pagemap_runs(s->pmfd, lo, hi, 0, scan_run, &(struct scan_run){ s, mode, self },
                        &rest);
    if (rest < hi)                      /* small, or the page map unreadable: whole */
        scan_range(s, rest, hi, mode, self);
}

static void scan_block(struct scan *s, size_t i, enum mode mode, size_t self)
{
    const struct ll_block *b = &s->b[i];
    uintptr_t lo = b->flags & RF_STACK ? stack_live_from(s, b) : b->ptr, hi = b->ptr + b->size;
    if (!(b->flags & RF_CLIP)) { scan_piece(s, lo, hi, mode, self); return; }
    const struct ll_ranges *m = s->maps;
    for (size_t k = ll_maps_find(m, lo); k < m->n && m->v[k].lo < hi; k++)
        scan_piece(s, lo > m->v[k].lo ? lo : m->v[k].lo,
                   hi < m->v[k].hi ? hi : m->v[k].hi, mode, self);
}

static void drain(struct scan *s, enum mode mode, size_t self)
{
    while (s->top) scan_block(s, s->stack[--s->top], mode, self);
}

/* The reachability flood: a Reachable block is scanned when popped; a
 * Possible one is put off (scan_put_off) until the roots are done: many
 * are reached by a start pointer later, and a block scanned as Possible
 * first was scanned again then.  What a Possible block points to can only
 * be Possible, so the order does not change the outcome, and each block is
 * scanned once (gdb's exit: 3,652 blocks scanned, 3,755 before; under
 * Valgrind, whose own memory holds interior pointers into the heap, Perl's
 * leak check took half the instructions). */
static void drain_reach(struct scan *s)
{
    while (s->top) {
        size_t i = s->stack[--s->top];
        uint8_t f = s->b[i].flags;
        if (!(f & RF_START)) {
            s->stack[s->cap - ++s->dtop] = (uint32_t)i;   /* two pushes a block at most */
        } else if (!(f & RF_SCANNED)) {
            s->b[i].flags = f | RF_SCANNED;
            scan_block(s, i, M_REACH, SIZE_MAX);
        }
    }
}

/* Drain; after a fault (in the block being scanned, already popped) go on. */
static void drain_guarded(struct scan *s, enum mode mode, size_t self)
{
    (void)FAULTED(s);
    if (mode == M_REACH) drain_reach(s);
    else drain(s, mode, self);
}

/* The roots are done: the blocks put off that no start pointer reached,
 * and the blocks they point to, are scanned as Possible. */
static void scan_put_off(struct scan *s)
{
    while (s->dtop) {
        size_t i = s->stack[s->cap - s->dtop--];
        if (!(s->b[i].flags & RF_START)) push(s, i);
    }
    drain_guarded(s, M_POSSIBLE, SIZE_MAX);
}

/* Blocks not wholly inside one readable mapping (mprotected, unmapped under
 * us) are scanned piecewise; one merge pass since both lists ascend. */
static void mark_clipped(struct scan *s)
{
    const struct ll_ranges *m = s->maps;
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
    for (s->i = 0; s->i < s->n; s->i++)
        if (!(s->b[s->i].flags & RF_REACHED) && !FAULTED(s)) scan_block(s, s->i, M_PRED, s->i);
    for (s->pass = 0; s->pass < 2; s->pass++) {
        for (s->i = 0; s->i < s->n; s->i++) {
            size_t i = s->i;
            uint8_t f = s->b[i].flags;
            if (f & (RF_REACHED | RF_CLAIMED)) continue;
            if (s->pass == 0 && (f & RF_LOSTPRED)) continue;
            s->b[i].flags = f | RF_CLAIMED | RF_LEADER;
            s->b[i].kind = LL_DEFINITE;
            push(s, i);
            drain_guarded(s, M_CLAIM, i);
        }
    }
}

/* Root ranges by how their words may point: any byte of a block, or only
 * its first (the allocator's own data: its free-chunk headers fall inside
 * the preceding live block). */
void ll_roots_free(struct ll_roots *r)
{
    ll_ranges_free(&r->any);
    ll_ranges_free(&r->start);
    ll_ranges_free(&r->words);
    ll_ranges_free(&r->own);
    ll_ranges_free(&r->owned);
    ll_ranges_free(&r->loader);
    ll_ranges_free(&r->stacks);
}

static int clip_all(struct ll_ranges *out, const struct ll_ranges *in, const struct ll_ranges *maps)
{
    for (size_t r = 0; r < in->n; r++)
        if (clip_add(out, maps, in->v[r].lo, in->v[r].hi)) return -1;
    return 0;
}

static void scan_roots(struct scan *s, const struct ll_ranges *r, enum mode mode)
{
    for (s->k = 0; s->k < r->n; s->k++) {
        s->from = r->v[s->k].lo;
        if (FAULTED(s)) s->from = (fault_addr | 4095) + 1;   /* past that page */
        if (s->from > r->v[s->k].lo && fault_addr < r->v[s->k].lo) s->from = r->v[s->k].hi;
        if (s->from < r->v[s->k].hi) scan_range(s, s->from, r->v[s->k].hi, mode, SIZE_MAX);
        drain_guarded(s, M_REACH, SIZE_MAX);
    }
}

/* Single words that are roots, such as the DTV start computed from a thread
 * control block, kept as ranges [v, v + 1). */
static void scan_words(struct scan *s, const struct ll_ranges *w, enum mode mode)
{
    for (size_t k = 0; k < w->n; k++) {
        uintptr_t v = w->v[k].lo;
        if (v - s->lo >= s->span) continue;
        const uint32_t *e = s->idx ? entry_of(s, v) : NULL;
        if (s->idx && !e) continue;
        resolve(s, &v, &e, 1, mode, SIZE_MAX);
        drain_guarded(s, M_REACH, SIZE_MAX);
    }
}

/* Without a full scan nothing can be proved lost: claim nothing. */
void ll_reach_unclassified(size_t n, uint64_t bytes)
{
    ll_msg("leak classification skipped: out of memory");
    ll_check_notes.unclassified = n;
    ll_check_notes.unclassified_bytes = bytes;
}

void ll_reach_give_up(struct ll_block *blocks, size_t n)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        blocks[i].kind = LL_REACHABLE;
        bytes += blocks[i].size;
    }
    ll_reach_unclassified(n, bytes);
}

/* The blocks that hold a live stack (roots.c: a coroutine's from malloc). */
static void mark_stacks(struct scan *s)
{
    for (size_t k = 0; k < s->stacks->n; k++) {
        size_t i = search(s, s->stacks->v[k].lo, 0, s->n);
        if (i != SIZE_MAX) s->b[i].flags |= RF_STACK;
    }
}

void ll_reach_run(struct ll_block *blocks, size_t n, const struct ll_roots *roots,
                  const struct ll_ranges *maps, const struct ll_files *files,
                  const struct ll_ranges *anon, int pmfd)
{
    struct scan s = { .b = blocks, .n = n, .maps = maps, .files = files,
                      .stacks = &roots->stacks, .anon = anon, .pmfd = pmfd };
    struct ll_roots clipped = { 0 };
    size_t stack_bytes = 2 * n * sizeof *s.stack;   /* two pushes a block at most */
    for (size_t i = 0; i < n; i++) { blocks[i].flags = 0; blocks[i].kind = LL_DEFINITE; }
    if (!n) return;
    mark_stacks(&s);
    excluded = (struct ll_range){ (uintptr_t)blocks & ~(uintptr_t)4095,
                                  (uintptr_t)(blocks + n) };
    s.stack = n < UINT32_MAX / 2 ? ll_work_alloc(stack_bytes) : NULL;
    s.cap = 2 * n;
    int err = !s.stack || clip_all(&clipped.any, &roots->any, maps) ||
              clip_all(&clipped.start, &roots->start, maps) ||
              clip_all(&clipped.loader, &roots->loader, maps);
    if (err) {
        ll_reach_give_up(blocks, n);
    } else {
        index_build(&s);
        mark_clipped(&s);
        faults_arm();
        scan_roots(&s, &clipped.any, M_REACH);
        scan_roots(&s, &clipped.start, M_REACH_ALLOC);
        scan_roots(&s, &clipped.loader, M_REACH_ANY);
        scan_roots(&s, &roots->own, M_REACH);     /* libleak's: mapped, never clipped */
        scan_words(&s, &roots->words, M_REACH);
        scan_put_off(&s);
        scan_words(&s, &roots->owned, M_OWN);
        for (size_t i = 0; i < n; i++)
            if (blocks[i].flags & RF_START) blocks[i].kind = LL_REACHABLE;
            else if (blocks[i].flags & RF_INTERIOR) blocks[i].kind = LL_POSSIBLE;
        classify_lost(&s);
        faults_disarm();
    }
    if (s.idx) ll_work_free(s.idx, s.nidx * sizeof *s.idx);
    if (s.reg) ll_work_free(s.reg, s.nreg * sizeof *s.reg);
    if (s.stack) ll_work_free(s.stack, stack_bytes);
    ll_roots_free(&clipped);
    excluded = (struct ll_range){ 0, 0 };
}

void ll_reach_classify_roots(struct ll_block *blocks, size_t n,
                             const struct ll_range *roots, size_t nroots)
{
    struct ll_ranges maps = { 0 };
    struct ll_files files = { 0 };
    struct ll_roots r = { .any = { (struct ll_range *)roots, nroots, nroots } };
    if (ll_maps_read(&maps, NULL, &files)) {            /* unknown: trust roots */
        ll_ranges_free(&maps);
        ll_files_free(&files);
    }
    ll_reach_run(blocks, n, &r, &maps, files.data.n ? &files : NULL, NULL, -1);  /* r is only read */
    ll_ranges_free(&maps);
    ll_files_free(&files);
}

