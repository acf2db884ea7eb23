/* test_lc_unreported.c - processes that started under libleak and wrote no
 * report (killed by SIGKILL, or they exec'd a program libleak is not
 * loaded into): libleak's start markers (started=) and leakcheck's pairing
 * of them with the reports, in every output; a warning by default, a
 * failure (status 24) with --require-reports.
 *
 * Each run of LL_ROOT/build/leakcheck gets its own temporary directory
 * ("{dir}" in arguments), which also holds its stdout and stderr. */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define LC_BIN LL_ROOT "/build/leakcheck"
#define LEAKER LL_PROGRAMS "/lc_leaker"
#define SPAWN LL_PROGRAMS "/lc_spawn"
#define EXEC LL_PROGRAMS "/lc_exec"
#define OWN LL_PROGRAMS "/own_malloc"
/* sh's child is killed by SIGKILL; sh then execs a traced program, which
 * reports for sh's process (same pid, same start time) */
#define KILLED_TREE LEAKER " 10 0 sigkill; exec " LEAKER " 0"

struct lu {
    char dir[64];
    int status;              /* exit status, or 128+signal */
    char *err;
};

static void lu_exec(struct lu *r, const char *const *argv)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dir, "/tmp/ll-lu-XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
    char *args[64];
    int n = 0;
    for (; argv[n] && n < 63; n++)
        args[n] = ll_expand(argv[n], r->dir);
    args[n] = NULL;
    char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };
    r->status = ll_exec_in(r->dir, LL_ROOT, args, envp, NULL);
    r->err = ll_read_or_empty(ll_fmt("%s/stderr.txt", r->dir));
    for (int i = 0; i < n; i++)
        free(args[i]);
}

/* leakcheck ARGS... */
#define LU(r, ...) lu_exec((r), (const char *const[]){ LC_BIN, __VA_ARGS__, NULL })

static void lu_free(struct lu *r)
{
    ll_rm_rf(r->dir);
    free(r->err);
}

static const char *lu_path(const struct lu *r, const char *name)
{
    return ll_fmt("%s/%s", r->dir, name);
}

/* The one SARIF result of rule id, at the program prog, its ruleIndex
 * naming that rule; *level: the rule's default level. */
static json_t *lu_sarif_result(json_t *d, const char *id, const char *prog, const char **level)
{
    json_t *run = json_array_get(ll_arr(d, "runs"), 0), *res, *found = NULL;
    json_t *rules = ll_arr(ll_get(ll_get(run, "tool"), "driver"), "rules");
    size_t i, n = 0;
    json_array_foreach(ll_arr(run, "results"), i, res)
        if (strcmp(ll_str(res, "ruleId"), id) == 0) {
            found = res;
            n++;
        }
    LL_EQ(n, 1, "SARIF results of rule %s", id);
    json_t *rule = json_array_get(rules, (size_t)ll_int(found, "ruleIndex"));
    cr_assert(rule && strcmp(ll_str(rule, "id"), id) == 0, "ruleIndex of %s", id);
    *level = ll_str(ll_get(rule, "defaultConfiguration"), "level");
    json_t *loc = ll_get(json_array_get(ll_arr(found, "locations"), 0), "physicalLocation");
    const char *uri = ll_str(ll_get(loc, "artifactLocation"), "uri");
    cr_assert(uri && ll_contains(uri, prog), "%s: at the program %s: %s", id, prog, uri);
    return found;
}

/* JUnit and SARIF for a run of two processes, one of them not checked:
 * its test case skipped, or failed with type under --require-reports, its
 * message starting with message; its one process-not-checked result at
 * prog, a warning or an error, whose text holds text.  The SARIF pid of the
 * result. */
static long long lu_check_not_checked(const struct lu *r, int require, const char *type,
                                      const char *message, const char *prog, const char *text)
{
    char *x = ll_read_or_empty(lu_path(r, "j.xml"));
    cr_assert(ll_contains(x, require ? "tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""
                                     : "tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\""),
              "JUnit counts:\n%s", x);
    cr_assert(ll_contains(x, require ? ll_fmt("<failure type=\"%s\" message=\"%s", type, message)
                                     : ll_fmt("<skipped message=\"%s", message)),
              "JUnit:\n%s", x);
    free(x);

    json_t *d = ll_load_json(lu_path(r, "r.sarif"));
    const char *level;
    json_t *res = lu_sarif_result(d, "process-not-checked", prog, &level);
    LL_STREQ(ll_str(res, "level"), require ? "error" : "warning", "SARIF level");
    LL_STREQ(level, require ? "error" : "warning", "SARIF rule's level");
    cr_assert(ll_contains(ll_str(ll_get(res, "message"), "text"), text), "SARIF message: %s",
              ll_str(ll_get(res, "message"), "text"));
    long long pid = ll_int(ll_get(res, "properties"), "pid");
    json_decref(d);
    return pid;
}

