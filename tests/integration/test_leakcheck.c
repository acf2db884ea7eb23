/* test_leakcheck.c - the CI gate: build/leakcheck (and scripts/leakcheck)
 * on single- and multi-process programs, every option, and the library's
 * own exitcode/fail_on/suppressions.
 *
 * The wrapper is run directly as LL_ROOT/build/leakcheck (it finds
 * LL_ROOT/libleak.so itself); one test goes through scripts/leakcheck from
 * another directory.  Each run gets its own temporary directory ("{dir}" in
 * arguments), which also holds its stdout and stderr. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LC_BIN LL_ROOT "/build/leakcheck"
#define LEAKER LL_PROGRAMS "/lc_leaker"

struct lc {
    char dir[64];
    int status;              /* exit status, or 128+signal */
    char *out, *err;
};

/* Run argv (NULL-terminated, "{dir}" expanded) in cwd with a small fixed
 * environment plus env (NULL-terminated, may be NULL). */
static void lc_exec(struct lc *r, const char *cwd, const char *const *env,
                    const char *const *argv)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dir, "/tmp/ll-lc-XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
    char *args[64], *envp[16];
    int n = 0, e = 0;
    for (; argv[n] && n < 63; n++)
        args[n] = ll_expand(argv[n], r->dir);
    args[n] = NULL;
    envp[e++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    envp[e++] = "LC_ALL=C";
    for (; env && *env && e < 15; env++)
        envp[e++] = ll_expand(*env, r->dir);
    envp[e] = NULL;
    r->status = ll_exec_in(r->dir, cwd, args, envp, NULL);
    r->out = ll_read_or_empty(ll_fmt("%s/stdout.txt", r->dir));
    r->err = ll_read_or_empty(ll_fmt("%s/stderr.txt", r->dir));
    for (int i = 0; i < n; i++)
        free(args[i]);
}

/* leakcheck ARGS...: the wrapper from LL_ROOT. */
#define LC(r, ...) lc_exec((r), LL_ROOT, NULL, (const char *const[]){ LC_BIN, __VA_ARGS__, NULL })

static void lc_free(struct lc *r)
{
    ll_rm_rf(r->dir);
    free(r->out);
    free(r->err);
}

static const char *lc_path(const struct lc *r, const char *name)
{
    return ll_fmt("%s/%s", r->dir, name);
}

/* The merged JSON's site whose top own-code frame is function fn. */
static json_t *lc_site(json_t *merged, const char *fn, const char *kind)
{
    size_t i;
    json_t *s;
    json_array_foreach(ll_arr(merged, "sites"), i, s) {
        json_t *f;
        size_t k;
        if (kind && strcmp(ll_str(s, "kind"), kind) != 0)
            continue;
        json_array_foreach(ll_arr(s, "stack"), k, f)
            if (ll_str(f, "function") && strcmp(ll_str(f, "function"), fn) == 0)
                return s;
    }
    cr_assert_fail("no %s site through %s in the merged report", kind ? kind : "", fn);
    return NULL;
}

/* ---- exit status --------------------------------------------------------- */

Test(leakcheck, clean_program_passes)
{
    struct lc r;
    LC(&r, "--", LEAKER, "0");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leakcheck: PASS"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "1 process reported"), "stderr:\n%s", r.err);
    lc_free(&r);
}

Test(leakcheck, leak_fails_with_23_and_names_the_site)
{
    struct lc r;
    LC(&r, "--", LEAKER, "10");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    const char *at = ll_fmt("leak_here tests/programs/lc_leaker.c:%d",
                            ll_line("lc_leaker.c", "@lc-leak"));
    cr_assert(ll_contains(r.err, at), "want '%s' in stderr:\n%s", at, r.err);
    cr_assert(ll_contains(r.err, "NEW: 10 bytes in 1 block definitely lost"), "stderr:\n%s", r.err);
    lc_free(&r);
}

Test(leakcheck, exitcode_option)
{
    struct lc r;
    LC(&r, "--exitcode", "42", "--", LEAKER, "10");
    LL_EQ(r.status, 42, "--exitcode 42 with a leak; stderr:\n%s", r.err);
    lc_free(&r);
    LC(&r, "--exitcode=42", "--", LEAKER, "0");
    LL_EQ(r.status, 0, "--exitcode 42 without a leak");
    lc_free(&r);
    LC(&r, "--exitcode", "0", "--", LEAKER, "10");
    LL_EQ(r.status, 125, "--exitcode 0 is refused");
    cr_assert(ll_contains(r.err, "bad value '0' for --exitcode (expected a whole number from 1 to 255)"),
              "stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "leakcheck:"), 1, "one message; stderr:\n%s", r.err);
    lc_free(&r);
}

Test(leakcheck, command_status_wins)
{
    struct lc r;
    LC(&r, "--", LEAKER, "10", "3");
    LL_EQ(r.status, 3, "a leaking COMMAND that fails keeps its status");
    cr_assert(ll_contains(r.err, "COMMAND failed with status 3"), "stderr:\n%s", r.err);
    lc_free(&r);
    LC(&r, "--", LEAKER, "0", "4");
    LL_EQ(r.status, 4, "a clean COMMAND that fails keeps its status");
    lc_free(&r);
}

/* ---- --fail-on ------------------------------------------------------------ */

Test(leakcheck, fail_on_kinds)
{
    struct lc r;
    LC(&r, "--fail-on", "reachable", "--", LEAKER, "0");
    LL_EQ(r.status, 23, "the 64-byte global block fails with --fail-on reachable; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "keep_reachable"), "stderr:\n%s", r.err);
    lc_free(&r);
    LC(&r, "--fail-on", "possible", "--", LEAKER, "10");
    LL_EQ(r.status, 0, "a definite leak does not fail --fail-on possible; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "not failing: 10 bytes"), "stderr:\n%s", r.err);
    lc_free(&r);
    LC(&r, "--fail-on", "indirect", "--json", "{dir}/m.json", "--", LEAKER, "0", "0", "list");
    LL_EQ(r.status, 23, "the lost list's indirect nodes fail --fail-on indirect");
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_STREQ(ll_str(lc_site(m, "leak_list", "indirectly_lost"), "status"), "new", "indirect site");
    LL_STREQ(ll_str(lc_site(m, "leak_list", "definitely_lost"), "status"), "not_failing",
             "definite site under --fail-on indirect");
    json_decref(m);
    lc_free(&r);
    LC(&r, "--fail-on", "definite,bogus", "--", LEAKER, "0");
    LL_EQ(r.status, 125, "bad --fail-on");
    cr_assert(ll_contains(r.err, "bad value 'definite,bogus' for --fail-on"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "COMMAND must not run after a bad option");
    lc_free(&r);
}

/* ---- outputs ---------------------------------------------------------------- */

Test(leakcheck, json_merged_report)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LEAKER, "10", "0", "second");
    LL_EQ(r.status, 23, "exit status");
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(m, "gate"), 23, "gate");
    LL_EQ(ll_int(m, "exit"), 23, "exit");
    LL_EQ(ll_int(m, "status"), 0, "COMMAND's status");
    json_t *sum = ll_get(m, "summary");
    LL_EQ(ll_int(sum, "processes"), 1, "processes");
    LL_EQ(ll_int(sum, "new_sites"), 2, "new sites");
    LL_EQ(ll_int(ll_get(sum, "definitely_lost"), "bytes"), 17, "definitely lost bytes");
    json_t *s = json_array_get(ll_arr(m, "sites"), 0);
    LL_EQ(ll_int(s, "bytes"), 10, "largest site first (reachable ones are not listed)");
    LL_EQ(ll_int(lc_site(m, "leak_second", NULL), "bytes"), 7, "leak_second bytes");
    LL_STREQ(ll_str(lc_site(m, "leak_here", NULL), "status"), "new", "leak_here status");
    json_decref(m);
    lc_free(&r);
}

/* A process whose leak check left a thread running (it blocks every
 * signal) is tagged in the text and counted in the merged JSON. */
Test(leakcheck, process_with_a_thread_not_stopped_is_tagged)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LL_PROGRAMS "/reach_cases", "thread-blocked");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "[threads not stopped]"), "stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    json_t *p = json_array_get(ll_arr(m, "processes"), 0);
    LL_EQ(ll_int(p, "threads_not_stopped"), 1, "threads_not_stopped");
    json_decref(m);
    lc_free(&r);
}

