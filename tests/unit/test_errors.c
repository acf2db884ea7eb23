/* test_errors.c - bad frees: records and messages (src/errors.c).
 *
 * Blocks are put in the table by hand (as interpose.c would), then
 * ll_error_report is called the way interpose.c calls it; the record is read
 * back with ll_error_get and the message from fd 2, redirected to a memfd.
 * Each Criterion test runs in a fresh process: no errors recorded yet. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ll.h"

static void setup(void)
{
    ll_opt_defaults();
    ll_unwind_init();
}
TestSuite(errors, .init = setup);

static char err[1 << 16];

/* Report one error with stderr captured into err; returns its record. */
static const struct ll_error_rec *report(unsigned kind, uintptr_t p, unsigned dealloc)
{
    size_t before = ll_error_count();
    int fd = memfd_create("stderr", 0), saved = dup(2);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    ll_guard++;                          /* the caller holds the guard */
    ll_error_report(kind, p, dealloc);
    ll_guard--;
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, err, sizeof err - 1, 0);
    close(fd);
    err[n > 0 ? n : 0] = 0;
    cr_assert_eq(ll_error_count(), before + 1, "%zu errors recorded", ll_error_count());
    return ll_error_get(before);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s++) n++;
    return n;
}

#define EXPECT_IN(needle) cr_expect(strstr(err, needle) != NULL, "'%s' not in:\n%s", needle, err)

