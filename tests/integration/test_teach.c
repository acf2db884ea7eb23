/* test_teach.c - the teaching demos (tests/programs/demo_*.c and the Rust
 * programs) under the preload: what each one leaks, and the readable text
 * report a student sees, against golden files in tests/golden/. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GOLDEN LL_ROOT "/tests/golden"

/* The one leak group of kind at src's line marked with marker. */
static json_t *site(const json_t *j, const char *kind, const char *src, const char *marker)
{
    char file[128];
    snprintf(file, sizeof file, "tests/programs/%s", src);
    return ll_leak_at(j, kind, file, ll_line(src, marker));
}

static void expect_group(const json_t *g, long long bytes, long long blocks,
                         long long align, const char *fn, const char *what)
{
    LL_EQ(ll_int(g, "bytes"), bytes, "%s: bytes", what);
    LL_EQ(ll_int(g, "blocks"), blocks, "%s: blocks", what);
    LL_EQ(ll_int(g, "alignment"), align, "%s: alignment", what);
    LL_STREQ(ll_str(g, "function"), fn, "%s: allocating function", what);
}

static void expect_lost(const json_t *j, long long def, long long ind, const char *what)
{
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), def, "%s: definitely lost bytes; groups:\n%s", what, ll_describe_leaks(j));
    LL_EQ(ll_summary_bytes(j, "indirectly_lost"), ind, "%s: indirectly lost bytes; groups:\n%s", what, ll_describe_leaks(j));
    LL_EQ(ll_summary_bytes(j, "possibly_lost"), 0, "%s: possibly lost bytes", what);
}

static const char *top_function(const json_t *g)
{
    return ll_str(ll_top_frame(ll_get(g, "stack")), "function");
}

Test(teach, tutorial_with_free_is_clean)
{
    struct ll_run r;
    ll_run_json(&r, "demo_tutorial_free", NULL, NULL);
    LL_STREQ(r.out, "*p = 42\n", "stdout");
    ll_check_schema(r.json);
    expect_lost(r.json, 0, 0, "demo_tutorial_free");
    cr_assert_geq(ll_int(ll_get(r.json, "totals"), "frees"), 1, "the free was counted");
    ll_run_free(&r);
}

Test(teach, tutorial_without_free_leaks_4_bytes)
{
    struct ll_run r;
    ll_run_json(&r, "demo_tutorial_leak", NULL, NULL);
    LL_STREQ(r.out, "*p = 42\n", "stdout");
    ll_check_schema(r.json);
    expect_lost(r.json, 4, 0, "demo_tutorial_leak");
    json_t *g = site(r.json, "definitely_lost", "demo_tutorial_leak.c", "@leak");
    expect_group(g, 4, 1, 16, "malloc", "the int");
    LL_STREQ(top_function(g), "main", "function");
    ll_run_free(&r);
}

Test(teach, aligned_blocks_keep_their_alignment)
{
    struct ll_run r;
    ll_run_json(&r, "demo_aligned", NULL, NULL);
    ll_check_schema(r.json);
    expect_lost(r.json, 2 + 256, 0, "demo_aligned");
    json_t *u16 = site(r.json, "definitely_lost", "demo_aligned.c", "@u16");
    expect_group(u16, 2, 1, 2, "aligned_alloc", "Layout::new::<u16>()");
    LL_STREQ(top_function(u16), "new_u16", "function");
    json_t *big = site(r.json, "definitely_lost", "demo_aligned.c", "@lines");
    expect_group(big, 256, 1, 64, "posix_memalign", "256 bytes aligned to 64");
    LL_STREQ(top_function(big), "new_cache_lines", "function");
    ll_run_free(&r);
}

Test(teach, early_return_leaks_the_buffer)
{
    struct ll_run r;
    ll_run_json(&r, "demo_early_return", NULL, NULL);
    LL_STREQ(r.out, "3 vowels\n-1 vowels\n", "stdout");
    expect_lost(r.json, 64, 0, "demo_early_return");
    json_t *g = site(r.json, "definitely_lost", "demo_early_return.c", "@alloc");
    expect_group(g, 64, 1, 16, "malloc", "the copy");
    LL_STREQ(top_function(g), "count_vowels", "function");
    ll_run_free(&r);
}