/* The SARIF result of rule id in d (failing if not there exactly once):
 * its ruleIndex names that rule, it is an error, and it has the physical
 * location GitHub needs (a result without one is refused, with the whole
 * file). */
static json_t *lc_sarif_result(json_t *d, const char *id)
{
    json_t *run = json_array_get(ll_arr(d, "runs"), 0), *res, *found = NULL;
    json_t *rules = ll_arr(ll_get(ll_get(run, "tool"), "driver"), "rules");
    size_t i, n = 0;
    json_array_foreach(ll_arr(run, "results"), i, res) {
        if (strcmp(ll_str(res, "ruleId"), id) != 0)
            continue;
        found = res;
        n++;
    }
    LL_EQ(n, 1, "SARIF results of rule %s", id);
    json_t *rule = json_array_get(rules, (size_t)ll_int(found, "ruleIndex"));
    cr_assert(rule && strcmp(ll_str(rule, "id"), id) == 0, "ruleIndex of %s names rule %s",
              id, rule ? ll_str(rule, "id") : "(none)");
    LL_STREQ(ll_str(found, "level"), "error", "%s: level", id);
    json_t *loc = ll_get(json_array_get(ll_arr(found, "locations"), 0), "physicalLocation");
    const char *uri = ll_str(ll_get(loc, "artifactLocation"), "uri");
    cr_assert(uri && uri[0], "%s: a physical location", id);
    return found;
}

/* A SARIF result's first location: its file, and its line in *line. */
static const char *lc_result_at(const json_t *res, long long *line)
{
    json_t *loc = ll_get(json_array_get(ll_arr(res, "locations"), 0), "physicalLocation");
    *line = ll_int(ll_get(loc, "region"), "startLine");
    return ll_str(ll_get(loc, "artifactLocation"), "uri");
}

/* C++: the vector's buffer is allocated in a library header compiled into
 * the program; its SARIF result is at the program's push_back line. */
Test(leakcheck, sarif_result_skips_library_headers)
{
    struct lc r;
    LC(&r, "--sarif", "{dir}/r.sarif", "--", LL_PROGRAMS "/demo_vector");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *d = ll_load_json(lc_path(&r, "r.sarif"));
    json_t *results = ll_arr(json_array_get(ll_arr(d, "runs"), 0), "results");
    LL_EQ(json_array_size(results), 2, "the vector and its buffer");
    int push = ll_line("demo_vector.cc", "@push"), found = 0;
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        long long line;
        const char *uri = lc_result_at(res, &line);
        cr_assert(ll_contains(uri, "demo_vector.cc"), "result %zu at %s, not in the program", i, uri);
        found += line == push;
    }
    LL_EQ(found, 1, "one result (the buffer) at the push_back line %d", push);
    json_decref(d);
    lc_free(&r);
}

Test(leakcheck, sarif_result_per_site_at_own_code)
{
    struct lc r;
    LC(&r, "--sarif", "{dir}/r.sarif", "--", LEAKER, "0", "0", "dup", "second");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *d = ll_load_json(lc_path(&r, "r.sarif"));
    LL_STREQ(ll_str(d, "version"), "2.1.0", "SARIF version");
    json_t *run = json_array_get(ll_arr(d, "runs"), 0);
    LL_STREQ(ll_str(ll_get(ll_get(run, "tool"), "driver"), "name"), "libleak", "tool name");
    json_t *results = ll_arr(run, "results");
    LL_EQ(json_array_size(results), 2, "one result per site (dup, second)");
    int dup_line = ll_line("lc_leaker.c", "@lc-dup"), found = 0;
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        long long line;
        const char *uri = lc_result_at(res, &line);
        cr_assert(ll_contains(uri, "lc_leaker.c"), "result %zu at %s, not in the program", i, uri);
        if (line != dup_line)
            continue;
        found = 1;
        /* strdup (libc) allocated it: the result is at its caller, and the
         * whole stack is there, libc frame first. */
        LL_STREQ(ll_str(res, "ruleId"), "definitely-lost", "ruleId");
        LL_STREQ(ll_str(res, "level"), "error", "level");
        json_t *frames = ll_arr(json_array_get(ll_arr(res, "stacks"), 0), "frames");
        cr_assert_geq(json_array_size(frames), 3, "whole stack");
        /* libc's frame is no file of the repository: its object's file://
         * URI, or no physical location when the object has no path */
        json_t *f0 = json_object_get(ll_get(json_array_get(frames, 0), "location"),
                                     "physicalLocation");
        cr_assert(!f0 || !json_object_get(ll_get(f0, "artifactLocation"), "uriBaseId"),
                  "frame 0 is libc's strdup, not under SRCROOT");
        json_t *flows = ll_arr(res, "codeFlows");
        LL_EQ(json_array_size(flows), 1, "codeFlows");
    }
    cr_assert(found, "no result at lc_leaker.c:%d (the strdup caller)", dup_line);
    json_decref(d);
    lc_free(&r);
}

Test(leakcheck, junit_case_per_process_failure_per_site)
{
    struct lc r;
    LC(&r, "--junit", "{dir}/j.xml", "--", LL_ROOT "/tests/programs/lc_ten_children.sh");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lc_path(&r, "j.xml"));
    cr_assert(strncmp(x, "<?xml version=\"1.0\"", 19) == 0, "XML declaration:\n%.300s", x);
    LL_EQ(ll_count_lines(x, "<failure type=\"definitely_lost\""), 10, "a failure per leaking child:\n%s", x);
    LL_EQ(ll_count_lines(x, "name=\"" LL_ROOT "/tests/programs/../../build/programs/lc_leaker 3 0\""),
          1, "child 3's test case:\n%s", x);
    cr_assert_geq(ll_count_lines(x, "<testcase "), 10, "a test case per process");
    cr_assert(ll_contains(x, "failures=\"10\""), "failures count:\n%.400s", x);
    free(x);
    lc_free(&r);
}

/* A figure of one byte or one bad free reads in the singular, in the text,
 * JUnit and SARIF alike (lc_leaker 1: one byte lost in leak_here). */
Test(leakcheck, one_byte_in_the_singular)
{
    struct lc r;
    LC(&r, "--sarif", "{dir}/r.sarif", "--junit", "{dir}/j.xml", "--", LEAKER, "1", "0");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "NEW: 1 byte in 1 block definitely lost, by malloc"),
              "stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lc_path(&r, "j.xml"));
    cr_assert(ll_contains(x, "message=\"1 byte in 1 block definitely lost, allocated by malloc "
                             "in leak_here\""), "JUnit:\n%s", x);
    cr_assert(ll_contains(x, "; 1 byte definitely lost, 0 bad frees</system-out>"), "JUnit:\n%s", x);
    free(x);
    x = ll_read_or_empty(lc_path(&r, "r.sarif"));
    cr_assert(ll_contains(x, "1 byte in 1 block definitely lost, allocated by malloc in leak_here, "
                             "in 1 process."), "SARIF:\n%.2000s", x);
    free(x);
    lc_free(&r);
}

/* Past 100 sites the rest are counted, not listed: one such site is "1 more
 * site".  A report of 101 one-byte leaks, each in a function of its own. */
