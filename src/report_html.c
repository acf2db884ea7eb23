/* report_html.c - format=html: one self-contained page for a class or a
 * bug report.  A summary, a flame graph of the lost bytes by stack (inline
 * SVG, drawn here, so the page needs no script and no network to show it),
 * and a table of the leak sites, each with its source snippet and stack.
 *
 * Every string from the program (command line, names, paths, source lines)
 * is HTML-escaped.  The small script at the end only counts what the
 * browser rendered into #rendered, for tests and curious readers.
 *
 * Memory: the flame graph's tree lives in pages from ll_pages_alloc, sized
 * by the frames of the listed sites; nothing else is allocated. */
#include "ll.h"

#include <string.h>
#include <unistd.h>

#define LL_HTML_SNIPPETS 50   /* sites shown with their source lines */
#define LL_FG_WIDTH 1000      /* flame graph width, px */
#define LL_FG_ROW 20          /* height of one frame, px */

static void ll_html_esc(struct ll_out *o, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': ll_out_str(o, "&amp;"); break;
        case '<': ll_out_str(o, "&lt;"); break;
        case '>': ll_out_str(o, "&gt;"); break;
        case '"': ll_out_str(o, "&quot;"); break;
        case '\'': ll_out_str(o, "&#39;"); break;
        default: ll_out_mem(o, s, 1);
        }
    }
}

static int ll_html_listed(const struct ll_group *g)
{
    return g->kind != LL_REACHABLE || ll_opt.show_reachable;
}

/* ---- the flame graph's tree ------------------------------------------------ */
struct ll_fg_node {
    const char *name;
    uint32_t child, sibling;  /* first child, next sibling; 0: none */
    uint64_t bytes;
};
struct ll_fg {
    struct ll_fg_node *v;     /* v[0] is the root: all listed bytes */
    size_t n, cap;
    unsigned depth;           /* deepest level below the root */
};

static uint32_t ll_fg_child(struct ll_fg *t, uint32_t parent, const char *name)
{
    uint32_t *link = &t->v[parent].child;
    for (; *link; link = &t->v[*link].sibling)
        if (strcmp(t->v[*link].name, name) == 0)
            return *link;
    if (t->n >= t->cap)
        return 0;
    *link = (uint32_t)t->n;
    t->v[t->n] = (struct ll_fg_node){ .name = name };
    return (uint32_t)t->n++;
}

/* The site's frames, outermost first (start-up code left out), then the
 * allocating function as the leaf. */
static void ll_fg_add(struct ll_fg *t, const struct ll_group *g)
{
    unsigned n, top = 0;
    const struct ll_frame *fr = ll_stack_frames(g->stack, &n);
    for (; top < n; top++) {
        if (ll_frame_is_startup(&fr[top]))
            break;
        if (ll_frame_is_bottom(&fr[top])) {
            top++;
            break;
        }
    }
    uint32_t at = 0;
    t->v[0].bytes += g->bytes;
    for (unsigned k = top, d = 1; ; k--, d++) {
        const char *name = ll_fn_name(g->fn);
        if (k > 0)
            name = fr[k - 1].function ? fr[k - 1].function : "???";
        if (!(at = ll_fg_child(t, at, name)))
            return;
        t->v[at].bytes += g->bytes;
        t->depth = d > t->depth ? d : t->depth;
        if (k == 0)
            break;
    }
}

/* Warm colours, from the name so a function keeps its colour. */
static void ll_fg_color(struct ll_out *o, const char *name, int leaf)
{
    unsigned h = 2166136261u;
    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    ll_out_str(o, "rgb(");
    ll_out_u64(o, leaf ? 230 : 205 + h % 50);
    ll_out_str(o, ",");
    ll_out_u64(o, leaf ? 80 : 90 + (h >> 8) % 120);
    ll_out_str(o, ",");
    ll_out_u64(o, leaf ? 70 : 40 + (h >> 16) % 50);
    ll_out_str(o, ")");
}

