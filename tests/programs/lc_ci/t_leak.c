/* t_leak: a test that passes but leaks 24 bytes (the CI snippets' fail case). */
#include <stdlib.h>

char *volatile sink;

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char pad[16384];             /* wipe stale pointer copies (conservative scan) */
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0;
}

static __attribute__((noinline)) void forget(void)
{
    sink = malloc(24);
    sink = NULL;
}

int main(void)
{
    forget();
    scrub_stack();
    return 0;
}
