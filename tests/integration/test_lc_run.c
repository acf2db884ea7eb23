/* test_lc_run.c - leakcheck's run of COMMAND: finding and starting it, the
 * programs it must refuse, the report directory, reading what every process
 * wrote, and scripts/leakcheck's build.  Each case is a way the gate could
 * pass without having seen a report (or fail for a reason of its own), so
 * each checks the exit status first.
 *
 * Runs build/leakcheck with a small fixed environment; each run
 * gets a temporary directory ("{dir}" in arguments and environment), which
 * also holds its stdout and stderr. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LR_BIN LL_ROOT "/build/leakcheck"
#define LR_LEAKER LL_PROGRAMS "/lc_leaker"
#define LR_NOBODY 65534

struct lr {
    char dir[64];
    int status;              /* exit status, or 128+signal */
    char *out, *err;
};

static void lr_mkdir(struct lr *r)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dir, "/tmp/ll-lr-XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
    chmod(r->dir, 0755);           /* readable by the user a case runs as */
}

/* Child-side identity changes: 0 on success. */
static int lr_as_nobody(void)
{
    return setgroups(0, NULL) || setgid(LR_NOBODY) || setuid(LR_NOBODY);
}

static int lr_real_nobody(void)            /* effective root, real nobody */
{
    return setresuid(LR_NOBODY, 0, 0);
}

/* Run argv (NULL-terminated, "{dir}" expanded) in r->dir, made
 * by lr_mkdir, with PATH, LC_ALL and env (may be NULL); become (may be
 * NULL) changes the identity it runs with. */
static void lr_exec_in(struct lr *r, int (*become)(void), const char *const *env,
                       const char *const *argv)
{
    char *args[64], *envp[16];
    int n = 0, e = 0;
    for (; argv[n] && n < 63; n++)
        args[n] = ll_expand(argv[n], r->dir);
    args[n] = NULL;
    envp[e++] = "LC_ALL=C";
    int have_path = 0;
    for (; env && *env && e < 14; env++) {
        envp[e++] = ll_expand(*env, r->dir);
        have_path |= strncmp(*env, "PATH=", 5) == 0;
    }
    if (!have_path)
        envp[e++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    envp[e] = NULL;
    r->status = ll_exec_in(r->dir, NULL, args, envp, become);
    r->out = ll_read_or_empty(ll_fmt("%s/stdout.txt", r->dir));
    r->err = ll_read_or_empty(ll_fmt("%s/stderr.txt", r->dir));
    for (int i = 0; i < n; i++)
        free(args[i]);
    for (int i = 1; envp[i]; i++)
        if (strncmp(envp[i], "PATH=/usr/local", 15) != 0)
            free(envp[i]);
}

static void lr_exec(struct lr *r, const char *const *env, const char *const *argv)
{
    lr_mkdir(r);
    lr_exec_in(r, NULL, env, argv);
}

/* leakcheck ARGS... */
#define LR(r, ...) lr_exec((r), NULL, (const char *const[]){ LR_BIN, __VA_ARGS__, NULL })

static void lr_free(struct lr *r)
{
    ll_rm_rf(r->dir);
    free(r->out);
    free(r->err);
}

static const char *lr_path(const struct lr *r, const char *name)
{
    return ll_fmt("%s/%s", r->dir, name);
}

/* ---- reports that cannot be read -------------------------------------------- */

/* A report cut short (libleak on a full disk) is a process whose leaks are
 * unknown: the gate must not pass on it. */
Test(lc_run, truncated_report_in_reports_dir_fails)
{
    struct lr r;
    lr_exec(&r, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && env LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/10.json " LR_LEAKER " 10 && "
        "truncate -s 300 {dir}/r/10.json", NULL });
    LL_EQ(r.status, 0, "writing the report; stderr:\n%s", r.err);
    struct lr r2;
    lr_mkdir(&r2);
    lr_exec_in(&r2, NULL, NULL, (const char *const[]){ LR_BIN, "--reports",
                                                    lr_path(&r, "r"), NULL });
    LL_EQ(r2.status, 125, "exit status; stderr:\n%s", r2.err);
    const char *file = ll_fmt("%s/r/10.json", r.dir);
    cr_assert(ll_contains(r2.err, file), "names %s; stderr:\n%s", file, r2.err);
    cr_assert(!ll_contains(r2.err, "PASS"), "no verdict; stderr:\n%s", r2.err);
    lr_free(&r2);
    lr_free(&r);
}

/* The same during a run: COMMAND cuts its child's report short, as a full
 * TMPDIR would. */