Test(leakcheck, one_site_past_the_listed_ones_in_the_singular)
{
    char dir[] = "/tmp/ll-lc-XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f, "open_memstream");
    const char *none = "{\"bytes\": 0, \"blocks\": 0}";
    fprintf(f, "{\"libleak\": \"0.1.0\", \"pid\": 5, \"command\": [\"x\"],\n \"summary\": "
            "{\"definitely_lost\": {\"bytes\": 101, \"blocks\": 101}, \"indirectly_lost\": %s, "
            "\"possibly_lost\": %s, \"still_reachable\": %s, \"suppressed\": %s},\n"
            " \"totals\": {\"allocations\": 101, \"frees\": 0, \"bytes_allocated\": 101, "
            "\"peak_live_bytes\": 101, \"metadata_bytes\": 1, \"distinct_stacks\": 101, "
            "\"dropped_records\": 0, \"bad_frees\": 0},\n \"check\": {\"threads_not_stopped\": 0, "
            "\"threads_blocking_signal\": 0, \"ranges_vanished\": 0, \"unclassified_blocks\": 0, "
            "\"leaks_unlisted\": 0},\n \"leaks\": [", none, none, none, none);
    for (int i = 0; i < 101; i++)
        fprintf(f, "%s\n {\"kind\": \"definitely_lost\", \"bytes\": 1, \"blocks\": 1, "
                "\"alignment\": 16, \"function\": \"malloc\", \"stack\": [{\"function\": \"f%d\", "
                "\"file\": \"x.c\", \"line\": %d, \"object\": \"/x\", \"offset\": \"0x%x\"}]}",
                i ? "," : "", i, i + 1, i + 1);
    fprintf(f, "],\n \"errors\": [], \"suppressions\": []}\n");
    fclose(f);
    ll_write_text(ll_fmt("%s/5.json", dir), text);
    free(text);
    struct lc r;
    LC(&r, "--reports", dir);
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "  ... and 1 more site (--verbose or --json lists them)\n"),
              "stderr:\n%s", r.err);
    lc_free(&r);
    ll_rm_rf(dir);
}

/* ---- processes ------------------------------------------------------------------ */

Test(leakcheck, ten_children_merge_into_one_site)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LL_ROOT "/tests/programs/lc_ten_children.sh");
    LL_EQ(r.status, 23, "exit status");
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    json_t *s = lc_site(m, "leak_here", "definitely_lost");
    LL_EQ(ll_int(s, "bytes"), 55, "1+2+...+10 bytes");
    LL_EQ(ll_int(s, "blocks"), 10, "blocks");
    LL_EQ(ll_int(s, "processes"), 10, "processes");
    cr_assert_geq(ll_int(ll_get(m, "summary"), "processes"), 10, "every child reported");
    cr_assert(ll_contains(r.err, "NEW: 55 bytes in 10 blocks definitely lost"), "stderr:\n%s", r.err);
    json_decref(m);
    lc_free(&r);
}

Test(leakcheck, fork_and_exec_tree)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LL_PROGRAMS "/lc_fork_exec", "17", "0");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "processes"), 2, "parent and exec'd child");
    LL_EQ(ll_int(lc_site(m, "parent_leak", NULL), "bytes"), 5, "the parent's leak");
    LL_EQ(ll_int(lc_site(m, "leak_here", NULL), "bytes"), 17, "the exec'd child's leak");
    json_t *p0 = json_array_get(ll_arr(m, "processes"), 0);
    cr_assert(ll_contains(json_string_value(json_array_get(ll_arr(p0, "command"), 0)), "lc_fork_exec"),
              "COMMAND's own process is listed first");
    json_decref(m);
    lc_free(&r);
}

