/* double_free_after_thread: a worker thread frees a block and ends; the
 * main thread then frees the block again.  The first free is remembered
 * past the end of the thread that made it, so the second is a double free
 * with both stacks, not a free of memory that was never allocated. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

char *volatile sink;

static void *worker(void *arg)
{
    (void)arg;
    sink = malloc(40);              /* @alloc */
    printf("allocated %p\n", (void *)sink);
    free(sink);                     /* @first-free */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, NULL))
        return 1;
    free(sink);                     /* @second-free: the bug */
    printf("double_free_after_thread: survived\n");
    return 0;
}
