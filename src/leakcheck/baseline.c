/* baseline.c - known leak sites that do not fail the gate.
 *
 * A site is known by its signature: function@file for the first
 * LC_SIG_FRAMES functions of its logical call chain outside system
 * libraries and system headers (the object's name when the file is
 * unknown; "?+0x1f", the place in the function, when the function has no
 * name), with no line numbers, offsets in the object, or kind.  Editing
 * code above a leak moves its lines, and a rebuild moves its offsets;
 * neither makes a known leak "new".  The kind
 * is left out because in a lost cycle which block is "definitely" lost
 * depends on addresses. */
#include "lc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* GCC's and LLVM's copies of a function (f.constprop.0, f.isra.0, f.part.0,
 * f.cold, f.llvm.123; "f() [clone .cold]" in C++) exist only in optimized
 * builds: the signature names the function they were made from, so that
 * a -O0 and a -O2 build of the same leak agree. */
static int lc_sig_fn_len(const char *fn)
{
    static const char *const clones[] = { ".constprop.", ".isra.", ".part.", ".cold",
                                          ".lto_priv.", ".llvm.", " [clone .", NULL };
    size_t n = strlen(fn);
    for (int i = 0; clones[i]; i++) {
        const char *p = strstr(fn, clones[i]);
        if (p && p > fn && (size_t)(p - fn) < n)
            n = (size_t)(p - fn);
    }
    return (int)n;
}

/* A frame with no name (a stripped program) is "?+0x1f": its place in its
 * function, by the unwind tables (function_offset), which a rebuild of
 * other code does not move; "?" when the report has no such place. */
static void lc_sig_add(char **s, size_t *len, size_t *cap, const json_t *f, const char *where)
{
    const char *fn = lc_fstr(f, "function"), *at = lc_fstr(f, "function_offset");
    char *part = fn ? lc_printf("%s%.*s@%s", *len ? " < " : "", lc_sig_fn_len(fn), fn,
                                where ? where : "?")
                    : lc_printf("%s?%s%s@%s", *len ? " < " : "", at ? "+" : "", at ? at : "",
                                where ? where : "?");
    size_t n = strlen(part);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *s = lc_grow(*s, *cap);
    }
    memcpy(*s + *len, part, n + 1);
    *len += n;
    free(part);
}

/* Every frame of the report counts, inlined ones ("inlined": true) and the
 * functions they were inlined into alike: that is the logical call chain,
 * the same whether the compiler inlined or not (a -O0 and a -O2 build give
 * one signature), and a helper inlined into two callers gives two.
 * System libraries' frames are left out: whether libc's own file names are
 * known depends on the machine's debug packages, and the program's frames
 * are what identify the site.  So are system headers' inlined into the
 * program: a std::vector's push_back is five of them, which would fill the
 * slots before the caller and give every vector leak one signature.  A stack entirely inside them (a leak in
 * /bin/sh) is named by function@object instead. */
char *lc_signature(const json_t *stack)
{
    size_t cap = 256, len = 0, i, n = 0;
    char *s = lc_alloc(cap);
    const json_t *f;
    json_array_foreach(stack, i, f) {
        const char *obj = lc_fstr(f, "object"), *file = lc_fstr(f, "file");
        if (n == LC_SIG_FRAMES || lc_system_object(obj) || lc_system_source(f))
            continue;
        lc_sig_add(&s, &len, &cap, f, lc_basename(file ? file : obj));
        n++;
    }
    json_array_foreach(stack, i, f) {
        if (n || i == LC_SIG_FRAMES)
            break;
        lc_sig_add(&s, &len, &cap, f, lc_basename(lc_fstr(f, "object")));
    }
    return s;
}

/* A signature as one line of the file: a backslash, a control character
 * (a newline in a file name), and a blank at either end or a '#' at the
 * start (which reading would trim or take for a comment) are escaped:
 * \\, \n, \r, \t, else \xHH.  Other signatures are written as they are. */
static void lc_baseline_put(FILE *f, const char *sig)
{
    size_t n = strlen(sig);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)sig[i];
        int edge = (i == 0 || i == n - 1) && (c == ' ' || (c == '#' && i == 0));
        if (c == '\\')
            fputs("\\\\", f);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f || edge)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('\n', f);
}

