/* snippet.c - the source lines around an allocating call, for the reports.
 *
 * Runs at report time with the recursion guard set, but still allocates
 * nothing: the file is read through a static buffer and only the few lines
 * wanted are kept, so a huge source file costs one sequential read up to
 * the call's line and no memory.  Tabs are expanded (tab stops of 8) so a
 * marker printed under the line lines up on any terminal or page. */
#include "ll.h"
#include "sysfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define LL_SNIP_LINES (LL_SNIP_BEFORE + 1 + LL_SNIP_AFTER)

/* One reader at a time (the report runs in one thread). */
static char ll_snip_buf[65536];

static int ll_snip_open(const struct ll_frame *f)
{
    char path[4096];
    int fd = -1;
    if (f->file[0] != '/' && f->comp_dir && f->comp_dir[0]) {
        size_t a = strlen(f->comp_dir), b = strlen(f->file);
        if (a + 1 + b < sizeof path) {
            memcpy(path, f->comp_dir, a);
            path[a] = '/';
            memcpy(path + a + 1, f->file, b + 1);
            fd = open(path, O_RDONLY | O_CLOEXEC);
        }
    }
    /* no compilation directory, or the tree moved: try from here */
    if (fd < 0)
        fd = open(f->file, O_RDONLY | O_CLOEXEC);
    return fd;
}

/* Reader state: which line we are in and where its copy goes. */
struct ll_snip_rd {
    struct ll_snippet *s;
    int lineno;               /* 1-based line the next byte belongs to */
    size_t len, disp;         /* bytes read of this line; display width */
    int col;                  /* wanted column (1-based bytes), 0 unknown */
};

/* Append one byte of the current line to its slot, expanding tabs. */
static void ll_snip_put(struct ll_snip_rd *rd, char c)
{
    struct ll_snippet *s = rd->s;
    int slot = rd->lineno - s->first;
    char *l = s->lines[slot];
    rd->len++;
    if (slot == s->target && rd->col > 0 && rd->len == (size_t)rd->col)
        s->mark_col = (int)rd->disp;    /* DWARF columns count bytes */
    size_t w = c == '\t' ? 8 - rd->disp % 8 : 1;
    for (size_t i = 0; i < w && rd->disp < LL_SNIP_WIDTH - 1; i++)
        l[rd->disp++] = c == '\t' || c == '\r' ? ' ' : c;
    l[rd->disp] = 0;
}

/* Feed n bytes; returns 1 once the last wanted line is complete. */
static int ll_snip_feed(struct ll_snip_rd *rd, const char *p, size_t n)
{
    struct ll_snippet *s = rd->s;
    int last = s->first + LL_SNIP_LINES - 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (rd->lineno >= s->first)
                s->n = rd->lineno - s->first + 1;
            if (rd->lineno++ == last)
                return 1;
            rd->len = rd->disp = 0;
        } else if (rd->lineno >= s->first) {
            ll_snip_put(rd, p[i]);
        }
    }
    return 0;
}

static int ll_is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == ':';
}

/* Where hint occurs in l as a whole word; -1 if it does not. */
static int ll_snip_find(const char *l, const char *hint)
{
    size_t h = strlen(hint);
    for (const char *p = l; h && (p = strstr(p, hint)); p++)
        if ((p == l || !ll_is_ident(p[-1])) && !ll_is_ident(p[h]))
            return (int)(p - l);
    return -1;
}

/* The call's extent from its start: the name, then its parenthesised
 * arguments when they close on the same line. */
static int ll_snip_extent(const char *l, int at)
{
    int i = at, depth = 0;
    while (l[i] && ll_is_ident(l[i]))
        i++;
    int name_end = i;
    while (l[i] == ' ')
        i++;
    if (l[i] != '(')
        return name_end > at ? name_end - at : 1;
    for (; l[i]; i++) {
        depth += (l[i] == '(') - (l[i] == ')');
        if (depth == 0)
            return i + 1 - at;
    }
    return name_end > at ? name_end - at : 1;
}

/* Mark the call: at the column if DWARF gave one, else at the hint, else
 * the whole statement (leading blanks excluded). */
static void ll_snip_mark(struct ll_snippet *s, const char *hint, int have_col)
{
    const char *l = s->lines[s->target];
    int at = have_col ? s->mark_col : -1;
    if (at < 0 || !l[at] || l[at] == ' ')
        at = hint ? ll_snip_find(l, hint) : -1;
    if (at >= 0) {
        s->mark_col = at;
        s->mark_len = ll_snip_extent(l, at);
        return;
    }
    for (at = 0; l[at] == ' '; at++)
        ;
    size_t end = strlen(l);
    while (end > (size_t)at && l[end - 1] == ' ')
        end--;
    s->mark_col = at;
    s->mark_len = end > (size_t)at ? (int)(end - (size_t)at) : 0;
}

