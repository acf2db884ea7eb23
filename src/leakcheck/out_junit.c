/* out_junit.c - --junit FILE: JUnit XML as Jenkins and GitLab read it.
 *
 * A test case per process; one that leaks fails with one <failure> listing
 * every failing site in it (the message names them, the body adds their
 * stacks).  The case is named by the command line, not the pid, so a CI
 * server can follow it from run to run; a command run several times gets
 * " #2", ...  A process that started under libleak and wrote no report is
 * a case too, under the same name: skipped (its leaks are unknown), or
 * failed with --require-reports. */
#include "lc.h"

#include <stdlib.h>
#include <string.h>

/* "10 bytes in 1 block definitely lost, allocated by malloc in f" */
static void lc_junit_site(FILE *f, const struct lc_site *s, const struct lc_psite *ps)
{
    char a[32], b[32];
    const char *fn = lc_fstr(json_array_get(s->stack, lc_own_frame(s->stack)), "function");
    fprintf(f, "%s byte%s in %s block%s %s, allocated by %s in %s", lc_num(ps->bytes, a),
            ps->bytes == 1 ? "" : "s", lc_num(ps->blocks, b), ps->blocks == 1 ? "" : "s",
            lc_kind_text[s->kind],
            s->function ? s->function : "?", fn ? fn : "?");
}

static void lc_junit_stack(FILE *f, const struct lc_site *s)
{
    size_t i;
    const json_t *fr;
    json_array_foreach(s->stack, i, fr) {
        fprintf(f, "#%zu ", i);
        lc_frame_text(f, fr);
        fputc('\n', f);
    }
}

static int lc_cmp_psite(const void *a, const void *b)
{
    size_t x = ((const struct lc_psite *)a)->site, y = ((const struct lc_psite *)b)->site;
    return (x > y) - (x < y);
}

/* p's failing sites, each merged site once with p's bytes and blocks in it
 * (libleak reports one group per return address: two allocations on one
 * line are two groups but one site), in the sites' order; how many. */
static size_t lc_proc_failing(const struct lc_merge *m, const struct lc_proc *p,
                              struct lc_psite **out)
{
    struct lc_psite *v = lc_alloc(p->nsites * sizeof *v + 1);
    size_t n = 0;
    for (size_t i = 0; i < p->nsites; i++)
        if (m->sites[p->sites[i].site].fails)
            v[n++] = p->sites[i];
    qsort(v, n, sizeof *v, lc_cmp_psite);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && v[k - 1].site == v[i].site) {
            v[k - 1].bytes += v[i].bytes;
            v[k - 1].blocks += v[i].blocks;
        } else {
            v[k++] = v[i];
        }
    }
    *out = v;
    return k;
}

/* The failing sites of p: the message lists them, the body adds their
 * stacks; then the blocks of failing kinds no site lists.  Built in
 * memory, then escaped as a whole. */
static void lc_junit_texts(const struct lc_merge *m, const struct lc_proc *p,
                           char **msg, char **body)
{
    size_t ml, bl;
    FILE *mf = open_memstream(msg, &ml), *bf = open_memstream(body, &bl);
    if (!mf || !bf) {
        lc_err("out of memory");
        exit(LC_EXIT_OWN);
    }
    struct lc_psite *v;
    size_t nfail = lc_proc_failing(m, p, &v);
    if (nfail > 1)
        fprintf(mf, "%zu leak sites: ", nfail);
    for (size_t k = 0; k < nfail; k++) {
        const struct lc_site *s = &m->sites[v[k].site];
        fputs(k ? "; " : "", mf);
        lc_junit_site(mf, s, &v[k]);
        fputs(k ? "\n" : "", bf);
        lc_junit_site(bf, s, &v[k]);
        fputs(":\n", bf);
        lc_junit_stack(bf, s);
    }
    free(v);
    for (int k = 0, n = nfail > 0; k < LC_NKINDS; k++)
        if (p->unlisted_blocks[k]) {
            fputs(n ? "; " : "", mf);
            lc_unlisted_text(mf, k, p->unlisted_bytes[k], p->unlisted_blocks[k],
                             p->unlisted_oom);
            fputs(n++ ? "\n" : "", bf);
            lc_unlisted_text(bf, k, p->unlisted_bytes[k], p->unlisted_blocks[k],
                             p->unlisted_oom);
            fputc('\n', bf);
        }
    if (p->unclassified) {
        char a[32];
        const char *s = p->unclassified == 1 ? "" : "s";
        fprintf(mf, "%sthe leak check was not done (libleak ran out of memory): %s block%s "
                "unclassified", ftell(mf) ? "; " : "", lc_num(p->unclassified, a), s);
        fprintf(bf, "the leak check was not done (libleak ran out of memory): %s block%s "
                "unclassified\n", a, s);
    }
    fclose(mf);
    fclose(bf);
}

/* The most severe kind among p's failing sites (definite before indirect),
 * or -1 when only its check not being done fails it. */