Test(leakcheck, no_children_judges_the_top_process_only)
{
    struct lc r;
    LC(&r, "--no-children", "--json", "{dir}/m.json", "--", LL_PROGRAMS "/lc_fork_exec", "17", "0");
    LL_EQ(r.status, 23, "the parent's own leak still fails");
    cr_assert(ll_contains(r.err, "1 process reported (1 child report ignored: --no-children)"),
              "one child's report, in the singular; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "processes"), 1, "processes judged");
    LL_EQ(ll_int(ll_get(ll_get(m, "summary"), "definitely_lost"), "bytes"), 5, "only the parent's bytes");
    json_decref(m);
    lc_free(&r);
    LC(&r, "--no-children", "--", LL_ROOT "/tests/programs/lc_ten_children.sh");
    LL_EQ(r.status, 0, "the shell itself leaks nothing; its children are not judged:\n%s", r.err);
    cr_assert(ll_contains(r.err, " child reports ignored: --no-children)"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* Past 20 processes, those that lost nothing are counted, not listed: one
 * such process is "1 process". */
Test(leakcheck, one_clean_process_not_listed_is_counted_in_the_singular)
{
    struct lc r;
    LC(&r, "--", "/bin/sh", "-c",
       "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do " LEAKER " $i 0; done; "
       LEAKER " 0 0");
    LL_EQ(r.status, 23, "the leakers fail; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "22 processes reported"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "  ... and 1 process that lost nothing (--verbose lists them)\n"),
              "stderr:\n%s", r.err);
    lc_free(&r);
}

/* ---- suppressions ---------------------------------------------------------------- */

Test(leakcheck, suppressions_count_and_list_unused)
{
    struct lc r;
    char dir[] = "/tmp/ll-lcs-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *a = ll_fmt("%s/a.supp", dir), *b = ll_fmt("%s/b.supp", dir);
    ll_write_text(a, "# LSan syntax\nleak:^leak_second$\nthis is not a suppression\n");
    ll_write_text(b, "leak:lc_leaker.c$\nleak:never_matches_anything\n");
    LC(&r, "--suppressions", a, "--json", "{dir}/m.json", "--", LEAKER, "0", "0", "second");
    LL_EQ(r.status, 0, "the only leak is suppressed; stderr:\n%s", r.err);
    const char *msg = ll_fmt("leakcheck: %s:3: expected leak:PATTERN; line skipped", a);
    LL_EQ(ll_count_lines(r.err, msg), 1, "one message for the bad line; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(ll_get(m, "summary"), "suppressed"), "bytes"), 7, "suppressed bytes");
    LL_EQ(ll_int(ll_get(ll_get(m, "summary"), "suppressed"), "blocks"), 1, "suppressed blocks");
    LL_EQ(ll_int(json_array_get(ll_arr(m, "suppressions"), 0), "bytes"), 7, "matched bytes");
    json_decref(m);
    lc_free(&r);
    /* repeatable; a pattern against the source file; unused ones listed */
    LC(&r, "--suppressions", a, "--suppressions", b, "--", LEAKER, "10", "0", "second");
    LL_EQ(r.status, 0, "both sites suppressed; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leak:never_matches_anything"), "stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "UNUSED: matched nothing"), 1, "unused listed; stderr:\n%s", r.err);
    lc_free(&r);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

Test(leakcheck, unreadable_suppressions_file)
{
    struct lc r;
    LC(&r, "--suppressions", "/nonexistent/x.supp", "--", LEAKER, "0");
    LL_EQ(r.status, 125, "exit status");
    cr_assert(ll_contains(r.err, "cannot read suppressions file '/nonexistent/x.supp': No such file"),
              "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "process reported"), "COMMAND must not run");
    lc_free(&r);
}

Test(leakcheck, gen_suppressions_round_trip)
{
    struct lc r;
    LC(&r, "--gen-suppressions", "--", LEAKER, "0", "0", "dup", "second");
    LL_EQ(r.status, 23, "exit status");
    cr_assert(ll_contains(r.err, "\nleak:^leak_dup$\n"), "strdup's caller, not strdup:\n%s", r.err);
    cr_assert(ll_contains(r.err, "\nleak:^leak_second$\n"), "stderr:\n%s", r.err);
    /* the generated lines, as a file, make the same run pass */
    const char *supp = lc_path(&r, "gen.supp");
    FILE *f = fopen(supp, "w");
    for (const char *p = strstr(r.err, "== suppressions for"); p && *p; p = strchr(p, '\n') + 1) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, "leak:", 5) == 0 || *p == '#')
            fprintf(f, "%.*s\n", (int)(nl - p), p);
        if (!nl)
            break;
    }
    fclose(f);
    struct lc r2;
    LC(&r2, "--suppressions", supp, "--", LEAKER, "0", "0", "dup", "second");
    LL_EQ(r2.status, 0, "generated suppressions suppress; stderr:\n%s", r2.err);
    lc_free(&r2);
    lc_free(&r);
}

/* ---- baseline ---------------------------------------------------------------- */

Test(leakcheck, baseline_known_sites_pass_new_ones_fail)
{
    struct lc r;
    LC(&r, "--write-baseline", "{dir}/known.txt", "--", LEAKER, "10");
    LL_EQ(r.status, 23, "writing a baseline does not change the verdict");
    const char *known = lc_path(&r, "known.txt");
    char *text = ll_read_or_empty(known);
    cr_assert(ll_contains(text, "leak_here@lc_leaker.c < main@lc_leaker.c"), "baseline:\n%s", text);
    cr_assert(!ll_contains(text, ":24"), "no line numbers:\n%s", text);
    free(text);
    struct lc r2;
    LC(&r2, "--baseline", known, "--", LEAKER, "99");
    LL_EQ(r2.status, 0, "a known site (other size) passes; stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "known (baseline): 99 bytes"), "stderr:\n%s", r2.err);
    lc_free(&r2);
    LC(&r2, "--baseline", known, "--json", "{dir}/m.json", "--", LEAKER, "10", "0", "second");
    LL_EQ(r2.status, 23, "a new site fails");
    json_t *m = ll_load_json(lc_path(&r2, "m.json"));
    LL_STREQ(ll_str(lc_site(m, "leak_second", NULL), "status"), "new", "new site");
    LL_STREQ(ll_str(lc_site(m, "leak_here", NULL), "status"), "baseline", "known site");
    LL_EQ(ll_int(ll_get(m, "summary"), "new_sites"), 1, "new sites");
    json_decref(m);
    lc_free(&r2);
    lc_free(&r);
}

/* The same source with lines inserted above the leak, compiled elsewhere:
 * its leak moves to another line but stays known. */
Test(leakcheck, baseline_survives_line_shifts)
{
    struct lc r;
    LC(&r, "--write-baseline", "{dir}/known.txt", "--", LEAKER, "10");
    char *src = ll_read_or_empty(LL_SOURCES "/lc_leaker.c");
    const char *dir = r.dir;
    FILE *f = fopen(ll_fmt("%s/lc_leaker.c", dir), "w");
    fprintf(f, "/* shifted */\n\n\n\n\n%s", src);
    fclose(f);
    free(src);
    const char *cc = ll_fmt("cd %s && cc -g -O2 -o lc_leaker lc_leaker.c", dir);
    cr_assert_eq(system(cc), 0, "%s", cc);
    struct lc r2;
    const char *known = lc_path(&r, "known.txt"), *prog = ll_fmt("%s/lc_leaker", dir);
    lc_exec(&r2, dir, NULL, (const char *const[]){ LC_BIN, "--baseline", known,
                                                  "--json", "{dir}/m.json", "--", prog, "10", NULL });
    LL_EQ(r2.status, 0, "the shifted leak is still known; stderr:\n%s", r2.err);
    json_t *m = ll_load_json(lc_path(&r2, "m.json"));
    json_t *s = lc_site(m, "leak_here", NULL);
    LL_EQ(ll_int(json_array_get(ll_arr(s, "stack"), 0), "line"),
          ll_line("lc_leaker.c", "@lc-leak") + 5, "the leak's line moved by 5");
    LL_STREQ(ll_str(s, "status"), "baseline", "status");
    json_decref(m);
    lc_free(&r2);
    lc_free(&r);
}

Test(leakcheck, unreadable_baseline)
{
    struct lc r;
    LC(&r, "--baseline", "/nonexistent/b.txt", "--", LEAKER, "0");
    LL_EQ(r.status, 125, "exit status");
    cr_assert(ll_contains(r.err, "cannot read the baseline file '/nonexistent/b.txt'"), "stderr:\n%s", r.err);
    lc_free(&r);
    /* a directory opens, but is no baseline, not even an empty one */
    LC(&r, "--baseline", "/tmp", "--", LEAKER, "10");
    LL_EQ(r.status, 125, "a directory as --baseline; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "cannot read the baseline file '/tmp': Is a directory"),
              "stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "leakcheck:"), 1, "one message:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "FAIL"), "COMMAND must not run; stderr:\n%s", r.err);
    lc_free(&r);
}

/* ---- what cannot work, and user errors ---------------------------------------- */

Test(leakcheck, static_command_is_refused)
{
    struct lc r;
    LC(&r, "--", "/bin/true");            /* a run, for its directory */
    const char *bin = lc_path(&r, "lc_static");
    const char *cc = ll_fmt("cc -static -o %s %s/lc_static.c", bin, LL_SOURCES);
    cr_assert_eq(system(cc), 0, "%s (needs libc6-dev's libc.a)", cc);
    struct lc r2;
    LC(&r2, "--", bin);
    LL_EQ(r2.status, 125, "exit status; stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "is statically linked"), "stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "LD_PRELOAD"), "says why; stderr:\n%s", r2.err);
    cr_assert(!ll_contains(r2.out, "lc_static: ran"), "it must not run unchecked");
    lc_free(&r2);
    lc_free(&r);
}

Test(leakcheck, setuid_command_is_refused)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give a copy another owner");
    struct lc r;
    LC(&r, "--", "/bin/true");
    const char *bin = lc_path(&r, "suid_leaker");
    cr_assert_eq(system(ll_fmt("cp %s %s && chown 65534 %s && chmod 4755 %s && chmod 755 %s",
                               LEAKER, bin, bin, bin, r.dir)), 0);
    struct lc r2;
    LC(&r2, "--", bin, "10");
    LL_EQ(r2.status, 125, "exit status; stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "is set-user-ID"), "stderr:\n%s", r2.err);
    lc_free(&r2);
    lc_free(&r);
}

/* Run as root, a test suite may drop to another user (setpriv, runuser, a
 * server that gives up root): that process could not create its report
 * in a directory only root may write to, and the gate passed without its
 * leak (libleak wrote the report to stderr instead). */
Test(leakcheck, command_that_becomes_another_user_is_checked)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to become another user");
    const char *drop = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    if (system(ll_fmt("%s %s 0 >/dev/null 2>&1", drop, LEAKER)) != 0)
        cr_skip_test("setpriv missing, or user 65534 cannot run %s", LEAKER);
    struct lc r;
    LC(&r, "--", "/bin/sh", "-c", ll_fmt("%s %s 10", drop, LEAKER));
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "NEW: 10 bytes in 1 block definitely lost"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "cannot write the report"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* Run as root, leakcheck lets other users add files to its report
 * directory: a FIFO there hung the gate (no writer), and a symbolic link
 * was followed, root reading a file of that user's choosing and showing its
 * first word.  Neither is a report libleak writes. */
Test(leakcheck, report_dir_entry_not_a_regular_file_is_ignored, .timeout = 60)
{
    struct lc r;
    LC(&r, "--", "/bin/sh", "-c",
       ll_fmt("d=${LIBLEAK_OPTIONS#*output=}; d=${d%%%%/%%p*}; echo top''secret >{dir}/secret; "
              "ln -s {dir}/secret $d/1.json && mkfifo $d/2.json && %s 10", LEAKER));
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "NEW: 10 bytes in 1 block definitely lost"), "stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "not a regular file"), 2, "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "topsecret"), "stderr:\n%s", r.err);
    lc_free(&r);
}

