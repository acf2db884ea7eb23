/* baseline.c - known leak sites that do not fail the gate.
 *
 * A site is known by its signature: function@file for its first
 * LC_SIG_FRAMES frames outside system libraries (the object's name when the
 * file is unknown), with no line numbers, offsets or kind.  Editing code above a leak moves its
 * lines, and a rebuild moves its offsets; neither makes a known leak
 * "new".  The kind is left out because in a lost cycle which block is
 * "definitely" lost depends on addresses. */
#include "lc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void lc_sig_add(char **s, size_t *len, size_t *cap, const char *fn, const char *where)
{
    char *part = lc_printf("%s%s@%s", *len ? " < " : "", fn ? fn : "?", where ? where : "?");
    size_t n = strlen(part);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *s = lc_grow(*s, *cap);
    }
    memcpy(*s + *len, part, n + 1);
    *len += n;
    free(part);
}

/* One frame per return address: a function inlined into the next frame
 * ("inlined": true) stands for the address, as in reports before libleak
 * listed the functions code was inlined into, so that baselines written
 * then still match. */
static int lc_sig_skip(const json_t *stack, size_t i)
{
    return i > 0 && json_is_true(json_object_get(json_array_get(stack, i - 1), "inlined"));
}

/* System libraries' frames are left out: whether libc's own file names
 * are known depends on the machine's debug packages, and the program's
 * frames are what identify the site.  A stack entirely inside them (a
 * leak in /bin/sh) is named by function@object instead. */
char *lc_signature(const json_t *stack)
{
    size_t cap = 256, len = 0, i, n = 0;
    char *s = lc_alloc(cap);
    const json_t *f;
    json_array_foreach(stack, i, f) {
        const char *obj = lc_fstr(f, "object"), *file = lc_fstr(f, "file");
        if (n == LC_SIG_FRAMES || lc_system_object(obj) || lc_sig_skip(stack, i))
            continue;
        lc_sig_add(&s, &len, &cap, lc_fstr(f, "function"), lc_basename(file ? file : obj));
        n++;
    }
    size_t k = 0;
    json_array_foreach(stack, i, f) {
        if (n || k == LC_SIG_FRAMES)
            break;
        if (lc_sig_skip(stack, i))
            continue;
        k++;
        lc_sig_add(&s, &len, &cap, lc_fstr(f, "function"), lc_basename(lc_fstr(f, "object")));
    }
    return s;
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
        m->baseline[m->nbaseline++] = lc_strdup(sig);
    }
    free(buf);
    fclose(f);
    m->baseline_used = lc_alloc(m->nbaseline + 1);
    return 0;
}

static int lc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
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
            fprintf(f, "%s\n", v[i]);
    free(v);
    return ferror(f) ? -1 : 0;
}
