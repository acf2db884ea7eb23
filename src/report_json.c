/* report_json.c - the machine-readable report.  The schema is documented
 * in README.md ("JSON report") and is what the integration tests parse. */
#include "ll.h"

#include <unistd.h>

static void ll_json_count(struct ll_out *o, const char *key, uint64_t bytes,
                          uint64_t blocks)
{
    ll_out_str(o, "\"");
    ll_out_str(o, key);
    ll_out_str(o, "\": {\"bytes\": ");
    ll_out_u64(o, bytes);
    ll_out_str(o, ", \"blocks\": ");
    ll_out_u64(o, blocks);
    ll_out_str(o, "}");
}

static void ll_json_u64(struct ll_out *o, const char *key, uint64_t v, int last)
{
    ll_out_str(o, "\"");
    ll_out_str(o, key);
    ll_out_str(o, "\": ");
    ll_out_u64(o, v);
    ll_out_str(o, last ? "" : ", ");
}

static void ll_json_group(struct ll_out *o, const struct ll_group *g)
{
    ll_out_str(o, "{\"kind\": \"");
    ll_out_str(o, ll_kind_json[g->kind]);
    ll_out_str(o, "\", ");
    ll_json_u64(o, "bytes", g->bytes, 0);
    ll_json_u64(o, "blocks", g->blocks, 0);
    ll_json_u64(o, "alignment", (uint64_t)1 << g->align_log2, 0);
    ll_out_str(o, "\"function\": ");
    ll_out_json_str(o, ll_fn_name(g->fn));
    ll_out_str(o, ",\n     \"stack\": ");
    ll_json_stack(o, g->stack);
    ll_out_str(o, "}");
}

static void ll_json_error(struct ll_out *o, const struct ll_error_rec *e)
{
    ll_out_str(o, "{\"kind\": \"");
    ll_out_str(o, ll_error_json[e->kind]);
    ll_out_str(o, "\", \"address\": \"");
    ll_out_hex(o, e->ptr);
    ll_out_str(o, "\", \"function\": ");
    ll_out_json_str(o, ll_dealloc_name[e->dealloc_fn]);
    ll_out_str(o, ", ");
    ll_json_u64(o, "size", e->has_block ? e->size : 0, 1);
    if (e->has_block) {
        ll_out_str(o, ", \"block\": \"");
        ll_out_hex(o, e->block);
        ll_out_str(o, "\", \"allocated_by\": ");
        ll_out_json_str(o, ll_fn_name(e->fn));
    }
    ll_out_str(o, ",\n     \"stack\": ");
    ll_json_stack(o, e->stack);
    if (e->alloc_stack) {
        ll_out_str(o, ",\n     \"allocated\": ");
        ll_json_stack(o, e->alloc_stack);
    }
    if (e->free_stack) {
        ll_out_str(o, ",\n     \"freed\": ");
        ll_json_stack(o, e->free_stack);
    }
    ll_out_str(o, "}");
}

/* Every suppression of suppressions=FILE, the ones that matched nothing too
 * (so a stale line can be found and removed). */
static void ll_json_suppressions(struct ll_out *o, const struct ll_supp_set *s)
{
    for (size_t i = 0; s && i < s->n; i++) {
        const struct ll_supp *e = &s->v[i];
        ll_out_str(o, i ? ",\n    {\"pattern\": " : "\n    {\"pattern\": ");
        ll_out_json_str(o, e->pattern);
        ll_out_str(o, ", \"file\": ");
        ll_out_json_str(o, e->file);
        ll_out_str(o, ", ");
        ll_json_u64(o, "line", (uint64_t)e->line, 0);
        ll_json_u64(o, "blocks", e->blocks, 0);
        ll_json_u64(o, "bytes", e->bytes, 1);
        ll_out_str(o, "}");
    }
}

static void ll_json_command(struct ll_out *o)
{
    ll_out_str(o, "[");
    for (int i = 0; ll_argv && i < ll_argc && ll_argv[i]; i++) {
        ll_out_str(o, i ? ", " : "");
        ll_out_json_str(o, ll_argv[i]);
    }
    ll_out_str(o, "]");
}

void ll_report_json(struct ll_out *o, const struct ll_report *r)
{
    ll_out_str(o, "{\"libleak\": \"" LL_VERSION "\", ");
    ll_json_u64(o, "pid", (uint64_t)getpid(), 0);
    ll_json_u64(o, "start_time", ll_start_time(), 0);     /* started.c's marker has both */
    ll_out_str(o, "\"command\": ");
    ll_json_command(o);
    ll_out_str(o, ",\n \"summary\": {");
    for (unsigned k = 0; k < LL_KIND_COUNT; k++) {
        ll_out_str(o, k ? ", " : "");
        ll_json_count(o, ll_kind_json[k], r->kind_bytes[k], r->kind_blocks[k]);
    }
    ll_out_str(o, ", ");
    ll_json_count(o, "suppressed", r->supp_bytes, r->supp_blocks);
    const struct ll_totals *t = &r->totals;
    ll_out_str(o, "},\n \"totals\": {");
    ll_json_u64(o, "allocations", t->allocations, 0);
    ll_json_u64(o, "frees", t->frees, 0);
    ll_json_u64(o, "bytes_allocated", t->bytes_allocated, 0);
    ll_json_u64(o, "peak_live_bytes", t->peak_live_bytes, 0);
    ll_json_u64(o, "metadata_bytes", r->meta_bytes, 0);
    ll_json_u64(o, "distinct_stacks", ll_stack_count(), 0);
    ll_json_u64(o, "dropped_records", t->dropped, 0);
    ll_json_u64(o, "bad_frees", ll_error_total(), 1);  /* "errors" lists 1,000 */
    ll_out_str(o, "},\n \"check\": {");
    ll_json_u64(o, "threads_not_stopped", ll_check_notes.running, 0);
    ll_json_u64(o, "threads_blocking_signal", ll_check_notes.blocking, 0);
    ll_json_u64(o, "ranges_vanished", ll_check_notes.vanished, 0);
    ll_json_u64(o, "unclassified_blocks", ll_check_notes.unclassified, 0);
    ll_json_u64(o, "leaks_unlisted", (uint64_t)ll_check_notes.unlisted, 0);
    ll_out_str(o, "\"allocator_hidden_by\": ");
    if (ll_alloc_hidden[0])
        ll_out_json_str(o, ll_alloc_hidden);
    else
        ll_out_str(o, "null");
    ll_out_str(o, "},\n \"leaks\": [");
    int first = 1;
    for (size_t i = 0; i < r->ngroups; i++) {
        if (r->groups[i].kind == LL_REACHABLE && !ll_opt.show_reachable)
            continue;
        ll_out_str(o, first ? "\n    " : ",\n    ");
        ll_json_group(o, &r->groups[i]);
        first = 0;
    }
    ll_out_str(o, "],\n \"errors\": [");
    for (size_t i = 0; i < ll_error_count(); i++) {
        ll_out_str(o, i ? ",\n    " : "\n    ");
        ll_json_error(o, ll_error_get(i));
    }
    ll_out_str(o, "],\n \"suppressions\": [");
    ll_json_suppressions(o, r->supp);
    ll_out_str(o, "]}\n");
    ll_json_stack_end();
}
