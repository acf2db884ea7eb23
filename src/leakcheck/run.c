/* run.c - run COMMAND with the preload and wait for its whole tree.
 *
 * Every process inherits LD_PRELOAD and LIBLEAK_OPTIONS, so each writes
 * DIR/<pid>.start when libleak starts in it and DIR/<pid>.json at exit
 * (a start marker without its report: a process that was not checked).  leakcheck makes itself a child subreaper: a
 * descendant that outlives its parent is re-parented to us, and we wait for
 * it too (up to --wait seconds), so its report is complete when we read it. */
#include "lc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t lc_child_pid;

/* Whether libleak takes dir/%p.json literally: LIBLEAK_OPTIONS splits items
 * at ':', output= expands every %p, and a relative path is taken from each
 * process's own starting directory.  Otherwise reports would go astray (to
 * stderr) and the gate pass without them. */
static int lc_literal_dir(const char *dir)
{
    return dir[0] == '/' && !strchr(dir, ':') && !strstr(dir, "%p") && strlen(dir) <= 3000;
}

int lc_run_prepare(struct lc_run *r)
{
    memset(r, 0, sizeof(*r));
    char real[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp && realpath(tmp, real))
        tmp = real;
    /* The directory is private and removed afterwards: any other place will do. */
    if (!tmp || !lc_literal_dir(tmp))
        tmp = "/tmp";
    snprintf(r->dir, sizeof r->dir, "%s/leakcheck.XXXXXX", tmp);
    if (!mkdtemp(r->dir)) {
        lc_err("cannot create a report directory in %s: %s", tmp, strerror(errno));
        return -1;
    }
    /* Run as root, COMMAND may become another user (a test that drops
     * privileges, setpriv, runuser): its process could not create its
     * report in a directory only root may write to, and the gate would pass
     * without it.  Anyone may then add a file, as in /tmp, but not list,
     * remove or replace ours (libleak creates each report anew, O_EXCL). */
    if (geteuid() == 0 && chmod(r->dir, 01733) != 0) {
        lc_err("cannot open the report directory %s to other users: %s", r->dir,
               strerror(errno));
        rmdir(r->dir);
        return -1;
    }
    return 0;
}