Test(teach, overwritten_pointer_loses_the_first_block)
{
    struct ll_run r;
    ll_run_json(&r, "demo_overwrite", NULL, NULL);
    expect_lost(r.json, 16, 0, "demo_overwrite");
    json_t *g = site(r.json, "definitely_lost", "demo_overwrite.c", "@first");
    expect_group(g, 16, 1, 16, "malloc", "the first block");
    LL_STREQ(top_function(g), "greet", "function");
    ll_run_free(&r);
}

Test(teach, failed_realloc_assignment_loses_the_old_block)
{
    struct ll_run r;
    ll_run_json(&r, "demo_realloc", NULL, NULL);
    LL_STREQ(r.out, "realloc failed: the old 100 bytes are lost\n", "stdout");
    expect_lost(r.json, 100, 0, "demo_realloc");
    json_t *g = site(r.json, "definitely_lost", "demo_realloc.c", "@alloc");
    expect_group(g, 100, 1, 16, "malloc", "the old block");
    ll_run_free(&r);
}

Test(teach, lost_list_one_definite_four_indirect)
{
    struct ll_run r;
    ll_run_json(&r, "demo_list", NULL, NULL);
    LL_STREQ(r.out, "sum = 15\n", "stdout");
    expect_lost(r.json, 16, 64, "demo_list");
    expect_group(site(r.json, "definitely_lost", "demo_list.c", "@node"), 16, 1, 16,
                 "malloc", "the head");
    expect_group(site(r.json, "indirectly_lost", "demo_list.c", "@node"), 64, 4, 16,
                 "malloc", "the other nodes");
    ll_run_free(&r);
}

/* build() is inlined into main at -O2: the stack lists both, build first
 * (marked inlined) at its malloc, then main at the line that calls it,
 * where one return address stands for the two. */
Test(teach, inlined_function_is_listed_with_its_caller)
{
    struct ll_run r;
    ll_run_json(&r, "demo_list", NULL, NULL);
    const json_t *stack = ll_get(site(r.json, "definitely_lost", "demo_list.c", "@node"), "stack");
    const json_t *f0 = json_array_get(stack, 0), *f1 = json_array_get(stack, 1);
    cr_assert(f0 && f1, "two frames at least: %s", json_dumps(stack, 0));
    LL_STREQ(ll_str(f0, "function"), "build", "frame 0");
    cr_assert(json_is_true(json_object_get(f0, "inlined")), "build is inlined: %s",
              json_dumps(f0, 0));
    LL_STREQ(ll_str(f1, "function"), "main", "frame 1");
    LL_STREQ(ll_str(f1, "file"), LL_SRC("demo_list.c"), "frame 1 file");
    LL_EQ(ll_int(f1, "line"), ll_line("demo_list.c", "@build"), "frame 1: the call of build");
    cr_assert(!json_object_get(f1, "inlined"), "main owns the code: %s", json_dumps(f1, 0));
    LL_STREQ(ll_str(f0, "offset"), ll_str(f1, "offset"), "one return address");
    ll_run_free(&r);
}

/* C++: the vector object is definitely lost, the buffer the library
 * allocated for it indirectly; the buffer's site is the push_back line in
 * the program, not the library header where operator new is called. */
Test(teach, cxx_vector_buffer_site_is_the_programs_own_line)
{
    struct ll_run r;
    ll_run_json(&r, "demo_vector", NULL, NULL);
    LL_STREQ(r.out, "last = 25\n", "stdout");
    expect_lost(r.json, 24, 32, "demo_vector");
    expect_group(site(r.json, "definitely_lost", "demo_vector.cc", "@vector"), 24, 1, 16,
                 "operator new", "the vector");
    json_t *buf = NULL;
    size_t i;
    json_t *g;
    json_array_foreach(ll_get(r.json, "leaks"), i, g)
        if (strcmp(ll_str(g, "kind"), "indirectly_lost") == 0)
            buf = g;
    cr_assert(buf, "no indirectly lost group:\n%s", ll_describe_leaks(r.json));
    expect_group(buf, 32, 1, 16, "operator new", "the buffer");
    int push = 0;
    json_array_foreach(ll_get(buf, "stack"), i, g)
        push |= ll_frame_at(g, LL_SRC("demo_vector.cc"), ll_line("demo_vector.cc", "@push"));
    cr_assert(push, "the buffer's stack passes the push_back line");
    ll_run_free(&r);

    ll_run_raw(&r, "demo_vector", 1, "color=never", NULL);
    char where[128];
    snprintf(where, sizeof where, "allocated by operator new (alignment 16) in squares at %s:%d",
             LL_SRC("demo_vector.cc"), ll_line("demo_vector.cc", "@push"));
    cr_assert(ll_contains(r.err, where), "the buffer's site is the program's line '%s':\n%s",
              where, r.err);
    snprintf(where, sizeof where, "> %d |", ll_line("demo_vector.cc", "@push"));
    cr_assert(ll_contains(r.err, where), "its source line is shown:\n%s", r.err);
    cr_assert(!ll_contains(r.err, " in std::"), "no site in the library:\n%s", r.err);
    ll_run_free(&r);
}

