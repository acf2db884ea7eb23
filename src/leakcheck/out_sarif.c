/* out_sarif.c - --sarif FILE: SARIF 2.1.0 for code-scanning dashboards.
 *
 * One result per leak site, located at its first frame in the program's
 * own code (not libc, the loader or libstdc++), with the whole allocation
 * stack both as a SARIF stack and as a code flow (which is what GitHub
 * renders).  A frame's source file, resolved against the directory it was
 * compiled in, is made relative to --source-root (default: the current
 * directory) under the base id SRCROOT, as code scanning wants.  A file
 * no longer where the report says (a build made in another checkout, a
 * container, under ccache's base_dir) is looked for under the root by the
 * tail of its path.  A file outside the root, or found nowhere, is an
 * absolute file:// URI, and so is an object without source (libc), which
 * is never under SRCROOT.
 * Suppressed sites are included with a SARIF suppression, so dashboards
 * hide them; with --baseline every result carries its baselineState.
 * What fails the gate without a site (blocks a process's summary counts
 * but no site lists, a process whose leak check was not done) is a
 * result of its own, located at the program the process ran: without it
 * a dashboard would show a clean page for a failed build.  So is a process
 * that started under libleak and wrote no report: a warning, or an error
 * with --require-reports. */
#include "lc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rule per kind (a site's ruleIndex is its kind), then the two about a
 * whole process, one for a run in which no process wrote a report, and one
 * for a process that wrote none. */
enum { LC_RULE_UNLISTED = LC_NKINDS, LC_RULE_NOT_DONE, LC_RULE_NOTHING, LC_RULE_NO_REPORT,
       LC_NRULES };
static const char *const lc_rule_id[LC_NRULES] = {
    "definitely-lost", "indirectly-lost", "possibly-lost", "still-reachable",
    "leaks-not-listed", "leak-check-not-done", "nothing-checked", "process-not-checked"
};
static const char *const lc_rule_name[LC_NRULES] = {
    "DefinitelyLost", "IndirectlyLost", "PossiblyLost", "StillReachable",
    "LeaksNotListed", "LeakCheckNotDone", "NothingChecked", "ProcessNotChecked"
};
static const char *const lc_rule_short[LC_NRULES] = {
    "definitely lost", "indirectly lost", "possibly lost", "still reachable",
    "leaks counted but not listed", "leak check not done", "no process checked",
    "process not checked"
};
static const char *const lc_rule_help[LC_NRULES] = {
    "Nothing reachable points to the block at exit: nobody can free it any more.",
    "Only other lost blocks point to the block: freeing the block that points to "
    "it would free it too.",
    "Only pointers into the middle of the block were found.",
    "A root or a reachable block still points to the block at exit.",
    "A process's report counts blocks of a failing kind that none of its leak "
    "sites lists (libleak ran out of memory while listing them, or the report was "
    "written without show_reachable=1): they fail the gate, but where they were "
    "allocated is unknown.",
    "libleak ran out of memory at the process's exit before it could classify its "
    "blocks: the process's leaks are unknown, so the gate fails.",
    "No process of the run wrote a report (statically linked or set-ID programs "
    "write none, nor processes killed by SIGKILL, nor fork children that end through "
    "_exit()): nothing was checked, so the gate fails.",
    "A process started under libleak but wrote no report: it was killed by SIGKILL "
    "(the OOM killer, timeout -s KILL), or it exec'd a program libleak cannot be "
    "loaded into (statically linked or set-ID), or libleak said on stderr why it "
    "wrote none. Or its report says that its malloc comes ahead of libleak's (an "
    "allocator linked into the program, or preloaded before libleak), so libleak saw "
    "none of its blocks. Its leaks are unknown. A warning, unless leakcheck runs with "
    "--require-reports.",
};

/* Percent-encode what a URI path may not hold as is. */
static char *lc_uri_path(const char *prefix, const char *path)
{
    size_t n = strlen(prefix), cap = n + 3 * strlen(path) + 1;
    char *s = lc_alloc(cap), *o = s + n;
    memcpy(s, prefix, n);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return s;
}

