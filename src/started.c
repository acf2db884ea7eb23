/* started.c - started=PATH: the marker a process leaves when libleak
 * starts in it, and the start time that pairs it with the report.
 *
 * A process that writes no report - killed by SIGKILL (the OOM killer,
 * timeout -s KILL), or one that exec'd a program libleak is not loaded
 * into (static, set-ID) - leaves nothing behind in the reports: a gate
 * that reads them cannot tell it from a process that never ran.  The
 * marker is that trace.  It holds the pid and the process's start time
 * (field 22 of /proc/self/stat, in clock ticks after boot), which an exec
 * keeps and a process that later gets the same pid does not, so the pair
 * names one process; the JSON report carries the same pair.  And the
 * command line, cut short, to name the process to a person.
 *
 * Written at initialisation, once per program image: a traced program
 * exec'd by a traced process rewrites that process's marker with its own
 * command line.  A fork() child writes its own from the fork handler (a
 * forked worker the OOM killer ends is a process not checked), and removes
 * it if it ends through _exit(), which gets no report by design (exits.c).
 * vfork and posix_spawn children run no fork handlers and share the
 * parent's state, already initialised.  posix_spawn's parent writes its
 * child's marker (spawn.c), which the child, if it is traced, rewrites; a
 * vfork or clone() child writes its own in the exec function it calls
 * (spawn.c), before the exec.
 * A handful of system calls; nothing from malloc. */
#include "ll.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_STARTED_CMD 256      /* bytes of the command line kept */

uint64_t ll_stat_start_time(const char *stat, size_t n)
{
    /* comm (field 2) is in parentheses and may hold anything, ')' and
     * blanks too: fields are counted after its last ')'. */
    const char *p = stat + n;
    while (p > stat && p[-1] != ')')
        p--;
    if (p == stat)
        return 0;
    const char *end = stat + n;
    for (int field = 3; field < 22; field++) {
        while (p < end && *p == ' ')
            p++;
        while (p < end && *p != ' ')
            p++;
    }
    while (p < end && *p == ' ')
        p++;
    uint64_t v = 0;
    const char *digits = p;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    /* more fields follow: a line cut inside this one is no answer */
    return p > digits && p < end && *p == ' ' ? v : 0;
}

/* Up to cap bytes of a /proc file into buf; how many (0 on failure). */
static size_t ll_proc_read(const char *path, char *buf, size_t cap)
{
    return ll_read_close(open(path, O_RDONLY | O_CLOEXEC), buf, cap);
}

/* The start time of process pid (0: this one), 0 if unknown. */
static uint64_t ll_start_time_of(pid_t pid)
{
    /* /proc/self, not /proc/thread-self: the report may be written on
     * another thread than the main one, whose own start time is later. */
    char buf[1024], path[32] = "/proc/self/stat";
    if (pid > 0)
        memcpy(path + 6 + ll_fmt_u64(path + 6, (uint64_t)pid), "/stat", 6);
    int saved = errno;
    size_t n = ll_proc_read(path, buf, sizeof buf);
    errno = saved;
    return ll_stat_start_time(buf, n);
}

/* This process's, read once per process: at initialisation (libleak.c) or
 * at the first call in a fork child.  A report made after the program shut
 * itself off from /proc (a seccomp filter, a chroot) still has it. */
uint64_t ll_start_time(void)
{
    static uint64_t start;
    static pid_t of;
    pid_t pid = (pid_t)syscall(SYS_getpid);
    if (of != pid || !start) {
        start = ll_start_time_of(0);
        of = pid;
    }
    return start;
}

/* The marker's first members: a file that starts with exactly these is
 * this process's own, written before an exec. */
static void ll_started_head(struct ll_out *o, pid_t pid, uint64_t start)
{
    ll_out_lit(o, "{\"libleak\": \"" LL_VERSION "\", \"pid\": ");
    ll_out_u64(o, (uint64_t)pid);
    ll_out_lit(o, ", \"start_time\": ");
    ll_out_u64(o, start);
    ll_out_lit(o, ", ");
}

/* The command line as a JSON array, from the n bytes of NUL-ended words in
 * cmd (room for LL_STARTED_CMD + 8), at most LL_STARTED_CMD bytes of it; a
 * cut one ends with "...". */
static void ll_started_words(struct ll_out *o, char *cmd, size_t n)
{
    if (n > LL_STARTED_CMD) {
        memcpy(cmd + LL_STARTED_CMD, "...", 4);
        n = LL_STARTED_CMD + 4;
    } else if (n == 0 || cmd[n - 1] != 0) {
        cmd[n++] = 0;
    }
    ll_out_lit(o, "\"command\": [");
    if (n == 1 && !cmd[0])
        n = 0;                          /* none at all */
    for (size_t i = 0; i < n; i += strlen(cmd + i) + 1) {
        ll_out_str(o, i ? ", " : "");
        ll_out_json_str(o, cmd + i);
    }
    ll_out_lit(o, "]}\n");
}

/* From /proc: ll_argv is not known yet when the first allocation (a
 * library constructor's) starts libleak. */
static void ll_started_command(struct ll_out *o)
{
    char cmd[LL_STARTED_CMD + 8];
    ll_started_words(o, cmd, ll_proc_read("/proc/self/cmdline", cmd, LL_STARTED_CMD + 1));
}

/* The same from an argument vector, as /proc would show it. */
static void ll_started_argv(struct ll_out *o, char *const argv[])
{
    char cmd[LL_STARTED_CMD + 8];
    size_t n = 0;
    for (size_t i = 0; argv && argv[i] && n <= LL_STARTED_CMD; i++) {
        size_t len = strlen(argv[i]) + 1;
        if (len > LL_STARTED_CMD + 1 - n)
            len = LL_STARTED_CMD + 1 - n;
        memcpy(cmd + n, argv[i], len);
        n += len;
    }
    ll_started_words(o, cmd, n);
}

