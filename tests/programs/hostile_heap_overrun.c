/* hostile_heap_overrun MODE [threads]: the program spoils glibc's heap and
 * glibc's allocator dies of it, inside malloc or free.
 *   overrun  a block overrun into the next one's header: free() finds the
 *            size it reads there wrong and aborts ("free(): invalid next
 *            size (normal)"), SIGABRT
 *   wild     a freed block's list link overwritten with a wild pointer:
 *            the next malloc follows it, SIGSEGV
 *   top      a block overrun into the size of the heap's top chunk, then a
 *            NULL store in the program's own code, SIGSEGV: the allocator
 *            only finds the damage at the next malloc that takes from the
 *            top ("malloc(): corrupted top size")
 *   top_term the same overrun, then the program raises SIGTERM
 *   top_exit the same overrun, then the program calls exit(0): natively
 *            nothing takes from the top again
 * With "threads", a thread has run first: glibc then takes its arena's
 * lock, and still holds it when it dies.  Before it, one block of 100 bytes
 * is dropped (@leak), just below the spoiled one: the allocator's pointer
 * to the spoiled block's header points into it. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

static void *idle(void *arg)
{
    return arg;
}

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(100); /* @leak */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "overrun";
    if (argc > 2) {
        pthread_t t;
        pthread_create(&t, NULL, idle, NULL);
        pthread_join(t, NULL);
    }
    drop();
    scrub_stack();
    /* 0x500 bytes: past the sizes tcache and fastbins keep */
    char *volatile a = malloc(0x500);
    void *volatile b = malloc(0x500);
    volatile size_t n = 0x500 + 16;
    if (strncmp(mode, "top", 3) == 0) {
        char *last = malloc(0x1ff8);        /* past every free chunk: from the top */
        memset(last, 0x41, malloc_usable_size(last) + 8);   /* and over its size */
        if (strcmp(mode, "top_term") == 0)
            raise(SIGTERM);
        if (strcmp(mode, "top_exit") == 0)
            exit(0);
        *(volatile int *)(uintptr_t)n = 0;  /* n is no address: SIGSEGV */
    } else if (strcmp(mode, "wild") == 0) {
        free(a);                    /* into the unsorted list */
        ((void *volatile *)a)[1] = (void *)0x4141414141414141ull;  /* its back link */
        a = malloc(0x500);
    } else {
        memset(a, 0x41, n);         /* over b's size field */
        free(a);
    }
    printf("hostile_heap_overrun: the allocator did not die (%p %p)\n", (void *)a, b);
    return 0;
}
