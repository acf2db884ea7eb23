/* bench-unwind.c - ns per stack capture for libleak's cached CFA walker,
 * libgcc's _Unwind_Backtrace, libunwind's unw_backtrace and glibc's
 * backtrace(), on stacks of 8, 16 and 32 frames through -O2 code without
 * frame pointers (the default at -O2 on x86_64 is what is measured).
 * Build and run from the top of the tree (see scripts/bench-unwind.md):
 *
 *   gcc -std=gnu11 -O2 -g -D_GNU_SOURCE -Isrc -o /tmp/bench-unwind \
 *       scripts/bench-unwind.c src/unwind.c -ldl -lunwind && /tmp/bench-unwind
 *
 * libunwind.so also defines _Unwind_Backtrace, so libgcc's is taken from
 * libgcc_s.so.1 by dlsym rather than by link order.
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unwind.h>

#define LL_UW_RAW 1u
#define LL_UW_NOCACHE 4u
unsigned ll_unwind_ex(uintptr_t *pcs, unsigned max, unsigned flags);
void ll_unwind_flush(void);
extern atomic_ulong ll_unwind_misses, ll_unwind_fallbacks;

#define NI __attribute__((noipa))
#define SINK(x) __asm__ volatile("" : : "r"(x) : "memory")
#define MAXF 64

typedef unsigned capture_fn(uintptr_t *pcs, unsigned max);

/* ---- the unwinders, behind one signature ---- */
static unsigned cap_ll(uintptr_t *pcs, unsigned max)
{
    return ll_unwind_ex(pcs, max, LL_UW_RAW);
}

/* Every frame a miss: _dl_find_object, .eh_frame_hdr search, CIE and FDE
 * programs. */
static unsigned cap_ll_cold(uintptr_t *pcs, unsigned max)
{
    return ll_unwind_ex(pcs, max, LL_UW_RAW | LL_UW_NOCACHE);
}

static _Unwind_Reason_Code (*gcc_backtrace)(_Unwind_Trace_Fn, void *);
static _Unwind_Ptr (*gcc_getip)(struct _Unwind_Context *);
struct gcc_arg { uintptr_t *pcs; unsigned n, max; };
static _Unwind_Reason_Code gcc_cb(struct _Unwind_Context *ctx, void *p)
{
    struct gcc_arg *a = p;
    uintptr_t ip = gcc_getip(ctx);
    if (!ip) return _URC_END_OF_STACK;
    a->pcs[a->n++] = ip;
    return a->n < a->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}
static unsigned cap_libgcc(uintptr_t *pcs, unsigned max)
{
    struct gcc_arg a = { pcs, 0, max };
    gcc_backtrace(gcc_cb, &a);
    return a.n;
}

static unsigned cap_libunwind(uintptr_t *pcs, unsigned max)
{
    int n = unw_backtrace((void **)pcs, (int)max);
    return n < 0 ? 0 : (unsigned)n;
}

/* libunwind.so exports a backtrace() too: take glibc's from libc. */
static int (*glibc_backtrace)(void **, int);
static unsigned cap_glibc(uintptr_t *pcs, unsigned max)
{
    return (unsigned)glibc_backtrace((void **)pcs, (int)max);
}

static const struct { const char *name; capture_fn *fn; } unwinders[] = {
    { "libleak walker (cached)", cap_ll },
    { "libleak walker (all misses)", cap_ll_cold },
    { "libgcc _Unwind_Backtrace", cap_libgcc },
    { "libunwind unw_backtrace", cap_libunwind },
    { "glibc backtrace()", cap_glibc },
};
#define NU (sizeof unwinders / sizeof unwinders[0])

/* ---- the leaf: time one unwinder on the stack above it ---- */
struct job { capture_fn *fn; double ns; unsigned frames; };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

NI static long leaf(struct job *j)
{
    uintptr_t pcs[MAXF];
    double best = 1e30;
    j->frames = j->fn(pcs, MAXF);                  /* warm caches */
    for (int rep = 0; rep < 5; rep++) {            /* best of 5 runs of ~40 ms */
        unsigned iters = 0;
        double t0 = now(), t;
        do {
            for (int k = 0; k < 64; k++) {
                unsigned n = j->fn(pcs, MAXF);
                SINK(n);
            }
            iters += 64;
        } while ((t = now()) - t0 < 4e7);
        if ((t - t0) / iters < best) best = (t - t0) / iters;
    }
    j->ns = best;
    return j->frames;
}

