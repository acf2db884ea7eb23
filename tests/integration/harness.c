/* harness.c - see harness.h. */
#include "harness.h"

#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *ll_read_or_empty(const char *path)
{
    if (access(path, F_OK) != 0) {
        char *e = strdup("");
        cr_assert_not_null(e);
        return e;
    }
    return slurp(path, NULL);
}

char *ll_expand(const char *s, const char *dir)
{
    size_t cap = strlen(s) + 1, dl = strlen(dir);
    for (const char *p = s; (p = strstr(p, "{dir}")); p += 5)
        cap += dl;
    char *out = malloc(cap), *o = out;
    cr_assert_not_null(out);
    while (*s) {
        if (strncmp(s, "{dir}", 5) == 0) {
            memcpy(o, dir, dl);
            o += dl;
            s += 5;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

const char *ll_preload_after;
const char *ll_env_extra;

void ll_preload_allocator(const char *path)
{
    cr_assert_eq(access(path, R_OK), 0, "%s is missing (scripts/install-deps installs it)", path);
    ll_preload_after = path;
}

void ll_run_raw(struct ll_run *r, const char *prog, int preload,
                const char *options, const char *const *args)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dir, "/tmp/ll-integ-XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));

    char path[4096], outp[128], errp[128];
    snprintf(path, sizeof path, "%s/%s", LL_PROGRAMS, prog);
    snprintf(outp, sizeof outp, "%s/stdout.txt", r->dir);
    snprintf(errp, sizeof errp, "%s/stderr.txt", r->dir);
    cr_assert_eq(access(path, X_OK), 0, "test program %s missing (make build/programs/%s)", path, prog);
    if (preload)
        cr_assert_eq(access(LL_LIB, R_OK), 0, "%s missing (make libleak.so)", LL_LIB);

    const char *argv[64];
    int argc = 0;
    argv[argc++] = path;
    for (; args && args[argc - 1] && argc < 63; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;

    char *opt_env = NULL;
    const char *envp[8];
    int envc = 0;
    envp[envc++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    envp[envc++] = "LC_ALL=C";
    char preload_env[1024];
    if (preload && ll_preload_after) {
        snprintf(preload_env, sizeof preload_env, "LD_PRELOAD=%s %s", LL_LIB, ll_preload_after);
        envp[envc++] = preload_env;
    } else if (preload) {
        envp[envc++] = "LD_PRELOAD=" LL_LIB;
    }
    ll_preload_after = NULL;
    if (ll_env_extra)
        envp[envc++] = ll_env_extra;
    ll_env_extra = NULL;
    if (options) {
        char *exp = ll_expand(options, r->dir);
        opt_env = malloc(strlen(exp) + sizeof "LIBLEAK_OPTIONS=");
        cr_assert_not_null(opt_env);
        strcpy(opt_env, "LIBLEAK_OPTIONS=");
        strcat(opt_env, exp);
        free(exp);
        envp[envc++] = opt_env;
    }
    envp[envc] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);              /* its own group: a timeout kills its children too */
        int in = open("/dev/null", O_RDONLY);
        int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execve(path, (char *const *)argv, (char *const *)envp);
        _exit(127);
    }
    free(opt_env);
    r->pid = pid;

    int st = 0;
    long waited = 0, step = 1;
    for (;;) {
        struct rusage ru;
        pid_t w = wait4(pid, &st, WNOHANG, &ru);
        if (w == pid) {
            r->maxrss_kb = ru.ru_maxrss;
            break;
        }
        cr_assert(w == 0 || errno == EINTR, "waitpid: %s", strerror(errno));
        if (waited >= LL_TIMEOUT_SECONDS * 1000L) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            cr_assert_fail("%s did not finish within %d s; killed (output in %s)",
                           prog, LL_TIMEOUT_SECONDS, r->dir);
        }
        sleep_ms(step);
        waited += step;
        if (step < 20)
            step *= 2;
    }
    r->exited = WIFEXITED(st);
    r->status = r->exited ? WEXITSTATUS(st) : -1;
    r->signaled = WIFSIGNALED(st);
    r->sig = r->signaled ? WTERMSIG(st) : 0;
    r->out = slurp(outp, &r->out_len);
    r->err = slurp(errp, &r->err_len);
    cr_assert_neq(r->status, 127, "could not exec %s", path);
}

json_t *ll_load_json(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    cr_assert_not_null(j, "report %s: %s (line %d)", path, e.text, e.line);
    cr_assert(json_is_object(j), "report %s is not a JSON object", path);
    return j;
}

json_t *ll_stderr_report(const struct ll_run *r, size_t flags, const char *what)
{
    static const char head[] = "{\"libleak\"";
    const char *at = r->err;
    while (at && strncmp(at, head, sizeof head - 1) != 0)
        if ((at = strstr(at, "\n" "{\"libleak\"")))
            at++;
    cr_assert_not_null(at, "%s: no JSON report on stderr:\n%.2000s", what, r->err);
    json_error_t e;
    json_t *j = json_loads(at, flags, &e);
    cr_assert_not_null(j, "%s: the report on stderr does not parse (%s at byte %d of %zu)",
                       what, e.text, e.position, strlen(at));
    return j;
}

void ll_run_json(struct ll_run *r, const char *prog, const char *extra,
                 const char *const *args)
{
    char opts[1024];
    snprintf(opts, sizeof opts, "format=json:output={dir}/report.json%s%s",
             extra ? ":" : "", extra ? extra : "");
    ll_run_raw(r, prog, 1, opts, args);
    char path[128];
    snprintf(path, sizeof path, "%s/report.json", r->dir);
    cr_assert_eq(access(path, R_OK), 0,
                 "%s wrote no report %s (exit %d, signal %d); stderr:\n%.2000s",
                 prog, path, r->status, r->sig, r->err);
    r->json = ll_load_json(path);
}

/* The run's directory, whatever a program made in it (chromium's profile
 * is a tree of its own): left behind, every make test kept a megabyte in
 * /tmp.  A directory that cannot be removed fails the test. */
void ll_run_free(struct ll_run *r)
{
    if (r->dir[0]) {
        ll_rm_rf(r->dir);
        cr_expect_neq(access(r->dir, F_OK), 0, "%s was left behind", r->dir);
    }
    free(r->out);
    free(r->err);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

int ll_line(const char *file, const char *marker)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LL_SOURCES, file);
    char *text = slurp(path, NULL);
    int line = 1, found = 0, count = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        /* the marker must be followed by a non-name character */
        char *m = strstr(p, marker);
        if (m) {
            char after = m[strlen(marker)];
            if (after == '\0' || after == ' ' || after == ':' || after == '*') {
                found = line;
                count++;
            }
        }
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    free(text);
    cr_assert_eq(count, 1, "marker %s found %d times in %s (want exactly once)", marker, count, path);
    return found;
}

