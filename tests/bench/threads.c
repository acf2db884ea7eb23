/* threads - a thread per task: N threads started one after another, each
 * making and freeing 8 blocks, joined before the next starts.  What a
 * thread's start and end cost, libleak's per-thread caches included.
 *   threads N */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *task(void *arg)
{
    void *p[8];
    for (int i = 0; i < 8; i++)
        p[i] = malloc(64);
    for (int i = 0; i < 8; i++)
        free(p[i]);
    return arg;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, task, NULL) || pthread_join(t, NULL))
            return 1;
    }
    printf("threads: %d\n", n);
    return 0;
}
