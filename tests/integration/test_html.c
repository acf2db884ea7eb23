/* test_html.c - format=html: a self-contained, escaped page, and what a
 * real browser renders of it.  The browser part runs Debian's headless
 * Chromium when it is installed (and skips, saying so, when it is not):
 * the page's own script counts the leak sites and flame-graph boxes it
 * rendered into #rendered, read back with --dump-dom, and a screenshot is
 * saved as build/html-report.png. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHROMIUM "/usr/bin/chromium"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    s[fread(s, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return s;
}

/* ---- what the page should show, from the JSON report of the same program --- */
struct node { const char *name; int parent; };

static int is_startup(const char *fn)
{
    static const char *const names[] = { "__libc_start_call_main", "__libc_start_main",
                                         "_start", "__rust_begin_short_backtrace" };
    for (size_t i = 0; fn && i < 4; i++)
        if (strstr(fn, names[i]))
            return 1;
    return 0;
}

static int child(struct node *v, int *n, int parent, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (v[i].parent == parent && strcmp(v[i].name, name) == 0)
            return i;
    v[*n] = (struct node){ name, parent };
    return (*n)++;
}

/* Boxes of the flame graph: a root, and one per distinct path of frame
 * names from the outermost (start-up frames left out; frames past a main
 * are its callers) to the allocating function. */
static int expected_boxes(const json_t *report)
{
    static struct node v[4096];
    int n = 1;
    v[0] = (struct node){ "", -1 };
    size_t i;
    json_t *g;
    json_array_foreach(ll_arr(report, "leaks"), i, g) {
        json_t *stack = ll_arr(g, "stack");
        size_t top = 0, depth = json_array_size(stack);
        for (; top < depth; top++) {
            const char *fn = ll_str(json_array_get(stack, top), "function");
            if (is_startup(fn))
                break;
        }
        int at = 0;
        for (size_t k = top; k > 0; k--) {
            const char *fn = ll_str(json_array_get(stack, k - 1), "function");
            at = child(v, &n, at, fn ? fn : "???");
        }
        child(v, &n, at, ll_str(g, "function"));
    }
    return n;
}

static void run_html(struct ll_run *r, const char *const *args, char **html)
{
    ll_run_raw(r, "demo_classroom", 1, "format=html:output={dir}/report.html", args);
    LL_EQ(r->status, 0, "exit status");
    char path[128];
    snprintf(path, sizeof path, "%s/report.html", r->dir);
    *html = read_file(path);
}

/* The "where" cell names the site even when its source cannot be read. */
Test(html, where_without_readable_source)
{
    struct ll_run r;
    const char *args[] = { "leak", NULL };
    ll_run_raw(&r, "leak_no_source", 1, "format=html:output={dir}/report.html", args);
    LL_EQ(r.status, 0, "exit status");
    char path[128];
    snprintf(path, sizeof path, "%s/report.html", r.dir);
    char *html = read_file(path);
    cr_assert(ll_contains(html, "<td><code>main</code> " LL_ROOT "/gone_source.c:500</td>"),
              "where cell missing:\n%.3000s", html);
    free(html);
    ll_run_free(&r);
}

Test(html, self_contained_and_escaped)
{
    struct ll_run r;
    const char *args[] = { "<b>&\"x'", NULL };
    char *html;
    run_html(&r, args, &html);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0, "doctype:\n%.300s", html);
    cr_assert(ll_contains(html, "&lt;b&gt;&amp;&quot;x&#39;"), "escaped argument missing");
    cr_assert(!ll_contains(html, "<b>&"), "unescaped argument in the page");
    cr_assert(!ll_contains(html, " src=") && !ll_contains(html, " href=") &&
              !ll_contains(html, "url(") && !ll_contains(html, "@import"),
              "the page refers to something outside itself");
    LL_EQ(ll_count_lines(html, "<tr class=\"site "), 6, "leak site rows");
    cr_assert(ll_contains(html, "<svg id=\"flamegraph\""), "flame graph missing");
    char mark[64];
    snprintf(mark, sizeof mark, "<span class=\"ln\">%d</span>", ll_line("demo_classroom.c", "@parse"));
    cr_assert(ll_contains(html, mark), "snippet of the @parse line missing");
    cr_assert(!ll_contains(html, "Bad frees"), "a bad-frees section for a program with none");
    free(html);
    ll_run_free(&r);
}

/* A bad free was on stderr when it happened; the page, read later, lists it
 * too, with its stacks. */
