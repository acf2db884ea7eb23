/* test_lc_output.c - leakcheck's output files (--json, --sarif, --junit)
 * with hostile text, out-of-tree builds and several sites per process.
 *
 * Each run of LL_ROOT/build/leakcheck gets its own temporary directory
 * ("{dir}" in arguments), which also holds its stdout and stderr. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LC_BIN LL_ROOT "/build/leakcheck"
#define LEAKER LL_PROGRAMS "/lc_leaker"
#define U_FFFD "\xef\xbf\xbd"

struct lco {
    char dir[64];
    int status;              /* exit status, or 128+signal */
    char *err;
};

static void lco_mkdir(struct lco *r)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dir, "/tmp/ll-lco-XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
}

/* Run argv (NULL-terminated, "{dir}" expanded) in cwd (NULL: r->dir) with
 * a small fixed environment, in the directory lco_mkdir made. */
static void lco_exec(struct lco *r, const char *cwd, const char *const *argv)
{
    char *args[64];
    int n = 0;
    for (; argv[n] && n < 63; n++)
        args[n] = ll_expand(argv[n], r->dir);
    args[n] = NULL;
    char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };
    r->status = ll_exec_in(r->dir, cwd, args, envp, NULL);
    free(r->err);
    r->err = ll_read_or_empty(ll_fmt("%s/stderr.txt", r->dir));
    for (int i = 0; i < n; i++)
        free(args[i]);
}

/* leakcheck ARGS... in a fresh directory, run from LL_ROOT. */
#define LCO(r, ...) (lco_mkdir(r), lco_exec((r), LL_ROOT, \
                     (const char *const[]){ LC_BIN, __VA_ARGS__, NULL }))

static void lco_free(struct lco *r)
{
    ll_rm_rf(r->dir);
    free(r->err);
}

static const char *lco_path(const struct lco *r, const char *name)
{
    return ll_fmt("%s/%s", r->dir, name);
}

/* ---- text from outside ---------------------------------------------------- */

/* Offset of the first byte that is not valid UTF-8 or starts a character
 * XML 1.0 forbids, or -1: what xmllint calls "not well-formed". */
static long lco_xml_bad_char(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    for (const unsigned char *p = s; *p; ) {
        unsigned c = *p, cp;
        size_t n = c < 0x80 ? 1 : c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (!n || c > 0xf4)
            return p - s;
        cp = n == 1 ? c : c & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return p - s;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        static const unsigned min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            cp == 0xfffe || cp == 0xffff || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
            return p - s;
        p += n;
    }
    return -1;
}

/* An argument that is Latin-1 (a file name "café.txt" from an old
 * system), one holding U+FFFE and a control character: every output is
 * still written, with U+FFFD for what cannot be kept, as libleak's own
 * report does. */
Test(lc_output, command_line_that_is_not_utf8)
{
    struct lco r;
    LCO(&r, "--json", "{dir}/m.json", "--sarif", "{dir}/r.sarif", "--junit", "{dir}/j.xml",
        "--", LEAKER, "10", "0", "caf\351.txt", "x\357\277\276y\001z");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "leakcheck: cannot") && !ll_contains(r.err, "failed"),
              "stderr:\n%s", r.err);

    json_t *m = ll_load_json(lco_path(&r, "m.json"));
    json_t *cmd = ll_arr(m, "command");
    LL_EQ(json_array_size(cmd), 5, "--json's command keeps every argument");
    LL_STREQ(json_string_value(json_array_get(cmd, 3)), "caf" U_FFFD ".txt", "command[3]");
    json_decref(m);

    json_t *d = ll_load_json(lco_path(&r, "r.sarif"));
    json_t *inv = json_array_get(ll_arr(json_array_get(ll_arr(d, "runs"), 0), "invocations"), 0);
    const char *cl = ll_str(inv, "commandLine");
    cr_assert(ll_contains(cl, " caf" U_FFFD ".txt "), "SARIF commandLine: %s", cl);
    json_decref(d);

    char *x = ll_read_or_empty(lco_path(&r, "j.xml"));
    long bad = lco_xml_bad_char(x);
    cr_assert_eq(bad, -1, "JUnit XML: a character XML forbids at byte %ld:\n%s", bad, x);
    cr_assert(ll_contains(x, "caf" U_FFFD ".txt x" U_FFFD "y" U_FFFD "z\""),
              "the test case's name:\n%s", x);
    free(x);
    lco_free(&r);
}

