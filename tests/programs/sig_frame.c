/* sig_frame: a SIGSEGV handler allocates (malloc is not async-signal-safe;
 * some programs do it anyway) and jumps back out.  The fault is at the very
 * first instruction of faulty(), so the frame the signal interrupted is
 * named only if looked up at its own address, not the byte before (the end
 * of the function before it).  The block leaks: its stack is the handler,
 * the signal trampoline (__restore_rt), faulty and main. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sigjmp_buf back;
void *volatile sink;
int *volatile nowhere;

static void handler(int sig)
{
    (void)sig;
    sink = malloc(77);                                   /* @handler */
    sink = 0;
    siglongjmp(back, 1);
}

/* Its first instruction reads *p. */
__attribute__((noinline)) int faulty(int *p) { return *(volatile int *)p; } /* @faulty */

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(back, 1))
        faulty(nowhere);                                 /* @main */
    puts("sig_frame: done");
    return 0;
}