/* path with "." and ".." taken out by hand, for a file that is not here
 * to realpath (a build made in another directory or container). */
static char *lc_path_clean(const char *path)
{
    char *out = lc_alloc(strlen(path) + 2);
    size_t n = 0;
    for (const char *p = path; *p; p += strcspn(p, "/")) {
        p += strspn(p, "/");
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n && out[--n] != '/')
                ;
        } else if (len && !(len == 1 && p[0] == '.')) {
            out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
    }
    out[n ? n : 1] = 0;
    out[0] = '/';
    return out;
}

/* An absolute path as the source root is compared with it: symbolic
 * links resolved where the file exists. */
static char *lc_path_abs(const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? lc_strdup(buf) : lc_path_clean(path);
}

/* The same file in the source root, or NULL: the longest tail of clean
 * (an absolute path without "." or "..") naming a regular file there.
 * "/old/ws/src/x.c" tries "old/ws/src/x.c", "ws/src/x.c", "src/x.c",
 * "x.c": the longest first, so "cd src && cc x.c" is not taken for a
 * top-level x.c. */
static char *lc_path_in_root(const char *clean, const char *root)
{
    for (const char *p = clean; p; p = strchr(p + 1, '/')) {
        char *cand = lc_printf("%s%s", root, p + 1), buf[PATH_MAX];
        struct stat st;
        int found = stat(cand, &st) == 0 && S_ISREG(st.st_mode) && realpath(cand, buf);
        free(cand);
        if (found)
            return lc_strdup(buf);
    }
    return NULL;
}

/* The frame's source file as an absolute path, or NULL.  DWARF names most
 * files relative to the directory the compiler ran in, which the report
 * gives as comp_dir: "../src/x.c" from build/ is the checkout's src/x.c.
 * Where that path no longer exists, the file under root it most likely
 * is: a location code scanning can place, rather than the old one. */
static char *lc_source_path(const json_t *frame, const char *root)
{
    const char *file = lc_fstr(frame, "file"), *dir = lc_fstr(frame, "comp_dir");
    if (!file || (file[0] != '/' && (!dir || dir[0] != '/')))
        return NULL;
    char *joined = file[0] == '/' ? lc_strdup(file) : lc_printf("%s/%s", dir, file);
    char buf[PATH_MAX], *path = realpath(joined, buf) ? lc_strdup(buf) : NULL;
    if (!path) {
        char *clean = lc_path_clean(joined);
        path = lc_path_in_root(clean, root);
        if (path)
            free(clean);
        else
            path = clean;
    }
    free(joined);
    return path;
}

/* {"uri", "uriBaseId"} under the source root, else an absolute file URI
 * (a uriBaseId would make it relative to the root). */
static json_t *lc_artifact_path(const char *path, const char *root)
{
    size_t rl = strlen(root);
    int inside = strncmp(path, root, rl) == 0 && path[rl];
    char *uri = lc_uri_path(inside ? "" : "file://", inside ? path + rl : path);
    json_t *a = inside ? json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT")
                       : json_pack("{s:s}", "uri", uri);
    free(uri);
    return a;
}

/* The artifact a frame is in, or NULL: its source file (*source set), else
 * its object by absolute path, never under SRCROOT (a library or the
 * program's binary is no file of the repository).  An object named
 * without a path ("libc.so.6") gives none: the location is then only
 * logical, and the stack frame's module names the object. */
static json_t *lc_artifact(const json_t *frame, const char *root, int *source)
{
    const char *file = lc_fstr(frame, "file"), *obj = lc_fstr(frame, "object");
    char *path = lc_source_path(frame, root);
    json_t *a = NULL;
    *source = 1;
    if (path) {
        a = lc_artifact_path(path, root);
    } else if (file && file[0] != '/' && strncmp(file, "../", 3)) {
        /* a report without comp_dir (an older libleak's): the usual
         * build compiles in the source root */
        char *uri = lc_uri_path("", file);
        a = json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT");
        free(uri);
    } else if (obj && obj[0] == '/') {
        *source = 0;
        path = lc_path_abs(obj);
        char *uri = lc_uri_path("file://", path);
        a = json_pack("{s:s}", "uri", uri);
        free(uri);
    }
    free(path);
    return a;
}