/* ---- 32 distinct frame-pointer-less frames of a few shapes ---- */
typedef long chain_fn(struct job *, int);
static chain_fn *const chain[33];

#define PLAIN(i) NI static long g##i(struct job *j, int d) \
    { long r = d > 1 ? chain[i + 1](j, d - 1) : leaf(j); SINK(r); return r + 1; }
#define REGS(i) NI static long g##i(struct job *j, int d) \
    { __asm__ volatile("" : : : "rbx", "r12", "r13", "r14", "r15"); \
      long r = d > 1 ? chain[i + 1](j, d - 1) : leaf(j); SINK(r); return r + 1; }
#define ALLOCA(i) NI static long g##i(struct job *j, int d) \
    { char *b = __builtin_alloca(16 + (d & 7)); b[0] = 1; SINK(b); \
      long r = d > 1 ? chain[i + 1](j, d - 1) : leaf(j); SINK(r); return r + b[0]; }
#define BIG(i) NI static long g##i(struct job *j, int d) \
    { volatile char big[2048]; big[d & 3] = 1; \
      long r = d > 1 ? chain[i + 1](j, d - 1) : leaf(j); SINK(r); return r + big[d & 3]; }
#define FOUR(a, b, c, e) PLAIN(a) REGS(b) ALLOCA(c) BIG(e)
FOUR(1, 2, 3, 4) FOUR(5, 6, 7, 8) FOUR(9, 10, 11, 12) FOUR(13, 14, 15, 16)
FOUR(17, 18, 19, 20) FOUR(21, 22, 23, 24) FOUR(25, 26, 27, 28) FOUR(29, 30, 31, 32)
static chain_fn *const chain[33] = { 0,
    g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, g12, g13, g14, g15, g16,
    g17, g18, g19, g20, g21, g22, g23, g24, g25, g26, g27, g28, g29, g30, g31, g32 };

NI static void run(struct job *j, int chain_len)
{
    long r = chain[1](j, chain_len);
    SINK(r);
}

int main(void)
{
    void *h = dlopen("libgcc_s.so.1", RTLD_NOW);
    if (!h || !(gcc_backtrace = (void *)dlsym(h, "_Unwind_Backtrace")) ||
        !(gcc_getip = (void *)dlsym(h, "_Unwind_GetIP"))) {
        fprintf(stderr, "bench-unwind: no libgcc_s: %s\n", dlerror());
        return 1;
    }
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (!libc || !(glibc_backtrace = (int (*)(void **, int))dlsym(libc, "backtrace"))) {
        fprintf(stderr, "bench-unwind: no glibc backtrace: %s\n", dlerror());
        return 1;
    }
    /* Frames below the chain (run, main, libc start, _start) plus leaf. */
    struct job probe = { cap_ll, 0, 0 };
    run(&probe, 1);
    unsigned base = probe.frames - 1;

    static const unsigned depths[] = { 8, 16, 32 };
    printf("depth = frames captured: %u fixed (leaf, run, main, libc start, _start)\n"
           "+ chain frames of 4 shapes (plain, 5 callee-saved registers, alloca\n"
           "with an RBP-based CFA, 2 KiB of locals), all distinct functions\n\n",
           base);
    printf("%-30s %10s %10s %10s\n", "ns per capture", "depth 8", "depth 16", "depth 32");
    for (unsigned u = 0; u < NU; u++) {
        printf("%-30s", unwinders[u].name);
        for (unsigned d = 0; d < 3; d++) {
            struct job j = { unwinders[u].fn, 0, 0 };
            run(&j, (int)(depths[d] - base));
            printf(" %7.1f/%-2u", j.ns, j.frames);
        }
        printf("\n");
    }

    printf("\n(value/frames: ns per capture / frames that unwinder returned)\n");
    printf("walker: %lu rule misses, %lu libgcc fallbacks in all\n",
           (unsigned long)atomic_load(&ll_unwind_misses),
           (unsigned long)atomic_load(&ll_unwind_fallbacks));
    return 0;
}