/* Every output names the killed child, and only it: not sh's process,
 * whose exec'd program reported. */
static void lu_check_outputs(const struct lu *r, int require)
{
    json_t *m = ll_load_json(lu_path(r, "m.json"));
    json_t *un = ll_arr(m, "unreported");
    LL_EQ(json_array_size(un), 1, "unreported processes in the merged JSON");
    json_t *u = json_array_get(un, 0);
    LL_STREQ(json_string_value(json_array_get(ll_arr(u, "command"), 3)), "sigkill", "command");
    cr_assert_gt(ll_int(u, "start_time"), 0, "start_time");
    cr_assert(json_is_boolean(ll_get(u, "fails")) && json_boolean_value(ll_get(u, "fails")) == require,
              "fails");
    LL_EQ(ll_int(ll_get(m, "summary"), "unreported"), 1, "summary.unreported");
    LL_EQ(json_array_size(ll_arr(m, "processes")), 1, "processes that reported");
    long long pid = ll_int(u, "pid");
    cr_assert_neq(ll_int(json_array_get(ll_arr(m, "processes"), 0), "pid"), pid,
                  "the process that reported is not the killed one");
    LL_EQ(ll_int(m, "gate"), require ? 24 : 0, "gate");
    json_decref(m);

    cr_assert(ll_contains(r->err, ll_fmt("  %-8lld  " LEAKER " 10 0 sigkill  [no report]", pid)),
              "one line for it in the summary; stderr:\n%s", r->err);
    cr_assert(ll_contains(r->err, "likely killed by SIGKILL"), "why; stderr:\n%s", r->err);

    char *x = ll_read_or_empty(lu_path(r, "j.xml"));
    cr_assert(ll_contains(x, "name=\"" LEAKER " 10 0 sigkill\""), "JUnit case:\n%s", x);
    free(x);
    LL_EQ(lu_check_not_checked(r, require, "no_report",
                               "started under libleak but wrote no report", "lc_leaker",
                               "wrote no report"),
          pid, "SARIF pid");
}

Test(lc_unreported, killed_child_is_a_warning_by_default)
{
    struct lu r;
    LU(&r, "--json", "{dir}/m.json", "--junit", "{dir}/j.xml", "--sarif", "{dir}/r.sarif",
       "--", "/bin/sh", "-c", KILLED_TREE);
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leakcheck: warning: 1 process started under libleak wrote no "
                          "report, so it was not checked (--require-reports fails the gate on "
                          "this)"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leakcheck: PASS"), "stderr:\n%s", r.err);
    lu_check_outputs(&r, 0);
    lu_free(&r);
}

Test(lc_unreported, require_reports_fails_with_24)
{
    struct lu r;
    LU(&r, "--require-reports", "--json", "{dir}/m.json", "--junit", "{dir}/j.xml",
       "--sarif", "{dir}/r.sarif", "--", "/bin/sh", "-c", KILLED_TREE);
    LL_EQ(r.status, 24, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leakcheck: FAIL: 1 process started under libleak wrote no "
                          "report, so it was not checked; exit 24"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "stderr:\n%s", r.err);
    lu_check_outputs(&r, 1);
    lu_free(&r);
}

/* A forked worker (no exec) that the OOM killer would end: the fork
 * handler wrote its marker.  Named as its parent is, " #2". */
Test(lc_unreported, killed_fork_child_is_listed)
{
    struct lu r;
    LU(&r, "--json", "{dir}/m.json", "--junit", "{dir}/j.xml", "--", LEAKER, "0", "0",
       "fork-sigkill");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lu_path(&r, "m.json"));
    json_t *un = ll_arr(m, "unreported");
    LL_EQ(json_array_size(un), 1, "unreported; stderr:\n%s", r.err);
    cr_assert_neq(ll_int(json_array_get(un, 0), "pid"),
                  ll_int(json_array_get(ll_arr(m, "processes"), 0), "pid"), "the child");
    json_decref(m);
    char *x = ll_read_or_empty(lu_path(&r, "j.xml"));
    cr_assert(ll_contains(x, "name=\"" LEAKER " 0 0 fork-sigkill #2\""), "JUnit:\n%s", x);
    free(x);
    lu_free(&r);
}

