/* text.c - the summary leakcheck prints on stderr, and
 * --gen-suppressions.  Failing sites get their whole stack; known and
 * non-failing ones one line each; suppressed ones are counted under their
 * suppression, so a CI log shows first what needs fixing. */
#include "lc.h"

#include <string.h>

#define LC_MAX_LISTED 100        /* sites printed in full; --json has all */
#define LC_MAX_PROCS 20          /* processes listed without --verbose */

static void lc_count(FILE *f, uint64_t bytes, uint64_t blocks)
{
    char a[32], b[32];
    char cell[80];
    if (blocks)
        snprintf(cell, sizeof cell, "%s/%s", lc_num(bytes, a), lc_num(blocks, b));
    else
        snprintf(cell, sizeof cell, "0");
    fprintf(f, "  %-14s", cell);
}

static int lc_proc_clean(const struct lc_proc *p)
{
    return !p->blocks[LC_DEFINITE] && !p->blocks[LC_INDIRECT] && !p->blocks[LC_POSSIBLE] &&
           !p->nerrors && !p->fails;
}

static void lc_text_procs(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    int all = r->cfg->verbose || m->nprocs <= LC_MAX_PROCS;
    size_t hidden = 0;
    fprintf(f, "== processes (bytes/blocks)\n  %-8s  %-14s  %-14s  %-14s  %-14s  %-14s  %s\n",
            "pid", "definite", "indirect", "possible", "reachable", "suppressed", "command");
    for (size_t i = 0; i < m->nprocs; i++) {
        const struct lc_proc *p = &m->procs[i];
        if (!all && lc_proc_clean(p) && p->pid != r->run->pid) {
            hidden++;
            continue;
        }
        fprintf(f, "  %-8ld", p->pid);
        for (int k = 0; k < LC_NKINDS; k++)
            lc_count(f, p->bytes[k], p->blocks[k]);
        lc_count(f, p->supp_bytes, p->supp_blocks);
        fprintf(f, "  %s%s%s%s%s\n", p->cmdline, p->nerrors ? "  [bad frees]" : "",
                p->unstopped ? "  [threads not stopped]" : "",
                p->unclassified ? "  [check not done: out of memory]"
                : p->hidden     ? "  [allocator not seen]" : "",
                p->fails ? "  [FAILS]" : "");
    }
    if (hidden)
        fprintf(f, "  ... and %zu process%s that lost nothing (--verbose lists them)\n", hidden,
                hidden == 1 ? "" : "es");
}

/* Processes that started under libleak and wrote no report, one line each;
 * the heading says why a process writes none. */
static void lc_text_unreported(FILE *f, const struct lc_merge *m)
{
    if (!m->nmarks)
        return;
    fprintf(f, "== processes not checked: they started under libleak and wrote no report\n"
            "  %s:\n", lc_unreported_why);
    for (size_t i = 0; i < m->nmarks; i++)
        fprintf(f, "  %-8ld  %s  [no report]\n", m->marks[i].pid,
                m->marks[i].cmdline[0] ? m->marks[i].cmdline : "(no command line)");
}

/* Processes whose malloc came ahead of libleak's (an allocator linked into
 * the program): they reported, but libleak saw none of their blocks. */
static void lc_text_hidden(FILE *f, const struct lc_merge *m)
{
    if (!m->nhidden)
        return;
    fprintf(f, "== processes not checked: their own malloc comes ahead of libleak's, so "
            "libleak saw none of their blocks\n");
    for (size_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].hidden)
            fprintf(f, "  %-8ld  %s  [malloc of %s]\n", m->procs[i].pid,
                    m->procs[i].cmdline[0] ? m->procs[i].cmdline : "(no command line)",
                    m->procs[i].hidden);
}

static const char *lc_site_tag(const struct lc_site *s)
{
    if (s->fails)
        return "NEW";
    return s->baselined ? "known (baseline)" : "not failing";
}

static void lc_text_site(FILE *f, const struct lc_site *s, int full)
{
    char a[32], b[32];
    fprintf(f, "  %s: %s byte%s in %s block%s %s, by %s, in %zu process%s (pid %ld%s)\n",
            lc_site_tag(s), lc_num(s->bytes, a), s->bytes == 1 ? "" : "s", lc_num(s->blocks, b),
            s->blocks == 1 ? "" : "s", lc_kind_text[s->kind],
            s->function ? s->function : "?", s->nprocs, s->nprocs == 1 ? "" : "es",
            s->pids[0], s->nprocs > 1 ? ", ..." : "");
    size_t i, own = lc_own_frame(s->stack);
    const json_t *fr;
    json_array_foreach(s->stack, i, fr) {
        if (!full && i != own)
            continue;
        fprintf(f, "      #%zu ", i);
        lc_frame_text(f, fr);
        fputc('\n', f);
    }
}

