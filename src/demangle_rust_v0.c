/* demangle_rust_v0.c - Rust's v0 symbol names ("_R..."), without libstdc++.
 *
 * The standard library of recent toolchains is built with the v0 scheme,
 * so a Rust program's stack holds names like _RNvNtCs1234_3std2rt10lang_start.
 * The scheme is a small grammar read left to right: a path of nested
 * namespaces ("N"), crate roots ("C"), impls ("M", "X", "Y") and generic
 * arguments ("I"), types in a letter or two, and back-references ("B") to
 * an earlier position, which make the output longer than the input.  Names
 * are printed as Rust's own backtraces print them, without the crate hashes
 * and disambiguators: "<std::alloc::System as core::alloc::global::
 * GlobalAlloc>::alloc", "std::rt::lang_start::<()>::{closure#0}".
 *
 * Whatever this reader does not know (a structured constant, a malformed
 * name, an output past LL_V0_MAX, nesting past LL_V0_DEPTH: a crafted name
 * must not blow the stack) gives NULL, and the caller prints the raw name.
 * Called at report time with the recursion guard set, so the result comes
 * from the real malloc; the caller frees it. */
#include "ll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LL_V0_MAX 4096              /* output bytes */
#define LL_V0_DEPTH 64              /* nesting, back-references included */

struct ll_v0 {
    const char *s;                  /* the name after "_R" */
    size_t n, pos;
    char *out;
    size_t len;
    unsigned depth;
    int bad;
};

static void v0_put(struct ll_v0 *d, const char *s, size_t n)
{
    if (d->bad || d->len + n >= LL_V0_MAX) {
        d->bad = 1;
        return;
    }
    memcpy(d->out + d->len, s, n);
    d->len += n;
}

static void v0_puts(struct ll_v0 *d, const char *s) { v0_put(d, s, strlen(s)); }

static char v0_peek(const struct ll_v0 *d) { return d->pos < d->n ? d->s[d->pos] : 0; }

static int v0_eat(struct ll_v0 *d, char c)
{
    if (v0_peek(d) != c)
        return 0;
    d->pos++;
    return 1;
}

/* <base-62-number>: digits 0-9a-zA-Z then "_"; "_" alone is 0, else the
 * value plus one. */
static uint64_t v0_base62(struct ll_v0 *d)
{
    if (v0_eat(d, '_'))
        return 0;
    uint64_t x = 0;
    for (char c; (c = v0_peek(d)) != '_'; d->pos++) {
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10
              : c >= 'A' && c <= 'Z' ? c - 'A' + 36 : -1;
        if (v < 0 || x > (UINT64_MAX - 61) / 62) {
            d->bad = 1;
            return 0;
        }
        x = x * 62 + (uint64_t)v;
    }
    d->pos++;
    return x + 1;
}

/* An optional prefix c and its base-62 number (disambiguators, binders). */
static void v0_skip_opt(struct ll_v0 *d, char c)
{
    if (v0_eat(d, c))
        (void)v0_base62(d);
}

/* <decimal-number>: "0", or digits that do not start with 0 (so "00" is
 * two numbers: an empty name then another). */
static uint64_t v0_decimal(struct ll_v0 *d)
{
    uint64_t x = 0;
    if (v0_peek(d) < '0' || v0_peek(d) > '9')
        d->bad = 1;
    if (v0_eat(d, '0'))
        return 0;
    while (!d->bad && v0_peek(d) >= '0' && v0_peek(d) <= '9') {
        if (x > (UINT64_MAX - 9) / 10)
            d->bad = 1;
        x = x * 10 + (uint64_t)(d->s[d->pos++] - '0');
    }
    return x;
}

/* <identifier> = [<disambiguator>] ["u"] <decimal> ["_"] <bytes>; the
 * bytes of a punycode one ("u") are printed as they are. */
static void v0_ident(struct ll_v0 *d, const char **name, size_t *len)
{
    v0_skip_opt(d, 's');
    (void)v0_eat(d, 'u');
    uint64_t n = v0_decimal(d);
    (void)v0_eat(d, '_');
    if (d->bad || n > d->n - d->pos) {
        d->bad = 1;
        *name = "", *len = 0;
        return;
    }
    *name = d->s + d->pos;
    *len = (size_t)n;
    d->pos += (size_t)n;
}

