/* ring - threads in a ring, each making blocks in batches of 64 and
 * handing each batch to the next thread, which frees it (a pipeline's
 * stages; a server's I/O thread and workers).  Every block is freed by a
 * thread that did not make it, while it is young.
 *   ring THREADS BLOCKS   (BLOCKS in all, shared out) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define DEPTH 8

struct box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long head, tail;
    void *slot[DEPTH][64];
};
static struct box *boxes;
static int threads;
static long per_thread;

static void *stage(void *arg)
{
    long id = (long)arg;
    struct box *out = &boxes[(id + 1) % threads], *in = &boxes[id];
    for (long made = 0; made < per_thread; made += 64) {
        void *v[64];
        for (int k = 0; k < 64; k++)
            v[k] = malloc(16 + (size_t)(k * 7 % 200));
        pthread_mutex_lock(&out->mu);
        while (out->head - out->tail >= DEPTH)
            pthread_cond_wait(&out->cv, &out->mu);
        for (int k = 0; k < 64; k++)
            out->slot[out->head % DEPTH][k] = v[k];
        out->head++;
        pthread_cond_broadcast(&out->cv);
        pthread_mutex_unlock(&out->mu);
        pthread_mutex_lock(&in->mu);
        while (in->tail == in->head)
            pthread_cond_wait(&in->cv, &in->mu);
        for (int k = 0; k < 64; k++)
            v[k] = in->slot[in->tail % DEPTH][k];
        in->tail++;
        pthread_cond_broadcast(&in->cv);
        pthread_mutex_unlock(&in->mu);
        for (int k = 0; k < 64; k++)
            free(v[k]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    threads = argc > 1 ? atoi(argv[1]) : 8;
    long total = argc > 2 ? atol(argv[2]) : 3200000;
    if (threads < 1 || threads > 1024)
        return 2;
    per_thread = total / threads / 64 * 64;
    boxes = calloc((size_t)threads, sizeof(*boxes));
    pthread_t *t = calloc((size_t)threads, sizeof(*t));
    if (!boxes || !t)
        return 1;
    for (int i = 0; i < threads; i++) {
        pthread_mutex_init(&boxes[i].mu, NULL);
        pthread_cond_init(&boxes[i].cv, NULL);
    }
    for (long i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, stage, (void *)i))
            return 1;
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    free(t);
    free(boxes);
    printf("ring: %d threads, %ld blocks\n", threads, per_thread * threads);
    return 0;
}
