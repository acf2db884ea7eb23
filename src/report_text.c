/* report_text.c - the readable report (the default, on stderr).
 *
 * Written for someone who has never seen a leak report: every site starts
 * with a plain headline ("4 bytes in 1 block were never freed"), the first
 * site of each kind says in one sentence what the kind means, the
 * allocating call is shown in its source like a compiler diagnostic, and
 * the report ends with a summary in words before the figures.  Colour only
 * on a terminal, never with NO_COLOR (https://no-color.org) or color=never.
 *
 * Big reports stay fast: snippets (a file read each) are shown for the
 * first LL_TEXT_SNIPPETS sites only; the stacks come from the symbolizer's
 * per-pc cache. */
#include "ll.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LL_TEXT_SNIPPETS 20
#define LL_STR_(x) #x
#define LL_STR(x) LL_STR_(x)

/* ANSI escapes, or empty strings when colour is off. */
struct ll_style {
    const char *bold, *dim, *reset, *marker, *func;
    const char *kind[LL_KIND_COUNT];
};

static const struct ll_style ll_plain = { "", "", "", "", "", { "", "", "", "" } };
static const struct ll_style ll_ansi = {
    "\033[1m", "\033[2m", "\033[0m", "\033[1;32m", "\033[1m",
    { "\033[1;31m", "\033[1;33m", "\033[1;35m", "\033[1;36m" },
};

static const char *const ll_kind_meaning[LL_KIND_COUNT] = {
    "Definitely lost: nothing the program can still reach points to the "
    "block, so the program can never free it.",
    "Indirectly lost: only other lost blocks point to it; had the program "
    "freed the block pointing to it, it could have freed this one too.",
    "Possibly lost: only pointers into its middle remain, none to its start; "
    "it is probably lost.",
    "Still reachable: a pointer to it remains (in a global variable or on "
    "the stack), so it could still be freed; memory held until exit, not a "
    "leak.",
};

static int ll_text_color(int fd)
{
    if (ll_opt.color != LL_COLOR_AUTO)
        return ll_opt.color == LL_COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if ((no && no[0]) || (term && strcmp(term, "dumb") == 0))
        return 0;
    return isatty(fd);
}

static void ll_text_count(struct ll_out *o, uint64_t bytes, uint64_t blocks)
{
    ll_out_bytes_human(o, bytes);
    ll_out_str(o, bytes == 1 ? " byte in " : " bytes in ");
    ll_out_bytes_human(o, blocks);
    ll_out_str(o, blocks == 1 ? " block" : " blocks");
}

static void ll_text_styled(struct ll_out *o, const char *style, const char *s,
                           const struct ll_style *st)
{
    ll_out_str(o, style);
    ll_out_str(o, s);
    ll_out_str(o, style[0] ? st->reset : "");
}

static void ll_text_frame(struct ll_out *o, unsigned i, const struct ll_frame *f,
                          const struct ll_style *st)
{
    ll_out_str(o, "    #");
    ll_out_u64(o, i);
    ll_out_str(o, " ");
    ll_text_styled(o, st->func, f->function ? f->function : "???", st);
    if (f->file) {
        ll_out_str(o, " ");
        ll_out_str(o, f->file);
        ll_out_line_no(o, f->line);
    }
    if (f->object) {
        const char *base = strrchr(f->object, '/');
        ll_out_str(o, st->dim);
        ll_out_str(o, " (");
        ll_out_str(o, base ? base + 1 : f->object);
        ll_out_str(o, "+");
        ll_out_hex(o, f->offset);
        ll_out_str(o, f->inlined ? ", inlined)" : ")");
        ll_out_str(o, st->reset);
    }
    ll_out_str(o, "\n");
}

