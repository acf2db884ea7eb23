/* lc.h - leakcheck, the CI gate around libleak.so (see main.c).
 *
 * A separate program, never loaded into the traced process: it runs
 * COMMAND with the preload, reads the JSON report every process wrote,
 * merges and judges them.  One concern per file:
 *
 *   main.c      the order of things, the exit status
 *   cli.c       command-line options
 *   preload.c   can LD_PRELOAD work for COMMAND (static, setuid)?
 *   run.c       the environment, the process tree, waiting
 *   merge.c     reading the reports, merging sites across processes
 *   started.c   libleak's start markers: processes that wrote no report
 *   judge.c     suppressions, baseline, fail-on: which sites fail
 *   baseline.c  the baseline file and stack signatures
 *   text.c      the summary on stderr, --gen-suppressions
 *   out_json.c, out_sarif.c, out_junit.c   the --json/--sarif/--junit files
 *   util.c      messages, memory, strings
 */
#ifndef LC_H
#define LC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "suppress.h"

#define LC_VERSION "0.1.0"
#define LC_EXIT_OWN 125          /* leakcheck itself failed (as env(1), timeout(1)) */
#define LC_EXIT_UNREPORTED 24    /* --require-reports: a process wrote no report */
#define LC_SIG_FRAMES 8          /* frames in a baseline signature */

enum lc_kind { LC_DEFINITE, LC_INDIRECT, LC_POSSIBLE, LC_REACHABLE, LC_NKINDS };
extern const char *const lc_kind_json[LC_NKINDS];   /* "definitely_lost", ... */
extern const char *const lc_kind_short[LC_NKINDS];  /* "definite", ... */
extern const char *const lc_kind_text[LC_NKINDS];   /* "definitely lost", ... */
int lc_kind_from_json(const char *s);                /* -1 if unknown */

/* ---- cli.c ----------------------------------------------------------------- */
struct lc_config {
    int exitcode;                /* gate status (--exitcode), default 23 */
    int fail_on;                 /* bit per enum lc_kind */
    int children;                /* judge every process (default) */
    int require_reports;         /* a process that wrote no report fails */
    int fresh_memory;            /* glibc gives no freed memory out untouched */
    int gen_supp;
    int verbose;
    double wait_seconds;         /* for descendants after COMMAND ends */
    const char *json, *sarif, *junit, *baseline, *write_baseline;
    const char *source_root;     /* SARIF paths are made relative to it */
    const char *reports;         /* --reports DIR: judge these, run nothing */
    const char **supp_files;
    size_t nsupp;
    char **argv;                 /* COMMAND ARGS... */
};
/* Parse argv; on a user error prints one message and returns -1.  Returns
 * 1 when --help or --version was handled. */
int lc_cli_parse(struct lc_config *c, int argc, char **argv);
int lc_parse_kinds(const char *s, int *mask);       /* "definite,indirect" */

/* ---- preload.c --------------------------------------------------------------- */
/* argv0 as execvp finds it (through PATH when it has no '/') into path
 * (cap bytes); 0, or the errno exec would fail with.  No message. */
int lc_which(const char *argv0, char *path, size_t cap);
/* Resolve argv0 through PATH into path (cap bytes); 0, or the status to
 * exit with (127 not found, 126 not executable) after one message. */
int lc_resolve(const char *argv0, char *path, size_t cap);
/* 0 if LD_PRELOAD can work for the program at path; else prints why it
 * cannot (static, setuid, setgid) and returns -1. */
int lc_check_preloadable(const char *path);

/* ---- run.c ------------------------------------------------------------------- */
struct lc_run {
    char dir[4096];              /* private report directory */
    pid_t pid;                   /* COMMAND's process */
    int status;                  /* its exit status, 128+N if killed by signal N */
    int signaled;
    int stragglers;              /* descendants still running when we stopped waiting */
};
int lc_run_prepare(struct lc_run *r);                 /* the temp directory */
/* 0 once COMMAND ran and its tree ended; -1 if leakcheck failed; 126 or
 * 127 (after one message) if COMMAND could not be executed. */
int lc_run_command(struct lc_run *r, const struct lc_config *c, const char *path);
void lc_run_cleanup(struct lc_run *r);

