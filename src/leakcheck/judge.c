/* judge.c - which sites fail the gate.
 *
 * A site fails when its kind is one of --fail-on, no --suppressions line
 * matches any of its frames, and its signature is not in --baseline.
 * Suppressed bytes move from the processes' kind counts to their
 * suppressed count, as the library does for its own suppressions. */
#include "lc.h"
#include "sysfile.h"

#include <stdlib.h>
#include <string.h>

static void lc_supp_warn(void *ctx, const char *file, int line, const char *why)
{
    int *bad = ctx;
    if (line) {
        lc_err("%s:%d: %s; line skipped", file, line, why);
    } else {
        lc_err("cannot read suppressions file '%s': %s", file, why);
        *bad = 1;
    }
}

int lc_load_suppressions(struct lc_merge *m, const struct lc_config *c)
{
    int bad = 0;
    for (size_t i = 0; i < c->nsupp; i++)
        ll_supp_load(&m->supp, c->supp_files[i], lc_supp_warn, &bad);
    m->nsupp_wrapper = m->supp.n;
    return bad ? -1 : 0;
}

int lc_system_object(const char *obj)
{
    static const char *const dirs[] = { "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/",
                                        "/usr/libexec/", NULL };
    static const char *const libs[] = { "ld-linux", "libc.so", "libstdc++", "libgcc_s",
                                        "libleak.so", NULL };
    if (!obj)
        return 1;
    for (int i = 0; dirs[i]; i++)
        if (strncmp(obj, dirs[i], strlen(dirs[i])) == 0)
            return 1;
    for (int i = 0; libs[i]; i++)
        if (strncmp(lc_basename(obj), libs[i], strlen(libs[i])) == 0)
            return 1;
    return 0;
}

/* A frame in a system header or library source, by libleak's own rule
 * (sysfile.h): C++'s containers allocate in headers compiled into the
 * program. */
int lc_system_source(const json_t *frame)
{
    return ll_system_source(lc_fstr(frame, "file"), lc_fstr(frame, "comp_dir"));
}

/* The program's own frame, as the text report's site: the first with a
 * file in the program's objects and not under /usr; else the first in the
 * program's objects; else the first with a file. */
size_t lc_own_frame(const json_t *stack)
{
    size_t i, obj = (size_t)-1, any = (size_t)-1;
    const json_t *f;
    json_array_foreach(stack, i, f) {
        const char *file = lc_fstr(f, "file");
        if (!file)
            continue;
        if (!lc_system_object(lc_fstr(f, "object"))) {
            if (!lc_system_source(f))
                return i;
            if (obj == (size_t)-1)
                obj = i;
        }
        if (any == (size_t)-1)
            any = i;
    }
    return obj != (size_t)-1 ? obj : any != (size_t)-1 ? any : 0;
}

/* main, a Rust crate's too. */
static int lc_main_function(const char *fn)
{
    size_t n = strlen(fn);
    return strcmp(fn, "main") == 0 || (n > 6 && strcmp(fn + n - 6, "::main") == 0);
}

/* The C start-up code, which calls main. */
static int lc_libc_startup(const char *fn)
{
    static const char *const names[] = { "_start", "__libc_start_main",
                                         "__libc_start_call_main", NULL };
    for (int i = 0; names[i]; i++)
        if (strcmp(fn, names[i]) == 0)
            return 1;
    return 0;
}

/* main and the C start-up code are in every stack of the process: a
 * pattern matching them would suppress every leak. */
static int lc_startup_function(const char *fn)
{
    return lc_main_function(fn) || lc_libc_startup(fn);
}

/* The object the process starts in: main's, even when it is stripped of
 * its name (the frame the start-up code called); without start-up frames
 * (a thread's stack, a truncated one), the outermost outside system
 * libraries'. */
static const char *lc_entry_object(const json_t *stack)
{
    size_t i;
    const json_t *f;
    const char *prev = NULL, *outer = NULL;
    json_array_foreach(stack, i, f) {
        const char *fn = lc_fstr(f, "function"), *o = lc_fstr(f, "object");
        if (fn && lc_main_function(fn))
            return o;
        if (fn && lc_libc_startup(fn))
            return prev ? prev : o;
        prev = o;
        if (!lc_system_object(o))
            outer = o;
    }
    return outer;
}