static json_t *lc_location(const json_t *frame, const char *root)
{
    const char *fn = lc_fstr(frame, "function");
    long line = lc_fint(frame, "line");
    int source;
    json_t *loc = json_object(), *art = lc_artifact(frame, root, &source);
    if (art) {
        json_t *phys = json_pack("{s:o}", "artifactLocation", art);
        if (source && line > 0)
            json_object_set_new(phys, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
        json_object_set_new(loc, "physicalLocation", phys);
    }
    if (fn)
        json_object_set_new(loc, "logicalLocations", json_pack("[{s:s,s:s,s:s}]",
                            "name", fn, "fullyQualifiedName", fn, "kind", "function"));
    return loc;
}

/* Where a result is: its frame in the program's own code, or if that has
 * no physical location the next frame (wrapping round) that has one, as
 * GitHub shows a result only at a physical location. */
static json_t *lc_result_location(const json_t *stack, const char *root)
{
    size_t own = lc_own_frame(stack), n = json_array_size(stack);
    for (size_t k = 0; k < n; k++) {
        json_t *loc = lc_location(json_array_get(stack, (own + k) % n), root);
        if (json_object_get(loc, "physicalLocation"))
            return loc;
        json_decref(loc);
    }
    return lc_location(json_array_get(stack, own), root);
}

/* The stack lists every frame; the code flow, which GitHub renders step by
 * step with the file at each, only the frames that have a physical
 * location (it needs at least one). */
static json_t *lc_flows(const json_t *stack, const char *root)
{
    json_t *frames = json_array(), *steps = json_array();
    size_t i;
    const json_t *f;
    json_array_foreach(stack, i, f) {
        json_t *loc = lc_location(f, root);
        json_t *fr = json_pack("{s:O}", "location", loc);
        const char *obj = lc_fstr(f, "object");
        if (obj)
            json_object_set_new(fr, "module", lc_json_str(lc_basename(obj)));
        json_array_append_new(frames, fr);
        if (json_object_get(loc, "physicalLocation"))
            json_array_append_new(steps, json_pack("{s:O}", "location", loc));
        json_decref(loc);
    }
    json_t *res = json_pack("{s:[{s:{s:s},s:o}]}", "stacks", "message", "text",
                            "allocation stack, innermost first", "frames", frames);
    if (json_array_size(steps))
        json_object_set_new(res, "codeFlows", json_pack("[{s:[{s:O}]}]", "threadFlows",
                                                        "locations", steps));
    json_decref(steps);
    return res;
}

static const char *lc_level(const struct lc_site *s)
{
    if (s->fails)
        return "error";
    return s->kind == LC_REACHABLE || s->baselined ? "note" : "warning";
}

static json_t *lc_result(const struct lc_site *s, const struct lc_result *r, const char *root)
{
    const json_t *own = json_array_get(s->stack, lc_own_frame(s->stack));
    const char *fn = lc_fstr(own, "function");
    char a[32], b[32];
    char *msg = lc_printf("%s byte%s in %s block%s %s, allocated by %s in %s, in %zu process%s.",
                          lc_num(s->bytes, a), s->bytes == 1 ? "" : "s", lc_num(s->blocks, b),
                          s->blocks == 1 ? "" : "s",
                          lc_kind_text[s->kind], s->function ? s->function : "?",
                          fn ? fn : "unknown code", s->nprocs, s->nprocs == 1 ? "" : "es");
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:s},s:[o],s:{s:s}}",
        "ruleId", lc_rule_id[s->kind], "ruleIndex", s->kind, "level", lc_level(s),
        "message", "text", msg, "locations", lc_result_location(s->stack, root),
        "partialFingerprints", "libleakStackSignature/v1", s->signature);
    free(msg);
    json_t *flows = lc_flows(s->stack, root);
    json_object_update(res, flows);
    json_decref(flows);
    if (r->cfg->baseline)
        json_object_set_new(res, "baselineState", json_string(s->baselined ? "unchanged" : "new"));
    if (s->supp >= 0) {
        const struct ll_supp *sp = &r->m->supp.v[s->supp];
        char *why = lc_printf("leak:%s (%s:%d)", sp->pattern, sp->file, sp->line);
        json_object_set_new(res, "suppressions", json_pack("[{s:s,s:o}]", "kind", "external",
                            "justification", lc_json_str(why)));
        free(why);
    }
    json_object_set_new(res, "properties", json_pack("{s:I,s:I,s:I}", "bytes",
                        (json_int_t)s->bytes, "blocks", (json_int_t)s->blocks,
                        "processes", (json_int_t)s->nprocs));
    return res;
}

