/* out_junit.c - --junit FILE: JUnit XML as Jenkins and GitLab read it.
 *
 * A test case per process, a <failure> per failing leak site in it.  The
 * case is named by the command line, not the pid, so a CI server can
 * follow it from run to run; a command run several times gets " #2", ... */
#include "lc.h"

#include <stdlib.h>
#include <string.h>

static void lc_junit_failure(FILE *f, const struct lc_site *s, const struct lc_psite *ps)
{
    char a[32], b[32];
    const json_t *own = json_array_get(s->stack, lc_own_frame(s->stack));
    fprintf(f, "      <failure type=\"%s\" message=\"", lc_kind_json[s->kind]);
    char *msg = lc_printf("%s bytes in %s block%s %s, allocated by %s in %s",
                          lc_num(ps->bytes, a), lc_num(ps->blocks, b),
                          ps->blocks == 1 ? "" : "s", lc_kind_text[s->kind],
                          s->function ? s->function : "?",
                          lc_fstr(own, "function") ? lc_fstr(own, "function") : "?");
    lc_xml_escaped(f, msg);
    free(msg);
    fputs("\">", f);
    size_t i;
    const json_t *fr;
    json_array_foreach(s->stack, i, fr) {
        char *line = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&line, &len);
        fprintf(m, "#%zu ", i);
        lc_frame_text(m, fr);
        fputc('\n', m);
        fclose(m);
        lc_xml_escaped(f, line);
        free(line);
    }
    fputs("</failure>\n", f);
}

static size_t lc_proc_failures(const struct lc_merge *m, const struct lc_proc *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nsites; i++)
        n += m->sites[p->sites[i].site].fails;
    return n;
}

/* How many earlier processes ran the same command line. */
static size_t lc_same_before(const struct lc_merge *m, size_t i)
{
    size_t n = 0;
    for (size_t j = 0; j < i; j++)
        n += strcmp(m->procs[j].cmdline, m->procs[i].cmdline) == 0;
    return n;
}

static void lc_junit_case(FILE *f, const struct lc_merge *m, size_t i)
{
    const struct lc_proc *p = &m->procs[i];
    size_t dup = lc_same_before(m, i);
    char a[32];
    fputs("    <testcase classname=\"leakcheck\" name=\"", f);
    lc_xml_escaped(f, p->cmdline[0] ? p->cmdline : "(no command line)");
    if (dup)
        fprintf(f, " #%zu", dup + 1);
    fputs("\" time=\"0\">\n", f);
    for (size_t k = 0; k < p->nsites; k++)
        if (m->sites[p->sites[k].site].fails)
            lc_junit_failure(f, &m->sites[p->sites[k].site], &p->sites[k]);
    fprintf(f, "      <system-out>pid %ld; %s bytes definitely lost, %zu bad frees"
            "</system-out>\n", p->pid, lc_num(p->bytes[LC_DEFINITE], a), p->nerrors);
    fputs("    </testcase>\n", f);
}

int lc_out_junit(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    size_t failures = 0;
    for (size_t i = 0; i < m->nprocs; i++)
        failures += lc_proc_failures(m, &m->procs[i]);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"leakcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
               "  <testsuite name=\"leakcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
               "skipped=\"0\">\n", m->nprocs, failures, m->nprocs, failures);
    for (size_t i = 0; i < m->nprocs; i++)
        lc_junit_case(f, m, i);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return ferror(f) ? -1 : 0;
}
