/* small_stacks: threads with the smallest stacks a program may ask for.
 * glibc takes every thread's static TLS out of its stack, so a preloaded
 * library with a large one would make these pthread_create calls fail. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *work(void *arg)
{
    char *p = malloc(64);
    if (p)
        strcpy(p, "allocated on a small stack");
    free(p);
    return arg;
}

int main(void)
{
    const size_t sizes[] = { PTHREAD_STACK_MIN, 32 << 10 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pthread_attr_t at;
        pthread_t t;
        pthread_attr_init(&at);
        int err = pthread_attr_setstacksize(&at, sizes[i]);
        if (!err)
            err = pthread_create(&t, &at, work, NULL);
        if (!err)
            err = pthread_join(t, NULL);
        printf("small_stacks: %zu bytes: %s\n", sizes[i], err ? strerror(err) : "ok");
        pthread_attr_destroy(&at);
    }
    return 0;
}
