/* util.c - messages, memory, strings for leakcheck. */
#include "lc.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

const char *const lc_kind_json[LC_NKINDS] = {
    "definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable"
};
const char *const lc_kind_short[LC_NKINDS] = {
    "definite", "indirect", "possible", "reachable"
};
const char *const lc_kind_text[LC_NKINDS] = {
    "definitely lost", "indirectly lost", "possibly lost", "still reachable"
};

int lc_kind_from_json(const char *s)
{
    for (int k = 0; s && k < LC_NKINDS; k++)
        if (strcmp(s, lc_kind_json[k]) == 0)
            return k;
    return -1;
}

void lc_err(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("leakcheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void lc_oom(void)
{
    lc_err("out of memory");
    exit(LC_EXIT_OWN);
}

void *lc_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        lc_oom();
    return p;
}

void *lc_grow(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        lc_oom();
    return p;
}

char *lc_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        lc_oom();
    return d;
}

char *lc_printf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        lc_oom();
    return s;
}

struct lc_name {
    const char *s;
    UT_hash_handle hh;
};

int lc_names_has(const struct lc_names *s, const char *name)
{
    struct lc_name *e = NULL;
    if (s && name)
        HASH_FIND(hh, s->head, name, strlen(name), e);
    return e != NULL;
}

int lc_names_add(struct lc_names *s, const char *name)
{
    if (lc_names_has(s, name))
        return 0;
    struct lc_name *e = lc_alloc(sizeof *e);
    e->s = name;
    HASH_ADD_KEYPTR(hh, s->head, e->s, strlen(e->s), e);
    return 1;
}

void lc_names_free(struct lc_names *s)
{
    struct lc_name *e, *tmp;
    HASH_ITER(hh, s->head, e, tmp) {
        HASH_DEL(s->head, e);
        free(e);
    }
    *s = (struct lc_names){ 0 };
}

const char *lc_basename(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path;
}

const char *lc_fstr(const json_t *frame, const char *key)
{
    return json_string_value(json_object_get(frame, key));
}

long lc_fint(const json_t *frame, const char *key)
{
    return (long)json_integer_value(json_object_get(frame, key));
}

void lc_frame_text(FILE *f, const json_t *frame)
{
    const char *fn = lc_fstr(frame, "function"), *file = lc_fstr(frame, "file");
    const char *obj = lc_fstr(frame, "object"), *off = lc_fstr(frame, "offset");
    fputs(fn ? fn : "???", f);
    long line = lc_fint(frame, "line");
    if (file)
        fprintf(f, line > 0 ? " %s:%ld" : " %s", file, line);  /* 0: not known */
    if (obj)
        fprintf(f, " (%s+%s%s)", lc_basename(obj), off ? off : "?",
                json_is_true(json_object_get(frame, "inlined")) ? ", inlined" : "");
}

#define LC_REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */

char *lc_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    char *d = lc_alloc(3 * strlen((const char *)p) + 1), *o = d;
    while (*p) {
        size_t n = ll_utf8_len(p);
        memcpy(o, n ? (const char *)p : LC_REPLACEMENT, n ? n : 3);
        o += n ? n : 3;
        p += n ? n : 1;
    }
    *o = 0;
    return d;
}

json_t *lc_json_str(const char *s)
{
    if (!s)
        return json_null();
    char *u = lc_utf8(s);
    json_t *j = json_string(u);
    free(u);
    return j;
}

/* XML 1.0 forbids most control characters (even as references) and
 * U+FFFE, U+FFFF; a parser stops at the first one. */
static int lc_xml_allowed(const unsigned char *p, size_t n)
{
    if (n == 1)
        return *p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r';
    return !(n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe);
}

void lc_xml_escaped(FILE *f, const char *s, int attr)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; ) {
        size_t n = ll_utf8_len(p);
        switch (n == 1 ? *p : 0) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        /* A parser reads a literal CR as LF, and a literal newline or tab
         * in an attribute as a space: references keep them. */
        case '\r': fputs("&#13;", f); break;
        case '\n': fputs(attr ? "&#10;" : "\n", f); break;
        case '\t': fputs(attr ? "&#9;" : "\t", f); break;
        default:
            if (n && lc_xml_allowed(p, n))
                fwrite(p, 1, n, f);
            else
                fputs(LC_REPLACEMENT, f);
        }
        p += n ? n : 1;
    }
}

int lc_write_json(FILE *f, json_t *doc, const char *path, const char *what)
{
    if (!doc) {
        lc_err("cannot write the %s file '%s': building it failed (out of memory?)",
               what, path);
        return -1;
    }
    int rc = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(doc);
    return rc;                  /* a write error: lc_close_output names the file */
}

FILE *lc_open_output(const char *path, const char *what)
{
    if (!path)
        return NULL;
    FILE *f = fopen(path, "w");
    if (!f)
        lc_err("cannot write the %s file '%s': %s", what, path, strerror(errno));
    return f;
}

int lc_close_output(FILE *f, const char *path)
{
    if (!f)
        return 0;
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        lc_err("writing '%s' failed: %s", path, strerror(errno ? errno : EIO));
        return -1;
    }
    return 0;
}

const char *lc_num(uint64_t v, char buf[32])
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = tmp[i];
    }
    buf[k] = 0;
    return buf;
}
