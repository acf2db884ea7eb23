/* merge.c - read every process's JSON report and merge leak groups into
 * sites: one per (kind, symbolized stack) across all processes.
 *
 * A site's key is its kind and, per frame, function, file, line and object
 * (the offset only when the function is unknown), so the same leak in a
 * thousand forked children is one site with a thousand-fold count, and
 * address-space layout never splits a site. */
#include "lc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- site index ---------------------------------------------------------- */

static uint64_t lc_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;          /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void lc_index_grow(struct lc_merge *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 1024;
    size_t *slots = lc_alloc(n * sizeof(*slots));
    for (size_t i = 0; i < m->nsites; i++) {
        size_t j = lc_hash(m->sites[i].key) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = i + 1;                          /* 0 is an empty slot */
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
}

/* The site for key (taking ownership of key), created if new. */
static struct lc_site *lc_site_get(struct lc_merge *m, char *key, int kind,
                                   json_t *stack)
{
    if (2 * (m->nsites + 1) > m->nslots)
        lc_index_grow(m);
    size_t j = lc_hash(key) & (m->nslots - 1);
    for (; m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
        struct lc_site *s = &m->sites[m->slots[j] - 1];
        if (strcmp(s->key, key) == 0) {
            free(key);
            return s;
        }
    }
    if (m->nsites == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->sites = lc_grow(m->sites, m->cap * sizeof(*m->sites));
    }
    struct lc_site *s = &m->sites[m->nsites];
    *s = (struct lc_site){ .key = key, .kind = kind, .stack = stack, .supp = -1,
                           .last_proc = (size_t)-1 };
    m->slots[j] = ++m->nsites;
    return s;
}

/* ---- keys ------------------------------------------------------------------ */

static void lc_key_add(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = lc_grow(*buf, *cap);
    }
    memcpy(*buf + *len, s ? s : "", n - 1);
    *len += n;
    (*buf)[*len - 1] = '\x1f';                     /* unit separator */
    (*buf)[*len] = 0;
}

static char *lc_site_key(int kind, const json_t *stack)
{
    char *buf = NULL, num[32];
    size_t len = 0, cap = 0, i;
    const json_t *f;
    lc_key_add(&buf, &len, &cap, lc_kind_json[kind]);
    json_array_foreach(stack, i, f) {
        const char *fn = lc_fstr(f, "function");
        snprintf(num, sizeof num, "%ld", lc_fint(f, "line"));
        lc_key_add(&buf, &len, &cap, fn);
        lc_key_add(&buf, &len, &cap, lc_fstr(f, "file"));
        lc_key_add(&buf, &len, &cap, num);
        lc_key_add(&buf, &len, &cap, lc_fstr(f, "object"));
        lc_key_add(&buf, &len, &cap, fn ? "" : lc_fstr(f, "offset"));
    }
    return buf ? buf : lc_strdup("");
}

/* ---- one report -------------------------------------------------------------- */

static char *lc_cmdline(const json_t *cmd)
{
    size_t i, len = 0;
    const json_t *a;
    json_array_foreach(cmd, i, a)
        len += strlen(json_string_value(a) ? json_string_value(a) : "") + 1;
    char *s = lc_alloc(len + 1);
    json_array_foreach(cmd, i, a) {
        if (i)
            strcat(s, " ");
        strcat(s, json_string_value(a) ? json_string_value(a) : "");
    }
    return s;
}

static void lc_proc_counts(struct lc_proc *p, const json_t *summary)
{
    for (int k = 0; k < LC_NKINDS; k++) {
        const json_t *c = json_object_get(summary, lc_kind_json[k]);
        p->bytes[k] = (uint64_t)json_integer_value(json_object_get(c, "bytes"));
        p->blocks[k] = (uint64_t)json_integer_value(json_object_get(c, "blocks"));
    }
    const json_t *s = json_object_get(summary, "suppressed");
    p->supp_bytes = (uint64_t)json_integer_value(json_object_get(s, "bytes"));
    p->supp_blocks = (uint64_t)json_integer_value(json_object_get(s, "blocks"));
}

