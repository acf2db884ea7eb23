/* out.c - a buffered writer that never allocates, and libleak's messages.
 *
 * Everything libleak prints goes through here: it may run inside malloc,
 * before stdio exists, or after the program closed its streams. */
#include "ll.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void ll_out_init(struct ll_out *o, int fd)
{
    o->fd = fd;
    o->failed = 0;
    o->plain = -1;
    o->len = 0;
}

/* Standard error is what the process was started with: fd 2 as it was
 * when libleak started, and a copy of it taken then (programs such as ls
 * and sort close stderr in an atexit handler, before the report is
 * written).  A program that closes its fds and opens files of its own in
 * their place (a daemon) may get fd 2 or the copy's number for one of them:
 * either is written to only while it is still the same open file, so a
 * program's own file never receives a report. */
static int ll_stderr_copy = -1;
static int ll_stderr_taken;     /* ll_out_keep_stderr ran: the two ids below are set */

struct ll_fd_id {
    int valid;                  /* fd was open then */
    dev_t dev, rdev;
    ino_t ino;
    mode_t type;
    int access;                 /* O_ACCMODE: F_SETFL cannot change it */
    int cloexec;                /* the copy has it, a program's open rarely */
};
static struct ll_fd_id ll_stderr_id, ll_fd2_id;     /* the copy's, fd 2's */

static int ll_fd_id(int fd, struct ll_fd_id *id)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
    if (fl < 0 || fdfl < 0 || fstat(fd, &st) != 0)
        return -1;
    *id = (struct ll_fd_id){ .valid = 1, .dev = st.st_dev, .rdev = st.st_rdev,
                             .ino = st.st_ino, .type = st.st_mode & S_IFMT,
                             .access = fl & O_ACCMODE, .cloexec = fdfl & FD_CLOEXEC };
    return 0;
}

void ll_out_keep_stderr(void)
{
    if (ll_stderr_taken)
        return;
    if (ll_fd_id(2, &ll_fd2_id) == 0) {
        int fd = fcntl(2, F_DUPFD_CLOEXEC, 64);
        if (fd >= 0 && ll_fd_id(fd, &ll_stderr_id) != 0) {
            close(fd);
            fd = -1;
        }
        ll_stderr_copy = fd;
    }
    ll_stderr_taken = 1;
}

/* fd is open and still the open file it was when *was was taken. */
static int ll_fd_same(int fd, const struct ll_fd_id *was)
{
    struct ll_fd_id now;
    return fd >= 0 && was->valid && ll_fd_id(fd, &now) == 0 &&
           now.dev == was->dev && now.rdev == was->rdev && now.ino == was->ino &&
           now.type == was->type && now.access == was->access &&
           now.cloexec == was->cloexec;
}

static int ll_stderr_copy_intact(void)
{
    return ll_fd_same(ll_stderr_copy, &ll_stderr_id);
}

/* Where "stderr" is written now: fd 2 while it is the stderr the process
 * started with (or before start-up, when nothing could have changed it yet),
 * else the copy while intact, else -1: the output is lost. */
static int ll_stderr_fd(void)
{
    if (!ll_stderr_taken || ll_fd_same(2, &ll_fd2_id))
        return 2;
    return ll_stderr_copy_intact() ? ll_stderr_copy : -1;
}

/* A descriptor the program made non-blocking (an event loop's stderr, a
 * pipe shared with it) takes what its pipe holds and then fails with
 * EAGAIN: the rest of the report was lost, with no word, when the reader
 * was slower than the writer.  Wait for room, as a blocking write would;
 * LL_WRITE_WAIT_MS with no room at all is a reader that is gone for good. */
#define LL_WRITE_WAIT_MS 30000

static int ll_write_room(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int r;
    while ((r = poll(&p, 1, LL_WRITE_WAIT_MS)) < 0 && errno == EINTR)
        ;
    return r > 0;
}

/* Write all of s to *fd; 0, or the errno of the failure.  *fd becomes the
 * copy of stderr when the program closes fd 2 while we write. */
static int ll_write_loop(int *fd, const char *s, size_t n)
{
    int was = ll_cancel_off(), err = 0;
    while (n && !err) {
        ssize_t w = write(*fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && ll_write_room(*fd))
            continue;
        if (w < 0 && errno == EBADF && *fd == 2 && ll_stderr_copy_intact()) {
            *fd = ll_stderr_copy;       /* the program closed its stderr */
            continue;
        }
        if (w <= 0) {
            err = w < 0 ? errno : EIO;
            break;
        }
        s += w;
        n -= (size_t)w;
    }
    ll_cancel_restore(was);
    return err;
}

/* A write to a pipe nobody reads raises SIGPIPE, which would kill a program
 * that lives natively (`prog 2>&1 | head -1`): a report nobody can read is
 * lost, and the program ends as it would have.  SIGPIPE is blocked for this
 * thread while we write; the one our write raised is taken back before the
 * mask is restored, unless one was already pending (the program's own). */
static int ll_write_nopipe(int *fd, const char *s, size_t n)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    int failed = ll_write_loop(fd, s, n);
    if (failed == EPIPE && !sigismember(&pending, SIGPIPE)) {
        static const struct timespec now = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return failed;
}

/* Only a pipe or a socket raises SIGPIPE: a report written to a file (a
 * 335 MB one flushes 40,000 times) skips the three system calls of the
 * guard.  fd 2 is always guarded: it may turn into the copy of stderr. */
static int ll_plain_file(int fd)
{
    struct stat st;
    return fd != 2 && fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
}

/* A writer made on fd -1 only fills its buffer: text past it fails, so that
 * its user sees the loss (report.c's ll_json_pc writes such text directly). */