/* argv0 as an absolute path: as exec finds it (through PATH for a bare
 * name), else from the current directory.  The directory is resolved as
 * the source root is, the name kept: "sh", not the "dash" it links to. */
static char *lc_program_path(const char *argv0)
{
    char found[PATH_MAX], cwd[PATH_MAX];
    int ok = lc_which(argv0, found, sizeof found) == 0;
    const char *name = ok ? found : argv0;
    char *path = name[0] == '/' ? lc_strdup(name)
               : lc_printf("%s/%s", getcwd(cwd, sizeof cwd) ? cwd : "", name);
    char *slash = strrchr(path, '/');
    *slash = 0;
    char *dir = lc_path_abs(path[0] ? path : "/");
    char *abs = lc_printf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", slash + 1);
    free(path);
    free(dir);
    return abs;
}

/* Where a result about a process as a whole is: the program it ran (the
 * first word of cmd, its command line), as GitHub takes no result without
 * a physical location; the process's name is the logical one. */
static json_t *lc_cmd_location(const json_t *cmd, const char *name, const char *root)
{
    const char *argv0 = json_string_value(json_array_get(cmd, 0));
    json_t *loc = json_object();
    if (argv0 && argv0[0]) {
        char *path = lc_program_path(argv0);
        json_object_set_new(loc, "physicalLocation", json_pack("{s:o}", "artifactLocation",
                            lc_artifact_path(path, root)));
        free(path);
    }
    json_object_set_new(loc, "logicalLocations", json_pack("[{s:o,s:s}]",
                        "fullyQualifiedName", lc_json_str(name), "kind", "module"));
    return loc;
}

static json_t *lc_proc_location(const struct lc_merge *m, size_t i, const char *root)
{
    char *name = lc_proc_name(m, i);
    json_t *loc = lc_cmd_location(json_object_get(m->procs[i].report, "command"), name, root);
    free(name);
    return loc;
}

/* A result about process i as a whole (rule LC_RULE_UNLISTED with the
 * kind, or LC_RULE_NOT_DONE); msg is taken. */
static json_t *lc_proc_result(const struct lc_merge *m, size_t i, int rule, int kind,
                              char *msg, const char *root)
{
    const struct lc_proc *p = &m->procs[i];
    char *name = lc_proc_name(m, i);
    char *text = lc_printf("Process %ld (%s): %s.", p->pid, name, msg);
    char *print = lc_printf("%s%s%s", rule == LC_RULE_UNLISTED ? lc_kind_json[kind] : "",
                            rule == LC_RULE_UNLISTED ? " " : "", name);
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:o},s:[o],s:{s:o},s:{s:I}}",
        "ruleId", lc_rule_id[rule], "ruleIndex", rule, "level", "error",
        "message", "text", lc_json_str(text), "locations", lc_proc_location(m, i, root),
        "partialFingerprints", "libleakProcess/v1", lc_json_str(print),
        "properties", "pid", (json_int_t)p->pid);
    json_t *props = json_object_get(res, "properties");
    if (rule == LC_RULE_UNLISTED) {
        json_object_set_new(props, "bytes", json_integer((json_int_t)p->unlisted_bytes[kind]));
        json_object_set_new(props, "blocks", json_integer((json_int_t)p->unlisted_blocks[kind]));
    } else {
        json_object_set_new(props, "unclassifiedBlocks", json_integer((json_int_t)p->unclassified));
    }
    free(msg);
    free(text);
    free(print);
    free(name);
    return res;
}