/* New leaks fail with their own status, --require-reports or not; the
 * line about the process comes last, with the status. */
Test(lc_unreported, leaks_keep_their_status)
{
    struct lu r;
    LU(&r, "--require-reports", "--", "/bin/sh", "-c",
       LEAKER " 0 0 sigkill; exec " LEAKER " 10");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site of the failing kinds "
                          "(definite,indirect)\nleakcheck: FAIL: 1 process started under "
                          "libleak wrote no report, so it was not checked; exit 23"),
              "stderr:\n%s", r.err);
    lu_free(&r);
}

/* A traced program exec'd by a traced process (same pid): no entry, and
 * one marker for the process, holding the exec'd command, that pairs with
 * the one report. */
Test(lc_unreported, exec_of_a_traced_program_is_not_listed)
{
    struct lu r;
    LU(&r, "--require-reports", "--json", "{dir}/m.json", "--", "/bin/sh", "-c",
       "exec " LEAKER " 0");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "not checked"), "stderr:\n%s", r.err);
    json_t *m = ll_load_json(lu_path(&r, "m.json"));
    LL_EQ(json_array_size(ll_arr(m, "unreported")), 0, "unreported");
    json_decref(m);
    lu_free(&r);

    lu_exec(&r, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB " LIBLEAK_OPTIONS=format=json:output={dir}/r/%p.json"
        ":started={dir}/r/%p.start /bin/sh -c 'exec " LEAKER " 0'", NULL });
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    DIR *d = opendir(lu_path(&r, "r"));
    cr_assert_not_null(d);
    struct dirent *e;
    const char *marker = NULL, *report = NULL;
    int n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            n++;
            if (strstr(e->d_name, ".start"))
                marker = ll_fmt("%s/r/%s", r.dir, e->d_name);
            else
                report = ll_fmt("%s/r/%s", r.dir, e->d_name);
        }
    closedir(d);
    LL_EQ(n, 2, "files: one marker, one report");
    cr_assert(marker && report, "a marker and a report");
    json_t *k = ll_load_json(marker), *j = ll_load_json(report);
    LL_EQ(ll_int(k, "pid"), ll_int(j, "pid"), "pid");
    LL_EQ(ll_int(k, "start_time"), ll_int(j, "start_time"), "start_time");
    LL_STREQ(json_string_value(json_array_get(ll_arr(k, "command"), 0)), LEAKER,
             "the marker names the exec'd program");
    json_decref(k);
    json_decref(j);
    lu_free(&r);
}

/* A process that exec'd a program libleak is not loaded into: one whose
 * environment lost LD_PRELOAD, and a static one. */
Test(lc_unreported, exec_of_an_untraced_program_is_listed)
{
    struct lu r;
    LU(&r, "--json", "{dir}/m.json", "--", "/bin/sh", "-c",
       LEAKER " 0; exec env -u LD_PRELOAD " LEAKER " 10");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lu_path(&r, "m.json"));
    json_t *un = ll_arr(m, "unreported");
    LL_EQ(json_array_size(un), 1, "unreported");
    /* env was traced (its marker replaced sh's); the program it ran was not */
    LL_STREQ(json_string_value(json_array_get(ll_arr(json_array_get(un, 0), "command"), 0)),
             "env", "command");
    json_decref(m);

    const char *bin = lu_path(&r, "lc_static");
    const char *cc = ll_fmt("cc -static -o %s %s/lc_static.c", bin, LL_SOURCES);
    cr_assert_eq(system(cc), 0, "%s (needs libc6-dev's libc.a)", cc);
    struct lu r2;
    LU(&r2, "--require-reports", "--", "/bin/sh", "-c", ll_fmt(LEAKER " 0; exec %s", bin));
    LL_EQ(r2.status, 24, "exit status; stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, ll_fmt("  /bin/sh -c " LEAKER " 0; exec %s  [no report]", bin)),
              "sh's process, which became the static program; stderr:\n%s", r2.err);
    lu_free(&r2);
    lu_free(&r);
}

/* A static program (built into r's directory) started by STARTER MODE, for
 * each mode: listed as not checked, and the gate fails (24). */
