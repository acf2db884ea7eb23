/* test_lc_baseline.c - leakcheck's stack signatures (baselines, SARIF
 * fingerprints), baseline files and --gen-suppressions, on small programs
 * compiled here at -O0 and -O2 (whether a helper is inlined is what
 * matters).
 *
 * Each test works in its own temporary directory: the sources, the
 * programs, the baseline and suppression files, and leakcheck's stderr
 * (err.txt) and --json/--sarif files. */
#include "harness.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LC_BIN LL_ROOT "/build/leakcheck"

struct lcb {
    char dir[64];
    char *err;                /* stderr of the last lcb_run */
};

static void lcb_init(struct lcb *t)
{
    memset(t, 0, sizeof *t);
    strcpy(t->dir, "/tmp/ll-lcb-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir), "mkdtemp");
}

static void lcb_free(struct lcb *t)
{
    if (system(ll_fmt("rm -rf '%s'", t->dir)) != 0)
        fprintf(stderr, "could not remove %s\n", t->dir);
    free(t->err);
}

static const char *lcb_path(const struct lcb *t, const char *name)
{
    return ll_fmt("%s/%s", t->dir, name);
}

static void lcb_write(const struct lcb *t, const char *name, const char *text)
{
    FILE *f = fopen(lcb_path(t, name), "w");
    cr_assert_not_null(f, "cannot write %s", lcb_path(t, name));
    fputs(text, f);
    fclose(f);
}

/* cc FLAGS -o prog src.c in the test's directory. */
static void lcb_cc(const struct lcb *t, const char *src, const char *prog, const char *flags)
{
    const char *cmd = ll_fmt("cd %s && cc -g %s -o %s %s", t->dir, flags, prog, src);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* g++ FLAGS -o prog src.cc in the test's directory. */
static void lcb_cxx(const struct lcb *t, const char *src, const char *prog, const char *flags)
{
    const char *cmd = ll_fmt("cd %s && g++ -g %s -o %s %s", t->dir, flags, prog, src);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* leakcheck ARGS in the test's directory; its exit status, stderr in t->err. */
static int lcb_run(struct lcb *t, const char *args)
{
    free(t->err);
    const char *err = lcb_path(t, "err.txt");
    int st = system(ll_fmt("cd %s && %s %s >/dev/null 2>%s", t->dir, LC_BIN, args, err));
    t->err = ll_read_or_empty(err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The baseline file known.txt that --write-baseline wrote has this line
 * (given without its newlines); what says what the line shows. */
static void lcb_expect_known(const struct lcb *t, const char *line, const char *what)
{
    char *known = ll_read_or_empty(lcb_path(t, "known.txt"));
    cr_assert(ll_contains(known, ll_fmt("\n%s\n", line)), "%s:\n%s", what, known);
    free(known);
}

/* The merged JSON's site with a frame in function fn. */
static json_t *lcb_site(json_t *merged, const char *fn)
{
    size_t i, k;
    json_t *s, *f;
    json_array_foreach(ll_arr(merged, "sites"), i, s)
        json_array_foreach(ll_arr(s, "stack"), k, f)
            if (ll_str(f, "function") && strcmp(ll_str(f, "function"), fn) == 0)
                return s;
    cr_assert_fail("no site through %s in the merged report", fn);
    return NULL;
}

static int lcb_has_inlined(const json_t *site)
{
    size_t k;
    json_t *f;
    json_array_foreach(ll_arr(site, "stack"), k, f)
        if (json_is_true(json_object_get(f, "inlined")))
            return 1;
    return 0;
}

/* ---- signatures: the logical call chain ------------------------------------ */

/* xmalloc() is inlined into both callers at -O2; "new" makes parse_args()
 * leak too. */
static const char inline_helper_c[] =
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "void *volatile sink;\n"
    "static inline void *xmalloc(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }\n"
    "__attribute__((noinline)) void load_config(void) { sink = xmalloc(32); sink = 0; }\n"
    "__attribute__((noinline)) void parse_args(int leak)\n"
    "{ sink = xmalloc(64); if (!leak) free(sink); sink = 0; }\n"
    "int main(int argc, char **argv)\n"
    "{ load_config(); parse_args(argc > 1 && strcmp(argv[1], \"new\") == 0); return 0; }\n";

/* A baseline of load_config()'s leak through the inlined xmalloc() must not
 * hide a new leak in parse_args() through the same helper. */
Test(lc_baseline, inlined_helper_keeps_its_callers)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "prog.c", inline_helper_c);
    lcb_cc(&t, "prog.c", "prog", "-O2");
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- ./prog"), 23, "one leak; stderr:\n%s", t.err);
    lcb_expect_known(&t, "xmalloc@prog.c < load_config@prog.c < main@prog.c",
                     "the inlined helper and the function it was inlined into");
    int st = lcb_run(&t, "--baseline known.txt --json m.json --sarif s.sarif -- ./prog new");
    LL_EQ(st, 23, "the new leak in parse_args fails; stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    json_t *fresh = lcb_site(m, "parse_args"), *old = lcb_site(m, "load_config");
    cr_assert(lcb_has_inlined(fresh), "xmalloc is inlined at -O2, else this test proves nothing");
    LL_STREQ(ll_str(fresh, "status"), "new", "parse_args' site");
    LL_STREQ(ll_str(old, "status"), "baseline", "load_config's site");
    json_decref(m);
    /* SARIF's fingerprints are the signatures: they must differ too */
    json_t *sarif = ll_load_json(lcb_path(&t, "s.sarif"));
    json_t *res = json_object_get(json_array_get(json_object_get(sarif, "runs"), 0), "results");
    LL_EQ(json_array_size(res), 2, "SARIF results");
    const char *fp[2];
    for (size_t i = 0; i < 2; i++)
        fp[i] = ll_str(ll_get(json_array_get(res, i), "partialFingerprints"),
                       "libleakStackSignature/v1");
    cr_assert(strcmp(fp[0], fp[1]) != 0, "both SARIF results fingerprinted \"%s\"", fp[0]);
    json_decref(sarif);
    lcb_free(&t);
}

static const char two_levels_c[] =
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "void *volatile sink;\n"
    "static void *make(size_t n) { void *p = malloc(n); memset(p, 1, n); return p; }\n"
    "static void *wrap(size_t n) { return make(n); }\n"
    "int main(void) { sink = wrap(32); sink = 0; return 0; }\n";

/* make() and wrap() are real frames at -O0 and inlined into main() at
 * -O2: one signature for both builds. */
Test(lc_baseline, O0_baseline_matches_O2_build)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "inl.c", two_levels_c);
    lcb_cc(&t, "inl.c", "inl", "-O0");
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- ./inl"), 23, "stderr:\n%s", t.err);
    lcb_expect_known(&t, "make@inl.c < wrap@inl.c < main@inl.c", "baseline");
    lcb_cc(&t, "inl.c", "inl", "-O2");
    LL_EQ(lcb_run(&t, "--baseline known.txt --json m.json -- ./inl"), 0,
          "the -O2 build's leak is the known one; stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    json_t *s = lcb_site(m, "make");
    cr_assert(lcb_has_inlined(s), "make is inlined at -O2, else this test proves nothing");
    LL_STREQ(ll_str(s, "signature"), "make@inl.c < wrap@inl.c < main@inl.c", "-O2");
    json_decref(m);
    lcb_free(&t);
}

/* At -O2 GCC makes mk.constprop.0 of mk(): the signature names mk. */
Test(lc_baseline, O2_clone_suffix_is_not_signed)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "cl.c",
              "#include <stdlib.h>\n"
              "void *volatile sink;\n"
              "__attribute__((noinline)) static void *mk(size_t n, int keep)\n"
              "{ void *p = malloc(n); if (keep) sink = p; return p; }\n"
              "int main(void) { sink = mk(32, 1); sink = 0; return 0; }\n");
    lcb_cc(&t, "cl.c", "cl", "-O0");
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- ./cl"), 23, "stderr:\n%s", t.err);
    lcb_cc(&t, "cl.c", "cl", "-O2");
    LL_EQ(lcb_run(&t, "--baseline known.txt --json m.json -- ./cl"), 0,
          "the -O2 build's leak is the known one; stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    const json_t *top = json_array_get(ll_arr(lcb_site(m, "main"), "stack"), 0);
    cr_assert(ll_contains(ll_str(top, "function"), "mk.constprop."),
              "GCC cloned mk (got %s), else this test proves nothing", ll_str(top, "function"));
    json_decref(m);
    lcb_free(&t);
}

/* demo_list's build() is inlined into main(): main is in the signature. */
Test(lc_baseline, signature_lists_the_callers_of_inlined_functions)
{
    struct lcb t;
    lcb_init(&t);
    lcb_run(&t, "--write-baseline known.txt -- " LL_PROGRAMS "/demo_list");
    lcb_expect_known(&t, "build@demo_list.c < main@demo_list.c", "baseline");
    lcb_free(&t);
}

/* push_back() is five libstdc++ header functions inlined into add() at
 * -O2, above three of the program's own: the vector's storage of caller_a()
 * and of caller_b() (freed without its destructor) are two sites. */
static const char vector_cc[] =
    "#include <vector>\n"
    "#include <new>\n"
    "__attribute__((noinline)) void add(std::vector<int> *v, int x) { v->push_back(x); }\n"
    "__attribute__((noinline)) void mid1(std::vector<int> *v) { add(v, 1); asm(\"\"); }\n"
    "__attribute__((noinline)) void mid2(std::vector<int> *v) { mid1(v); asm(\"\"); }\n"
    "__attribute__((noinline)) void caller_a()\n"
    "{ auto *v = new std::vector<int>; mid2(v); ::operator delete(v); asm(\"\"); }\n"
    "__attribute__((noinline)) void caller_b()\n"
    "{ auto *v = new std::vector<int>; mid2(v); ::operator delete(v); asm(\"\"); }\n"
    "int main(int argc, char **) { caller_a(); if (argc > 1) caller_b(); return 0; }\n";

/* System headers' frames do not take signature slots: with them, the 8
 * ended at mid2() and a baseline of caller_a()'s leak hid caller_b()'s. */
Test(lc_baseline, system_header_frames_are_not_signed)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "vec.cc", vector_cc);
    lcb_cxx(&t, "vec.cc", "vec", "-O2");
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- ./vec"), 23, "one leak; stderr:\n%s", t.err);
    LL_EQ(lcb_run(&t, "--baseline known.txt --json m.json -- ./vec new"), 23,
          "the new leak in caller_b fails; stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    json_t *fresh = lcb_site(m, "caller_b()"), *old = lcb_site(m, "caller_a()");
    const json_t *top = json_array_get(ll_arr(fresh, "stack"), 0);
    cr_assert(json_is_true(json_object_get(top, "inlined")) &&
              ll_contains(ll_str(top, "file"), "/usr/include/"),
              "a libstdc++ header is inlined at the top (got %s), else this test proves nothing",
              ll_str(top, "file"));
    LL_STREQ(ll_str(fresh, "status"), "new", "caller_b's site");
    LL_STREQ(ll_str(old, "status"), "baseline", "caller_a's site");
    cr_assert(ll_contains(ll_str(old, "signature"), ")@vec.cc < caller_a()@vec.cc < main@vec.cc"),
              "the program's frames only: %s", ll_str(old, "signature"));
    cr_assert(!ll_contains(ll_str(old, "signature"), ".h"), "%s", ll_str(old, "signature"));
    json_decref(m);
    lcb_free(&t);
}

/* ---- baseline files ------------------------------------------------------------ */

/* Two baselines concatenated: the entry listed twice is one known site, and
 * neither copy is "no longer seen". */
Test(lc_baseline, entry_listed_twice_counts_once)
{
    struct lcb t;
    lcb_init(&t);
    const char *leaker = LL_PROGRAMS "/lc_leaker";
    lcb_run(&t, ll_fmt("--write-baseline b1.txt -- %s 10", leaker));
    cr_assert_eq(system(ll_fmt("cd %s && cat b1.txt b1.txt > dup.txt", t.dir)), 0);
    LL_EQ(lcb_run(&t, ll_fmt("--baseline dup.txt --json m.json -- %s 10", leaker)), 0,
          "the known leak passes; stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "== baseline: 1 known site, 0 no longer seen"), "stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    json_t *b = ll_get(m, "baseline");
    LL_EQ(ll_int(b, "entries"), 1, "baseline entries");
    LL_EQ(json_array_size(ll_arr(b, "unused")), 0, "baseline.unused");
    json_decref(m);
    lcb_free(&t);
}

/* A signature holding a newline (a source file named so) or ending in a
 * blank (a source file named so) is escaped in the file, and read back as it
 * was: the leak written to the baseline is known when it is read. */
Test(lc_baseline, signature_with_newline_round_trips)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "nl\nleak.c ",
              "#include <stdlib.h>\n"
              "char *volatile sink;\n"
              "__attribute__((noinline)) void leak(void) { sink = malloc(9); sink = 0; }\n"
              "int main(void) { leak(); return 0; }\n");
    const char *cmd = ll_fmt("cd %s && cc -g -O0 -x c -o 'leak ' \"$(printf 'nl\\nleak.c ')\"",
                             t.dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- './leak '"), 23,
          "the leak is new; stderr:\n%s", t.err);
    lcb_expect_known(&t, "leak@nl\\nleak.c  < main@nl\\nleak.c\\x20",
                     "the newline and the trailing blank escaped");
    LL_EQ(lcb_run(&t, "--baseline known.txt --json m.json -- './leak '"), 0,
          "the baseline knows the leak; stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "== baseline: 1 known site, 0 no longer seen"),
              "stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    LL_STREQ(ll_str(lcb_site(m, "leak"), "signature"),
             "leak@nl\nleak.c  < main@nl\nleak.c ", "the signature itself");
    json_decref(m);
    lcb_free(&t);
}