Test(teach, lost_cycle_one_definite_two_indirect)
{
    struct ll_run r;
    ll_run_json(&r, "demo_cycle", NULL, NULL);
    LL_STREQ(r.out, "alice -> bob -> carol -> alice\n", "stdout");
    expect_lost(r.json, 32, 64, "demo_cycle");
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 2, "indirectly lost blocks");
    long long blocks = 0;
    LL_EQ(ll_bytes_at(r.json, NULL, LL_SRC("demo_cycle.c"), ll_line("demo_cycle.c", "@peer"),
                      &blocks), 96, "bytes at the malloc line");
    LL_EQ(blocks, 3, "blocks at the malloc line");
    ll_run_free(&r);
}

Test(teach, global_pointer_keeps_block_reachable)
{
    struct ll_run r;
    ll_run_json(&r, "demo_global", "show_reachable=1", NULL);
    expect_lost(r.json, 0, 0, "demo_global");
    json_t *g = site(r.json, "still_reachable", "demo_global.c", "@global");
    expect_group(g, 48, 1, 16, "malloc", "the settings");
    ll_run_free(&r);
}

Test(teach, leak_in_a_thread_names_the_thread_function)
{
    struct ll_run r;
    ll_run_json(&r, "demo_thread", NULL, NULL);
    LL_STREQ(r.out, "worker computed 27\n", "stdout");
    json_t *g = site(r.json, "definitely_lost", "demo_thread.c", "@thread");
    expect_group(g, 40, 1, 16, "malloc", "the worker's result");
    LL_STREQ(top_function(g), "worker", "function");
    ll_run_free(&r);
}

/* ---- Rust ------------------------------------------------------------------- */

/* The group whose stack passes through src:line, with that frame. */
static json_t *rust_site(const json_t *j, const char *src, const char *marker,
                         const json_t **frame)
{
    int line = ll_line(src, marker);
    size_t i, k;
    json_t *g, *f;
    json_array_foreach(ll_arr(j, "leaks"), i, g)
        json_array_foreach(ll_arr(g, "stack"), k, f)
            if (ll_frame_at(f, src, line)) {
                *frame = f;
                return g;
            }
    cr_assert_fail("no leak passes through %s:%d; groups:\n%s", src, line, ll_describe_leaks(j));
    return NULL;
}

static void need_rust_program(const char *prog)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LL_PROGRAMS, prog);
    cr_assert(access(path, X_OK) == 0, "%s is missing: the Rust programs are built "
              "with Debian's rustc (scripts/install-deps installs it)", path);
}

Test(teach, rust_layout_leak_has_size_alignment_function_and_line)
{
    need_rust_program("rust_alloc");
    struct ll_run r;
    ll_run_json(&r, "rust_alloc", NULL, NULL);
    LL_STREQ(r.out, "u16 = 42\n256 bytes at a 64-byte boundary: true\n", "stdout");
    ll_check_schema(r.json);
    expect_lost(r.json, 256, 0, "rust_alloc");
    const json_t *f = NULL;
    json_t *g = rust_site(r.json, "rust/rust_alloc.rs", "@leak", &f);
    LL_STREQ(ll_str(g, "kind"), "definitely_lost", "kind");
    LL_EQ(ll_int(g, "bytes"), 256, "bytes");
    LL_EQ(ll_int(g, "alignment"), 64, "alignment of Layout::from_size_align(256, 64)");
    LL_STREQ(ll_str(f, "function"), "rust_alloc::forgotten", "demangled Rust function");
    ll_run_free(&r);
}