static void lc_text_sites(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    size_t listed = 0, more = 0;
    fprintf(f, "== leak sites, largest first, merged across processes\n");
    for (int pass = 0; pass < 2; pass++)        /* failing ones first */
        for (size_t i = 0; i < m->nsites; i++) {
            const struct lc_site *s = &m->sites[i];
            if (s->supp >= 0 || (pass == 0) != (s->fails != 0))
                continue;
            if (listed++ >= LC_MAX_LISTED && !r->cfg->verbose) {
                more++;
                continue;
            }
            lc_text_site(f, s, s->fails || r->cfg->verbose);
        }
    if (!listed)
        fprintf(f, "  none\n");
    if (more)
        fprintf(f, "  ... and %zu more site%s (--verbose or --json lists them)\n", more,
                more == 1 ? "" : "s");
}

static void lc_text_supps(FILE *f, const struct lc_merge *m)
{
    if (!m->supp.n)
        return;
    char a[32], b[32];
    fprintf(f, "== suppressions\n");
    for (size_t i = 0; i < m->supp.n; i++) {
        const struct ll_supp *s = &m->supp.v[i];
        fprintf(f, "  leak:%s  (%s:%d)  ", s->pattern, s->file, s->line);
        if (s->blocks)
            fprintf(f, "matched %s byte%s in %s block%s\n", lc_num(s->bytes, a),
                    s->bytes == 1 ? "" : "s", lc_num(s->blocks, b), s->blocks == 1 ? "" : "s");
        else
            fprintf(f, "UNUSED: matched nothing\n");
    }
}

static void lc_text_baseline(FILE *f, const struct lc_merge *m)
{
    size_t stale = 0;
    for (size_t i = 0; i < m->nbaseline; i++)
        stale += !m->baseline_used[i];
    if (m->nbaseline)
        fprintf(f, "== baseline: %zu known site%s, %zu no longer seen%s\n", m->nbaseline,
                m->nbaseline == 1 ? "" : "s", stale,
                stale ? " (fixed? regenerate with --write-baseline)" : "");
}

/* "64 bytes still reachable in 1 block, not listed: run with
 * show_reachable=1 to see where" */
void lc_unlisted_text(FILE *f, int kind, uint64_t bytes, uint64_t blocks, int oom)
{
    char a[32], b[32];
    fprintf(f, "%s byte%s %s in %s block%s, not listed: %s", lc_num(bytes, a), bytes == 1 ? "" : "s",
            lc_kind_text[kind], lc_num(blocks, b), blocks == 1 ? "" : "s",
            oom ? "libleak ran out of memory listing them"
            : kind == LC_REACHABLE ? "run with show_reachable=1 to see where"
                                   : "the reports name no site for them");
}

/* "N processes started under libleak wrote no report, so they were not
 * checked", after "leakcheck: TAG: ", before end. */
static void lc_unreported_line(FILE *f, const struct lc_merge *m, const char *tag,
                               const char *end)
{
    fprintf(f, "leakcheck: %s: %zu process%s started under libleak wrote no report, so %s "
            "not checked%s", tag, m->nmarks, m->nmarks == 1 ? "" : "es",
            m->nmarks == 1 ? "it was" : "they were", end);
}

/* The same for the processes whose allocator libleak did not see. */
static void lc_hidden_line(FILE *f, const struct lc_merge *m, const char *tag,
                           const char *end)
{
    int one = m->nhidden == 1;
    fprintf(f, "leakcheck: %s: %zu process%s define%s malloc ahead of libleak (an allocator "
            "of %s own), so %s blocks were not seen: not checked%s", tag, m->nhidden,
            one ? "" : "es", one ? "s" : "", one ? "its" : "their", one ? "its" : "their", end);
}

/* Every process not checked (no report, allocator not seen), a line each,
 * "leakcheck: TAG: " first; last after the last line, each after the
 * others. */
static void lc_not_checked_lines(FILE *f, const struct lc_merge *m, const char *tag,
                                 const char *each, const char *last)
{
    if (m->nmarks)
        lc_unreported_line(f, m, tag, m->nhidden ? each : last);
    if (m->nhidden)
        lc_hidden_line(f, m, tag, last);
}

