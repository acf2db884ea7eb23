/* tiny_stack_exit: the process ends on a stack far smaller than the leak
 * check needs (it stops the other threads, reads /proc and scans: about
 * 14 KiB more than exit() natively takes).
 *   tiny_stack_exit thread KIB END      on a pthread of KIB KiB
 *                                       (16: PTHREAD_STACK_MIN)
 *   tiny_stack_exit coroutine KIB END   on a makecontext coroutine whose
 *                                       stack is a KIB KiB mapping with a
 *                                       guard page below it
 * END is exit, quick_exit, _exit (status 5) or abort; with no arguments
 * (make check-leaks): thread 16 exit.  Either loses 40
 * bytes and holds 24 in its own live frame; main holds 56 in a global.
 * The check must run, and read the ending stack from exit's caller: the 24
 * bytes still reachable, the 40 definitely lost. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

char *volatile sink;
char *kept_by_main;
static const char *end;
static ucontext_t uc_main, uc_co;

static __attribute__((noinline)) void lose(void)
{
    sink = malloc(40);                                  /* @lost */
    sink[0] = 1;
    sink = NULL;
}

static __attribute__((noreturn)) void end_now(void)
{
    if (strcmp(end, "quick_exit") == 0)
        quick_exit(5);
    if (strcmp(end, "_exit") == 0)
        _exit(5);
    if (strcmp(end, "abort") == 0)
        abort();
    exit(5);
}

static __attribute__((noinline)) void hold_and_end(void)
{
    char *volatile mine = malloc(24);                   /* @held */
    mine[0] = 2;
    lose();
    end_now();
}

static void *thread_main(void *arg)
{
    (void)arg;
    hold_and_end();
    return NULL;
}

static int on_thread(size_t size)
{
    pthread_attr_t at;
    pthread_t t;
    pthread_attr_init(&at);
    if (pthread_attr_setstacksize(&at, size) || pthread_create(&t, &at, thread_main, NULL))
        return 2;
    pthread_join(t, NULL);
    return 0;                                           /* not reached */
}

/* The coroutine's stack: a guard page below it, so that running off its
 * end is a SIGSEGV, not a write into whatever lies below. */
static int on_coroutine(size_t size)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, size + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED || mprotect(m, pg, PROT_NONE))
        return 2;
    getcontext(&uc_co);
    uc_co.uc_stack.ss_sp = m + pg;
    uc_co.uc_stack.ss_size = size;
    uc_co.uc_link = NULL;
    makecontext(&uc_co, hold_and_end, 0);
    swapcontext(&uc_main, &uc_co);
    return 0;                                           /* not reached */
}

int main(int argc, char **argv)
{
    static char *dflt[] = { NULL, "thread", "16", "exit" };
    if (argc == 1)
        argv = dflt;
    else if (argc != 4)
        return 2;
    kept_by_main = malloc(56);                          /* @main */
    size_t size = (size_t)atoi(argv[2]) << 10;
    end = argv[3];
    return strcmp(argv[1], "thread") == 0 ? on_thread(size) : on_coroutine(size);
}
