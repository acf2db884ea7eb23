/* test_out.c - the non-allocating writer and ll_msg (src/out.c).
 *
 * Output goes to a memfd and is read back, so the exact bytes are compared;
 * ll_msg is checked by pointing fd 2 at a memfd for the call. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ll.h"

static struct ll_out O;
static char got[1 << 17];       /* what the memfd received */

static void open_out(void)
{
    int fd = memfd_create("out", 0);
    cr_assert(fd >= 0);
    ll_out_init(&O, fd);
}

/* Flush, read back everything written so far, close. */
static const char *take(void)
{
    ll_out_flush(&O);
    cr_assert_eq(O.failed, 0, "write failed: %s", strerror(O.failed));
    ssize_t n = pread(O.fd, got, sizeof got - 1, 0);
    cr_assert(n >= 0);
    got[n] = 0;
    close(O.fd);
    return got;
}

#define EXPECT_OUT(call, want) do {                                           \
        open_out();                                                           \
        call;                                                                 \
        cr_expect_str_eq(take(), want, "%s", #call);                          \
    } while (0)

/* ---- numbers ---------------------------------------------------------------- */
Test(out, u64)
{
    EXPECT_OUT(ll_out_u64(&O, 0), "0");
    EXPECT_OUT(ll_out_u64(&O, 1), "1");
    EXPECT_OUT(ll_out_u64(&O, 999), "999");
    EXPECT_OUT(ll_out_u64(&O, 1000), "1000");
    EXPECT_OUT(ll_out_u64(&O, 1234567), "1234567");
    EXPECT_OUT(ll_out_u64(&O, UINT64_MAX), "18446744073709551615");
}

Test(out, line_no)
{
    EXPECT_OUT(ll_out_line_no(&O, 42), ":42");
    EXPECT_OUT(ll_out_line_no(&O, 1), ":1");
    EXPECT_OUT(ll_out_line_no(&O, 0), "");
    EXPECT_OUT(ll_out_line_no(&O, -1), "");
}

Test(out, i64)
{
    EXPECT_OUT(ll_out_i64(&O, 0), "0");
    EXPECT_OUT(ll_out_i64(&O, 42), "42");
    EXPECT_OUT(ll_out_i64(&O, -1), "-1");
    EXPECT_OUT(ll_out_i64(&O, -1234567), "-1234567");
    EXPECT_OUT(ll_out_i64(&O, INT64_MAX), "9223372036854775807");
    EXPECT_OUT(ll_out_i64(&O, INT64_MIN), "-9223372036854775808");
}

Test(out, hex)
{
    EXPECT_OUT(ll_out_hex(&O, 0), "0x0");
    EXPECT_OUT(ll_out_hex(&O, 1), "0x1");
    EXPECT_OUT(ll_out_hex(&O, 0xdeadbeef), "0xdeadbeef");
    EXPECT_OUT(ll_out_hex(&O, 0x7ffc0010), "0x7ffc0010");
    EXPECT_OUT(ll_out_hex(&O, UINT64_MAX), "0xffffffffffffffff");
}

Test(out, bytes_human)
{
    EXPECT_OUT(ll_out_bytes_human(&O, 0), "0");
    EXPECT_OUT(ll_out_bytes_human(&O, 1), "1");
    EXPECT_OUT(ll_out_bytes_human(&O, 999), "999");
    EXPECT_OUT(ll_out_bytes_human(&O, 1000), "1,000");
    EXPECT_OUT(ll_out_bytes_human(&O, 100000), "100,000");
    EXPECT_OUT(ll_out_bytes_human(&O, 1234567), "1,234,567");
    EXPECT_OUT(ll_out_bytes_human(&O, UINT64_MAX), "18,446,744,073,709,551,615");
}