/* ---- merge.c ----------------------------------------------------------------- */
struct lc_site {                 /* one (kind, symbolized stack) over all processes */
    char *key;
    int kind;
    uint64_t bytes, blocks;
    json_t *stack;               /* from the first report that had it */
    const char *function;        /* allocating function */
    size_t nprocs;
    long pids[4];                /* the first few processes */
    size_t last_proc;            /* to count each process once */
    long supp;                   /* wrapper suppression index, or -1 */
    int baselined;
    int fails;                   /* judged: makes the gate fail */
    char *signature;
};
struct lc_psite { size_t site; uint64_t bytes, blocks; };
struct lc_proc {
    long pid;
    uint64_t start;              /* start_time: with pid, names the process; 0 unknown */
    unsigned long seq;           /* N of report PID.N.json: pids wrap; 1 for PID.json */
    json_t *report;              /* owns the parsed report */
    char *cmdline;
    uint64_t bytes[LC_NKINDS], blocks[LC_NKINDS];   /* unsuppressed */
    uint64_t supp_bytes, supp_blocks;
    size_t nerrors;
    uint64_t unstopped;          /* threads its leak check could not stop */
    struct lc_psite *sites;
    size_t nsites;
    /* Blocks of a failing kind the summary counts but no site lists (a
     * report written without show_reachable=1): they fail the process. */
    uint64_t unlisted_bytes[LC_NKINDS], unlisted_blocks[LC_NKINDS];
    int unlisted_oom;            /* check.leaks_unlisted: libleak could not list them */
    /* Blocks its leak check could not classify (libleak out of memory):
     * the check was not done, so the process fails. */
    uint64_t unclassified;
    /* check.allocator_hidden_by: the object whose malloc comes ahead of
     * libleak's, so no block of the process was seen (the report's); NULL
     * when libleak saw them.  Such a process was not checked. */
    const char *hidden;
    int fails;
};
struct lc_merge {
    struct lc_proc *procs;
    size_t nprocs;
    struct lc_site *sites;
    size_t nsites, cap;
    size_t *slots, nslots;       /* open-addressing index of sites by key */
    size_t skipped;              /* reports of other processes (--no-children) */
    size_t unreadable;           /* reports that could not be read or parsed */
    struct { dev_t dev; ino_t ino; } own[4];   /* leakcheck's output files */
    size_t nown;
    struct ll_supp_set supp;     /* --suppressions, then the library's own */
    size_t nsupp_wrapper;        /* entries before this came from --suppressions */
    uint64_t supp_bytes, supp_blocks;
    uint64_t unlisted_bytes[LC_NKINDS], unlisted_blocks[LC_NKINDS];   /* all processes' */
    int unlisted_oom[LC_NKINDS]; /* some of them because libleak ran out of memory */
    size_t unclassified_procs;   /* processes whose check was not done */
    uint64_t unclassified;       /* their unclassified blocks */
    struct lc_mark *marks;       /* start markers; after the merge, those */
    size_t nmarks;               /* no report pairs with (started.c) */
    size_t nhidden;              /* processes whose allocator libleak did not see */
    char **baseline;             /* signatures from --baseline */
    size_t nbaseline;
    unsigned char *baseline_used;
};
/* Read every report (PID.json) and start marker (PID.start) in dir but the
 * files in own; ours: dir is the one leakcheck made (not --reports DIR);
 * only_pid > 0 keeps that process alone.  Markers that no report pairs
 * with are left in m->marks.  -1 (after a message per file) if the
 * directory or a report cannot be read. */
int lc_merge_dir(struct lc_merge *m, const char *dir, int ours, long only_pid, long top_pid);
void lc_merge_free(struct lc_merge *m);
/* Sites sorted largest first (the order every output uses). */
void lc_merge_sort(struct lc_merge *m);
/* Process i's name where a CI server follows it from run to run: its
 * command line, " #2", " #3", ... for a command run several times (the
 * pid changes every run).  Freed by the caller. */
char *lc_proc_name(const struct lc_merge *m, size_t i);

/* ---- started.c ----------------------------------------------------------------- */
/* libleak writes DIR/PID.start when it starts in a process (started=, which
 * leakcheck sets): pid, start time, command line.  A marker that no report
 * pairs with is a process that started under libleak and was not checked. */
struct lc_mark {
    long pid;
    uint64_t start;              /* its start_time; 0 unknown */
    unsigned long seq;           /* N of PID.N.start (pids wrap); 1 for PID.start */
    json_t *marker;              /* owns the parsed marker (may be NULL) */
    char *cmdline;
};
/* A parsed marker into m->marks (it takes j); -1 if j is not one. */
int lc_mark_add(struct lc_merge *m, json_t *j, unsigned long seq);
/* Keep the marks that no report pairs with, by pid and start time (a start
 * time of 0 on either side, as an older libleak's report has, pairs by pid
 * alone): one per process, its latest marker, in pid order.  The others
 * are freed.  Returns how many are left. */
struct lc_key { long pid; uint64_t start; };
size_t lc_marks_unpaired(struct lc_mark *v, size_t n, const struct lc_key *keys, size_t nkeys);
void lc_merge_unreported(struct lc_merge *m);       /* m->marks against m->procs */
void lc_mark_free(struct lc_mark *k);
/* Mark i's name where a CI server follows it: as lc_proc_name's, " #N"
 * counting the processes that reported too. */
