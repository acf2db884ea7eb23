/* handoff_ring: 16 threads in a ring, each making blocks in batches of 64
 * and handing every batch to the next thread, which frees it: a pipeline's
 * stages, a server's I/O thread and its workers.  Every thread's blocks
 * are freed by another while still young, so they leave its nursery
 * through other threads' frees, and the nursery is emptied into the table
 * by one of them while its owner runs on.  The last block of every 200th
 * batch is dropped instead of freed: 16 x 10 lost blocks of 64 bytes from
 * one line; every other block is freed once, and no free may go wrong. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 16
#define BATCHES 2000
#define DEPTH 4

struct box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long head, tail;
    void *slot[DEPTH][64];
};
static struct box boxes[THREADS];

static __attribute__((noipa)) void *make(size_t k)
{
    void *p = malloc(16 + k % 4 * 16);  /* @make */
    __asm__ volatile("" : "+r"(p));     /* a call, not a jump: make() is a frame */
    return p;
}

static void put(struct box *b, void *const *v)
{
    pthread_mutex_lock(&b->mu);
    while (b->head - b->tail >= DEPTH)
        pthread_cond_wait(&b->cv, &b->mu);
    for (int k = 0; k < 64; k++)
        b->slot[b->head % DEPTH][k] = v[k];
    b->head++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void take(struct box *b, void **v)
{
    pthread_mutex_lock(&b->mu);
    while (b->tail == b->head)
        pthread_cond_wait(&b->cv, &b->mu);
    for (int k = 0; k < 64; k++) {
        v[k] = b->slot[b->tail % DEPTH][k];
        b->slot[b->tail % DEPTH][k] = NULL;    /* or the last lost block is kept */
    }
    b->tail++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void *stage(void *arg)
{
    long id = (long)arg;
    for (long n = 0; n < BATCHES; n++) {
        void *v[64];
        for (int k = 0; k < 64; k++)
            v[k] = make((size_t)k);
        put(&boxes[(id + 1) % THREADS], v);
        take(&boxes[id], v);
        for (int k = 0; k < 63; k++)
            free(v[k]);
        if (n % 200 != 199)
            free(v[63]);                /* every 200th batch's last: lost */
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) {
        pthread_mutex_init(&boxes[i].mu, NULL);
        pthread_cond_init(&boxes[i].cv, NULL);
    }
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, stage, (void *)i))
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("handoff_ring: %d threads, %d batches each\n", THREADS, BATCHES);
    return 0;
}