static int lc_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* lc_baseline_put's escapes undone in place.  A backslash that starts no
 * escape stays as it is, so a line written before escaping existed reads
 * as it always did unless it held one of the escapes. */
static void lc_baseline_unescape(char *s)
{
    char *o = s;
    while (*s) {
        if (*s != '\\' || !s[1]) {
            *o++ = *s++;
            continue;
        }
        static const char names[] = "\\nrt", chars[] = "\\\n\r\t";
        const char *simple = strchr(names, s[1]);
        int hex = s[1] == 'x' && lc_hex(s[2]) >= 0 && lc_hex(s[3]) >= 0;
        if (simple) {
            *o++ = chars[simple - names];
            s += 2;
        } else if (hex && (lc_hex(s[2]) || lc_hex(s[3]))) {         /* not \x00 */
            *o++ = (char)(lc_hex(s[2]) * 16 + lc_hex(s[3]));
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
}

/* A line without its trailing blanks; NULL for blank lines and comments. */
static char *lc_baseline_line(char *line)
{
    size_t n = strlen(line);
    while (n && strchr(" \t\r\n", line[n - 1]))
        line[--n] = 0;
    line += strspn(line, " \t");
    return *line && *line != '#' ? line : NULL;
}

/* Signatures written before libleak's stacks ended at main ended with the
 * program's start-up frame, " < _start@PROGRAM": read without it, so that
 * such a baseline still knows its sites. */
static void lc_baseline_compat(char *sig)
{
    char *last = NULL;
    for (char *p = strstr(sig, " < "); p; p = strstr(p + 3, " < "))
        last = p;
    if (last && strncmp(last + 3, "_start@", 7) == 0)
        *last = 0;
}

static int lc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each signature once: an entry listed twice (two baselines
 * concatenated) is one known site, and a copy that no site matched must not
 * be reported as "no longer seen" when its twin was. */
static void lc_baseline_unique(struct lc_merge *m)
{
    size_t n = 0;
    qsort(m->baseline, m->nbaseline, sizeof(char *), lc_cmp_str);
    for (size_t i = 0; i < m->nbaseline; i++) {
        if (n && strcmp(m->baseline[i], m->baseline[n - 1]) == 0)
            free(m->baseline[i]);
        else
            m->baseline[n++] = m->baseline[i];
    }
    m->nbaseline = n;
}

int lc_baseline_read(struct lc_merge *m, const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        lc_err("cannot read the baseline file '%s': %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0;
    while (getline(&buf, &cap, f) >= 0) {
        char *sig = lc_baseline_line(buf);
        if (!sig)
            continue;
        m->baseline = lc_grow(m->baseline, (m->nbaseline + 1) * sizeof(char *));
        lc_baseline_unescape(sig);
        lc_baseline_compat(sig);
        m->baseline[m->nbaseline++] = lc_strdup(sig);
    }
    /* A directory opens, then fails to read (EISDIR): not an empty baseline. */
    int err = ferror(f) ? errno : 0;
    free(buf);
    fclose(f);
    if (err) {
        lc_err("cannot read the baseline file '%s': %s", path, strerror(err));
        return -1;
    }
    if (m->nbaseline)
        lc_baseline_unique(m);
    m->baseline_used = lc_alloc(m->nbaseline + 1);
    return 0;
}

/* Every unsuppressed site of a failing kind, sorted, each signature once,
 * so the file diffs cleanly from run to run. */
int lc_baseline_write(const struct lc_merge *m, FILE *f)
{
    const char **v = lc_alloc((m->nsites + 1) * sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < m->nsites; i++)
        if (m->sites[i].fails || m->sites[i].baselined)
            v[n++] = m->sites[i].signature;
    qsort(v, n, sizeof(char *), lc_cmp_str);
    fputs("# leakcheck baseline: known leak sites, which do not fail the gate.\n"
          "# One per line: function@file of the first frames, innermost first.\n"
          "# Regenerate with: leakcheck --write-baseline FILE -- COMMAND\n", f);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            lc_baseline_put(f, v[i]);
    free(v);
    return ferror(f) ? -1 : 0;
}