/* A baseline line with a backslash that starts no escape reads as written. */
Test(lc_baseline, unescaped_backslash_reads_as_written)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "b.txt", "leak_here@lc_leaker.c < main@lc_leaker.c\n"
                           "a\\qb@x.c\n");
    LL_EQ(lcb_run(&t, "--baseline b.txt --json m.json -- " LL_PROGRAMS "/lc_leaker 10"), 0,
          "known; stderr:\n%s", t.err);
    json_t *m = ll_load_json(lcb_path(&t, "m.json"));
    LL_STREQ(json_string_value(json_array_get(ll_arr(ll_get(m, "baseline"), "unused"), 0)),
             "a\\qb@x.c", "the unused entry");
    json_decref(m);
    lcb_free(&t);
}

/* A baseline written when signatures ended with the start-up frame
 * (" < _start@PROGRAM", before libleak's stacks ended at main) still knows
 * its site. */
Test(lc_baseline, baseline_with_start_up_frame_still_known)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "b.txt", "leak_here@lc_leaker.c < main@lc_leaker.c < _start@lc_leaker\n");
    LL_EQ(lcb_run(&t, "--baseline b.txt -- " LL_PROGRAMS "/lc_leaker 10"), 0,
          "known; stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "== baseline: 1 known site, 0 no longer seen"),
              "stderr:\n%s", t.err);
    lcb_free(&t);
}

