/* options.c - LIBLEAK_OPTIONS: key=value pairs separated by ':'.
 *
 * One table is the single source for parsing, defaults, help=1 and the
 * README's list.  Parsing never allocates: it runs during initialisation,
 * inside the first malloc call. */
#include "ll.h"

#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ll_options ll_opt;

enum ll_opt_type { LL_OPT_INT, LL_OPT_BOOL, LL_OPT_ENUM, LL_OPT_PATH, LL_OPT_KINDS };

struct ll_optdef {
    const char *name;
    enum ll_opt_type type;
    size_t off;
    int min, max;                       /* LL_OPT_INT */
    const char *const *choices;         /* LL_OPT_ENUM, NULL-terminated */
    const char *def;
    const char *help;
};

static const char *const ll_formats[] = { "text", "json", "html", "folded", NULL };
static const char *const ll_colors[] = { "auto", "always", "never", NULL };

#define LL_OFF(f) offsetof(struct ll_options, f)
static const struct ll_optdef ll_optdefs[] = {
    { "format", LL_OPT_ENUM, LL_OFF(format), 0, 0, ll_formats, "text",
      "report format: text, json, html or folded" },
    { "output", LL_OPT_PATH, LL_OFF(output), 0, 0, NULL, "",
      "write the report to this file instead of stderr; %p is the pid" },
    { "depth", LL_OPT_INT, LL_OFF(depth), 1, LL_MAX_DEPTH, NULL, "16",
      "frames kept per allocation stack (libleak's own frames not counted)" },
    { "show_reachable", LL_OPT_BOOL, LL_OFF(show_reachable), 0, 1, NULL, "0",
      "list still-reachable blocks too (they are always counted)" },
    { "exitcode", LL_OPT_INT, LL_OFF(exitcode), 0, 255, NULL, "0",
      "exit with this status when unsuppressed blocks of the fail_on kinds "
      "were lost (0: keep the program's own)" },
    { "fail_on", LL_OPT_KINDS, LL_OFF(fail_on), 0, 0, NULL, "definite,indirect",
      "kinds that make exitcode apply: definite, indirect, possible, "
      "reachable, comma-separated, or all" },
    { "suppressions", LL_OPT_PATH, LL_OFF(suppressions), 0, 0, NULL, "",
      "LeakSanitizer-syntax file (leak:PATTERN lines); matching blocks are "
      "counted as suppressed, not reported" },
    { "started", LL_OPT_PATH, LL_OFF(started), 0, 0, NULL, "",
      "when libleak starts in a process, create this file (%p is the pid) "
      "holding its pid, start time and command line, which its report "
      "repeats: a process that wrote no report can be found" },
    { "signals", LL_OPT_BOOL, LL_OFF(signals), 0, 1, NULL, "1",
      "on a signal that ends the process (a fault, SIGABRT, SIGTERM, SIGINT, "
      "SIGPIPE...) the program does not handle, write the report, then die of "
      "the signal" },
    { "immediate_exit", LL_OPT_BOOL, LL_OFF(immediate_exit), 0, 1, NULL, "1",
      "write the report when the started process ends with _exit() or "
      "_Exit() (fork children that do are never reported)" },
    { "freelist", LL_OPT_INT, LL_OFF(freelist), 0, 65536, NULL, "0",
      "keep up to this many MiB of freed blocks from the allocator, as "
      "Valgrind does (20 MB): a pointer left dangling to a freed block then "
      "cannot make a new block at its address reachable, and realloc always "
      "moves the block (0: off)" },
    { "help", LL_OPT_BOOL, LL_OFF(help), 0, 1, NULL, "0",
      "print this list at start-up" },
    { "color", LL_OPT_ENUM, LL_OFF(color), 0, 0, ll_colors, "auto",
      "colour in the text report: auto (on a terminal, unless NO_COLOR is "
      "set), always or never" },
};
#define LL_NOPT (sizeof(ll_optdefs) / sizeof(ll_optdefs[0]))