/* An object holding the process's entry frames or a start-up frame: a
 * pattern naming it matches every stack of the process, so every leak. */
static int lc_startup_object(const json_t *stack, const char *obj)
{
    size_t i;
    const json_t *f;
    const char *entry = lc_entry_object(stack);
    if (entry && strcmp(entry, obj) == 0)
        return 1;
    json_array_foreach(stack, i, f) {
        const char *fn = lc_fstr(f, "function"), *o = lc_fstr(f, "object");
        if (fn && o && lc_startup_function(fn) && strcmp(o, obj) == 0)
            return 1;
    }
    return 0;
}

/* A suppression matches any frame's function, file or object, and cannot
 * combine them or name a line, so the only pattern that singles a site out
 * is a function the other leaks do not pass through.  The candidates, from
 * the site's own frame outwards, up to main or start-up code: functions
 * with a name (system libraries' only if the site is in one). */
size_t lc_supp_candidates(const json_t *stack, size_t *out)
{
    size_t own = lc_own_frame(stack), i, n = 0;
    const json_t *f;
    int sys = lc_system_object(lc_fstr(json_array_get(stack, own), "object"));
    json_array_foreach(stack, i, f) {
        const char *fn = lc_fstr(f, "function");
        if (i < own || !fn || (!sys && lc_system_object(lc_fstr(f, "object"))))
            continue;
        if (lc_startup_function(fn))
            break;
        out[n++] = i;
    }
    return n;
}

/* The first candidate that is not a helper the caller calls shared (an
 * allocation wrapper: "^xmalloc$" would hide every later leak made through
 * it): its frame's index, -1 if there is none; *skipped says whether a
 * shared helper was passed over. */
long lc_supp_frame(const json_t *stack, const struct lc_names *shared, int *skipped)
{
    size_t *idx = lc_alloc(json_array_size(stack) * sizeof *idx + 1);
    size_t n = lc_supp_candidates(stack, idx);
    long at = -1;
    *skipped = 0;
    for (size_t k = 0; k < n && at < 0; k++) {
        if (lc_names_has(shared, lc_fstr(json_array_get(stack, idx[k]), "function")))
            *skipped = 1;
        else
            at = (long)idx[k];
    }
    free(idx);
    return at;
}

/* The pattern for lc_supp_frame's frame.  Without one, the object of an
 * unnamed site, unless the process starts in it (main's, named or
 * stripped).  NULL when nothing would match only this site (a leak
 * allocated in main itself: "^main$" would suppress everything; so would a
 * stripped program's name, or a shared helper's). */
char *lc_supp_pattern(const json_t *stack, const struct lc_names *shared)
{
    int skipped;
    long i = lc_supp_frame(stack, shared, &skipped);
    if (i >= 0)
        return lc_printf("^%s$", lc_fstr(json_array_get(stack, (size_t)i), "function"));
    size_t own = lc_own_frame(stack);
    const json_t *fr = json_array_get(stack, own);
    const char *obj = lc_fstr(fr, "object");
    if (skipped || lc_fstr(fr, "function") || !obj || lc_startup_object(stack, obj))
        return NULL;
    return lc_strdup(lc_basename(obj));
}

/* Every frame of the stack counts, however deep: with inlined functions a
 * report's stack has up to 4 frames per return address (LL_FRAMES_MAX). */
static long lc_site_supp(const struct lc_merge *m, const struct lc_site *s)
{
    struct ll_supp_frame *fr = lc_alloc(json_array_size(s->stack) * sizeof *fr + 1);
    size_t n = 0, i;
    const json_t *f;
    json_array_foreach(s->stack, i, f)
        fr[n++] = (struct ll_supp_frame){ lc_fstr(f, "function"), lc_fstr(f, "file"),
                                          lc_fstr(f, "object") };
    struct ll_supp_set own = m->supp;
    own.n = m->nsupp_wrapper;                    /* the library applied its own */
    long at = ll_supp_find(&own, fr, n);
    free(fr);
    return at;
}