Test(lc_run, truncated_report_during_run_fails)
{
    struct lr r;
    LR(&r, "--", "/bin/sh", "-c",
       "d=${LIBLEAK_OPTIONS##*output=}; d=${d%%/%p.json*}; " LR_LEAKER " 10 && "
       "for f in \"$d\"/*.json; do truncate -s 100 \"$f\"; done");
    LL_EQ(r.status, 125, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "cannot read the report"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "no verdict; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "_exit()"), "does not blame _exit; stderr:\n%s", r.err);
    lr_free(&r);
}

/* COMMAND's own failure still wins, as for every other status. */
Test(lc_run, truncated_report_keeps_command_status)
{
    struct lr r;
    LR(&r, "--", "/bin/sh", "-c",
       "d=${LIBLEAK_OPTIONS##*output=}; d=${d%%/%p.json*}; " LR_LEAKER " 10; "
       "for f in \"$d\"/*.json; do truncate -s 0 \"$f\"; done; exit 3");
    LL_EQ(r.status, 3, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "cannot read the report"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* --reports DIR --json DIR/merged.json: leakcheck's own output, emptied
 * when it is opened, was merged as an unreadable report (125), and the
 * empty file it left failed every later run.  A JSON file that is not
 * ours is still named and ignored. */
Test(lc_run, reports_dir_holding_own_output)
{
    struct lr r;
    lr_exec(&r, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/r && env LD_PRELOAD=" LL_LIB
        " LIBLEAK_OPTIONS=format=json:output={dir}/r/10.json " LR_LEAKER " 0 && "
        "echo '{}' >{dir}/r/other.json", NULL });
    LL_EQ(r.status, 0, "writing the report; stderr:\n%s", r.err);
    const char *dir = lr_path(&r, "r");
    const char *merged = ll_fmt("%s/merged.json", dir);
    for (int run = 1; run <= 2; run++) {
        struct lr r2;
        lr_mkdir(&r2);
        lr_exec_in(&r2, NULL, NULL, (const char *const[]){ LR_BIN, "--reports", dir,
                   "--json", merged, "--write-baseline", ll_fmt("%s/b.json", dir), NULL });
        LL_EQ(r2.status, 0, "run %d: exit status; stderr:\n%s", run, r2.err);
        cr_assert(!ll_contains(r2.err, "merged.json") && !ll_contains(r2.err, "b.json"),
                  "run %d: its own outputs are not reports; stderr:\n%s", run, r2.err);
        cr_assert(ll_contains(r2.err, "other.json: valid JSON, but not a libleak report"),
                  "run %d: names the foreign file; stderr:\n%s", run, r2.err);
        json_t *m = ll_load_json(merged);
        LL_EQ(json_array_size(ll_arr(m, "processes")), 1, "run %d: processes merged", run);
        json_decref(m);
        lr_free(&r2);
    }
    lr_free(&r);
}

/* ---- finding and starting COMMAND ---------------------------------------------- */

static void lr_script(const struct lr *r, const char *name, const char *text)
{
    const char *path = lr_path(r, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(chmod(path, 0755), 0);
}

/* env and execvp skip a directory named like the command earlier in PATH. */
Test(lc_run, path_search_skips_a_directory)
{
    struct lr r;
    lr_mkdir(&r);
    cr_assert_eq(mkdir(lr_path(&r, "lc_leaker"), 0755), 0);
    lr_exec_in(&r, NULL, (const char *const[]){ "PATH={dir}:" LL_PROGRAMS ":/usr/bin:/bin", NULL },
               (const char *const[]){ LR_BIN, "--", "lc_leaker", "10", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* ...and report EACCES (126) when that is all they found. */
Test(lc_run, path_search_finds_only_a_directory)
{
    struct lr r;
    lr_mkdir(&r);
    cr_assert_eq(mkdir(lr_path(&r, "lc_leaker"), 0755), 0);
    lr_exec_in(&r, NULL, (const char *const[]){ "PATH={dir}:/usr/bin:/bin", NULL },
               (const char *const[]){ LR_BIN, "--", "lc_leaker", "10", NULL });
    LL_EQ(r.status, 126, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "Permission denied"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* An executable text file without #! runs through /bin/sh, as execvp does. */
Test(lc_run, script_without_interpreter_line_runs_through_sh)
{
    struct lr r;
    lr_mkdir(&r);
    lr_script(&r, "nohashbang", "exec " LR_LEAKER " 10\n");
    lr_exec_in(&r, NULL, NULL,
               (const char *const[]){ LR_BIN, "--", lr_path(&r, "nohashbang"), NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* COMMAND that cannot be executed: its error and 127, not a PASS summary
 * of nothing with a note blaming _exit(). */
Test(lc_run, exec_failure_reports_only_the_error)
{
    struct lr r;
    lr_mkdir(&r);
    lr_script(&r, "badinterp", "#!/nonexistent/interpreter\n");
    lr_exec_in(&r, NULL, NULL,
               (const char *const[]){ LR_BIN, "--", lr_path(&r, "badinterp"), NULL });
    LL_EQ(r.status, 127, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "cannot run"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "no summary; stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "process"), "no summary; stderr:\n%s", r.err);
    LL_EQ(ll_count_lines(r.err, "leakcheck:"), 1, "one message; stderr:\n%s", r.err);
    lr_free(&r);
}

/* ---- programs the loader will not preload ------------------------------------ */

/* In a new run directory, a copy of the leaker with the file capabilities
 * magic (a struct vfs_cap_data's magic_etc), permitted and inheritable (the
 * low 32 bits), and a check that nobody can run leakcheck at all; skips the
 * test when either cannot be done here. */
static const char *lr_cap_leaker(struct lr *r, uint32_t magic, uint32_t permitted,
                                 uint32_t inheritable)
{
    lr_mkdir(r);
    const char *bin = lr_path(r, "cap_leaker");
    cr_assert_eq(system(ll_fmt("cp %s %s && chmod 755 %s", LR_LEAKER, bin, bin)), 0);
    struct vfs_cap { uint32_t magic; uint32_t data[4]; } cap = {
        magic, { permitted, inheritable, 0, 0 } };
    if (setxattr(bin, "security.capability", &cap, sizeof cap, 0) != 0)
        cr_skip_test("setxattr security.capability on %s: %s", bin, strerror(errno));
    lr_exec_in(r, lr_as_nobody, NULL, (const char *const[]){ LR_BIN, "--version", NULL });
    if (r->status != 0)
        cr_skip_test("nobody cannot run %s (%d): %s", LR_BIN, r->status, r->err);
    free(r->out);
    free(r->err);
    return bin;
}

/* A copy of the leaker with CAP_NET_RAW (setcap cap_net_raw+ep), run by
 * nobody: exec gives it the capability, so it runs in secure-execution mode
 * and LD_PRELOAD is ignored, as for a set-user-ID program. */
Test(lc_run, file_capabilities_are_refused)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give a file capabilities and run as nobody");
    struct lr r;
    /* rev 2, effective, permitted net_raw */
    const char *bin = lr_cap_leaker(&r, 0x02000000 | 1, 1u << CAP_NET_RAW, 0);
    lr_exec_in(&r, lr_as_nobody, NULL, (const char *const[]){ LR_BIN, "--", bin, "10", NULL });
    LL_EQ(r.status, 125, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "has file capabilities"), "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "PASS"), "stderr:\n%s", r.err);
    /* root's exec of it is not secure: it is checked as usual. */
    free(r.out);
    free(r.err);
    lr_exec_in(&r, NULL, NULL, (const char *const[]){ LR_BIN, "--", bin, "10", NULL });
    LL_EQ(r.status, 23, "as root; stderr:\n%s", r.err);
    lr_free(&r);
}

/* nobody whose inheritable set holds CAP_NET_RAW (it survives setuid). */
static int lr_as_nobody_inheriting_net_raw(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &h, d) != 0)
        return -1;
    d[0].inheritable |= 1u << CAP_NET_RAW;
    return syscall(SYS_capset, &h, d) || lr_as_nobody();
}

/* setcap cap_net_raw+i: exec grants nothing from a process whose
 * inheritable set lacks CAP_NET_RAW (no secure execution, LD_PRELOAD
 * works, so it is checked), and CAP_NET_RAW from one that holds it
 * (secure execution: refused). */
Test(lc_run, inheritable_file_capabilities)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give a file capabilities and run as nobody");
    struct lr r;
    /* rev 2, inheritable net_raw */
    const char *bin = lr_cap_leaker(&r, 0x02000000, 0, 1u << CAP_NET_RAW);
    lr_exec_in(&r, lr_as_nobody, NULL, (const char *const[]){ LR_BIN, "--", bin, "10", NULL });
    LL_EQ(r.status, 23, "empty inheritable set; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    free(r.out);
    free(r.err);
    lr_exec_in(&r, lr_as_nobody_inheriting_net_raw, NULL,
               (const char *const[]){ LR_BIN, "--", bin, "10", NULL });
    LL_EQ(r.status, 125, "inheritable CAP_NET_RAW; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "has file capabilities"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* With a real ID that is not the effective one, every exec is secure. */
Test(lc_run, effective_id_other_than_real_is_refused)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to set a real user ID other than the effective one");
    struct lr r;
    lr_mkdir(&r);
    lr_exec_in(&r, lr_real_nobody, NULL,
               (const char *const[]){ LR_BIN, "--", LR_LEAKER, "10", NULL });
    LL_EQ(r.status, 125, "exit status; stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "secure-execution mode"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* exec ignores a script's set-user-ID bit: its interpreter is judged. */
Test(lc_run, setuid_script_is_judged_by_its_interpreter)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give a script another owner");
    struct lr r;
    lr_mkdir(&r);
    const char *sh = lr_path(&r, "suid.sh");
    FILE *f = fopen(sh, "w");
    cr_assert_not_null(f);
    fprintf(f, "#!/bin/sh\nexec %s 10\n", LR_LEAKER);
    fclose(f);
    cr_assert_eq(system(ll_fmt("chown 65534 %s && chmod 4755 %s", sh, sh)), 0);
    lr_exec_in(&r, NULL, NULL, (const char *const[]){ LR_BIN, "--", sh, NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    lr_free(&r);
}

/* ---- the report directory ----------------------------------------------------- */

/* A leak, run with TMPDIR a new directory named name in the run's own:
 * the gate must see the report and fail with 23. */
static void lr_tmpdir_case(const char *name)
{
    struct lr r;
    lr_mkdir(&r);
    cr_assert_eq(mkdir(lr_path(&r, name), 0755), 0);
    lr_exec_in(&r, NULL, (const char *const[]){ ll_fmt("TMPDIR={dir}/%s", name), NULL },
               (const char *const[]){ LR_BIN, "--", LR_LEAKER, "10", NULL });
    LL_EQ(r.status, 23, "TMPDIR %s: exit status; stderr:\n%s", name, r.err);
    cr_assert(ll_contains(r.err, "FAIL: 1 new leak site"), "stderr:\n%s", r.err);
    lr_free(&r);
}

/* libleak expands %p in output=, so a TMPDIR holding one sent every report
 * to stderr and the gate passed. */
Test(lc_run, tmpdir_with_percent_p) { lr_tmpdir_case("x%p"); }

/* ':' ends an item of LIBLEAK_OPTIONS. */
Test(lc_run, tmpdir_with_colon) { lr_tmpdir_case("a:b"); }

/* A relative TMPDIR is taken from where each process starts: one started
 * elsewhere lost its report. */
Test(lc_run, relative_tmpdir)
{
    struct lr r;
    lr_mkdir(&r);
    lr_exec_in(&r, NULL, (const char *const[]){ "TMPDIR=.", NULL },
               (const char *const[]){ LR_BIN, "--", "/bin/sh", "-c",
                                      "cd / && " LR_LEAKER " 10", NULL });
    LL_EQ(r.status, 23, "exit status; stderr:\n%s", r.err);
    lr_free(&r);
}

/* ---- scripts/leakcheck's build -------------------------------------------------- */

/* Several wrappers at once on a tree not built yet (meson test, ctest -j):
 * each ran make in it, and some linked half-written objects or ran
 * build/leakcheck while another make rewrote it. */
Test(lc_run, parallel_wrappers_on_a_fresh_tree, .timeout = 240)
{
    struct lr r;
    lr_exec(&r, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/t && tar -C " LL_ROOT " --exclude=./.git --exclude=./build "
        "--exclude=./libleak.so -cf - . | tar -C {dir}/t -xf - || exit 99; "
        "for i in 1 2 3 4; do "
        "  ({dir}/t/scripts/leakcheck -- " LR_LEAKER " 10 >/dev/null 2>{dir}/e$i; "
        "   echo $? >{dir}/s$i) & "
        "done; wait; cat {dir}/s1 {dir}/s2 {dir}/s3 {dir}/s4", NULL });
    LL_EQ(r.status, 0, "copying the tree; stderr:\n%s", r.err);
    char *errs = ll_read_or_empty(lr_path(&r, "e1"));
    cr_assert_str_eq(r.out, "23\n23\n23\n23\n", "each wrapper's status; the first's stderr:\n%s",
                     errs);
    free(errs);
    lr_free(&r);
}

/* A builder that hangs holding the flock(1) lock: the next wrapper waited
 * for it without end.  It now waits LEAKCHECK_LOCK_WAIT seconds, says so,
 * and goes on.  (The holder here is killed once the wrapper is done.) */
Test(lc_run, held_build_lock_is_waited_for_a_while_only, .timeout = 60)
{
    struct lr r;
    lr_exec(&r, NULL, (const char *const[]){ "/bin/sh", "-c",
        "command -v flock >/dev/null || { echo 'no flock'; exit 0; }; "
        "flock -o " LL_ROOT "/build/.leakcheck.lock sleep 50 </dev/null >/dev/null 2>&1 & "
        "holder=$!; "
        "while flock -n " LL_ROOT "/build/.leakcheck.lock true; do sleep 0.1; done; "
        "LEAKCHECK_LOCK_WAIT=1 " LL_ROOT "/scripts/leakcheck -- " LR_LEAKER " 0 >/dev/null "
        "2>{dir}/err; echo $?; kill $holder; "
        "grep -c 'held for 1 seconds; building anyway' {dir}/err; exit 0", NULL });
    LL_EQ(r.status, 0, "setting up; stderr:\n%s", r.err);
    cr_assert_str_eq(r.out, "0\n1\n", "the wrapper's status, then its note; stderr:\n%s", r.err);
    lr_free(&r);
}

/* Without flock(1) the lock is a directory holding the builder's pid.  One
 * left by a builder that was killed must not hold the next wrapper up (it
 * waited five minutes, then built without removing it, so every later run
 * waited again). */
Test(lc_run, stale_lock_directory_is_removed, .timeout = 60)
{
    struct lr r;
    lr_exec(&r, NULL, (const char *const[]){ "/bin/sh", "-c",
        "mkdir {dir}/bin && for d in /usr/local/bin /usr/bin /bin; do for f in $d/*; do "
        "  b=${f##*/}; [ $b = flock ] || [ -e {dir}/bin/$b ] || ln -s $f {dir}/bin/$b; "
        "done; done; "
        "sh -c 'exit 0' & wait; dead=$!; "
        "mkdir -p " LL_ROOT "/build/.leakcheck.lock.d && "
        "echo $dead >" LL_ROOT "/build/.leakcheck.lock.d/pid || exit 99; "
        "PATH={dir}/bin " LL_ROOT "/scripts/leakcheck -- " LR_LEAKER " 0 >/dev/null; "
        "echo $?; [ -e " LL_ROOT "/build/.leakcheck.lock.d ] && echo left; exit 0", NULL });
    LL_EQ(r.status, 0, "setting up; stderr:\n%s", r.err);
    cr_assert_str_eq(r.out, "0\n", "the wrapper's status, then whether the lock was left; "
                                   "stderr:\n%s", r.err);
    lr_free(&r);
}

/* --fresh-memory: COMMAND runs with glibc's per-thread cache off and freed
 * memory overwritten (GLIBC_TUNABLES, after the user's own), so the stale
 * pointers a new block holds in memory given out again keep no lost block
 * reachable: reach_cases recycled's 8 blocks read lost, as under Valgrind
 * (2 lost without: 6 are held by a new array's old bytes).  And freed
 * blocks are kept out of use (freelist=20), so a pointer left dangling to
 * one does not reach the block glibc would put at its address: dangling's
 * block reads lost, as under Valgrind (still reachable without). */
static void fresh_memory_case(const char *name, int fresh, int lost)
{
    struct lr r;
    const char *env[] = { "GLIBC_TUNABLES=glibc.malloc.check=0", NULL };
    lr_mkdir(&r);
    const char *argv[] = { LR_BIN, "--json", "{dir}/m.json",
                           fresh ? "--fresh-memory" : "--verbose", "--",
                           LL_PROGRAMS "/reach_cases", name, NULL };
    lr_exec_in(&r, NULL, env, argv);
    LL_EQ(r.status, lost ? 23 : 0, "%s: exit status; stderr:\n%s", name, r.err);
    json_t *m = ll_load_json(lr_path(&r, "m.json"));
    json_t *s = ll_get(ll_get(m, "summary"), "definitely_lost");
    LL_EQ(ll_int(s, "blocks"), lost, "%s: definitely lost blocks; stderr:\n%s", name, r.err);
    json_decref(m);
    lr_free(&r);
}

Test(lc_run, fresh_memory_leaves_no_stale_pointers)
{
    fresh_memory_case("recycled", 0, 2);
    fresh_memory_case("recycled", 1, 8);
    fresh_memory_case("dangling", 0, 0);
    fresh_memory_case("dangling", 1, 1);
}