/* ---- --gen-suppressions ----------------------------------------------------- */

/* The generated lines of a run, as a suppressions file. */
static void lcb_gen_supp(struct lcb *t, const char *name)
{
    FILE *f = fopen(lcb_path(t, name), "w");
    cr_assert_not_null(f);
    for (const char *p = strstr(t->err, "== suppressions for"); p && *p; p = strchr(p, '\n') + 1) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, "leak:", 5) == 0 || *p == '#')
            fprintf(f, "%.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
        if (!nl)
            break;
    }
    fclose(f);
}

/* A leak allocated in main itself: "leak:^main$" would suppress every leak
 * of every program, so no such line; an unrelated new leak still fails. */
Test(lc_baseline, gen_suppressions_never_names_main)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "known.c",
              "#include <stdlib.h>\nvoid *volatile sink;\n"
              "int main(void) { sink = malloc(8); sink = 0; return 0; }\n");
    lcb_write(&t, "newbug.c",
              "#include <stdlib.h>\nvoid *volatile sink;\n"
              "__attribute__((noinline)) void new_bug(void) { sink = malloc(99); sink = 0; }\n"
              "int main(void) { new_bug(); return 0; }\n");
    lcb_cc(&t, "known.c", "known", "-O0");
    lcb_cc(&t, "newbug.c", "newbug", "-O0");
    LL_EQ(lcb_run(&t, "--gen-suppressions -- ./known"), 23, "stderr:\n%s", t.err);
    cr_assert(!ll_contains(t.err, "leak:^main$"), "stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "# no pattern matches only this site"), "stderr:\n%s", t.err);
    lcb_gen_supp(&t, "gen.supp");
    LL_EQ(lcb_run(&t, "--suppressions gen.supp -- ./newbug"), 23,
          "the generated file must not suppress new_bug's leak; stderr:\n%s", t.err);
    /* an inlined helper both sites pass through is not named: its callers are */
    lcb_write(&t, "prog.c", inline_helper_c);
    lcb_cc(&t, "prog.c", "prog", "-O2");
    LL_EQ(lcb_run(&t, "--gen-suppressions -- ./prog new"), 23, "stderr:\n%s", t.err);
    cr_assert(!ll_contains(t.err, "leak:^xmalloc$"), "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^load_config$"), 1, "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^parse_args$"), 1, "stderr:\n%s", t.err);
    lcb_gen_supp(&t, "gen2.supp");
    LL_EQ(lcb_run(&t, "--suppressions gen2.supp -- ./prog new"), 0, "round trip; stderr:\n%s", t.err);
    lcb_free(&t);
}