static void lc_proc_leak(struct lc_merge *m, size_t pi, const json_t *g)
{
    struct lc_proc *p = &m->procs[pi];
    int kind = lc_kind_from_json(json_string_value(json_object_get(g, "kind")));
    json_t *stack = json_object_get(g, "stack");
    if (kind < 0 || !json_is_array(stack))
        return;
    struct lc_site *s = lc_site_get(m, lc_site_key(kind, stack), kind, stack);
    uint64_t bytes = (uint64_t)json_integer_value(json_object_get(g, "bytes"));
    uint64_t blocks = (uint64_t)json_integer_value(json_object_get(g, "blocks"));
    s->bytes += bytes;
    s->blocks += blocks;
    if (!s->function)
        s->function = json_string_value(json_object_get(g, "function"));
    if (s->last_proc != pi) {
        if (s->nprocs < sizeof s->pids / sizeof s->pids[0])
            s->pids[s->nprocs] = p->pid;
        s->nprocs++;
        s->last_proc = pi;
    }
    p->sites = lc_grow(p->sites, (p->nsites + 1) * sizeof(*p->sites));
    p->sites[p->nsites++] = (struct lc_psite){ (size_t)(s - m->sites), bytes, blocks };
}

/* The library's own suppressions (suppressions= in LIBLEAK_OPTIONS): the
 * same line in many reports is one entry, its counts summed. */
static void lc_proc_supps(struct lc_merge *m, const json_t *arr)
{
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *pat = json_string_value(json_object_get(e, "pattern"));
        const char *file = json_string_value(json_object_get(e, "file"));
        int line = (int)json_integer_value(json_object_get(e, "line"));
        if (!pat || !file)
            continue;
        size_t j = m->nsupp_wrapper;
        while (j < m->supp.n && !(m->supp.v[j].line == line &&
               strcmp(m->supp.v[j].file, file) == 0 && strcmp(m->supp.v[j].pattern, pat) == 0))
            j++;
        if (j == m->supp.n) {
            char *text = lc_printf("leak:%s", pat);
            const char *why;
            ll_supp_parse_line(&m->supp, text, file, line, &why);
            free(text);
            if (j == m->supp.n)
                continue;
        }
        m->supp.v[j].blocks += (uint64_t)json_integer_value(json_object_get(e, "blocks"));
        m->supp.v[j].bytes += (uint64_t)json_integer_value(json_object_get(e, "bytes"));
    }
}

/* Keep a parsed report as a process; its leaks are merged later, in pid
 * order, so the output does not depend on the directory's order. */
static int lc_merge_report(struct lc_merge *m, json_t *j)
{
    json_t *summary = json_object_get(j, "summary"), *leaks = json_object_get(j, "leaks");
    if (!json_is_object(summary) || !json_is_array(leaks))
        return -1;
    m->procs = lc_grow(m->procs, (m->nprocs + 1) * sizeof(*m->procs));
    size_t pi = m->nprocs++;
    struct lc_proc *p = &m->procs[pi];
    *p = (struct lc_proc){ .pid = (long)json_integer_value(json_object_get(j, "pid")),
                           .report = j };
    p->cmdline = lc_cmdline(json_object_get(j, "command"));
    /* 0 if absent: a report of an older libleak pairs with markers by pid */
    p->start = (uint64_t)json_integer_value(json_object_get(j, "start_time"));
    /* every bad free; "errors" lists only the first 1,000 (a report from
     * before totals.bad_frees has the list alone) */
    json_t *bad = json_object_get(json_object_get(j, "totals"), "bad_frees");
    p->nerrors = json_is_integer(bad) ? (size_t)json_integer_value(bad)
                                      : json_array_size(json_object_get(j, "errors"));
    p->unstopped = (uint64_t)json_integer_value(
        json_object_get(json_object_get(j, "check"), "threads_not_stopped"));
    p->unclassified = (uint64_t)json_integer_value(   /* 0 if absent (older reports) */
        json_object_get(json_object_get(j, "check"), "unclassified_blocks"));
    p->unlisted_oom = json_integer_value(
        json_object_get(json_object_get(j, "check"), "leaks_unlisted")) != 0;
    p->hidden = json_string_value(     /* NULL if null or absent (older reports) */
        json_object_get(json_object_get(j, "check"), "allocator_hidden_by"));
    m->nhidden += p->hidden != NULL;
    lc_proc_counts(p, summary);
    return 0;
}