/* A newline, tab or CR in an argument: a parser reads them literally in an
 * attribute as spaces (and a CR anywhere as a newline), so the test case's
 * name holds references. */
Test(lc_output, junit_name_keeps_newline_tab_and_cr)
{
    struct lco r;
    LCO(&r, "--junit", "{dir}/j.xml", "--", LEAKER, "10", "0", "a\nb\tc\rd");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lco_path(&r, "j.xml"));
    cr_assert(ll_contains(x, " a&#10;b&#9;c&#13;d\" time="), "the test case's name:\n%s", x);
    free(x);
    lco_free(&r);
}

/* Suppression and baseline files: their names (from the command line)
 * and their lines are not UTF-8 either. */
Test(lc_output, suppression_and_baseline_files_that_are_not_utf8)
{
    struct lco r;
    lco_mkdir(&r);
    ll_write_text(lco_path(&r, "supp\351"), "leak:leak_here\nleak:caf\351\n");
    ll_write_text(lco_path(&r, "base\351"), "unused\351@lc_leaker.c\n");
    lco_exec(&r, NULL, (const char *const[]){ LC_BIN, "--suppressions", "{dir}/supp\351",
             "--baseline", "{dir}/base\351", "--json", "{dir}/m.json", "--sarif", "{dir}/r.sarif",
             "--", LEAKER, "10", NULL });
    LL_EQ(r.status, 0, "the leak is suppressed; stderr:\n%s", r.err);

    json_t *m = ll_load_json(lco_path(&r, "m.json"));
    json_t *supps = ll_arr(m, "suppressions");
    LL_EQ(json_array_size(supps), 2, "--json's suppressions");
    LL_STREQ(ll_str(json_array_get(supps, 1), "pattern"), "caf" U_FFFD, "the unused pattern");
    cr_assert(ll_contains(ll_str(json_array_get(supps, 0), "file"), "/supp" U_FFFD),
              "suppression file: %s", ll_str(json_array_get(supps, 0), "file"));
    json_t *base = ll_get(m, "baseline");
    cr_assert(ll_contains(ll_str(base, "file"), "/base" U_FFFD), "baseline file: %s",
              ll_str(base, "file"));
    LL_STREQ(json_string_value(json_array_get(ll_arr(base, "unused"), 0)),
             "unused" U_FFFD "@lc_leaker.c", "the unused baseline entry");
    json_decref(m);

    json_t *d = ll_load_json(lco_path(&r, "r.sarif"));
    json_t *res = json_array_get(ll_arr(json_array_get(ll_arr(d, "runs"), 0), "results"), 0);
    const char *why = ll_str(json_array_get(ll_arr(res, "suppressions"), 0), "justification");
    cr_assert(ll_contains(why, "supp" U_FFFD ":1)"), "SARIF justification: %s", why);
    json_decref(d);
    lco_free(&r);
}

/* An output file that cannot be written costs status 125 and one message
 * naming it, never a silent 125. */
Test(lc_output, unwritable_output_is_named)
{
    static const char *const opts[] = { "--json", "--sarif", "--junit" };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        struct lco r;
        LCO(&r, opts[i], "/dev/full", "--", LEAKER, "0");
        LL_EQ(r.status, 125, "%s /dev/full; stderr:\n%s", opts[i], r.err);
        cr_assert(ll_contains(r.err, "'/dev/full'"), "%s: stderr names the file:\n%s",
                  opts[i], r.err);
        lco_free(&r);
    }
}

/* ---- JUnit counts ----------------------------------------------------------- */