void lc_run_cleanup(struct lc_run *r)
{
    /* Descendants still running write their reports here when they end:
     * removed, their libleak would write them to the terminal instead. */
    if (r->stragglers)
        return;
    DIR *d = opendir(r->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    rmdir(r->dir);
}

/* libleak.so: $LEAKCHECK_LIBLEAK, else next to or above our executable
 * (build/leakcheck -> ./libleak.so). */
static int lc_find_lib(char *lib, size_t cap)
{
    const char *env = getenv("LEAKCHECK_LIBLEAK");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (env && *env) {
        if (!realpath(env, lib) || access(lib, R_OK) != 0) {
            lc_err("LEAKCHECK_LIBLEAK=%s: %s", env, strerror(errno));
            return -1;
        }
    } else {
        exe[n > 0 ? n : 0] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        char try[PATH_MAX + 32];
        snprintf(try, sizeof try, "%s/../libleak.so", exe);
        if (!realpath(try, lib)) {
            snprintf(try, sizeof try, "%s/libleak.so", exe);
            if (!realpath(try, lib)) {
                lc_err("cannot find libleak.so next to %s (build it with make, or "
                       "set LEAKCHECK_LIBLEAK)", exe);
                return -1;
            }
        }
    }
    if (strpbrk(lib, ": ") || strlen(lib) >= cap) {
        lc_err("the path of libleak.so (%s) contains ':' or ' ', which LD_PRELOAD "
               "cannot express", lib);
        return -1;
    }
    return 0;
}

/* LD_PRELOAD and LIBLEAK_OPTIONS for the tree; the user's own options are
 * kept, ours come last so they win (--fresh-memory's freelist comes first:
 * the user's own freelist= wins). */
static int lc_set_env(const struct lc_run *r, const struct lc_config *c)
{
    char lib[PATH_MAX];
    if (lc_find_lib(lib, sizeof lib))
        return -1;
    const char *old = getenv("LD_PRELOAD");
    char *pre = old && *old ? lc_printf("%s:%s", lib, old) : lc_strdup(lib);
    const char *user = getenv("LIBLEAK_OPTIONS");
    char *opts = lc_printf("%s%s%sformat=json:output=%s/%%p.json:started=%s/%%p.start:"
                           "exitcode=0%s", c->fresh_memory ? "freelist=20:" : "",
                           user && *user ? user : "", user && *user ? ":" : "",
                           r->dir, r->dir,
                           c->fail_on & (1 << LC_REACHABLE) ? ":show_reachable=1" : "");
    int rc = setenv("LD_PRELOAD", pre, 1) || setenv("LIBLEAK_OPTIONS", opts, 1);
    free(pre);
    free(opts);
    if (!rc && c->fresh_memory) {
        /* glibc's tunables, read as each program starts: ours after the user's */
        static const char fresh[] = "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165";
        const char *t = getenv("GLIBC_TUNABLES");
        char *tun = t && *t ? lc_printf("%s:%s", t, fresh) : lc_strdup(fresh);
        rc = setenv("GLIBC_TUNABLES", tun, 1);
        free(tun);
    }
    return rc ? -1 : 0;
}

static void lc_forward(int sig)
{
    if (lc_child_pid > 0)
        kill((pid_t)lc_child_pid, sig);
}

static void lc_signals(int during)
{
    struct sigaction ign = { .sa_handler = during ? SIG_IGN : SIG_DFL };
    struct sigaction fwd = { .sa_handler = during ? lc_forward : SIG_DFL };
    /* ^C reaches the whole foreground group: COMMAND decides, we report. */
    sigaction(SIGINT, &ign, NULL);
    sigaction(SIGQUIT, &ign, NULL);
    sigaction(SIGTERM, &fwd, NULL);
    sigaction(SIGHUP, &fwd, NULL);
}

static int lc_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

static void lc_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Reap re-parented descendants until none is left or time runs out. */
static void lc_wait_descendants(struct lc_run *r, double seconds)
{
    long waited = 0, limit = (long)(seconds * 1000);
    for (;;) {
        pid_t w = waitpid(-1, NULL, WNOHANG);
        if (w > 0)
            continue;
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return;                      /* ECHILD: the tree is done */
        if (waited >= limit) {
            r->stragglers = 1;
            return;
        }
        lc_sleep_ms(20);
        waited += 20;
    }
}

/* In the child: exec as execvp does, so a file the kernel cannot run
 * (ENOEXEC: no #! line) goes to /bin/sh; on failure tell the parent the
 * errno through fd, which exec closes when it succeeds. */
static void lc_exec_child(const struct lc_config *c, const char *path, int fd)
{
    execv(path, c->argv);
    if (errno == ENOEXEC) {
        size_t n = 0;
        while (c->argv[n])
            n++;
        char **sh = calloc(n + 2, sizeof(*sh));
        if (sh) {
            sh[0] = "/bin/sh";
            sh[1] = (char *)path;
            memcpy(sh + 2, c->argv + 1, n * sizeof(*sh));
            execv(sh[0], sh);
        }
    }
    int err = errno;
    ssize_t w = write(fd, &err, sizeof err);   /* the parent says why */
    _exit(w == (ssize_t)sizeof err ? 127 : 126);
}

/* The errno of a failed exec in the child, or 0 once it ran COMMAND. */
static int lc_exec_error(int fd)
{
    int err = 0;
    ssize_t n;
    while ((n = read(fd, &err, sizeof err)) < 0 && errno == EINTR)
        ;
    close(fd);
    return n == (ssize_t)sizeof err ? err : 0;
}

int lc_run_command(struct lc_run *r, const struct lc_config *c, const char *path)
{
    int pfd[2];
    if (lc_set_env(r, c))
        return -1;
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        lc_err("pipe: %s", strerror(errno));
        return -1;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        lc_err("fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0)
        lc_exec_child(c, path, pfd[1]);
    close(pfd[1]);
    r->pid = pid;
    lc_child_pid = pid;
    lc_signals(1);
    int err = lc_exec_error(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->status = lc_status(st);
    r->signaled = WIFSIGNALED(st);
    if (!err)
        lc_wait_descendants(r, c->wait_seconds);
    lc_signals(0);
    lc_child_pid = 0;
    if (err) {
        /* Nothing ran, so there is nothing to judge: no summary. */
        lc_err("cannot run '%s': %s", path, strerror(err));
        return err == ENOENT ? 127 : 126;
    }
    return 0;
}
