/* test_options.c - LIBLEAK_OPTIONS, the text report, and transparency. */
#include "harness.h"

#include <string.h>
#include <unistd.h>

Test(options, exitcode_replaces_status_when_blocks_are_lost)
{
    struct ll_run r;
    ll_run_json(&r, "exitcode", "exitcode=7", NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 7, "exit status with exitcode=7 and a leak");
    LL_STREQ(r.out, "exitcode: returning 3\n", "stdout");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 10, "definitely lost bytes");
    ll_run_free(&r);
}

Test(options, program_status_kept_without_exitcode)
{
    struct ll_run r;
    ll_run_json(&r, "exitcode", NULL, NULL);
    LL_EQ(r.status, 3, "exit status without exitcode=");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 10, "definitely lost bytes");
    ll_run_free(&r);
}

Test(options, exitcode_not_used_when_nothing_is_lost)
{
    struct ll_run r;
    ll_run_json(&r, "clean_stdio", "exitcode=7", NULL);
    LL_EQ(r.status, 0, "exit status of a leak-free program with exitcode=7");
    ll_run_free(&r);
}

/* The preload must not change what the program prints or its exit status. */
Test(options, preload_keeps_stdout_and_status)
{
    static const char *const progs[] = { "clean_stdio", "leak_list", "leak_cycle", "exitcode",
                                         "cxx_new", "threads", "deep_stack", "calloc_realloc_chain" };
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        struct ll_run native, pre;
        ll_run_raw(&native, progs[i], 0, NULL, NULL);
        ll_run_raw(&pre, progs[i], 1, NULL, NULL);
        LL_EQ(pre.exited, native.exited, "%s: exited normally", progs[i]);
        LL_EQ(pre.status, native.status, "%s: exit status", progs[i]);
        LL_EQ(pre.out_len, native.out_len, "%s: stdout length", progs[i]);
        cr_assert(memcmp(pre.out, native.out, native.out_len) == 0,
                  "%s: stdout differs\nnative:\n%s\npreloaded:\n%s", progs[i], native.out, pre.out);
        LL_EQ(native.err_len, 0, "%s: native stderr is empty", progs[i]);
        ll_run_free(&native);
        ll_run_free(&pre);
    }
}

Test(options, text_report_by_default)
{
    struct ll_run r;
    ll_run_raw(&r, "leak_simple", 1, NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "leak_simple: done\n", "stdout");
    cr_assert(ll_contains(r.err, "definitely lost"), "stderr lacks \"definitely lost\":\n%.3000s", r.err);
    char where[64];
    snprintf(where, sizeof where, "leak_simple.c:%d", ll_line("leak_simple.c", "@leak"));
    cr_assert(ll_contains(r.err, where), "stderr lacks \"%s\":\n%.3000s", where, r.err);
    cr_assert(!ll_contains(r.err, "\"libleak\""), "default format should be text, not JSON");
    ll_run_free(&r);
}

Test(options, text_report_to_output_file)
{
    struct ll_run r;
    ll_run_raw(&r, "leak_list", 1, "output={dir}/report.txt", NULL);
    LL_EQ(r.status, 0, "exit status");
    char path[128];
    snprintf(path, sizeof path, "%s/report.txt", r.dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no report file %s; stderr:\n%.2000s", path, r.err);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    cr_assert(ll_contains(buf, "definitely lost"), "report file lacks \"definitely lost\":\n%.3000s", buf);
    cr_assert(ll_contains(buf, "indirectly lost"), "report file lacks \"indirectly lost\":\n%.3000s", buf);
    char where[64];
    snprintf(where, sizeof where, "leak_list.c:%d", ll_line("leak_list.c", "@node"));
    cr_assert(ll_contains(buf, where), "report file lacks \"%s\":\n%.3000s", where, buf);
    cr_assert(!ll_contains(r.err, "definitely lost"), "report went to stderr too:\n%.2000s", r.err);
    ll_run_free(&r);
}

/* output=%p: a report already there was written by an earlier process with
 * the same pid (pids wrap within a long test suite); it is kept, and this
 * one goes to PID.2.  The shell writes its pid's file, then execs the
 * program into that pid. */
Test(options, output_per_pid_keeps_an_earlier_report_of_the_same_pid)
{
    char dir[] = "/tmp/ll-pid-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *script = (char *)ll_fmt("echo $$ > %s/pid; echo earlier > %s/$$.json; exec %s/leak_simple",
                          dir, dir, LL_PROGRAMS);
    char *argv[] = { "/bin/sh", "-c", script, NULL };
    char *opts = (char *)ll_fmt("LIBLEAK_OPTIONS=format=json:output=%s/%%p.json", dir);
    char *envp[] = { "LD_PRELOAD=" LL_LIB, opts, "PATH=/usr/bin:/bin", NULL };
    int st = ll_exec_in(dir, NULL, argv, envp, NULL);
    LL_EQ(st, 0, "exit status; stderr:\n%s", ll_read_or_empty(ll_fmt("%s/stderr.txt", dir)));
    long pid = strtol(ll_read_or_empty(ll_fmt("%s/pid", dir)), NULL, 10);
    LL_STREQ(ll_read_or_empty(ll_fmt("%s/%ld.json", dir, pid)), "earlier\n",
             "the earlier process's report");
    json_t *j = ll_load_json(ll_fmt("%s/%ld.2.json", dir, pid));
    LL_EQ(ll_int(j, "pid"), pid, "this process's report");
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), 4, "definitely lost bytes");
    json_decref(j);
    ll_rm_rf(dir);
}