static int ll_word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int ll_parse_int(const char *s, size_t n, long *out)
{
    long v = 0;
    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* fail_on: the leak kinds by their short names, in enum ll_kind order. */
static const char *const ll_kind_short[LL_KIND_COUNT] = {
    "definite", "indirect", "possible", "reachable"
};

/* "definite,indirect" -> a bit per kind; "all" is every kind. */
static int ll_parse_kinds(const char *v, size_t n, int *out)
{
    int mask = 0;
    while (n) {
        const char *c = memchr(v, ',', n);
        size_t w = c ? (size_t)(c - v) : n;
        int k = 0;
        while (k < LL_KIND_COUNT && !ll_word_eq(v, w, ll_kind_short[k]))
            k++;
        if (k < LL_KIND_COUNT)
            mask |= 1 << k;
        else if (ll_word_eq(v, w, "all"))
            mask |= (1 << LL_KIND_COUNT) - 1;
        else
            return -1;
        v += w + (c != NULL);
        n -= w + (c != NULL);
    }
    if (!mask)
        return -1;
    *out = mask;
    return 0;
}

static void ll_kinds_format(int mask, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < LL_KIND_COUNT; i++) {
        size_t w = strlen(ll_kind_short[i]);
        if (!(mask & (1 << i)) || k + w + 2 > cap)
            continue;
        if (k)
            buf[k++] = ',';
        memcpy(buf + k, ll_kind_short[i], w + 1);
        k += w;
    }
}

/* The directory the process started in, with a '/' at its end; "" if it
 * cannot be named (deleted, unreachable, too long).  The system call, not
 * libc's getcwd(), whose fallback allocates. */
static const char *ll_start_dir(void)
{
    static char dir[sizeof(ll_opt.output)];
    if (dir[0])
        return dir;
    long n = syscall(SYS_getcwd, dir, sizeof(dir) - 1);
    if (n < 2 || dir[0] != '/') {
        dir[0] = 0;
        return dir;
    }
    if (dir[n - 2] != '/') {            /* n counts the NUL; "/" needs none */
        dir[n - 1] = '/';
        dir[n] = 0;
    }
    return dir;
}

/* A path option.  A relative one is taken from the directory the process
 * started in, not the one it ends in: the report and the suppressions are
 * opened at exit, and a program that changed directory meanwhile (a
 * daemon, make -C, a script's cd) would put its report somewhere else.
 * Kept relative if the two do not fit together. */
static int ll_opt_path(char *field, const char *v, size_t n)
{
    if (n >= sizeof(ll_opt.output))
        return -1;
    const char *dir = n && v[0] != '/' ? ll_start_dir() : "";
    size_t k = strlen(dir);
    if (k + n >= sizeof(ll_opt.output))
        k = 0;
    memcpy(field, dir, k);
    memcpy(field + k, v, n);
    field[k + n] = 0;
    return 0;
}

/* Store value v (length n) for option d; -1 if it is not acceptable. */
static int ll_opt_set(const struct ll_optdef *d, const char *v, size_t n)
{
    char *field = (char *)&ll_opt + d->off;
    long x;
    switch (d->type) {
    case LL_OPT_INT:
        if (ll_parse_int(v, n, &x) || x < d->min || x > d->max)
            return -1;
        *(int *)field = (int)x;
        return 0;
    case LL_OPT_BOOL:
        if (ll_word_eq(v, n, "1") || ll_word_eq(v, n, "true") || ll_word_eq(v, n, "yes"))
            *(int *)field = 1;
        else if (ll_word_eq(v, n, "0") || ll_word_eq(v, n, "false") || ll_word_eq(v, n, "no"))
            *(int *)field = 0;
        else
            return -1;
        return 0;
    case LL_OPT_ENUM:
        for (int i = 0; d->choices[i]; i++)
            if (ll_word_eq(v, n, d->choices[i])) {
                *(int *)field = i;
                return 0;
            }
        return -1;
    case LL_OPT_KINDS:
        return ll_parse_kinds(v, n, (int *)field);
    case LL_OPT_PATH:
        return ll_opt_path(field, v, n);
    }
    return -1;
}