static void lc_text_verdict(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    size_t n = lc_failing_sites(m);
    int fails = lc_gate_fails(m);
    char kinds[64] = "";
    for (int k = 0; k < LC_NKINDS; k++)
        if (r->cfg->fail_on & (1 << k))
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                     kinds[0] ? "," : "", lc_kind_short[k]);
    if (r->run->status)
        fprintf(f, "leakcheck: COMMAND failed with status %d; exit %d\n", r->run->status,
                r->exit);
    /* Each reason for failing on its own line; the last says the exit status. */
    char end[32] = "\n";
    if (!r->run->status)
        snprintf(end, sizeof end, "; exit %d\n", r->exit);
    int last = -1;
    for (int k = 0; k < LC_NKINDS; k++)
        if (m->unlisted_blocks[k])
            last = k;
    /* with no report at all, the FAIL line below stands for them too */
    int unrep = (m->nmarks || m->nhidden) && m->nprocs;
    int unrep_fails = unrep && lc_unreported_fail(m, r->cfg);
    if (unrep && !unrep_fails) {
        const char *w = " (--require-reports fails the gate on this)\n";
        lc_not_checked_lines(f, m, "warning", w, w);
    }
    if (!m->nprocs)
        fprintf(f, "leakcheck: FAIL: no process wrote a report, so nothing was checked%s", end);
    int more = last >= 0 || m->unclassified_procs || unrep_fails;
    if (n)
        fprintf(f, "leakcheck: FAIL: %zu new leak site%s of the failing kinds (%s)%s", n,
                n == 1 ? "" : "s", kinds, more ? "\n" : end);
    if (m->unclassified_procs)
        fprintf(f, "leakcheck: FAIL: the leak check was not done in %zu process%s (libleak "
                "ran out of memory): %s block%s unclassified%s", m->unclassified_procs,
                m->unclassified_procs == 1 ? "" : "es", lc_num(m->unclassified, (char[32]){ 0 }),
                m->unclassified == 1 ? "" : "s", last >= 0 || unrep_fails ? "\n" : end);
    for (int k = 0; k <= last; k++)
        if (m->unlisted_blocks[k]) {
            fputs("leakcheck: FAIL: ", f);
            lc_unlisted_text(f, k, m->unlisted_bytes[k], m->unlisted_blocks[k],
                             m->unlisted_oom[k]);
            fputs(k == last && !unrep_fails ? end : "\n", f);
        }
    if (unrep_fails)
        lc_not_checked_lines(f, m, "FAIL", "\n", end);
    fails |= unrep_fails;
    if (!fails)
        fprintf(f, "leakcheck: PASS: no new leaks of the failing kinds (%s) in %zu process%s\n",
                kinds, m->nprocs, m->nprocs == 1 ? "" : "es");
}

void lc_text(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    fprintf(f, "\n==== leakcheck: %zu process%s reported", m->nprocs, m->nprocs == 1 ? "" : "es");
    if (m->skipped)
        fprintf(f, " (%zu child report%s ignored: --no-children)", m->skipped,
                m->skipped == 1 ? "" : "s");
    fputc('\n', f);
    if (!m->nprocs)
        fprintf(f, "  no process wrote a report: was COMMAND killed by SIGKILL, or did it "
                "run only static or set-ID programs?\n");
    else
        lc_text_procs(f, r);
    lc_text_unreported(f, m);
    lc_text_hidden(f, m);
    lc_text_sites(f, r);
    lc_text_supps(f, m);
    lc_text_baseline(f, m);
    lc_text_verdict(f, r);
}

/* A frame a site's pattern may name, for telling helpers apart. */
struct lc_cand { const char *fn, *file; long line; };

/* A site's candidates, innermost first; at: the first not shared yet. */
struct lc_chain { struct lc_cand *c; size_t n, at; };

static struct lc_chain lc_chain_of(const struct lc_site *s)
{
    size_t *idx = lc_alloc(json_array_size(s->stack) * sizeof *idx + 1);
    struct lc_chain ch = { NULL, lc_supp_candidates(s->stack, idx), 0 };
    ch.c = lc_alloc(ch.n * sizeof *ch.c + 1);
    for (size_t k = 0; k < ch.n; k++) {
        const json_t *f = json_array_get(s->stack, idx[k]);
        ch.c[k] = (struct lc_cand){ lc_fstr(f, "function"), lc_fstr(f, "file"),
                                    lc_fint(f, "line") };
    }
    free(idx);
    return ch;
}

static int lc_strcmp0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int lc_cand_same(struct lc_cand a, struct lc_cand b)
{
    return a.fn && b.fn && strcmp(a.fn, b.fn) == 0 && a.line == b.line &&
           lc_strcmp0(a.file, b.file) == 0;
}