/* Coordinates in tenths of a pixel, printed as decimals. */
static void ll_out_tenths(struct ll_out *o, uint64_t v)
{
    ll_out_u64(o, v / 10);
    ll_out_str(o, ".");
    ll_out_u64(o, v % 10);
}

static void ll_fg_label(struct ll_out *o, const char *name, uint64_t w10)
{
    size_t fit = (size_t)(w10 / 70), len = strlen(name);   /* ~7 px a char */
    if (fit < 3)
        return;
    char buf[256];
    size_t k = len <= fit ? len : fit - 2;
    k = k < sizeof buf - 3 ? k : sizeof buf - 3;
    memcpy(buf, name, k);
    memcpy(buf + k, len > k ? ".." : "", len > k ? 3 : 1);
    ll_out_str(o, "<text x=\"3\" y=\"14\">");
    ll_html_esc(o, buf);
    ll_out_str(o, "</text>");
}

/* One box: a group holding a tooltip, the rectangle and its label. */
static void ll_fg_box(struct ll_out *o, const struct ll_fg *t, uint32_t i,
                      uint64_t x10, unsigned d)
{
    const struct ll_fg_node *nd = &t->v[i];
    uint64_t w10 = nd->bytes * LL_FG_WIDTH * 10 / t->v[0].bytes;
    uint64_t y10 = (uint64_t)(t->depth - d) * LL_FG_ROW * 10;
    ll_out_str(o, "<g transform=\"translate(");
    ll_out_tenths(o, x10);
    ll_out_str(o, ",");
    ll_out_tenths(o, y10);
    ll_out_str(o, ")\"><title>");
    ll_html_esc(o, nd->name);
    ll_out_str(o, " - ");
    ll_out_bytes_human(o, nd->bytes);
    ll_out_str(o, nd->bytes == 1 ? " byte" : " bytes");
    ll_out_str(o, "</title><rect class=\"frame\" width=\"");
    ll_out_tenths(o, w10 > 1 ? w10 - 1 : 1);
    ll_out_str(o, "\" height=\"" );
    ll_out_u64(o, LL_FG_ROW - 1);
    ll_out_str(o, "\" fill=\"");
    ll_fg_color(o, nd->name, nd->child == 0);
    ll_out_str(o, "\"/>");
    ll_fg_label(o, nd->name, w10);
    ll_out_str(o, "</g>\n");
}

static void ll_fg_draw(struct ll_out *o, const struct ll_fg *t, uint32_t i,
                       uint64_t x10, unsigned d)
{
    ll_fg_box(o, t, i, x10, d);
    for (uint32_t c = t->v[i].child; c; c = t->v[c].sibling) {
        ll_fg_draw(o, t, c, x10, d + 1);
        x10 += t->v[c].bytes * LL_FG_WIDTH * 10 / t->v[0].bytes;
    }
}

