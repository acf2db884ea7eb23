/* report_text.c - the readable report (the default, on stderr). */
#include "ll.h"

#include <unistd.h>

static void ll_text_count(struct ll_out *o, uint64_t bytes, uint64_t blocks)
{
    ll_out_bytes_human(o, bytes);
    ll_out_str(o, bytes == 1 ? " byte in " : " bytes in ");
    ll_out_bytes_human(o, blocks);
    ll_out_str(o, blocks == 1 ? " block" : " blocks");
}

static void ll_text_group(struct ll_out *o, const struct ll_group *g)
{
    ll_out_str(o, "\n");
    ll_text_count(o, g->bytes, g->blocks);
    ll_out_str(o, " ");
    ll_out_str(o, ll_kind_text[g->kind]);
    ll_out_str(o, ", allocated by ");
    ll_out_str(o, ll_fn_name(g->fn));
    ll_out_str(o, " (alignment ");
    ll_out_u64(o, (uint64_t)1 << g->align_log2);
    ll_out_str(o, ")\n");
    ll_text_stack(o, g->stack, "    ");
}

static void ll_text_command(struct ll_out *o)
{
    for (int i = 0; ll_argv && i < ll_argc && ll_argv[i]; i++) {
        ll_out_str(o, i ? " " : "");
        ll_out_str(o, ll_argv[i]);
    }
}

static void ll_text_errors(struct ll_out *o)
{
    size_t n = ll_error_count();
    if (!n)
        return;
    ll_out_str(o, "  bad frees: ");
    ll_out_u64(o, n);
    ll_out_str(o, " (each was reported when it happened)\n");
}

void ll_report_text(struct ll_out *o, const struct ll_report *r)
{
    ll_out_str(o, "\n==== libleak report for pid ");
    ll_out_u64(o, (uint64_t)getpid());
    ll_out_str(o, ": ");
    ll_text_command(o);
    ll_out_str(o, "\n");
    size_t hidden = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        if (r->groups[i].kind == LL_REACHABLE && !ll_opt.show_reachable)
            hidden++;
        else
            ll_text_group(o, &r->groups[i]);
    }
    ll_out_str(o, "\nsummary:\n");
    for (unsigned k = 0; k < LL_KIND_COUNT; k++) {
        ll_out_str(o, "  ");
        ll_out_str(o, ll_kind_text[k]);
        ll_out_str(o, ": ");
        ll_text_count(o, r->kind_bytes[k], r->kind_blocks[k]);
        if (k == LL_REACHABLE && hidden)
            ll_out_str(o, " (not listed; show_reachable=1 lists them)");
        ll_out_str(o, "\n");
    }
    const struct ll_totals *t = &r->totals;
    ll_out_str(o, "  ");
    ll_out_bytes_human(o, t->allocations);
    ll_out_str(o, " allocations, ");
    ll_out_bytes_human(o, t->frees);
    ll_out_str(o, " frees, ");
    ll_out_bytes_human(o, t->bytes_allocated);
    ll_out_str(o, " bytes allocated, peak ");
    ll_out_bytes_human(o, t->peak_live_bytes);
    ll_out_str(o, " bytes live\n");
    ll_text_errors(o);
    if (t->dropped) {
        ll_out_str(o, "  records lost (libleak out of memory): ");
        ll_out_u64(o, t->dropped);
        ll_out_str(o, "\n");
    }
    ll_out_str(o, "  libleak's own memory: ");
    ll_out_bytes_human(o, r->meta_bytes);
    ll_out_str(o, " bytes\n");
}