static int lc_junit_kind(const struct lc_merge *m, const struct lc_proc *p)
{
    int kind = LC_NKINDS;
    for (size_t k = 0; k < p->nsites; k++) {
        const struct lc_site *s = &m->sites[p->sites[k].site];
        if (s->fails && s->kind < kind)
            kind = s->kind;
    }
    for (int k = 0; k < kind; k++)
        if (p->unlisted_blocks[k])
            kind = k;
    return kind < LC_NKINDS ? kind : -1;
}

/* One <failure> per failing test case, however many sites fail in it:
 * JUnit readers count failed cases, so failures="" counts cases too and
 * never exceeds tests="". */
static void lc_junit_failure(FILE *f, const struct lc_merge *m, const struct lc_proc *p)
{
    char *msg, *body;
    lc_junit_texts(m, p, &msg, &body);
    int kind = lc_junit_kind(m, p);
    fprintf(f, "      <failure type=\"%s\" message=\"",
            kind >= 0 ? lc_kind_json[kind] : "leak_check_not_done");
    lc_xml_escaped(f, msg, 1);
    fputs("\">", f);
    lc_xml_escaped(f, body, 0);
    fputs("</failure>\n", f);
    free(msg);
    free(body);
}

/* A process whose allocator libleak did not see: skipped, or failed
 * with --require-reports. */
static void lc_junit_hidden(FILE *f, const struct lc_proc *p, int fails)
{
    fprintf(f, "      <%s%s message=\"its malloc comes ahead of libleak's, so its blocks "
            "were not seen: not checked\">malloc is defined by ", fails ? "failure" : "skipped",
            fails ? " type=\"allocator_not_seen\"" : "");
    lc_xml_escaped(f, p->hidden, 0);
    fprintf(f, " (an allocator linked into the program, or preloaded before libleak).</%s>\n",
            fails ? "failure" : "skipped");
}

static void lc_junit_case(FILE *f, const struct lc_merge *m, size_t i, int unrep_fails)
{
    const struct lc_proc *p = &m->procs[i];
    char a[32], *name = lc_proc_name(m, i);
    fputs("    <testcase classname=\"leakcheck\" name=\"", f);
    lc_xml_escaped(f, name, 1);
    free(name);
    fputs("\" time=\"0\">\n", f);
    if (p->fails)
        lc_junit_failure(f, m, p);
    else if (p->hidden)
        lc_junit_hidden(f, p, unrep_fails);
    fprintf(f, "      <system-out>pid %ld; %s byte%s definitely lost, %zu bad free%s"
            "</system-out>\n", p->pid, lc_num(p->bytes[LC_DEFINITE], a),
            p->bytes[LC_DEFINITE] == 1 ? "" : "s", p->nerrors, p->nerrors == 1 ? "" : "s");
    fputs("    </testcase>\n", f);
}

static void lc_junit_unreported(FILE *f, const struct lc_merge *m, size_t i, int fails)
{
    const struct lc_mark *k = &m->marks[i];
    char *name = lc_mark_name(m, i);
    fputs("    <testcase classname=\"leakcheck\" name=\"", f);
    lc_xml_escaped(f, name, 1);
    free(name);
    fprintf(f, "\" time=\"0\">\n      <%s%s message=\"started under libleak but wrote no "
            "report, so it was not checked\">", fails ? "failure" : "skipped",
            fails ? " type=\"no_report\"" : "");
    lc_xml_escaped(f, lc_unreported_why, 0);
    fprintf(f, ".</%s>\n      <system-out>pid %ld; no report</system-out>\n"
            "    </testcase>\n", fails ? "failure" : "skipped", k->pid);
}

/* No process wrote a report: one failed case says so, or a CI page would
 * show an empty, green suite for a gate that failed. */
static void lc_junit_nothing(FILE *f)
{
    fputs("    <testcase classname=\"leakcheck\" name=\"no process checked\" time=\"0\">\n"
          "      <failure type=\"nothing_checked\" message=\"no process wrote a report, so "
          "nothing was checked\">Statically linked or set-ID programs write no report, nor "
          "processes killed by SIGKILL, nor fork children that end through _exit().</failure>\n"
          "    </testcase>\n", f);
}

int lc_out_junit(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    int unrep_fails = lc_unreported_fail(m, r->cfg);
    size_t failures = !m->nprocs, tests = (m->nprocs ? m->nprocs : 1) + m->nmarks;
    size_t skipped = unrep_fails ? 0 : m->nmarks;
    for (size_t i = 0; i < m->nprocs; i++) {
        const struct lc_proc *p = &m->procs[i];
        failures += p->fails || (p->hidden && unrep_fails);
        skipped += !p->fails && p->hidden && !unrep_fails;
    }
    failures += unrep_fails ? m->nmarks : 0;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"leakcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
               "  <testsuite name=\"leakcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
               "skipped=\"%zu\">\n", tests, failures, tests, failures, skipped);
    for (size_t i = 0; i < m->nprocs; i++)
        lc_junit_case(f, m, i, unrep_fails);
    for (size_t i = 0; i < m->nmarks; i++)
        lc_junit_unreported(f, m, i, unrep_fails);
    if (!m->nprocs)
        lc_junit_nothing(f);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return ferror(f) ? -1 : 0;
}