/* The number in attribute attr="N" of the first element that has it. */
static long lco_xml_count(const char *x, const char *attr)
{
    const char *p = strstr(x, ll_fmt(" %s=\"", attr));
    cr_assert_not_null(p, "no %s= in:\n%.400s", attr, x);
    return strtol(p + strlen(attr) + 3, NULL, 10);
}

/* A process with two failing sites is one failed test case: failures=
 * counts cases (never more than tests=), and its one <failure> names both
 * sites with their stacks. */
Test(lc_output, junit_one_failure_per_failing_process)
{
    struct lco r;
    LCO(&r, "--junit", "{dir}/j.xml", "--", LEAKER, "10", "0", "second");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lco_path(&r, "j.xml"));
    LL_EQ(lco_xml_count(x, "tests"), 1, "tests= (one process):\n%s", x);
    LL_EQ(lco_xml_count(x, "failures"), 1, "failures= (one failed case):\n%s", x);
    LL_EQ(ll_count_lines(x, "<failure "), 1, "one <failure> in the case:\n%s", x);
    LL_EQ(ll_count_lines(x, "</failure>"), 1, "one </failure>:\n%s", x);
    cr_assert(ll_contains(x, "message=\"2 leak sites: 10 bytes in 1 block definitely lost, "
                             "allocated by malloc in leak_here; 7 bytes in 1 block"),
              "the message names both sites:\n%s", x);
    LL_EQ(ll_count_lines(x, "#0 leak_here tests/programs/lc_leaker.c:"), 1, "leak_here's stack:\n%s", x);
    LL_EQ(ll_count_lines(x, "#0 leak_second tests/programs/lc_leaker.c:"), 1,
          "leak_second's stack:\n%s", x);
    free(x);
    lco_free(&r);
}

/* Two allocations on one line are two groups in the report (two return
 * addresses) but one merged site: JUnit lists it once, with both blocks,
 * as the text and the JSON do. */
Test(lc_output, junit_lists_a_merged_site_once)
{
    struct lco r;
    LCO(&r, "--junit", "{dir}/j.xml", "--json", "{dir}/m.json", "--", LEAKER, "0", "0", "pair");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    json_t *m = ll_load_json(lco_path(&r, "m.json"));
    LL_EQ(ll_int(ll_get(m, "summary"), "sites"), 1, "merged sites in the JSON");
    json_decref(m);
    char *x = ll_read_or_empty(lco_path(&r, "j.xml"));
    cr_assert(!ll_contains(x, "leak sites:"), "one site, not several:\n%s", x);
    cr_assert(ll_contains(x, "message=\"5 bytes in 2 blocks definitely lost, allocated by "
                             "malloc in leak_pair\""), "the site with both blocks:\n%s", x);
    LL_EQ(ll_count_lines(x, "#1 leak_pair tests/programs/lc_leaker.c:"), 1,
          "its stack once:\n%s", x);
    free(x);
    lco_free(&r);
}

/* Two processes, one clean: tests="2" failures="1". */
Test(lc_output, junit_counts_failed_cases)
{
    struct lco r;
    LCO(&r, "--junit", "{dir}/j.xml", "--", "/bin/sh", "-c",
        LEAKER " 10 0 second list; " LEAKER " 0; exit 0");
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    char *x = ll_read_or_empty(lco_path(&r, "j.xml"));
    long tests = lco_xml_count(x, "tests");
    cr_assert_geq(tests, 2, "tests=:\n%s", x);
    LL_EQ(lco_xml_count(x, "failures"), 1, "failures= (one failed case):\n%s", x);
    LL_EQ(ll_count_lines(x, "<failure "), 1, "<failure> elements:\n%s", x);
    /* four sites (the list has a definite and an indirect one), the
     * largest first; the type is the most severe kind among them */
    LL_EQ(ll_count_lines(x, "<failure type=\"definitely_lost\" message=\"4 leak sites: "
                            "64 bytes in 2 blocks indirectly lost"), 1, "the failure:\n%s", x);
    LL_EQ(ll_count_lines(x, "<testcase "), tests, "a test case per process:\n%s", x);
    free(x);
    lco_free(&r);
}

