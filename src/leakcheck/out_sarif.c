/* out_sarif.c - --sarif FILE: SARIF 2.1.0 for code-scanning dashboards.
 *
 * One result per leak site, located at its first frame in the program's
 * own code (not libc, the loader or libstdc++), with the whole allocation
 * stack both as a SARIF stack and as a code flow (which is what GitHub
 * renders).  Source paths are made relative to --source-root (default:
 * the current directory) under the base id SRCROOT, as code scanning wants.
 * Suppressed sites are included with a SARIF suppression, so dashboards
 * hide them; with --baseline every result carries its baselineState. */
#include "lc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const lc_rule_id[LC_NKINDS] = {
    "definitely-lost", "indirectly-lost", "possibly-lost", "still-reachable"
};
static const char *const lc_rule_name[LC_NKINDS] = {
    "DefinitelyLost", "IndirectlyLost", "PossiblyLost", "StillReachable"
};
static const char *const lc_rule_help[LC_NKINDS] = {
    "Nothing reachable points to the block at exit: nobody can free it any more.",
    "Only other lost blocks point to the block: freeing the block that points to "
    "it would free it too.",
    "Only pointers into the middle of the block were found.",
    "A root or a reachable block still points to the block at exit.",
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

/* {"uri", "uriBaseId"?} for a file as the report names it. */
static json_t *lc_artifact(const char *file, const char *root)
{
    size_t rl = strlen(root);
    json_t *a;
    char *uri;
    if (file[0] == '/' && strncmp(file, root, rl) == 0) {
        uri = lc_uri_path("", file + rl);
        a = json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT");
    } else if (file[0] == '/') {
        uri = lc_uri_path("file://", file);
        a = json_pack("{s:s}", "uri", uri);
    } else {
        /* DWARF names sources relative to the compile directory, which is
         * the source root in the usual build; "../x" (libc's) cannot be. */
        uri = lc_uri_path("", file);
        a = strncmp(file, "../", 3) ? json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT")
                                    : json_pack("{s:s}", "uri", uri);
    }
    free(uri);
    return a;
}

static json_t *lc_location(const json_t *frame, const char *root)
{
    const char *fn = lc_fstr(frame, "function"), *file = lc_fstr(frame, "file");
    const char *obj = lc_fstr(frame, "object");
    long line = lc_fint(frame, "line");
    json_t *loc = json_object();
    if (file || obj) {
        json_t *phys = json_pack("{s:o}", "artifactLocation", lc_artifact(file ? file : obj, root));
        if (file && line > 0)
            json_object_set_new(phys, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
        json_object_set_new(loc, "physicalLocation", phys);
    }
    if (fn)
        json_object_set_new(loc, "logicalLocations", json_pack("[{s:s,s:s,s:s}]",
                            "name", fn, "fullyQualifiedName", fn, "kind", "function"));
    return loc;
}

static json_t *lc_flows(const json_t *stack, const char *root)
{
    json_t *frames = json_array(), *steps = json_array();
    size_t i;
    const json_t *f;
    json_array_foreach(stack, i, f) {
        json_t *fr = json_pack("{s:o}", "location", lc_location(f, root));
        const char *obj = lc_fstr(f, "object");
        if (obj)
            json_object_set_new(fr, "module", json_string(lc_basename(obj)));
        json_array_append_new(frames, fr);
        json_array_append_new(steps, json_pack("{s:o}", "location", lc_location(f, root)));
    }
    json_t *stacks = json_pack("[{s:{s:s},s:o}]", "message", "text", "allocation stack, "
                               "innermost first", "frames", frames);
    json_t *flows = json_pack("[{s:[{s:o}]}]", "threadFlows", "locations", steps);
    return json_pack("{s:o,s:o}", "stacks", stacks, "codeFlows", flows);
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
    char *msg = lc_printf("%s bytes in %s block%s %s, allocated by %s in %s, in %zu process%s.",
                          lc_num(s->bytes, a), lc_num(s->blocks, b), s->blocks == 1 ? "" : "s",
                          lc_kind_text[s->kind], s->function ? s->function : "?",
                          fn ? fn : "unknown code", s->nprocs, s->nprocs == 1 ? "" : "es");
    json_t *res = json_pack("{s:s,s:i,s:s,s:{s:s},s:[o],s:{s:s}}",
        "ruleId", lc_rule_id[s->kind], "ruleIndex", s->kind, "level", lc_level(s),
        "message", "text", msg, "locations", lc_location(own, root),
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

static json_t *lc_rules(const struct lc_config *c)
{
    json_t *rules = json_array();
    for (int k = 0; k < LC_NKINDS; k++)
        json_array_append_new(rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s}}",
            "id", lc_rule_id[k], "name", lc_rule_name[k],
            "shortDescription", "text", lc_kind_text[k],
            "fullDescription", "text", lc_rule_help[k],
            "defaultConfiguration", "level",
            c->fail_on & (1 << k) ? "error" : k == LC_REACHABLE ? "note" : "warning"));
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