Test(teach, rust_extern_malloc_leak_is_reported)
{
    need_rust_program("rust_malloc");
    struct ll_run r;
    ll_run_json(&r, "rust_malloc", NULL, NULL);
    LL_STREQ(r.out, "*p = 42\n*p = 42 (never freed)\n", "stdout");
    expect_lost(r.json, 4, 0, "rust_malloc");
    const json_t *f = NULL;
    json_t *g = rust_site(r.json, "rust/rust_malloc.rs", "@leak", &f);
    expect_group(g, 4, 1, 16, "malloc", "the i32");
    LL_STREQ(ll_str(f, "function"), "rust_malloc::forgotten", "demangled Rust function");
    ll_run_free(&r);
}

/* ---- the text report ---------------------------------------------------------- */

/* Replace every occurrence of from in s (in place when to is not longer). */
static void replace_all(char *s, const char *from, const char *to)
{
    size_t f = strlen(from), t = strlen(to);
    for (char *p = s; (p = strstr(p, from));) {
        memmove(p + t, p + f, strlen(p + f) + 1);
        memcpy(p, to, t);
        p += t;
    }
}

/* Rewrite the digits after prefix (up to a non-digit) as "N"; hex too. */
static void mask_after(char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (char *p = s; (p = strstr(p, prefix)); ) {
        p += n;
        char *e = p;
        while ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'f') || *e == ',' || *e == 'x')
            e++;
        if (e > p) {
            *p = 'N';
            memmove(p + 1, e, strlen(e) + 1);
        }
    }
}

/* Addresses, pids, paths and libleak's own memory vary between runs and
 * machines; the words and the lines of the program do not. */
static void normalise(char *s)
{
    replace_all(s, LL_ROOT "/", "");
    mask_after(s, "report for pid ");
    mask_after(s, "+0x");
    mask_after(s, "libleak's own memory: ");
}

static void check_golden(const char *prog, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.txt", GOLDEN, prog);
    if (getenv("LL_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "cannot write %s", path);
        fputs(text, f);
        fclose(f);
    }
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no golden file %s (LL_UPDATE_GOLDEN=1 writes it)", path);
    static char want[65536];
    size_t n = fread(want, 1, sizeof want - 1, f);
    want[n] = '\0';
    fclose(f);
    cr_assert(strcmp(want, text) == 0,
              "%s: the text report differs from %s (LL_UPDATE_GOLDEN=1 rewrites it)\n"
              "--- got:\n%s", prog, path, text);
}

static void golden_run(const char *prog, const char *options)
{
    struct ll_run r;
    ll_run_raw(&r, prog, 1, options, NULL);
    LL_EQ(r.status, 0, "%s: exit status", prog);
    char *text = malloc(r.err_len * 2 + 64);
    cr_assert_not_null(text);
    strcpy(text, r.err);
    normalise(text);
    check_golden(prog, text);
    free(text);
    ll_run_free(&r);
}

Test(teach, golden_text_reports)
{
    golden_run("demo_tutorial_free", "color=never");
    golden_run("demo_tutorial_leak", "color=never");
    golden_run("demo_list", "color=never");
    golden_run("demo_aligned", "color=never");
}

Test(teach, text_report_explains_each_kind_once_and_shows_the_source)
{
    struct ll_run r;
    ll_run_raw(&r, "demo_cycle", 1, NULL, NULL);
    LL_EQ(ll_count_lines(r.err, "Definitely lost: nothing the program can still reach"), 1, "definite explanations:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "Indirectly lost: only other lost blocks"), 1, "indirect explanations (2 sites, 1 sentence):\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "were never freed"), 3, "headlines:\n%s", r.err);
    char marked[64];
    snprintf(marked, sizeof marked, "> %d | ", ll_line("demo_cycle.c", "@peer"));
    LL_EQ(ll_count_lines(r.err, marked), 3, "snippet lines marked '%s':\n%s", marked, r.err);
    LL_EQ(ll_count_lines(r.err, "^~~~~~~~~~~~~~~~~"), 3, "markers under malloc(sizeof *p):\n%s", r.err);
    cr_assert(ll_contains(r.err, "summary: 96 bytes in 3 blocks were lost"), "verdict:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "\033["), "colour on a pipe:\n%s", r.err);
    ll_run_free(&r);
}

Test(teach, colour_only_when_asked_or_on_a_terminal)
{
    struct ll_run r;
    ll_run_raw(&r, "demo_tutorial_leak", 1, "color=always", NULL);
    cr_assert(ll_contains(r.err, "\033[1;31mleak 1 of 1"), "red headline with color=always:\n%s", r.err);
    ll_run_free(&r);
    ll_run_raw(&r, "demo_tutorial_leak", 1, "color=never:output={dir}/r.txt", NULL);
    cr_assert(!ll_contains(r.err, "\033["), "colour with color=never:\n%s", r.err);
    ll_run_free(&r);
}

/* A site whose source cannot be read gets no snippet, but its headline
 * still names the function and the line (it used to stop after the
 * alignment); so do sites past the first 20, which get no snippet either. */
Test(teach, site_without_readable_source_still_named)
{
    struct ll_run r;
    const char *args[] = { "leak", NULL };
    ll_run_raw(&r, "leak_no_source", 1, "color=never", args);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.err, "allocated by malloc (alignment 16) in main at " LL_ROOT "/gone_source.c:500\n"),
              "where line:\n%s", r.err);
    cr_assert(!ll_contains(r.err, " > 500 |"), "a snippet of a file that does not exist:\n%s", r.err);
    ll_run_free(&r);
}