static void lu_static_is_listed(const struct lu *r, const char *starter,
                                const char *const *modes)
{
    const char *bin = lu_path(r, "lc_static");
    const char *cc = ll_fmt("cc -static -o %s %s/lc_static.c", bin, LL_SOURCES);
    cr_assert_eq(system(cc), 0, "%s (needs libc6-dev's libc.a)", cc);
    for (; *modes; modes++) {
        struct lu r2;
        LU(&r2, "--require-reports", "--", starter, *modes, bin);
        LL_EQ(r2.status, 24, "%s: exit status; stderr:\n%s", *modes, r2.err);
        cr_assert(ll_contains(r2.err, ll_fmt("     %s  [no report]", bin)),
                  "%s: the static program is listed; stderr:\n%s", *modes, r2.err);
        lu_free(&r2);
    }
}

/* A child posix_spawn started runs none of libleak's code before its exec:
 * its parent writes its marker.  One that execs a static program is listed
 * (by each call, and when the caller passes no pid to fill in); a traced
 * one rewrites that marker or keeps its own, and pairs with its report. */
Test(lc_unreported, posix_spawn_child_that_execs_an_untraced_program_is_listed)
{
    struct lu r;
    LU(&r, "--require-reports", "--", SPAWN, "spawn", LEAKER, "0");
    LL_EQ(r.status, 0, "a traced child pairs; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "not checked"), "stderr:\n%s", r.err);

    static const char *const modes[] = { "spawn", "spawnp", "nopid", NULL };
    lu_static_is_listed(&r, SPAWN, modes);
    lu_free(&r);
}

/* A vfork child (as Python's subprocess makes) or a clone() child runs no
 * fork handler: it writes its own marker just before its exec, through
 * every function of the family.  One that execs a static program is
 * listed; a traced one pairs with its report; an exec that fails leaves no
 * marker (the child then _exits, reporting nothing, and is not listed). */
Test(lc_unreported, vfork_child_that_execs_an_untraced_program_is_listed)
{
    struct lu r, r2;
    LU(&r, "--require-reports", "--", EXEC, "vfork-execv", LEAKER, "0");
    LL_EQ(r.status, 0, "a traced child pairs; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "not checked"), "stderr:\n%s", r.err);

    LU(&r2, "--require-reports", "--", EXEC, "vfork-execv", "{dir}/not-there");
    LL_EQ(r2.status, 127, "a failed exec: the child's _exit(127); stderr:\n%s", r2.err);
    cr_assert(!ll_contains(r2.err, "not checked"), "no marker left; stderr:\n%s", r2.err);
    lu_free(&r2);

    static const char *const modes[] = { "vfork-execv", "vfork-execvp", "vfork-execl",
                                         "vfork-execle", "clone-execve", NULL };
    lu_static_is_listed(&r, EXEC, modes);
    lu_free(&r);
}

/* A process whose malloc comes ahead of libleak's (own_malloc defines it,
 * as rustc does with jemalloc) reported, but libleak saw none of its
 * blocks: it was not checked, and every output says so, a warning unless
 * --require-reports (then status 24). */
static void lu_check_hidden(struct lu *r, int require)
{
    LL_EQ(r->status, require ? 24 : 0, "exit status; stderr:\n%s", r->err);
    const char *line = "leakcheck: %s: 1 process defines malloc ahead of libleak (an allocator "
                       "of its own), so its blocks were not seen: not checked%s";
    cr_assert(ll_contains(r->err, ll_fmt(line, require ? "FAIL" : "warning",
                                         require ? "; exit 24"
                                                 : " (--require-reports fails the gate on this)")),
              "stderr:\n%s", r->err);
    cr_assert(ll_contains(r->err, OWN "  [allocator not seen]"), "stderr:\n%s", r->err);
    cr_assert(ll_contains(r->err, "  " OWN "  [malloc of "), "stderr:\n%s", r->err);
    cr_assert(ll_contains(r->err, "leakcheck: PASS") == !require, "stderr:\n%s", r->err);

    json_t *m = ll_load_json(lu_path(r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "allocator_hidden"), 1, "summary.allocator_hidden");
    size_t i, hidden = 0;
    json_t *p;
    json_array_foreach(ll_arr(m, "processes"), i, p) {
        json_t *by = json_object_get(p, "allocator_hidden_by");
        if (json_is_string(by)) {
            hidden++;
            cr_assert(ll_contains(json_string_value(by), "/own_malloc"), "by %s",
                      json_string_value(by));
        } else {
            cr_assert(json_is_null(by), "allocator_hidden_by: null or a path");
        }
    }
    LL_EQ(hidden, 1, "processes with their allocator hidden");
    LL_EQ(ll_int(m, "gate"), require ? 24 : 0, "gate");
    json_decref(m);

    lu_check_not_checked(r, require, "allocator_not_seen", "its malloc ", "own_malloc",
                         "was not checked: its malloc");
}

Test(lc_unreported, allocator_the_program_defines_is_a_process_not_checked)
{
    for (int require = 0; require < 2; require++) {
        struct lu r;
        const char *tree = LEAKER " 0; exec " OWN;
        if (require)
            LU(&r, "--require-reports", "--json", "{dir}/m.json", "--junit", "{dir}/j.xml",
               "--sarif", "{dir}/r.sarif", "--", "/bin/sh", "-c", tree);
        else
            LU(&r, "--json", "{dir}/m.json", "--junit", "{dir}/j.xml", "--sarif",
               "{dir}/r.sarif", "--", "/bin/sh", "-c", tree);
        lu_check_hidden(&r, require);
        lu_free(&r);
    }
}

/* --no-children: the children's markers are not looked at either. */
Test(lc_unreported, no_children_ignores_the_children)
{
    struct lu r;
    LU(&r, "--require-reports", "--no-children", "--", "/bin/sh", "-c", KILLED_TREE);
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "not checked"), "stderr:\n%s", r.err);
    lu_free(&r);
}

