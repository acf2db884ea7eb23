/* report_folded.c - format=folded: one "frame;frame;frame bytes" line per
 * leak site, outermost frame first, the allocating function last: the input
 * of flamegraph.pl, speedscope, inferno and the like.  Sites with the same
 * stack appear once per kind; those tools add such lines up. */
#include "ll.h"

#include <string.h>

/* A frame's name with the two characters the format reserves replaced:
 * ';' separates frames and '\n' ends the line. */
static void ll_folded_name(struct ll_out *o, const char *s)
{
    for (; *s; s++) {
        char c = *s == ';' ? ':' : *s == '\n' ? ' ' : *s;
        ll_out_mem(o, &c, 1);
    }
}

static void ll_folded_frame(struct ll_out *o, const struct ll_frame *f)
{
    if (f->function) {
        ll_folded_name(o, f->function);
        return;
    }
    /* unnamed code: the object and offset still tell frames apart */
    const char *base = f->object ? strrchr(f->object, '/') : NULL;
    ll_out_str(o, "??? (");
    ll_folded_name(o, base ? base + 1 : f->object ? f->object : "?");
    ll_out_str(o, "+");
    ll_out_hex(o, f->offset);
    ll_out_str(o, ")");
}

void ll_report_folded(struct ll_out *o, const struct ll_report *r)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct ll_group *g = &r->groups[i];
        if (g->kind == LL_REACHABLE && !ll_opt.show_reachable)
            continue;
        unsigned n;
        const struct ll_frame *fr = ll_stack_frames(g->stack, &n);
        for (unsigned k = n; k-- > 0;) {
            ll_folded_frame(o, &fr[k]);
            ll_out_str(o, ";");
        }
        ll_out_str(o, ll_fn_name(g->fn));
        ll_out_str(o, " ");
        ll_out_u64(o, g->bytes);
        ll_out_str(o, "\n");
    }
}
