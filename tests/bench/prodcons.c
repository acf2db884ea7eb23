/* prodcons - blocks allocated in one thread and freed in another
 * (xmalloc-test style): a producer fills a ring, a consumer empties it.
 *   prodcons N */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 4096
static void *ring[RING];
static long head, tail, total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 0; i < total; i += 64) {
        void *batch[64];
        for (int k = 0; k < 64; k++) {
            batch[k] = malloc(16 + (size_t)((i + k) % 200));
            ((char *)batch[k])[0] = 1;
        }
        pthread_mutex_lock(&mu);
        while (head - tail > RING - 64)
            pthread_cond_wait(&cv, &mu);
        for (int k = 0; k < 64; k++)
            ring[head++ % RING] = batch[k];
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (long done = 0; done < total;) {
        void *batch[64];
        int n = 0;
        pthread_mutex_lock(&mu);
        while (head == tail)
            pthread_cond_wait(&cv, &mu);
        while (tail < head && n < 64)
            batch[n++] = ring[tail++ % RING];
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
        for (int k = 0; k < n; k++)
            free(batch[k]);
        done += n;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    total = (argc > 1 ? atol(argv[1]) : 1000000) / 64 * 64;
    pthread_t p, c;
    pthread_create(&p, NULL, producer, NULL);
    pthread_create(&c, NULL, consumer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("prodcons: %ld blocks\n", total);
    return 0;
}
