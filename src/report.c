/* report.c - the exit report: snapshot, classify, group, write.
 *
 * Blocks are grouped by (kind, stack, allocating function, alignment); the
 * groups are ordered by bytes, largest first.  Every
 * format writes from the same struct ll_report. */
#include "ll.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int ll_cmp_group(const void *a, const void *b)
{
    const struct ll_group *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->blocks != y->blocks) return x->blocks > y->blocks ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* Stacks are interned per module epoch (modules.c): the same frames
 * captured before and after a library took a closed one's place are two
 * stacks, and were two groups of one call site.  When the epoch moved,
 * groups whose frames lay in the same objects are merged into the one with
 * the older stack. */
static uint64_t ll_site_hash(const struct ll_group *g)
{
    const uintptr_t *pcs;
    unsigned n = ll_stack_get(g->stack, &pcs), e = ll_stack_epoch(g->stack);
    uint64_t h = (uint64_t)g->kind << 16 ^ (uint64_t)g->fn << 8 ^ g->align_log2 ^ n << 24;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ pcs[i] ^ (uint64_t)ll_modules_origin(pcs[i], e) << 48) * 0x100000001b3ull;
    return h;
}

static int ll_same_site(const struct ll_group *a, const struct ll_group *b)
{
    const uintptr_t *pa, *pb;
    unsigned n = ll_stack_get(a->stack, &pa), ea = ll_stack_epoch(a->stack);
    unsigned eb = ll_stack_epoch(b->stack);
    if (a->kind != b->kind || a->fn != b->fn || a->align_log2 != b->align_log2 ||
        ll_stack_get(b->stack, &pb) != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (pa[i] != pb[i] || ll_modules_origin(pa[i], ea) != ll_modules_origin(pb[i], eb))
            return 0;
    return 1;
}

struct ll_site { uint64_t hash; size_t group; };

static int ll_cmp_site(const void *a, const void *b)
{
    const struct ll_site *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

static void ll_report_merge_epochs(struct ll_report *r)
{
    size_t n = r->ngroups, size = (n + 1) * sizeof(struct ll_site);
    struct ll_site *s = ll_modules_epoch() ? ll_pages_alloc(size) : NULL;
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        s[i] = (struct ll_site){ ll_site_hash(&r->groups[i]), i };
    qsort(s, n, sizeof(*s), ll_cmp_site);
    for (size_t i = 0; i < n; i++) {
        struct ll_group *g = &r->groups[s[i].group];
        for (size_t j = i + 1; j < n && s[j].hash == s[i].hash && g->blocks; j++) {
            struct ll_group *h = &r->groups[s[j].group];
            if (!h->blocks || !ll_same_site(g, h))
                continue;
            struct ll_group *keep = g->stack < h->stack ? g : h, *gone = keep == g ? h : g;
            keep->bytes += gone->bytes;
            keep->blocks += gone->blocks;
            gone->blocks = 0;
        }
    }
    ll_pages_free(s, size);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r->groups[i].blocks)
            r->groups[k++] = r->groups[i];
    r->ngroups = k;
}

/* Blocks sorted by group key -> one ll_group per run of equal keys. */
static void ll_report_group(struct ll_report *r, struct ll_block *v, size_t n)
{
    ll_sort_blocks(v, n, LL_SORT_GROUP);
    r->groups = ll_pages_alloc((n + 1) * sizeof(*r->groups));
    r->ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        r->kind_bytes[v[i].kind] += v[i].size;      /* counted even unlisted */
        r->kind_blocks[v[i].kind]++;
        if (!r->groups)
            continue;
        struct ll_group *g;
        if (i == 0 || ll_group_key(&v[i - 1]) != ll_group_key(&v[i])) {
            g = &r->groups[r->ngroups++];
            *g = (struct ll_group){ .kind = v[i].kind, .fn = v[i].fn,
                                    .align_log2 = v[i].align_log2, .stack = v[i].stack };
        } else {
            g = &r->groups[r->ngroups - 1];
        }
        g->bytes += v[i].size;
        g->blocks++;
    }
    if (r->groups) {
        ll_report_merge_epochs(r);
        qsort(r->groups, r->ngroups, sizeof(*r->groups), ll_cmp_group);
    }
    else if (n)
        ll_check_notes.unlisted = 1;
}

void ll_pid_path(char *path, size_t cap, const char *pattern, unsigned n)
{
    ll_pid_path_of(path, cap, pattern, getpid(), n);
}

