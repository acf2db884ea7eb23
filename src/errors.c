/* errors.c - bad frees: double free, free of a pointer never allocated or
 * into a block's middle, realloc of a freed pointer, mismatched pairs.
 * Each is printed at once on stderr with every stack that helps, and kept
 * (up to a bound) for the report's "errors" list. */
#include "ll.h"

#include <string.h>

#define LL_MAX_ERRORS 1000
#define LL_MAX_PRINTED LL_ERRORS_PRINTED

static struct ll_error_rec ll_errors[LL_MAX_ERRORS];
static size_t ll_nerrors, ll_nerrors_total;
static ll_lock_t ll_errors_lock;
static ll_lock_t ll_print_lock;         /* the symbolizer is one session */

const char *const ll_error_json[LL_ERR_KIND_COUNT] = {
    "double_free", "invalid_free", "interior_free", "invalid_realloc",
    "mismatched_free",
};
static const char *const ll_error_text[LL_ERR_KIND_COUNT] = {
    "double free", "invalid free", "interior free", "invalid realloc",
    "mismatched free",
};
const char *const ll_dealloc_name[LL_DEALLOC_COUNT] = {
    "free", "operator delete", "operator delete[]", "realloc",
};
static const char *const ll_fn_names[LL_FN_COUNT] = {
    "malloc", "calloc", "realloc", "reallocarray", "posix_memalign",
    "aligned_alloc", "memalign", "valloc", "pvalloc", "operator new",
    "operator new[]",
};

const char *ll_fn_name(unsigned fn)
{
    return fn < LL_FN_COUNT ? ll_fn_names[fn] : "?";
}

/* Fill in what is known of the block p belonged to: a live block it points
 * into, or the recently freed block it names. */
static void ll_error_block(struct ll_error_rec *e)
{
    struct ll_freed q;
    struct ll_block b;
    if ((e->kind == LL_ERR_INTERIOR_FREE || e->kind == LL_ERR_INVALID_REALLOC) &&
        ll_table_find_containing(e->ptr, &b)) {
        e->has_block = 1;
        e->block = b.ptr;
        e->size = b.size;
        e->fn = b.fn;
        e->alloc_stack = b.stack;
    } else if (e->kind != LL_ERR_INVALID_FREE &&
               (ll_quarantine_find(e->ptr, &q) || ll_fl_find(e->ptr, &q))) {
        e->has_block = 1;
        e->block = q.ptr;
        e->size = q.size;
        e->fn = q.fn;
        e->alloc_stack = q.alloc_stack;
        /* a mismatch's own free is the one in the quarantine: no "first" */
        if (e->kind != LL_ERR_MISMATCH)
            e->free_stack = ll_stack_intern(&q.free_pc, 1);
    }
}

/* Whether a number is read with a vowel first ("an 8-byte", "an 18-byte",
 * "an 800-byte", "an 11,000-byte"): its leading group of three digits is
 * eight, eleven, eighteen, eighty-something or eight hundred and some. */
static int ll_reads_with_vowel(uint64_t n)
{
    while (n >= 1000)
        n /= 1000;
    return n == 8 || n == 11 || n == 18 || (n >= 80 && n < 90) || (n >= 800 && n < 900);
}

/* "a 40-byte block from malloc", "an 8-byte block from malloc" */
static void ll_error_block_text(struct ll_out *o, const struct ll_error_rec *e)
{
    ll_out_str(o, ll_reads_with_vowel(e->size) ? "an " : "a ");
    ll_out_u64(o, e->size);
    ll_out_str(o, "-byte block from ");
    ll_out_str(o, ll_fn_name(e->fn));
}

/* A mismatch whose pointer is off the block by the element count C++
 * keeps before an array of objects with destructors (interpose.c): new[]'s
 * array freed as one object, past the count, or one object from new freed
 * by delete[], which passes the address where it took the count to be. */
static void ll_error_count_text(struct ll_out *o, const struct ll_error_rec *e)
{
    if (e->ptr > e->block) {
        ll_out_str(o, "of the array ");
        ll_out_u64(o, e->ptr - e->block);
        ll_out_str(o, " bytes into ");
        ll_error_block_text(o, e);
        ll_out_str(o, ", past its element count");
        return;
    }
    ll_out_u64(o, e->block - e->ptr);
    ll_out_str(o, " bytes before ");
    ll_error_block_text(o, e);
    ll_out_str(o, ", where delete[] reads an array's element count");
}

/* One error in words, e.g. "double free: free(0x...) of a 40-byte block
 * from malloc that was already freed; not passed to the allocator" (fixed
 * words, numbers and allocator names: nothing to escape for HTML). */