Test(out, str_and_null)
{
    EXPECT_OUT(ll_out_str(&O, "abc"), "abc");
    EXPECT_OUT(ll_out_str(&O, ""), "");
    EXPECT_OUT(ll_out_str(&O, NULL), "(null)");
    EXPECT_OUT(ll_out_mem(&O, "a\0b", 3), "a");   /* bytes, not a C string */
    open_out();
    ll_out_mem(&O, "a\0b", 3);
    ll_out_flush(&O);
    cr_expect_eq(lseek(O.fd, 0, SEEK_END), 3);
    close(O.fd);
}

/* ---- buffering ------------------------------------------------------------------ */
static char expect_buf[1 << 17];

Test(out, many_small_writes_cross_the_buffer)
{
    open_out();
    size_t k = 0;
    for (int i = 0; i < 10000; i++) {      /* ~49 KB: six buffers */
        char w[16];
        int n = snprintf(w, sizeof w, "%d,", i);
        ll_out_mem(&O, w, (size_t)n);
        memcpy(expect_buf + k, w, (size_t)n);
        k += (size_t)n;
    }
    expect_buf[k] = 0;
    cr_assert_gt(k, 4 * sizeof O.buf, "only %zu bytes", k);
    const char *s = take();
    cr_expect_eq(strlen(s), k);
    cr_expect(strcmp(s, expect_buf) == 0, "contents differ");
}

Test(out, nothing_written_before_flush)
{
    open_out();
    ll_out_str(&O, "pending");
    cr_expect_eq(lseek(O.fd, 0, SEEK_END), 0, "written before the buffer filled");
    cr_expect_eq(O.len, 7);
    cr_expect_str_eq(take(), "pending");
}

/* Big chunks bypass the buffer; order must be kept around them. */
static void chunk_order(size_t big)
{
    static char chunk[20000];
    memset(chunk, 'B', big);
    open_out();
    ll_out_str(&O, "head-");
    ll_out_mem(&O, chunk, big);
    ll_out_str(&O, "-tail");
    const char *s = take();
    cr_assert_eq(strlen(s), big + 10, "chunk of %zu: %zu bytes out", big, strlen(s));
    cr_expect(strncmp(s, "head-", 5) == 0);
    cr_expect(strspn(s + 5, "B") == big, "chunk of %zu not contiguous", big);
    cr_expect_str_eq(s + 5 + big, "-tail");
}

Test(out, big_chunks_keep_order)
{
    chunk_order(sizeof O.buf - 1);
    chunk_order(sizeof O.buf);
    chunk_order(sizeof O.buf + 1);
    chunk_order(20000);
}

Test(out, exactly_full_buffer)
{
    static char chunk[8192];
    memset(chunk, 'x', sizeof chunk);
    open_out();
    ll_out_mem(&O, chunk, sizeof chunk);
    cr_expect_eq(O.len, sizeof O.buf);
    ll_out_mem(&O, "y", 1);
    const char *s = take();
    cr_expect_eq(strlen(s), 8193);
    cr_expect_eq(s[8192], 'y');
}

/* ---- write failures ------------------------------------------------------------------ */
Test(out, closed_fd_sets_failed)
{
    int fd = memfd_create("out", 0);
    close(fd);
    ll_out_init(&O, fd);
    ll_out_str(&O, "lost");
    cr_expect_eq(O.failed, 0, "failed before any write");
    ll_out_flush(&O);
    cr_expect_eq(O.failed, EBADF, "failed = %d (%s)", O.failed, strerror(O.failed));
    ll_out_str(&O, "more");              /* later output is dropped quietly */
    ll_out_flush(&O);
    cr_expect_eq(O.failed, EBADF);
    cr_expect_eq(O.len, 0);
}

/* A writer on fd -1 only fills its buffer: text past it is lost, and says
 * so (report.c then writes that text directly; it was dropped silently, and
 * a JSON frame longer than the buffer lost its beginning). */
Test(out, buffer_only_writer_fails_past_its_buffer)
{
    static char big[sizeof O.buf + 100];
    memset(big, 'x', sizeof big - 1);
    ll_out_init(&O, -1);
    ll_out_str(&O, "short");
    cr_expect_eq(O.failed, 0, "failed before the buffer is full");
    ll_out_str(&O, big);
    cr_expect_eq(O.failed, EBADF, "failed = %d", O.failed);
}