/* With show_reachable=1 a still-reachable block is listed, and its
 * headline does not call it a leak (the line under it says it is none). */
Test(teach, reachable_site_is_not_called_a_leak)
{
    struct ll_run r;
    ll_run_raw(&r, "demo_global", 1, "color=never:show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.err, "site 2 of 2 (still reachable): 48 bytes in 1 block were not "
                                 "freed by exit"), "headline:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "leak 1 of 2 (still reachable)"), "called a leak:\n%s", r.err);
    ll_run_free(&r);
}

Test(teach, rust_text_report_is_demangled_with_source)
{
    need_rust_program("rust_alloc");
    struct ll_run r;
    ll_run_raw(&r, "rust_alloc", 1, NULL, NULL);
    cr_assert(ll_contains(r.err, "allocated by posix_memalign (alignment 64) in rust_alloc::forgotten at "),
              "where line:\n%s", r.err);
    cr_assert(ll_contains(r.err, "let ptr = alloc(layout); // @leak"), "source line:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "_ZN"), "mangled names left:\n%s", r.err);
    ll_run_free(&r);
}

Test(teach, folded_lines_outermost_first)
{
    struct ll_run r;
    ll_run_raw(&r, "demo_list", 1, "format=folded", NULL);
    LL_EQ(ll_count_lines(r.err, ";"), 2, "folded lines:\n%s", r.err);
    cr_assert(ll_contains(r.err, ";build;malloc 64\n"), "indirect line:\n%s", r.err);
    cr_assert(ll_contains(r.err, ";build;malloc 16\n"), "definite line:\n%s", r.err);
    cr_assert(!strncmp(r.err, "main;build;malloc 64\n", 21), "outermost frame first, and "
              "main the outermost (no start-up frame):\n%s", r.err);
    ll_run_free(&r);
}

/* color=auto on a real terminal: script(1) gives the program a pty.  Colour
 * by default; none when NO_COLOR is set. */
static char *run_on_tty(const char *env)
{
    static char buf[65536];
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "script -qec 'env TERM=xterm %s LD_PRELOAD=%s/libleak.so %s/build/programs/demo_tutorial_leak' /dev/null 2>&1",
             env, LL_ROOT, LL_ROOT);
    FILE *f = popen(cmd, "r");
    cr_assert(f != NULL);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    pclose(f);
    return buf;
}

Test(teach, no_color_on_a_terminal_when_NO_COLOR_is_set)
{
    if (system("command -v script >/dev/null 2>&1") != 0)
        cr_skip_test("script(1) is not installed: no pty to test on");
    const char *out = run_on_tty("");
    cr_assert(ll_contains(out, "leak 1 of 1"), "no report on the terminal:\n%s", out);
    cr_assert(ll_contains(out, "\033["), "no colour on a terminal by default:\n%s", out);
    out = run_on_tty("NO_COLOR=1");
    cr_assert(ll_contains(out, "leak 1 of 1"), "no report on the terminal:\n%s", out);
    cr_assert(!ll_contains(out, "\033["), "colour despite NO_COLOR:\n%s", out);
}

/* The figures read as English: one free, not "1 frees". */
Test(teach, figures_singular_and_plural)
{
    struct ll_run r;
    ll_run_raw(&r, "demo_tutorial_free", 1, "color=never", NULL);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.err, " allocations, 1 free, "), "stderr:\n%.2000s", r.err);
    ll_run_free(&r);
}