/* The stack, innermost call first, down to main. */
static void ll_text_frames(struct ll_out *o, uint32_t stack, const struct ll_style *st)
{
    unsigned n;
    const struct ll_frame *fr = ll_stack_frames(stack, &n);
    ll_out_str(o, "  called from (innermost first):\n");
    if (n == 0)
        ll_out_str(o, "    (no stack)\n");
    for (unsigned i = 0; i < n; i++) {
        const struct ll_frame f = fr[i];
        int startup = ll_frame_is_startup(&f);
        if (!startup)
            ll_text_frame(o, i, &f, st);
        if (i + 1 < n && (startup || ll_frame_is_bottom(&f))) {
            ll_out_str(o, st->dim);
            ll_out_str(o, "    (start-up frames not shown)");
            ll_out_str(o, st->reset);
            ll_out_str(o, "\n");
            break;
        }
    }
}

static unsigned ll_digits(uint64_t v)
{
    unsigned d = 1;
    while (v >= 10)
        v /= 10, d++;
    return d;
}

/* "  > 19 | " or "    18 | ": numbers right-aligned to the widest. */
static void ll_text_gutter(struct ll_out *o, int lineno, unsigned width,
                           int target, const struct ll_style *st)
{
    ll_out_str(o, target ? st->bold : st->dim);
    ll_out_str(o, target ? "  > " : "    ");
    unsigned d = lineno > 0 ? ll_digits((uint64_t)lineno) : 0;
    for (unsigned k = d; k < width; k++)
        ll_out_str(o, " ");
    if (lineno > 0)
        ll_out_u64(o, (uint64_t)lineno);
    ll_out_str(o, " | ");
    ll_out_str(o, st->reset);
}

static void ll_text_snippet_line(struct ll_out *o, const struct ll_snippet *s,
                                 int i, const struct ll_style *st)
{
    unsigned width = ll_digits((uint64_t)(s->first + s->n - 1));
    ll_text_gutter(o, s->first + i, width, i == s->target, st);
    ll_out_str(o, st->reset);
    ll_out_str(o, s->lines[i]);
    ll_out_str(o, "\n");
}

/* The lines around the call, and a marker under it. */
static void ll_text_snippet(struct ll_out *o, const struct ll_snippet *s,
                            const struct ll_style *st)
{
    ll_out_str(o, "\n");
    for (int i = 0; i < s->n; i++) {
        ll_text_snippet_line(o, s, i, st);
        if (i != s->target || s->mark_len <= 0)
            continue;
        ll_text_gutter(o, 0, ll_digits((uint64_t)(s->first + s->n - 1)), 0, st);
        for (int k = 0; k < s->mark_col; k++)
            ll_out_str(o, " ");
        ll_out_str(o, st->marker);
        ll_out_str(o, "^");
        for (int k = 1; k < s->mark_len; k++)
            ll_out_str(o, "~");
        ll_out_str(o, st->reset);
        ll_out_str(o, "\n");
    }
    ll_out_str(o, "\n");
}

/* The name to look for in the source when DWARF gives no column. */
static const char *ll_text_hint(unsigned fn)
{
    return fn == LL_FN_NEW || fn == LL_FN_NEW_ARRAY ? "new" : ll_fn_name(fn);
}

struct ll_text_state {
    const struct ll_style *st;
    unsigned seen;            /* kinds already explained (bit mask) */
    size_t site, sites;       /* this site's number, sites listed */
};

static void ll_text_headline(struct ll_out *o, const struct ll_group *g,
                             struct ll_text_state *ts)
{
    const struct ll_style *st = ts->st;
    ll_out_str(o, "\n");
    ll_out_str(o, st->kind[g->kind]);
    /* Still-reachable blocks are listed (show_reachable=1) but are no leak:
     * the line that explains the kind says so, and the headline must not
     * contradict it. */
    ll_out_str(o, g->kind == LL_REACHABLE ? "site " : "leak ");
    ll_out_u64(o, ts->site);
    ll_out_str(o, " of ");
    ll_out_u64(o, ts->sites);
    ll_out_str(o, " (");
    ll_out_str(o, ll_kind_text[g->kind]);
    ll_out_str(o, "): ");
    ll_out_str(o, st->reset);
    ll_out_str(o, st->bold);
    ll_text_count(o, g->bytes, g->blocks);
    ll_out_str(o, g->kind == LL_REACHABLE ? " were not freed by exit"
                                          : " were never freed");
    ll_out_str(o, st->reset);
    ll_out_str(o, "\n");
    if (!(ts->seen & (1u << g->kind))) {
        ts->seen |= 1u << g->kind;
        ll_out_str(o, "  ");
        ll_text_styled(o, st->dim, ll_kind_meaning[g->kind], st);
        ll_out_str(o, "\n");
    }
}