void ll_pid_path_of(char *path, size_t cap, const char *pattern, pid_t pid, unsigned n)
{
    const char *s = pattern;
    size_t k = 0;
    for (; *s && k + 24 < cap; s++) {
        if (s[0] == '%' && s[1] == 'p') {  /* the loop leaves room for both */
            k += ll_fmt_u64(path + k, (uint64_t)pid);
            if (n > 1) {
                path[k++] = '.';
                k += ll_fmt_u64(path + k, n);
            }
            s++;
        } else {
            path[k++] = *s;
        }
    }
    path[k] = 0;
}

/* The report file (its name into path); -1 (errno set) if it fails.  With
 * %p every process writes a file of its own: one that exists already was
 * written by an earlier process with the same pid (pids wrap at pid_max,
 * 32768 on many systems, within a long test suite), and is kept; this
 * report goes to PID.2, PID.3, ... instead. */
static int ll_report_open(char *path, size_t cap)
{
    int per_pid = strstr(ll_opt.output, "%p") != NULL, fd;
    for (unsigned n = 1;; n++) {
        ll_pid_path(path, cap, ll_opt.output, n);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (per_pid ? O_EXCL : O_TRUNC), 0644);
        if (fd >= 0 || !per_pid || errno != EEXIST || n == 1000)
            break;
    }
    if (fd >= 0 && fd <= 2) {
        /* The program closed its stderr (or stdout): the file got that
         * number, which the writer takes for stderr itself (out.c).  Move
         * it above. */
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = high;
    }
    return fd;
}

/* The leak check's notes (ll_check_notes), one line each between prefix
 * and end: the formatters put them in the report. */
void ll_check_notes_write(struct ll_out *o, const char *prefix, const char *end)
{
    const struct ll_check_notes *c = &ll_check_notes;
    if (ll_alloc_hidden[0]) {
        ll_out_str(o, prefix);
        ll_out_str(o, "malloc is defined ahead of libleak's, by ");
        ll_out_str(o, ll_alloc_hidden);
        ll_out_str(o, " (an allocator linked into the program, or preloaded before libleak): "
                      "the blocks it makes never reach libleak, and none of them is in this "
                      "report");
        ll_out_str(o, end);
    }
    if (c->running) {
        ll_out_str(o, prefix);
        if (c->running == 1) {
            ll_out_str(o, "thread ");
            ll_out_i64(o, c->first_tid);
            ll_out_str(o, " did not stop for the leak check");
            if (c->blocking)
                ll_out_str(o, " (it blocks SIGURG, the signal that stops threads, or "
                              "sigwaits for it)");
            ll_out_str(o, "; its whole stack was scanned");
        } else {
            ll_out_u64(o, c->running);
            ll_out_str(o, " threads did not stop for the leak check (");
            ll_out_u64(o, c->blocking);
            ll_out_str(o, " of them block SIGURG, the signal that stops threads, or "
                          "sigwait for it); their whole stacks were scanned");
        }
        ll_out_str(o, end);
    }
    if (c->vanished) {
        ll_out_str(o, prefix);
        ll_out_u64(o, c->vanished);
        ll_out_str(o, " memory ranges vanished during the leak check and were skipped");
        ll_out_str(o, end);
    }
    if (c->unclassified) {
        ll_out_str(o, prefix);
        ll_out_str(o, "libleak ran out of memory: the leak check was not done; ");
        ll_out_bytes_human(o, c->unclassified);
        ll_out_str(o, c->unclassified == 1 ? " block (" : " blocks (");
        ll_out_bytes_human(o, c->unclassified_bytes);
        ll_out_str(o, c->unclassified == 1 ? " bytes) is counted as still reachable, unclassified"
                                           : " bytes) are counted as still reachable, unclassified");
        ll_out_str(o, end);
    } else if (c->unlisted) {
        ll_out_str(o, prefix);
        ll_out_str(o, "libleak ran out of memory: the leaks are counted but not listed");
        ll_out_str(o, end);
    }
}

void ll_check_notes_msg(void)
{
    struct ll_out o;
    int saved = errno;
    ll_out_init(&o, 2);
    ll_check_notes_write(&o, "libleak: ", "\n");
    ll_out_flush(&o);
    errno = saved;
}

static void ll_report_emit(struct ll_out *o, const struct ll_report *r)
{
    if (ll_opt.format == LL_FORMAT_JSON)
        ll_report_json(o, r);
    else if (ll_opt.format == LL_FORMAT_HTML)
        ll_report_html(o, r);
    else if (ll_opt.format == LL_FORMAT_FOLDED) {
        ll_report_folded(o, r);
        ll_check_notes_msg();           /* the format has no place for them */
    } else
        ll_report_text(o, r);
    ll_out_flush(o);
}

