/* hostile_abnormal: leak one 77-byte block, then end the way argv[1] says:
 * segv, bus, fpe, ill, abort, kill (SIGSEGV sent by kill), term (SIGTERM
 * sent by kill), int (SIGINT, as from the terminal), pipe (a write to a pipe
 * nobody reads: SIGPIPE), own (the program's
 * own SIGSEGV handler, which exits 3), _exit, _Exit, fork_exit (a fork child
 * leaks and ends with _exit; the parent exits normally), vfork_exit (a vfork
 * child ends with _exit), clone_exit (a clone() child without CLONE_VM, a
 * copy of our memory that ran no fork handlers, ends with exit(9)),
 * overflow (runaway recursion on the main thread: SIGSEGV on the guard
 * page), overflow_alloc (the same, allocating at each level: it runs out
 * of stack inside malloc), thread_overflow (the same on another thread),
 * thread_overflow_noalloc (on a thread that never allocates), thread_churn (1000
 * threads that allocate, one after the other, then exit 0), thread_maps
 * (200 threads that allocate, all alive: prints how many mappings the
 * process has, then exits 0). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static void own_handler(int sig)
{
    (void)sig;
    static const char m[] = "hostile_abnormal: own handler\n";
    if (write(1, m, sizeof m - 1) < 0)
        _exit(4);
    _exit(3);
}

/* A read past the end of a file mapping: SIGBUS. */
static int bus(void)
{
    char path[] = "/tmp/hostile-bus-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    unlink(path);
    volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 1;
    return p[0];
}

static int broken_pipe(void)
{
    int fd[2];
    if (pipe(fd) != 0)
        return 1;
    close(fd[0]);
    return write(fd[1], "x", 1) == 1;
}

static int fork_exit(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        leak(55);                           /* the child's own: never reported */
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("hostile_abnormal: child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

static int vfork_exit(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(7);                           /* shares our memory: must touch nothing */
    int st;
    waitpid(pid, &st, 0);
    printf("hostile_abnormal: vfork child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

static int clone_child(void *arg)
{
    exit((int)(intptr_t)arg);
}

static int clone_exit(void)
{
    static char stack[64 << 10];
    pid_t pid = clone(clone_child, stack + sizeof stack, SIGCHLD, (void *)(intptr_t)9);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    printf("hostile_abnormal: clone child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

/* Runaway recursion: each call keeps 1 KiB of frame live across the next. */
static __attribute__((noinline)) int recurse(int n)
{
    volatile char frame[1024];
    frame[n & 1023] = (char)n;
    if (n < 0)                              /* never: n only grows */
        return 0;
    return recurse(n + 1) + frame[(n * 7) & 1023];
}

/* A list built by recursion with no end: each level allocates its node,
 * and the stack runs out inside a malloc call (libleak's hook takes more
 * stack than this frame). */
struct node { struct node *next; char pad[40]; };

static __attribute__((noinline)) struct node *build(int n)
{
    struct node *x = malloc(sizeof *x);
    if (!x || n < 0)                        /* never: n only grows */
        return x;
    x->next = build(n + 1);
    return x;
}

static void *recurse_thread(void *arg)
{
    sink = malloc(1);                       /* a thread that allocates */
    free(sink);
    return (void *)(intptr_t)recurse((int)(intptr_t)arg);
}

/* A thread that never allocates: it has its signal stack from its start. */
static void *recurse_only(void *arg)
{
    return (void *)(intptr_t)recurse((int)(intptr_t)arg);
}

static int thread_overflow(void *(*start)(void *))
{
    pthread_t t;
    void *r;
    if (pthread_create(&t, NULL, start, NULL) != 0)
        return 1;
    pthread_join(t, &r);
    return (int)(intptr_t)r;
}

static void *alloc_once(void *arg)
{
    sink = malloc(16);
    free(sink);
    return arg;
}

static int thread_churn(void)
{
    for (int i = 0; i < 1000; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, alloc_once, NULL) != 0 || pthread_join(t, NULL) != 0)
            return 1;
    }
    return 0;
}

static pthread_barrier_t all_up;

static void *alloc_and_wait(void *arg)
{
    sink = malloc(16);
    free(sink);
    pthread_barrier_wait(&all_up);
    pthread_barrier_wait(&all_up);
    return arg;
}

static int thread_maps(void)
{
    enum { N = 200 };
    pthread_t t[N];
    char line[512];
    int n = 0;
    pthread_barrier_init(&all_up, NULL, N + 1);
    for (int i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, alloc_and_wait, NULL) != 0)
            return 1;
    pthread_barrier_wait(&all_up);
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        n++;
    if (f)
        fclose(f);
    printf("hostile_abnormal: %d mappings\n", n);
    pthread_barrier_wait(&all_up);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    return 0;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "segv";
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);       /* the same natively and preloaded */
    leak(77);
    scrub_stack();
    printf("hostile_abnormal: %s\n", m);
    fflush(stdout);
    volatile int zero = 0, seven = 7;
    if (!strcmp(m, "segv"))
        *(volatile int *)(uintptr_t)zero = 1;
    else if (!strcmp(m, "bus"))
        return bus();
    else if (!strcmp(m, "fpe"))
        return seven / zero;
    else if (!strcmp(m, "ill"))
        __builtin_trap();
    else if (!strcmp(m, "abort"))
        abort();
    else if (!strcmp(m, "kill"))
        kill(getpid(), SIGSEGV);
    else if (!strcmp(m, "term"))
        kill(getpid(), SIGTERM);
    else if (!strcmp(m, "int"))
        raise(SIGINT);
    else if (!strcmp(m, "pipe"))
        return broken_pipe();
    else if (!strcmp(m, "own")) {
        signal(SIGSEGV, own_handler);
        *(volatile int *)(uintptr_t)zero = 1;
    } else if (!strcmp(m, "_exit"))
        _exit(5);
    else if (!strcmp(m, "_Exit"))
        _Exit(6);
    else if (!strcmp(m, "fork_exit"))
        return fork_exit();
    else if (!strcmp(m, "vfork_exit"))
        return vfork_exit();
    else if (!strcmp(m, "clone_exit"))
        return clone_exit();
    else if (!strcmp(m, "overflow"))
        return recurse(0);
    else if (!strcmp(m, "overflow_alloc"))
        return build(0) != NULL;
    else if (!strcmp(m, "thread_overflow"))
        return thread_overflow(recurse_thread);
    else if (!strcmp(m, "thread_overflow_noalloc"))
        return thread_overflow(recurse_only);
    else if (!strcmp(m, "thread_churn"))
        return thread_churn();
    else if (!strcmp(m, "thread_maps"))
        return thread_maps();
    return 0;
}