/* The option's current value, as a user would write it. */
static const char *ll_opt_current(const struct ll_optdef *d, char *buf, size_t cap)
{
    const char *field = (const char *)&ll_opt + d->off;
    if (d->type == LL_OPT_PATH)
        return field[0] ? field : d->off == LL_OFF(output) ? "(stderr)" : "(none)";
    int v = *(const int *)field;
    if (d->type == LL_OPT_KINDS) {
        ll_kinds_format(v, buf, cap);
        return buf;
    }
    if (d->type == LL_OPT_ENUM)
        return d->choices[v];
    struct ll_out o;                    /* format without stdio */
    ll_out_init(&o, -1);
    ll_out_i64(&o, v);
    size_t n = o.len < cap - 1 ? o.len : cap - 1;
    memcpy(buf, o.buf, n);
    buf[n] = 0;
    return buf;
}

/* A value shown in a message: at most 60 bytes of it. */
static const char *ll_opt_shown(const char *v, size_t n, char *buf, size_t cap)
{
    size_t k = n < cap - 4 ? n : cap - 4;
    memcpy(buf, v, k);
    memcpy(buf + k, n > k ? "..." : "", n > k ? 4 : 1);
    return buf;
}

/* The choices of an enum option, as a warning lists them. */
static const char *ll_enum_expected(const struct ll_optdef *d)
{
    return d->choices == ll_colors ? "auto, always or never"
                                   : "text, json, html or folded";
}

static void ll_opt_warn_value(const struct ll_optdef *d, const char *v, size_t n)
{
    char shown[64], cur[48];
    const char *keep = ll_opt_current(d, cur, sizeof(cur));
    ll_opt_shown(v, n, shown, sizeof(shown));
    const char *want = d->type == LL_OPT_BOOL ? "0 or 1 (or yes/no, true/false)"
                     : d->type == LL_OPT_ENUM ? ll_enum_expected(d)
                     : d->type == LL_OPT_PATH ? "a path shorter than 4096 bytes"
                     : d->type == LL_OPT_KINDS ? "definite, indirect, possible, "
                                                 "reachable or all, comma-separated"
                     : NULL;
    if (want)
        ll_msg("bad value '%s' for option %s (expected %s); keeping %s",
               shown, d->name, want, keep);
    else
        ll_msg("bad value '%s' for option %s (expected a whole number from %d "
               "to %d); keeping %s", shown, d->name, d->min, d->max, keep);
}

void ll_opt_defaults(void)
{
    memset(&ll_opt, 0, sizeof(ll_opt));
    for (size_t i = 0; i < LL_NOPT; i++)
        ll_opt_set(&ll_optdefs[i], ll_optdefs[i].def, strlen(ll_optdefs[i].def));
}

static int ll_opt_item(const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    size_t klen = eq ? (size_t)(eq - s) : n;
    for (size_t i = 0; i < LL_NOPT; i++) {
        const struct ll_optdef *d = &ll_optdefs[i];
        if (!ll_word_eq(s, klen, d->name))
            continue;
        if (!eq) {
            char cur[48];
            ll_msg("option %s needs a value (%s=...); keeping %s", d->name,
                   d->name, ll_opt_current(d, cur, sizeof(cur)));
            return 1;
        }
        const char *v = eq + 1;
        size_t vlen = n - klen - 1;
        if (ll_opt_set(d, v, vlen) == 0)
            return 0;
        ll_opt_warn_value(d, v, vlen);
        return 1;
    }
    char key[64];
    ll_msg("unknown option '%s' ignored (LIBLEAK_OPTIONS=help=1 lists them)",
           ll_opt_shown(s, klen, key, sizeof(key)));
    return 1;
}

int ll_opt_parse(const char *s)
{
    int warnings = 0;
    ll_opt_defaults();
    while (s && *s) {
        const char *end = strchr(s, ':');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n)
            warnings += ll_opt_item(s, n);
        s += n + (end != NULL);
    }
    return warnings;
}

void ll_opt_help(void)
{
    ll_msg("options (LIBLEAK_OPTIONS=key=value:key=value):");
    for (size_t i = 0; i < LL_NOPT; i++) {
        const struct ll_optdef *d = &ll_optdefs[i];
        ll_msg("  %s=%s  %s", d->name, d->def[0] ? d->def : "''", d->help);
    }
}