Test(out, dev_full_sets_failed)
{
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        cr_skip_test("no /dev/full");
    static char chunk[10000];
    memset(chunk, 'z', sizeof chunk);
    ll_out_init(&O, fd);
    ll_out_mem(&O, chunk, sizeof chunk);   /* the direct path fails at once */
    cr_expect_eq(O.failed, ENOSPC, "failed = %d (%s)", O.failed, strerror(O.failed));
    ll_out_init(&O, fd);
    ll_out_str(&O, "x");
    ll_out_flush(&O);                      /* the buffered path too */
    cr_expect_eq(O.failed, ENOSPC, "failed = %d (%s)", O.failed, strerror(O.failed));
    close(fd);
}

/* A pipe whose reader is gone: the write fails with EPIPE and raises
 * SIGPIPE, which libleak must neither let through nor leave pending. */
static int broken_pipe(void)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    close(p[0]);
    return p[1];
}

static int sigpipe_pending(void)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, SIGPIPE);
}

static void block_sigpipe(int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(how, &s, NULL);
}

Test(out, broken_pipe_fails_without_sigpipe)
{
    signal(SIGPIPE, SIG_DFL);           /* a SIGPIPE would end the test */
    ll_out_init(&O, broken_pipe());
    ll_out_str(&O, "lost");
    ll_out_flush(&O);
    cr_expect_eq(O.failed, EPIPE, "failed = %d (%s)", O.failed, strerror(O.failed));
    sigset_t m;
    sigprocmask(SIG_SETMASK, NULL, &m);
    cr_expect(!sigismember(&m, SIGPIPE), "SIGPIPE left blocked");
    ll_out_direct(O.fd, "x", 1);        /* the unbuffered writer too */
    close(O.fd);
}

Test(out, broken_pipe_leaves_no_sigpipe_pending)
{
    block_sigpipe(SIG_BLOCK);           /* the program blocks it itself */
    ll_out_init(&O, broken_pipe());
    ll_out_str(&O, "lost");
    ll_out_flush(&O);
    cr_expect_eq(O.failed, EPIPE);
    cr_expect(!sigpipe_pending(), "our SIGPIPE left pending for the program");
    close(O.fd);
}

Test(out, broken_pipe_keeps_the_programs_pending_sigpipe)
{
    block_sigpipe(SIG_BLOCK);
    raise(SIGPIPE);                     /* the program's own, still to come */
    ll_out_init(&O, broken_pipe());
    ll_out_str(&O, "lost");
    ll_out_flush(&O);
    cr_expect_eq(O.failed, EPIPE);
    cr_expect(sigpipe_pending(), "the program's pending SIGPIPE was taken");
    close(O.fd);
}

/* ---- the copy of stderr ---------------------------------------------------------- */
static void msg_copy(void) { ll_msg("via the copy"); }

/* Each test runs in its own process, so the copy is taken here, from fd 2
 * pointed at a memfd (returned); *copy is the fd libleak keeps. */
