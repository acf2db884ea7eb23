/* demangle_rust.c - Rust's legacy symbol names, without libstdc++.
 *
 * A Rust program does not load libstdc++, so __cxa_demangle (which reads
 * the legacy scheme, as Itanium C++ names) is not there at report time.
 * The scheme is small: "_ZN" then length-prefixed path segments, the last
 * one "h" and a 16-digit hash, then "E"; inside a segment "$LT$"-style
 * escapes stand for punctuation and ".." for "::".  The hash is dropped, as
 * Rust's own backtraces do.  Called at report time with the recursion guard
 * set, so the result comes from the real malloc; the caller frees it. */
#include "ll.h"

#include <stdlib.h>
#include <string.h>

/* The escapes rustc writes, and what they stand for. */
static const struct { const char *esc; char c; } ll_rust_esc[] = {
    { "$SP$", '@' }, { "$BP$", '*' }, { "$RF$", '&' }, { "$LT$", '<' },
    { "$GT$", '>' }, { "$LP$", '(' }, { "$RP$", ')' }, { "$C$", ',' },
};

/* One escape at s (inside a segment ending at end): its character and
 * length, or 0.  "$u7e$" is a code point in hex; only ASCII is decoded. */
static size_t ll_rust_unescape(const char *s, const char *end, char *out)
{
    for (size_t i = 0; i < sizeof ll_rust_esc / sizeof ll_rust_esc[0]; i++) {
        size_t n = strlen(ll_rust_esc[i].esc);
        if ((size_t)(end - s) >= n && memcmp(s, ll_rust_esc[i].esc, n) == 0) {
            *out = ll_rust_esc[i].c;
            return n;
        }
    }
    if (end - s >= 5 && s[1] == 'u' && ll_hexval(s[2]) >= 0 && ll_hexval(s[3]) >= 0 &&
        s[4] == '$') {
        *out = (char)(ll_hexval(s[2]) * 16 + ll_hexval(s[3]));
        return 5;
    }
    return 0;
}

/* Append segment [s, end) to d, decoded. */
static char *ll_rust_segment(char *d, const char *s, const char *end)
{
    if (s < end && s[0] == '_' && end - s > 1 && s[1] == '$')
        s++;                  /* "_$" starts a segment that began with '$' */
    while (s < end) {
        char c;
        size_t n = s[0] == '$' ? ll_rust_unescape(s, end, &c) : 0;
        if (n) {
            *d++ = c, s += n;
        } else if (s[0] == '.' && end - s > 1 && s[1] == '.') {
            *d++ = ':', *d++ = ':', s += 2;
        } else {
            *d++ = *s++;
        }
    }
    return d;
}

int ll_rust_is_hash(const char *s, size_t n)
{
    if (n != 17 || s[0] != 'h')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (ll_hexval(s[i]) < 0)
            return 0;
    return 1;
}

char *ll_demangle_rust(const char *raw)
{
    if (strncmp(raw, "_ZN", 3) != 0)
        return NULL;
    size_t cap = strlen(raw) * 2 + 1;   /* "..": 2 bytes -> "::": 2 bytes */
    char *out = malloc(cap), *d = out;
    const char *s = raw + 3;
    int hashed = 0;
    while (out && *s >= '1' && *s <= '9') {
        size_t n = strtoul(s, (char **)&s, 10);
        if (n > strlen(s))
            break;
        if (ll_rust_is_hash(s, n) && s[n] == 'E') {
            hashed = 1, s += n;
            break;
        }
        if (d != out)
            *d++ = ':', *d++ = ':';
        d = ll_rust_segment(d, s, s + n);
        s += n;
    }
    /* only a Rust name ends in the hash: anything else is C++'s business */
    if (!out || !hashed || strcmp(s, "E") != 0) {
        free(out);
        return NULL;
    }
    *d = 0;
    return out;
}
