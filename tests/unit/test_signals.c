/* test_signals.c - the ends of a process that cannot have a report, or
 * only one that keeps off the allocator (src/signals.c: ll_end_interrupted). */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ll.h"

static char err[4096];

/* ll_end_interrupted(end, signal) with fd 2 on a memfd: its answer, and
 * what it printed in err. */
static int interrupted(const char *end, int signal)
{
    int fd = memfd_create("stderr", 0), saved = dup(2);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    int r = ll_end_interrupted(end, signal);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, err, sizeof err - 1, 0);
    close(fd);
    err[n > 0 ? n : 0] = 0;
    return r;
}

Test(signals, ends_outside_libleak_and_the_allocator_report)
{
    cr_expect(!interrupted("exit()", 0));
    cr_expect(!interrupted("SIGSEGV", 1));
    cr_expect_str_empty(err);
}

/* Inside libleak's own code no end may run the check: its tables may be
 * mid-update, their locks held by this thread. */
Test(signals, ends_inside_libleak_do_not)
{
    ll_guard = 1;
    cr_expect(interrupted("exit()", 0));
    cr_expect(strstr(err, "exit() was called from a signal handler that interrupted malloc "
                          "or free; no leak report (libleak's tables were mid-update)"),
              "%s", err);
    cr_expect(interrupted("SIGSEGV", 1));
    cr_expect(strstr(err, "SIGSEGV arrived inside malloc or free"), "%s", err);
    ll_guard = 0;
}

/* Inside the real allocator, a handler's exit() gets its report, with the
 * bootstrap allocator serving it from then on (glibc's arena is mid-update
 * and its lock is this thread's); a fatal signal there too (the handler
 * turns the salvage on itself, once it has seen where it is). */
Test(signals, exit_from_a_handler_inside_the_real_allocator_reports_off_it)
{
    ll_in_real = 1;
    cr_expect(!interrupted("SIGABRT", 1));
    cr_expect_str_empty(err);
    cr_expect_not(ll_boot_salvaging(), "a fatal signal: left to the handler");
    cr_expect(!interrupted("exit()", 0));
    cr_expect(strstr(err, "exit() was called from a signal handler that interrupted malloc "
                          "or free: the report takes no memory from the allocator"), "%s", err);
    cr_expect(ll_boot_salvaging(), "the report would allocate from the real allocator");
    ll_in_real = 0;
}
