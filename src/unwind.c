/* unwind.c - the unwinder behind stack capture.
 *
 * It runs inside every malloc of the traced program, so it is a cached
 * CFA walker rather than a general DWARF unwinder: on x86_64 almost every
 * return address lies in code whose unwind rule is "CFA = RSP+n or RBP+n,
 * return address at CFA-8, caller's RBP at CFA-8k or untouched".  That rule
 * packs into 31 bits, which, with the return address as key, fits one
 * 64-bit word of a direct-mapped, lock-free table: a steady-state frame costs
 * one relaxed load and two stack loads.  A miss finds the FDE through
 * _dl_find_object (lock-free, no malloc) and the .eh_frame_hdr search table,
 * then runs the CIE and FDE CFA programs up to the PC.  Anything the rule
 * cannot express (CFA expressions, signal frames, other register rules) is
 * cached as "complex", and the whole capture is then redone by libgcc's
 * _Unwind_Backtrace so the answer stays right.  Nothing here allocates.
 *
 * The walk reads only what CFI points at, and stops when a CFA fails the
 * sanity bounds (above the previous one, at most 16 MiB above it, 8-aligned),
 * at a return address below 64 KiB, at an undefined return address column
 * (_start, clone3) or at a PC without CFI.  The table is keyed by the return
 * address and never aged: once a library is dlclosed, another may be mapped
 * at its address, and its rules would be stale - dlclose.c calls
 * ll_unwind_forget(), which forgets them all.
 */
#include "ll.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <unwind.h>

/* Hidden entry points for the unit test and scripts/bench-unwind.c: RAW
 * keeps the frames of the binary holding this code (in a test that binary
 * is "libleak"), SLOW forces the libgcc path, NOCACHE makes every frame a
 * miss (to time one). */
#define LL_UW_RAW     1u
#define LL_UW_SLOW    2u
#define LL_UW_NOCACHE 4u
unsigned ll_unwind_ex(uintptr_t *pcs, unsigned max, unsigned flags);
void ll_unwind_flush(void);
atomic_ulong ll_unwind_misses;          /* rules computed */
atomic_ulong ll_unwind_fallbacks;       /* captures redone by libgcc */

/* ---- libleak's own code ------------------------------------------------- */
static atomic_uintptr_t self_lo, self_hi;
static atomic_int inited;

static int self_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (me - lo < ph->p_memsz) {
            atomic_store_explicit(&self_hi, lo + ph->p_memsz, memory_order_relaxed);
            atomic_store_explicit(&self_lo, lo, memory_order_relaxed);
            return 1;
        }
    }
    return 0;
}

void ll_unwind_init(void)
{
    /* dladdr would name the object; walking the program headers directly
     * also gives the executable segment's bounds, which is what we need. */
    dl_iterate_phdr(self_cb, (void *)(uintptr_t)&ll_unwind_init);
    atomic_store_explicit(&inited, 1, memory_order_release);
}

/* The bounds of exits.c's ll_main, which calls the program's main (weak:
 * the unit-test library leaves exits.c out, and then no stack ends early). */
extern const char ll_main_lo[] __attribute__((weak, visibility("hidden")));
extern const char ll_main_hi[] __attribute__((weak, visibility("hidden")));

/* ra returns into ll_main: below it lies libc's start-up code only, which
 * no report shows, so the walk ends there (exits.c). */
static int is_main_caller(uintptr_t ra)
{
    return ra - (uintptr_t)ll_main_lo < (uintptr_t)ll_main_hi - (uintptr_t)ll_main_lo;
}

int ll_self_contains(uintptr_t pc)
{
    uintptr_t lo = atomic_load_explicit(&self_lo, memory_order_relaxed);
    uintptr_t hi = atomic_load_explicit(&self_hi, memory_order_relaxed);
    return pc - lo < hi - lo;
}

/* ---- rule cache ----------------------------------------------------------- */
/* Entry = (ra >> CBITS) << 31 | rule, ra the return address (the rule is
 * the one in force at ra-1, inside the call).  The index mixes ra's low bits
 * with the tag, so tag + index identify ra.  Rule bits: 0-16 CFA offset (low,
 * so the hot path needs one AND), 17 CFA base is RBP, 18-19 kind, 20-30 n
 * such that the caller's RBP is at CFA-8n (0: RBP unchanged). */
