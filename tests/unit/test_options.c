/* test_options.c - LIBLEAK_OPTIONS parsing (src/options.c).
 *
 * Every test parses one string with ll_opt_parse and checks ll_opt, the
 * returned warning count and, through fd 2 redirected to a memfd, the text
 * of the warnings (ll_msg writes straight to fd 2, not through stdio). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ll.h"

/* ---- stderr capture ------------------------------------------------------ */
static char err[65536];        /* what the last parse() printed */

static int parse(const char *s)
{
    int fd = memfd_create("stderr", 0), saved = dup(2);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    int warnings = ll_opt_parse(s);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, err, sizeof err - 1, 0);
    close(fd);
    err[n > 0 ? n : 0] = 0;
    return warnings;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The defaults, field by field. */
static void expect_defaults(void)
{
    cr_expect_eq(ll_opt.format, LL_FORMAT_TEXT, "format %d", ll_opt.format);
    cr_expect_eq(ll_opt.depth, 16, "depth %d", ll_opt.depth);
    cr_expect_eq(ll_opt.exitcode, 0, "exitcode %d", ll_opt.exitcode);
    cr_expect_eq(ll_opt.show_reachable, 0, "show_reachable %d", ll_opt.show_reachable);
    cr_expect_eq(ll_opt.help, 0, "help %d", ll_opt.help);
    cr_expect_str_eq(ll_opt.output, "");
}

/* One bad item: exactly one warning line, naming `needle`, defaults kept. */
static void expect_one_warning(const char *s, const char *needle)
{
    int w = parse(s);
    cr_expect_eq(w, 1, "'%.80s' gave %d warnings:\n%s", s, w, err);
    cr_expect_eq(lines(err), 1, "'%.80s' printed:\n%s", s, err);
    cr_expect(strncmp(err, "libleak: ", 9) == 0, "no prefix: %s", err);
    cr_expect(strstr(err, needle) != NULL, "'%s' not in: %s", needle, err);
    expect_defaults();
}

/* ---- defaults and good values --------------------------------------------- */
Test(options, defaults_for_null_and_empty)
{
    cr_expect_eq(parse(NULL), 0);
    cr_expect_str_empty(err);
    expect_defaults();
    cr_expect_eq(parse(""), 0);
    cr_expect_str_empty(err);
    expect_defaults();
    ll_opt.depth = 3;
    ll_opt_defaults();
    cr_expect_eq(ll_opt.depth, 16, "ll_opt_defaults left depth %d", ll_opt.depth);
}

Test(options, every_option_set)
{
    int w = parse("format=json:output=/tmp/r.%p.json:depth=64:show_reachable=1:"
                  "exitcode=255:help=1");
    cr_assert_eq(w, 0, "%d warnings:\n%s", w, err);
    cr_expect_str_empty(err);
    cr_expect_eq(ll_opt.format, LL_FORMAT_JSON);
    cr_expect_str_eq(ll_opt.output, "/tmp/r.%p.json");
    cr_expect_eq(ll_opt.depth, 64);
    cr_expect_eq(ll_opt.show_reachable, 1);
    cr_expect_eq(ll_opt.exitcode, 255);
    cr_expect_eq(ll_opt.help, 1);
}

Test(options, boundaries_and_spellings)
{
    cr_assert_eq(parse("depth=1:exitcode=0:format=text:show_reachable=0"), 0, "%s", err);
    cr_expect_eq(ll_opt.depth, 1);
    cr_expect_eq(ll_opt.format, LL_FORMAT_TEXT);
    cr_assert_eq(parse("depth=000000016:exitcode=007"), 0, "%s", err);
    cr_expect_eq(ll_opt.depth, 16);
    cr_expect_eq(ll_opt.exitcode, 7);
    cr_assert_eq(parse("show_reachable=yes:help=true"), 0, "%s", err);
    cr_expect_eq(ll_opt.show_reachable, 1);
    cr_expect_eq(ll_opt.help, 1);
    cr_assert_eq(parse("show_reachable=no:help=false"), 0, "%s", err);
    cr_expect_eq(ll_opt.show_reachable, 0);
    cr_expect_eq(ll_opt.help, 0);
}

