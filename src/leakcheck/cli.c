/* cli.c - leakcheck's command line.  Every mistake gets one message that
 * names the option and what was expected. */
#include "lc.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char lc_usage[] =
"usage: leakcheck [options] -- COMMAND [ARGS...]\n"
"       leakcheck [options] --reports DIR\n"
"Run COMMAND with libleak preloaded into every process of its tree, then merge\n"
"the leak reports and fail when there are new leaks.\n"
"\n"
"  --fail-on KINDS        kinds that fail: definite,indirect (default), possible,\n"
"                         reachable, or all\n"
"  --exitcode N           status when leaks fail the gate (1-255, default 23);\n"
"                         a failing COMMAND's own status always wins\n"
"  --suppressions FILE    LeakSanitizer-syntax file (leak:PATTERN); repeatable\n"
"  --gen-suppressions     print a suppression line for every reported site\n"
"  --baseline FILE        sites listed there are known and do not fail\n"
"  --write-baseline FILE  write every failing-kind site to FILE\n"
"  --json FILE            merged report as JSON\n"
"  --sarif FILE           SARIF 2.1.0, one result per leak site\n"
"  --junit FILE           JUnit XML, a test case per process\n"
"  --source-root DIR      SARIF paths relative to DIR (default: current directory)\n"
"  --no-children          judge only COMMAND's own process\n"
"  --children             judge its children's reports too (the default)\n"
"  --reports DIR          judge the reports libleak already wrote into DIR\n"
"                         (LIBLEAK_OPTIONS=format=json:output=DIR/%p.json)\n"
"  --wait SECONDS         wait this long for descendants still running after\n"
"                         COMMAND ends (default 30)\n"
"  --require-reports      fail when a process started under libleak wrote no\n"
"                         report (killed by SIGKILL, or it exec'd a static or\n"
"                         set-ID program), or its allocator came ahead of\n"
"                         libleak's; by default that is a warning\n"
"  --fresh-memory         run COMMAND with glibc's per-thread cache off and freed\n"
"                         memory overwritten, and 20 MiB of freed blocks per\n"
"                         thread kept out of use (libleak's freelist=20), so\n"
"                         that no stale pointer in memory given out again, nor\n"
"                         one left dangling to a freed block, keeps a lost block\n"
"                         reachable (Valgrind's answers; every malloc and free\n"
"                         slower)\n"
"  -v, --verbose          list every process, clean ones too\n"
"  -h, --help, --version\n"
"\n"
"Exit status: COMMAND's if it failed; else the --exitcode status if the gate\n"
"fails (new leaks, or no process wrote a report); else 24 if --require-reports\n"
"is given and a process was not checked; else 0.  125: leakcheck itself could\n"
"not do its job.\n";

enum { O_FAIL_ON = 256, O_EXITCODE, O_SUPP, O_GEN, O_BASE, O_WBASE, O_JSON,
       O_SARIF, O_JUNIT, O_ROOT, O_NOCHILD, O_CHILD, O_WAIT, O_VERSION, O_REPORTS,
       O_REQUIRE, O_FRESH };