/* output=report.json, relative: the program starts in a directory of its
 * own and ends in /, and the report is in the first. */
Test(options, relative_output_path_is_the_start_directory)
{
    char dir[] = "/tmp/ll-start-XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.json", dir);
    const char *args[] = { dir, NULL };
    struct ll_run r;
    ll_run_raw(&r, "leak_chdir", 1, "format=json:output=report.json", args);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_STREQ(r.out, "leak_chdir: done\n", "stdout");
    cr_assert_eq(access(path, R_OK), 0, "no report in the start directory %s; stderr:\n%.2000s",
                 dir, r.err);
    json_t *j = ll_load_json(path);
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), 24, "definitely lost bytes");
    cr_expect_neq(access("/report.json", F_OK), 0, "a report was written to /");
    json_decref(j);
    unlink(path);
    rmdir(dir);
    ll_run_free(&r);
}

Test(options, bad_items_warn_once_each_and_defaults_apply)
{
    struct ll_run r;
    ll_run_raw(&r, "leak_simple", 1, "depth=abc:bogus=1", NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "leak_simple: done\n", "stdout");
    LL_EQ(ll_count_lines(r.err, "bogus"), 1, "stderr lines naming \"bogus\"; stderr:\n%.2000s", r.err);
    LL_EQ(ll_count_lines(r.err, "abc"), 1, "stderr lines naming the bad depth \"abc\"; stderr:\n%.2000s", r.err);
    cr_assert(ll_contains(r.err, "definitely lost"), "the default text report is missing:\n%.2000s", r.err);
    ll_run_free(&r);
}

Test(options, bad_items_do_not_spoil_good_ones)
{
    struct ll_run r;
    ll_run_json(&r, "deep_stack", "depth=abc:bogus=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_EQ(ll_count_lines(r.err, "bogus"), 1, "stderr lines naming \"bogus\"; stderr:\n%.2000s", r.err);
    json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("deep_stack.c"), ll_line("deep_stack.c", "@leak"));
    cr_assert_gt(json_array_size(ll_arr(g, "stack")), 4, "depth=abc must leave the default depth, got %zu frames",
                 json_array_size(ll_arr(g, "stack")));
    ll_run_free(&r);
}

Test(options, unwritable_output_falls_back_to_stderr)
{
    struct ll_run r;
    ll_run_raw(&r, "leak_simple", 1, "format=json:output=/nonexistent/dir/x.json", NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "leak_simple: done\n", "stdout");
    cr_assert_geq(ll_count_lines(r.err, "/nonexistent/dir/x.json"), 1,
                  "no line on stderr says why the output file failed:\n%.2000s", r.err);
    json_t *j = ll_stderr_report(&r, JSON_DISABLE_EOF_CHECK, "the report on stderr");
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), 4, "definitely lost bytes in the stderr report");
    json_decref(j);
    ll_run_free(&r);
}