/* ---- SARIF paths -------------------------------------------------------------- */

/* The first result's artifactLocation. */
static json_t *lco_result_artifact(json_t *sarif)
{
    json_t *res = json_array_get(ll_arr(json_array_get(ll_arr(sarif, "runs"), 0), "results"), 0);
    json_t *loc = json_array_get(ll_arr(res, "locations"), 0);
    return ll_get(ll_get(loc, "physicalLocation"), "artifactLocation");
}

/* Every location of every result (stack frames and code flow steps) names
 * either the repository's file `own` under SRCROOT, an absolute file URI,
 * or no artifact; libc's frames are never under SRCROOT. */
static void lco_check_locations(json_t *sarif, const char *own)
{
    size_t i, k;
    json_t *res, *fr;
    json_array_foreach(ll_arr(json_array_get(ll_arr(sarif, "runs"), 0), "results"), i, res) {
        json_t *frames = ll_arr(json_array_get(ll_arr(res, "stacks"), 0), "frames");
        json_t *steps = ll_arr(json_array_get(ll_arr(json_array_get(ll_arr(res, "codeFlows"), 0),
                                                     "threadFlows"), 0), "locations");
        json_t *all[] = { frames, steps };
        for (size_t a = 0; a < 2; a++)
            json_array_foreach(all[a], k, fr) {
                json_t *phys = json_object_get(ll_get(fr, "location"), "physicalLocation");
                const char *module = json_string_value(json_object_get(fr, "module"));
                cr_assert(phys || a == 0, "result %zu: code flow step %zu has no file", i, k);
                if (!phys)
                    continue;
                json_t *art = ll_get(phys, "artifactLocation");
                const char *uri = ll_str(art, "uri");
                if (json_object_get(art, "uriBaseId")) {
                    LL_STREQ(ll_str(art, "uriBaseId"), "SRCROOT", "result %zu, frame %zu", i, k);
                    LL_STREQ(uri, own, "result %zu, %s %zu under SRCROOT", i,
                             a ? "step" : "frame", k);
                    cr_assert(!module || strncmp(module, "libc.so", 7) != 0,
                              "result %zu: libc's frame %zu is under SRCROOT (%s)", i, k, uri);
                } else {
                    cr_assert(strncmp(uri, "file:///", 8) == 0,
                              "result %zu, %s %zu: %s is neither under SRCROOT nor absolute",
                              i, a ? "step" : "frame", k, uri);
                }
            }
    }
}

/* cd build && cc ../src/lc_leaker.c: DWARF names the file "../src/lc_leaker.c"
 * relative to build/; the SARIF result is the checkout's src/lc_leaker.c. */