static const struct option lc_longopts[] = {
    { "fail-on", required_argument, NULL, O_FAIL_ON },
    { "exitcode", required_argument, NULL, O_EXITCODE },
    { "suppressions", required_argument, NULL, O_SUPP },
    { "gen-suppressions", no_argument, NULL, O_GEN },
    { "baseline", required_argument, NULL, O_BASE },
    { "write-baseline", required_argument, NULL, O_WBASE },
    { "json", required_argument, NULL, O_JSON },
    { "sarif", required_argument, NULL, O_SARIF },
    { "junit", required_argument, NULL, O_JUNIT },
    { "source-root", required_argument, NULL, O_ROOT },
    { "no-children", no_argument, NULL, O_NOCHILD },
    { "children", no_argument, NULL, O_CHILD },
    { "wait", required_argument, NULL, O_WAIT },
    { "reports", required_argument, NULL, O_REPORTS },
    { "require-reports", no_argument, NULL, O_REQUIRE },
    { "fresh-memory", no_argument, NULL, O_FRESH },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

int lc_parse_kinds(const char *s, int *mask)
{
    int m = 0;
    while (*s) {
        size_t w = strcspn(s, ",");
        int k = 0;
        while (k < LC_NKINDS && (strlen(lc_kind_short[k]) != w ||
                                 strncmp(s, lc_kind_short[k], w) != 0))
            k++;
        if (k < LC_NKINDS)
            m |= 1 << k;
        else if (w == 3 && strncmp(s, "all", 3) == 0)
            m |= (1 << LC_NKINDS) - 1;
        else
            return -1;
        s += w + (s[w] == ',');
    }
    if (!m)
        return -1;
    *mask = m;
    return 0;
}

static int lc_int_arg(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int lc_bad(const char *opt, const char *val, const char *want)
{
    lc_err("bad value '%s' for --%s (expected %s)", val, opt, want);
    return -1;
}

/* 0 if path is a directory that realpath resolves (SARIF paths are made
 * relative to it, so a typo must not turn the root into "/"). */
static int lc_dir_arg(const char *path)
{
    char real[PATH_MAX];
    struct stat st;
    return *path && realpath(path, real) && stat(real, &st) == 0 && S_ISDIR(st.st_mode)
           ? 0 : -1;
}

/* One option; -1 after a message on a bad value. */
static int lc_cli_one(struct lc_config *c, int ch, const char *arg)
{
    long v;
    char *end;
    switch (ch) {
    case O_FAIL_ON:
        return lc_parse_kinds(arg, &c->fail_on) ? lc_bad("fail-on", arg,
               "definite, indirect, possible, reachable or all, comma-separated") : 0;
    case O_EXITCODE:
        if (lc_int_arg(arg, 1, 255, &v))
            return lc_bad("exitcode", arg, "a whole number from 1 to 255");
        c->exitcode = (int)v;
        return 0;
    case O_SUPP:
        c->supp_files = lc_grow(c->supp_files, (c->nsupp + 1) * sizeof(char *));
        c->supp_files[c->nsupp++] = arg;
        return 0;
    case O_WAIT:
        c->wait_seconds = strtod(arg, &end);
        /* written so that NaN, which every comparison calls false, is refused */
        if (!*arg || *end || !(c->wait_seconds >= 0 && c->wait_seconds <= 86400))
            return lc_bad("wait", arg, "seconds from 0 to 86400");
        return 0;
    case O_GEN: c->gen_supp = 1; return 0;
    case O_BASE: c->baseline = arg; return 0;
    case O_WBASE: c->write_baseline = arg; return 0;
    case O_JSON: c->json = arg; return 0;
    case O_SARIF: c->sarif = arg; return 0;
    case O_JUNIT: c->junit = arg; return 0;
    case O_ROOT:
        if (lc_dir_arg(arg))
            return lc_bad("source-root", arg, "an existing directory");
        c->source_root = arg;
        return 0;
    case O_REPORTS: c->reports = arg; return 0;
    case O_NOCHILD: c->children = 0; return 0;
    case O_CHILD: c->children = 1; return 0;
    case O_REQUIRE: c->require_reports = 1; return 0;
    case O_FRESH: c->fresh_memory = 1; return 0;
    case 'v': c->verbose = 1; return 0;
    }
    return -1;
}

static int lc_cli_unknown(char **argv, int ch)
{
    const char *arg = argv[optind - 1];
    if (ch == '?' && optopt && optopt < 256)
        lc_err("unknown option '-%c' (leakcheck --help lists them)", optopt);
    else if (ch == '?' && optopt)
        lc_err("option '%s' needs a value", arg);
    else
        lc_err("unknown option '%s' (leakcheck --help lists them)", arg);
    return -1;
}

int lc_cli_parse(struct lc_config *c, int argc, char **argv)
{
    memset(c, 0, sizeof(*c));
    c->exitcode = 23;
    c->fail_on = (1 << LC_DEFINITE) | (1 << LC_INDIRECT);
    c->children = 1;
    c->wait_seconds = 30;
    opterr = 0;                       /* our messages, not getopt's */
    int ch;
    /* '+': options stop at COMMAND, so its own options are left alone. */
    while ((ch = getopt_long(argc, argv, "+vh", lc_longopts, NULL)) != -1) {
        if (ch == 'h') {
            fputs(lc_usage, stdout);
            return 1;
        }
        if (ch == O_VERSION) {
            printf("leakcheck %s\n", LC_VERSION);
            return 1;
        }
        if (ch == '?' || ch == ':')
            return lc_cli_unknown(argv, ch);
        if (lc_cli_one(c, ch, optarg))
            return -1;
    }
    c->argv = argv + optind;
    if (c->reports && optind < argc) {
        lc_err("--reports judges existing reports: give no COMMAND with it");
        return -1;
    }
    if (c->reports && !c->children) {
        lc_err("--no-children needs a COMMAND (--reports has no top process)");
        return -1;
    }
    if (!c->reports && optind >= argc) {
        lc_err("no COMMAND given (usage: leakcheck [options] -- COMMAND [ARGS...])");
        return -1;
    }
    return 0;
}