/* An allocation wrapper that two reported sites pass through: "^xmalloc$"
 * would also hide every later leak made through it, so each site is named
 * by the next function out (a wrapper of the wrapper too), and a function
 * that leaks at two lines of its own is still named once.  A new leak
 * through the wrapper then fails the gate. */
Test(lc_baseline, gen_suppressions_pass_over_a_shared_wrapper)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "wrap.c",
              "#include <stdlib.h>\n#include <string.h>\nvoid *volatile sink;\n"
              "__attribute__((noinline)) void *xmalloc(size_t n)\n"
              "{ void *p = malloc(n); if (!p) abort(); return p; }\n"
              "__attribute__((noinline)) char *xstrdup(const char *s)\n"
              "{ char *d = xmalloc(strlen(s) + 1); return strcpy(d, s); }\n"
              "__attribute__((noinline)) void load_config(void) { sink = xmalloc(32); sink = 0; }\n"
              "__attribute__((noinline)) void parse_args(void) { sink = xstrdup(\"args\"); sink = 0; }\n"
              "__attribute__((noinline)) void two_lines(void)\n"
              "{ sink = malloc(5); sink = 0;\n"
              "  sink = malloc(6); sink = 0; }\n"
              "__attribute__((noinline)) void new_bug(void) { sink = xmalloc(77); sink = 0; }\n"
              "int main(int argc, char **argv)\n"
              "{ (void)argv; load_config(); parse_args(); two_lines(); if (argc > 1) new_bug();\n"
              "  return 0; }\n");
    lcb_cc(&t, "wrap.c", "wrap", "-O0");
    LL_EQ(lcb_run(&t, "--gen-suppressions -- ./wrap"), 23, "stderr:\n%s", t.err);
    cr_assert(!ll_contains(t.err, "leak:^xmalloc$"), "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^load_config$"), 1, "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^xstrdup$"), 1, "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^two_lines$"), 1, "each line once; stderr:\n%s", t.err);
    lcb_gen_supp(&t, "gen.supp");
    LL_EQ(lcb_run(&t, "--suppressions gen.supp -- ./wrap"), 0, "round trip; stderr:\n%s", t.err);
    LL_EQ(lcb_run(&t, "--suppressions gen.supp -- ./wrap new"), 23,
          "the generated file must not suppress new_bug's leak; stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "new_bug"), "stderr:\n%s", t.err);
    lcb_free(&t);
}