#define CBITS 16
#define CSIZE (1u << CBITS)
#define RBITS 31
#define RMASK ((1ull << RBITS) - 1)
enum { K_SIMPLE = 0, K_END = 1u << 18, K_COMPLEX = 2u << 18, K_MASK = 3u << 18 };
#define MAX_OFF ((1u << 17) - 1)
#define R_RBP (1u << 17)
#define MAX_SLOT ((1u << 11) - 1)
static _Atomic uint64_t cache[CSIZE];      /* 512 KiB of .bss, touched lazily */

void ll_unwind_flush(void)
{
    for (unsigned i = 0; i < CSIZE; i++)
        atomic_store_explicit(&cache[i], 0, memory_order_relaxed);
}

/* Readers in other threads may be in a walk meanwhile: each entry is read
 * and written whole, and carries its key, so a reader sees either the old
 * rule or a miss, which recomputes from the code mapped now.  An old rule
 * is only ever looked up for an address in the closed library, that is by
 * a thread with a frame in code being unmapped: the program's own bug.
 * Left open: a dlopen in another thread that maps new code at the freed
 * address and runs it between the unmapping and this flush. */
atomic_uint ll_unmap_gen;

void ll_unwind_forget(void)
{
    ll_unwind_flush();
    atomic_fetch_add_explicit(&ll_unmap_gen, 1, memory_order_release);
}

/* ---- reading CFI ---------------------------------------------------------- */
static uint64_t uleb(const uint8_t **pp, const uint8_t *end)
{
    uint64_t v = 0;
    unsigned s = 0;
    const uint8_t *p = *pp;
    while (p < end) {
        uint8_t b = *p++;
        if (s < 64) v |= (uint64_t)(b & 0x7f) << s;
        s += 7;
        if (!(b & 0x80)) break;
    }
    *pp = p;
    return v;
}

static int64_t sleb(const uint8_t **pp, const uint8_t *end)
{
    uint64_t v = 0;
    unsigned s = 0;
    uint8_t b = 0;
    const uint8_t *p = *pp;
    while (p < end) {
        b = *p++;
        if (s < 64) v |= (uint64_t)(b & 0x7f) << s;
        s += 7;
        if (!(b & 0x80)) break;
    }
    if (s < 64 && (b & 0x40)) v |= ~0ull << s;
    *pp = p;
    return (int64_t)v;
}

#define LD(T, p) ({ T v_; memcpy(&v_, (p), sizeof v_); v_; })

/* A DW_EH_PE-encoded pointer; base is what datarel is relative to.
 * Returns -1 on an encoding we do not expect on x86_64. */
static int rd_ptr(const uint8_t **pp, const uint8_t *end, uint8_t enc,
                  uintptr_t base, uintptr_t *out)
{
    const uint8_t *p = *pp;
    uintptr_t v;
    if (enc == 0xff) return -1;                          /* omit */
    switch (enc & 0x0f) {
    case 0x00: case 0x04: case 0x0c: v = LD(uint64_t, p); p += 8; break;
    case 0x01: v = uleb(&p, end); break;
    case 0x02: v = LD(uint16_t, p); p += 2; break;
    case 0x03: v = LD(uint32_t, p); p += 4; break;
    case 0x09: v = (uintptr_t)sleb(&p, end); break;
    case 0x0a: v = (uintptr_t)(intptr_t)LD(int16_t, p); p += 2; break;
    case 0x0b: v = (uintptr_t)(intptr_t)LD(int32_t, p); p += 4; break;
    default: return -1;
    }
    if (p > end) return -1;
    switch (enc & 0x70) {
    case 0x00: break;
    case 0x10: v += (uintptr_t)*pp; break;               /* pcrel */
    case 0x30: if (!base) return -1; v += base; break;  /* datarel */
    default: return -1;
    }
    if (enc & 0x80) v = LD(uintptr_t, (const void *)v);  /* indirect */
    *pp = p;
    *out = v;
    return 0;
}

/* Rules for the registers that matter: the CFA, RBP (a CFA base), RSP (must
 * stay "the CFA") and the return address column. */
enum { R_SAME, R_OFF, R_UNDEF, R_OTHER };
struct row {
    int64_t cfa_off, bp_off, ra_off;
    uint8_t cfa_reg, cfa_expr, bp, ra, sp;
};
struct cie {
    const uint8_t *ins, *end;
    uint64_t code_align;
    int64_t data_align;
    unsigned ra_reg;
    uint8_t fde_enc, z, signal;
};

