/* lc_leaker: leakcheck's test program.  lc_leaker [BYTES [STATUS [EXTRA...]]]
 * leaks BYTES (0: nothing) in leak_here(), keeps a 64-byte block reachable
 * from a global, and exits with STATUS.  EXTRA words add more:
 *   second  7 more bytes lost in leak_second()
 *   list    a lost 3-node list: 1 block definitely, 2 indirectly lost
 *   dup     a lost strdup() copy: the allocation's caller is libc's strdup
 *   pair    two lost strdup() copies made on one line: two return
 *           addresses, so two groups in the report, but one site
 *   sigkill at the end, die of SIGKILL: no report (as the OOM killer's
 *           victims, or a test killed by timeout -s KILL)
 *   fork-sigkill  fork a child that dies of SIGKILL (a forked worker the
 *           OOM killer ends), and wait for it */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *volatile sink;
void *volatile keep;                      /* still reachable at exit */

struct node { struct node *next; char pad[24]; };

/* Its own copy, not scrub.h: test_leakcheck.c compiles this file out of the
 * tree (baseline_survives_line_shifts). */
static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char pad[16384];             /* wipe stale pointer copies (conservative scan) */
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0;
}

static __attribute__((noinline)) void leak_here(size_t n)
{
    sink = malloc(n);                     /* @lc-leak */
    sink[0] = 1;
    sink = NULL;
}

static __attribute__((noinline)) void leak_second(void)
{
    sink = malloc(7);                     /* @lc-second */
    sink[0] = 1;
    sink = NULL;
}

static __attribute__((noinline)) void leak_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 3; i++) {
        struct node *n = malloc(sizeof *n);   /* @lc-list */
        n->next = head;
        head = n;
    }
    sink = (char *)head;
    sink = NULL;
}

static __attribute__((noinline)) void leak_dup(void)
{
    sink = strdup("lost through libc");   /* @lc-dup */
    sink = NULL;
}

static __attribute__((noinline)) void leak_pair(void)
{
    sink = strdup("x"); sink = strdup("yy"); sink = NULL;   /* @lc-pair */
}

static __attribute__((noinline)) void keep_reachable(void)
{
    keep = malloc(64);                    /* @lc-keep */
}

static void fork_sigkill(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        raise(SIGKILL);
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    size_t bytes = argc > 1 ? strtoul(argv[1], NULL, 10) : 10;
    int status = argc > 2 ? atoi(argv[2]) : 0;
    keep_reachable();
    if (bytes)
        leak_here(bytes);
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "second") == 0)
            leak_second();
        else if (strcmp(argv[i], "list") == 0)
            leak_list();
        else if (strcmp(argv[i], "dup") == 0)
            leak_dup();
        else if (strcmp(argv[i], "pair") == 0)
            leak_pair();
        else if (strcmp(argv[i], "fork-sigkill") == 0)
            fork_sigkill();
    }
    scrub_stack();
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "sigkill") == 0)
            raise(SIGKILL);
    return status;
}
