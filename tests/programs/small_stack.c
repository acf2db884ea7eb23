/* small_stack: the report and a bad free's message from a thread with a
 * small stack (pthread_attr_setstacksize, as servers with many threads
 * set it).  Natively exit() and free() need a few hundred bytes of it;
 * libdw's line-table reader wanted about 150 KiB, and the thread ran off
 * its stack: SIGSEGV and no report, or, past the guard page, writes into
 * the mapping below.
 *   small_stack exit KIB     a KIB KiB thread leaks 77 bytes, calls exit(6)
 *   small_stack badfree KIB  a KIB KiB thread frees a block twice; status 0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *volatile sink;

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static __attribute__((noinline)) void twice(void)
{
    char *p = malloc(8);
    sink = p;
    free(p);
    free(sink);                             /* @double */
    sink = NULL;
}

static void *exiter(void *arg)
{
    (void)arg;
    leak(77);
    exit(6);
}

static void *freer(void *arg)
{
    (void)arg;
    twice();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    pthread_attr_t at;
    pthread_attr_init(&at);
    if (pthread_attr_setstacksize(&at, (size_t)atoi(argv[2]) << 10))
        return 2;
    pthread_t t;
    if (pthread_create(&t, &at, strcmp(argv[1], "exit") ? freer : exiter, NULL))
        return 2;
    pthread_join(t, NULL);
    puts("joined");
    return 0;
}
