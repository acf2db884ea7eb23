/* big_live - threads whose live sets outgrow libleak's per-thread nursery:
 * each keeps 12,000 blocks and replaces them at random (so its nursery is
 * bypassed and its blocks go to the table), hands 1,000 of them to main to
 * free, frees the rest, and drops exactly 5 blocks of 77 bytes at one
 * line.  The report must lose no block and invent none: 15 definitely
 * lost, nothing else lost.
 *   big_live */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "scrub.h"

#define THREADS 3
#define WINDOW 12000
#define OPS 200000
#define HANDED 1000

static void *handed[THREADS][HANDED];

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(77);              /* @lost */
    p[0] = 1;
}

static void *work(void *arg)
{
    int t = (int)(size_t)arg;
    unsigned seed = 2654435761u * (unsigned)(t + 1);
    void **slot = calloc(WINDOW, sizeof *slot);
    if (!slot)
        return NULL;
    for (long i = 0; i < OPS; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t k = (seed >> 8) % WINDOW;
        free(slot[k]);
        slot[k] = malloc(16 + (seed >> 20) % 200);
        if (slot[k])
            ((char *)slot[k])[0] = 1;
    }
    for (int h = 0; h < HANDED; h++) {
        handed[t][h] = slot[h];
        slot[h] = NULL;
    }
    for (size_t k = 0; k < WINDOW; k++)
        free(slot[k]);
    free(slot);
    for (int i = 0; i < 5; i++)
        drop();
    scrub_stack();
    return NULL;
}

int main(void)
{
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&th[t], NULL, work, (void *)(size_t)t))
            return 1;
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        for (int h = 0; h < HANDED; h++)
            free(handed[t][h]);
    printf("big_live: done\n");
    scrub_stack();
    return 0;
}