static void ll_html_flamegraph(struct ll_out *o, const struct ll_report *r)
{
    size_t cap = 1;
    for (size_t i = 0; i < r->ngroups; i++)
        if (ll_html_listed(&r->groups[i]))
            cap += ll_stack_get(r->groups[i].stack, &(const uintptr_t *){ 0 }) + 1;
    struct ll_fg t = { .v = ll_pages_alloc(cap * sizeof(struct ll_fg_node)), .cap = cap };
    if (!t.v || cap == 1) {
        ll_out_str(o, "<p>Nothing to draw: no leak sites are listed.</p>\n");
        if (t.v)
            ll_pages_free(t.v, cap * sizeof(struct ll_fg_node));
        return;
    }
    t.v[0] = (struct ll_fg_node){ .name = "all listed leaks" };
    t.n = 1;
    for (size_t i = 0; i < r->ngroups; i++)
        if (ll_html_listed(&r->groups[i]))
            ll_fg_add(&t, &r->groups[i]);
    ll_out_str(o, "<svg id=\"flamegraph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    ll_out_u64(o, LL_FG_WIDTH);
    ll_out_str(o, "\" height=\"");
    ll_out_u64(o, (uint64_t)(t.depth + 1) * LL_FG_ROW);
    ll_out_str(o, "\" data-boxes=\"");
    ll_out_u64(o, t.n);
    ll_out_str(o, "\">\n");
    ll_fg_draw(o, &t, 0, 0, 0);
    ll_out_str(o, "</svg>\n");
    ll_pages_free(t.v, cap * sizeof(struct ll_fg_node));
}

/* ---- the sites ----------------------------------------------------------------- */
static void ll_html_snippet(struct ll_out *o, const struct ll_snippet *s)
{
    ll_out_str(o, "<pre class=\"snippet\">");
    for (int i = 0; i < s->n; i++) {
        ll_out_str(o, i == s->target ? "<span class=\"hit\">" : "<span>");
        ll_out_str(o, "<span class=\"ln\">");
        ll_out_u64(o, (uint64_t)(s->first + i));
        ll_out_str(o, "</span>");
        ll_html_esc(o, s->lines[i]);
        ll_out_str(o, "</span>\n");
        if (i == s->target && s->mark_len > 0) {
            ll_out_str(o, "<span class=\"mark\"><span class=\"ln\"></span>");
            for (int k = 0; k < s->mark_col; k++)
                ll_out_str(o, " ");
            ll_out_str(o, "^");
            for (int k = 1; k < s->mark_len; k++)
                ll_out_str(o, "~");
            ll_out_str(o, "</span>\n");
        }
    }
    ll_out_str(o, "</pre>\n");
}

static void ll_html_frames(struct ll_out *o, uint32_t stack)
{
    unsigned n;
    const struct ll_frame *fr = ll_stack_frames(stack, &n);
    ll_out_str(o, "<ol class=\"stack\" start=\"0\">");
    for (unsigned i = 0; i < n; i++) {
        const struct ll_frame f = fr[i];
        ll_out_str(o, ll_frame_is_startup(&f) ? "<li class=\"startup\"><code>"
                                              : "<li><code>");
        ll_html_esc(o, f.function ? f.function : "???");
        ll_out_str(o, "</code>");
        if (f.file) {
            ll_out_str(o, " <span class=\"file\">");
            ll_html_esc(o, f.file);
            ll_out_line_no(o, f.line);
            ll_out_str(o, "</span>");
        }
        if (f.inlined)
            ll_out_str(o, " <span class=\"file\">(inlined)</span>");
        ll_out_str(o, "</li>");
    }
    ll_out_str(o, "</ol>\n");
}

static void ll_html_count(struct ll_out *o, uint64_t bytes, uint64_t blocks)
{
    ll_out_bytes_human(o, bytes);
    ll_out_str(o, bytes == 1 ? " byte in " : " bytes in ");
    ll_out_bytes_human(o, blocks);
    ll_out_str(o, blocks == 1 ? " block" : " blocks");
}

static void ll_html_site(struct ll_out *o, const struct ll_group *g, size_t no)
{
    static struct ll_snippet snip;      /* one report at a time */
    struct ll_frame f;
    int have = no <= LL_HTML_SNIPPETS &&
               ll_site_snippet(g->stack, ll_fn_name(g->fn), &f, &snip);
    int where = have || ll_site_frame(g->stack, &f);
    ll_out_str(o, "<tr class=\"site ");
    ll_out_str(o, ll_kind_json[g->kind]);
    ll_out_str(o, "\"><td>");
    ll_out_u64(o, no);
    ll_out_str(o, "</td><td><span class=\"kind\">");
    ll_out_str(o, ll_kind_text[g->kind]);
    ll_out_str(o, "</span></td><td class=\"num\">");
    ll_out_bytes_human(o, g->bytes);
    ll_out_str(o, "</td><td class=\"num\">");
    ll_out_bytes_human(o, g->blocks);
    ll_out_str(o, "</td><td><code>");
    ll_out_str(o, ll_fn_name(g->fn));
    ll_out_str(o, "</code></td><td class=\"num\">");
    ll_out_u64(o, (uint64_t)1 << g->align_log2);
    ll_out_str(o, "</td><td>");
    if (where) {
        ll_out_str(o, "<code>");
        ll_html_esc(o, f.function ? f.function : "???");
        ll_out_str(o, "</code>");
    }
    if (where && f.file) {
        ll_out_str(o, " ");
        ll_html_esc(o, f.file);
        ll_out_line_no(o, f.line);
    }
    ll_out_str(o, "</td></tr>\n<tr class=\"detail\"><td></td><td colspan=\"6\">");
    if (have)
        ll_html_snippet(o, &snip);
    ll_html_frames(o, g->stack);
    ll_out_str(o, "</td></tr>\n");
}

static void ll_html_sites(struct ll_out *o, const struct ll_report *r)
{
    ll_out_str(o, "<table id=\"sites\"><thead><tr><th>#</th><th>kind</th>"
                  "<th>bytes</th><th>blocks</th><th>allocated by</th>"
                  "<th>alignment</th><th>where</th></tr></thead><tbody>\n");
    size_t no = 0;
    for (unsigned k = 0; k < LL_KIND_COUNT; k++)
        for (size_t i = 0; i < r->ngroups; i++)
            if (r->groups[i].kind == k && ll_html_listed(&r->groups[i]))
                ll_html_site(o, &r->groups[i], ++no);
    ll_out_str(o, "</tbody></table>\n");
    if (no == 0)
        ll_out_str(o, "<p>No leak sites to list.</p>\n");
}

/* Bad frees: the first ones were on stderr when they happened, which a page
 * read later does not show; they are listed here with their stacks, as
 * stderr had them. */
static void ll_html_errors(struct ll_out *o)
{
    size_t total = ll_error_total(), n = ll_error_count();
    if (!total)
        return;
    if (n > LL_ERRORS_PRINTED)
        n = LL_ERRORS_PRINTED;
    ll_out_str(o, "<h2>Bad frees</h2>\n<p>");
    ll_out_bytes_human(o, total);
    if (total == 1) {
        ll_out_str(o, " bad free; it was also reported on stderr when it happened.</p>\n");
    } else if (total <= LL_ERRORS_PRINTED) {
        ll_out_str(o, " bad frees; each was also reported on stderr when it happened.</p>\n");
    } else {                            /* only these were printed (errors.c) */
        ll_out_str(o, " bad frees; the first ");
        ll_out_u64(o, LL_ERRORS_PRINTED);
        ll_out_str(o, " were also reported on stderr when they happened.</p>\n");
    }
    ll_out_str(o, "<ol id=\"errors\">\n");
    for (size_t i = 0; i < n; i++) {
        const struct ll_error_rec *e = ll_error_get(i);
        ll_out_str(o, "<li class=\"error\"><p><code>");
        ll_error_describe(o, e);
        ll_out_str(o, "</code></p>");
        ll_html_frames(o, e->stack);
        if (e->alloc_stack) {
            ll_out_str(o, "allocated at:");
            ll_html_frames(o, e->alloc_stack);
        }
        if (e->free_stack) {
            ll_out_str(o, "first freed at:");
            ll_html_frames(o, e->free_stack);
        }
        ll_out_str(o, "</li>\n");
    }
    ll_out_str(o, "</ol>\n");
    if (total > n) {
        ll_out_str(o, "<p>The first ");
        ll_out_u64(o, n);
        ll_out_str(o, " are listed.</p>\n");
    }
}

/* ---- the page --------------------------------------------------------------------- */
static const char ll_html_style[] =
    "<style>\n"
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1040px;"
    "color:#222;padding:0 1em}\n"
    "h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.2em;margin-top:1.6em}\n"
    ".cmd{font-family:monospace;color:#555}\n"
    ".verdict{font-size:1.15em;font-weight:600}\n"
    "table{border-collapse:collapse;width:100%} td,th{padding:.25em .5em;"
    "text-align:left;vertical-align:top} th{border-bottom:2px solid #ccc}\n"
    "tr.site td{border-top:1px solid #ddd} .num{text-align:right}\n"
    ".kind{padding:.1em .45em;border-radius:4px;color:#fff;white-space:nowrap}\n"
    ".definitely_lost .kind{background:#c62828} .indirectly_lost .kind{background:#ef6c00}\n"
    ".possibly_lost .kind{background:#8e24aa} .still_reachable .kind{background:#00838f}\n"
    ".suppressed .kind{background:#757575}\n"
    "dl.kinds dt{font-weight:600} dl.kinds dd{margin:0 0 .4em 1.5em}\n"
    "pre.snippet{background:#f6f6f6;padding:.5em;margin:.3em 0;overflow-x:auto}\n"
    "pre.snippet .ln{display:inline-block;width:4em;color:#999;text-align:right;"
    "padding-right:1em} pre.snippet .hit{font-weight:700;background:#fff3c4}\n"
    "pre.snippet .mark{color:#2e7d32;font-weight:700}\n"
    "ol.stack{margin:.2em 0 .8em;font-size:.92em} .file{color:#666}\n"
    "li.startup{color:#999}\n"
    "#flamegraph{border:1px solid #ddd;background:#fafafa}\n"
    "#flamegraph text{font:12px monospace;pointer-events:none}\n"
    "#flamegraph rect:hover{stroke:#000}\n"
    "#rendered{color:#777;font-size:.85em}\n"
    "</style>\n";

static void ll_html_command(struct ll_out *o)
{
    for (int i = 0; ll_argv && i < ll_argc && ll_argv[i]; i++) {
        ll_out_str(o, i ? " " : "");
        ll_html_esc(o, ll_argv[i]);
    }
}

static const char *const ll_html_meaning[LL_KIND_COUNT] = {
    "nothing the program can still reach points to it: the program can never "
    "free it.",
    "only other lost blocks point to it: freeing those first would have let "
    "the program free it.",
    "only pointers into its middle remain, none to its start: probably lost.",
    "a pointer to it remains, so it could still be freed: held until exit, "
    "not a leak.",
};

static void ll_html_summary(struct ll_out *o, const struct ll_report *r)
{
    uint64_t bytes = 0, blocks = 0;
    for (unsigned k = 0; k < LL_REACHABLE; k++)
        bytes += r->kind_bytes[k], blocks += r->kind_blocks[k];
    ll_out_str(o, "<p class=\"verdict\">");
    if (blocks) {
        ll_html_count(o, bytes, blocks);
        ll_out_str(o, " were never freed and can no longer be.</p>\n");
    } else if (ll_alloc_hidden[0]) {
        ll_out_str(o, "Not known: the program's blocks never reached libleak (see the "
                      "note).</p>\n");
    } else {
        /* suppressed blocks were not freed: they are not "no memory lost" */
        ll_out_str(o, r->supp_blocks ? "No memory was lost outside the suppressed "
                                       "blocks.</p>\n"
                                     : "No memory was lost.</p>\n");
    }
    ll_out_str(o, "<dl class=\"kinds\">\n");
    for (unsigned k = 0; k < LL_KIND_COUNT; k++) {
        ll_out_str(o, "<dt class=\"");
        ll_out_str(o, ll_kind_json[k]);
        ll_out_str(o, "\"><span class=\"kind\">");
        ll_out_str(o, ll_kind_text[k]);
        ll_out_str(o, "</span> ");
        ll_html_count(o, r->kind_bytes[k], r->kind_blocks[k]);
        ll_out_str(o, "</dt><dd>");
        ll_out_str(o, ll_html_meaning[k]);
        ll_out_str(o, "</dd>\n");
    }
    if (ll_opt.suppressions[0] || r->supp_blocks) {
        ll_out_str(o, "<dt class=\"suppressed\"><span class=\"kind\">suppressed</span> ");
        ll_html_count(o, r->supp_bytes, r->supp_blocks);
        ll_out_str(o, "</dt><dd>a line of the suppressions file matched its stack, "
                      "whatever its kind: not counted above and not listed.</dd>\n");
    }
    ll_out_str(o, "</dl>\n<p>");
    ll_out_bytes_human(o, r->totals.allocations);
    ll_out_str(o, r->totals.allocations == 1 ? " allocation, " : " allocations, ");
    ll_out_bytes_human(o, r->totals.frees);
    ll_out_str(o, r->totals.frees == 1 ? " free, " : " frees, ");
    ll_out_bytes_human(o, r->totals.bytes_allocated);
    ll_out_str(o, " bytes allocated, peak ");
    ll_out_bytes_human(o, r->totals.peak_live_bytes);
    ll_out_str(o, " bytes live.</p>\n");
    if (ll_error_total()) {
        /* as many as ll_html_errors lists: past the first ones, not all */
        size_t n = ll_error_count();
        if (n > LL_ERRORS_PRINTED)
            n = LL_ERRORS_PRINTED;
        ll_out_str(o, "<p>Bad frees: ");
        ll_out_bytes_human(o, ll_error_total());
        if (ll_error_total() > n) {
            ll_out_str(o, " (the first ");
            ll_out_u64(o, n);
            ll_out_str(o, " listed below).</p>\n");
        } else {
            ll_out_str(o, " (listed below).</p>\n");
        }
    }
    ll_check_notes_write(o, "<p class=\"note\">Note: ", ".</p>\n");
}

/* Counts what the browser actually rendered: a test reads them back. */
static const char ll_html_script[] =
    "<script>\n"
    "(function(){\n"
    "  var sites = document.querySelectorAll('#sites tr.site').length;\n"
    "  var boxes = 0;\n"
    "  document.querySelectorAll('#flamegraph rect.frame').forEach(function(r){\n"
    "    if (r.getBBox().width > 0) boxes++; });\n"
    "  var p = document.getElementById('rendered');\n"
    "  p.setAttribute('data-sites', sites);\n"
    "  p.setAttribute('data-boxes', boxes);\n"
    "  p.textContent = 'rendered: ' + sites + ' leak sites, ' + boxes +\n"
    "                  ' flame graph boxes';\n"
    "})();\n"
    "</script>\n";

void ll_report_html(struct ll_out *o, const struct ll_report *r)
{
    ll_out_str(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<title>libleak report: ");
    ll_html_command(o);
    ll_out_str(o, "</title>\n");
    ll_out_str(o, ll_html_style);
    ll_out_str(o, "</head><body>\n<h1>libleak report</h1>\n<p class=\"cmd\">$ ");
    ll_html_command(o);
    ll_out_str(o, " &nbsp;(pid ");
    ll_out_u64(o, (uint64_t)getpid());
    ll_out_str(o, ")</p>\n<h2>Summary</h2>\n");
    ll_html_summary(o, r);
    ll_out_str(o, "<h2>Lost bytes by stack</h2>\n<p>Each box is a function; its "
                  "width is the bytes allocated under it and never freed. "
                  "Callers below, the allocating call on top. Hover a box for "
                  "its name and bytes.</p>\n");
    ll_html_flamegraph(o, r);
    ll_out_str(o, "<h2>Leak sites</h2>\n");
    ll_html_sites(o, r);
    ll_html_errors(o);
    ll_out_str(o, "<p id=\"rendered\"></p>\n");
    ll_out_str(o, ll_html_script);
    ll_out_str(o, "</body></html>\n");
}