Test(options, each_parse_starts_from_defaults)
{
    cr_assert_eq(parse("depth=5:format=json"), 0);
    cr_assert_eq(parse("exitcode=3"), 0);
    cr_expect_eq(ll_opt.depth, 16, "depth %d survived a new parse", ll_opt.depth);
    cr_expect_eq(ll_opt.format, LL_FORMAT_TEXT);
    cr_expect_eq(ll_opt.exitcode, 3);
}

Test(options, later_item_wins)
{
    cr_assert_eq(parse("depth=5:depth=7"), 0);
    cr_expect_eq(ll_opt.depth, 7);
    /* a bad later value keeps the earlier good one */
    cr_expect_eq(parse("depth=5:depth=abc"), 1, "%s", err);
    cr_expect_eq(ll_opt.depth, 5);
}

Test(options, empty_items_are_skipped_silently)
{
    int w = parse("::format=json::depth=8:");
    cr_expect_eq(w, 0, "%d warnings:\n%s", w, err);
    cr_expect_str_empty(err);
    cr_expect_eq(ll_opt.format, LL_FORMAT_JSON);
    cr_expect_eq(ll_opt.depth, 8);
    cr_expect_eq(parse(":"), 0, "%s", err);
    expect_defaults();
}

Test(options, output_path_lengths)
{
    static char s[8 + 4096];
    memcpy(s, "output=/", 8);
    memset(s + 8, 'p', 4095 - 1);          /* a 4095-byte path: the largest */
    s[8 + 4094] = 0;
    cr_assert_eq(parse(s), 0, "%.200s", err);
    cr_expect_eq(strlen(ll_opt.output), 4095);
    cr_expect_eq(memcmp(ll_opt.output, s + 7, 4095), 0);
    s[8 + 4094] = 'p';                      /* 4096 bytes: no room for the NUL */
    s[8 + 4095] = 0;
    expect_one_warning(s, "option output");
}

/* A relative path means the directory the process started in (the first
 * parse), not the one it is in when the report is written. */
Test(options, relative_paths_are_taken_from_the_start_directory)
{
    char dir[] = "/tmp/ll-opt-XXXXXX", want[64];
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(parse("output=r.%p.json:suppressions=../s.supp"), 0, "%s", err);
    snprintf(want, sizeof want, "%s/r.%%p.json", dir);
    cr_expect_str_eq(ll_opt.output, want);
    snprintf(want, sizeof want, "%s/../s.supp", dir);
    cr_expect_str_eq(ll_opt.suppressions, want);

    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(rmdir(dir), 0);
    cr_assert_eq(parse("output=x.txt:suppressions=/etc/s.supp"), 0, "%s", err);
    snprintf(want, sizeof want, "%s/x.txt", dir);
    cr_expect_str_eq(ll_opt.output, want);
    cr_expect_str_eq(ll_opt.suppressions, "/etc/s.supp");
}

Test(options, relative_path_from_the_root_directory)
{
    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(parse("output=x.txt"), 0, "%s", err);
    cr_expect_str_eq(ll_opt.output, "/x.txt");
}

/* A relative path that fits alone but not after the directory is kept as
 * it is, with no warning. */
Test(options, long_relative_path_is_kept_relative)
{
    static char s[8 + 4096];
    cr_assert_eq(chdir("/tmp"), 0);
    memcpy(s, "output=", 7);
    memset(s + 7, 'p', 4095);
    s[7 + 4095] = 0;
    cr_assert_eq(parse(s), 0, "%.200s", err);
    cr_expect_eq(strlen(ll_opt.output), 4095);
    cr_expect_eq(ll_opt.output[0], 'p');
}

/* ---- one warning each, default kept ----------------------------------------- */
Test(options, bad_depth)
{
    expect_one_warning("depth=0", "option depth");
    expect_one_warning("depth=65", "option depth");
    expect_one_warning("depth=abc", "option depth");
    expect_one_warning("depth=", "option depth");
    expect_one_warning("depth=-1", "option depth");
    expect_one_warning("depth=+3", "option depth");
    expect_one_warning("depth=1234567890", "option depth");
    cr_expect(strstr(err, "from 1 to 64") != NULL, "%s", err);
}