int ll_out_where(struct ll_out *o)
{
    if (o->plain < 0 && !o->failed) {   /* not decided yet */
        if (o->fd < 0 || (o->fd == 2 && (o->fd = ll_stderr_fd()) < 0))
            o->failed = EBADF;
        else
            o->plain = ll_plain_file(o->fd);
    }
    return o->failed ? -1 : o->fd;
}

static void ll_write_all(struct ll_out *o, const char *s, size_t n)
{
    if (!n || ll_out_where(o) < 0)
        return;
    o->failed = o->plain ? ll_write_loop(&o->fd, s, n) : ll_write_nopipe(&o->fd, s, n);
}

void ll_out_direct(int fd, const char *s, size_t n)
{
    if (fd == 2 && (fd = ll_stderr_fd()) < 0)
        return;
    (void)ll_write_nopipe(&fd, s, n);
}

void ll_out_flush(struct ll_out *o)
{
    ll_write_all(o, o->buf, o->len);
    o->len = 0;
}

void ll_out_mem(struct ll_out *o, const char *s, size_t n)
{
    if (n > sizeof(o->buf) - o->len) {
        ll_out_flush(o);
        if (n > sizeof(o->buf)) {
            ll_write_all(o, s, n);
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void ll_out_str(struct ll_out *o, const char *s)
{
    ll_out_mem(o, s ? s : "(null)", strlen(s ? s : "(null)"));
}

size_t ll_fmt_u64(char *buf, uint64_t v)
{
    char b[20], *p = b + sizeof(b);
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    size_t n = (size_t)(b + sizeof(b) - p);
    memcpy(buf, p, n);
    return n;
}

void ll_out_u64(struct ll_out *o, uint64_t v)
{
    char b[20];
    ll_out_mem(o, b, ll_fmt_u64(b, v));
}

/* ":42" after a file name; nothing when the line is not known (0): a
 * compiler's own function, clang's static initialiser, has a file and no
 * line, and "file:0" read as a line. */
void ll_out_line_no(struct ll_out *o, int line)
{
    if (line > 0) {
        ll_out_mem(o, ":", 1);
        ll_out_u64(o, (uint64_t)line);
    }
}

void ll_out_i64(struct ll_out *o, int64_t v)
{
    if (v < 0) {
        ll_out_mem(o, "-", 1);
        ll_out_u64(o, -(uint64_t)v);
    } else {
        ll_out_u64(o, (uint64_t)v);
    }
}

void ll_out_hex(struct ll_out *o, uint64_t v)
{
    char b[20], *p = b + sizeof(b);
    do
        *--p = "0123456789abcdef"[v & 15];
    while (v >>= 4);
    *--p = 'x';
    *--p = '0';
    ll_out_mem(o, p, (size_t)(b + sizeof(b) - p));
}

/* 1234567 -> "1,234,567": figures a person reads at a glance. */
void ll_out_bytes_human(struct ll_out *o, uint64_t v)
{
    char b[32], *p = b + sizeof(b);
    int digits = 0;
    do {
        if (digits && digits % 3 == 0)
            *--p = ',';
        *--p = (char)('0' + v % 10);
        digits++;
    } while (v /= 10);
    ll_out_mem(o, p, (size_t)(b + sizeof(b) - p));
}

/* Bytes a JSON string holds as they are: printable ASCII but '"' and '\\'. */
static const unsigned char ll_json_plain[256] = {
    [0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,   /* '"' 0x22, '\\' 0x5c */
};

/* JSON string: quotes, backslashes and control bytes escaped; invalid UTF-8
 * becomes U+FFFD, so the document stays valid whatever a name holds. */

void ll_out_json_str(struct ll_out *o, const char *str)
{
    if (!str) {
        ll_out_mem(o, "null", 4);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    ll_out_mem(o, "\"", 1);
    while (*s) {
        const unsigned char *run = s;   /* printable ASCII goes out in runs */
        while (ll_json_plain[*s])
            s++;
        if (s > run)
            ll_out_mem(o, (const char *)run, (size_t)(s - run));
        unsigned c = *s;
        if (!c)
            break;
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            ll_out_mem(o, e, 2);
            s++;
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = { '\\', 'u', '0', '0', "0123456789abcdef"[c >> 4],
                          "0123456789abcdef"[c & 15] };
            ll_out_mem(o, e, 6);
            s++;
        } else {
            size_t n = ll_utf8_len(s);
            if (n) {
                ll_out_mem(o, (const char *)s, n);
                s += n;
            } else {
                ll_out_mem(o, "\xef\xbf\xbd", 3);
                s++;
            }
        }
    }
    ll_out_mem(o, "\"", 1);
}

void ll_msg(const char *fmt, ...)
{
    struct ll_out o;
    int saved = errno;
    ll_out_init(&o, 2);
    ll_out_str(&o, "libleak: ");
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            ll_out_mem(&o, f, 1);
            continue;
        }
        const char *start = f;
        int lng = 0;
        while (f[1] == 'l' || f[1] == 'z')
            f++, lng++;
        switch (*++f) {
        case 's': ll_out_str(&o, va_arg(ap, const char *)); break;
        case 'd':
            ll_out_i64(&o, lng ? va_arg(ap, long) : va_arg(ap, int));
            break;
        case 'u':
            ll_out_u64(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned));
            break;
        case 'x':
            ll_out_hex(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned));
            break;
        case 'p': ll_out_hex(&o, (uintptr_t)va_arg(ap, void *)); break;
        case '%': ll_out_mem(&o, "%", 1); break;
        default:                        /* unknown: print it verbatim */
            ll_out_mem(&o, start, (size_t)(f - start) + (*f != 0));
            if (!*f)
                f--;
            break;
        }
    }
    va_end(ap);
    ll_out_mem(&o, "\n", 1);
    ll_out_flush(&o);
    errno = saved;
}