static void lc_merge_leaks(struct lc_merge *m)
{
    for (size_t pi = 0; pi < m->nprocs; pi++) {
        const json_t *j = m->procs[pi].report;
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(j, "leaks"), i, g)
            lc_proc_leak(m, pi, g);
        lc_proc_supps(m, json_object_get(j, "suppressions"));
    }
}

static int lc_cmp_proc(const void *a, const void *b)
{
    const struct lc_proc *p = a, *q = b;
    if (p->pid != q->pid)
        return (p->pid > q->pid) - (p->pid < q->pid);
    return (p->seq > q->seq) - (p->seq < q->seq);
}

/* --reports DIR --json DIR/merged.json: our output, opened (so emptied)
 * before the merge, is no report, and no unreadable one either. */
static int lc_own_output(const struct lc_merge *m, const char *path)
{
    struct stat st;
    if (!m->nown || stat(path, &st) != 0)
        return 0;
    for (size_t i = 0; i < m->nown; i++)
        if (m->own[i].dev == st.st_dev && m->own[i].ino == st.st_ino)
            return 1;
    return 0;
}

/* A report (or a start marker): a regular file, parsed (NULL, err set, if
 * it cannot be); *skip when it is none.  In the directory leakcheck made (ours), which other
 * users may add entries to when it runs as root (run.c), a symbolic link is
 * not followed: root would parse a file of another user's choosing, and the
 * error message would show its first word.  Nothing blocks: a FIFO with no
 * writer would hang the gate. */
static json_t *lc_load_report(const char *path, int ours, json_error_t *err, int *skip)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (ours ? O_NOFOLLOW : 0));
    struct stat st;
    *skip = fd < 0 ? errno == ELOOP : fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
    if (fd < 0 || *skip) {
        snprintf(err->text, sizeof err->text, "%s", strerror(fd < 0 ? errno : EINVAL));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    /* Through stdio: json_loadfd reads one byte per read(2), 4 s of system
     * time for 1,000 reports (scripts/bench-merge). */
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err->text, sizeof err->text, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    json_t *j = json_loadf(f, 0, err);
    fclose(f);
    return j;
}

/* N of NAME.N.json or NAME.N.start: the Nth process with this pid (libleak
 * keeps an earlier one's file); 1 without it.  end: just past the pid. */
static unsigned long lc_seq(const char *end)
{
    return end[0] == '.' && end[1] >= '0' && end[1] <= '9' ? strtoul(end + 1, NULL, 10) : 1;
}

/* A start marker (started.c): one that cannot be read says so, and is
 * left out, as it names no process. */
static void lc_read_marker(struct lc_merge *m, const char *path, int ours, unsigned long seq)
{
    json_error_t err;
    int skip;
    json_t *j = lc_load_report(path, ours, &err, &skip);
    if (skip)
        lc_err("ignoring %s: not a regular file, so not a marker libleak wrote", path);
    else if (!j)
        lc_err("ignoring the start marker %s: %s", path, err.text);
    else if (lc_mark_add(m, j, seq) != 0) {
        lc_err("ignoring %s: valid JSON, but not a libleak start marker", path);
        json_decref(j);
    }
}

static void lc_read_report(struct lc_merge *m, const char *path, int ours, unsigned long seq)
{
    json_error_t err;
    int skip;
    json_t *j = lc_load_report(path, ours, &err, &skip);
    if (skip) {
        lc_err("ignoring %s: not a regular file, so not a report libleak wrote", path);
    } else if (!j) {
        /* A truncated report (a full disk) is a process whose leaks are
         * unknown: skipping it would pass the gate on what was lost. */
        lc_err("cannot read the report %s (%s): that process's leaks are "
               "unknown (a full disk? libleak then writes the report to stderr)",
               path, err.text);
        m->unreadable++;
    } else if (lc_merge_report(m, j) != 0) {
        lc_err("ignoring %s: valid JSON, but not a libleak report", path);
        json_decref(j);
    } else {
        m->procs[m->nprocs - 1].seq = seq;
    }
}

