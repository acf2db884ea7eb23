/* suppress.h - LeakSanitizer-style suppression files (suppress.c).
 *
 * Shared by libleak.so (report time) and the leakcheck wrapper, so it
 * depends on nothing but libc.  Syntax, one item per line:
 *
 *     # a comment
 *     leak:PATTERN
 *
 * PATTERN matches a frame when it matches the frame's function, source file
 * or object; '*' matches any run of characters, a leading '^' anchors it to
 * the start and a trailing '$' to the end, otherwise it may match anywhere
 * (so "leak:libfoo.so" matches "/usr/lib/x86_64-linux-gnu/libfoo.so.1"). */
#ifndef LL_SUPPRESS_H
#define LL_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

#ifndef LL_HIDDEN
#define LL_HIDDEN __attribute__((visibility("hidden")))
#endif

struct ll_supp {
    char *pattern;            /* after "leak:", trimmed */
    const char *file;         /* the suppression file it came from */
    int line;                 /* 1-based line in that file */
    uint64_t blocks, bytes;   /* what it matched, filled by the caller */
};

struct ll_supp_set {
    struct ll_supp *v;
    size_t n, cap;
    char **files;             /* owned copies of the file names */
    size_t nfiles;
};

/* Called once per problem: a bad line (line > 0) or an unreadable file
 * (line == 0, why names the errno text). */
typedef void ll_supp_warn_fn(void *ctx, const char *file, int line,
                             const char *why);

/* Append the suppressions of one file.  Returns 0, or -1 when the file
 * cannot be read (warn has been called); bad lines are warned about and
 * skipped but do not fail the load. */
LL_HIDDEN int ll_supp_load(struct ll_supp_set *s, const char *path,
                           ll_supp_warn_fn *warn, void *ctx);
/* Parse one line; 1 if it is a suppression (appended), 0 if blank or a
 * comment, -1 if bad (*why says why). */
LL_HIDDEN int ll_supp_parse_line(struct ll_supp_set *s, const char *text,
                                 const char *file, int line, const char **why);
LL_HIDDEN void ll_supp_free(struct ll_supp_set *s);

/* 1 if pattern (with its '*', '^', '$') matches text. */
LL_HIDDEN int ll_supp_match(const char *pattern, const char *text);

/* A frame as both users see it; NULL members are unknown. */
struct ll_supp_frame {
    const char *function, *file, *object;
};
/* Index of the first suppression matching any of the frames (innermost
 * first), or -1. */
LL_HIDDEN long ll_supp_find(const struct ll_supp_set *s,
                            const struct ll_supp_frame *frames, size_t n);

#endif
