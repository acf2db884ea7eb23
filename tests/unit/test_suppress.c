/* test_suppress.c - suppression parsing and matching (src/suppress.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suppress.h"

/* ---- matching ------------------------------------------------------------ */

Test(suppress_match, unanchored_is_a_substring)
{
    cr_expect(ll_supp_match("foo", "foo"));
    cr_expect(ll_supp_match("foo", "xfooy"));
    cr_expect(ll_supp_match("libfoo.so", "/usr/lib/x86_64-linux-gnu/libfoo.so.1"));
    cr_expect(!ll_supp_match("foo", "fo"));
    cr_expect(!ll_supp_match("foo", "FOO"), "matching is case-sensitive, as in LSan");
}

Test(suppress_match, anchors)
{
    cr_expect(ll_supp_match("^foo", "foobar"));
    cr_expect(!ll_supp_match("^foo", "xfoo"));
    cr_expect(ll_supp_match("bar$", "foobar"));
    cr_expect(!ll_supp_match("bar$", "barx"));
    cr_expect(ll_supp_match("^leak$", "leak"));
    cr_expect(!ll_supp_match("^leak$", "leaky"));
    cr_expect(!ll_supp_match("^leak$", "a_leak"));
}

Test(suppress_match, wildcards)
{
    cr_expect(ll_supp_match("^std::*::push_back$", "std::vector<int>::push_back"));
    cr_expect(!ll_supp_match("^std::*::push_back$", "std::vector<int>::push_back2"));
    cr_expect(ll_supp_match("a*b*c", "xxaYYbZZcww"));
    cr_expect(!ll_supp_match("a*b*c", "xxaYYcZZbww"));
    cr_expect(ll_supp_match("*", ""));
    cr_expect(ll_supp_match("^*$", "anything"));
    cr_expect(ll_supp_match("^a**b$", "ab"));
    cr_expect(ll_supp_match("^a*a*a*a*b$", "aaaaaaaaaaaaaaaaaaaab"));
    cr_expect(!ll_supp_match("^a*a*a*a*b$", "aaaaaaaaaaaaaaaaaaaa"));
}

Test(suppress_match, null_text_never_matches)
{
    cr_expect(!ll_supp_match("x", NULL));
    cr_expect(!ll_supp_match("*", NULL), "an unknown function is not a match");
}

/* ---- parsing ------------------------------------------------------------- */

Test(suppress_parse, lines)
{
    struct ll_supp_set s = { 0 };
    const char *why = NULL;
    cr_expect_eq(ll_supp_parse_line(&s, "# comment\n", "f", 1, &why), 0);
    cr_expect_eq(ll_supp_parse_line(&s, "   \n", "f", 2, &why), 0);
    cr_expect_eq(ll_supp_parse_line(&s, "  leak:  ^my_fn$  \n", "f", 3, &why), 1);
    cr_assert_eq(s.n, 1);
    cr_expect_str_eq(s.v[0].pattern, "^my_fn$", "pattern is trimmed");
    cr_expect_eq(s.v[0].line, 3);
    cr_expect_eq(ll_supp_parse_line(&s, "leak:", "f", 4, &why), -1);
    cr_expect_str_eq(why, "empty pattern after leak:");
    cr_expect_eq(ll_supp_parse_line(&s, "race:foo", "f", 5, &why), -1);
    cr_expect_str_eq(why, "only leak: suppressions are supported");
    cr_expect_eq(ll_supp_parse_line(&s, "just words", "f", 6, &why), -1);
    cr_expect_str_eq(why, "expected leak:PATTERN");
    cr_expect_eq(s.n, 1, "bad lines add nothing");
    ll_supp_free(&s);
}

static char warned[4096];
static int nwarned;

static void record_warning(void *ctx, const char *file, int line, const char *why)
{
    (void)ctx;
    size_t used = strlen(warned);
    snprintf(warned + used, sizeof warned - used, "%s:%d: %s\n", file, line, why);
    nwarned++;
}

/* Load text as a suppressions file into s, warnings recorded; the file's
 * path (removed by then) is in path. */
static void load_text(struct ll_supp_set *s, const char *text, char path[32])
{
    strcpy(path, "/tmp/ll-supp-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    size_t n = strlen(text);
    cr_assert_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    *s = (struct ll_supp_set){ 0 };
    warned[0] = 0;
    nwarned = 0;
    cr_expect_eq(ll_supp_load(s, path, record_warning, NULL), 0);
    unlink(path);
}

Test(suppress_parse, file_with_a_bad_line)
{
    char path[32];
    struct ll_supp_set s;
    load_text(&s, "# known leaks\nleak:first\nbogus line\nleak:libfoo.so\n", path);
    cr_expect_eq(s.n, 2);
    cr_expect_eq(nwarned, 1, "one warning, got: %s", warned);
    char want[128];
    snprintf(want, sizeof want, "%s:3: expected leak:PATTERN\n", path);
    cr_expect_str_eq(warned, want);
    cr_expect_str_eq(s.v[1].pattern, "libfoo.so");
    cr_expect_eq(s.v[1].line, 4);
    cr_expect_str_eq(s.v[1].file, path);
    ll_supp_free(&s);
}

/* A UTF-8 byte-order mark before line 1 is skipped, not a bad line. */
Test(suppress_parse, file_starting_with_a_bom)
{
    char path[32];
    struct ll_supp_set s;
    load_text(&s, "\xef\xbb\xbfleak:first\nleak:second\n", path);
    cr_expect_eq(nwarned, 0, "no warning, got: %s", warned);
    cr_assert_eq(s.n, 2, "both lines are suppressions");
    cr_expect_str_eq(s.v[0].pattern, "first");
    cr_expect_eq(s.v[0].line, 1);
    ll_supp_free(&s);
}

Test(suppress_parse, unreadable_file)
{
    struct ll_supp_set s = { 0 };
    warned[0] = 0;
    nwarned = 0;
    cr_expect_eq(ll_supp_load(&s, "/nonexistent/supp.txt", record_warning, NULL), -1);
    cr_expect_str_eq(warned, "/nonexistent/supp.txt:0: No such file or directory\n");
    ll_supp_free(&s);
}

/* ---- finding ------------------------------------------------------------- */

Test(suppress_find, any_frame_any_field)
{
    struct ll_supp_set s = { 0 };
    const char *why;
    ll_supp_parse_line(&s, "leak:^helper$", "f", 1, &why);
    ll_supp_parse_line(&s, "leak:thirdparty/*.c", "f", 2, &why);
    ll_supp_parse_line(&s, "leak:libbar.so", "f", 3, &why);
    struct ll_supp_frame a[] = { { "xmalloc", "/src/util.c", "/bin/prog" },
                                 { "helper", "/src/h.c", "/bin/prog" } };
    struct ll_supp_frame b[] = { { NULL, NULL, "/usr/lib/libbar.so.2" } };
    struct ll_supp_frame c[] = { { "f", "/src/thirdparty/z.c", "/bin/prog" } };
    struct ll_supp_frame d[] = { { "helpers", "/src/h.c", "/bin/prog" },
                                 { NULL, NULL, NULL } };
    cr_expect_eq(ll_supp_find(&s, a, 2), 0, "function of an outer frame");
    cr_expect_eq(ll_supp_find(&s, b, 1), 2, "object");
    cr_expect_eq(ll_supp_find(&s, c, 1), 1, "source file");
    cr_expect_eq(ll_supp_find(&s, d, 2), -1, "anchored function does not match a longer name");
    ll_supp_free(&s);
}