static void set_reg(struct row *r, const struct cie *c, uint64_t reg,
                    uint8_t kind, int64_t off)
{
    if (reg == 6) { r->bp = kind; r->bp_off = off; }
    else if (reg == c->ra_reg) { r->ra = kind; r->ra_off = off; }
    else if (reg == 7) r->sp = kind;
}

static void restore_reg(struct row *r, const struct row *init,
                        const struct cie *c, uint64_t reg)
{
    if (reg == 6) { r->bp = init->bp; r->bp_off = init->bp_off; }
    else if (reg == c->ra_reg) { r->ra = init->ra; r->ra_off = init->ra_off; }
    else if (reg == 7) r->sp = init->sp;
}

/* Only 6 (RBP) and 7 (RSP) are usable; keep a wild number from aliasing them. */
static uint8_t cfa_reg(uint64_t reg) { return reg < 16 ? (uint8_t)reg : 255; }

/* Run a CFA program until the row covering q; -1 on what we do not model. */
static int run_cfa(const uint8_t *p, const uint8_t *end, const struct cie *c,
                   uintptr_t loc, uintptr_t q, struct row *r,
                   const struct row *init)
{
    struct row stack[8];
    unsigned depth = 0;
    while (p < end) {
        uint8_t op = *p++;
        uint64_t reg, off;
        switch (op >> 6) {
        case 1:                                      /* advance_loc */
            loc += (op & 0x3f) * c->code_align;
            if (loc > q) return 0;
            continue;
        case 2:                                      /* offset */
            set_reg(r, c, op & 0x3f, R_OFF, (int64_t)uleb(&p, end) * c->data_align);
            continue;
        case 3:                                      /* restore */
            restore_reg(r, init, c, op & 0x3f);
            continue;
        }
        switch (op) {
        case 0x00: break;                            /* nop */
        case 0x01:                                   /* set_loc */
            if (rd_ptr(&p, end, c->fde_enc, 0, &loc)) return -1;
            if (loc > q) return 0;
            break;
        case 0x02: case 0x03: case 0x04: {           /* advance_loc1/2/4 */
            uint64_t d = op == 0x02 ? *p : op == 0x03 ? LD(uint16_t, p) : LD(uint32_t, p);
            p += op == 0x02 ? 1 : op == 0x03 ? 2 : 4;
            loc += d * c->code_align;
            if (loc > q) return 0;
            break;
        }
        case 0x05:                                   /* offset_extended */
            reg = uleb(&p, end);
            set_reg(r, c, reg, R_OFF, (int64_t)uleb(&p, end) * c->data_align);
            break;
        case 0x11:                                   /* offset_extended_sf */
            reg = uleb(&p, end);
            set_reg(r, c, reg, R_OFF, sleb(&p, end) * c->data_align);
            break;
        case 0x2f:                           /* GNU_negative_offset_extended */
            reg = uleb(&p, end);
            set_reg(r, c, reg, R_OFF, -(int64_t)uleb(&p, end) * c->data_align);
            break;
        case 0x06: restore_reg(r, init, c, uleb(&p, end)); break;
        case 0x07: set_reg(r, c, uleb(&p, end), R_UNDEF, 0); break;
        case 0x08: set_reg(r, c, uleb(&p, end), R_SAME, 0); break;
        case 0x09:                                   /* register */
            reg = uleb(&p, end);
            uleb(&p, end);
            set_reg(r, c, reg, R_OTHER, 0);
            break;
        case 0x14: case 0x15:                        /* val_offset(_sf) */
            reg = uleb(&p, end);
            if (op == 0x14) uleb(&p, end); else sleb(&p, end);
            set_reg(r, c, reg, R_OTHER, 0);
            break;
        case 0x10: case 0x16:                        /* (val_)expression */
            reg = uleb(&p, end);
            off = uleb(&p, end);
            p += off;
            set_reg(r, c, reg, R_OTHER, 0);
            break;
        case 0x0a:                                   /* remember_state */
            if (depth == 8) return -1;
            stack[depth++] = *r;
            break;
        case 0x0b:                                   /* restore_state */
            if (!depth) return -1;
            /* The CFA is part of the remembered row, as libgcc does. */
            *r = stack[--depth];
            break;
        case 0x0c:                                   /* def_cfa */
            r->cfa_reg = cfa_reg(uleb(&p, end));
            r->cfa_off = (int64_t)uleb(&p, end);
            r->cfa_expr = 0;
            break;
        case 0x12:                                   /* def_cfa_sf */
            r->cfa_reg = cfa_reg(uleb(&p, end));
            r->cfa_off = sleb(&p, end) * c->data_align;
            r->cfa_expr = 0;
            break;
        case 0x0d: r->cfa_reg = cfa_reg(uleb(&p, end)); r->cfa_expr = 0; break;
        case 0x0e: r->cfa_off = (int64_t)uleb(&p, end); break;
        case 0x13: r->cfa_off = sleb(&p, end) * c->data_align; break;
        case 0x0f:                                   /* def_cfa_expression */
            off = uleb(&p, end);
            p += off;
            r->cfa_expr = 1;
            break;
        case 0x2e: uleb(&p, end); break;             /* GNU_args_size */
        default: return -1;
        }
    }
    return 0;
}

