/* hostile_free_in_handler: a SIGALRM handler, every millisecond, frees the
 * next of 300 blocks made up front, while main allocates and frees a small
 * block in a loop: many of the handler's frees land while main is inside
 * libleak.  The small block comes back from the same cache every time, so
 * the allocator never gives a freed block's address out again.  After the
 * 300 frees main leaks 48 bytes (marked) and returns 0: nothing else is
 * lost. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#define BLOCKS 300
static void *blocks[BLOCKS];
static volatile sig_atomic_t frees;
static void *volatile sink;

static void on_alarm(int sig)
{
    (void)sig;
    if (frees < BLOCKS) {
        free(blocks[frees]);
        blocks[frees] = NULL;
        frees++;
    }
}

int main(void)
{
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = malloc(256 + 16 * (size_t)i);
    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    while (frees < BLOCKS) {
        sink = malloc(32);
        free(sink);
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    sink = malloc(48);                  /* @leak */
    sink = NULL;
    printf("hostile_free_in_handler: %d frees in the handler\n", (int)frees);
    return 0;
}