static void v0_path(struct ll_v0 *d, int in_value);
static void v0_type(struct ll_v0 *d);

/* Read what starts at a back-reference's target with fn, then come back. */
static void v0_backref(struct ll_v0 *d, void (*fn)(struct ll_v0 *, int), int arg)
{
    size_t at = d->pos - 1;         /* the "B" */
    uint64_t to = v0_base62(d);
    if (d->bad || to >= at || d->depth >= LL_V0_DEPTH) {
        d->bad = 1;
        return;
    }
    size_t back = d->pos;
    d->pos = (size_t)to;
    d->depth++;
    fn(d, arg);
    d->depth--;
    d->pos = back;
}

static void v0_type_arg(struct ll_v0 *d, int unused) { (void)unused; v0_type(d); }

/* <const>: an integer, bool or char in hex, "p" (a placeholder), or a
 * back-reference. */
static void v0_const_at(struct ll_v0 *d, int unused);

static void v0_const(struct ll_v0 *d)
{
    if (v0_eat(d, 'B')) {
        v0_backref(d, v0_const_at, 0);
        return;
    }
    if (v0_eat(d, 'p')) {
        v0_puts(d, "_");
        return;
    }
    char t = v0_peek(d);
    d->pos++;
    int neg = v0_eat(d, 'n');
    uint64_t x = 0;
    unsigned digits = 0;
    for (char c; (c = v0_peek(d)) != '_'; d->pos++, digits++) {
        int v = ll_hexval(c);
        if (v < 0 || digits >= 16) {
            d->bad = 1;             /* not an integer we print (or past 64 bits) */
            return;
        }
        x = x * 16 + (uint64_t)v;
    }
    d->pos++;
    char buf[32];
    if (t == 'b') {
        v0_puts(d, x ? "true" : "false");
    } else if (t == 'c' && x >= 32 && x < 127) {
        buf[0] = '\'', buf[1] = (char)x, buf[2] = '\'', buf[3] = 0;
        v0_puts(d, buf);
    } else if (t && strchr("hmtyjoalsxin", t)) {     /* the integer types */
        char *p = buf + sizeof buf;
        *--p = 0;
        do
            *--p = (char)('0' + x % 10);
        while (x /= 10);
        if (neg)
            *--p = '-';
        v0_puts(d, p);
    } else {
        d->bad = 1;
    }
}

static void v0_const_at(struct ll_v0 *d, int unused) { (void)unused; v0_const(d); }

/* <generic-arg>: a lifetime (printed '_), a "K" constant, or a type. */
static void v0_generic_arg(struct ll_v0 *d)
{
    if (v0_eat(d, 'L')) {
        (void)v0_base62(d);
        v0_puts(d, "'_");
    } else if (v0_eat(d, 'K')) {
        v0_const(d);
    } else {
        v0_type(d);
    }
}

/* Types read until "E", separated by ", ". */
static unsigned v0_list(struct ll_v0 *d, void (*item)(struct ll_v0 *))
{
    unsigned k = 0;
    while (!d->bad && !v0_eat(d, 'E')) {
        if (d->pos >= d->n) {
            d->bad = 1;
            break;
        }
        if (k++)
            v0_puts(d, ", ");
        item(d);
    }
    return k;
}

static const char *v0_basic(char c)
{
    switch (c) {
    case 'a': return "i8";    case 'b': return "bool";  case 'c': return "char";
    case 'd': return "f64";   case 'e': return "str";   case 'f': return "f32";
    case 'h': return "u8";    case 'i': return "isize"; case 'j': return "usize";
    case 'l': return "i32";   case 'm': return "u32";   case 'n': return "i128";
    case 'o': return "u128";  case 's': return "i16";   case 't': return "u16";
    case 'u': return "()";    case 'v': return "...";   case 'x': return "i64";
    case 'y': return "u64";   case 'z': return "!";     case 'p': return "_";
    default: return NULL;
    }
}

