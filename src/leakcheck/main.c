/* main.c - leakcheck: run COMMAND with libleak preloaded into every process
 * of its tree, merge the per-process reports, judge them, and exit with a
 * status a CI job can act on.
 *
 * Everything the user got wrong (options, unreadable suppressions or
 * baseline, unwritable outputs, a COMMAND that cannot be preloaded) is
 * found before COMMAND runs, so a long test suite is not run for nothing. */
#include "lc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lc_outputs {
    FILE *json, *sarif, *junit, *wbase;
};

/* An output file the merge must not read as a report: --reports DIR may
 * hold it (--json DIR/merged.json), emptied by the time the merge runs. */
static FILE *lc_own_output(struct lc_merge *m, FILE *f)
{
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0) {
        m->own[m->nown].dev = st.st_dev;
        m->own[m->nown++].ino = st.st_ino;
    }
    return f;
}

static int lc_open_outputs(struct lc_outputs *o, struct lc_merge *m,
                           const struct lc_config *c)
{
    memset(o, 0, sizeof(*o));
    o->json = lc_own_output(m, lc_open_output(c->json, "--json"));
    o->sarif = lc_own_output(m, lc_open_output(c->sarif, "--sarif"));
    o->junit = lc_own_output(m, lc_open_output(c->junit, "--junit"));
    o->wbase = lc_own_output(m, lc_open_output(c->write_baseline, "--write-baseline"));
    return (c->json && !o->json) || (c->sarif && !o->sarif) || (c->junit && !o->junit) ||
           (c->write_baseline && !o->wbase) ? -1 : 0;
}

static int lc_write_outputs(struct lc_outputs *o, const struct lc_result *r)
{
    const struct lc_config *c = r->cfg;
    int bad = 0;
    if (o->json)
        bad |= lc_out_json(o->json, r) != 0;
    if (o->sarif)
        bad |= lc_out_sarif(o->sarif, r) != 0;
    if (o->junit)
        bad |= lc_out_junit(o->junit, r) != 0;
    if (o->wbase)
        bad |= lc_baseline_write(r->m, o->wbase) != 0;
    bad |= lc_close_output(o->json, c->json) | lc_close_output(o->sarif, c->sarif) |
           lc_close_output(o->junit, c->junit) |
           lc_close_output(o->wbase, c->write_baseline);
    return bad ? -1 : 0;
}

/* Inputs and outputs, checked before COMMAND runs. */
static int lc_setup(struct lc_merge *m, struct lc_outputs *o, const struct lc_config *c,
                    char *path, size_t cap)
{
    if (lc_load_suppressions(m, c) || (c->baseline && lc_baseline_read(m, c->baseline)))
        return LC_EXIT_OWN;
    int rc = c->reports ? 0 : lc_resolve(c->argv[0], path, cap);
    if (rc)
        return rc;
    if ((!c->reports && lc_check_preloadable(path)) || lc_open_outputs(o, m, c))
        return LC_EXIT_OWN;
    return 0;
}

static void lc_notes(const struct lc_merge *m, const struct lc_run *run)
{
    /* --reports: no top process; no report at all: the FAIL line says it;
     * its start marker without a report: the summary lists it */
    int top = run->pid == 0 || !m->nprocs;
    for (size_t i = 0; i < m->nprocs; i++)
        top |= m->procs[i].pid == run->pid;
    for (size_t i = 0; i < m->nmarks; i++)
        top |= m->marks[i].pid == run->pid;
    if (!top)
        lc_err("note: COMMAND's own process (pid %ld) wrote no report: it was killed "
               "by SIGKILL, or it exec'd a program libleak cannot be loaded into "
               "(static or set-ID), or libleak could not create the report (see its "
               "message above), so only its children were checked", (long)run->pid);
}

static int lc_judge_and_report(struct lc_merge *m, struct lc_outputs *o,
                               const struct lc_config *c, struct lc_run *run)
{
    /* No summary without every report: its PASS would be a guess. */
    if (run->stragglers) {
        lc_err("descendants of COMMAND were still running %g seconds after it ended "
               "(--wait): their reports are missing, so the leaks cannot be judged "
               "(raise --wait, or end them before COMMAND ends); they will write their "
               "reports to %s, which is left in place", c->wait_seconds, run->dir);
        return run->status ? run->status : LC_EXIT_OWN;
    }
    if (lc_merge_dir(m, run->dir, !c->reports, c->children ? 0 : run->pid, run->pid))
        return run->status ? run->status : LC_EXIT_OWN;
    lc_merge_sort(m);
    lc_judge(m, c);
    struct lc_result r = { .cfg = c, .m = m, .run = run };
    r.gate = lc_gate_fails(m) ? c->exitcode : lc_unreported_fail(m, c) ? LC_EXIT_UNREPORTED : 0;
    r.exit = run->status ? run->status : r.gate;
    lc_text(stderr, &r);
    if (c->gen_supp)
        lc_gen_suppressions(stderr, m);
    lc_notes(m, run);
    if (lc_write_outputs(o, &r))
        return run->status ? run->status : LC_EXIT_OWN;
    return r.exit;
}

int main(int argc, char **argv)
{
    struct lc_config c;
    int rc = lc_cli_parse(&c, argc, argv);
    if (rc)
        return rc > 0 ? 0 : LC_EXIT_OWN;
    struct lc_merge m;
    struct lc_outputs o;
    struct lc_run run;
    char path[PATH_MAX];
    memset(&m, 0, sizeof m);
    memset(&o, 0, sizeof o);
    rc = lc_setup(&m, &o, &c, path, sizeof path);
    if (!rc && c.reports) {
        memset(&run, 0, sizeof run);          /* no COMMAND: status 0, no pid */
        snprintf(run.dir, sizeof run.dir, "%s", c.reports);
        rc = lc_judge_and_report(&m, &o, &c, &run);
    } else if (!rc && lc_run_prepare(&run)) {
        rc = LC_EXIT_OWN;
    } else if (!rc) {
        rc = lc_run_command(&run, &c, path);
        rc = rc < 0 ? LC_EXIT_OWN : rc ? rc : lc_judge_and_report(&m, &o, &c, &run);
        lc_run_cleanup(&run);
    }
    lc_merge_free(&m);
    free(c.supp_files);
    return rc;
}