/* A lost list: its head definitely lost, its nodes indirectly, all made at
 * one place.  That is two sites (one per kind) with one stack, not a helper
 * shared by two callers: make_node is named.  (Taken for one, the names
 * went outwards round after round, to main and no line at all, or, past
 * eight rounds, to a name that hid unrelated leaks.) */
Test(lc_baseline, gen_suppressions_one_stack_under_two_kinds)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "list.c",
              "#include <stdlib.h>\nstruct node { struct node *next; char pad[24]; };\n"
              "void *volatile sink;\n"
              "__attribute__((noinline)) struct node *make_node(struct node *next)\n"
              "{ struct node *n = malloc(sizeof *n); n->next = next; return n; }\n"
              "__attribute__((noinline)) void build_list(void)\n"
              "{ struct node *h = 0; for (int i = 0; i < 3; i++) h = make_node(h);\n"
              "  sink = h; sink = 0; }\n"
              "int main(void) { build_list(); return 0; }\n");
    lcb_cc(&t, "list.c", "list", "-O0");
    LL_EQ(lcb_run(&t, "--gen-suppressions -- ./list"), 23, "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "leak:^make_node$"), 1, "stderr:\n%s", t.err);
    cr_assert(!ll_contains(t.err, "# no pattern matches"), "stderr:\n%s", t.err);
    lcb_gen_supp(&t, "gen.supp");
    LL_EQ(lcb_run(&t, "--suppressions gen.supp -- ./list"), 0, "round trip; stderr:\n%s", t.err);
    lcb_free(&t);
}