/* <fn-sig> = [<binder>] ["U"] ["K" <abi>] {<type>} "E" <type> */
static void v0_fn_sig(struct ll_v0 *d)
{
    v0_skip_opt(d, 'G');
    if (v0_eat(d, 'U'))
        v0_puts(d, "unsafe ");
    if (v0_eat(d, 'K')) {
        v0_puts(d, "extern \"");
        if (v0_eat(d, 'C')) {
            v0_puts(d, "C");
        } else {
            const char *name;
            size_t len;
            v0_ident(d, &name, &len);
            for (size_t i = 0; i < len; i++)
                v0_put(d, name[i] == '_' ? "-" : &name[i], 1);
        }
        v0_puts(d, "\" ");
    }
    v0_puts(d, "fn(");
    (void)v0_list(d, v0_type);
    v0_puts(d, ")");
    if (v0_eat(d, 'u'))
        return;                     /* "-> ()" is not written */
    v0_puts(d, " -> ");
    v0_type(d);
}


/* <dyn-trait> = <path> {"p" <ident> <type>}: the associated-type bindings
 * go inside the trait's own <...>, after its arguments ("FnOnce<(),
 * Output = ()>"). */
static void v0_dyn_trait(struct ll_v0 *d)
{
    int open = 0;
    if (v0_eat(d, 'I')) {
        v0_path(d, 0);
        v0_puts(d, "<");
        (void)v0_list(d, v0_generic_arg);
        open = 1;
    } else {
        v0_path(d, 0);
    }
    while (!d->bad && v0_eat(d, 'p')) {
        const char *name;
        size_t len;
        v0_puts(d, open ? ", " : "<");
        open = 1;
        v0_ident(d, &name, &len);
        v0_put(d, name, len);
        v0_puts(d, " = ");
        v0_type(d);
    }
    if (open)
        v0_puts(d, ">");
}

/* <dyn-bounds> <lifetime> = [<binder>] {<dyn-trait>} "E" "L" <base-62> */
static void v0_dyn(struct ll_v0 *d)
{
    v0_skip_opt(d, 'G');
    v0_puts(d, "dyn ");
    for (unsigned k = 0; !d->bad && !v0_eat(d, 'E'); k++) {
        if (d->pos >= d->n) {
            d->bad = 1;
            return;
        }
        if (k)
            v0_puts(d, " + ");
        v0_dyn_trait(d);
    }
    if (v0_eat(d, 'L'))
        (void)v0_base62(d);
}

static void v0_type(struct ll_v0 *d)
{
    if (d->bad || d->depth >= LL_V0_DEPTH) {
        d->bad = 1;
        return;
    }
    char c = v0_peek(d);
    const char *basic = v0_basic(c);
    if (basic) {
        d->pos++;
        v0_puts(d, basic);
        return;
    }
    d->depth++;
    d->pos++;
    switch (c) {
    case 'A': case 'S':             /* [T; N], [T] */
        v0_puts(d, "[");
        v0_type(d);
        if (c == 'A') {
            v0_puts(d, "; ");
            v0_const(d);
        }
        v0_puts(d, "]");
        break;
    case 'R': case 'Q':             /* &T, &mut T */
        if (v0_eat(d, 'L'))
            (void)v0_base62(d);
        v0_puts(d, c == 'R' ? "&" : "&mut ");
        v0_type(d);
        break;
    case 'P': case 'O':             /* *const T, *mut T */
        v0_puts(d, c == 'P' ? "*const " : "*mut ");
        v0_type(d);
        break;
    case 'T': {                     /* (T, U), (T,) */
        v0_puts(d, "(");
        unsigned k = v0_list(d, v0_type);
        v0_puts(d, k == 1 ? ",)" : ")");
        break;
    }
    case 'F':
        v0_fn_sig(d);
        break;
    case 'D':
        v0_dyn(d);
        break;
    case 'B':
        v0_backref(d, v0_type_arg, 0);
        break;
    default:                        /* a path names the type */
        d->pos--;
        v0_path(d, 0);
        break;
    }
    d->depth--;
}

