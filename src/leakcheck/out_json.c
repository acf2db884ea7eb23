/* out_json.c - --json FILE: the merged, judged report (schema in README,
 * "Use in CI"). */
#include "lc.h"

#include <stdlib.h>

static json_t *lc_count_json(uint64_t bytes, uint64_t blocks)
{
    return json_pack("{s:I,s:I}", "bytes", (json_int_t)bytes, "blocks", (json_int_t)blocks);
}

static json_t *lc_kinds_json(const uint64_t *bytes, const uint64_t *blocks,
                             uint64_t sbytes, uint64_t sblocks)
{
    json_t *o = json_object();
    for (int k = 0; k < LC_NKINDS; k++)
        json_object_set_new(o, lc_kind_json[k], lc_count_json(bytes[k], blocks[k]));
    json_object_set_new(o, "suppressed", lc_count_json(sbytes, sblocks));
    return o;
}

static json_t *lc_procs_json(const struct lc_merge *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nprocs; i++) {
        const struct lc_proc *p = &m->procs[i];
        json_array_append_new(a, json_pack("{s:I,s:O,s:o,s:I,s:I,s:o,s:b}",
            "pid", (json_int_t)p->pid,
            "command", json_object_get(p->report, "command"),
            "summary", lc_kinds_json(p->bytes, p->blocks, p->supp_bytes, p->supp_blocks),
            "errors", (json_int_t)p->nerrors,
            "threads_not_stopped", (json_int_t)p->unstopped,
            "allocator_hidden_by", p->hidden ? lc_json_str(p->hidden) : json_null(),
            "fails", p->fails));
    }
    return a;
}

/* Processes that started under libleak and wrote no report. */
static json_t *lc_unreported_json(const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    json_t *a = json_array();
    for (size_t i = 0; i < m->nmarks; i++) {
        const struct lc_mark *k = &m->marks[i];
        json_t *cmd = json_object_get(k->marker, "command");
        json_array_append_new(a, json_pack("{s:I,s:I,s:o,s:b}", "pid", (json_int_t)k->pid,
            "start_time", (json_int_t)k->start,
            "command", json_is_array(cmd) ? json_incref(cmd) : json_array(),
            "fails", lc_unreported_fail(m, r->cfg)));
    }
    return a;
}

const char *lc_site_status(const struct lc_site *s)
{
    if (s->supp >= 0)
        return "suppressed";
    if (s->fails)
        return "new";
    return s->baselined ? "baseline" : "not_failing";
}

static json_t *lc_supp_json(const struct ll_supp *s)
{
    return json_pack("{s:o,s:o,s:i,s:I,s:I}", "pattern", lc_json_str(s->pattern),
                     "file", lc_json_str(s->file),
                     "line", s->line, "blocks", (json_int_t)s->blocks,
                     "bytes", (json_int_t)s->bytes);
}

static json_t *lc_sites_json(const struct lc_merge *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nsites; i++) {
        const struct lc_site *s = &m->sites[i];
        json_t *pids = json_array();
        for (size_t j = 0; j < s->nprocs && j < sizeof s->pids / sizeof s->pids[0]; j++)
            json_array_append_new(pids, json_integer(s->pids[j]));
        json_t *o = json_pack("{s:s,s:I,s:I,s:s?,s:I,s:o,s:s,s:s,s:O}",
            "kind", lc_kind_json[s->kind], "bytes", (json_int_t)s->bytes,
            "blocks", (json_int_t)s->blocks, "function", s->function,
            "processes", (json_int_t)s->nprocs, "pids", pids,
            "status", lc_site_status(s), "signature", s->signature, "stack", s->stack);
        if (s->supp >= 0)
            json_object_set_new(o, "suppression", lc_supp_json(&m->supp.v[s->supp]));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *lc_summary_json(const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    uint64_t bytes[LC_NKINDS] = { 0 }, blocks[LC_NKINDS] = { 0 };
    for (size_t i = 0; i < m->nprocs; i++)
        for (int k = 0; k < LC_NKINDS; k++) {
            bytes[k] += m->procs[i].bytes[k];
            blocks[k] += m->procs[i].blocks[k];
        }
    json_t *o = lc_kinds_json(bytes, blocks, m->supp_bytes, m->supp_blocks);
    json_object_set_new(o, "processes", json_integer((json_int_t)m->nprocs));
    json_object_set_new(o, "sites", json_integer((json_int_t)m->nsites));
    json_object_set_new(o, "new_sites", json_integer((json_int_t)lc_failing_sites(m)));
    json_t *unlisted = json_object();
    for (int k = 0; k < LC_NKINDS; k++)
        if (m->unlisted_blocks[k])
            json_object_set_new(unlisted, lc_kind_json[k],
                                lc_count_json(m->unlisted_bytes[k], m->unlisted_blocks[k]));
    json_object_set_new(o, "unlisted", unlisted);
    json_object_set_new(o, "unclassified_blocks", json_integer((json_int_t)m->unclassified));
    json_object_set_new(o, "unreported", json_integer((json_int_t)m->nmarks));
    json_object_set_new(o, "allocator_hidden", json_integer((json_int_t)m->nhidden));
    return o;
}

static json_t *lc_head_json(const struct lc_result *r)
{
    json_t *argv = json_array(), *kinds = json_array();
    for (char **a = r->cfg->argv; a && *a; a++)
        json_array_append_new(argv, lc_json_str(*a));
    for (int k = 0; k < LC_NKINDS; k++)
        if (r->cfg->fail_on & (1 << k))
            json_array_append_new(kinds, json_string(lc_kind_json[k]));
    return json_pack("{s:s,s:o,s:i,s:b,s:i,s:i,s:o}", "leakcheck", LC_VERSION,
                     "command", argv, "status", r->run->status,
                     "signaled", r->run->signaled, "gate", r->gate, "exit", r->exit,
                     "fail_on", kinds);
}

int lc_out_json(FILE *f, const struct lc_result *r)
{
    const struct lc_merge *m = r->m;
    json_t *root = lc_head_json(r);
    json_object_set_new(root, "summary", lc_summary_json(r));
    json_object_set_new(root, "processes", lc_procs_json(m));
    json_object_set_new(root, "unreported", lc_unreported_json(r));
    json_object_set_new(root, "sites", lc_sites_json(m));
    json_t *supps = json_array();
    for (size_t i = 0; i < m->supp.n; i++)
        json_array_append_new(supps, lc_supp_json(&m->supp.v[i]));
    json_object_set_new(root, "suppressions", supps);
    if (r->cfg->baseline) {
        json_t *unused = json_array();
        for (size_t i = 0; i < m->nbaseline; i++)
            if (!m->baseline_used[i])
                json_array_append_new(unused, lc_json_str(m->baseline[i]));
        json_object_set_new(root, "baseline", json_pack("{s:o,s:I,s:o}", "file",
                            lc_json_str(r->cfg->baseline), "entries", (json_int_t)m->nbaseline,
                            "unused", unused));
    }
    return lc_write_json(f, root, r->cfg->json, "--json");
}
