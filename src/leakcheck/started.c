/* started.c - the start markers libleak writes (started=DIR/%p.start, set
 * by run.c), paired with the reports.
 *
 * Each process libleak starts in leaves a marker holding its pid, its
 * start time and its command line; its report repeats the pid and the
 * start time.  A marker that no report pairs with is a process that was
 * not checked: killed by SIGKILL, or it exec'd a program libleak is not
 * loaded into, or libleak could not create its report.  The pid alone
 * would not do: a pid is reused, and a later process with it may have
 * reported.  An exec keeps both pid and start time, so a process that
 * exec'd a traced program (its marker rewritten, one report) pairs. */
#include "lc.h"

#include <stdlib.h>
#include <string.h>

const char lc_unreported_why[] =
    "likely killed by SIGKILL (the OOM killer, timeout -s KILL), or exec'd a program "
    "libleak cannot be loaded into (statically linked or set-ID), or libleak said on "
    "stderr why it wrote none";

void lc_mark_free(struct lc_mark *k)
{
    json_decref(k->marker);
    free(k->cmdline);
    memset(k, 0, sizeof *k);
}

/* The command line as one string, as merge.c makes a report's. */
static char *lc_mark_cmdline(const json_t *cmd)
{
    size_t i, len = 1;
    const json_t *a;
    json_array_foreach(cmd, i, a)
        len += strlen(json_string_value(a) ? json_string_value(a) : "") + 1;
    char *s = lc_alloc(len);
    json_array_foreach(cmd, i, a) {
        strcat(s, i ? " " : "");
        strcat(s, json_string_value(a) ? json_string_value(a) : "");
    }
    return s;
}

int lc_mark_add(struct lc_merge *m, json_t *j, unsigned long seq)
{
    json_t *pid = json_object_get(j, "pid"), *start = json_object_get(j, "start_time");
    if (!json_is_integer(pid) || json_integer_value(pid) <= 0 || !json_is_integer(start))
        return -1;
    m->marks = lc_grow(m->marks, (m->nmarks + 1) * sizeof *m->marks);
    m->marks[m->nmarks++] = (struct lc_mark){
        .pid = (long)json_integer_value(pid), .start = (uint64_t)json_integer_value(start),
        .seq = seq, .marker = j, .cmdline = lc_mark_cmdline(json_object_get(j, "command")) };
    return 0;
}

/* By pid, then start time; a process's latest marker (highest N) first. */
static int lc_cmp_mark(const void *a, const void *b)
{
    const struct lc_mark *x = a, *y = b;
    if (x->pid != y->pid)
        return (x->pid > y->pid) - (x->pid < y->pid);
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->seq < y->seq) - (x->seq > y->seq);
}

static int lc_cmp_key(const void *a, const void *b)
{
    const struct lc_key *x = a, *y = b;
    if (x->pid != y->pid)
        return (x->pid > y->pid) - (x->pid < y->pid);
    return (x->start > y->start) - (x->start < y->start);
}

/* A key pairs with k: same pid, same start time or one of them unknown. */
static int lc_paired(const struct lc_mark *k, const struct lc_key *keys, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {                       /* the first key of k's pid */
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].pid < k->pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && keys[lo].pid == k->pid; lo++)
        if (keys[lo].start == k->start || !keys[lo].start || !k->start)
            return 1;
    return 0;
}

size_t lc_marks_unpaired(struct lc_mark *v, size_t n, const struct lc_key *keys, size_t nkeys)
{
    struct lc_key *sorted = lc_alloc(nkeys * sizeof *sorted + 1);
    if (nkeys)
        memcpy(sorted, keys, nkeys * sizeof *sorted);
    qsort(sorted, nkeys, sizeof *sorted, lc_cmp_key);
    if (n)
        qsort(v, n, sizeof *v, lc_cmp_mark);
    size_t kept = 0;
    struct lc_key prev = { 0, 0 };          /* the last process seen: pids are > 0 */
    for (size_t i = 0; i < n; i++) {
        int again = v[i].pid == prev.pid && v[i].start == prev.start;
        prev = (struct lc_key){ v[i].pid, v[i].start };
        if (again || lc_paired(&v[i], sorted, nkeys)) {
            lc_mark_free(&v[i]);
            continue;
        }
        struct lc_mark t = v[i];            /* v[kept] was freed or is v[i] */
        v[i] = v[kept];
        v[kept++] = t;
    }
    free(sorted);
    return kept;
}

void lc_merge_unreported(struct lc_merge *m)
{
    struct lc_key *keys = lc_alloc(m->nprocs * sizeof *keys + 1);
    for (size_t i = 0; i < m->nprocs; i++)
        keys[i] = (struct lc_key){ m->procs[i].pid, m->procs[i].start };
    m->nmarks = lc_marks_unpaired(m->marks, m->nmarks, keys, m->nprocs);
    free(keys);
}

char *lc_mark_name(const struct lc_merge *m, size_t i)
{
    const char *cmd = m->marks[i].cmdline;
    size_t dup = 0;
    for (size_t j = 0; j < m->nprocs; j++)
        dup += strcmp(m->procs[j].cmdline, cmd) == 0;
    for (size_t j = 0; j < i; j++)
        dup += strcmp(m->marks[j].cmdline, cmd) == 0;
    cmd = cmd[0] ? cmd : "(no command line)";
    return dup ? lc_printf("%s #%zu", cmd, dup + 1) : lc_strdup(cmd);
}

int lc_unreported_fail(const struct lc_merge *m, const struct lc_config *c)
{
    return c->require_reports && (m->nmarks || m->nhidden);
}
