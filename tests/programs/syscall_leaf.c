/* syscall_leaf: the main thread blocks in a system call it makes itself,
 * from a leaf function (inline asm, compiled without optimisation), whose
 * only pointer to a 77-byte block is a local kept in the red zone below
 * the stack pointer; another thread calls exit(0).  The block is live (the
 * function uses it after the call): still reachable. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

char *volatile slot;

static char *take(void)
{
    char *p = slot;
    slot = NULL;
    return p;
}

/* A leaf at -O0: p stays in its frame below rsp (no sub rsp in a leaf). */
__attribute__((noinline, optimize("O0"))) static long hold(char *p)
{
    long r;
    /* The argument registers are zeroed: p must be found in memory. */
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"((long)SYS_pause), "D"(0L), "S"(0L), "d"(0L)
                     : "rcx", "r11", "memory");
    p[0] = 1;
    return r;
}

static void *ender(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    exit(0);
}

int main(void)
{
    slot = malloc(77);  /* @live */
    memset(slot, 7, 77);
    pthread_t t;
    pthread_create(&t, NULL, ender, NULL);
    hold(take());
    return 0;
}