Test(options, bad_exitcode)
{
    expect_one_warning("exitcode=256", "option exitcode");
    cr_expect(strstr(err, "'256'") != NULL, "value not shown: %s", err);
}

Test(options, bad_format)
{
    expect_one_warning("format=xml", "option format");
    cr_expect(strstr(err, "'xml'") != NULL, "%s", err);
    expect_one_warning("format=JSON", "option format");
    expect_one_warning("format=json=1", "option format");
}

Test(options, bad_bool)
{
    expect_one_warning("show_reachable=2", "option show_reachable");
    expect_one_warning("help=maybe", "option help");
    cr_expect(strstr(err, "yes/no, true/false") != NULL, "the words accepted are not named: %s", err);
}

/* The words a yes/no option takes besides 0 and 1. */
Test(options, bool_words)
{
    cr_assert_eq(parse("show_reachable=yes:signals=false:immediate_exit=no"), 0, "%s", err);
    cr_expect_eq(ll_opt.show_reachable, 1);
    cr_expect_eq(ll_opt.signals, 0);
    cr_expect_eq(ll_opt.immediate_exit, 0);
    cr_assert_eq(parse("show_reachable=true"), 0, "%s", err);
    cr_expect_eq(ll_opt.show_reachable, 1);
}

Test(options, missing_equals)
{
    expect_one_warning("depth", "option depth");
    cr_expect(strstr(err, "needs a value") != NULL, "%s", err);
    expect_one_warning("format", "option format");
}

Test(options, unknown_keys)
{
    expect_one_warning("colour=1", "unknown option 'colour'");
    expect_one_warning("dept=5", "unknown option 'dept'");
    expect_one_warning("depthx=5", "unknown option 'depthx'");
    expect_one_warning("verbose", "unknown option 'verbose'");
    expect_one_warning("=5", "unknown option ''");
}

Test(options, long_value_and_long_key)
{
    static char s[10100];
    memcpy(s, "output=", 7);
    memset(s + 7, 'x', 10000);
    s[7 + 10000] = 0;
    expect_one_warning(s, "option output");
    cr_expect(strstr(err, "...") != NULL, "long value not shortened: %.200s", err);
    cr_expect_lt(strlen(err), 300, "warning is %zu bytes", strlen(err));

    memset(s, 'k', 10000);
    memcpy(s + 10000, "=1", 3);
    expect_one_warning(s, "unknown option 'kkkk");
    cr_expect(strstr(err, "...'") != NULL, "long key not shortened: %.200s", err);
    cr_expect_lt(strlen(err), 300, "warning is %zu bytes", strlen(err));
}

Test(options, warnings_are_counted_and_good_items_still_apply)
{
    int w = parse("depth=0:format=json:nope=1:exitcode=9:show_reachable=2:depth");
    cr_expect_eq(w, 4, "%d warnings:\n%s", w, err);
    cr_expect_eq(lines(err), 4, "%s", err);
    cr_expect_eq(ll_opt.format, LL_FORMAT_JSON);
    cr_expect_eq(ll_opt.exitcode, 9);
    cr_expect_eq(ll_opt.depth, 16);
    cr_expect_eq(ll_opt.show_reachable, 0);
}

Test(options, help_lists_every_option)
{
    int fd = memfd_create("stderr", 0), saved = dup(2);
    dup2(fd, 2);
    ll_opt_help();
    dup2(saved, 2);
    ssize_t n = pread(fd, err, sizeof err - 1, 0);
    err[n > 0 ? n : 0] = 0;
    const char *keys[] = { "format=text", "output=''", "depth=16", "show_reachable=0",
                           "exitcode=0", "help=0" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_expect(strstr(err, keys[i]) != NULL, "'%s' missing from:\n%s", keys[i], err);
    /* one line per option, plus the heading: as many as there are "x=" rows */
    int rows = 0;
    for (const char *q = err; (q = strstr(q, "\nlibleak:   ")); q++)
        rows++;
    cr_expect_eq(lines(err), rows + 1, "%s", err);
    cr_expect_geq(rows, 6, "%s", err);
}