void ll_error_describe(struct ll_out *o, const struct ll_error_rec *e)
{
    ll_out_str(o, ll_error_text[e->kind]);
    ll_out_str(o, ": ");
    ll_out_str(o, ll_dealloc_name[e->dealloc_fn]);
    ll_out_str(o, "(");
    ll_out_hex(o, e->ptr);
    ll_out_str(o, ") ");
    if (!e->has_block) {
        ll_out_str(o, "of memory that was never allocated");
    } else if (e->block != e->ptr && e->kind == LL_ERR_MISMATCH) {
        ll_error_count_text(o, e);
    } else if (e->block != e->ptr) {
        ll_out_str(o, "points ");
        ll_out_u64(o, e->ptr - e->block);
        ll_out_str(o, " bytes into ");
        ll_error_block_text(o, e);
    } else {
        ll_out_str(o, "of ");
        ll_error_block_text(o, e);
        if (e->kind != LL_ERR_MISMATCH)
            ll_out_str(o, " that was already freed");
    }
    ll_out_str(o, e->kind == LL_ERR_INVALID_REALLOC ? "; realloc returned NULL"
                  : e->dealloc_fn == LL_DEALLOC_REALLOC
                  ? "; not passed to the allocator (its bytes were moved to a new block)"
                  : "; not passed to the allocator");
}

/* The line on stderr: "libleak: " and the description. */
static void ll_error_headline(struct ll_out *o, const struct ll_error_rec *e)
{
    ll_out_str(o, "libleak: ");
    ll_error_describe(o, e);
    ll_out_str(o, "\n");
}

/* On a stack of its own: the thread that freed may have a small one. */
static void ll_error_print_stacks(void *arg)
{
    const struct ll_error_rec *e = arg;
    struct ll_out o;
    ll_out_init(&o, 2);
    ll_error_headline(&o, e);
    ll_sym_begin();
    ll_text_stack(&o, e->stack, "    ");
    if (e->alloc_stack) {
        ll_out_str(&o, "  allocated at:\n");
        ll_text_stack(&o, e->alloc_stack, "    ");
    }
    if (e->free_stack) {
        ll_out_str(&o, "  first freed at:\n");
        ll_text_stack(&o, e->free_stack, "    ");
    }
    ll_sym_end();
    ll_out_flush(&o);
}

static void ll_error_print(const struct ll_error_rec *e)
{
    int was = ll_cancel_off();
    ll_lock_counted(&ll_print_lock);
    ll_bigstack_call(ll_error_print_stacks, (void *)e);
    ll_unlock_counted(&ll_print_lock);
    ll_cancel_restore(was);
}

/* After libleak ran out of memory, a pointer it does not know may be one
 * whose record was dropped (its address may even be in the quarantine from
 * an earlier life): not an error to report.  It is still kept from the
 * allocator (it may be a wild pointer), and said once. */
static int ll_error_unjudged(unsigned kind)
{
    static atomic_int said;
    struct ll_totals t;
    if (kind != LL_ERR_INVALID_FREE && kind != LL_ERR_DOUBLE_FREE)
        return 0;
    ll_table_totals(&t);
    if (!t.dropped)
        return 0;
    if (!atomic_exchange(&said, 1))
        ll_msg("out of memory: %llu records were dropped, so frees of unknown "
               "pointers are no longer reported (nor passed to the allocator)",
               (unsigned long long)t.dropped);
    return 1;
}

static void ll_error_add(const struct ll_error_rec *e);

void ll_error_report(unsigned kind, uintptr_t p, unsigned dealloc_fn)
{
    if (ll_error_unjudged(kind))
        return;
    struct ll_error_rec e = { .kind = (uint8_t)kind, .dealloc_fn = (uint8_t)dealloc_fn,
                              .ptr = p, .block = p, .stack = ll_stack_capture() };
    ll_error_block(&e);
    ll_error_add(&e);
}

void ll_error_report_block(unsigned kind, uintptr_t p, const struct ll_block *b,
                           unsigned dealloc_fn)
{
    struct ll_error_rec e = { .kind = (uint8_t)kind, .dealloc_fn = (uint8_t)dealloc_fn,
                              .fn = b->fn, .has_block = 1, .ptr = p, .block = b->ptr,
                              .size = b->size, .stack = ll_stack_capture(),
                              .alloc_stack = b->stack };
    ll_error_add(&e);
}

static void ll_error_add(const struct ll_error_rec *e)
{
    ll_lock_counted(&ll_errors_lock);
    size_t nth = ll_nerrors_total++;
    if (ll_nerrors < LL_MAX_ERRORS)
        ll_errors[ll_nerrors++] = *e;
    ll_unlock_counted(&ll_errors_lock);
    if (nth < LL_MAX_PRINTED)
        ll_error_print(e);
    else if (nth == LL_MAX_PRINTED)
        ll_msg("more than %d bad frees: the rest are counted, not printed",
               LL_MAX_PRINTED);
}

size_t ll_error_count(void) { return ll_nerrors; }

size_t ll_error_total(void)
{
    ll_lock_counted(&ll_errors_lock);
    size_t n = ll_nerrors_total;
    ll_unlock_counted(&ll_errors_lock);
    return n;
}

const struct ll_error_rec *ll_error_get(size_t i)
{
    return i < ll_nerrors ? &ll_errors[i] : NULL;
}

void ll_error_fork_prepare(void)
{
    ll_lock_counted(&ll_print_lock);
    ll_lock_counted(&ll_errors_lock);
}

void ll_error_fork_parent(void)
{
    ll_unlock_counted(&ll_errors_lock);
    ll_unlock_counted(&ll_print_lock);
}

void ll_error_fork_child(void)
{
    ll_lock_reset(&ll_errors_lock);
    ll_lock_reset(&ll_print_lock);
}