static int keep_stderr_on(int *copy)
{
    int fd = memfd_create("stderr", 0), saved = dup(2);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    ll_out_keep_stderr();
    dup2(saved, 2);
    close(saved);
    struct stat want, st;
    cr_assert_eq(fstat(fd, &want), 0);
    for (*copy = 64; *copy < 1024; (*copy)++)
        if (fstat(*copy, &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
            return fd;
    cr_assert_fail("no copy of stderr at fd >= 64");
    return -1;
}

/* ll_msg with fd 2 closed. */
static void closed_stderr_msg(void)
{
    int saved = dup(2);
    close(2);
    msg_copy();
    dup2(saved, 2);
    close(saved);
}

Test(out, closed_stderr_goes_to_the_copy)
{
    int copy, fd = keep_stderr_on(&copy);
    closed_stderr_msg();
    ssize_t n = pread(fd, got, sizeof got - 1, 0);
    got[n > 0 ? n : 0] = 0;
    cr_expect_str_eq(got, "libleak: via the copy\n");
    close(fd);
}

Test(out, copy_replaced_by_another_file_is_not_written)
{
    int copy, fd = keep_stderr_on(&copy);
    int other = memfd_create("program's file", 0);
    cr_assert(other >= 0);
    /* The program closed the copy and its next open got the fd (close-on-exec
     * like ours: only the file tells them apart). */
    cr_assert_eq(dup3(other, copy, O_CLOEXEC), copy);
    closed_stderr_msg();
    ssize_t n = pread(other, got, sizeof got - 1, 0);
    cr_expect_eq(n, 0, "the program's file received %zd bytes", n);
    close(other);
    close(fd);
}

/* ---- JSON strings ------------------------------------------------------------------ */
#define FFFD "\xef\xbf\xbd"

/* Strict UTF-8 check (no overlongs, surrogates or > U+10FFFF). */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2
                            : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
        if (!n) return 0;
        for (unsigned i = 1; i < n; i++)
            if ((s[i] & 0xc0) != 0x80) return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
            (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
            return 0;
        s += n;
    }
    return 1;
}

static const char *json(const char *s)
{
    open_out();
    ll_out_json_str(&O, s);
    return take();
}

#define EXPECT_JSON(in, want) cr_expect_str_eq(json(in), want, "for %s", #in)

Test(out, json_plain_and_null)
{
    EXPECT_JSON("", "\"\"");
    EXPECT_JSON("main", "\"main\"");
    EXPECT_JSON("a b/c:d", "\"a b/c:d\"");
    open_out();
    ll_out_json_str(&O, NULL);
    cr_expect_str_eq(take(), "null");
}

Test(out, json_escapes)
{
    EXPECT_JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
    EXPECT_JSON("C:\\dir\\", "\"C:\\\\dir\\\\\"");
    EXPECT_JSON("a\nb", "\"a\\u000ab\"");
    EXPECT_JSON("\t\r", "\"\\u0009\\u000d\"");
    EXPECT_JSON("\x01", "\"\\u0001\"");
    EXPECT_JSON("\x1f", "\"\\u001f\"");
    EXPECT_JSON("\x7f", "\"\\u007f\"");
    EXPECT_JSON("/", "\"/\"");
}

Test(out, json_valid_utf8_kept)
{
    EXPECT_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");                 /* é */
    EXPECT_JSON("\xc2\x80", "\"\xc2\x80\"");                       /* U+0080 */
    EXPECT_JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"");               /* € */
    EXPECT_JSON("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");               /* U+FFFF */
    EXPECT_JSON("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");       /* 😀 */
    EXPECT_JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
    EXPECT_JSON("std::vector<\xe6\x97\xa5>", "\"std::vector<\xe6\x97\xa5>\"");
}

