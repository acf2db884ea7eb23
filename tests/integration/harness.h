/* harness.h - run a test program under the libleak preload and inspect what
 * it did: exit status, stdout, stderr and the JSON report.
 *
 *   struct ll_run r;
 *   ll_run_json(&r, "leak_simple", NULL, NULL);      // format=json:output=<tmp>/report.json
 *   cr_assert_eq(ll_summary_bytes(r.json, "definitely_lost"), 4, ...);
 *   ll_run_free(&r);
 *
 * Programs live in LL_ROOT/build/programs; their sources in
 * LL_ROOT/tests/programs, where a line is found by a marker comment such as
 * "@leak" (ll_line).  Each run gets its own mkdtemp directory holding
 * stdout.txt, stderr.txt and the report; "{dir}" in an options string is
 * replaced by that directory.  The directory is removed by ll_run_free, so a
 * failing test leaves it behind for inspection (its path is in the messages).
 */
#ifndef LL_HARNESS_H
#define LL_HARNESS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#ifndef LL_ROOT
#error "LL_ROOT must be defined as the repository root (the Makefile does)"
#endif

#define LL_LIB LL_ROOT "/libleak.so"
#define LL_PROGRAMS LL_ROOT "/build/programs"
#define LL_SOURCES LL_ROOT "/tests/programs"
#define LL_TIMEOUT_SECONDS 60

struct ll_run {
    char dir[64];          /* the run's temporary directory */
    pid_t pid;             /* of the program (the process exec'd) */
    int exited;            /* exited normally ... */
    int status;            /* ... with this status */
    int signaled;          /* killed by signal sig instead */
    int sig;
    char *out;             /* stdout, NUL-terminated (out_len bytes) */
    size_t out_len;
    char *err;             /* stderr, NUL-terminated */
    size_t err_len;
    json_t *json;          /* the report (ll_run_json), else NULL */
    long maxrss_kb;        /* the program's peak RSS (wait4) */
};

/* Run LL_PROGRAMS/prog with the NULL-terminated argument list args (may be
 * NULL; argv[0] is the program's full path).  preload: set LD_PRELOAD.
 * options: LIBLEAK_OPTIONS ("{dir}" expanded), or NULL to leave it unset.
 * Fails the test if the program cannot be started or outlives the timeout. */
void ll_run_raw(struct ll_run *r, const char *prog, int preload,
                const char *options, const char *const *args);
/* Preloaded objects after libleak.so in the next ll_run_raw or ll_run_json
 * (space-separated paths; NULL: none).  Reset by every run. */
extern const char *ll_preload_after;
/* One more NAME=value in the next run's environment (NULL: none).  Reset
 * by every run. */
extern const char *ll_env_extra;
/* Other allocators, preloaded after libleak.so as the next one (Debian's
 * libjemalloc2 and libtcmalloc-minimal4, which scripts/install-deps
 * installs); ll_preload_allocator fails the test if path is missing. */
#define LL_JEMALLOC "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
#define LL_TCMALLOC "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
void ll_preload_allocator(const char *path);

/* Preloaded, with LIBLEAK_OPTIONS=format=json:output={dir}/report.json plus
 * ":" extra (if extra is not NULL); parses the report into r->json and fails
 * the test if there is none or it is not valid JSON. */
void ll_run_json(struct ll_run *r, const char *prog, const char *extra,
                 const char *const *args);

void ll_run_free(struct ll_run *r);

/* The whole file, NUL-terminated ("" if it does not exist; fails the test
 * if it exists and cannot be read).  The caller frees it. */
char *ll_read_or_empty(const char *path);

/* s with every "{dir}" replaced by dir; the caller frees it. */
char *ll_expand(const char *s, const char *dir);

/* Run argv[0] with argv and envp in cwd (NULL: dir), its stdout and stderr
 * in dir/stdout.txt and dir/stderr.txt; become (may be NULL) runs in the
 * child first (non-zero: the test fails).  The exit status, or 128+signal;
 * fails the test if the program cannot be started. */
int ll_exec_in(const char *dir, const char *cwd, char *const *argv, char *const *envp,
               int (*become)(void));