Test(leakcheck, user_errors_get_one_message)
{
    static const struct { const char *args[4]; const char *msg; int status; } cases[] = {
        { { "--bogus", "--", "/bin/true" }, "unknown option '--bogus'", 125 },
        { { "--json", NULL }, "option '--json' needs a value", 125 },
        { { "--wait", "soon", "--", "/bin/true" }, "bad value 'soon' for --wait", 125 },
        { { "--wait", "nan", "--", "/bin/true" }, "bad value 'nan' for --wait", 125 },
        { { "--wait", "inf", "--", "/bin/true" }, "bad value 'inf' for --wait", 125 },
        { { "--source-root", "/nonexistent/src", "--", "/bin/true" },
          "bad value '/nonexistent/src' for --source-root (expected an existing directory)", 125 },
        { { "--source-root", "/bin/true", "--", "/bin/true" },
          "bad value '/bin/true' for --source-root", 125 },
        { { "--" }, "no COMMAND given", 125 },
        { { "--", "no-such-command-xyz" }, "no-such-command-xyz: command not found", 127 },
        { { "--json", "/nonexistent/dir/m.json", "--", "/bin/true" },
          "cannot write the --json file '/nonexistent/dir/m.json'", 125 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[8] = { LC_BIN };
        for (int k = 0; k < 4 && cases[i].args[k]; k++)
            argv[k + 1] = cases[i].args[k];
        struct lc r;
        lc_exec(&r, LL_ROOT, NULL, argv);
        LL_EQ(r.status, cases[i].status, "case %zu (%s): status; stderr:\n%s", i, cases[i].msg, r.err);
        cr_assert(ll_contains(r.err, cases[i].msg), "case %zu: want '%s' in:\n%s", i, cases[i].msg, r.err);
        LL_EQ(ll_count_lines(r.err, "leakcheck:"), 1, "case %zu: one message:\n%s", i, r.err);
        lc_free(&r);
    }
}

/* The user's LIBLEAK_OPTIONS are kept (depth=1), but not what would break
 * the gate (their exitcode=7, format=text). */
Test(leakcheck, keeps_user_libleak_options)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, (const char *const[]){ "LIBLEAK_OPTIONS=depth=1:exitcode=7:format=text", NULL },
            (const char *const[]){ LC_BIN, "--json", "{dir}/m.json", "--", LEAKER, "10", NULL });
    LL_EQ(r.status, 23, "the gate's status, not exitcode=7; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    json_t *s = lc_site(m, "leak_here", NULL);
    LL_EQ(json_array_size(ll_arr(s, "stack")), 1, "depth=1 kept");
    json_decref(m);
    lc_free(&r);
}