char *lc_mark_name(const struct lc_merge *m, size_t i);
/* Whether processes that wrote no report fail the gate (--require-reports). */
int lc_unreported_fail(const struct lc_merge *m, const struct lc_config *c);
/* Why a process writes no report, as every output says it ("likely ..."). */
extern const char lc_unreported_why[];

/* ---- judge.c ----------------------------------------------------------------- */
int lc_load_suppressions(struct lc_merge *m, const struct lc_config *c);
void lc_judge(struct lc_merge *m, const struct lc_config *c);
size_t lc_failing_sites(const struct lc_merge *m);
/* Whether the gate fails: a failing site, unlisted blocks of a failing kind,
 * or a process whose leak check was not done. */
int lc_gate_fails(const struct lc_merge *m);
/* The frame a site is reported at: the first in the program's own code. */
size_t lc_own_frame(const json_t *stack);
int lc_system_object(const char *object);
int lc_system_source(const json_t *frame);      /* a file under /usr, not /usr/local */
/* A small set of function names (--gen-suppressions' shared helpers). */
struct lc_name;
struct lc_names { struct lc_name *head; };                     /* a uthash set */
int lc_names_has(const struct lc_names *s, const char *name);
/* 1 if name was not there yet; name is not copied. */
int lc_names_add(struct lc_names *s, const char *name);
void lc_names_free(struct lc_names *s);
/* The --gen-suppressions pattern (after "leak:") matching this site and not
 * every leak, or NULL if there is none; the functions in shared (may be
 * NULL) are passed over.  lc_supp_frame: the frame it names, or -1. */
long lc_supp_frame(const json_t *stack, const struct lc_names *shared, int *skipped);
/* The frames lc_supp_frame chooses among, innermost first, into out (room
 * for every frame of stack); returns how many. */
size_t lc_supp_candidates(const json_t *stack, size_t *out);
char *lc_supp_pattern(const json_t *stack, const struct lc_names *shared);

/* ---- baseline.c -------------------------------------------------------------- */
char *lc_signature(const json_t *stack);
int lc_baseline_read(struct lc_merge *m, const char *path);
int lc_baseline_write(const struct lc_merge *m, FILE *f);

/* ---- outputs ----------------------------------------------------------------- */
struct lc_result {               /* what every output reports about the run */
    const struct lc_config *cfg;
    const struct lc_merge *m;
    const struct lc_run *run;
    int gate;                    /* exit status from the judgement alone */
    int exit;                    /* leakcheck's own exit status */
};
const char *lc_site_status(const struct lc_site *s);   /* "new", "baseline", ... */
void lc_text(FILE *f, const struct lc_result *r);
void lc_gen_suppressions(FILE *f, const struct lc_merge *m);
/* "N bytes still reachable in M blocks, not listed: ..." (no newline); oom:
 * because libleak ran out of memory listing them. */
void lc_unlisted_text(FILE *f, int kind, uint64_t bytes, uint64_t blocks, int oom);
int lc_out_json(FILE *f, const struct lc_result *r);
int lc_out_sarif(FILE *f, const struct lc_result *r);
int lc_out_junit(FILE *f, const struct lc_result *r);

/* ---- util.c ------------------------------------------------------------------ */
void lc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *lc_alloc(size_t n);                    /* zeroed; exits on failure */
void *lc_grow(void *p, size_t n);
char *lc_strdup(const char *s);
char *lc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *lc_basename(const char *path);
/* JSON frame members, NULL when absent or null. */
const char *lc_fstr(const json_t *frame, const char *key);
long lc_fint(const json_t *frame, const char *key);
/* "function file:line (object+offset)" for a text line. */
void lc_frame_text(FILE *f, const json_t *frame);
/* Text from outside (the command line, file names, suppression and
 * baseline files) made valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD, as in libleak's reports. */
char *lc_utf8(const char *s);
json_t *lc_json_str(const char *s);          /* json null for NULL */
/* s as XML character data (attr: an attribute's value), made valid UTF-8;
 * characters XML 1.0 forbids become U+FFFD. */
void lc_xml_escaped(FILE *f, const char *s, int attr);
/* Dump doc into the what (--json, --sarif) file at path and free it.  doc
 * is NULL when building it failed: then one message names the file (a
 * write error is named by lc_close_output).  0, or -1. */
int lc_write_json(FILE *f, json_t *doc, const char *path, const char *what);
/* Open an output file before COMMAND runs, so a bad path fails early. */
FILE *lc_open_output(const char *path, const char *what);
int lc_close_output(FILE *f, const char *path);
/* "1,234" */
const char *lc_num(uint64_t v, char buf[32]);

#endif
