/* demo_thread: a leak inside a thread.  The thread's stack is gone when the
 * program exits, and with it the only pointer to the block: definitely
 * lost, and the stack shows the thread's function. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *worker(void *arg)
{
    int *result = malloc(sizeof(int) * 10); /* @thread */
    if (!result)
        return NULL;
    for (int i = 0; i < 10; i++)
        result[i] = i * (int)(long)arg;
    printf("worker computed %d\n", result[9]);
    return NULL;                  /* result is never freed */
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, (void *)3L) != 0)
        return 1;
    pthread_join(t, NULL);
    return 0;
}