Test(leakcheck, script_works_from_any_directory)
{
    struct lc r;
    lc_exec(&r, "/", NULL, (const char *const[]){ LL_ROOT "/scripts/leakcheck", "--", LEAKER, "10", NULL });
    LL_EQ(r.status, 23, "scripts/leakcheck from /; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* leakcheck judges itself: the inner wrapper is a process of the outer's
 * tree, and must not leak. */
Test(leakcheck, leakcheck_does_not_leak)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LC_BIN, "--json", "{dir}/inner.json",
       "--sarif", "{dir}/inner.sarif", "--junit", "{dir}/inner.xml", "--", LEAKER, "10");
    LL_EQ(r.status, 23, "the inner gate's status passes through; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    json_t *p0 = json_array_get(ll_arr(m, "processes"), 0);
    cr_assert(ll_contains(json_string_value(json_array_get(ll_arr(p0, "command"), 0)), "leakcheck"),
              "the inner leakcheck is COMMAND's process");
    for (int k = 0; k < 3; k++) {
        static const char *const kinds[] = { "definitely_lost", "indirectly_lost", "possibly_lost" };
        LL_EQ(ll_int(ll_get(ll_get(p0, "summary"), kinds[k]), "blocks"), 0,
              "leakcheck's own %s blocks; stderr:\n%s", kinds[k], r.err);
    }
    json_decref(m);
    lc_free(&r);
}

/* ---- the same judgement in the library, without the wrapper ------------------ */

Test(leakcheck_lib, fail_on_and_exitcode)
{
    const char *const leak10[] = { "10", NULL }, *const clean[] = { "0", NULL };
    const char *const list[] = { "0", "0", "list", NULL };
    struct ll_run lr;
    ll_run_raw(&lr, "lc_leaker", 1, "exitcode=9", leak10);
    LL_EQ(lr.status, 9, "default fail_on=definite,indirect");
    ll_run_free(&lr);
    ll_run_raw(&lr, "lc_leaker", 1, "exitcode=9:fail_on=reachable", clean);
    LL_EQ(lr.status, 9, "fail_on=reachable and the global block");
    ll_run_free(&lr);
    ll_run_raw(&lr, "lc_leaker", 1, "exitcode=9:fail_on=possible", leak10);
    LL_EQ(lr.status, 0, "fail_on=possible ignores a definite leak");
    ll_run_free(&lr);
    ll_run_raw(&lr, "lc_leaker", 1, "exitcode=9:fail_on=indirect", list);
    LL_EQ(lr.status, 9, "fail_on=indirect and the lost list");
    ll_run_free(&lr);
    ll_run_raw(&lr, "lc_leaker", 1, "exitcode=9:fail_on=nonsense", leak10);
    LL_EQ(lr.status, 9, "a bad fail_on keeps the default");
    cr_assert(ll_contains(lr.err, "bad value 'nonsense' for option fail_on"), "stderr:\n%s", lr.err);
    ll_run_free(&lr);
}

Test(leakcheck_lib, suppressions_file)
{
    struct ll_run lr;
    char dir[] = "/tmp/ll-lcl-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *supp = ll_fmt("%s/s.supp", dir);
    ll_write_text(supp, "leak:^leak_here$\nleak:unused_one\nnot a line\n");
    const char *const args[] = { "10", "0", "second", NULL };
    ll_run_json(&lr, "lc_leaker", ll_fmt("exitcode=9:suppressions=%s", supp), args);
    LL_EQ(lr.status, 9, "leak_second is not suppressed");
    ll_check_schema(lr.json);
    LL_EQ(ll_summary_bytes(lr.json, "definitely_lost"), 7, "only leak_second's bytes remain");
    LL_EQ(ll_summary_bytes(lr.json, "suppressed"), 10, "suppressed bytes");
    LL_EQ(ll_summary_blocks(lr.json, "suppressed"), 1, "suppressed blocks");
    json_t *s = ll_arr(lr.json, "suppressions");
    LL_EQ(json_array_size(s), 2, "both suppressions listed");
    LL_STREQ(ll_str(json_array_get(s, 1), "pattern"), "unused_one", "the unused one");
    LL_EQ(ll_int(json_array_get(s, 1), "blocks"), 0, "it matched nothing");
    LL_EQ(ll_int(json_array_get(s, 0), "line"), 1, "line of the first");
    cr_assert(ll_contains(lr.err, ll_fmt("%s:3: expected leak:PATTERN", supp)), "stderr:\n%s", lr.err);
    ll_run_free(&lr);
    const char *const only[] = { "10", NULL };
    ll_run_raw(&lr, "lc_leaker", 1, ll_fmt("exitcode=9:suppressions=%s", supp), only);
    LL_EQ(lr.status, 0, "everything lost is suppressed: the program's own status");
    ll_run_free(&lr);
    unlink(supp);
    rmdir(dir);
}

/* A process's bad frees are all counted, not the 1,000 its report lists. */
Test(leakcheck, bad_frees_counted_past_the_listed_ones)
{
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", LL_PROGRAMS "/many_bad_frees", "1500");
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    json_t *p = json_array_get(ll_arr(m, "processes"), 0);
    cr_assert_not_null(p, "no process in the merged report");
    LL_EQ(ll_int(p, "errors"), 1500, "processes[0].errors");
    json_decref(m);
    lc_free(&r);
}

/* The only lost block is suppressed: the text and HTML reports count it
 * and do not say every block was freed. */
Test(leakcheck_lib, suppressed_block_in_text_and_html)
{
    struct ll_run lr;
    char dir[] = "/tmp/ll-lcl-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *supp = ll_fmt("%s/s.supp", dir);
    ll_write_text(supp, "leak:^leak_here$\n");
    const char *const only[] = { "10", NULL };
    ll_run_raw(&lr, "lc_leaker", 1, ll_fmt("suppressions=%s", supp), only);
    cr_expect(ll_contains(lr.err, "\n  suppressed: 10 bytes in 1 block"),
              "no suppressed line in the figures:\n%s", lr.err);
    cr_expect(ll_contains(lr.err, "summary: no memory was lost outside the suppressed blocks"),
              "verdict:\n%s", lr.err);
    cr_expect(!ll_contains(lr.err, "every block was freed"), "verdict:\n%s", lr.err);
    ll_run_free(&lr);
    ll_run_raw(&lr, "lc_leaker", 1,
               ll_fmt("suppressions=%s:format=html:output={dir}/r.html", supp), only);
    char *html = ll_read_or_empty(ll_fmt("%s/r.html", lr.dir));
    cr_expect(ll_contains(html, "<span class=\"kind\">suppressed</span> 10 bytes in 1 block"),
              "no suppressed count in the HTML summary:\n%.3000s", html);
    cr_expect(ll_contains(html, "No memory was lost outside the suppressed blocks."),
              "HTML verdict:\n%.3000s", html);
    free(html);
    ll_run_free(&lr);
    /* without suppressions, no such line */
    ll_run_raw(&lr, "lc_leaker", 1, "", only);
    cr_expect(!ll_contains(lr.err, "suppressed"), "stderr:\n%s", lr.err);
    ll_run_free(&lr);
    unlink(supp);
    rmdir(dir);
}

/* ---- the README's CI snippets (tests/programs/lc_ci), where the tool exists -- */

static int lc_have(const char *tool)
{
    return system(ll_fmt("command -v %s >/dev/null 2>&1", tool)) == 0;
}

/* Run a shell command in the run's directory; its output in *out. */
static int lc_sh(const struct lc *r, const char *cmd, char **out)
{
    const char *log = lc_path(r, "sh.log");
    int st = system(ll_fmt("cd %s && (%s) >%s 2>&1", r->dir, cmd, log));
    *out = ll_read_or_empty(log);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(leakcheck_snippets, make_check_tests_environment)
{
    struct lc r;
    LC(&r, "--", "/bin/true");            /* a run, for its directory */
    char *out;
    cr_assert_eq(lc_sh(&r, "cp -r " LL_SOURCES "/lc_ci ci", &out), 0, "%s", out);
    free(out);
    int st = lc_sh(&r, "make -C ci check LIBLEAK=" LL_ROOT " TESTS=t_clean", &out);
    LL_EQ(st, 0, "env-only, clean test passes:\n%s", out);
    free(out);
    st = lc_sh(&r, "make -C ci check LIBLEAK=" LL_ROOT, &out);
    cr_assert_neq(st, 0, "env-only, leaking test fails make check:\n%s", out);
    cr_assert(ll_contains(out, "FAIL: t_leak (status 23)"), "%s", out);
    cr_assert(ll_contains(out, "PASS: t_clean"), "%s", out);
    free(out);
    st = lc_sh(&r, "make -C ci check LIBLEAK=" LL_ROOT " 'TESTS_ENVIRONMENT=$(LEAKCHECK)'", &out);
    cr_assert_neq(st, 0, "through leakcheck, leaking test fails make check:\n%s", out);
    cr_assert(ll_contains(out, "FAIL: t_leak (status 23)"), "%s", out);
    char *junit = ll_read_or_empty(lc_path(&r, "ci/t_leak.junit.xml"));
    LL_EQ(ll_count_lines(junit, "<failure "), 1, "t_leak's JUnit file:\n%s", junit);
    free(junit);
    free(out);
    lc_free(&r);
}

Test(leakcheck_snippets, ctest)
{
    if (!lc_have("cmake") || !lc_have("ctest"))
        cr_skip_test("cmake/ctest not installed");
    struct lc r;
    LC(&r, "--", "/bin/true");
    char *out;
    int st = lc_sh(&r, "cmake -S " LL_SOURCES "/lc_ci -B b -DLIBLEAK=" LL_ROOT
                   " && cmake --build b", &out);
    cr_assert_eq(st, 0, "configure and build:\n%s", out);
    free(out);
    st = lc_sh(&r, "ctest --test-dir b", &out);
    cr_assert_neq(st, 0, "ctest fails on the leaks:\n%s", out);
    cr_assert(ll_contains(out, "- t_leak (Failed)"), "%s", out);
    cr_assert(ll_contains(out, "- t_leak_env (Failed)"), "%s", out);
    cr_assert(!ll_contains(out, "- t_clean (Failed)"), "%s", out);
    cr_assert(ll_contains(out, "67% tests passed") || ll_contains(out, "33% tests passed"),
              "one of three passes:\n%s", out);
    free(out);
    lc_free(&r);
}

Test(leakcheck_snippets, meson)
{
    if (!lc_have("meson"))
        cr_skip_test("meson not installed");
    struct lc r;
    LC(&r, "--", "/bin/true");
    char *out;
    int st = lc_sh(&r, "cp -r " LL_SOURCES "/lc_ci ci && meson setup b ci -Dlibleak=" LL_ROOT, &out);
    cr_assert_eq(st, 0, "meson setup:\n%s", out);
    free(out);
    st = lc_sh(&r, "meson test -C b", &out);
    cr_assert_neq(st, 0, "meson test fails on the leaks:\n%s", out);
    cr_assert(ll_contains(out, "t_leak "), "%s", out);
    LL_EQ(ll_count_lines(out, " FAIL "), 2, "t_leak and t_leak_env fail:\n%s", out);
    free(out);
    lc_free(&r);
}

/* Reports written by the library alone (a test runner that only sets the
 * environment) are judged afterwards with --reports. */
Test(leakcheck, reports_directory)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && export LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/%p.json && "
        LEAKER " 10 && " LEAKER " 20 && " LEAKER " 0 && unset LD_PRELOAD && "
        LC_BIN " --reports {dir}/r --json {dir}/m.json", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "processes"), 3, "processes");
    LL_EQ(ll_int(lc_site(m, "leak_here", NULL), "bytes"), 30, "merged bytes");
    json_decref(m);
    lc_free(&r);
    LC(&r, "--reports", "/tmp", "--", "/bin/true");
    LL_EQ(r.status, 125, "--reports with a COMMAND");
    cr_assert(ll_contains(r.err, "give no COMMAND with it"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* Reports written without show_reachable=1 count still-reachable blocks in
 * their summary but list no site for them: --fail-on reachable must still
 * fail, and say why no site is shown. */
Test(leakcheck, reports_with_unlisted_reachable_blocks_fail)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/%p.json " LEAKER " 0 && "
        LC_BIN " --reports {dir}/r --fail-on reachable --json {dir}/m.json"
        " --junit {dir}/j.xml", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 64 bytes still reachable in 1 block, not listed: "
                          "run with show_reachable=1 to see where"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "[FAILS]"), "the process is tagged; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(m, "gate"), 23, "gate");
    json_t *u = ll_get(ll_get(ll_get(m, "summary"), "unlisted"), "still_reachable");
    LL_EQ(ll_int(u, "bytes"), 64, "unlisted reachable bytes");
    LL_EQ(ll_int(u, "blocks"), 1, "unlisted reachable blocks");
    cr_assert(json_is_true(ll_get(json_array_get(ll_arr(m, "processes"), 0), "fails")),
              "the process fails");
    json_decref(m);
    char *x = ll_read_or_empty(lc_path(&r, "j.xml"));
    cr_assert(ll_contains(x, "failures=\"1\""), "JUnit failures:\n%s", x);
    cr_assert(ll_contains(x, "<failure type=\"still_reachable\" message=\"64 bytes still "
                          "reachable in 1 block, not listed"), "JUnit:\n%s", x);
    free(x);
    lc_free(&r);
    /* --fail-on all too; the default kinds do not look at reachable blocks */
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/%p.json " LEAKER " 0 && "
        LC_BIN " --reports {dir}/r --fail-on all; echo status $?; "
        LC_BIN " --reports {dir}/r; echo status $?", NULL });
    cr_assert(ll_contains(r.out, "status 23\nstatus 0\n"), "statuses:\n%s\nstderr:\n%s",
              r.out, r.err);
    lc_free(&r);
}