json_t *ll_get(const json_t *obj, const char *key)
{
    cr_assert(json_is_object(obj), "looking up \"%s\" in a non-object", key);
    json_t *v = json_object_get(obj, key);
    cr_assert_not_null(v, "member \"%s\" missing", key);
    return v;
}

long long ll_int(const json_t *obj, const char *key)
{
    json_t *v = ll_get(obj, key);
    cr_assert(json_is_integer(v), "member \"%s\" is not an integer", key);
    return (long long)json_integer_value(v);
}

const char *ll_str(const json_t *obj, const char *key)
{
    json_t *v = ll_get(obj, key);
    if (json_is_null(v))
        return NULL;
    cr_assert(json_is_string(v), "member \"%s\" is neither a string nor null", key);
    return json_string_value(v);
}

json_t *ll_arr(const json_t *obj, const char *key)
{
    json_t *v = ll_get(obj, key);
    cr_assert(json_is_array(v), "member \"%s\" is not an array", key);
    return v;
}

long long ll_summary_bytes(const json_t *report, const char *kind)
{
    return ll_int(ll_get(ll_get(report, "summary"), kind), "bytes");
}

long long ll_summary_blocks(const json_t *report, const char *kind)
{
    return ll_int(ll_get(ll_get(report, "summary"), kind), "blocks");
}

