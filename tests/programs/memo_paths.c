/* memo_paths: one allocation site reached by four paths, taken in turn.
 * libleak replays a thread's last walk from a call site when the stack words
 * it read still hold the same values; here the paths share the site, the
 * stack pointer and, for x and y, the frame above it too (mid keeps a
 * frame pointer: its VLA makes its CFA rbp-based), so only a deeper word
 * tells them apart.  Each path must get its own stack. */
#include <stdio.h>
#include <stdlib.h>

void *volatile sink;

static __attribute__((noipa)) void leaf(void)
{
    sink = malloc(24);                  /* @leak */
    sink = NULL;
}

static __attribute__((noipa)) void via_a(void)
{
    leaf();                             /* @a */
    __asm__ volatile("");               /* no tail call */
}

static __attribute__((noipa)) void via_b(void)
{
    leaf();                             /* @b */
    __asm__ volatile("");
}

static __attribute__((noipa)) void mid(int n)
{
    volatile char vla[n];
    vla[0] = 0;
    leaf();                             /* @mid */
    __asm__ volatile("" ::"r"(&vla[0]));
}

static __attribute__((noipa)) void via_x(int n)
{
    mid(n);                             /* @x */
    __asm__ volatile("");
}

static __attribute__((noipa)) void via_y(int n)
{
    mid(n);                             /* @y */
    __asm__ volatile("");
}

int main(int argc, char **argv)
{
    (void)argv;
    for (int i = 0; i < 100; i++) {
        int k = i % 10;
        if (k < 4)
            via_a();
        else if (k < 7)
            via_b();
        else if (k < 9)
            via_x(argc + 15);
        else
            via_y(argc + 15);
    }
    printf("memo_paths: done\n");
    return 0;
}