static void v0_path_at(struct ll_v0 *d, int in_value) { v0_path(d, in_value); }

/* <path>; in_value: generic arguments are written "::<...>", as in an
 * expression (the symbol's own path), not "<...>" (a type). */
static void v0_path(struct ll_v0 *d, int in_value)
{
    if (d->bad || d->depth >= LL_V0_DEPTH) {
        d->bad = 1;
        return;
    }
    d->depth++;
    char c = v0_peek(d);
    d->pos++;
    const char *name;
    size_t len;
    switch (c) {
    case 'C':                       /* crate root */
        v0_ident(d, &name, &len);
        v0_put(d, name, len);
        break;
    case 'N': {                     /* path::name, or a closure or shim in it */
        char ns = v0_peek(d);
        d->pos++;
        v0_path(d, in_value);
        uint64_t dis = 0;
        if (v0_eat(d, 's'))
            dis = v0_base62(d) + 1;    /* "s_" is 1; none is 0 */
        (void)v0_eat(d, 'u');
        uint64_t n = v0_decimal(d);
        (void)v0_eat(d, '_');
        if (d->bad || n > d->n - d->pos) {
            d->bad = 1;
            break;
        }
        name = d->s + d->pos, len = (size_t)n;
        d->pos += len;
        v0_puts(d, "::");
        if (ns >= 'A' && ns <= 'Z') {
            char buf[48];
            char other[3] = { '{', ns, 0 };
            v0_puts(d, ns == 'C' ? "{closure" : ns == 'S' ? "{shim" : other);
            if (len) {
                v0_puts(d, ":");
                v0_put(d, name, len);
            }
            snprintf(buf, sizeof buf, "#%llu}", (unsigned long long)dis);
            v0_puts(d, buf);
        } else if (ns >= 'a' && ns <= 'z') {
            v0_put(d, name, len);
        } else {
            d->bad = 1;
        }
        break;
    }
    case 'M': {                     /* <T> */
        size_t mark = d->len;       /* the impl's own path: read, not printed */
        v0_skip_opt(d, 's');
        v0_path(d, 0);
        d->len = d->bad ? d->len : mark;
        v0_puts(d, "<");
        v0_type(d);
        v0_puts(d, ">");
        break;
    }
    case 'X': case 'Y': {           /* <T as Trait> */
        if (c == 'X') {             /* the impl's own path: read, not printed */
            size_t mark = d->len;
            v0_skip_opt(d, 's');
            v0_path(d, 0);
            d->len = d->bad ? d->len : mark;
        }
        v0_puts(d, "<");
        v0_type(d);
        v0_puts(d, " as ");
        v0_path(d, 0);
        v0_puts(d, ">");
        break;
    }
    case 'I':                       /* path<args> */
        v0_path(d, in_value);
        v0_puts(d, in_value ? "::<" : "<");
        (void)v0_list(d, v0_generic_arg);
        v0_puts(d, ">");
        break;
    case 'B':
        v0_backref(d, v0_path_at, in_value);
        break;
    default:
        d->bad = 1;
        break;
    }
    d->depth--;
}

char *ll_demangle_rust_v0(const char *raw)
{
    if (strncmp(raw, "_R", 2) != 0)
        return NULL;
    struct ll_v0 d = { .s = raw + 2, .n = strlen(raw + 2) };
    if (v0_peek(&d) >= '0' && v0_peek(&d) <= '9')
        (void)v0_decimal(&d);       /* an encoding version: none yet */
    if (d.pos || !(d.out = malloc(LL_V0_MAX)))
        return NULL;
    v0_path(&d, 1);
    /* what may follow: the instantiating crate (a path, not printed), and
     * a vendor suffix ("." or "$" and anything) */
    if (!d.bad && d.pos < d.n && d.s[d.pos] != '.' && d.s[d.pos] != '$') {
        size_t mark = d.len;
        v0_path(&d, 0);
        d.len = mark;
    }
    if (d.bad || (d.pos < d.n && d.s[d.pos] != '.' && d.s[d.pos] != '$')) {
        free(d.out);
        return NULL;
    }
    d.out[d.len] = 0;
    return d.out;
}
