/* outer_paths: one allocation site under a frame of varying size, reached
 * through an inner recursion of 0 to 11 calls, under a frame kept by its
 * frame pointer (mid: a VLA), under one of two outer callers with the same
 * frame.  Consecutive allocations share the inner frames but not the outer
 * caller, or the outer frames but not the depth, and some stacks are longer
 * than the default 16 frames: what a walk may reuse from an earlier one
 * (stack.c's replay, any cache of the unwinder) must be told apart by a word
 * far from the site.  Each (outer caller, depth) must get its own, whole
 * stack; the counts are printed: "a 3 17" = 17 blocks through outer_a at
 * depth 3. */
#include <stdio.h>
#include <stdlib.h>

#define DEPTHS 12

void *volatile sink;

static __attribute__((noipa)) void leaf(void)
{
    sink = malloc(40);                  /* @leak */
    sink = NULL;
}

static __attribute__((noipa)) void site(int pad)
{
    volatile char vla[pad];
    vla[0] = 0;
    leaf();                             /* @site */
    __asm__ volatile("" ::"r"(&vla[0]));
}

static __attribute__((noipa)) void inner(int d, int pad)
{
    if (d)
        inner(d - 1, pad);              /* @rec */
    else
        site(pad);                      /* @in */
    __asm__ volatile("");               /* no tail call */
}

static __attribute__((noipa)) void mid(int d, int pad, int n)
{
    volatile char vla[n];
    vla[0] = 0;
    inner(d, pad);                      /* @mid */
    __asm__ volatile("" ::"r"(&vla[0]));
}

static __attribute__((noipa)) void outer_a(int d, int pad, int n)
{
    mid(d, pad, n);                     /* @a */
    __asm__ volatile("");
}

static __attribute__((noipa)) void outer_b(int d, int pad, int n)
{
    mid(d, pad, n);                     /* @b */
    __asm__ volatile("");
}

int main(int argc, char **argv)
{
    (void)argv;
    static int count[2][DEPTHS];
    unsigned x = 12345;
    for (int i = 0; i < 4000; i++) {
        x = x * 1103515245u + 12345u;
        int b = (x >> 16) & 1, d = (int)((x >> 17) % DEPTHS), pad = 1 + (int)((x >> 24) % 32) * 16;
        if (b)
            outer_b(d, pad, argc + 15); /* @mb */
        else
            outer_a(d, pad, argc + 15); /* @ma */
        count[b][d]++;
    }
    for (int b = 0; b < 2; b++)
        for (int d = 0; d < DEPTHS; d++)
            printf("%c %d %d\n", b ? 'b' : 'a', d, count[b][d]);
    return 0;
}