/* The whole output of a shell command, NUL-terminated; the caller frees it. */
static char *run_shell(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    cr_assert(f != NULL, "cannot run %s", cmd);
    size_t cap = 1 << 16, n = 0, k;
    char *buf = malloc(cap);
    cr_assert(buf != NULL);
    while ((k = fread(buf + n, 1, cap - 1 - n, f)) > 0)
        if ((n += k) == cap - 1) {
            buf = realloc(buf, cap *= 2);
            cr_assert(buf != NULL);
        }
    buf[n] = 0;
    pclose(f);
    return buf;
}

/* Each command `make demo` shows can be pasted as it is printed (options
 * included) and gives the report shown under it: its first leak, site or
 * summary line. */
Test(teach, demo_commands_reproduce_their_reports, .timeout = 120)
{
    char *demo = run_shell("cd " LL_ROOT " && unset LIBLEAK_OPTIONS && scripts/demo 2>&1");
    int commands = 0, skipped = 0, with_options = 0;
    for (char *sec = strstr(demo, "\n=== "); sec; sec = strstr(sec + 1, "\n=== ")) {
        char *end = strstr(sec + 1, "\n=== ");
        char *cmd = strstr(sec, "\n$ ");
        if (!cmd || (end && cmd > end))
            continue;                 /* the web page's section runs nothing */
        cmd += 3;
        char *eol = strchr(cmd, '\n');
        cr_assert_not_null(eol);
        *eol = 0;
        if (strncmp(eol + 1, "(not built: ", 12) == 0) {
            skipped++;                /* no rustc: the Rust programs */
            *eol = '\n';
            continue;
        }
        const char *keys[] = { "\nleak 1 of ", "\nsite 1 of ", "\nsummary: " };
        char *key = NULL;
        for (size_t i = 0; i < 3 && !key; i++) {
            key = strstr(eol + 1, keys[i]);
            if (key && end && key > end)
                key = NULL;
        }
        cr_assert_not_null(key, "no report under '%s'", cmd);
        char *kend = strchr(key + 1, '\n');
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(kend - key - 1), key + 1);
        char sh[1024];
        snprintf(sh, sizeof sh, "cd " LL_ROOT " && unset LIBLEAK_OPTIONS && %s 2>&1", cmd);
        char *again = run_shell(sh);
        cr_assert(ll_contains(again, line), "'%s' does not give '%s':\n%.3000s", cmd, line, again);
        free(again);
        commands++;
        with_options += strncmp(cmd, "LIBLEAK_OPTIONS=", 16) == 0;
        *eol = '\n';
    }
    LL_EQ(commands + skipped, 14, "commands shown");
    LL_EQ(with_options, 1, "commands with LIBLEAK_OPTIONS (demo_global's show_reachable=1)");
    free(demo);
}

/* The text of leak site "leak N of M (...): WHAT", up to the next site or
 * the summary (a fresh string, "" if there is no such site). */
static const char *site_text(const char *report, const char *what)
{
    const char *at = strstr(report, what);
    if (!at)
        return "";
    const char *end = strstr(at, "\nleak ");
    if (!end)
        end = strstr(at, "\nsummary:");
    return ll_fmt("%.*s", end ? (int)(end - at) : (int)strlen(at), at);
}

/* Frames past a main are main's callers, listed: the recursion's other
 * mains, and the atexit handler that called main again.  The text report
 * stopped at the first main ("(start-up frames not shown)"). */
Test(teach, frames_past_main_are_its_callers)
{
    struct ll_run r;
    ll_run_raw(&r, "main_called_again", 1, "color=never", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.3000s", r.err);
    LL_EQ(ll_count_lines(r.err, "start-up frames not shown"), 0, "cut stacks:\n%s", r.err);
    const char *deepest = site_text(r.err, "22 bytes in 1 block");
    LL_EQ(ll_count_lines(deepest, " main tests/programs/main_called_again.c:"), 3,
          "the deepest call's three mains:\n%s", deepest);
    const char *handler = site_text(r.err, "30 bytes in 1 block");
    cr_assert(ll_contains(handler, ll_fmt(" again tests/programs/main_called_again.c:%d ",
                                          ll_line("main_called_again.c", "@again"))),
              "the handler below main:\n%s", handler);
    ll_run_free(&r);
}