static int lc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lc_in_baseline(struct lc_merge *m, const char *sig)
{
    char **hit = m->nbaseline ? bsearch(&sig, m->baseline, m->nbaseline, sizeof(char *),
                                        lc_cmp_str) : NULL;
    if (hit)
        m->baseline_used[hit - m->baseline] = 1;
    return hit != NULL;
}

/* Blocks of a failing kind in p's summary that none of its sites lists:
 * the library lists still-reachable blocks only with show_reachable=1, but
 * always counts them.  Listed sites cannot tell where they are, so they
 * fail the process and cannot be baselined or suppressed. */
static void lc_proc_unlisted(struct lc_merge *m, struct lc_proc *pr, int fail_on)
{
    uint64_t bytes[LC_NKINDS] = { 0 }, blocks[LC_NKINDS] = { 0 };
    for (size_t i = 0; i < pr->nsites; i++) {
        const struct lc_site *s = &m->sites[pr->sites[i].site];
        if (s->supp >= 0)
            continue;
        bytes[s->kind] += pr->sites[i].bytes;
        blocks[s->kind] += pr->sites[i].blocks;
    }
    for (int k = 0; k < LC_NKINDS; k++) {
        if (!(fail_on & (1 << k)) || pr->blocks[k] <= blocks[k])
            continue;
        pr->unlisted_blocks[k] = pr->blocks[k] - blocks[k];
        pr->unlisted_bytes[k] = pr->bytes[k] > bytes[k] ? pr->bytes[k] - bytes[k] : 0;
        m->unlisted_blocks[k] += pr->unlisted_blocks[k];
        m->unlisted_bytes[k] += pr->unlisted_bytes[k];
        m->unlisted_oom[k] |= pr->unlisted_oom;
        pr->fails = 1;
    }
}

/* One pass over the processes: a suppressed site's bytes move to the
 * process's suppressed count; a failing site fails the process, and so do
 * unlisted blocks of a failing kind. */
static void lc_procs_judge(struct lc_merge *m, int fail_on)
{
    for (size_t p = 0; p < m->nprocs; p++) {
        struct lc_proc *pr = &m->procs[p];
        for (size_t i = 0; i < pr->nsites; i++) {
            const struct lc_psite *ps = &pr->sites[i];
            const struct lc_site *s = &m->sites[ps->site];
            pr->fails |= s->fails;
            if (s->supp < 0)
                continue;
            pr->bytes[s->kind] -= ps->bytes;
            pr->blocks[s->kind] -= ps->blocks;
            pr->supp_bytes += ps->bytes;
            pr->supp_blocks += ps->blocks;
        }
        lc_proc_unlisted(m, pr, fail_on);
        if (pr->unclassified) {
            pr->fails = 1;
            m->unclassified_procs++;
            m->unclassified += pr->unclassified;
        }
        m->supp_bytes += pr->supp_bytes;
        m->supp_blocks += pr->supp_blocks;
    }
}

void lc_judge(struct lc_merge *m, const struct lc_config *c)
{
    if (m->nbaseline)
        qsort(m->baseline, m->nbaseline, sizeof(char *), lc_cmp_str);
    for (size_t i = 0; i < m->nsites; i++) {
        struct lc_site *s = &m->sites[i];
        s->signature = lc_signature(s->stack);
        s->supp = m->nsupp_wrapper ? lc_site_supp(m, s) : -1;
        if (s->supp >= 0) {
            m->supp.v[s->supp].blocks += s->blocks;
            m->supp.v[s->supp].bytes += s->bytes;
        }
        s->baselined = s->supp < 0 && lc_in_baseline(m, s->signature);
        s->fails = (c->fail_on & (1 << s->kind)) && s->supp < 0 && !s->baselined;
    }
    lc_procs_judge(m, c->fail_on);
}

size_t lc_failing_sites(const struct lc_merge *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nsites; i++)
        n += m->sites[i].fails;
    return n;
}

/* No report at all fails too: a gate that checked nothing must not pass
 * (static or set-ID programs, SIGKILL, a fork child's _exit() write none). */
int lc_gate_fails(const struct lc_merge *m)
{
    if (!m->nprocs || m->unclassified_procs)
        return 1;
    for (int k = 0; k < LC_NKINDS; k++)
        if (m->unlisted_blocks[k])
            return 1;
    return lc_failing_sites(m) != 0;
}
