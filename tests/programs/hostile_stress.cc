// hostile_stress: 8 threads x HOSTILE_OPS (default 1,000,000) random
// operations over the whole API: malloc, calloc, realloc, reallocarray,
// posix_memalign, aligned_alloc, memalign, new/delete, new[]/delete[],
// aligned new/delete, free.  Each thread then drops exactly 4 blocks of
// 1000 + thread bytes; everything else is freed.  Prints the expected leak.
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <new>

#define NTHREADS 8
#define SLOTS 256

enum how { H_FREE, H_DELETE, H_DELETE_ARRAY, H_DELETE_ALIGNED };
struct slot { void *p; how h; };
static long ops = 1000000;

static unsigned rnd(unsigned *s)
{
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5;
    return *s;
}

static void release(slot *s)
{
    switch (s->h) {
    case H_FREE: free(s->p); break;
    case H_DELETE: ::operator delete(s->p); break;
    case H_DELETE_ARRAY: ::operator delete[](s->p); break;
    case H_DELETE_ALIGNED: ::operator delete(s->p, std::align_val_t(64)); break;
    }
    s->p = nullptr;
}

// A fresh block carries no pointer (glibc leaves its free-list links in it).
static void *fill(void *p, size_t n) { if (p) memset(p, 0x5a, n); return p; }

static void make(slot *s, unsigned r, size_t n)
{
    void *p = nullptr;
    s->h = H_FREE;
    switch (r % 10) {
    case 0: p = malloc(n); break;
    case 1: p = calloc(1, n); break;
    case 2: p = realloc(nullptr, n); break;
    case 3: p = reallocarray(nullptr, n, 1); break;
    case 4: if (posix_memalign(&p, 32, n)) p = nullptr; break;
    case 5: p = aligned_alloc(64, (n + 63) & ~(size_t)63); break;
    case 6: p = memalign(128, n); break;
    case 7: p = ::operator new(n); s->h = H_DELETE; break;
    case 8: p = ::operator new[](n); s->h = H_DELETE_ARRAY; break;
    case 9: p = ::operator new(n, std::align_val_t(64)); s->h = H_DELETE_ALIGNED; break;
    }
    s->p = fill(p, n);
}

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = 2463534242u + id * 7919u;
    slot *v = (slot *)calloc(SLOTS, sizeof(slot));
    for (long i = 0; i < ops; i++) {
        unsigned r = rnd(&seed);
        slot *s = &v[r % SLOTS];
        size_t n = 1 + (r >> 8) % 2048;
        if (s->p && s->h == H_FREE && (r >> 20) % 4 == 0) {
            void *q = realloc(s->p, n);     // grow or shrink in place
            if (q) s->p = fill(q, n);
        } else if (s->p) {
            release(s);
        } else {
            make(s, r >> 4, n);
        }
    }
    for (unsigned i = 0; i < SLOTS; i++)
        if (v[i].p)
            release(&v[i]);
    for (unsigned i = 0; i < 4; i++)
        v[i].p = fill(malloc(1000 + id), 1000 + id);   /* @stress-leak */
    memset(v, 0, SLOTS * sizeof(slot));                 // drop them
    free(v);
    return nullptr;
}

int main()
{
    if (const char *e = getenv("HOSTILE_OPS"))
        ops = atol(e);
    pthread_t t[NTHREADS];
    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], nullptr, worker, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_join(t[i], nullptr);
    long bytes = 0;
    for (unsigned i = 0; i < NTHREADS; i++)
        bytes += 4 * (1000 + i);
    printf("hostile_stress: %ld ops per thread, expect %d blocks %ld bytes lost\n",
           ops, NTHREADS * 4, bytes);
    return 0;
}
