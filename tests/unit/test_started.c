/* test_started.c - started=PATH (src/started.c): the start time read from
 * /proc/self/stat, the marker written at initialisation, and the one a
 * parent writes for the child it spawned. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ll.h"

#define STAT_TAIL " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 20 21\n"

static uint64_t start_of(const char *line)
{
    return ll_stat_start_time(line, strlen(line));
}

Test(started, field_22_of_a_stat_line)
{
    cr_expect_eq(start_of("1234 (sh)" STAT_TAIL), 424242);
    /* comm may hold blanks and parentheses: fields count after the last ')' */
    cr_expect_eq(start_of("1234 (a) b (c d)" STAT_TAIL), 424242);
    cr_expect_eq(start_of("1234 ())" STAT_TAIL), 424242);
}

Test(started, malformed_stat_lines_give_0)
{
    cr_expect_eq(start_of(""), 0);
    cr_expect_eq(start_of("1234 sh S 1 2 3"), 0, "no comm");
    cr_expect_eq(start_of("1234 (sh) S 1 2 3\n"), 0, "too few fields");
    cr_expect_eq(start_of("1234 (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x 20\n"), 0,
                 "not a number");
    cr_expect_eq(ll_stat_start_time("1234 (sh)" STAT_TAIL, 50), 0, "cut short");
}

/* The process's own, as ps reads it: not its thread's. */
Test(started, start_time_is_the_process_s)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    unsigned long long want = 0;
    cr_assert_eq(sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                        "%*s %*s %*s %*s %llu", &want), 1);
    cr_expect_eq(ll_start_time(), want, "ll_start_time %llu, /proc says %llu",
                 (unsigned long long)ll_start_time(), want);
    cr_expect_gt(want, 0);
}

static char dir[64];

/* argv[0] as /proc has it (Criterion's workers rename themselves). */
static const char *argv0(void)
{
    static char buf[256];
    FILE *f = fopen("/proc/self/cmdline", "r");
    cr_assert_not_null(f);
    buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
    fclose(f);
    return buf;
}

static void mkdir_tmp(void)
{
    strcpy(dir, "/tmp/ll-started-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    rmdir(dir);
}

static char *slurp(const char *name)
{
    static char buf[8192];
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void mark_into(const char *pattern)
{
    char opts[256];
    snprintf(opts, sizeof opts, "started=%s/%s", dir, pattern);
    cr_assert_eq(ll_opt_parse(opts), 0);
    ll_started_mark();
}

Test(started, marker_holds_pid_start_time_and_command, .init = mkdir_tmp, .fini = rm_dir)
{
    mark_into("%p.start");
    char name[64], want[128];
    snprintf(name, sizeof name, "%ld.start", (long)getpid());
    const char *m = slurp(name);
    cr_assert_not_null(m, "no %s/%s", dir, name);
    snprintf(want, sizeof want, "{\"libleak\": \"" LL_VERSION "\", \"pid\": %ld, "
             "\"start_time\": %llu, \"command\": [\"", (long)getpid(),
             (unsigned long long)ll_start_time());
    cr_expect(strncmp(m, want, strlen(want)) == 0, "marker:\n%s\nwant it to start:\n%s", m, want);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "\"command\": [\"%s\"", argv0());
    cr_expect(strstr(m, cmd) != NULL, "%s in the marker:\n%s", cmd, m);
    cr_expect(strcmp(m + strlen(m) - 3, "]}\n") == 0, "one line of JSON:\n%s", m);
}

/* An exec keeps the pid and the start time: the new program's libleak
 * rewrites the marker (one file per process, its latest command). */
Test(started, same_process_rewrites_its_marker, .init = mkdir_tmp, .fini = rm_dir)
{
    char name[64];
    snprintf(name, sizeof name, "%ld.start", (long)getpid());
    mark_into("%p.start");
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "a");          /* longer than the marker: truncated */
    fputs("                                                                      \n", f);
    fclose(f);
    mark_into("%p.start");
    cr_expect_eq(entries(), 1, "one marker in %s", dir);
    const char *m = slurp(name);
    cr_expect(strcmp(m + strlen(m) - 3, "]}\n") == 0, "rewritten whole:\n%s", m);
}

/* A marker of an earlier process with this pid (another start time) is
 * kept; this one goes to PID.2, as output= does for reports. */