/* 1 if name ends with suffix and has more before it. */
static int lc_ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && strcmp(name + n - k, suffix) == 0;
}

/* One directory entry: a report (.json), a start marker (.start) or
 * something else, left alone. */
static void lc_read_entry(struct lc_merge *m, const char *dir, const char *name, int ours,
                          long only_pid)
{
    int report = lc_ends_with(name, ".json"), marker = lc_ends_with(name, ".start");
    char *end;
    long pid = strtol(name, &end, 10);
    if (!report && !marker)
        return;
    if (only_pid > 0 && pid != only_pid) {
        m->skipped += report;
        return;
    }
    char *path = lc_printf("%s/%s", dir, name);
    int own = lc_own_output(m, path);
    if (!own && report)
        lc_read_report(m, path, ours, lc_seq(end));
    else if (!own)
        lc_read_marker(m, path, ours, lc_seq(end));
    free(path);
}

int lc_merge_dir(struct lc_merge *m, const char *dir, int ours, long only_pid, long top_pid)
{
    DIR *d = opendir(dir);
    if (!d) {
        lc_err("cannot read the report directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        lc_read_entry(m, dir, e->d_name, ours, only_pid);
    closedir(d);
    if (m->unreadable)
        return -1;
    qsort(m->procs, m->nprocs, sizeof(*m->procs), lc_cmp_proc);
    /* COMMAND's own process first: it is what the user ran. */
    for (size_t i = 1; i < m->nprocs; i++)
        if (m->procs[i].pid == top_pid) {    /* the first: a later one reused its pid */
            struct lc_proc t = m->procs[i];
            memmove(&m->procs[1], &m->procs[0], i * sizeof(t));
            m->procs[0] = t;
            break;
        }
    lc_merge_leaks(m);
    lc_merge_unreported(m);
    return 0;
}

/* ---- order ------------------------------------------------------------------ */

static int lc_cmp_site(const void *a, const void *b, void *ctx)
{
    const struct lc_site *v = ctx;
    const struct lc_site *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->blocks != y->blocks)
        return x->blocks > y->blocks ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return strcmp(x->key, y->key);               /* deterministic output */
}

void lc_merge_sort(struct lc_merge *m)
{
    size_t n = m->nsites, *order = lc_alloc((n + 1) * sizeof(size_t));
    size_t *where = lc_alloc((n + 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof(size_t), lc_cmp_site, m->sites);
    struct lc_site *v = lc_alloc((n + 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i] = m->sites[order[i]];
        where[order[i]] = i;
    }
    for (size_t p = 0; p < m->nprocs; p++)
        for (size_t i = 0; i < m->procs[p].nsites; i++)
            m->procs[p].sites[i].site = where[m->procs[p].sites[i].site];
    free(m->sites);
    m->sites = v;
    m->cap = n;
    free(m->slots);                               /* the index is stale now */
    m->slots = NULL;
    m->nslots = 0;
    free(order);
    free(where);
}

char *lc_proc_name(const struct lc_merge *m, size_t i)
{
    const char *cmd = m->procs[i].cmdline;
    size_t dup = 0;
    for (size_t j = 0; j < i; j++)
        dup += strcmp(m->procs[j].cmdline, cmd) == 0;
    cmd = cmd[0] ? cmd : "(no command line)";
    return dup ? lc_printf("%s #%zu", cmd, dup + 1) : lc_strdup(cmd);
}

void lc_merge_free(struct lc_merge *m)
{
    for (size_t i = 0; i < m->nsites; i++) {
        free(m->sites[i].key);
        free(m->sites[i].signature);
    }
    for (size_t i = 0; i < m->nprocs; i++) {
        free(m->procs[i].cmdline);
        free(m->procs[i].sites);
        json_decref(m->procs[i].report);
    }
    for (size_t i = 0; i < m->nmarks; i++)
        lc_mark_free(&m->marks[i]);
    free(m->marks);
    for (size_t i = 0; i < m->nbaseline; i++)
        free(m->baseline[i]);
    free(m->baseline);
    free(m->baseline_used);
    free(m->sites);
    free(m->slots);
    free(m->procs);
    ll_supp_free(&m->supp);
    memset(m, 0, sizeof(*m));
}
