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
 * parent's state, already initialised: they write none before their exec.
 * A handful of system calls, nothing allocated. */
#include "ll.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0;
    if (fd < 0)
        return 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    return n;
}

uint64_t ll_start_time(void)
{
    /* /proc/self, not /proc/thread-self: the report may be written on
     * another thread than the main one, whose own start time is later. */
    char buf[1024];
    int saved = errno;
    size_t n = ll_proc_read("/proc/self/stat", buf, sizeof buf);
    errno = saved;
    return ll_stat_start_time(buf, n);
}

/* The marker's first members: a file that starts with exactly these is
 * this process's own, written before an exec. */
static void ll_started_head(struct ll_out *o, uint64_t start)
{
    ll_out_lit(o, "{\"libleak\": \"" LL_VERSION "\", \"pid\": ");
    ll_out_u64(o, (uint64_t)getpid());
    ll_out_lit(o, ", \"start_time\": ");
    ll_out_u64(o, start);
    ll_out_lit(o, ", ");
}

/* The command line as a JSON array, at most LL_STARTED_CMD bytes of it;
 * a cut one ends with "...".  From /proc: ll_argv is not known yet when
 * the first allocation (a library constructor's) starts libleak. */
static void ll_started_command(struct ll_out *o)
{
    char cmd[LL_STARTED_CMD + 8];
    size_t n = ll_proc_read("/proc/self/cmdline", cmd, LL_STARTED_CMD + 1);
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

/* PATH exists: if it is this process's marker from before an exec (it
 * starts with head, and is ours), an fd to rewrite it; else -1. */
static int ll_started_reuse(const char *path, const char *head, size_t n)
{
    char was[128];
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (n <= sizeof was && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && pread(fd, was, n, 0) == (ssize_t)n &&
        memcmp(was, head, n) == 0 && ftruncate(fd, 0) == 0)
        return fd;
    close(fd);
    return -1;
}

/* The marker's file, as output= names reports: with %p, an existing file
 * of another process (an earlier one with this pid) is kept, and this one
 * goes to PID.2, PID.3, ...; -1 (errno set) on failure. */
static int ll_started_open(char *path, size_t cap, const char *head, size_t n)
{
    int per_pid = strstr(ll_opt.started, "%p") != NULL;
    for (unsigned k = 1; k <= 1000; k++) {
        ll_pid_path(path, cap, ll_opt.started, k);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (per_pid ? O_EXCL : O_TRUNC),
                      0644);
        if (fd >= 0 || !per_pid || errno != EEXIST)
            return fd;
        if ((fd = ll_started_reuse(path, head, n)) >= 0)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* This process's marker, for ll_started_unmark; "" if it has none (a fork
 * child's copy of its parent's name is replaced before the child writes). */
static char ll_started_file[sizeof(ll_opt.started) + 32];

void ll_started_mark(void)
{
    ll_started_file[0] = 0;
    if (!ll_opt.started[0])
        return;
    /* Made in memory first (a writer on fd -1 only fills its buffer): the
     * head is compared with an existing file before one is opened. */
    static struct ll_out o;             /* at initialisation, or in a fork child: one thread */
    char path[sizeof(ll_opt.started) + 32];
    int saved = errno;
    ll_out_init(&o, -1);
    ll_started_head(&o, ll_start_time());
    size_t head = o.len;
    ll_started_command(&o);
    int fd = ll_started_open(path, sizeof path, o.buf, head);
    if (fd < 0) {
        ll_msg("cannot create the start marker '%s' (%s)", path, strerror(errno));
    } else {
        o.fd = fd;
        ll_out_flush(&o);
        if (o.failed)
            ll_msg("cannot write the start marker '%s' (%s)", path, strerror(o.failed));
        else
            memcpy(ll_started_file, path, sizeof ll_started_file);
        close(fd);
    }
    errno = saved;
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