/* The gate's reasons that no site carries, one result each. */
static void lc_proc_results(json_t *results, const struct lc_merge *m, const char *root)
{
    for (size_t i = 0; i < m->nprocs; i++) {
        const struct lc_proc *p = &m->procs[i];
        if (p->unclassified)
            json_array_append_new(results, lc_proc_result(m, i, LC_RULE_NOT_DONE, 0,
                lc_printf("the leak check was not done (libleak ran out of memory): "
                          "%s block%s unclassified, so its leaks are unknown",
                          lc_num(p->unclassified, (char[32]){ 0 }),
                          p->unclassified == 1 ? "" : "s"),
                root));
        for (int k = 0; k < LC_NKINDS; k++) {
            if (!p->unlisted_blocks[k])
                continue;
            char *msg;
            size_t len;
            FILE *mf = open_memstream(&msg, &len);
            if (!mf) {
                lc_err("out of memory");
                exit(LC_EXIT_OWN);
            }
            lc_unlisted_text(mf, k, p->unlisted_bytes[k], p->unlisted_blocks[k],
                             p->unlisted_oom);
            fclose(mf);
            json_array_append_new(results, lc_proc_result(m, i, LC_RULE_UNLISTED, k, msg, root));
        }
    }
}

/* Mark i: a process that started under libleak and wrote no report. */
static json_t *lc_unreported_result(const struct lc_result *r, size_t i, const char *root)
{
    const struct lc_mark *k = &r->m->marks[i];
    char *name = lc_mark_name(r->m, i);
    char *text = lc_printf("Process %ld (%s) started under libleak but wrote no report, so it "
                           "was not checked: %s.", k->pid, name, lc_unreported_why);
    char *print = lc_printf("no-report %s", name);
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:o},s:[o],s:{s:o},s:{s:I,s:I}}",
        "ruleId", lc_rule_id[LC_RULE_NO_REPORT], "ruleIndex", LC_RULE_NO_REPORT,
        "level", lc_unreported_fail(r->m, r->cfg) ? "error" : "warning",
        "message", "text", lc_json_str(text),
        "locations", lc_cmd_location(json_object_get(k->marker, "command"), name, root),
        "partialFingerprints", "libleakProcess/v1", lc_json_str(print),
        "properties", "pid", (json_int_t)k->pid, "startTime", (json_int_t)k->start);
    free(text);
    free(print);
    free(name);
    return res;
}

/* Process i, whose allocator libleak did not see (same rule). */
static json_t *lc_hidden_result(const struct lc_result *r, size_t i, const char *root)
{
    const struct lc_proc *p = &r->m->procs[i];
    char *name = lc_proc_name(r->m, i);
    char *text = lc_printf("Process %ld (%s) was not checked: its malloc, defined by %s, "
                           "comes ahead of libleak's (an allocator linked into the program, "
                           "or preloaded before libleak), so libleak saw none of its "
                           "blocks.", p->pid, name, p->hidden);
    char *print = lc_printf("allocator-not-seen %s", name);
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:o},s:[o],s:{s:o},s:{s:I,s:I,s:o}}",
        "ruleId", lc_rule_id[LC_RULE_NO_REPORT], "ruleIndex", LC_RULE_NO_REPORT,
        "level", lc_unreported_fail(r->m, r->cfg) ? "error" : "warning",
        "message", "text", lc_json_str(text),
        "locations", lc_proc_location(r->m, i, root),
        "partialFingerprints", "libleakProcess/v1", lc_json_str(print),
        "properties", "pid", (json_int_t)p->pid, "startTime", (json_int_t)p->start,
        "allocatorHiddenBy", lc_json_str(p->hidden));
    free(text);
    free(print);
    free(name);
    return res;
}

/* No process wrote a report: one result, at COMMAND's program (with
 * --reports, the directory that held no report). */