static int parse_cie(const uint8_t *p, struct cie *c)
{
    uint32_t len = LD(uint32_t, p);
    if (len == 0xffffffff || len < 8 || LD(uint32_t, p + 4) != 0) return -1;
    const uint8_t *end = p + 4 + len;
    p += 8;
    uint8_t ver = *p++;
    const char *aug = (const char *)p;
    p += strlen(aug) + 1;
    if (ver != 1 && ver != 3) return -1;
    if (aug[0] && aug[0] != 'z') return -1;          /* "eh" and such */
    c->code_align = uleb(&p, end);
    c->data_align = sleb(&p, end);
    c->ra_reg = ver == 1 ? *p++ : (unsigned)uleb(&p, end);
    c->fde_enc = 0;
    c->signal = 0;
    c->z = aug[0] == 'z';
    if (c->z) {
        uint64_t alen = uleb(&p, end);
        const uint8_t *aend = p + alen, *a = p;
        for (const char *s = aug + 1; *s && a < aend; s++) {
            uintptr_t dummy;
            switch (*s) {
            case 'R': c->fde_enc = *a++; break;
            case 'L': a++; break;
            case 'P': {
                uint8_t enc = *a++;
                if (rd_ptr(&a, aend, enc & 0x7f, 0, &dummy)) return -1;
                break;
            }
            case 'S': c->signal = 1; break;
            default: break;                          /* 'B', 'G': no data */
            }
        }
        p = aend;
    }
    c->ins = p;
    c->end = end;
    return p <= end ? 0 : -1;
}

/* The FDE that lookup address q lies in, found through its object's
 * .eh_frame_hdr search table: 0, or K_END (no object, no CFI, a hole) or
 * K_COMPLEX (tables it cannot read).  *in_obj: q lies in a loaded object. */
struct fde {
    struct cie c;
    const uint8_t *p, *end;             /* its augmentation data, then its program */
    uintptr_t start, range;             /* the code it describes */
    uintptr_t base;                     /* its object's load bias (l_addr) */
};

static uint32_t fde_find(uintptr_t q, struct fde *d, int *in_obj)
{
    struct dl_find_object fo;
    *in_obj = 0;
    if (_dl_find_object((void *)q, &fo) != 0)
        return K_END;                                /* not in any object */
    *in_obj = 1;
    d->base = fo.dlfo_link_map ? fo.dlfo_link_map->l_addr : 0;
    const uint8_t *h = fo.dlfo_eh_frame, *p;
    if (!h)
        return K_END;                                /* no CFI */
    uintptr_t ehp, count;
    p = h + 4;
    if (h[0] != 1 || rd_ptr(&p, p + 16, h[1], (uintptr_t)h, &ehp) ||
        rd_ptr(&p, p + 16, h[2], (uintptr_t)h, &count) || h[3] != 0x3b)
        return K_COMPLEX;                            /* no usable table */
    const int32_t *tab = (const int32_t *)p;         /* (loc, fde) pairs */
    size_t lo = 0, hi = count;
    while (lo < hi) {                                /* last loc <= q */
        size_t mid = (lo + hi) / 2;
        if ((uintptr_t)h + LD(int32_t, &tab[2 * mid]) <= q) lo = mid + 1;
        else hi = mid;
    }
    if (!lo)
        return K_END;
    const uint8_t *f = h + LD(int32_t, &tab[2 * (lo - 1) + 1]);
    uint32_t flen = LD(uint32_t, f);
    if (flen == 0xffffffff) return K_COMPLEX;
    d->end = f + 4 + flen;
    p = f + 4;
    if (parse_cie(p - LD(uint32_t, p), &d->c)) return K_COMPLEX;
    p += 4;
    if (rd_ptr(&p, d->end, d->c.fde_enc, 0, &d->start) ||
        rd_ptr(&p, d->end, d->c.fde_enc & 0x0f, 0, &d->range))
        return K_COMPLEX;
    if (q - d->start >= d->range)
        return K_END;                                /* a hole: no CFI */
    d->p = p;
    return 0;
}