/* Real code addresses, so the symbolizer has something to name. */
__attribute__((noinline)) static void alloc_site(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void free_site(void) { __asm__ volatile(""); }
#define PC(f) ((uintptr_t)&(f) + 1)

static uint32_t alloc_stack(void)
{
    uintptr_t pcs[2] = { PC(alloc_site), PC(setup) };
    return ll_stack_intern(pcs, 2);
}

/* ---- names ------------------------------------------------------------------ */
Test(errors, fn_names)
{
    const char *want[LL_FN_COUNT] = {
        "malloc", "calloc", "realloc", "reallocarray", "posix_memalign",
        "aligned_alloc", "memalign", "valloc", "pvalloc", "operator new",
        "operator new[]",
    };
    for (unsigned i = 0; i < LL_FN_COUNT; i++)
        cr_expect_str_eq(ll_fn_name(i), want[i], "fn %u", i);
    cr_expect_str_eq(ll_fn_name(LL_FN_COUNT), "?");
    cr_expect_str_eq(ll_fn_name(255), "?");
    cr_expect_str_eq(ll_fn_name(~0u), "?");
}

Test(errors, fn_families)
{
    for (unsigned i = 0; i < LL_FN_COUNT; i++) {
        unsigned want = i == LL_FN_NEW ? LL_DEALLOC_DELETE
                      : i == LL_FN_NEW_ARRAY ? LL_DEALLOC_DELETE_ARRAY : LL_DEALLOC_FREE;
        cr_expect_eq(ll_fn_family(i), want, "%s: family %u", ll_fn_name(i), ll_fn_family(i));
    }
    cr_expect_eq(LL_DEALLOC_FREE, 0);
    cr_expect_eq(LL_DEALLOC_DELETE, 1);
    cr_expect_eq(LL_DEALLOC_DELETE_ARRAY, 2);
    cr_expect_str_eq(ll_dealloc_name[LL_DEALLOC_DELETE_ARRAY], "operator delete[]");
    cr_expect_str_eq(ll_error_json[LL_ERR_INVALID_FREE], "invalid_free");
    cr_expect_str_eq(ll_error_json[LL_ERR_DOUBLE_FREE], "double_free");
}

/* ---- one error of each kind ---------------------------------------------------- */
Test(errors, invalid_free)
{
    cr_expect_eq(ll_error_count(), 0);
    cr_expect_null(ll_error_get(0));
    const struct ll_error_rec *e = report(LL_ERR_INVALID_FREE, 0x1234560, LL_DEALLOC_FREE);
    cr_assert_not_null(e);
    cr_expect_eq(e->kind, LL_ERR_INVALID_FREE);
    cr_expect_eq(e->ptr, 0x1234560);
    cr_expect_eq(e->dealloc_fn, LL_DEALLOC_FREE);
    cr_expect_eq(e->has_block, 0);
    cr_expect_neq(e->stack, LL_STACK_NONE, "where the free happened: no stack");
    cr_expect_eq(e->alloc_stack, LL_STACK_NONE);
    cr_expect_eq(e->free_stack, LL_STACK_NONE);
    cr_expect_eq(count(err, "libleak: "), 1, "messages:\n%s", err);
    cr_expect(strncmp(err, "libleak: ", 9) == 0, "%s", err);
    EXPECT_IN("invalid free");
    EXPECT_IN("free(0x1234560)");
    EXPECT_IN("never allocated");
    EXPECT_IN("not passed to the allocator");
    cr_expect_eq(count(err, "allocated at:"), 0, "%s", err);
}

/* Even if the address was freed recently, an invalid free names no block. */
Test(errors, invalid_free_ignores_the_quarantine)
{
    uintptr_t p = 0x2000010;
    ll_table_insert(p, 8, 16, LL_FN_MALLOC, alloc_stack());
    ll_table_remove(p, PC(free_site), NULL);
    const struct ll_error_rec *e = report(LL_ERR_INVALID_FREE, p, LL_DEALLOC_FREE);
    cr_expect_eq(e->has_block, 0);
    cr_expect_eq(e->alloc_stack, 0);
}

Test(errors, double_free)
{
    uintptr_t p = 0x3000020;
    uint32_t as = alloc_stack();
    cr_assert_eq(ll_table_insert(p, 32, 16, LL_FN_MALLOC, as), LL_INSERT_OK);
    cr_assert_eq(ll_table_remove(p, PC(free_site), NULL), 1);
    const struct ll_error_rec *e = report(LL_ERR_DOUBLE_FREE, p, LL_DEALLOC_FREE);
    cr_expect_eq(e->kind, LL_ERR_DOUBLE_FREE);
    cr_expect_eq(e->has_block, 1);
    cr_expect_eq(e->block, p);
    cr_expect_eq(e->size, 32);
    cr_expect_eq(e->fn, LL_FN_MALLOC);
    cr_expect_eq(e->alloc_stack, as, "alloc stack %u, want %u", e->alloc_stack, as);
    cr_assert_neq(e->free_stack, LL_STACK_NONE);
    const uintptr_t *pcs;
    cr_assert_eq(ll_stack_get(e->free_stack, &pcs), 1);
    cr_expect_eq(pcs[0], PC(free_site));
    cr_expect_eq(count(err, "libleak: "), 1, "messages:\n%s", err);
    EXPECT_IN("double free");
    EXPECT_IN("free(0x3000020)");
    EXPECT_IN("32-byte block from malloc");
    EXPECT_IN("already freed");
    EXPECT_IN("allocated at:");
    EXPECT_IN("first freed at:");
    cr_expect(strstr(err, "allocated at:") < strstr(err, "first freed at:"), "%s", err);
}

Test(errors, interior_free)
{
    uintptr_t p = 0x4000040;
    uint32_t as = alloc_stack();
    ll_table_insert(p, 64, 16, LL_FN_CALLOC, as);
    const struct ll_error_rec *e = report(LL_ERR_INTERIOR_FREE, p + 8, LL_DEALLOC_FREE);
    cr_expect_eq(e->has_block, 1);
    cr_expect_eq(e->ptr, p + 8);
    cr_expect_eq(e->block, p);
    cr_expect_eq(e->size, 64);
    cr_expect_eq(e->fn, LL_FN_CALLOC);
    cr_expect_eq(e->alloc_stack, as);
    cr_expect_eq(e->free_stack, 0);
    EXPECT_IN("interior free");
    EXPECT_IN("free(0x4000048)");
    EXPECT_IN("8 bytes into a 64-byte block from calloc");
    cr_expect(ll_table_lookup(p, NULL), "the block was dropped from the table");
}

Test(errors, mismatched_delete)
{
    uintptr_t p = 0x5000050;
    uint32_t as = alloc_stack();
    ll_table_insert(p, 24, 16, LL_FN_NEW_ARRAY, as);
    ll_table_remove(p, PC(free_site), NULL);     /* the mismatched free itself */
    const struct ll_error_rec *e = report(LL_ERR_MISMATCH, p, LL_DEALLOC_DELETE);
    cr_expect_eq(e->has_block, 1);
    cr_expect_eq(e->fn, LL_FN_NEW_ARRAY);
    cr_expect_eq(e->dealloc_fn, LL_DEALLOC_DELETE);
    cr_expect_eq(e->alloc_stack, as);
    cr_expect_eq(e->free_stack, LL_STACK_NONE, "a mismatch has no earlier free");
    EXPECT_IN("mismatched free");
    EXPECT_IN("operator delete(0x5000050)");
    EXPECT_IN("24-byte block from operator new[]");
    EXPECT_IN("not passed to the allocator");
    cr_expect_eq(count(err, "already freed"), 0, "%s", err);
    cr_expect_eq(count(err, "first freed at:"), 0, "%s", err);
}

Test(errors, realloc_of_freed_pointer)
{
    uintptr_t p = 0x6000060;
    ll_table_insert(p, 16, 16, LL_FN_MALLOC, alloc_stack());
    ll_table_remove(p, PC(free_site), NULL);
    const struct ll_error_rec *e = report(LL_ERR_INVALID_REALLOC, p, LL_DEALLOC_REALLOC);
    cr_expect_eq(e->has_block, 1);
    cr_expect_neq(e->free_stack, 0);
    EXPECT_IN("invalid realloc");
    EXPECT_IN("realloc(0x6000060)");
    EXPECT_IN("already freed");
    EXPECT_IN("first freed at:");
}

/* ---- bounds ------------------------------------------------------------------------ */
/* Only the first 100 are printed, then one line says the rest are counted;
 * 1000 are kept. */
Test(errors, printing_and_keeping_are_bounded, .timeout = 30)
{
    ll_opt.depth = 0;                    /* nothing to symbolize: faster */
    int fd = memfd_create("stderr", 0), saved = dup(2);
    dup2(fd, 2);
    for (uintptr_t i = 0; i < 1005; i++)
        ll_error_report(LL_ERR_INVALID_FREE, 0x10000 + 16 * i, LL_DEALLOC_FREE);
    dup2(saved, 2);
    close(saved);
    static char all[1 << 20];
    ssize_t n = pread(fd, all, sizeof all - 1, 0);
    close(fd);
    all[n > 0 ? n : 0] = 0;
    cr_expect_eq(count(all, "never allocated"), 100, "%d printed",
                 count(all, "never allocated"));
    cr_expect_eq(count(all, "more than 100 bad frees"), 1);
    cr_expect_eq(ll_error_count(), 1000, "%zu kept", ll_error_count());
    cr_assert_not_null(ll_error_get(999));
    cr_expect_eq(ll_error_get(999)->ptr, 0x10000 + 16 * 999);
    cr_expect_null(ll_error_get(1000));
}