json_t *ll_top_frame(const json_t *stack)
{
    cr_assert(json_is_array(stack), "stack is not an array");
    cr_assert_gt(json_array_size(stack), 0, "stack is empty");
    json_t *f = json_array_get(stack, 0);
    cr_assert(json_is_object(f), "stack[0] is not an object");
    return f;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int ll_frame_at(const json_t *frame, const char *file, int line)
{
    json_t *f = json_object_get(frame, "file");
    json_t *l = json_object_get(frame, "line");
    if (!json_is_integer(l) || json_integer_value(l) != line)
        return 0;
    if (!file)
        return 1;
    return json_is_string(f) && ends_with(json_string_value(f), file);
}

static const char *frame_desc(const json_t *frame, char *buf, size_t n)
{
    json_t *fn = json_object_get(frame, "function");
    json_t *f = json_object_get(frame, "file");
    json_t *l = json_object_get(frame, "line");
    json_t *o = json_object_get(frame, "object");
    snprintf(buf, n, "%s at %s:%lld (%s)",
             json_is_string(fn) ? json_string_value(fn) : "?",
             json_is_string(f) ? json_string_value(f) : "?",
             json_is_integer(l) ? (long long)json_integer_value(l) : -1LL,
             json_is_string(o) ? json_string_value(o) : "?");
    return buf;
}

void ll_assert_top(const json_t *stack, const char *file, int line,
                   const char *what)
{
    json_t *f = ll_top_frame(stack);
    char buf[512];
    cr_assert(ll_frame_at(f, file, line), "%s: stack[0] expected %s:%d, got %s",
              what, file, line, frame_desc(f, buf, sizeof buf));
}

size_t ll_leaks_at(const json_t *report, const char *kind, const char *file,
                   int line, json_t **out, size_t max)
{
    json_t *leaks = ll_arr(report, "leaks");
    size_t i, n = 0;
    json_t *g;
    json_array_foreach(leaks, i, g) {
        if (kind && strcmp(ll_str(g, "kind"), kind) != 0)
            continue;
        json_t *stack = ll_arr(g, "stack");
        if (json_array_size(stack) == 0 || !ll_frame_at(json_array_get(stack, 0), file, line))
            continue;
        if (n < max)
            out[n] = g;
        n++;
    }
    return n;
}

json_t *ll_leak_at(const json_t *report, const char *kind, const char *file,
                   int line)
{
    json_t *g = NULL;
    size_t n = ll_leaks_at(report, kind, file, line, &g, 1);
    cr_assert_eq(n, 1, "want exactly one %s group at %s:%d, found %zu; groups:\n%s",
                 kind ? kind : "leak", file ? file : "*", line, n, ll_describe_leaks(report));
    return g;
}

long long ll_bytes_at(const json_t *report, const char *kind, const char *file,
                      int line, long long *blocks)
{
    json_t *g[64];
    size_t n = ll_leaks_at(report, kind, file, line, g, 64);
    cr_assert_leq(n, 64);
    long long bytes = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += ll_int(g[i], "bytes");
        nb += ll_int(g[i], "blocks");
    }
    if (blocks)
        *blocks = nb;
    return bytes;
}

unsigned long long ll_addr(const char *s)
{
    cr_assert_not_null(s, "address is null");
    cr_assert(strncmp(s, "0x", 2) == 0, "address \"%s\" does not start with 0x", s);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s + 2, &end, 16);
    cr_assert(errno == 0 && *end == '\0' && end > s + 2, "address \"%s\" is not hex", s);
    return v;
}

int ll_count_lines(const char *text, const char *needle)
{
    int n = 0;
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *hit = memmem(p, len, needle, strlen(needle));
        if (hit)
            n++;
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

int ll_contains(const char *text, const char *needle)
{
    return text && strstr(text, needle) != NULL;
}

const char *ll_describe_leaks(const json_t *report)
{
    static char buf[8192];
    size_t used = 0;
    json_t *leaks = json_object_get(report, "leaks");
    size_t i;
    json_t *g;
    buf[0] = '\0';
    if (!json_is_array(leaks))
        return "(no leaks array)";
    json_array_foreach(leaks, i, g) {
        json_t *kind = json_object_get(g, "kind"), *fn = json_object_get(g, "function");
        json_t *stack = json_object_get(g, "stack");
        char fb[512] = "(no stack)";
        if (json_is_array(stack) && json_array_size(stack) > 0)
            frame_desc(json_array_get(stack, 0), fb, sizeof fb);
        int w = snprintf(buf + used, sizeof buf - used, "  %s %lld bytes %lld blocks align %lld by %s; %s\n",
                         json_is_string(kind) ? json_string_value(kind) : "?",
                         (long long)json_integer_value(json_object_get(g, "bytes")),
                         (long long)json_integer_value(json_object_get(g, "blocks")),
                         (long long)json_integer_value(json_object_get(g, "alignment")),
                         json_is_string(fn) ? json_string_value(fn) : "?", fb);
        if (w < 0 || (size_t)w >= sizeof buf - used)
            break;
        used += (size_t)w;
    }
    return used ? buf : "(none)\n";
}

static int in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static void check_stack(const json_t *stack, const char *what)
{
    cr_assert(json_is_array(stack), "%s: stack is not an array", what);
    cr_assert_gt(json_array_size(stack), 0, "%s: empty stack", what);
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f) {
        cr_assert(json_is_object(f), "%s: frame %zu is not an object", what, i);
        static const char *const keys[] = { "function", "file", "object" };
        for (size_t k = 0; k < 3; k++) {
            json_t *v = json_object_get(f, keys[k]);
            cr_assert(v && (json_is_string(v) || json_is_null(v)),
                      "%s: frame %zu: \"%s\" must be a string or null", what, i, keys[k]);
        }
        json_t *line = json_object_get(f, "line");
        cr_assert(json_is_integer(line) && json_integer_value(line) >= 0,
                  "%s: frame %zu: \"line\" must be a non-negative integer", what, i);
        json_t *off = json_object_get(f, "offset");
        cr_assert(json_is_string(off), "%s: frame %zu: \"offset\" must be a string", what, i);
        ll_addr(json_string_value(off));
        /* present only for a frame with no function name */
        json_t *fo = json_object_get(f, "function_offset");
        cr_assert(!fo || (json_is_string(fo) && json_is_null(json_object_get(f, "function"))),
                  "%s: frame %zu: \"function_offset\" must be a string, and only without a function",
                  what, i);
        if (fo)
            ll_addr(json_string_value(fo));
        /* present only where true, and never on the last frame: an
         * inlined function's caller follows it, at the same address */
        json_t *inl = json_object_get(f, "inlined");
        cr_assert(!inl || (json_is_true(inl) && i + 1 < json_array_size(stack) &&
                           json_equal(off, json_object_get(json_array_get(stack, i + 1), "offset"))),
                  "%s: frame %zu: \"inlined\" must be true, and the next frame at its offset", what, i);
    }
}