/* A report whose leaks libleak counted but could not list (it ran out of
 * memory: check.leaks_unlisted) fails the gate, says why in each output,
 * and SARIF has a result for it. */
Test(leakcheck, report_whose_leaks_could_not_be_listed_fails)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/1.json " LEAKER " 10", NULL });
    LL_EQ(r.status, 0, "writing the report; stderr:\n%s", r.err);
    json_t *rep = ll_load_json(lc_path(&r, "r/1.json"));
    json_array_clear(ll_arr(rep, "leaks"));
    json_object_set_new(ll_get(rep, "check"), "leaks_unlisted", json_integer(1));
    cr_assert_eq(json_dump_file(rep, lc_path(&r, "r/1.json"), 0), 0, "rewriting the report");
    json_decref(rep);
    struct lc r2;
    LC(&r2, "--reports", lc_path(&r, "r"), "--sarif", "{dir}/r.sarif", "--junit", "{dir}/j.xml");
    LL_EQ(r2.status, 23, "exit status; stderr:\n%s", r2.err);
    const char *why = "10 bytes definitely lost in 1 block, not listed: libleak ran out of "
                      "memory listing them";
    cr_assert(ll_contains(r2.err, ll_fmt("leakcheck: FAIL: %s; exit 23", why)),
              "stderr:\n%s", r2.err);
    json_t *d = ll_load_json(lc_path(&r2, "r.sarif"));
    const char *text = ll_str(ll_get(lc_sarif_result(d, "leaks-not-listed"), "message"), "text");
    cr_assert(ll_contains(text, why), "SARIF message: %s", text);
    json_decref(d);
    char *x = ll_read_or_empty(lc_path(&r2, "j.xml"));
    cr_assert(ll_contains(x, ll_fmt("<failure type=\"definitely_lost\" message=\"%s", why)),
              "JUnit:\n%s", x);
    free(x);
    lc_free(&r2);
    lc_free(&r);
}

/* Run mode asks every process for show_reachable=1 when reachable blocks
 * fail, so the site is listed, not just counted. */
Test(leakcheck, run_mode_lists_reachable_sites_when_they_fail)
{
    struct lc r;
    LC(&r, "--fail-on", "reachable", "--", LEAKER, "0");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "not listed"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* A descendant still running when --wait runs out has written no report:
 * the gate cannot judge, so it must not pass (125, or COMMAND's status). */
Test(leakcheck, wait_timeout_with_descendants_running_is_not_a_pass)
{
    struct lc r;
    /* TMPDIR: the directory left for the late report goes with the test's */
    static const char *const tmp[] = { "TMPDIR={dir}", NULL };
    lc_exec(&r, LL_ROOT, tmp, (const char *const[]){ LC_BIN, "--wait", "0.2", "--",
            "/bin/sh", "-c", "sleep 2 & exit 0", NULL });
    LL_EQ(r.status, 125, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "still running 0.2 seconds after it ended (--wait)"),
              "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "no verdict; stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "leakcheck:"), 1, "one message:\n%s", r.err);
    lc_free(&r);
    lc_exec(&r, LL_ROOT, tmp, (const char *const[]){ LC_BIN, "--wait", "0.2", "--",
            "/bin/sh", "-c", "sleep 2 & exit 3", NULL });
    LL_EQ(r.status, 3, "a failing COMMAND keeps its status; stderr:\n%s", r.err);
    lc_free(&r);
}

/* The report directory is left in place for descendants still running when
 * --wait runs out: their reports land there when they end, not on the
 * terminal (libleak fell back to stderr once the directory was gone). */
Test(leakcheck, wait_timeout_leaves_the_directory_for_the_late_reports)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, (const char *const[]){ "TMPDIR={dir}", NULL },
            (const char *const[]){ "/bin/sh", "-c",
            LC_BIN " --wait 0.2 -- /bin/sh -c '(sleep 1; " LEAKER " 1) & exit 0'; "
            "echo status $?; sleep 2; ls {dir}/leakcheck.*/ | grep -c json", NULL });
    cr_assert(ll_contains(r.out, "status 125"), "stdout:\n%s\nstderr:\n%s", r.out, r.err);
    cr_assert(ll_contains(r.err, "which is left in place"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "cannot write the report"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "\"libleak\":"), "no report on stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.out, "\n0\n"), "the late reports are in the directory:\n%s", r.out);
    lc_free(&r);
}

/* A report's stack holds up to 4 frames per return address (inlined
 * functions), 256 in all: a --suppressions line matches any of them, the
 * last too. */
Test(leakcheck, suppression_matches_a_frame_past_the_128th)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/1.json " LEAKER " 10", NULL });
    LL_EQ(r.status, 0, "writing the report; stderr:\n%s", r.err);
    json_t *rep = ll_load_json(lc_path(&r, "r/1.json"));
    json_t *stack = ll_arr(json_array_get(ll_arr(rep, "leaks"), 0), "stack");
    while (json_array_size(stack) < 255)
        json_array_append_new(stack, json_pack("{s:s,s:n,s:i,s:s,s:s,s:b}",
            "function", "filler", "file", "line", 0, "object", "/x/deep.so",
            "offset", "0x10", "inlined", 0));
    json_array_append_new(stack, json_pack("{s:s,s:n,s:i,s:s,s:s,s:b}",
        "function", "deep_target", "file", "line", 0, "object", "/x/deep.so",
        "offset", "0x20", "inlined", 0));
    cr_assert_eq(json_dump_file(rep, lc_path(&r, "r/1.json"), 0), 0, "rewriting the report");
    json_decref(rep);
    ll_write_text(lc_path(&r, "deep.supp"), "leak:^deep_target$\n");
    struct lc r2;
    LC(&r2, "--reports", lc_path(&r, "r"), "--suppressions", lc_path(&r, "deep.supp"));
    LL_EQ(r2.status, 0, "the 256th frame is suppressed; stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "leak:^deep_target$"), "stderr:\n%s", r2.err);
    cr_assert(ll_contains(r2.err, "matched 10 bytes in 1 block"), "stderr:\n%s", r2.err);
    lc_free(&r2);
    lc_free(&r);
}

/* Pids wrap (at 32768 on many systems) within a long test suite: a clean
 * process that gets the pid of an earlier leaking one must not replace
 * its report, or the leak is lost and the gate passes.  Root can pick
 * the next pid (ns_last_pid); another process may take it first, so the
 * script tries again. */
