/* many_paths: 120 paths to one allocation site, each taken once a round
 * for 60 rounds: far more paths than a thread's memo of recent walks holds
 * (stack.c), all with the same return address and stack pointer at the
 * site, so that nearly every allocation walks, and any cache of earlier
 * walks keyed by a few words near the site meets each key many times.  The
 * paths come in threes that share the site, its stack pointer and the next
 * frame (mid_J) and differ only in the frame above (outer_a, _b or _c).
 * Each path must get its own stack and all 60 of its blocks. */
#include <stdlib.h>

#define MIDS 40
#define ROUNDS 60

void *volatile sink;

static __attribute__((noipa)) void wrap(void)
{
    sink = malloc(24);                  /* @leak */
    sink = NULL;
}

#define MID(j) static __attribute__((noipa)) void mid_##j(void) { wrap(); __asm__ volatile(""); }
MID(0) MID(1) MID(2) MID(3) MID(4) MID(5) MID(6) MID(7) MID(8) MID(9)
MID(10) MID(11) MID(12) MID(13) MID(14) MID(15) MID(16) MID(17) MID(18) MID(19)
MID(20) MID(21) MID(22) MID(23) MID(24) MID(25) MID(26) MID(27) MID(28) MID(29)
MID(30) MID(31) MID(32) MID(33) MID(34) MID(35) MID(36) MID(37) MID(38) MID(39)

static void (*const mids[MIDS])(void) = {
    mid_0, mid_1, mid_2, mid_3, mid_4, mid_5, mid_6, mid_7, mid_8, mid_9,
    mid_10, mid_11, mid_12, mid_13, mid_14, mid_15, mid_16, mid_17, mid_18, mid_19,
    mid_20, mid_21, mid_22, mid_23, mid_24, mid_25, mid_26, mid_27, mid_28, mid_29,
    mid_30, mid_31, mid_32, mid_33, mid_34, mid_35, mid_36, mid_37, mid_38, mid_39,
};

static __attribute__((noipa)) void outer_a(int j)
{
    mids[j]();                          /* @a */
    __asm__ volatile("");
}

static __attribute__((noipa)) void outer_b(int j)
{
    mids[j]();                          /* @b */
    __asm__ volatile("");
}

static __attribute__((noipa)) void outer_c(int j)
{
    mids[j]();                          /* @c */
    __asm__ volatile("");
}

int main(void)
{
    for (int r = 0; r < ROUNDS; r++)
        for (int j = 0; j < MIDS; j++) {
            outer_a(j);
            outer_b(j);
            outer_c(j);
        }
    return 0;
}
