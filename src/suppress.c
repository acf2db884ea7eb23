/* suppress.c - suppression files: parsing and matching (see suppress.h).
 *
 * Compiled into libleak.so, where it runs only at report time with the
 * recursion guard held (so malloc and stdio go to the real allocator,
 * untracked), and into the leakcheck wrapper.  It therefore uses nothing
 * but libc and reports problems through the caller's callback. */
#include "suppress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- matching ------------------------------------------------------------ */

/* The pattern as the matcher sees it: an unanchored side is an implicit '*'
 * so "foo" means "*foo*" and "^foo$" means exactly "foo". */
struct ll_glob {
    const char *p;
    size_t n;                 /* of p, anchors removed */
    int lead, trail;          /* implicit '*' before / after */
};

static char ll_glob_at(const struct ll_glob *g, size_t i)
{
    if (g->lead && i == 0)
        return '*';
    i -= (size_t)g->lead;
    return i < g->n ? g->p[i] : '*';        /* past the end: the trailing '*' */
}

/* Classic wildcard walk: on a mismatch, go back to the last '*' and let it
 * swallow one more character.  Linear in practice, never recursive. */
static int ll_glob_match(const struct ll_glob *g, const char *t)
{
    size_t plen = g->n + (size_t)g->lead + (size_t)g->trail;
    size_t pi = 0, star = (size_t)-1;
    const char *ti = t, *mark = t;
    while (*ti) {
        char c = pi < plen ? ll_glob_at(g, pi) : 0;
        if (c == '*') {
            star = pi++;
            mark = ti;
        } else if (c && c == *ti) {
            pi++;
            ti++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < plen && ll_glob_at(g, pi) == '*')
        pi++;
    return pi == plen;
}

int ll_supp_match(const char *pattern, const char *text)
{
    if (!pattern || !text)
        return 0;
    struct ll_glob g = { pattern, strlen(pattern), 1, 1 };
    if (g.n && g.p[0] == '^') {
        g.lead = 0;
        g.p++;
        g.n--;
    }
    if (g.n && g.p[g.n - 1] == '$') {
        g.trail = 0;
        g.n--;
    }
    return ll_glob_match(&g, text);
}

long ll_supp_find(const struct ll_supp_set *s, const struct ll_supp_frame *frames,
                  size_t n)
{
    for (size_t f = 0; f < n; f++)
        for (size_t i = 0; i < s->n; i++) {
            const char *p = s->v[i].pattern;
            if (ll_supp_match(p, frames[f].function) ||
                ll_supp_match(p, frames[f].file) ||
                ll_supp_match(p, frames[f].object))
                return (long)i;
        }
    return -1;
}

/* ---- parsing ------------------------------------------------------------- */

static int ll_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int ll_supp_push(struct ll_supp_set *s, const char *pat, size_t n,
                        const char *file, int line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct ll_supp *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, pat, n);
    copy[n] = 0;
    s->v[s->n++] = (struct ll_supp){ .pattern = copy, .file = file, .line = line };
    return 0;
}

int ll_supp_parse_line(struct ll_supp_set *s, const char *text, const char *file,
                       int line, const char **why)
{
    const char *b = text, *e = text + strlen(text);
    while (b < e && ll_is_space(*b))
        b++;
    while (e > b && ll_is_space(e[-1]))
        e--;
    if (b == e || *b == '#')
        return 0;
    const char *colon = memchr(b, ':', (size_t)(e - b));
    if (!colon) {
        *why = "expected leak:PATTERN";
        return -1;
    }
    if (colon - b != 4 || memcmp(b, "leak", 4) != 0) {
        /* LSan files for other tools (race:, called_from_lib:, ...) land
         * here: say so rather than silently ignoring the line. */
        *why = "only leak: suppressions are supported";
        return -1;
    }
    const char *p = colon + 1;
    while (p < e && ll_is_space(*p))
        p++;
    if (p == e) {
        *why = "empty pattern after leak:";
        return -1;
    }
    if (ll_supp_push(s, p, (size_t)(e - p), file, line)) {
        *why = "out of memory";
        return -1;
    }
    return 1;
}

/* The set keeps its own copy of each file name: entries point at it. */
static const char *ll_supp_file_name(struct ll_supp_set *s, const char *path)
{
    char **v = realloc(s->files, (s->nfiles + 1) * sizeof(*v));
    if (!v)
        return NULL;
    s->files = v;
    v[s->nfiles] = strdup(path);
    return v[s->nfiles] ? v[s->nfiles++] : NULL;
}

int ll_supp_load(struct ll_supp_set *s, const char *path, ll_supp_warn_fn *warn,
                 void *ctx)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        warn(ctx, path, 0, strerror(errno));
        return -1;
    }
    const char *name = ll_supp_file_name(s, path);
    char *buf = NULL;
    size_t cap = 0;
    int line = 0;
    while (getline(&buf, &cap, f) >= 0) {
        const char *why = NULL, *text = buf;
        line++;
        /* A UTF-8 byte-order mark, as some Windows editors write, is no text. */
        if (line == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
            text += 3;
        if (ll_supp_parse_line(s, text, name ? name : "?", line, &why) < 0)
            warn(ctx, path, line, why);
    }
    int err = ferror(f) ? errno : 0;
    free(buf);
    fclose(f);
    if (err) {
        warn(ctx, path, 0, strerror(err));
        return -1;
    }
    return 0;
}

void ll_supp_free(struct ll_supp_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].pattern);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->v);
    free(s->files);
    memset(s, 0, sizeof(*s));
}
