/* test_unwind.c - the cached CFA walker against libgcc's _Unwind_Backtrace.
 *
 * Statically linked, "libleak's own code" is this whole test binary, so the
 * raw entry point (no skipping) is compared frame for frame with libgcc on
 * chains of -O2 frame-pointer-less functions of varied shapes, through libc
 * (a qsort comparator), in a thread, from a signal handler (which takes the
 * libgcc path), and the skipping entry point is checked separately. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "ll.h"

#define LL_UW_RAW  1u
#define LL_UW_SLOW 2u
unsigned ll_unwind_ex(uintptr_t *pcs, unsigned max, unsigned flags);
void ll_unwind_flush(void);
extern atomic_ulong ll_unwind_misses, ll_unwind_fallbacks;

#define NI __attribute__((noipa))
#define N LL_MAX_DEPTH
#define SINK(x) __asm__ volatile("" : : "r"(x) : "memory")

struct cap {
    uintptr_t ours[N], ref[N];
    unsigned n_ours, n_ref, flags, max;
};

static _Unwind_Reason_Code ref_cb(struct _Unwind_Context *ctx, void *arg)
{
    struct cap *c = arg;
    int exact = 0;
    uintptr_t ip = _Unwind_GetIPInfo(ctx, &exact);
    if (!ip || c->n_ref == N) return _URC_END_OF_STACK;
    /* a frame a signal interrupted, and the trampoline above it, are
     * exact pcs (LL_PC_EXACT), not return addresses */
    if (exact && c->n_ref)
        c->ref[c->n_ref - 1] |= LL_PC_EXACT;
    c->ref[c->n_ref++] = ip | (exact ? LL_PC_EXACT : 0);
    return _URC_NO_REASON;
}

/* The oracle; its own frame is dropped so both lists start in capture(). */
NI static void oracle(struct cap *c)
{
    c->n_ref = 0;
    _Unwind_Backtrace(ref_cb, c);
    memmove(c->ref, c->ref + 1, --c->n_ref * sizeof c->ref[0]);
}

NI static void capture(struct cap *c)
{
    c->n_ours = ll_unwind_ex(c->ours, c->max ? c->max : N, c->flags);
    oracle(c);
    SINK(c);                                    /* not a tail call */
}

/* Same length, same frames; the first two are different call sites in
 * capture(), so only close. */
static void check(const struct cap *c, unsigned min_depth)
{
    if (c->n_ours != c->n_ref || memcmp(c->ours + 1, c->ref + 1, (c->n_ref - 1) * sizeof c->ref[0]))
        for (unsigned i = 0; i < c->n_ours || i < c->n_ref; i++)   /* for the log */
            cr_log_info("frame %2u: %#14lx  libgcc %#14lx", i,
                        (unsigned long)(i < c->n_ours ? c->ours[i] : 0),
                        (unsigned long)(i < c->n_ref ? c->ref[i] : 0));
    cr_assert_geq(c->n_ref, min_depth, "oracle saw only %u frames", c->n_ref);
    cr_assert_eq(c->n_ours, c->n_ref, "%u frames, libgcc has %u", c->n_ours, c->n_ref);
    cr_assert_lt(c->ours[0] - c->ref[0] + 256, 512u, "frame 0 not in capture()");
    for (unsigned i = 1; i < c->n_ref; i++)
        cr_assert_eq(c->ours[i], c->ref[i], "frame %u: %#lx, libgcc %#lx",
                     i, (unsigned long)c->ours[i], (unsigned long)c->ref[i]);
}

/* A chain of frames of varied shapes; -O2 without frame pointers (the
 * default on x86_64), and each call followed by work so none is a tail call. */
NI static int f12(struct cap *c) { capture(c); return 1; }
NI static int f11(struct cap *c) { int r = f12(c); SINK(r); return r + 1; }
NI static int f10(struct cap *c)
{   /* many callee-saved registers pushed */
    __asm__ volatile("" : : : "rbx", "r12", "r13", "r14", "r15");
    int r = f11(c); SINK(r); return r + 1;
}
NI static int f9(struct cap *c)
{   /* VLA: the CFA is RBP-based */
    volatile char vla[16 + (c->flags & 7)];
    vla[0] = 1;
    int r = f10(c); SINK(r); return r + vla[0];
}
NI static int f8(struct cap *c)
{   /* a large frame */
    volatile char big[8192];
    big[c->flags & 1] = 1;
    int r = f9(c); SINK(r); return r + big[c->flags & 1];
}
NI static int f7(struct cap *c)
{   /* RBP used as data: walking frame pointers would fail below here */
    __asm__ volatile("mov $0x1234, %%ebp" : : : "rbp");
    int r = f8(c); SINK(r); return r + 1;
}
static int (*volatile f7p)(struct cap *) = f7;
NI static int f6(struct cap *c) { int r = f7p(c); SINK(r); return r + 1; }
NI static int f5(struct cap *c)
{
    int *a = __builtin_alloca(32 + (c->flags & 15));
    a[0] = 1;
    SINK(a);
    int r = f6(c); SINK(r); return r + a[0];
}
NI static int f4(struct cap *c) { int r = f5(c); SINK(r); return r + 1; }
NI static int f3(struct cap *c)
{
    __asm__ volatile("" : : : "rbx", "r12");
    int r = f4(c); SINK(r); return r + 1;
}
NI static int f2(struct cap *c) { int r = f3(c); SINK(r); return r + 1; }
NI static int f1(struct cap *c) { int r = f2(c); SINK(r); return r + 1; }