static void ll_report_output(const struct ll_report *r)
{
    struct ll_out o;
    char path[sizeof(ll_opt.output) + 32];
    if (!ll_opt.output[0]) {
        ll_out_init(&o, 2);
        ll_report_emit(&o, r);
        return;
    }
    int fd = ll_report_open(path, sizeof(path));
    if (fd >= 0) {
        ll_out_init(&o, fd);
        ll_report_emit(&o, r);
        close(fd);
        if (!o.failed)
            return;
        errno = o.failed;
    }
    /* Never lose the report: say why, then write it to stderr. */
    ll_msg("cannot write the report to '%s' (%s); writing it to stderr instead",
           path, strerror(errno));
    ll_out_init(&o, 2);
    ll_report_emit(&o, r);
}

/* ---- suppressions=FILE and the exit-code judgement (the CI gate) ------------ */

static void ll_supp_warn(void *ctx, const char *file, int line, const char *why)
{
    (void)ctx;
    if (line)
        ll_msg("suppressions %s:%d: %s; line skipped", file, line, why);
    else
        ll_msg("cannot read suppressions file '%s' (%s); nothing suppressed from it",
               file, why);
}

/* Index of the suppression matching any frame of g's stack, or -1. */
static long ll_group_suppressed(const struct ll_supp_set *s, const struct ll_group *g)
{
    static struct ll_supp_frame fr[LL_FRAMES_MAX];  /* one report at a time */
    unsigned n;
    const struct ll_frame *f = ll_stack_frames(g->stack, &n);
    for (unsigned i = 0; i < n; i++)
        fr[i] = (struct ll_supp_frame){ f[i].function, f[i].file, f[i].object };
    return ll_supp_find(s, fr, n);
}

/* Move the groups a suppression matches out of the report, counting them
 * against that suppression (symbolization must be running). */
static void ll_report_suppress(struct ll_report *r, struct ll_supp_set *s)
{
    size_t keep = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct ll_group *g = &r->groups[i];
        long m = ll_group_suppressed(s, g);
        if (m < 0) {
            r->groups[keep++] = *g;
            continue;
        }
        s->v[m].blocks += g->blocks;
        s->v[m].bytes += g->bytes;
        r->supp_blocks += g->blocks;
        r->supp_bytes += g->bytes;
        r->kind_blocks[g->kind] -= g->blocks;
        r->kind_bytes[g->kind] -= g->bytes;
    }
    r->ngroups = keep;
}

/* The judgement exitcode=N acts on: unsuppressed blocks of a fail_on kind,
 * or blocks the check could not classify (out of memory): a gate must not
 * pass on a check that was not done. */
static int ll_report_fails(const struct ll_report *r)
{
    if (ll_check_notes.unclassified)
        return 1;
    for (unsigned k = 0; k < LL_KIND_COUNT; k++)
        if ((ll_opt.fail_on & (1 << k)) && r->kind_blocks[k])
            return 1;
    return 0;
}

/* Suppressions and the output: symbols from here on. */
static void ll_report_symbolized(void *arg)
{
    struct ll_report *r = arg;
    /* The file is read even for a clean run, so a wrong path is reported;
     * matching needs symbols, so libdw is loaded only when there are both
     * suppressions and groups. */
    struct ll_supp_set supp = { 0 };
    if (ll_opt.suppressions[0])
        ll_supp_load(&supp, ll_opt.suppressions, ll_supp_warn, NULL);
    r->supp = &supp;
    int sym = supp.n && r->ngroups;
    if (sym) {
        ll_sym_begin();
        ll_report_suppress(r, &supp);
    }
    /* libdw is loaded only when a stack will be printed: a clean program
     * never maps it. */
    int stacks = ll_error_count() > 0;
    for (size_t i = 0; i < r->ngroups && !stacks; i++)
        stacks = r->groups[i].kind != LL_REACHABLE || ll_opt.show_reachable;
    if (stacks && !sym)
        ll_sym_begin();
    ll_report_output(r);
    if (stacks || sym)
        ll_sym_end();
    ll_supp_free(&supp);
    r->supp = NULL;
}

/* The check and the output, on a stack of their own (bigstack.c), not the
 * ending thread's, which may be small; *arg: ll_report_fails. */
