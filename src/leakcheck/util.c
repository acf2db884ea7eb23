/* util.c - messages, memory, strings for leakcheck. */
#include "lc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
    if (file)
        fprintf(f, " %s:%ld", file, lc_fint(frame, "line"));
    if (obj)
        fprintf(f, " (%s+%s%s)", lc_basename(obj), off ? off : "?",
                json_is_true(json_object_get(frame, "inlined")) ? ", inlined" : "");
}

void lc_xml_escaped(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* XML 1.0 forbids most control characters, even escaped. */
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
                fputc('?', f);
            else
                fputc(c, f);
        }
    }
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
