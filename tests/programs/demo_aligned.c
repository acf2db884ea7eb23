/* demo_aligned: what Rust's alloc(Layout::new::<u16>()) and a larger
 * Layout::from_size_align(256, 64) ask of the C allocator - a size and an
 * alignment.  Both blocks are leaked; the report gives each one's alignment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A u16: 2 bytes, aligned to 2. */
static uint16_t *new_u16(void)
{
    return aligned_alloc(_Alignof(uint16_t), sizeof(uint16_t)); /* @u16 */
}

/* 256 bytes on a 64-byte boundary (a cache line): over-aligned for malloc. */
static void *new_cache_lines(void)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, 256) != 0) /* @lines */
        return NULL;
    return p;
}

int main(void)
{
    uint16_t *small = new_u16();
    char *big = new_cache_lines();
    if (!small || !big)
        return 1;
    *small = 42;
    big[0] = 'x';
    printf("u16 at %s address, 256 bytes at %s address\n",
           (uintptr_t)small % 2 ? "an odd" : "an even",
           (uintptr_t)big % 64 ? "a misaligned" : "a 64-aligned");
    return 0;                     /* neither is freed */
}