static void ll_report_run(void *arg)
{
    struct ll_report r;
    memset(&r, 0, sizeof(r));
    size_t n = 0;
    uint64_t live = 0;
    ll_pages_ending();
    struct ll_block *v = ll_table_snapshot(&n, &live);   /* shards stay locked */
    const size_t cap = n + 1;
    if (v) {
        ll_sort_blocks(v, n, LL_SORT_PTR);
        n = ll_nursery_held_out(v, n, &live);
        ll_reach_classify(v, n);
        ll_amaps_own_blocks(v, n);
    } else if (n) {             /* no room to copy them: count, claim nothing */
        ll_reach_unclassified(n, live);
        r.kind_blocks[LL_REACHABLE] = n;
        r.kind_bytes[LL_REACHABLE] = live;
    }
    ll_table_totals(&r.totals);
    /* The peak is published per thread in steps (within 16 KiB a thread):
     * never below what is still allocated now, which is exact. */
    if (r.totals.peak_live_bytes < live)
        r.totals.peak_live_bytes = live;
    /* From here on the hooks pass through; the scan no longer reads blocks,
     * so other threads may free them again. */
    atomic_store(&ll_state, LL_DONE);
    ll_table_unlock_all();
    if (v)
        ll_report_group(&r, v, n);
    r.meta_bytes = ll_mem_mapped();
    ll_report_symbolized(&r);
    ll_pages_free(r.groups, (n + 1) * sizeof(*r.groups));
    ll_pages_free(v, cap * sizeof(*v));
    *(int *)arg = ll_report_fails(&r);
}

/* A program that lowered its soft RLIMIT_NOFILE (to 3, say) left the report
 * no descriptor for /proc, the output file or the objects its frames are
 * named from: it went to stderr, every frame '???'.  The soft limit is the
 * hard one while the report runs, and is put back after it. */
int ll_report_write(void)
{
    struct rlimit was, lim;
    sigset_t sys;
    int cancel = ll_cancel_off();
    ll_sys_guard_on(&sys);
    int raised = getrlimit(RLIMIT_NOFILE, &was) == 0 && was.rlim_cur < was.rlim_max;
    if (raised) {
        lim = was;
        lim.rlim_cur = lim.rlim_max;
        raised = setrlimit(RLIMIT_NOFILE, &lim) == 0;
    }
    int fails = 0;
    ll_bigstack_call(ll_report_run, &fails);
    if (raised)
        setrlimit(RLIMIT_NOFILE, &was);
    ll_sys_guard_off(&sys);
    ll_cancel_restore(cancel);
    return fails;
}

/* ---- frames, shared by the formatters -------------------------------------- */

const struct ll_frame *ll_stack_frames(uint32_t stack, unsigned *n)
{
    static struct ll_frame fr[LL_FRAMES_MAX];
    const uintptr_t *pcs;
    unsigned np = ll_stack_get(stack, &pcs), k = 0, epoch = ll_stack_epoch(stack);
    for (unsigned i = 0; i < np && k < LL_FRAMES_MAX; i++)
        k += ll_sym_frames(ll_sym_key(pcs[i], epoch), fr + k, LL_FRAMES_MAX - k);
    *n = k;
    return fr;
}

void ll_text_stack(struct ll_out *o, uint32_t stack, const char *indent)
{
    unsigned n;
    const struct ll_frame *fr = ll_stack_frames(stack, &n);
    if (n == 0) {
        ll_out_str(o, indent);
        ll_out_str(o, "(no stack)\n");
    }
    for (unsigned i = 0; i < n; i++) {
        const struct ll_frame f = fr[i];
        ll_out_str(o, indent);
        ll_out_str(o, "#");
        ll_out_u64(o, i);
        ll_out_str(o, " ");
        ll_out_str(o, f.function ? f.function : "???");
        if (f.file) {
            ll_out_str(o, " ");
            ll_out_str(o, f.file);
            ll_out_line_no(o, f.line);
        }
        if (f.object) {
            const char *base = strrchr(f.object, '/');
            ll_out_str(o, " (");
            ll_out_str(o, base ? base + 1 : f.object);
            ll_out_str(o, "+");
            ll_out_hex(o, f.offset);
            ll_out_str(o, f.inlined ? ", inlined)" : ")");
        }
        ll_out_str(o, "\n");
    }
}