static void ll_text_where(struct ll_out *o, const struct ll_group *g,
                          const struct ll_frame *f, const struct ll_style *st)
{
    ll_out_str(o, "  allocated by ");
    ll_text_styled(o, st->func, ll_fn_name(g->fn), st);
    ll_out_str(o, " (alignment ");
    ll_out_u64(o, (uint64_t)1 << g->align_log2);
    ll_out_str(o, ")");
    if (f && f->function) {
        ll_out_str(o, " in ");
        ll_text_styled(o, st->func, f->function, st);
    }
    if (f && f->file) {
        ll_out_str(o, " at ");
        ll_out_str(o, f->file);
        ll_out_line_no(o, f->line);
    }
    ll_out_str(o, "\n");
}

static void ll_text_group(struct ll_out *o, const struct ll_group *g,
                          struct ll_text_state *ts)
{
    struct ll_frame f;
    static struct ll_snippet snip;      /* large; one report at a time */
    ll_text_headline(o, g, ts);
    int have = ts->site <= LL_TEXT_SNIPPETS &&
               ll_site_snippet(g->stack, ll_text_hint(g->fn), &f, &snip);
    int where = have || ll_site_frame(g->stack, &f);
    ll_text_where(o, g, where ? &f : NULL, ts->st);
    if (have)
        ll_text_snippet(o, &snip, ts->st);
    ll_text_frames(o, g->stack, ts->st);
}

static void ll_text_command(struct ll_out *o)
{
    for (int i = 0; ll_argv && i < ll_argc && ll_argv[i]; i++) {
        ll_out_str(o, i ? " " : "");
        ll_out_str(o, ll_argv[i]);
    }
}

static void ll_text_errors(struct ll_out *o)
{
    size_t n = ll_error_total();
    if (!n)
        return;
    ll_out_str(o, "  bad frees: ");
    ll_out_bytes_human(o, n);
    ll_out_str(o, n <= LL_ERRORS_PRINTED
                      ? " (each was reported when it happened)\n"
                      : " (the first " LL_STR(LL_ERRORS_PRINTED)
                        " were reported when they happened)\n");
}

/* The summary's first line: the verdict in words. */
static void ll_text_verdict(struct ll_out *o, const struct ll_report *r,
                            size_t lost_sites, const struct ll_style *st)
{
    uint64_t bytes = r->kind_bytes[LL_DEFINITE] + r->kind_bytes[LL_INDIRECT] +
                     r->kind_bytes[LL_POSSIBLE];
    uint64_t blocks = r->kind_blocks[LL_DEFINITE] + r->kind_blocks[LL_INDIRECT] +
                      r->kind_blocks[LL_POSSIBLE];
    ll_out_str(o, "\n");
    ll_out_str(o, st->bold);
    ll_out_str(o, "summary: ");
    if (ll_check_notes.unclassified) {
        ll_out_str(o, "not known: the leak check was not done (out of memory)");
    } else if (blocks == 0 && ll_alloc_hidden[0]) {
        ll_out_str(o, "not known: the program's blocks never reached libleak (see the note)");
    } else if (blocks == 0) {
        /* suppressed blocks were not freed: "every block" would be untrue */
        ll_out_str(o, "no memory was lost");
        if (r->supp_blocks)
            ll_out_str(o, " outside the suppressed blocks");
        if (r->kind_blocks[LL_REACHABLE])
            ll_out_str(o, " (some was still in use at exit)");
        else if (!r->supp_blocks)
            ll_out_str(o, ": every block was freed");
    } else {
        ll_text_count(o, bytes, blocks);
        ll_out_str(o, " were lost, at ");
        ll_out_u64(o, lost_sites);
        ll_out_str(o, lost_sites == 1 ? " leak site" : " leak sites");
    }
    ll_out_str(o, st->reset);
    ll_out_str(o, "\n");
}