Test(lc_output, sarif_out_of_tree_build)
{
    struct lco r;
    lco_mkdir(&r);
    const char *sh = ll_fmt("cd %s && mkdir -p proj/src proj/build proj/other && "
                            "cp " LL_SOURCES "/lc_leaker.c proj/src/ && cd proj/build && "
                            "cc -g -O0 -o lc_leaker ../src/lc_leaker.c", r.dir);
    cr_assert_eq(system(sh), 0, "%s", sh);
    const char *proj = ll_fmt("%s/proj", r.dir);
    lco_exec(&r, proj, (const char *const[]){ LC_BIN, "--sarif", "{dir}/r.sarif", "--json",
             "{dir}/m.json", "--", "build/lc_leaker", "10", "0", "dup", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);

    /* the report says where the compiler ran */
    json_t *m = ll_load_json(lco_path(&r, "m.json"));
    json_t *f0 = NULL, *site;
    size_t i;
    json_array_foreach(ll_arr(m, "sites"), i, site) {
        json_t *f = json_array_get(ll_arr(site, "stack"), 0);
        if (ll_str(f, "function") && strcmp(ll_str(f, "function"), "leak_here") == 0)
            f0 = f;
    }
    cr_assert_not_null(f0, "no site at leak_here");
    LL_STREQ(ll_str(f0, "file"), "../src/lc_leaker.c", "the leak's file as DWARF names it");
    LL_STREQ(ll_str(f0, "comp_dir"), ll_fmt("%s/build", proj), "its comp_dir");
    json_decref(m);

    json_t *d = ll_load_json(lco_path(&r, "r.sarif"));
    json_t *art = lco_result_artifact(d);
    LL_STREQ(ll_str(art, "uri"), "src/lc_leaker.c", "the result's file");
    LL_STREQ(ll_str(art, "uriBaseId"), "SRCROOT", "its base");
    lco_check_locations(d, "src/lc_leaker.c");
    json_decref(d);

    /* a source root that does not hold the file: an absolute URI */
    lco_exec(&r, proj, (const char *const[]){ LC_BIN, "--sarif", "{dir}/r2.sarif",
             "--source-root", "other", "--", "build/lc_leaker", "10", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    d = ll_load_json(lco_path(&r, "r2.sarif"));
    art = lco_result_artifact(d);
    char real[4096];
    cr_assert_not_null(realpath(proj, real));
    LL_STREQ(ll_str(art, "uri"), ll_fmt("file://%s/src/lc_leaker.c", real),
             "the result's file outside --source-root");
    cr_assert_null(json_object_get(art, "uriBaseId"), "no uriBaseId for an absolute URI");
    lco_check_locations(d, "(none)");
    json_decref(d);
    lco_free(&r);
}

/* A build whose compile directory is gone (copied to another checkout, a
 * container's workspace, ccache's base_dir): the result is the file under
 * SRCROOT that the tail of its old path names, in-tree and out-of-tree,
 * not a file:// URI of a place code scanning cannot show. */
Test(lc_output, sarif_build_moved)
{
    struct lco r;
    lco_mkdir(&r);
    const char *sh = ll_fmt("cd %s && mkdir -p old/src old/build && "
                            "cp " LL_SOURCES "/lc_leaker.c old/src/ && cd old && "
                            "cc -g -O0 -o in_tree src/lc_leaker.c && cd build && "
                            "cc -g -O0 -o out_of_tree ../src/lc_leaker.c && cd ../.. && "
                            "mv old new && mkdir gone && mv new/build/out_of_tree gone/", r.dir);
    cr_assert_eq(system(sh), 0, "%s", sh);
    const char *proj = ll_fmt("%s/new", r.dir);
    static const char *const progs[] = { "./in_tree", "../gone/out_of_tree" };
    for (size_t i = 0; i < 2; i++) {
        lco_exec(&r, proj, (const char *const[]){ LC_BIN, "--sarif", "{dir}/r.sarif", "--",
                 progs[i], "10", NULL });
        LL_EQ(r.status, 23, "%s: exit status; stderr:\n%s", progs[i], r.err);
        json_t *d = ll_load_json(lco_path(&r, "r.sarif"));
        json_t *art = lco_result_artifact(d);
        LL_STREQ(ll_str(art, "uri"), "src/lc_leaker.c", "%s: the result's file", progs[i]);
        LL_STREQ(ll_str(art, "uriBaseId"), "SRCROOT", "%s: its base", progs[i]);
        lco_check_locations(d, "src/lc_leaker.c");
        json_decref(d);
    }

    /* in neither place: the old path, absolute */
    cr_assert_eq(unlink(ll_fmt("%s/src/lc_leaker.c", proj)), 0);
    lco_exec(&r, proj, (const char *const[]){ LC_BIN, "--sarif", "{dir}/r.sarif", "--",
             "./in_tree", "10", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    json_t *d = ll_load_json(lco_path(&r, "r.sarif"));
    json_t *art = lco_result_artifact(d);
    char real[4096];
    cr_assert_not_null(realpath(r.dir, real));
    LL_STREQ(ll_str(art, "uri"), ll_fmt("file://%s/old/src/lc_leaker.c", real),
             "a file found nowhere");
    cr_assert_null(json_object_get(art, "uriBaseId"), "no uriBaseId for an absolute URI");
    json_decref(d);
    lco_free(&r);
}