static void run(struct cap *c, unsigned flags)
{
    memset(c, 0, sizeof *c);
    c->flags = flags;
    cr_assert_eq(f1(c), 12);
}

Test(unwind, chain_matches_libgcc)
{
    struct cap c;
    unsigned long fb = atomic_load(&ll_unwind_fallbacks);
    for (int i = 0; i < 3; i++) {               /* cold, then cached */
        run(&c, LL_UW_RAW);
        check(&c, 13);
    }
    ll_unwind_flush();
    unsigned long m = atomic_load(&ll_unwind_misses);
    run(&c, LL_UW_RAW);
    check(&c, 13);
    cr_assert_gt(atomic_load(&ll_unwind_misses), m, "flush kept the rules");
    cr_assert_eq(atomic_load(&ll_unwind_fallbacks), fb, "the walker gave up");
}

Test(unwind, slow_path_matches_libgcc)
{
    struct cap c;
    run(&c, LL_UW_RAW | LL_UW_SLOW);
    check(&c, 13);
}

Test(unwind, truncation)
{
    struct cap full, c;
    run(&full, LL_UW_RAW);
    for (unsigned k = 0; k < 2; k++) {
        memset(&c, 0, sizeof c);
        c.flags = LL_UW_RAW | (k ? LL_UW_SLOW : 0);
        c.max = 3;
        f1(&c);
        cr_assert_eq(c.n_ours, 3);
        for (unsigned i = 1; i < 3; i++)
            cr_assert_eq(c.ours[i], full.ours[i]);
    }
    uintptr_t pc;
    cr_assert_eq(ll_unwind_ex(&pc, 0, LL_UW_RAW), 0);
}

/* Through a shared library built without frame pointers: a capture from a
 * qsort comparator walks glibc's msort frames back into this binary. */
static struct cap *cmp_cap;
static int cmp(const void *a, const void *b)
{
    if (cmp_cap) {
        struct cap *c = cmp_cap;
        cmp_cap = NULL;
        cr_assert_eq(f1(c), 12);
    }
    return *(const int *)a - *(const int *)b;
}

NI static void sort_with(struct cap *c, unsigned flags)
{
    int v[] = { 5, 3, 9, 1, 7, 2, 8 };
    memset(c, 0, sizeof *c);
    c->flags = flags;
    cmp_cap = c;
    qsort(v, sizeof v / sizeof v[0], sizeof v[0], cmp);
    SINK(v[0]);
}

Test(unwind, through_libc)
{
    struct cap c;
    unsigned long fb = atomic_load(&ll_unwind_fallbacks);
    sort_with(&c, LL_UW_RAW);
    check(&c, 15);
    cr_assert_eq(atomic_load(&ll_unwind_fallbacks), fb, "the walker gave up");
    /* some frame outside the binary, then back inside it */
    unsigned i = 1;
    while (i < c.n_ours && ll_self_contains(c.ours[i])) i++;
    cr_assert_lt(i, c.n_ours, "no frame outside the test binary");
    while (i < c.n_ours && !ll_self_contains(c.ours[i])) i++;
    cr_assert_lt(i, c.n_ours, "did not walk back out of libc");
}

Test(unwind, skips_own_frames)
{
    struct cap c;
    ll_unwind_init();
    ll_unwind_init();                           /* idempotent */
    cr_assert(ll_self_contains((uintptr_t)&check));
    cr_assert(!ll_self_contains(0));
    for (unsigned flags = 0; flags <= LL_UW_SLOW; flags += LL_UW_SLOW) {
        sort_with(&c, flags);
        unsigned k = 0;
        while (k < c.n_ref && ll_self_contains(c.ref[k])) k++;
        cr_assert_geq(k, 13, "the chain is in the test binary");
        cr_assert_lt(k, c.n_ref);
        /* own frames are left out wherever they are (qsort calls back into
         * the test binary: an exit() wrapper running atexit handlers) */
        uintptr_t want[64];
        unsigned nw = 0;
        for (unsigned i = k; i < c.n_ref && nw < 64; i++)
            if (!ll_self_contains(c.ref[i]))
                want[nw++] = c.ref[i];
        cr_assert_lt(nw, c.n_ref - k, "some own frames lie further out");
        cr_assert_eq(c.n_ours, nw, "flags %u: %u frames, want %u", flags, c.n_ours, nw);
        for (unsigned i = 0; i < c.n_ours; i++)
            cr_assert_eq(c.ours[i], want[i], "flags %u frame %u", flags, i);
    }
}

/* Threads: stacks end in clone3's undefined return address; several threads
 * share the rule table while one of them keeps flushing it. */
enum { T = 4 };
static struct cap caps[T];

