/* hostile_seccomp_trap: a seccomp filter that traps (SECCOMP_RET_TRAP:
 * SIGSYS) the timer calls libleak makes while it reports at a signal, as
 * sandboxes trap what they do not allow.  Natively the program dies of the
 * signal it meets; under libleak too, with its report.
 *   fault       timer_create trapped; a leak, then SIGSEGV
 *   fault_all   timer_create, timer_settime, timer_delete, alarm and
 *               setitimer trapped; a leak, then SIGSEGV
 *   term        timer_create trapped; a leak, then SIGTERM from another
 *               thread while main allocates and frees (most of them land
 *               inside malloc or free, where libleak puts them off)
 *   open_fault  openat trapped (the report's output file, /proc, the
 *               objects its frames are named from); a leak, then SIGSEGV
 *   open_exit   openat trapped; a leak, then main returns 0
 *   barrier_trap   membarrier trapped, after libleak registered for it at
 *               start; blocks freed by the thread that did not make them,
 *               in rounds between which the maker's nursery is its own
 *               again (each round's first such free needs a barrier); a
 *               leak, then main returns 0
 *   barrier_errno  the same with membarrier refused (EPERM)
 *   barrier_kill   the same with a filter that kills the process on it
 *   barrier_start  a filter that kills the process on membarrier, then
 *               this program again (exec), which runs the rounds under it
 *               (barrier_none: the rounds, no filter of their own) */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *volatile sink;

#define TRAP(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)
/* how: 0 none, 1 trap, 2 refuse (EPERM), 3 kill the process: membarrier's
 * action, every other call allowed. */
static int barrier_filter(int how)
{
    static const unsigned action[] = { 0, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO | EPERM,
                                       SECCOMP_RET_KILL_PROCESS };
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action[how]),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    if (!how)
        return 0;
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* The maker: 100,000 blocks it frees itself (its nursery unshares), then
 * 64 for main to free, per round. */
#define ROUNDS 4
static void *volatile handed[ROUNDS][64];
static pthread_barrier_t round_done;

static void *maker(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < 100000; i++) {
            void *volatile p = malloc(32 + (size_t)(i & 63));
            free(p);
        }
        for (int i = 0; i < 64; i++)
            handed[r][i] = malloc(40);
        pthread_barrier_wait(&round_done);      /* main frees them */
        pthread_barrier_wait(&round_done);
    }
    return NULL;
}

static int barrier_rounds(int how)
{
    pthread_t t;
    if (barrier_filter(how)) {
        perror("seccomp");
        return 1;
    }
    pthread_barrier_init(&round_done, NULL, 2);
    if (pthread_create(&t, NULL, maker, NULL) != 0)
        return 1;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_barrier_wait(&round_done);
        for (int i = 0; i < 64; i++)
            free(handed[r][i]);
        pthread_barrier_wait(&round_done);
    }
    pthread_join(t, NULL);
    sink = malloc(48);                  /* @barrier_leak */
    sink = NULL;
    return 0;
}

static int filter(int all, int open)
{
    struct sock_filter one[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        TRAP(open ? __NR_openat : __NR_timer_create),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_filter every[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        TRAP(__NR_timer_create), TRAP(__NR_timer_settime), TRAP(__NR_timer_delete),
        TRAP(__NR_alarm), TRAP(__NR_setitimer),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { all ? sizeof every / sizeof every[0] : sizeof one / sizeof one[0],
                               all ? every : one };
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void *terminator(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);    /* for main, inside malloc */
    for (;;) {
        usleep(3000);
        kill(getpid(), SIGTERM);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fault";
    if (!strcmp(mode, "barrier_start")) {
        char *again[] = { argv[0], "barrier_none", NULL };
        if (barrier_filter(3) == 0)
            execv("/proc/self/exe", again);
        perror("barrier_start");
        return 1;
    }
    if (!strncmp(mode, "barrier_", 8))
        return barrier_rounds(!strcmp(mode, "barrier_trap") ? 1
                              : !strcmp(mode, "barrier_errno") ? 2
                              : !strcmp(mode, "barrier_kill") ? 3 : 0);
    if (filter(!strcmp(mode, "fault_all"), !strncmp(mode, "open_", 5))) {
        perror("seccomp");
        return 1;
    }
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    if (!strcmp(mode, "term")) {
        pthread_t t;
        if (pthread_create(&t, NULL, terminator, NULL) != 0)
            return 1;
        for (;;)
            free(malloc(64));
    }
    if (!strcmp(mode, "open_exit"))
        return 0;
    int *volatile bad = (int *)8;
    *bad = 1;                           /* SIGSEGV */
    return 0;
}