void ll_write_text(const char *path, const char *text);  /* fails the test if it cannot */
void ll_rm_rf(const char *dir);

/* Parse a JSON file; fails the test if it cannot be read or parsed. */
json_t *ll_load_json(const char *path);
/* The first JSON report on r's stderr, starting at the start of stderr or
 * of a line, parsed with jansson's flags (JSON_DISABLE_EOF_CHECK when more
 * may follow it: another process's report); fails the test, naming what,
 * if there is none or it does not parse (a report cut short). */
json_t *ll_stderr_report(const struct ll_run *r, size_t flags, const char *what);

/* 1-based line of the only line in LL_SOURCES/file containing marker, e.g.
 * ll_line("leak_simple.c", "@leak").  Fails the test unless exactly one. */
int ll_line(const char *file, const char *marker);

/* Checked accessors: fail the test when the member is missing or of the
 * wrong type. */
json_t *ll_get(const json_t *obj, const char *key);
long long ll_int(const json_t *obj, const char *key);
const char *ll_str(const json_t *obj, const char *key);   /* NULL for JSON null */
json_t *ll_arr(const json_t *obj, const char *key);

/* summary.<kind>.bytes / .blocks */
long long ll_summary_bytes(const json_t *report, const char *kind);
long long ll_summary_blocks(const json_t *report, const char *kind);

/* Leak groups of the given kind (NULL: any kind) whose stack[0] is line
 * `line` of a file whose name ends with file (NULL: any file). */
size_t ll_leaks_at(const json_t *report, const char *kind, const char *file,
                   int line, json_t **out, size_t max);
/* The one such group; fails the test (listing the report's groups) unless
 * there is exactly one. */
json_t *ll_leak_at(const json_t *report, const char *kind, const char *file,
                   int line);
/* Sum of bytes (and blocks, if blocks != NULL) over such groups. */
long long ll_bytes_at(const json_t *report, const char *kind, const char *file,
                      int line, long long *blocks);

/* stack[0] of a leak group or an error's stack/allocated/freed array. */
json_t *ll_top_frame(const json_t *stack);
/* The frame is in file (a name suffix such as "tests/programs/x.c") at line. */
int ll_frame_at(const json_t *frame, const char *file, int line);
/* Fail unless stack[0] is file:line, describing the frame otherwise. */
void ll_assert_top(const json_t *stack, const char *file, int line,
                   const char *what);

/* Address string "0x..." as a number (fails the test if malformed). */
unsigned long long ll_addr(const char *s);

/* Number of lines of text containing needle. */
int ll_count_lines(const char *text, const char *needle);
int ll_contains(const char *text, const char *needle);

/* Check the report against the documented schema: member types, kinds and
 * function names from the documented sets, frames complete, groups of one
 * kind sorted by bytes (largest first), summary equal to the sums over listed groups for
 * the lost kinds.  Fails the test on the first violation. */
void ll_check_schema(const json_t *report);

/* A short description of the report's leak groups, for failure messages
 * (static buffer). */
const char *ll_describe_leaks(const json_t *report);

#define LL_SRC(name) "tests/programs/" name

/* printf into a fresh heap string (for failure messages). */
const char *ll_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Assertions that always print expected and actual values. */
#define LL_EQ(actual, expected, ...)                                         \
    do {                                                                     \
        long long ll_a_ = (long long)(actual), ll_e_ = (long long)(expected); \
        if (ll_a_ != ll_e_)                                                  \
            cr_assert_fail("%s: expected %lld, got %lld", ll_fmt(__VA_ARGS__), \
                           ll_e_, ll_a_);                                    \
    } while (0)
#define LL_STREQ(actual, expected, ...)                                      \
    do {                                                                     \
        const char *ll_a_ = (actual), *ll_e_ = (expected);                   \
        cr_assert(ll_a_ && strcmp(ll_a_, ll_e_) == 0,                        \
                  "%s: expected \"%s\", got %s%s%s", ll_fmt(__VA_ARGS__), ll_e_, \
                  ll_a_ ? "\"" : "", ll_a_ ? ll_a_ : "null", ll_a_ ? "\"" : ""); \
    } while (0)

#endif