void ll_check_schema(const json_t *report)
{
    static const char *const kinds[] = { "definitely_lost", "indirectly_lost",
                                         "possibly_lost", "still_reachable", NULL };
    static const char *const fns[] = { "malloc", "calloc", "realloc", "reallocarray",
                                       "posix_memalign", "aligned_alloc", "memalign",
                                       "valloc", "pvalloc", "operator new",
                                       "operator new[]", NULL };
    static const char *const ekinds[] = { "double_free", "invalid_free", "interior_free",
                                          "invalid_realloc", "mismatched_free", NULL };
    static const char *const efns[] = { "free", "realloc", "operator delete",
                                        "operator delete[]", NULL };

    LL_STREQ(ll_str(report, "libleak"), "0.1.0", "libleak version");
    cr_assert_gt(ll_int(report, "pid"), 0, "pid must be positive");
    /* /proc/self/stat's field 22: never 0 where /proc is mounted */
    cr_assert_gt(ll_int(report, "start_time"), 0, "start_time must be positive");
    json_t *cmd = ll_arr(report, "command");
    cr_assert_gt(json_array_size(cmd), 0, "command is empty");

    json_t *summary = ll_get(report, "summary");
    for (size_t k = 0; kinds[k]; k++) {
        json_t *s = ll_get(summary, kinds[k]);
        cr_assert_geq(ll_int(s, "bytes"), 0, "summary.%s.bytes negative", kinds[k]);
        cr_assert_geq(ll_int(s, "blocks"), 0, "summary.%s.blocks negative", kinds[k]);
        cr_assert(ll_int(s, "blocks") > 0 || ll_int(s, "bytes") == 0,
                  "summary.%s: bytes without blocks", kinds[k]);
    }
    json_t *totals = ll_get(report, "totals");
    long long live = 0;                 /* every block still allocated at exit */
    for (size_t k = 0; kinds[k]; k++)
        live += ll_int(ll_get(summary, kinds[k]), "bytes");
    const json_t *supp = json_object_get(summary, "suppressed");
    if (supp)
        live += ll_int(supp, "bytes");
    cr_assert_geq(ll_int(totals, "peak_live_bytes"), live,
                  "totals.peak_live_bytes below the bytes still allocated at exit");
    static const char *const tkeys[] = { "allocations", "frees", "bytes_allocated",
                                         "peak_live_bytes", "metadata_bytes",
                                         "dropped_records", "bad_frees", NULL };
    for (size_t k = 0; tkeys[k]; k++)
        cr_assert_geq(ll_int(totals, tkeys[k]), 0, "totals.%s negative", tkeys[k]);
    cr_assert_geq(ll_int(totals, "allocations"), ll_int(totals, "frees"),
                  "totals: more frees (%lld) than allocations (%lld)",
                  ll_int(totals, "frees"), ll_int(totals, "allocations"));
    json_t *check = ll_get(report, "check");
    cr_assert_geq(ll_int(check, "threads_blocking_signal"), 0, "check: negative");
    cr_assert_geq(ll_int(check, "threads_not_stopped"), ll_int(check, "threads_blocking_signal"),
                  "check: more threads blocking the signal than threads not stopped");
    cr_assert_geq(ll_int(check, "ranges_vanished"), 0, "check: negative");
    cr_assert_geq(ll_int(check, "unclassified_blocks"), 0, "check: negative");
    cr_assert(ll_int(check, "leaks_unlisted") == 0 || ll_int(check, "leaks_unlisted") == 1,
              "check: leaks_unlisted is a flag");
    json_t *hidden = json_object_get(check, "allocator_hidden_by");
    cr_assert(json_is_null(hidden) || (json_is_string(hidden) && json_string_length(hidden)),
              "check: allocator_hidden_by must be null or a path");

    long long sum_bytes[4] = { 0 }, sum_blocks[4] = { 0 };
    long long prev[4] = { -1, -1, -1, -1 };   /* per kind: see test_leaks.c for the global order */
    size_t i;
    json_t *g;
    json_array_foreach(ll_arr(report, "leaks"), i, g) {
        char what[64];
        snprintf(what, sizeof what, "leaks[%zu]", i);
        const char *kind = ll_str(g, "kind");
        cr_assert(kind && in_set(kind, kinds), "%s: bad kind %s", what, kind ? kind : "null");
        const char *fn = ll_str(g, "function");
        cr_assert(fn && in_set(fn, fns), "%s: bad function %s", what, fn ? fn : "null");
        long long bytes = ll_int(g, "bytes"), blocks = ll_int(g, "blocks");
        cr_assert_gt(blocks, 0, "%s: blocks must be positive", what);
        cr_assert_geq(bytes, 0, "%s: negative bytes", what);
        long long al = ll_int(g, "alignment");
        cr_assert(al > 0 && (al & (al - 1)) == 0, "%s: alignment %lld is not a power of two", what, al);
        check_stack(ll_get(g, "stack"), what);
        for (size_t k = 0; kinds[k]; k++)
            if (strcmp(kind, kinds[k]) == 0) {
                cr_assert(prev[k] < 0 || bytes <= prev[k],
                          "%s: %s groups not sorted by bytes (%lld after %lld)", what, kind, bytes, prev[k]);
                prev[k] = bytes;
                sum_bytes[k] += bytes;
                sum_blocks[k] += blocks;
            }
    }
    for (size_t k = 0; k < 3; k++) {        /* lost kinds are always listed */
        LL_EQ(sum_bytes[k], ll_summary_bytes(report, kinds[k]),
              "sum of listed %s groups' bytes vs summary", kinds[k]);
        LL_EQ(sum_blocks[k], ll_summary_blocks(report, kinds[k]),
              "sum of listed %s groups' blocks vs summary", kinds[k]);
    }

    cr_assert_geq(ll_int(totals, "bad_frees"), (long long)json_array_size(ll_arr(report, "errors")),
                  "totals.bad_frees: fewer than the errors listed");
    json_array_foreach(ll_arr(report, "errors"), i, g) {
        char what[64];
        snprintf(what, sizeof what, "errors[%zu]", i);
        const char *kind = ll_str(g, "kind");
        cr_assert(kind && in_set(kind, ekinds), "%s: bad kind %s", what, kind ? kind : "null");
        const char *fn = ll_str(g, "function");
        cr_assert(fn && in_set(fn, efns), "%s: bad function %s", what, fn ? fn : "null");
        ll_addr(ll_str(g, "address"));
        cr_assert_geq(ll_int(g, "size"), 0, "%s: negative size", what);
        check_stack(ll_get(g, "stack"), what);
        json_t *a = json_object_get(g, "allocated"), *f = json_object_get(g, "freed");
        if (a)
            check_stack(a, what);
        if (f)
            check_stack(f, what);
    }
}

const char *ll_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s ? s : fmt;
}

int ll_exec_in(const char *dir, const char *cwd, char *const *argv, char *const *envp,
               int (*become)(void))
{
    char outp[128], errp[128];
    snprintf(outp, sizeof outp, "%s/stdout.txt", dir);
    snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (out < 0 || err < 0 || chdir(cwd ? cwd : dir) != 0)
            _exit(120);
        if (become && become())
            _exit(121);
        dup2(out, 1);
        dup2(err, 2);
        execve(argv[0], argv, envp);
        _exit(122);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    cr_assert(status < 120 || status > 122, "could not start %s (%d)", argv[0], status);
    return status;
}

void ll_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static int ll_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void ll_rm_rf(const char *dir)
{
    if (nftw(dir, ll_rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        fprintf(stderr, "could not remove %s\n", dir);
}
