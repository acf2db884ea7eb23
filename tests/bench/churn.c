/* churn - larson-style allocator churn: each thread owns a window of slots
 * and replaces a random one with a block of random size, N times.
 *   churn THREADS OPS_PER_THREAD [WINDOW]
 * The blocks left in the windows are freed at the end: nothing leaks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long ops;
static int window;

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg * 2654435761u + 1;
    void **slot = calloc((size_t)window, sizeof(*slot));
    for (long i = 0; i < ops; i++) {
        seed = seed * 1103515245u + 12345u;
        int k = (int)((seed >> 8) % (unsigned)window);
        free(slot[k]);
        size_t n = 16 + (seed >> 20) % 496;
        slot[k] = malloc(n);
        ((char *)slot[k])[0] = (char)i;
    }
    for (int k = 0; k < window; k++)
        free(slot[k]);
    free(slot);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    ops = argc > 2 ? atol(argv[2]) : 1000000;
    window = argc > 3 ? atoi(argv[3]) : 1000;
    pthread_t t[64];
    for (int i = 0; i < threads && i < 64; i++)
        pthread_create(&t[i], NULL, worker, (void *)(size_t)i);
    for (int i = 0; i < threads && i < 64; i++)
        pthread_join(t[i], NULL);
    printf("churn: %d threads x %ld ops\n", threads, ops);
    return 0;
}
