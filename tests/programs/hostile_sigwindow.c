/* hostile_sigwindow: a signal in the middle of libleak's own handling of
 * the program's signal calls.  It runs itself again with libsigshim.so
 * preloaded after libleak.so (see there), which raises the signal at the
 * worst moment.  Leaks 77 bytes first.  argv[1]:
 *   dfl      SIGUSR2 gets a handler, then signal(SIGUSR2, SIG_DFL); the
 *            shim raises SIGUSR2 inside the C library's signal() if libleak
 *            calls it.  Then raise(SIGUSR2): dies of it.
 *   oneshot  a one-shot SIGUSR1 handler (sysv_signal: SA_RESETHAND and
 *            SA_NODEFER) that counts; raise(SIGUSR1), and the shim raises
 *            it once more inside libleak's sigaction() call, if one comes
 *            while the first is handled.  The handler runs at most once;
 *            the second SIGUSR1 meets SIG_DFL: dies of it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrub.h"

char *volatile sink;

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static volatile sig_atomic_t runs;

static void count(int sig)
{
    (void)sig;
    runs++;
    static const char m[] = "hostile_sigwindow: handler ran\n";
    if (write(1, m, sizeof m - 1) < 0)
        _exit(4);
}

/* Run again with the shim after whatever is preloaded. */
static void with_shim(char **argv)
{
    char exe[4096], env[8192];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 32);
    if (n <= 0)
        exit(2);
    exe[n] = 0;
    strcpy(strrchr(exe, '/') + 1, "libsigshim.so");
    const char *pre = getenv("LD_PRELOAD");
    snprintf(env, sizeof env, "%s%s%s", pre ? pre : "", pre ? " " : "", exe);
    setenv("LD_PRELOAD", env, 1);
    execv("/proc/self/exe", argv);
    exit(2);
}

int main(int argc, char **argv)
{
    void (*arm)(int, int);
    *(void **)&arm = dlsym(RTLD_DEFAULT, "shim_arm");
    if (!arm)
        with_shim(argv);
    const char *m = argc > 1 ? argv[1] : "dfl";
    leak(77);
    scrub_stack();
    printf("hostile_sigwindow: %s\n", m);
    fflush(stdout);
    if (!strcmp(m, "dfl")) {
        signal(SIGUSR2, count);
        arm(SIGUSR2, 0);
        signal(SIGUSR2, SIG_DFL);
        raise(SIGUSR2);
    } else if (!strcmp(m, "oneshot")) {
        sysv_signal(SIGUSR1, count);
        arm(0, SIGUSR1);
        raise(SIGUSR1);
        raise(SIGUSR1);             /* natively: SIG_DFL by now */
    }
    printf("hostile_sigwindow: still alive, handler ran %d times\n", (int)runs);
    return 3;
}