static void ll_text_figures(struct ll_out *o, const struct ll_report *r, size_t hidden)
{
    for (unsigned k = 0; k < LL_KIND_COUNT; k++) {
        ll_out_str(o, "  ");
        ll_out_str(o, ll_kind_text[k]);
        ll_out_str(o, ": ");
        ll_text_count(o, r->kind_bytes[k], r->kind_blocks[k]);
        if (k == LL_REACHABLE && hidden)
            ll_out_str(o, " (not listed; show_reachable=1 lists them)");
        ll_out_str(o, "\n");
    }
    if (ll_opt.suppressions[0] || r->supp_blocks) {
        ll_out_str(o, "  suppressed: ");
        ll_text_count(o, r->supp_bytes, r->supp_blocks);
        if (r->supp_blocks)
            ll_out_str(o, " (any kind; not listed, not counted above)");
        ll_out_str(o, "\n");
    }
    const struct ll_totals *t = &r->totals;
    ll_out_str(o, "  ");
    ll_out_bytes_human(o, t->allocations);
    ll_out_str(o, t->allocations == 1 ? " allocation, " : " allocations, ");
    ll_out_bytes_human(o, t->frees);
    ll_out_str(o, t->frees == 1 ? " free, " : " frees, ");
    ll_out_bytes_human(o, t->bytes_allocated);
    ll_out_str(o, " bytes allocated, peak ");
    ll_out_bytes_human(o, t->peak_live_bytes);
    ll_out_str(o, " bytes live\n");
    ll_text_errors(o);
    if (t->dropped) {
        ll_out_str(o, "  records lost (libleak out of memory): ");
        ll_out_bytes_human(o, t->dropped);
        ll_out_str(o, "\n");
    }
    ll_out_str(o, "  libleak's own memory: ");
    ll_out_bytes_human(o, r->meta_bytes);
    ll_out_str(o, " bytes\n");
    ll_check_notes_write(o, "  note: ", "\n");
}

static int ll_text_listed(const struct ll_group *g)
{
    return g->kind != LL_REACHABLE || ll_opt.show_reachable;
}

void ll_report_text(struct ll_out *o, const struct ll_report *r)
{
    struct ll_text_state ts = { .st = ll_text_color(ll_out_where(o)) ? &ll_ansi : &ll_plain };
    size_t hidden = 0, lost_sites = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        ts.sites += ll_text_listed(&r->groups[i]);
        hidden += !ll_text_listed(&r->groups[i]);
        lost_sites += r->groups[i].kind != LL_REACHABLE;
    }
    ll_out_str(o, "\n");
    ll_out_str(o, ts.st->bold);
    ll_out_str(o, "==== libleak report for pid ");
    ll_out_u64(o, (uint64_t)getpid());
    ll_out_str(o, ": ");
    ll_text_command(o);
    ll_out_str(o, ts.st->reset);
    ll_out_str(o, "\n");
    /* kind by kind, so the definitely lost block that explains an
     * indirectly lost one comes first; within a kind, largest first */
    for (unsigned k = 0; k < LL_KIND_COUNT; k++)
        for (size_t i = 0; i < r->ngroups; i++) {
            if (r->groups[i].kind != k || !ll_text_listed(&r->groups[i]))
                continue;
            ts.site++;
            ll_text_group(o, &r->groups[i], &ts);
        }
    if (ts.sites > LL_TEXT_SNIPPETS)
        ll_out_str(o, "\n(source lines are shown for the first "
                      LL_STR(LL_TEXT_SNIPPETS) " sites only)\n");
    ll_text_verdict(o, r, lost_sites, ts.st);
    ll_text_figures(o, r, hidden);
}