Test(leakcheck, reused_pid_keeps_both_reports)
{
    if (geteuid() != 0 || access("/proc/sys/kernel/ns_last_pid", W_OK) != 0)
        cr_skip_test("needs root to choose a pid (/proc/sys/kernel/ns_last_pid)");
    struct lc r;
    LC(&r, "--json", "{dir}/m.json", "--", "/bin/sh", "-c",
       "for try in 1 2 3 4 5 6 7 8 9 10; do " LEAKER " 10 & p=$!; wait $p; "
       "echo $((p - 1)) > /proc/sys/kernel/ns_last_pid; " LEAKER " 0 & q=$!; wait $q; "
       "if [ $p = $q ]; then echo reused $p; exit 0; fi; done; exit 1");
    cr_assert(ll_contains(r.out, "reused "), "no pid reused in 10 tries; stderr:\n%s", r.err);
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    long pid = strtol(strstr(r.out, "reused ") + 7, NULL, 10);
    json_t *m = ll_load_json(lc_path(&r, "m.json")), *p;
    size_t i, n = 0;
    long long lost[2] = { -1, -1 };
    json_array_foreach(ll_arr(m, "processes"), i, p)
        if (ll_int(p, "pid") == pid && n < 2)
            lost[n++] = ll_int(ll_get(ll_get(p, "summary"), "definitely_lost"), "bytes");
    LL_EQ(n, 2, "processes with pid %ld in the merged report", pid);
    LL_EQ(lost[0], 10, "the first, leaking one's bytes");
    LL_EQ(lost[1], 0, "the second, clean one's bytes");
    json_decref(m);
    lc_free(&r);
}

/* Blocks a process counts but no site lists, and a process whose check was
 * not done, fail the gate with no site: SARIF says so with a result of its
 * own each, at the program, or code scanning shows a clean page for a
 * failed build. */
Test(leakcheck, sarif_results_for_what_no_site_lists)
{
    struct lc r;
    LC(&r, "--sarif", "{dir}/r.sarif", "--", "build/programs/hostile_oom_at_exit");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *d = ll_load_json(lc_path(&r, "r.sarif"));
    json_t *res = lc_sarif_result(d, "leak-check-not-done");
    const char *text = ll_str(ll_get(res, "message"), "text");
    cr_assert(ll_contains(text, "(build/programs/hostile_oom_at_exit): the leak check was not "
                          "done (libleak ran out of memory): 1,001 blocks unclassified"),
              "message: %s", text);
    json_t *art = ll_get(ll_get(json_array_get(ll_arr(res, "locations"), 0),
                                "physicalLocation"), "artifactLocation");
    LL_STREQ(ll_str(art, "uri"), "build/programs/hostile_oom_at_exit", "at the program");
    LL_STREQ(ll_str(art, "uriBaseId"), "SRCROOT", "under the source root");
    json_decref(d);
    lc_free(&r);

    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/%p.json " LEAKER " 0 && "
        LC_BIN " --reports {dir}/r --fail-on reachable --sarif {dir}/r.sarif", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    d = ll_load_json(lc_path(&r, "r.sarif"));
    res = lc_sarif_result(d, "leaks-not-listed");
    text = ll_str(ll_get(res, "message"), "text");
    cr_assert(ll_contains(text, "64 bytes still reachable in 1 block, not listed: run with "
                          "show_reachable=1 to see where"), "message: %s", text);
    LL_EQ(ll_int(ll_get(res, "properties"), "blocks"), 1, "blocks");
    art = ll_get(ll_get(json_array_get(ll_arr(res, "locations"), 0), "physicalLocation"),
                 "artifactLocation");
    LL_STREQ(ll_str(art, "uri"), "build/programs/lc_leaker", "at the program");
    json_decref(d);
    lc_free(&r);
}

/* A process whose leak check was not done (libleak ran out of memory at
 * exit) fails the gate, whatever the kinds: a PASS would be a guess. */
Test(leakcheck, process_whose_check_was_not_done_fails)
{
    struct lc r;
    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ LC_BIN, "--json", "{dir}/m.json",
        "--junit", "{dir}/j.xml", "--", LL_ROOT "/build/programs/hostile_oom_at_exit", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: the leak check was not done in 1 process (libleak ran "
                          "out of memory): 1,001 blocks unclassified; exit 23"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "[check not done: out of memory]  [FAILS]"),
              "the process is tagged; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "no pass; stderr:\n%s", r.err);
    json_t *m = ll_load_json(lc_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "unclassified_blocks"), 1001, "merged JSON");
    json_decref(m);
    char *x = ll_read_or_empty(lc_path(&r, "j.xml"));
    cr_assert(ll_contains(x, "failures=\"1\""), "JUnit failures:\n%s", x);
    cr_assert(ll_contains(x, "<failure type=\"leak_check_not_done\" message=\"the leak check "
                          "was not done (libleak ran out of memory): 1,001 blocks unclassified"), "JUnit:\n%s", x);
    free(x);
    lc_free(&r);
}

/* A run in which no process wrote a report checked nothing: it fails the
 * gate (a PASS "in 0 processes" let a suite of static programs, or one
 * whose environment lost LD_PRELOAD, go green unchecked), and the JUnit and
 * SARIF files say so, not an empty green suite. */
Test(leakcheck, run_that_checked_no_process_fails)
{
    struct lc r;
    LC(&r, "--junit", "{dir}/j.xml", "--sarif", "{dir}/r.sarif", "--",
       "/bin/sh", "-c", "exec env -u LD_PRELOAD true");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "leakcheck: FAIL: no process wrote a report, so nothing was "
                          "checked; exit 23"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "no pass; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "note: COMMAND's own process"),
              "the FAIL line is the one message; stderr:\n%s", r.err);
    /* sh's process (env ran in it) started under libleak: a case of its own */
    cr_assert(ll_contains(r.err, "env -u LD_PRELOAD true  [no report]"), "stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lc_path(&r, "j.xml"));
    cr_assert(ll_contains(x, "tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""),
              "JUnit counts:\n%s", x);
    cr_assert(ll_contains(x, "<failure type=\"nothing_checked\""), "JUnit:\n%s", x);
    free(x);
    json_t *d = ll_load_json(lc_path(&r, "r.sarif"));
    json_t *res = lc_sarif_result(d, "nothing-checked");
    LL_STREQ(ll_str(res, "level"), "error", "an error");
    json_t *art = ll_get(ll_get(json_array_get(ll_arr(res, "locations"), 0),
                                "physicalLocation"), "artifactLocation");
    cr_assert(ll_contains(ll_str(art, "uri"), "sh"), "at COMMAND's program: %s",
              ll_str(art, "uri"));
    json_decref(d);
    lc_free(&r);

    lc_exec(&r, LL_ROOT, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && " LC_BIN " --reports {dir}/r", NULL });
    LL_EQ(r.status, 23, "an empty --reports directory; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: no process wrote a report"), "stderr:\n%s", r.err);
    lc_free(&r);
}

/* --help names every option leakcheck accepts (README's table lists the same). */
Test(leakcheck, help_names_every_option)
{
    static const char *const opts[] = {
        "--fail-on", "--exitcode", "--suppressions", "--gen-suppressions", "--baseline",
        "--write-baseline", "--json", "--sarif", "--junit", "--source-root",
        "--no-children", "--children", "--reports", "--wait", "--require-reports",
        "--verbose", "--help", "--version",
    };
    struct lc r;
    LC(&r, "--help");
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    const char *help = r.out[0] ? r.out : r.err;
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        cr_expect(ll_contains(help, ll_fmt("%s ", opts[i])) ||
                  ll_contains(help, ll_fmt("%s,", opts[i])) ||
                  ll_contains(help, ll_fmt("%s\n", opts[i])),
                  "%s not in --help:\n%s", opts[i], help);
    lc_free(&r);
}
