/* tsan/stress.c - libleak's shared structures under ThreadSanitizer.
 *
 * A preloaded libleak cannot run under TSan (TSan must own malloc), so this
 * links the src/ objects into one program built with -fsanitize=thread and
 * drives them as the hooks do, from 8 threads: records made by one thread
 * and removed by another (nursery, shards, the cross-thread search), stack
 * interning, the internal allocator.  Each thread first makes 20,000
 * blocks that live to its end: they outlive its nursery, which is then
 * bypassed (the thread's blocks go to the shards) while the rest runs.  TSan fails the run on a data race;
 * the final count of live records must be exact.
 *   stress [OPS_PER_THREAD]   (make test-tsan) */
#include "ll.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 8
#define SLOTS 4096
#define OWN 40000                        /* each thread's long-lived blocks: past its nursery */

static _Atomic uintptr_t slot[SLOTS];   /* blocks any thread may free */
static long ops = 200000;

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id * 2654435761u + 1;
    const uintptr_t own = ((uintptr_t)(id + 1) << 40) | ((uintptr_t)1 << 39);
    ll_guard++;                          /* as inside a hook */
    for (uintptr_t k = 0; k < OWN; k++)
        ll_table_insert(own + 16 * k, 24, 16, LL_FN_MALLOC, 0);
    int bypassed = ll_nursery_bypassed();
    for (long i = 0; i < ops; i++) {
        seed = seed * 1103515245u + 12345u;
        /* fake, unique, 16-byte aligned addresses: (thread, counter) */
        uintptr_t p = ((uintptr_t)(id + 1) << 40) | ((uintptr_t)i << 4);
        uintptr_t pcs[4] = { 0x1000 + (seed >> 28), 0x2000 + id, 0x3000, 0x4000 };
        uint32_t stack = ll_stack_intern(pcs, 1 + (seed >> 30));
        ll_table_insert(p, 16 + (seed >> 24), 16, LL_FN_MALLOC, stack);
        uintptr_t old = atomic_exchange(&slot[(seed >> 8) % SLOTS], p);
        if (old && !ll_table_remove(old, 0x1234, NULL)) {
            fprintf(stderr, "stress: a live record was lost\n");
            abort();
        }
        void *m = ll_mem_alloc(16 + (seed >> 26));
        ll_mem_free(m, 16 + (seed >> 26));
    }
    for (uintptr_t k = 0; k < OWN; k++)
        if (!ll_table_remove(own + 16 * k, 0x1234, NULL)) {
            fprintf(stderr, "stress: a thread's own record was lost\n");
            abort();
        }
    ll_guard--;
    return (void *)(uintptr_t)bypassed;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        ops = atol(argv[1]);
    ll_opt_defaults();
    ll_table_init();
    pthread_t t[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
    unsigned bypassed = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        void *b;
        pthread_join(t[i], &b);
        bypassed += b != NULL;
    }
    size_t live = 0, n;
    for (unsigned i = 0; i < SLOTS; i++)
        live += atomic_load(&slot[i]) != 0;
    struct ll_block *v = ll_table_snapshot(&n, NULL);
    ll_table_unlock_all();
    ll_pages_free(v, (n + 1) * sizeof(*v));
    int ok = n == live && bypassed == THREADS;
    printf("tsan-stress: %zu live records, expected %zu; %u of %u threads bypassed their nursery\n",
           n, live, bypassed, THREADS);
    printf("%d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