static json_t *lc_nothing_result(const struct lc_result *r, const char *root)
{
    const char *what = r->cfg->argv && r->cfg->argv[0] ? r->cfg->argv[0] : r->run->dir;
    char *path = r->cfg->argv && r->cfg->argv[0] ? lc_program_path(what) : lc_path_abs(what);
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:s},s:[{s:{s:o}}],s:{s:o}}",
        "ruleId", lc_rule_id[LC_RULE_NOTHING], "ruleIndex", LC_RULE_NOTHING, "level", "error",
        "message", "text", "No process wrote a report, so nothing was checked.",
        "locations", "physicalLocation", "artifactLocation", lc_artifact_path(path, root),
        "partialFingerprints", "libleakProcess/v1", lc_json_str(what));
    free(path);
    return res;
}

/* A rule's level: error where it fails the gate. */
static const char *lc_rule_level(const struct lc_config *c, int k)
{
    if (k == LC_RULE_NO_REPORT)
        return c->require_reports ? "error" : "warning";
    if (k >= LC_NKINDS || c->fail_on & (1 << k))
        return "error";
    return k == LC_REACHABLE ? "note" : "warning";
}

static json_t *lc_rules(const struct lc_config *c)
{
    json_t *rules = json_array();
    for (int k = 0; k < LC_NRULES; k++)
        json_array_append_new(rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s}}",
            "id", lc_rule_id[k], "name", lc_rule_name[k],
            "shortDescription", "text", lc_rule_short[k],
            "fullDescription", "text", lc_rule_help[k],
            "defaultConfiguration", "level", lc_rule_level(c, k)));
    return rules;
}

static json_t *lc_invocation(const struct lc_result *r)
{
    size_t len = 1;
    for (char **a = r->cfg->argv; a && *a; a++)
        len += strlen(*a) + 1;
    char *cmd = lc_alloc(len);
    for (char **a = r->cfg->argv; a && *a; a++) {
        strcat(cmd, a == r->cfg->argv ? "" : " ");
        strcat(cmd, *a);
    }
    json_t *inv = json_pack("[{s:b,s:i,s:o}]", "executionSuccessful", 1,
                            "exitCode", r->run->status, "commandLine", lc_json_str(cmd));
    free(cmd);
    return inv;
}

/* realpath of --source-root (or the cwd) with a trailing '/'. */
static char *lc_root(const struct lc_config *c)
{
    char buf[PATH_MAX];
    if (!realpath(c->source_root ? c->source_root : ".", buf))
        snprintf(buf, sizeof buf, "/");
    return lc_printf("%s%s", buf, strcmp(buf, "/") ? "/" : "");
}

int lc_out_sarif(FILE *f, const struct lc_result *r)
{
    char *root = lc_root(r->cfg);
    char *root_uri = lc_uri_path("file://", root);
    json_t *results = json_array();
    for (size_t i = 0; i < r->m->nsites; i++)
        json_array_append_new(results, lc_result(&r->m->sites[i], r, root));
    lc_proc_results(results, r->m, root);
    for (size_t i = 0; i < r->m->nmarks; i++)
        json_array_append_new(results, lc_unreported_result(r, i, root));
    for (size_t i = 0; i < r->m->nprocs; i++)
        if (r->m->procs[i].hidden)
            json_array_append_new(results, lc_hidden_result(r, i, root));
    if (!r->m->nprocs)
        json_array_append_new(results, lc_nothing_result(r, root));
    json_t *run = json_pack("{s:{s:{s:s,s:s,s:o}},s:{s:{s:s}},s:o,s:o}",
        "tool", "driver", "name", "libleak", "semanticVersion", LC_VERSION,
        "rules", lc_rules(r->cfg),
        "originalUriBaseIds", "SRCROOT", "uri", root_uri,
        "invocations", lc_invocation(r), "results", results);
    json_t *doc = json_pack("{s:s,s:s,s:[o]}", "$schema",
                            "https://json.schemastore.org/sarif-2.1.0.json",
                            "version", "2.1.0", "runs", run);
    free(root);
    free(root_uri);
    return lc_write_json(f, doc, r->cfg->sarif, "--sarif");
}