/* A stack as its frames' places (function, file, line; or object and
 * offset): the same in every process, unlike return addresses. */
static char *lc_stack_key(const json_t *stack)
{
    char *k = lc_strdup("");
    size_t i;
    const json_t *f;
    json_array_foreach(stack, i, f) {
        const char *fn = lc_fstr(f, "function"), *file = lc_fstr(f, "file");
        const char *obj = lc_basename(lc_fstr(f, "object")), *off = lc_fstr(f, "offset");
        char *n = lc_printf("%s%s@%s:%ld@%s+%s;", k, fn ? fn : "?", file ? file : "",
                            lc_fint(f, "line"), obj ? obj : "", off ? off : "");
        free(k);
        k = n;
    }
    return k;
}

struct lc_cand_ent { struct lc_cand c; const char *key; };

/* Sites by candidate (function, file, line), then by stack. */
static int lc_cmp_cand(const void *pa, const void *pb)
{
    const struct lc_cand_ent *a = pa, *b = pb;
    int d = lc_strcmp0(a->c.fn, b->c.fn);
    if (!d)
        d = lc_strcmp0(a->c.file, b->c.file);
    if (!d)
        d = (a->c.line > b->c.line) - (a->c.line < b->c.line);
    return d ? d : strcmp(a->key, b->key);
}

/* Shared helpers: a function that two reported sites with different stacks
 * would be named by at the same line of it (so they differ further out: it
 * was called from two places, as an allocation wrapper is).  Its name would
 * suppress both and every later leak made through it, so each site takes
 * the next function out instead; repeated until no name is shared (a
 * wrapper of a wrapper), which ends: each round adds a name.  A function
 * with two leaking lines of its own is not shared: its name singles both
 * out; nor is one stack reported under two kinds (a lost list's head and
 * nodes). */
static void lc_find_shared(const struct lc_merge *m, struct lc_names *shared)
{
    struct lc_cand_ent *e = lc_alloc(m->nsites * sizeof *e + 1);
    struct lc_chain *ch = lc_alloc(m->nsites * sizeof *ch + 1);
    char **key = lc_alloc(m->nsites * sizeof *key + 1);
    for (size_t i = 0; i < m->nsites; i++)
        if (m->sites[i].supp < 0) {
            key[i] = lc_stack_key(m->sites[i].stack);
            ch[i] = lc_chain_of(&m->sites[i]);
        }
    for (int added = 1; added;) {
        added = 0;
        size_t n = 0;
        for (size_t i = 0; i < m->nsites; i++) {
            while (ch[i].at < ch[i].n && lc_names_has(shared, ch[i].c[ch[i].at].fn))
                ch[i].at++;
            if (ch[i].at < ch[i].n)
                e[n++] = (struct lc_cand_ent){ ch[i].c[ch[i].at], key[i] };
        }
        qsort(e, n, sizeof *e, lc_cmp_cand);
        /* sorted, so a candidate's sites are together, its first stack first */
        for (size_t i = 1; i < n; i++)
            if (lc_cand_same(e[i].c, e[i - 1].c) && strcmp(e[i].key, e[i - 1].key) != 0)
                added |= lc_names_add(shared, e[i].c.fn);
    }
    for (size_t i = 0; i < m->nsites; i++) {
        free(key[i]);
        free(ch[i].c);
    }
    free(key);
    free(ch);
    free(e);
}

void lc_gen_suppressions(FILE *f, const struct lc_merge *m)
{
    struct lc_names shared = { 0 };
    lc_find_shared(m, &shared);
    fprintf(f, "== suppressions for the sites above (add to a --suppressions file)\n");
    struct lc_names printed = { 0 };
    char **pats = lc_alloc(m->nsites * sizeof *pats + 1);
    for (size_t i = 0; i < m->nsites; i++) {
        const struct lc_site *s = &m->sites[i];
        if (s->supp >= 0)
            continue;
        char *pat = pats[i] = lc_supp_pattern(s->stack, &shared);
        if (!pat || lc_names_add(&printed, pat)) {            /* each line once */
            fprintf(f, "# %s, at ", lc_kind_text[s->kind]);
            lc_frame_text(f, json_array_get(s->stack, lc_own_frame(s->stack)));
            if (pat)
                fprintf(f, "\nleak:%s\n", pat);
            else
                fprintf(f, "\n# no pattern matches only this site (all leaks pass through "
                        "main, or through a helper other sites share): list it in a "
                        "--baseline instead\n");
        }
    }
    for (size_t i = 0; i < m->nsites; i++)
        free(pats[i]);
    free(pats);
    lc_names_free(&printed);
    lc_names_free(&shared);
}