Test(started, earlier_process_with_the_pid_keeps_its_marker, .init = mkdir_tmp,
     .fini = rm_dir)
{
    char path[128], earlier[128];
    snprintf(path, sizeof path, "%s/%ld.start", dir, (long)getpid());
    snprintf(earlier, sizeof earlier, "{\"libleak\": \"" LL_VERSION "\", \"pid\": %ld, "
             "\"start_time\": 1, \"command\": [\"old\"]}\n", (long)getpid());
    FILE *f = fopen(path, "w");
    fputs(earlier, f);
    fclose(f);
    mark_into("%p.start");
    char name[64];
    snprintf(name, sizeof name, "%ld.start", (long)getpid());
    cr_expect_str_eq(slurp(name), earlier, "the earlier marker is kept");
    snprintf(name, sizeof name, "%ld.2.start", (long)getpid());
    const char *m = slurp(name);
    cr_assert_not_null(m, "no %s/%s", dir, name);
    cr_expect(strstr(m, argv0()) != NULL, "ours in PID.2:\n%s", m);
}

Test(started, unset_writes_nothing, .init = mkdir_tmp, .fini = rm_dir)
{
    cr_assert_eq(ll_opt_parse("format=json"), 0);
    ll_started_mark();
    cr_expect_eq(entries(), 0);
}

/* A child the parent marks (posix_spawn's, spawn.c): its pid, its start
 * time as /proc has it, the argument vector it was given, cut as a
 * command line is.  Here the child is a fork of this process, waiting. */
static pid_t waiting_child(void)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char c;
        close(fds[1]);
        (void)!read(fds[0], &c, 1);      /* until the parent closes its end */
        _exit(0);
    }
    close(fds[0]);
    return pid;                          /* fds[1] stays open: the child waits */
}

static void mark_child_into(const char *pattern, pid_t pid, char *const argv[])
{
    char opts[256];
    snprintf(opts, sizeof opts, "started=%s/%s", dir, pattern);
    cr_assert_eq(ll_opt_parse(opts), 0);
    ll_started_mark_child(pid, argv);
}

Test(started, parent_marks_its_spawned_child, .init = mkdir_tmp, .fini = rm_dir)
{
    pid_t child = waiting_child();
    char long_arg[400];
    memset(long_arg, 'x', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = 0;
    char *argv[] = { "/bin/prog", "a \"q\"", long_arg, NULL };
    mark_child_into("%p.start", child, argv);
    char name[64], want[160];
    snprintf(name, sizeof name, "%ld.start", (long)child);
    const char *m = slurp(name);
    cr_assert_not_null(m, "no %s/%s", dir, name);
    char stat_path[64], stat[1024];
    snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", (long)child);
    FILE *f = fopen(stat_path, "r");
    cr_assert_not_null(f);
    size_t n = fread(stat, 1, sizeof stat, f);
    fclose(f);
    snprintf(want, sizeof want, "{\"libleak\": \"" LL_VERSION "\", \"pid\": %ld, "
             "\"start_time\": %llu, \"command\": [\"/bin/prog\", \"a \\\"q\\\"\", \"xxx",
             (long)child, (unsigned long long)ll_stat_start_time(stat, n));
    cr_expect(strncmp(m, want, strlen(want)) == 0, "marker:\n%s\nwant it to start:\n%s", m, want);
    cr_expect(strstr(m, "xxx...\"]}\n") != NULL, "cut at 256 bytes:\n%s", m);
    cr_expect_eq(entries(), 1);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

/* The child, traced, wrote its own first: it is left as it is (no PID.2). */
Test(started, child_s_own_marker_is_left_alone, .init = mkdir_tmp, .fini = rm_dir)
{
    mark_into("%p.start");                           /* this process's own */
    char name[64], own[1024];
    snprintf(name, sizeof name, "%ld.start", (long)getpid());
    strcpy(own, slurp(name));
    char *argv[] = { "/bin/other", NULL };
    mark_child_into("%p.start", getpid(), argv);     /* as its parent would */
    cr_expect_str_eq(slurp(name), own);
    cr_expect_eq(entries(), 1);
}

/* Without %p one file is every process's: the parent does not take it;
 * nor is a child marked whose start time is gone (reaped already). */
Test(started, child_not_marked_without_pid_or_start_time, .init = mkdir_tmp, .fini = rm_dir)
{
    char *argv[] = { "/bin/prog", NULL };
    pid_t child = waiting_child();
    mark_child_into("one.start", child, argv);
    cr_expect_eq(entries(), 0, "without %%p");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    mark_child_into("%p.start", child, argv);
    cr_expect_eq(entries(), 0, "reaped");
}
