/* noise_threads: threads joined, detached and finished, detached and still
 * blocked at exit, thread-local variables, pthread keys, dlopen/dlclose -
 * none of glibc's thread machinery may show up as lost. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static __thread char *t_buf;                 /* freed by each thread */
static __thread int t_count;
static pthread_key_t g_key;
static int g_pipe[2];
static pthread_barrier_t g_started;

static void free_value(void *p) { free(p); }

static void *work(void *arg)
{
    t_buf = malloc(64 + (size_t)arg);
    snprintf(t_buf, 64, "thread %zu", (size_t)arg);
    t_count = (int)strlen(t_buf);
    pthread_setspecific(g_key, malloc(32));  /* freed by the key destructor */
    free(t_buf);
    return NULL;
}

static void *blocked(void *arg)              /* still running at exit */
{
    char c;
    void *mine = malloc(100);                /* reachable from its stack */
    pthread_setspecific(g_key, malloc(48));  /* reachable from its TCB */
    pthread_barrier_wait(&g_started);
    while (read(g_pipe[0], &c, 1) < 0) {}
    free(mine);
    return arg;
}

int main(void)
{
    pthread_t t[4], b;
    pthread_attr_t det;
    if (pthread_key_create(&g_key, free_value) || pipe(g_pipe) ||
        pthread_barrier_init(&g_started, NULL, 2))
        return 1;
    pthread_attr_init(&det);
    pthread_attr_setdetachstate(&det, PTHREAD_CREATE_DETACHED);
    for (size_t i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (size_t i = 2; i < 4; i++) pthread_create(&t[i], &det, work, (void *)i);
    pthread_create(&b, &det, blocked, NULL);
    pthread_barrier_wait(&g_started);
    for (size_t i = 0; i < 2; i++) pthread_join(t[i], NULL);
    void *h = dlopen("libm.so.6", RTLD_NOW);
    if (h) dlclose(h);
    usleep(100 * 1000);                      /* the detached ones finish */
    printf("threads: done\n");
    return 0;
}
