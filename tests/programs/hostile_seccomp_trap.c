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
 *   open_exit   openat trapped; a leak, then main returns 0 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
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
