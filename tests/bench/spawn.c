/* spawn - the fixed cost of a process under a preload: a test suite or a
 * build runs thousands of short processes, each paying start-up and the
 * exit check.
 *   spawn N LIB COMMAND [ARGS...]
 * Runs COMMAND N times natively and N times with LD_PRELOAD=LIB,
 * alternating, and prints "native_ms preloaded_ms native_faults
 * preloaded_faults": the median wall time of each, from fork to exit, and
 * the median count of minor page faults (which the machine's speed does
 * not move, as it moves the times). */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double run(char **argv, char **envp, double *faults)
{
    double t0 = now();
    pid_t pid;
    int status;
    struct rusage ru;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, envp) != 0 ||
        wait4(pid, &status, 0, &ru) < 0) {
        perror(argv[0]);
        exit(2);
    }
    double t = now() - t0;
    *faults = (double)ru.ru_minflt;
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: spawn N LIB COMMAND [ARGS...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1)
        n = 1;
    /* The environment without any LD_PRELOAD, and the same with LIB. */
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **plain = calloc(ne + 1, sizeof(char *)), **pre = calloc(ne + 2, sizeof(char *));
    double *a = calloc((size_t)n, sizeof(double)), *b = calloc((size_t)n, sizeof(double));
    double *fa = calloc((size_t)n, sizeof(double)), *fb = calloc((size_t)n, sizeof(double));
    char *lib = malloc(strlen(argv[2]) + sizeof "LD_PRELOAD=");
    if (!plain || !pre || !a || !b || !fa || !fb || !lib)
        return 2;
    sprintf(lib, "LD_PRELOAD=%s", argv[2]);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            plain[k] = pre[k] = environ[i], k++;
    pre[k] = lib;
    for (int i = 0; i < n; i++) {
        a[i] = run(argv + 3, plain, &fa[i]);
        b[i] = run(argv + 3, pre, &fb[i]);
    }
    qsort(a, (size_t)n, sizeof(double), cmp);
    qsort(b, (size_t)n, sizeof(double), cmp);
    qsort(fa, (size_t)n, sizeof(double), cmp);
    qsort(fb, (size_t)n, sizeof(double), cmp);
    printf("%.3f %.3f %.0f %.0f\n", a[n / 2] * 1e3, b[n / 2] * 1e3, fa[n / 2], fb[n / 2]);
    free(plain);
    free(pre);
    free(a);
    free(b);
    free(fa);
    free(fb);
    free(lib);
    return 0;
}
