/* test_allocmaps.c - the mappings the next allocator made for itself
 * (src/allocmaps.c). */
#include <criterion/criterion.h>
#include <stdio.h>

#include "ll.h"
#include "reach.h"

#define CODE_LO 0x10000
#define CODE_HI 0x20000
#define IN_CODE 0x18000                 /* a return address in the allocator */
#define ELSEWHERE 0x90000

/* The recorded ranges, sorted, as "lo-hi lo-hi" in KiB. */
static const char *ranges(void)
{
    static char buf[512];
    struct ll_ranges r = { 0 };
    cr_assert_eq(ll_amaps_add_to(&r), 0);
    for (size_t i = 1; i < r.n; i++)      /* few: insertion sort */
        for (size_t j = i; j > 0 && r.v[j].lo < r.v[j - 1].lo; j--) {
            struct ll_range t = r.v[j];
            r.v[j] = r.v[j - 1];
            r.v[j - 1] = t;
        }
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < r.n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%lu-%lu", i ? " " : "",
                              (unsigned long)(r.v[i].lo >> 10), (unsigned long)(r.v[i].hi >> 10));
    ll_ranges_free(&r);
    return buf;
}

static void init(void)
{
    ll_page_size = 4096;
    ll_amaps_set_code(CODE_LO, CODE_HI);
}

Test(allocmaps, the_allocators_mappings_are_kept)
{
    init();
    ll_amaps_mapped(IN_CODE, 1 << 20, 64 << 10);
    ll_amaps_mapped(ELSEWHERE, 4 << 20, 64 << 10);      /* the program's */
    cr_expect_str_eq(ranges(), "1024-1088");
}

Test(allocmaps, lengths_round_up_to_pages)
{
    init();
    ll_amaps_mapped(IN_CODE, 1 << 20, 100);
    cr_expect_str_eq(ranges(), "1024-1028");
}

Test(allocmaps, an_unmapping_cuts_and_splits)
{
    init();
    ll_amaps_mapped(IN_CODE, 1 << 20, 64 << 10);
    ll_amaps_unmapped((1 << 20) + (16 << 10), 8 << 10);
    cr_expect_str_eq(ranges(), "1024-1040 1048-1088");
    ll_amaps_unmapped(1 << 20, 16 << 10);
    cr_expect_str_eq(ranges(), "1048-1088");
    ll_amaps_unmapped(1 << 20, 1 << 20);
    cr_expect_str_eq(ranges(), "");
}

/* The program maps over the allocator's old range (which went by a system
 * call of the allocator's own that was not seen): that part is the
 * program's, and a root again. */
Test(allocmaps, the_program_mapping_over_it_takes_that_part)
{
    init();
    ll_amaps_mapped(IN_CODE, 1 << 20, 64 << 10);
    ll_amaps_mapped(ELSEWHERE, (1 << 20) + (60 << 10), 8 << 10);
    cr_expect_str_eq(ranges(), "1024-1084");
}

/* The C library's own allocator: nothing to watch. */
Test(allocmaps, nothing_without_an_allocator_to_watch)
{
    ll_page_size = 4096;
    ll_amaps_set_code(0, 0);
    ll_amaps_mapped(IN_CODE, 1 << 20, 64 << 10);
    cr_expect_str_eq(ranges(), "");
}

Test(allocmaps, full_keeps_the_rest_as_roots)
{
    init();
    for (unsigned i = 0; i < 3000; i++)
        ll_amaps_mapped(IN_CODE, (uintptr_t)(1 + 2 * i) << 20, 4096);
    cr_expect_eq(ll_amaps_count(), 2048);
    ll_amaps_mapped(IN_CODE, (uintptr_t)1 << 40, 4096);
    cr_expect_eq(ll_amaps_count(), 2048);
}