static void *thread_main(void *arg)
{
    struct cap *c = arg, again;
    for (int i = 0; i < 3000; i++) {
        if (i % 300 == 299 && c == &caps[0]) ll_unwind_flush();
        struct cap *x = i ? &again : c;
        run(x, LL_UW_RAW);
        if (x->n_ours != c->n_ours ||
            memcmp(x->ours + 1, c->ours + 1, (c->n_ours - 1) * sizeof c->ours[0]))
            return (void *)1;
    }
    return NULL;
}

Test(unwind, threads)
{
    pthread_t t[T];
    for (int i = 0; i < T; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, thread_main, &caps[i]), 0);
    for (int i = 0; i < T; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        cr_assert_null(bad, "thread %d saw a different stack", i);
        check(&caps[i], 13);
    }
}

/* A call to a noreturn function is often its caller's last instruction, so
 * the return address is past the caller's end: the rule must be looked up
 * at the call, not at the return address. */
static jmp_buf nr_jmp;
NI __attribute__((noreturn)) static void nr_die(struct cap *c)
{
    capture(c);
    longjmp(nr_jmp, 1);
}
NI static void nr_a(struct cap *c) { nr_die(c); }
NI static void nr_b(struct cap *c) { nr_a(c); SINK(c); }
NI static void nr_c(struct cap *c) { nr_b(c); SINK(c); }

Test(unwind, noreturn_call)
{
    static struct cap c;
    memset(&c, 0, sizeof c);
    c.flags = LL_UW_RAW;
    if (!setjmp(nr_jmp))
        nr_c(&c);
    check(&c, 6);
}

/* A signal frame is beyond the cached rule: the capture falls back to libgcc
 * and must still agree with it. */
static struct cap sig_cap;
static void on_sig(int sig)
{
    (void)sig;
    sig_cap.flags = LL_UW_RAW;
    f1(&sig_cap);
}

Test(unwind, signal_frame)
{
    struct sigaction sa = { .sa_handler = on_sig };
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    unsigned long fb = atomic_load(&ll_unwind_fallbacks);
    raise(SIGUSR1);
    check(&sig_cap, 15);
    unsigned exact = 0;
    for (unsigned i = 0; i < sig_cap.n_ours; i++)
        exact += (sig_cap.ours[i] & LL_PC_EXACT) != 0;
    cr_assert_eq(exact, 2, "%u frames marked exact: the trampoline and the one raise() was in", exact);
    cr_assert_gt(atomic_load(&ll_unwind_fallbacks), fb, "no fallback at the signal frame");
}

/* ---- a function's start, by its FDE (named frames of stripped programs) -------- */
NI static int fn_with_a_body(int x)
{
    int s = 0;
    for (int i = 0; i < x; i++)
        s += i * x ^ (s >> 3);
    return s;
}

Test(unwind, function_start_from_the_unwind_tables)
{
    uintptr_t f = (uintptr_t)&fn_with_a_body, base = 1;
    cr_assert_eq(ll_unwind_fn_start(f, &base), f, "the first byte");
    struct link_map *map = NULL;
    Dl_info info;
    cr_assert(dladdr1((void *)f, &info, (void **)&map, RTLD_DL_LINKMAP) && map, "dladdr1");
    cr_expect_eq(base, map->l_addr, "the load bias: %#lx, l_addr %#lx", (unsigned long)base,
                 (unsigned long)map->l_addr);
    cr_assert_eq(ll_unwind_fn_start(f + 9, &base), f, "inside");
    SINK(fn_with_a_body(3));
    /* code of the C library: a start at or below the address, within reach */
    uintptr_t q = (uintptr_t)&qsort + 3, s = ll_unwind_fn_start(q, &base);
    cr_assert(s && s <= q && q - s < 4096, "qsort+3 -> %#lx", (unsigned long)s);
    uintptr_t untouched = 7;
    cr_assert_eq(ll_unwind_fn_start(4096, &untouched), 0, "no object at 4096");
    cr_assert_eq(untouched, 7, "base left alone");
}

/* A function's code by its FDE, as its symbol's size says (dladdr1, which
 * scans the whole symbol table, is only the fallback). */
Test(unwind, code_range_is_the_symbol_size)
{
    static const char *const names[] = { "exit", "quick_exit", "dlopen", "dlsym", "qsort" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        void *f = dlsym(RTLD_DEFAULT, names[i]);
        Dl_info info;
        const ElfW(Sym) *sym = NULL;
        cr_assert(f && dladdr1(f, &info, (void **)&sym, RTLD_DL_SYMENT) && sym, "%s", names[i]);
        uintptr_t lo, hi;
        cr_assert(ll_code_range(f, &lo, &hi), "%s: no range", names[i]);
        cr_expect_eq(lo, (uintptr_t)f, "%s: start", names[i]);
        cr_expect_eq(hi - lo, sym->st_size, "%s: %lu bytes, the symbol says %lu", names[i],
                     (unsigned long)(hi - lo), (unsigned long)sym->st_size);
    }
    uintptr_t lo = 1, hi = 1;
    cr_assert(!ll_code_range(NULL, &lo, &hi) && !lo && !hi, "NULL: nothing");
}