uintptr_t ll_unwind_fn_start(uintptr_t q, uintptr_t *base)
{
    struct fde d;
    int in_obj;
    if (fde_find(q, &d, &in_obj))
        return 0;
    *base = d.base;
    return d.start;
}

/* By its FDE: a binary search.  dladdr1's symbol size scans the object's
 * whole symbol table (libc's: 9 lookups were 785,000 instructions, a
 * quarter of a millisecond, in every process libleak starts in); it
 * stays the fallback for code without CFI. */
int ll_code_range(const void *f, uintptr_t *lo, uintptr_t *hi)
{
    struct fde d;
    int in_obj;
    uintptr_t a = (uintptr_t)f;
    *lo = *hi = 0;
    if (!f)
        return 0;
    if (!fde_find(a, &d, &in_obj) && d.start == a && d.range) {
        *lo = a;
        *hi = a + d.range;
        return 1;
    }
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1(f, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !sym->st_size)
        return 0;
    *lo = a;
    *hi = a + sym->st_size;
    return 1;
}

/* The rule for lookup address q.  *cache_it: whether the answer is a
 * property of the loaded code (so it may be remembered). */
__attribute__((noinline, cold))
static uint32_t compute(uintptr_t q, int *cache_it)
{
    struct fde d;
    uint32_t k = fde_find(q, &d, cache_it);
    if (k)
        return k;
    struct cie c = d.c;
    const uint8_t *p = d.p, *fend = d.end;
    uintptr_t start = d.start;
    if (c.z) {
        uint64_t alen = uleb(&p, fend);
        p += alen;
    }
    if (c.signal) return K_COMPLEX;
    struct row init = { .cfa_reg = 7, .ra = R_SAME }, r;
    if (run_cfa(c.ins, c.end, &c, start, UINTPTR_MAX, &init, &init)) return K_COMPLEX;
    r = init;
    if (run_cfa(p, fend, &c, start, q, &r, &init)) return K_COMPLEX;

    if (r.ra == R_UNDEF) return K_END;              /* outermost frame */
    if (r.cfa_expr || (r.cfa_reg != 6 && r.cfa_reg != 7) || r.sp != R_SAME ||
        r.ra != R_OFF || r.ra_off != -8 || r.cfa_off < 8 || r.cfa_off > MAX_OFF)
        return K_COMPLEX;
    uint32_t slot = 0;
    if (r.bp == R_OFF) {
        if (r.bp_off >= 0 || (r.bp_off & 7) || -r.bp_off / 8 > MAX_SLOT)
            return K_COMPLEX;
        slot = (uint32_t)(-r.bp_off / 8);
    } else if (r.bp != R_SAME) {
        return K_COMPLEX;
    }
    return K_SIMPLE | (r.cfa_reg == 6 ? R_RBP : 0) | (uint32_t)r.cfa_off | slot << 20;
}

static inline uint32_t lookup(uintptr_t ra, unsigned flags)
{
    size_t i = (ra ^ (ra >> CBITS)) & (CSIZE - 1);
    uint64_t e = atomic_load_explicit(&cache[i], memory_order_relaxed);
    if (ll_likely(e >> RBITS == ra >> CBITS && !(flags & LL_UW_NOCACHE)))
        return (uint32_t)(e & RMASK);                /* ra >> CBITS is never 0 */
    int cache_it;
    uint32_t rule = compute(ra - 1, &cache_it);
    atomic_fetch_add_explicit(&ll_unwind_misses, 1, memory_order_relaxed);
    if (cache_it && ra >> 47 == 0 && !(flags & LL_UW_NOCACHE)) /* 33-bit tag */
        atomic_store_explicit(&cache[i], (uint64_t)(ra >> CBITS) << RBITS | rule,
                              memory_order_relaxed);
    return rule;
}