Test(options, help_lists_options)
{
    struct ll_run r;
    ll_run_raw(&r, "clean_stdio", 1, "help=1", NULL);
    cr_assert(r.exited, "terminated by signal %d", r.sig);
    static const char *const names[] = { "format", "output", "depth", "show_reachable", "exitcode", "help" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(ll_contains(r.err, names[i]), "help output lacks \"%s\":\n%.3000s", names[i], r.err);
    ll_run_free(&r);
}

static void check_deep(json_t *stack, size_t depth)
{
    int leak = ll_line("deep_stack.c", "@leak"), rec = ll_line("deep_stack.c", "@recurse");
    int mainl = ll_line("deep_stack.c", "@main");
    size_t n = json_array_size(stack);
    if (depth)
        LL_EQ(n, depth, "frames with depth=%zu", depth);
    else
        cr_assert_gt(n, 4, "default depth gives only %zu frames", n);
    ll_assert_top(stack, LL_SRC("deep_stack.c"), leak, "deep_stack leak");
    /* recurse(10) .. recurse(0): 11 frames of recurse, then main */
    for (size_t i = 1; i < n && i < 12; i++) {
        json_t *f = json_array_get(stack, i);
        int want = i < 11 ? rec : mainl;
        cr_assert(ll_frame_at(f, LL_SRC("deep_stack.c"), want), "frame %zu: expected line %d, got %s:%lld (%s)",
                  i, want, ll_str(f, "file") ? ll_str(f, "file") : "?", ll_int(f, "line"),
                  ll_str(f, "function") ? ll_str(f, "function") : "?");
        LL_STREQ(ll_str(f, "function"), i < 11 ? "recurse" : "main", "frame %zu function", i);
    }
}

Test(options, depth_one_gives_single_frames)
{
    struct ll_run r;
    ll_run_json(&r, "deep_stack", "depth=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    size_t i;
    json_t *g;
    json_array_foreach(ll_arr(r.json, "leaks"), i, g)
        LL_EQ(json_array_size(ll_arr(g, "stack")), 1, "leaks[%zu] stack frames with depth=1", i);
    check_deep(ll_get(ll_leak_at(r.json, "definitely_lost", LL_SRC("deep_stack.c"), ll_line("deep_stack.c", "@leak")),
                      "stack"), 1);
    ll_run_free(&r);
}

Test(options, depth_four_and_default)
{
    struct ll_run r;
    ll_run_json(&r, "deep_stack", "depth=4", NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "deep_stack: 10 frames unwound\n", "stdout");
    check_deep(ll_get(ll_leak_at(r.json, "definitely_lost", LL_SRC("deep_stack.c"), ll_line("deep_stack.c", "@leak")),
                      "stack"), 4);
    ll_run_free(&r);

    ll_run_json(&r, "deep_stack", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 100, "definitely lost bytes");
    check_deep(ll_get(ll_leak_at(r.json, "definitely_lost", LL_SRC("deep_stack.c"), ll_line("deep_stack.c", "@leak")),
                      "stack"), 0);
    ll_run_free(&r);
}

Test(options, show_reachable_in_text_report)
{
    struct ll_run r;
    ll_run_raw(&r, "reachable_global", 1, "show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    char where[64];
    snprintf(where, sizeof where, "reachable_global.c:%d", ll_line("reachable_global.c", "@config"));
    cr_assert(ll_contains(r.err, where), "show_reachable=1 text report lacks \"%s\":\n%.3000s", where, r.err);
    ll_run_free(&r);

    ll_run_raw(&r, "reachable_global", 1, NULL, NULL);
    cr_assert(!ll_contains(r.err, where), "default text report lists the reachable block at %s:\n%.3000s", where, r.err);
    ll_run_free(&r);
}

Test(options, depth_one_applies_to_error_stacks)
{
    struct ll_run r;
    ll_run_json(&r, "double_free", "depth=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    json_t *errors = ll_arr(r.json, "errors");
    LL_EQ(json_array_size(errors), 1, "number of errors");
    json_t *e = json_array_get(errors, 0);
    static const char *const stacks[] = { "stack", "allocated", "freed" };
    for (size_t i = 0; i < 3; i++)
        LL_EQ(json_array_size(ll_arr(e, stacks[i])), 1, "errors[0].%s frames with depth=1", stacks[i]);
    ll_assert_top(ll_get(e, "stack"), LL_SRC("double_free.c"), ll_line("double_free.c", "@second-free"), "bad free");
    ll_run_free(&r);
}

/* A correct program gets the report and nothing else from libleak: no
 * warnings, no error messages. */
Test(options, clean_program_gets_no_diagnostics)
{
    struct ll_run r;
    ll_run_raw(&r, "clean_stdio", 1, "", NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_EQ(ll_count_lines(r.err, "libleak:"), 0, "\"libleak:\" message lines on stderr:\n%.2000s", r.err);
    cr_assert(ll_contains(r.err, "definitely lost: 0"), "text report summary missing or not zero:\n%.2000s", r.err);
    ll_run_free(&r);
}

/* ls and sort close stderr at exit: the report still reaches it. */
Test(options, report_survives_a_closed_stderr)
{
    struct ll_run r;
    ll_run_raw(&r, "stderr_closed", 1, NULL, NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(ll_contains(r.err, "77 bytes in 1 block"), "no report after close(2):\n%s", r.err);
    ll_run_free(&r);
}

/* With output=FILE, a program that closed stderr gets its report in the
 * file: the file then opens as fd 2, which the writer took for stderr and
 * left empty, writing the report to the kept copy of stderr instead. */
Test(options, output_file_when_stderr_is_closed)
{
    struct ll_run r;
    ll_run_json(&r, "stderr_closed", NULL, NULL);
    cr_expect_eq(r.status, 0);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 77, "the report in the file");
    cr_assert(!ll_contains(r.err, "libleak report"), "nothing on stderr:\n%s", r.err);
    ll_run_free(&r);
}

/* The options table in src/options.c is the one source: every option that
 * help=1 prints has its row in README.md's table. */
Test(options, readme_lists_every_option)
{
    struct ll_run r;
    ll_run_raw(&r, "clean_stdio", 1, "help=1", NULL);
    FILE *f = fopen(LL_ROOT "/README.md", "r");
    cr_assert(f != NULL, "README.md not found");
    static char readme[1 << 20];
    readme[fread(readme, 1, sizeof readme - 1, f)] = 0;
    fclose(f);
    int seen = 0;
    for (const char *q = r.err; (q = strstr(q, "libleak:   ")); ) {
        q += strlen("libleak:   ");
        size_t n = strcspn(q, "=");
        char row[128];
        snprintf(row, sizeof row, "| `%.*s` |", (int)n, q);
        cr_expect(strstr(readme, row) != NULL, "README.md has no row %s", row);
        seen++;
    }
    cr_expect_geq(seen, 10, "help=1 listed %d options:\n%s", seen, r.err);
    ll_run_free(&r);
}