Test(html, bad_frees_listed_with_their_stacks)
{
    struct ll_run r;
    ll_run_raw(&r, "double_free", 1, "format=html:output={dir}/report.html", NULL);
    LL_EQ(r.status, 0, "exit status");
    char path[128];
    snprintf(path, sizeof path, "%s/report.html", r.dir);
    char *html = read_file(path);
    cr_assert(ll_contains(html, "<p>Bad frees: 1 (listed below).</p>"), "summary line missing:\n%.4000s", html);
    const char *sec = strstr(html, "<h2>Bad frees</h2>");
    cr_assert_not_null(sec, "no bad-frees section:\n%.4000s", html);
    cr_assert(ll_contains(sec, "<p>1 bad free; it was also reported on stderr when it happened.</p>"),
              "section:\n%.3000s", sec);
    cr_assert(ll_contains(sec, "<li class=\"error\"><p><code>double free: free(0x"), "section:\n%.3000s", sec);
    cr_assert(ll_contains(sec, ") of a 40-byte block from malloc that was already freed; "
                               "not passed to the allocator</code></p>"), "section:\n%.3000s", sec);
    static const char *const marks[] = { "@second-free", "@alloc", "@first-free" };
    for (size_t i = 0; i < 3; i++) {
        char want[256];
        snprintf(want, sizeof want, "<code>main</code> <span class=\"file\">%s:%d</span>",
                 LL_SRC("double_free.c"), ll_line("double_free.c", marks[i]));
        cr_assert(ll_contains(sec, want), "%s: no frame %s in the section:\n%.3000s", marks[i], want, sec);
    }
    const char *alloc = strstr(sec, "allocated at:"), *freed = strstr(sec, "first freed at:");
    cr_assert(alloc && freed && alloc < freed, "stacks not labelled in order:\n%.3000s", sec);
    free(html);
    ll_run_free(&r);
}

/* Past the first 100, bad frees are not printed when they happen (errors.c):
 * the page does not say that each one was, nor, in its summary, that all
 * are listed below. */
Test(html, bad_frees_past_the_printed_ones_not_said_printed)
{
    struct ll_run r;
    const char *args[] = { "150", NULL };
    ll_run_raw(&r, "many_bad_frees", 1, "format=html:output={dir}/report.html", args);
    LL_EQ(r.status, 0, "exit status");
    LL_EQ(ll_count_lines(r.err, "libleak: invalid free"), 100, "bad frees printed");
    char path[128];
    snprintf(path, sizeof path, "%s/report.html", r.dir);
    char *html = read_file(path);
    cr_assert(ll_contains(html, "<p>Bad frees: 150 (the first 100 listed below).</p>"),
              "the summary says only the first 100 are listed:\n%.4000s", html);
    const char *sec = strstr(html, "<h2>Bad frees</h2>");
    cr_assert_not_null(sec, "no bad-frees section:\n%.4000s", html);
    cr_assert(ll_contains(sec, "<p>150 bad frees; the first 100 were also reported on stderr "
                               "when they happened.</p>"), "section:\n%.600s", sec);
    cr_assert(ll_contains(sec, "<p>The first 100 are listed.</p>"), "section end missing");
    free(html);
    ll_run_free(&r);
}

/* Run chromium on file; its stdout goes to out (NULL: discarded). */
static int chromium(const char *dir, const char *what, const char *page, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "timeout 60 " CHROMIUM " --headless --no-sandbox --disable-gpu --disable-quic "
             "--no-first-run --disable-background-networking --disable-component-update "
             "--disable-sync --user-data-dir=%s/profile --window-size=1100,1400 %s "
             "file://%s > %s 2>%s/chromium.log", dir, what, page, out ? out : "/dev/null", dir);
    return system(cmd);
}

static long attr(const char *dom, const char *name)
{
    const char *p = strstr(dom, "id=\"rendered\"");
    cr_assert_not_null(p, "no #rendered element in the rendered DOM");
    char key[64];
    snprintf(key, sizeof key, "%s=\"", name);
    const char *a = strstr(p, key);
    cr_assert(a && a < strchr(p, '>'), "#rendered has no %s: the page's script did not run:\n%.400s", name, p);
    return strtol(a + strlen(key), NULL, 10);
}

Test(html, renders_in_chromium_with_every_site_and_box, .timeout = 120)
{
    if (access(CHROMIUM, X_OK) != 0)
        cr_skip_test("SKIPPED: " CHROMIUM " is not installed (apt-get install chromium): the "
                     "HTML report was not checked in a browser");
    struct ll_run j;
    ll_run_json(&j, "demo_classroom", NULL, NULL);
    long sites = (long)json_array_size(ll_arr(j.json, "leaks"));
    long boxes = expected_boxes(j.json);
    ll_run_free(&j);

    struct ll_run r;
    char *html;
    run_html(&r, NULL, &html);
    free(html);
    char page[128], dom[128], png[256];
    snprintf(page, sizeof page, "%s/report.html", r.dir);
    snprintf(dom, sizeof dom, "%s/dom.html", r.dir);
    LL_EQ(chromium(r.dir, "--dump-dom", page, dom), 0, "chromium --dump-dom (log in %s)", r.dir);
    char *text = read_file(dom);
    LL_EQ(attr(text, "data-sites"), sites, "leak sites rendered (the JSON report lists %ld)", sites);
    LL_EQ(attr(text, "data-boxes"), boxes, "flame graph boxes rendered with a width");
    free(text);
    mkdir(LL_ROOT "/build", 0755);
    snprintf(png, sizeof png, "--screenshot=%s", LL_ROOT "/build/html-report.png");
    LL_EQ(chromium(r.dir, png, page, NULL), 0, "chromium --screenshot (log in %s)", r.dir);
    struct stat st;
    cr_assert(stat(LL_ROOT "/build/html-report.png", &st) == 0 && st.st_size > 10000,
              "no screenshot at build/html-report.png");
    ll_run_free(&r);
}