/* A stripped program's leaks have no function names: its name, the object
 * main is in, would match every leak of the program, so no such line. */
Test(lc_baseline, gen_suppressions_never_names_a_stripped_program)
{
    struct lcb t;
    lcb_init(&t);
    lcb_write(&t, "strip_leak.c",
              "#include <stdlib.h>\nvoid *volatile sink;\n"
              "__attribute__((noinline)) void old_leak(void) { sink = malloc(10); sink = 0; }\n"
              "__attribute__((noinline)) void new_bug(void) { sink = malloc(20); sink = 0; }\n"
              "int main(int argc, char **argv)\n"
              "{ (void)argv; old_leak(); if (argc > 1) new_bug(); return 0; }\n");
    lcb_cc(&t, "strip_leak.c", "strip_leak", "-O0");
    cr_assert_eq(system(ll_fmt("strip %s", lcb_path(&t, "strip_leak"))), 0, "strip");
    LL_EQ(lcb_run(&t, "--gen-suppressions -- ./strip_leak"), 23, "stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "(strip_leak+0x"), "the site is unnamed; stderr:\n%s", t.err);
    cr_assert(!ll_contains(t.err, "\nleak:"), "no pattern; stderr:\n%s", t.err);
    cr_assert(ll_contains(t.err, "# no pattern matches only this site"), "stderr:\n%s", t.err);
    lcb_gen_supp(&t, "gen.supp");
    LL_EQ(lcb_run(&t, "--suppressions gen.supp -- ./strip_leak new"), 23,
          "the generated file must not suppress new_bug's leak; stderr:\n%s", t.err);
    lcb_free(&t);
}

/* A stripped program's two leaks reached through the same number of its own
 * frames: each frame is "?+0x1f@strip_two", its place in its function by
 * the unwind tables, so the baseline of one does not hide the other (both
 * read "?@strip_two < ?@strip_two" before).  A rebuild with a function added
 * in front moves every offset in the object, not those places: the
 * baseline still knows the old leak. */
/* The offset in the object of a site's first frame, as leakcheck's text
 * shows it: "#0 ??? (prog+0x1147)". */
static unsigned long lcb_first_offset(const char *err, const char *prog)
{
    const char *p = strstr(err, ll_fmt("#0 ??? (%s+0x", prog));
    cr_assert_not_null(p, "no unnamed frame of %s:\n%s", prog, err);
    return strtoul(strchr(p, '+') + 1, NULL, 16);
}

Test(lc_baseline, stripped_program_sites_told_apart_and_kept_across_a_rebuild)
{
    struct lcb t;
    lcb_init(&t);
    const char *body =
        "#include <stdlib.h>\nvoid *volatile sink;\n"
        "__attribute__((noinline)) void old_leak(void) { sink = malloc(10); sink = 0; }\n"
        "__attribute__((noinline)) void new_bug(void) { sink = malloc(20); sink = 0; }\n"
        "int main(int argc, char **argv)\n"
        "{ (void)argv; old_leak(); if (argc > 1) new_bug(); return 0; }\n";
    lcb_write(&t, "strip_two.c", body);
    lcb_write(&t, "moved.c",
              ll_fmt("#include <string.h>\n"
                     "__attribute__((noinline, used)) int pad(const char *s)\n"
                     "{ int n = 0; for (size_t i = 0; i < strlen(s); i++) n += s[i] * (int)i; return n; }\n%s",
                     body));
    cr_assert_eq(mkdir(lcb_path(&t, "moved"), 0700), 0, "mkdir");
    lcb_cc(&t, "strip_two.c", "strip_two", "-O0");
    lcb_cc(&t, "moved.c", "moved/strip_two", "-O0");
    cr_assert_eq(system(ll_fmt("cd %s && strip strip_two moved/strip_two", t.dir)), 0, "strip");
    LL_EQ(lcb_run(&t, "--write-baseline known.txt -- ./strip_two"), 23, "stderr:\n%s", t.err);
    unsigned long before = lcb_first_offset(t.err, "strip_two");
    char *known = ll_read_or_empty(lcb_path(&t, "known.txt"));
    cr_assert(ll_contains(known, "\n?+0x") && ll_contains(known, "@strip_two < ?+0x"),
              "frames placed in their functions:\n%s", known);
    free(known);
    LL_EQ(lcb_run(&t, "--baseline known.txt -- ./strip_two new"), 23,
          "new_bug's leak is new; stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "NEW: 20 bytes in 1 block"), 1, "stderr:\n%s", t.err);
    LL_EQ(ll_count_lines(t.err, "known (baseline): 10 bytes in 1 block"), 1, "stderr:\n%s", t.err);
    /* the rebuild: old_leak elsewhere in the object, the same signature */
    LL_EQ(lcb_run(&t, "--baseline known.txt -- ./moved/strip_two"), 0,
          "the old leak is still known after the rebuild; stderr:\n%s", t.err);
    unsigned long after = lcb_first_offset(t.err, "strip_two");
    cr_assert_neq(before, after, "the rebuild moved old_leak (%#lx); stderr:\n%s", before, t.err);
    LL_EQ(lcb_run(&t, "--baseline known.txt -- ./moved/strip_two new"), 23,
          "and the new one still new; stderr:\n%s", t.err);
    lcb_free(&t);
}