/* ---- the libgcc path -------------------------------------------------------- */
struct slow {
    uintptr_t *pcs;
    unsigned max, n, drop, skipping;
    int kept;                 /* the previous frame is pcs[n - 1] */
};

/* A frame a signal interrupted has its own pc, not a return address
 * (libgcc's ip_before_insn), and so has the signal trampoline above it,
 * whose "return address" the kernel set to its first byte: both get
 * LL_PC_EXACT, so that they are looked up where they are. */
static _Unwind_Reason_Code slow_cb(struct _Unwind_Context *ctx, void *arg)
{
    struct slow *s = arg;
    int exact = 0;
    uintptr_t ip = _Unwind_GetIPInfo(ctx, &exact);
    int kept = s->kept;
    s->kept = 0;
    if (s->drop) { s->drop--; return _URC_NO_REASON; }
    if (!ip) return _URC_END_OF_STACK;
    if (s->skipping && ll_self_contains(ip))   /* anywhere: see ll_unwind_memo */
        return is_main_caller(ip) ? _URC_END_OF_STACK : _URC_NO_REASON;
    if (exact && kept)
        s->pcs[s->n - 1] |= LL_PC_EXACT;
    s->pcs[s->n++] = ip | (exact ? LL_PC_EXACT : 0);
    s->kept = 1;
    return s->n < s->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/* ---- the walk ------------------------------------------------------------------ */
#define MAX_FRAME (16u << 20)   /* a frame larger than this means garbage */
#define MAX_SKIP 256

enum { STEP_OK, STEP_END, STEP_SLOW };

/* The sanity bounds on a CFA computed from sp's frame (see the top). */
static inline int cfa_sane(uintptr_t cfa, uintptr_t sp)
{
    return cfa > sp && cfa - sp <= MAX_FRAME && !(cfa & 7);
}

/* One frame up: from (ra, sp, bp) to the caller's, by the cached rule.
 * no_sanitize_address: it reads other functions' stack slots on purpose. */
__attribute__((no_sanitize_address, always_inline))
static inline int step(uintptr_t *ra, uintptr_t *sp, uintptr_t *bp, unsigned flags)
{
    uint32_t rule = lookup(*ra, flags);
    if (ll_unlikely(rule & K_MASK))
        return (rule & K_MASK) == K_END ? STEP_END : STEP_SLOW;
    uintptr_t cfa = (rule & R_RBP ? *bp : *sp) + (rule & MAX_OFF);
    if (ll_unlikely(!cfa_sane(cfa, *sp)))
        return STEP_END;
    *ra = *(const uintptr_t *)(cfa - 8);
    if (rule >> 20)
        *bp = *(const uintptr_t *)(cfa - 8 * (rule >> 20));
    *sp = cfa;
    return *ra < 65536 ? STEP_END : STEP_OK;      /* 0 ends the chain */
}

/* Redo the whole capture with libgcc (it cannot start from a half-way
 * state), skipping libleak's frames unless raw. */
static unsigned slow_capture(uintptr_t *pcs, unsigned max, int skip, int counted)
{
    if (counted)
        atomic_fetch_add_explicit(&ll_unwind_fallbacks, 1, memory_order_relaxed);
    struct slow s = { pcs, max, 0, 1, skip, 0 };
    _Unwind_Backtrace(slow_cb, &s);
    return s.n;
}

__attribute__((noinline, noclone, no_sanitize_address))
unsigned ll_unwind_ex(uintptr_t *pcs, unsigned max, unsigned flags)
{
    uintptr_t ra, sp, bp;
    /* A PC and the registers it describes, read at one point; the PC + 1
     * stands for a return address, whose rule is looked up one byte back. */
    __asm__ volatile("lea 1(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
                     : "=r"(ra), "=r"(sp), "=r"(bp));
    if (ll_unlikely(!atomic_load_explicit(&inited, memory_order_acquire)))
        ll_unwind_init();
    if (!max)
        return 0;
    int skip = !(flags & LL_UW_RAW);
    if (flags & LL_UW_SLOW)
        return slow_capture(pcs, max, skip, 0);
    unsigned n = 0, skipped = 0, skipping = skip;
    for (;;) {
        int r = step(&ra, &sp, &bp, flags);
        if (r == STEP_SLOW)
            return slow_capture(pcs, max, skip, 1);
        if (r == STEP_END)
            break;
        if (ll_unlikely(skipping)) {
            if (ll_self_contains(ra) && ++skipped < MAX_SKIP) continue;
            skipping = 0;
        }
        if (skip && ll_unlikely(ll_self_contains(ra))) {
            if (is_main_caller(ra))
                break;
            continue;                   /* see ll_unwind_memo */
        }
        pcs[n++] = ra;
        if (n == max) break;
    }
    return n;
}

/* The walk from a frame the caller describes (see ll.h), noting in m what
 * it depended on.  The steps are those of step(), spelled out to track
 * where rbp came from: from the caller, or from a stack word read by an
 * earlier frame's rule.  That read is held back (pend) until a rule uses
 * rbp as its CFA base, and forgotten if another frame restores rbp first:
 * code that uses rbp as a plain register saves garbage there. */
__attribute__((no_sanitize_address))
unsigned ll_unwind_memo(uintptr_t *pcs, unsigned max, uintptr_t ra,
                        uintptr_t sp, uintptr_t bp, struct ll_uw_memo *m)
{
    if (ll_unlikely(!atomic_load_explicit(&inited, memory_order_acquire)))
        ll_unwind_init();
    unsigned n = 0, j = 0;
    uintptr_t pend_at = 0;              /* where rbp was read, 0: from the caller */
    m->ra = ra;                         /* not a struct assignment: rd[] */
    m->sp = sp;                         /* need not be cleared */
    m->bp = bp;
    m->need_bp = 0;
    m->depth = (uint8_t)max;
    m->id = 0;
    m->n = 0;
    if (ra < 65536)
        return 0;
    /* libleak's own frames further out are left out too: a wrapper that
     * calls back into the program (exit() running atexit handlers) would
     * otherwise show in every stack allocated below it.  The one that calls
     * main ends the walk (is_main_caller). */
    const uintptr_t self = atomic_load_explicit(&self_lo, memory_order_relaxed),
                    self_span = atomic_load_explicit(&self_hi, memory_order_relaxed) - self;
    pcs[n++] = ra;
    while (n < max) {
        if (ll_unlikely(j + 2 > LL_MEMO_READS)) {
            m->depth = 0;               /* too many words to check: walk on */
            int r = STEP_OK;
            while (n < max && (r = step(&ra, &sp, &bp, 0)) == STEP_OK)
                if (ll_likely(ra - self >= self_span))
                    pcs[n++] = ra;
                else if (is_main_caller(ra))
                    break;
            return r == STEP_SLOW ? slow_capture(pcs, max, 1, 1) : n;
        }
        uint32_t rule = lookup(ra, 0);
        if (ll_unlikely(rule & K_MASK)) {
            if ((rule & K_MASK) != K_END) {
                m->depth = 0;
                return slow_capture(pcs, max, 1, 1);
            }
            break;
        }
        uintptr_t base = sp;
        if (rule & R_RBP) {
            base = bp;
            if (!pend_at) {
                m->need_bp = 1;
            } else if (pend_at != 1) {
                m->rd[j].at = pend_at;
                m->rd[j++].v = bp;
                pend_at = 1;            /* kept already */
            }
        }
        uintptr_t cfa = base + (rule & MAX_OFF);
        if (ll_unlikely(!cfa_sane(cfa, sp)))
            break;
        ra = *(const uintptr_t *)(cfa - 8);
        m->rd[j].at = cfa - 8;
        m->rd[j++].v = ra;
        if (rule >> 20) {
            pend_at = cfa - 8 * (rule >> 20);
            bp = *(const uintptr_t *)pend_at;
        }
        sp = cfa;
        if (ra < 65536)
            break;
        if (ll_likely(ra - self >= self_span))
            pcs[n++] = ra;
        else if (is_main_caller(ra))
            break;                      /* libc's start-up code below */
    }
    /* Past one group, padded to whole groups for ll_unwind_replay: a word
     * at its own address always matches (LL_MEMO_READS is a multiple of
     * the group, so the padding fits). */
    for (; j > LL_MEMO_GROUP && j % LL_MEMO_GROUP; j++)
        m->rd[j].at = m->rd[j].v = (uintptr_t)&m->rd[j].v;
    m->n = (uint8_t)j;
    return n;
}

unsigned ll_unwind(uintptr_t *pcs, unsigned max)
{
    return ll_unwind_ex(pcs, max, 0);
}