Test(out, json_invalid_utf8_replaced)
{
    EXPECT_JSON("\xff", "\"" FFFD "\"");
    EXPECT_JSON("a\xfe" "b", "\"a" FFFD "b\"");
    EXPECT_JSON("\x80", "\"" FFFD "\"");                /* lone continuation */
    EXPECT_JSON("\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
    /* overlong NUL, surrogate D800, above U+10FFFF: no byte survives */
    EXPECT_JSON("\xc0\x80", "\"" FFFD FFFD "\"");
    EXPECT_JSON("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
    EXPECT_JSON("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
    EXPECT_JSON("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
}

/* A truncated sequence: how many U+FFFD it becomes is a policy; the output
 * must be valid, keep what follows and drop the broken bytes. */
Test(out, json_truncated_sequences)
{
    const char *cases[] = { "\xe2\x82", "\xe2\x82" "A", "\xf0\x9f\x98" "A", "\xc3",
                            "x\xe2" "A\xc3\xa9" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = json(cases[i]);
        size_t n = strlen(s);
        cr_expect(valid_utf8((const unsigned char *)s), "case %zu: invalid UTF-8 out", i);
        cr_expect(strncmp(s, "\"" FFFD, 4) == 0 || strncmp(s, "\"x" FFFD, 5) == 0,
                  "case %zu: no U+FFFD in place", i);
        cr_expect(n >= 2 && s[n - 1] == '"', "case %zu: not quoted", i);
    }
    cr_expect(strstr(json("\xe2\x82" "A"), FFFD "A\"") != NULL, "ASCII after it lost");
    cr_expect(strstr(json("x\xe2" "A\xc3\xa9"), FFFD "A\xc3\xa9\"") != NULL,
              "valid character after it lost");
}

Test(out, json_long_string_crosses_buffer)
{
    static char in[30000];
    memset(in, 'q', sizeof in - 1);
    in[100] = '"';
    in[20000] = '\n';
    const char *s = json(in);
    cr_expect_eq(strlen(s), sizeof in - 1 + 2 + 1 + 5);
    cr_expect(strncmp(s + 101, "\\\"", 2) == 0);
    cr_expect(strncmp(s + 20002, "\\u000a", 6) == 0);
}

/* ---- ll_msg ---------------------------------------------------------------------- */
static const char *msg_out(void (*fn)(void))
{
    int fd = memfd_create("stderr", 0), saved = dup(2);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    errno = 1234;
    fn();
    int e = errno;
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, got, sizeof got - 1, 0);
    close(fd);
    got[n > 0 ? n : 0] = 0;
    cr_expect_eq(e, 1234, "ll_msg changed errno to %d", e);
    return got;
}

static void msg_plain(void) { ll_msg("hello"); }
static void msg_conv(void)
{
    ll_msg("s=%s d=%d u=%u zu=%zu p=%p pct=%%", "str", -5, 7u, (size_t)123,
           (void *)0x1f);
}
static void msg_limits(void)
{
    ll_msg("%d %u %ld %lu %llu %x %lx", INT_MIN, UINT_MAX, LONG_MIN, ULONG_MAX,
           (unsigned long long)UINT64_MAX, 0xabcu, 0x1234567890ul);
}
static const char *volatile null_str;   /* NULL, hidden from -Wformat */
static void msg_null(void) { ll_msg("[%s] [%p]", null_str, (void *)NULL); }
static void msg_long(void)
{
    static char big[20000];
    memset(big, 'm', sizeof big - 1);
    ll_msg("<%s>", big);
}

Test(out, msg_prefix_and_newline)
{
    cr_expect_str_eq(msg_out(msg_plain), "libleak: hello\n");
}

Test(out, msg_conversions)
{
    cr_expect_str_eq(msg_out(msg_conv),
                     "libleak: s=str d=-5 u=7 zu=123 p=0x1f pct=%\n");
    cr_expect_str_eq(msg_out(msg_limits),
                     "libleak: -2147483648 4294967295 -9223372036854775808 "
                     "18446744073709551615 18446744073709551615 0xabc 0x1234567890\n");
    cr_expect_str_eq(msg_out(msg_null), "libleak: [(null)] [0x0]\n");
}

Test(out, msg_longer_than_buffer)
{
    const char *s = msg_out(msg_long);
    size_t n = strlen(s);
    cr_expect_eq(n, 9 + 1 + 19999 + 1 + 1, "%zu bytes", n);
    cr_expect(strncmp(s, "libleak: <m", 11) == 0);
    cr_expect_str_eq(s + n - 3, "m>\n");
}

/* Unknown conversions: the comment promises "print the rest verbatim".
 * Called through a pointer so the compiler does not check the format. */
static void (*msg_unchecked)(const char *, ...) = ll_msg;
static void msg_unknown(void) { msg_unchecked("a%cb %q 100%"); }

Test(out, msg_unknown_conversion_verbatim)
{
    cr_expect_str_eq(msg_out(msg_unknown), "libleak: a%cb %q 100%\n");
}