/* --reports DIR pairs by pid and start time: a marker whose pid reported
 * under another start time is a process that did not (pids are reused);
 * a report without start_time (an older libleak's) pairs by pid. */
Test(lc_unreported, reports_dir_pairs_by_pid_and_start_time)
{
    static const char report[] = "{\"libleak\": \"0.1.0\", \"pid\": %d,%s \"command\": [\"p%d\"],"
        " \"summary\": {}, \"leaks\": [], \"errors\": [], \"suppressions\": []}\n";
    static const char marker[] = "{\"libleak\": \"0.1.0\", \"pid\": %d, \"start_time\": %d, "
        "\"command\": [\"m%d\"]}\n";
    struct lu r;
    lu_exec(&r, (const char *const[]){ "/bin/mkdir", "{dir}/r", NULL });
    ll_write_text(lu_path(&r, "r/100.json"), ll_fmt(report, 100, " \"start_time\": 5,", 1));
    ll_write_text(lu_path(&r, "r/100.start"), ll_fmt(marker, 100, 5, 1));
    ll_write_text(lu_path(&r, "r/100.2.start"), ll_fmt(marker, 100, 9, 2));
    ll_write_text(lu_path(&r, "r/200.json"), ll_fmt(report, 200, "", 3));
    ll_write_text(lu_path(&r, "r/200.start"), ll_fmt(marker, 200, 7, 3));
    ll_write_text(lu_path(&r, "r/300.start"), ll_fmt(marker, 300, 8, 4));
    struct lu r2;
    LU(&r2, "--reports", ll_fmt("%s/r", r.dir), "--json", "{dir}/m.json");
    LL_EQ(r2.status, 0, "exit status; stderr:\n%s", r2.err);
    json_t *m = ll_load_json(lu_path(&r2, "m.json"));
    json_t *un = ll_arr(m, "unreported");
    LL_EQ(json_array_size(un), 2, "unreported; stderr:\n%s", r2.err);
    LL_EQ(ll_int(json_array_get(un, 0), "pid"), 100, "the second process with pid 100");
    LL_EQ(ll_int(json_array_get(un, 0), "start_time"), 9, "its start time");
    LL_EQ(ll_int(json_array_get(un, 1), "pid"), 300, "pid 300");
    json_decref(m);
    lu_free(&r2);
    lu_free(&r);
}

Test(lc_unreported, help_and_readme_name_the_option)
{
    struct lu r;
    LU(&r, "--help");
    char *out = ll_read_or_empty(lu_path(&r, "stdout.txt"));
    cr_assert(ll_contains(out, "--require-reports"), "--help:\n%s", out);
    cr_assert(ll_contains(out, "else 24 if --require-reports"), "exit status in --help:\n%s", out);
    free(out);
    char *readme = ll_read_or_empty(LL_ROOT "/README.md");
    cr_assert(ll_contains(readme, "| `--require-reports` |"), "README's option table");
    free(readme);
    lu_free(&r);
}