int ll_snippet_read(const struct ll_frame *f, const char *hint, struct ll_snippet *s)
{
    memset(s, 0, sizeof *s);
    if (!f->file || f->line <= 0)
        return 0;
    int fd = ll_snip_open(f);
    if (fd < 0)
        return 0;
    s->first = f->line > LL_SNIP_BEFORE ? f->line - LL_SNIP_BEFORE : 1;
    s->target = f->line - s->first;
    s->mark_col = -1;
    struct ll_snip_rd rd = { .s = s, .lineno = 1, .col = f->column };
    for (;;) {
        ssize_t n = read(fd, ll_snip_buf, sizeof ll_snip_buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {         /* end of file: a last line without '\n' */
            if (rd.len && rd.lineno >= s->first)
                s->n = rd.lineno - s->first + 1;
            break;
        }
        if (ll_snip_feed(&rd, ll_snip_buf, (size_t)n))
            break;
    }
    close(fd);
    if (s->n <= s->target) {  /* the file is shorter: not this source */
        s->n = 0;
        return 0;
    }
    ll_snip_mark(s, hint, f->column > 0 && s->mark_col >= 0);
    return 1;
}

/* Rust's runtime starts below __rust_begin_short_backtrace.  A C program's
 * stack ends at main already (the unwinder stops at exits.c's ll_main), so
 * frames past a "main" are its callers: main itself in a recursion, an
 * atexit handler that called it.  They were cut off as start-up code. */
int ll_frame_is_bottom(const struct ll_frame *f)
{
    return f->function && strstr(f->function, "__rust_begin_short_backtrace") != NULL;
}

/* libc's start-up frames (main itself may be missing: a function inlined
 * into main is named instead) and Rust's runtime: not the program's code.
 * libc's by their exact names (a symbol version may follow): a program's
 * own session_start is not start-up code.  Rust's inside its path
 * (std::sys_common::backtrace::__rust_begin_short_backtrace<...>). */
int ll_frame_is_startup(const struct ll_frame *f)
{
    static const char *const names[] = {
        "__libc_start_call_main", "__libc_start_main", "_start",
    };
    if (!f->function)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(f->function, names[i], n) == 0 &&
            (f->function[n] == '\0' || f->function[n] == '@'))
            return 1;
    }
    return strstr(f->function, "__rust_begin_short_backtrace") != NULL;
}

/* The first frame of a site's stack that ok() accepts, the program's own
 * code first (not the allocator's or the standard library's), a system
 * header's only when the stack has nothing else; never below main. */
static int ll_site_pick(uint32_t stack, int (*ok)(const struct ll_frame *, void *),
                        void *arg, struct ll_frame *f)
{
    unsigned n;
    const struct ll_frame *fr = ll_stack_frames(stack, &n);
    for (int system = 0; system < 2; system++)
        for (unsigned i = 0; i < n; i++) {
            *f = fr[i];
            if (ll_frame_is_startup(f))
                break;
            if ((system || !ll_system_source(f->file, f->comp_dir)) && ok(f, arg))
                return 1;
            if (ll_frame_is_bottom(f))
                break;
        }
    return 0;
}

struct ll_snip_want {
    const char *hint;
    struct ll_snippet *s;
};

static int ll_readable(const struct ll_frame *f, void *arg)
{
    struct ll_snip_want *w = arg;
    return ll_snippet_read(f, w->hint, w->s);
}

static int ll_has_file(const struct ll_frame *f, void *arg)
{
    (void)arg;
    return f->file != NULL;
}

static int ll_has_function(const struct ll_frame *f, void *arg)
{
    (void)arg;
    return f->function != NULL;
}

int ll_site_snippet(uint32_t stack, const char *hint, struct ll_frame *f,
                    struct ll_snippet *s)
{
    struct ll_snip_want w = { hint, s };
    return ll_site_pick(stack, ll_readable, &w, f);
}

/* Where a site is, when no snippet is shown (its source cannot be read, or
 * the report is past its snippets): the frame a snippet would have come
 * from, had its file been readable; else the first with a name. */
int ll_site_frame(uint32_t stack, struct ll_frame *f)
{
    return ll_site_pick(stack, ll_has_file, NULL, f) ||
           ll_site_pick(stack, ll_has_function, NULL, f);
}