/* One frame's JSON object. */
static void ll_json_frame(struct ll_out *o, const struct ll_frame *f)
{
    ll_out_lit(o, "{\"function\": ");
    ll_out_json_str(o, f->function);
    ll_out_lit(o, ", \"file\": ");
    ll_out_json_str(o, f->file);
    /* only for a relative file, which names nothing without it ("../src/x.c"
     * in an out-of-tree build); leakcheck's SARIF resolves it */
    if (f->file && f->file[0] != '/' && f->comp_dir && f->comp_dir[0]) {
        ll_out_lit(o, ", \"comp_dir\": ");
        ll_out_json_str(o, f->comp_dir);
    }
    ll_out_lit(o, ", \"line\": ");
    ll_out_u64(o, (uint64_t)(f->line > 0 ? f->line : 0));
    ll_out_lit(o, ", \"object\": ");
    ll_out_json_str(o, f->object);
    ll_out_lit(o, ", \"offset\": \"");
    ll_out_hex(o, f->offset);
    if (!f->function && f->has_fn_offset) {
        ll_out_lit(o, "\", \"function_offset\": \"");
        ll_out_hex(o, f->fn_offset);
    }
    /* only where true: most frames are not, and the report stays small */
    if (f->inlined)
        ll_out_lit(o, "\", \"inlined\": true}");
    else
        ll_out_lit(o, "\"}");
}

/* Each return address's frames as JSON text, made once per report: one
 * address recurs in many stacks (100,000 stacks of 16 frames may hold a
 * few thousand), and its text is then copied.  Open addressing by pc. */
struct ll_jpc { uintptr_t pc; char *text; size_t len; };
static struct ll_jpc *ll_jpc;
static size_t ll_jpc_cap, ll_jpc_used;

static size_t ll_jpc_home(uintptr_t pc, size_t cap)
{
    return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* pc's entry (text NULL when new); NULL without memory. */
static struct ll_jpc *ll_jpc_slot(uintptr_t pc)
{
    if (2 * (ll_jpc_used + 1) > ll_jpc_cap) {
        size_t cap = ll_jpc_cap ? 2 * ll_jpc_cap : 4096;
        struct ll_jpc *v = calloc(cap, sizeof(*v));
        if (!v)
            return NULL;
        for (size_t i = 0; i < ll_jpc_cap; i++) {
            size_t j = ll_jpc_home(ll_jpc[i].pc, cap);
            while (ll_jpc[i].pc && v[j].pc)
                j = (j + 1) & (cap - 1);
            if (ll_jpc[i].pc)
                v[j] = ll_jpc[i];
        }
        free(ll_jpc);
        ll_jpc = v, ll_jpc_cap = cap;
    }
    size_t j = ll_jpc_home(pc, ll_jpc_cap);
    while (ll_jpc[j].pc && ll_jpc[j].pc != pc)
        j = (j + 1) & (ll_jpc_cap - 1);
    if (!ll_jpc[j].pc) {
        ll_jpc[j].pc = pc;
        ll_jpc_used++;
    }
    return &ll_jpc[j];
}

static void ll_json_pc(struct ll_out *o, uintptr_t pc)
{
    struct ll_jpc *e = pc ? ll_jpc_slot(pc) : NULL;
    if (e && e->text) {
        ll_out_mem(o, e->text, e->len);
        return;
    }
    static struct ll_frame fr[LL_SYM_INLINED + 1];      /* one report at a time */
    static struct ll_out tmp;
    unsigned n = ll_sym_frames(pc, fr, LL_SYM_INLINED + 1);
    ll_out_init(&tmp, -1);      /* text past its buffer fails: written directly */
    for (unsigned i = 0; i < n && !tmp.failed; i++) {
        if (i)
            ll_out_lit(&tmp, ", ");
        ll_json_frame(&tmp, &fr[i]);
    }
    if (tmp.failed) {
        for (unsigned i = 0; i < n; i++) {
            if (i)
                ll_out_lit(o, ", ");
            ll_json_frame(o, &fr[i]);
        }
        return;
    }
    ll_out_mem(o, tmp.buf, tmp.len);
    if (e && (e->text = malloc(tmp.len)) != NULL) {
        memcpy(e->text, tmp.buf, tmp.len);
        e->len = tmp.len;
    }
}

void ll_json_stack(struct ll_out *o, uint32_t stack)
{
    const uintptr_t *pcs;
    unsigned n = ll_stack_get(stack, &pcs), epoch = ll_stack_epoch(stack);
    ll_out_lit(o, "[");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            ll_out_lit(o, ", ");
        ll_json_pc(o, ll_sym_key(pcs[i], epoch));
    }
    ll_out_lit(o, "]");
}

void ll_json_stack_end(void)
{
    for (size_t i = 0; i < ll_jpc_cap; i++)
        free(ll_jpc[i].text);
    free(ll_jpc);
    ll_jpc = NULL, ll_jpc_cap = ll_jpc_used = 0;
}