/* PATH exists: if it is this process's marker from before an exec (it
 * starts with head, and is ours), an fd to rewrite it (with rewrite set)
 * or LL_STARTED_THERE (without); else -1. */
#define LL_STARTED_THERE (-2)

static int ll_started_reuse(const char *path, const char *head, size_t n, int rewrite)
{
    char was[128];
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (n <= sizeof was && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && pread(fd, was, n, 0) == (ssize_t)n &&
        memcmp(was, head, n) == 0) {
        if (!rewrite) {
            close(fd);
            return LL_STARTED_THERE;
        }
        if (ftruncate(fd, 0) == 0)
            return fd;
    }
    close(fd);
    return -1;
}

/* The marker's file for process pid, as output= names reports: with %p,
 * an existing file of another process (an earlier one with this pid) is
 * kept, and this one goes to PID.2, PID.3, ...; -1 (errno set) on
 * failure, LL_STARTED_THERE when the process has written its own
 * already (rewrite 0). */
static int ll_started_open(char *path, size_t cap, pid_t pid, const char *head, size_t n,
                           int rewrite)
{
    int per_pid = strstr(ll_opt.started, "%p") != NULL;
    for (unsigned k = 1; k <= 1000; k++) {
        ll_pid_path_of(path, cap, ll_opt.started, pid, k);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (per_pid ? O_EXCL : O_TRUNC),
                      0644);
        if (fd >= 0 || !per_pid || errno != EEXIST)
            return fd;
        if ((fd = ll_started_reuse(path, head, n, rewrite)) != -1)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Writes the marker made in o to its file (its head the first head bytes);
 * 1 if written. */
static int ll_started_write(struct ll_out *o, size_t head, pid_t pid, int rewrite,
                            char *path, size_t cap)
{
    int fd = ll_started_open(path, cap, pid, o->buf, head, rewrite);
    if (fd == LL_STARTED_THERE)
        return 0;
    if (fd < 0) {
        ll_msg("cannot create the start marker '%s' (%s)", path, strerror(errno));
        return 0;
    }
    o->fd = fd;
    ll_out_flush(o);
    close(fd);
    if (o->failed)
        ll_msg("cannot write the start marker '%s' (%s)", path, strerror(o->failed));
    return !o->failed;
}

/* This process's marker, for ll_started_unmark; "" if it has none (a fork
 * child's copy of its parent's name is replaced before the child writes). */
static char ll_started_file[LL_STARTED_PATH_MAX];

void ll_started_mark(void)
{
    ll_started_file[0] = 0;
    if (!ll_opt.started[0])
        return;
    /* Made in memory first (a writer on fd -1 only fills its buffer): the
     * head is compared with an existing file before one is opened. */
    static struct ll_out o;             /* at initialisation, or in a fork child: one thread */
    char path[LL_STARTED_PATH_MAX];
    int saved = errno, was = ll_cancel_off();
    ll_out_init(&o, -1);
    ll_started_head(&o, getpid(), ll_start_time());
    size_t head = o.len;
    ll_started_command(&o);
    if (ll_started_write(&o, head, getpid(), 1, path, sizeof path))
        memcpy(ll_started_file, path, sizeof ll_started_file);
    ll_cancel_restore(was);
    errno = saved;
}

/* Markers of other processes than this one need %p: one file for every
 * process is this process's own. */
static int ll_started_per_pid(void)
{
    return ll_opt.started[0] && strstr(ll_opt.started, "%p");
}

/* Process pid's marker, with argv as its command line.  A child that is
 * traced may have written its marker already (then it is left as it is),
 * or may rewrite this one as its own; either way one process, whose pid
 * and start time leakcheck counts once.  Gone already (reaped: SIGCHLD
 * ignored), it has no start time left to pair: no marker.  1 if a file was
 * written, its name in path. */
static int ll_started_mark_of(struct ll_out *o, pid_t pid, char *const argv[], char *path,
                              size_t cap)
{
    int was = ll_cancel_off(), made = 0;
    uint64_t start = ll_start_time_of(pid);
    if (start) {
        ll_out_init(o, -1);
        ll_started_head(o, pid, start);
        size_t head = o->len;
        ll_started_argv(o, argv);
        made = ll_started_write(o, head, pid, 0, path, cap);
    }
    ll_cancel_restore(was);
    return made;
}

void ll_started_mark_child(pid_t pid, char *const argv[])
{
    if (!ll_started_per_pid())
        return;
    struct ll_out *o = ll_mem_alloc(sizeof(*o));
    char path[LL_STARTED_PATH_MAX];
    if (o) {
        (void)ll_started_mark_of(o, pid, argv, path, sizeof path);
        ll_mem_free(o, sizeof(*o));
    }
}

/* The stack only, and system calls: a vfork child runs on its parent's
 * stack, and mem.c's state is its parent's. */
int ll_started_mark_exec(char *const argv[], char *path, size_t cap)
{
    if (!ll_started_per_pid())
        return 0;
    struct ll_out o;
    return ll_started_mark_of(&o, (pid_t)syscall(SYS_getpid), argv, path, cap);
}

void ll_started_fork_child(void)
{
    ll_started_file[0] = 0;             /* the parent's */
    /* forked after the report (from an atexit handler): it will write none */
    if (atomic_load(&ll_state) == LL_READY)
        ll_started_mark();
}

void ll_started_unmark(void)
{
    int saved = errno;
    if (ll_started_file[0])
        unlink(ll_started_file);
    ll_started_file[0] = 0;
    errno = saved;
}
