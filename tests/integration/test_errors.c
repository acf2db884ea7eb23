/* test_errors.c - bad frees are reported, skipped, and the program goes on. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* The address the program printed after `label` (as %p). */
static unsigned long long printed_addr(const char *out, const char *label)
{
    const char *p = strstr(out, label);
    cr_assert_not_null(p, "\"%s\" not in stdout:\n%s", label, out);
    return strtoull(p + strlen(label), NULL, 16);
}

static json_t *error_at(const json_t *report, size_t i)
{
    json_t *errors = ll_arr(report, "errors");
    cr_assert_lt(i, json_array_size(errors), "want errors[%zu], have %zu errors", i, json_array_size(errors));
    return json_array_get(errors, i);
}

/* A double free's three stacks, each topped by the line marked in file:
 * the bad free, the allocation and the first free. */
static void expect_double_free_stacks(const json_t *e, const char *file, const char *at,
                                      const char *alloc, const char *freed)
{
    const char *src = ll_fmt(LL_SRC("%s"), file);
    ll_assert_top(ll_get(e, "stack"), src, ll_line(file, at), "bad free");
    ll_assert_top(ll_get(e, "allocated"), src, ll_line(file, alloc), "allocated");
    ll_assert_top(ll_get(e, "freed"), src, ll_line(file, freed), "freed");
}

Test(errors, double_free_reported_with_both_stacks)
{
    struct ll_run r;
    ll_run_json(&r, "double_free", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.out, "double_free: survived\n"), "program did not finish; stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "number of errors");
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "double_free", "kind");
    LL_STREQ(ll_str(e, "function"), "free", "function");
    LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(r.out, "allocated "), "address");
    LL_EQ(ll_int(e, "size"), 40, "size");
    expect_double_free_stacks(e, "double_free.c", "@second-free", "@alloc", "@first-free");
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks");
    ll_run_free(&r);
}

/* The first free in a thread that has ended since: its recent frees
 * outlive it (until 2026-11-28 they went with its nursery, and the second
 * free read "invalid free"). */
Test(errors, double_free_after_the_first_freeing_thread_ended)
{
    struct ll_run r;
    ll_run_json(&r, "double_free_after_thread", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    cr_assert(ll_contains(r.out, "double_free_after_thread: survived\n"),
              "program did not finish; stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "number of errors");
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "double_free", "kind");
    LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(r.out, "allocated "), "address");
    LL_EQ(ll_int(e, "size"), 40, "size");
    expect_double_free_stacks(e, "double_free_after_thread.c", "@second-free", "@alloc",
                              "@first-free");
    ll_run_free(&r);
}

/* A double free 200 frees after the first, past the recent frees libleak
 * remembers: with freelist=1 the block is kept, and the second free is
 * told for what it is, with both stacks (until 2026-11-27: "invalid free
 * of memory that was never allocated"); without, it reads invalid. */
static void double_free_late(const char *options, const char *kind)
{
    struct ll_run r;
    ll_run_json(&r, "double_free_late", options, NULL);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.2000s", options, r.err);
    LL_STREQ(r.out, "double_free_late: survived\n", "%s: stdout", options);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "%s: number of errors", options);
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), kind, "%s: kind", options);
    if (strcmp(kind, "double_free") == 0) {
        LL_EQ(ll_int(e, "size"), 40, "size");
        expect_double_free_stacks(e, "double_free_late.c", "@second-free", "@alloc",
                                  "@first-free");
    } else {
        ll_assert_top(ll_get(e, "stack"), LL_SRC("double_free_late.c"),
                      ll_line("double_free_late.c", "@second-free"), "bad free");
    }
    ll_run_free(&r);
}

Test(errors, double_free_past_the_recent_frees_with_a_freelist)
{
    double_free_late("freelist=1", "double_free");
    double_free_late("freelist=0", "invalid_free");
}

Test(errors, invalid_free_of_stack_and_global_and_realloc)
{
    struct ll_run r;
    ll_run_json(&r, "invalid_free", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.out, "invalid_free: survived, local = 5"), "program did not finish; stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 3, "number of errors");

    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "invalid_free", "errors[0].kind");
    LL_STREQ(ll_str(e, "function"), "free", "errors[0].function");
    LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(r.out, "stack "), "errors[0].address");
    ll_assert_top(ll_get(e, "stack"), LL_SRC("invalid_free.c"), ll_line("invalid_free.c", "@free-stack"), "errors[0]");
    cr_assert_null(json_object_get(e, "allocated"), "errors[0]: a stack address has no allocation stack");

    e = error_at(r.json, 1);
    LL_STREQ(ll_str(e, "kind"), "invalid_free", "errors[1].kind");
    LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(r.out, "global "), "errors[1].address");
    ll_assert_top(ll_get(e, "stack"), LL_SRC("invalid_free.c"), ll_line("invalid_free.c", "@free-global"), "errors[1]");

    e = error_at(r.json, 2);
    LL_STREQ(ll_str(e, "kind"), "invalid_realloc", "errors[2].kind");
    LL_STREQ(ll_str(e, "function"), "realloc", "errors[2].function");
    ll_assert_top(ll_get(e, "stack"), LL_SRC("invalid_free.c"), ll_line("invalid_free.c", "@realloc-stack"), "errors[2]");

    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* libleak loads libdw (and libz, which libdw needs) to print the invalid
 * free; the program then dlopens libz itself, and the loader stores the
 * dependency list it makes for that dlopen (the program's block) in libz's
 * link map, made for libleak's load.  The loader keeps it for good: still
 * reachable, as in Valgrind.  It read definitely lost when the blocks the
 * loader made for libleak were not scanned. */
Test(errors, dlopen_of_a_library_libleak_loaded_leaves_nothing_lost)
{
    struct ll_run r;
    ll_run_json(&r, "dlopen_after_error", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    cr_assert(ll_contains(r.out, "libz loaded before: yes, dlopen: ok"),
              "libleak's error report did not load libz first (the case is not made); "
              "stdout:\n%s", r.out);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "the invalid free");
    static const char *const kinds[] = { "definitely_lost", "indirectly_lost", "possibly_lost" };
    for (int k = 0; k < 3; k++)
        LL_EQ(ll_summary_blocks(r.json, kinds[k]), 0, "%s; groups:\n%s", kinds[k],
              ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(errors, invalid_free_reported_on_stderr_in_text_mode)
{
    struct ll_run r;
    ll_run_raw(&r, "invalid_free", 1, NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.err, "invalid_free.c:") || ll_contains(r.err, "invalid free"),
              "stderr does not mention the invalid free:\n%.2000s", r.err);
    ll_run_free(&r);
}

Test(errors, interior_free_names_the_containing_block)
{
    struct ll_run r;
    ll_run_json(&r, "interior_free", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.out, "interior_free: survived\n"), "stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "number of errors");
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "interior_free", "kind");
    LL_STREQ(ll_str(e, "function"), "free", "function");
    LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(r.out, "freeing "), "address");
    LL_EQ(ll_int(e, "size"), 64, "size of the containing block");
    ll_assert_top(ll_get(e, "stack"), LL_SRC("interior_free.c"), ll_line("interior_free.c", "@interior"), "bad free");
    ll_assert_top(ll_get(e, "allocated"), LL_SRC("interior_free.c"), ll_line("interior_free.c", "@alloc"), "allocated");
    /* the block was not freed by the bad call, and the correct free then worked */
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    ll_run_free(&r);
}

Test(errors, mismatched_new_delete_malloc_free)
{
    struct ll_run r;
    ll_run_json(&r, "mismatch", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "mismatch: still running\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 3, "number of errors");
    static const struct { const char *fn, *at, *alloc; } want[] = {
        { "operator delete", "@delete-array-with-delete", "@new[]" },
        { "operator delete", "@delete-malloc", "@malloc" },
        { "free", "@free-new", "@new" },
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *e = error_at(r.json, i);
        LL_STREQ(ll_str(e, "kind"), "mismatched_free", "errors[%zu].kind", i);
        LL_STREQ(ll_str(e, "function"), want[i].fn, "errors[%zu].function", i);
        ll_assert_top(ll_get(e, "stack"), LL_SRC("mismatch.cc"), ll_line("mismatch.cc", want[i].at), want[i].at);
        ll_assert_top(ll_get(e, "allocated"), LL_SRC("mismatch.cc"), ll_line("mismatch.cc", want[i].alloc), want[i].alloc);
    }
    ll_run_free(&r);
}

/* A non-PIE program that takes operator new's and delete's addresses in
 * its code has undefined symbols for them whose values are its PLT
 * entries: it replaces neither, and new then free is still a mismatch
 * (it passed unseen, as if the program's own new called malloc). */
Test(errors, program_taking_operator_addresses_still_gets_mismatches)
{
    struct ll_run r;
    ll_run_json(&r, "nopie_new_addr", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "nopie_new_addr: done\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "number of errors");
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "mismatched_free", "errors[0].kind");
    LL_STREQ(ll_str(e, "function"), "free", "errors[0].function");
    ll_assert_top(ll_get(e, "stack"), LL_SRC("nopie_new_addr.cc"),
                  ll_line("nopie_new_addr.cc", "@free-new"), "@free-new");
    ll_assert_top(ll_get(e, "allocated"), LL_SRC("nopie_new_addr.cc"),
                  ll_line("nopie_new_addr.cc", "@new"), "@new");
    ll_run_free(&r);
}

/* delete or free of an array from new[] of a class with a destructor: the
 * program's pointer is past the element count, 8 bytes in, or as many as
 * the class's alignment when that is 16 or more (its array from the
 * aligned operator new[] above 16).  A mismatched pair like new[]/delete of
 * ints, not an interior free, and the array is not reported again as a
 * leak; a pointer to the second element of an array with no count is
 * still an interior free. */
Test(errors, delete_of_an_array_past_its_count_is_a_mismatch)
{
    struct ll_run r;
    ll_run_json(&r, "mismatch_array", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.out, "mismatch_array: still running\n"), "stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 9, "number of errors");
    static const struct {
        const char *fn, *at, *alloc;
        long long size;
        unsigned long long cookie;
    } want[] = {
        { "operator delete", "@delete-array-with-delete", "@new[]-delete", 24, 8 },
        { "free", "@free-array", "@new[]-free", 80, 8 },
        { "operator delete", "@delete-wide", "@new[]-wide", 16 + 3 * 16, 16 },
        { "operator delete", "@delete-wide", "@new[]-wide", 32 + 3 * 32, 32 },
        { "operator delete", "@delete-wide", "@new[]-wide", 64 + 2 * 64, 64 },
        { "operator delete", "@delete-wide", "@new[]-wide", 4096 + 4096, 4096 },
        { "free", "@free-wide", "@new[]-free-wide", 64 + 5 * 64, 64 },
    };
    const char *printed = r.out;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *e = error_at(r.json, i);
        LL_STREQ(ll_str(e, "kind"), "mismatched_free", "errors[%zu].kind", i);
        LL_STREQ(ll_str(e, "function"), want[i].fn, "errors[%zu].function", i);
        LL_STREQ(ll_str(e, "allocated_by"), "operator new[]", "errors[%zu].allocated_by", i);
        unsigned long long addr = printed_addr(printed, "array ");
        printed = strstr(printed, "array ") + 1;
        LL_EQ(ll_addr(ll_str(e, "address")), addr, "errors[%zu].address", i);
        LL_EQ(ll_addr(ll_str(e, "block")), addr - want[i].cookie, "errors[%zu].block", i);
        LL_EQ(ll_int(e, "size"), want[i].size, "errors[%zu].size", i);
        ll_assert_top(ll_get(e, "stack"), LL_SRC("mismatch_array.cc"), ll_line("mismatch_array.cc", want[i].at), want[i].at);
        ll_assert_top(ll_get(e, "allocated"), LL_SRC("mismatch_array.cc"), ll_line("mismatch_array.cc", want[i].alloc), want[i].alloc);
    }
    /* arrays of longs and of a class aligned to 32 with no destructor have
     * no count: a pointer to their second element is a free into their
     * middle, and the block stays live for the delete[] that follows */
    static const struct { const char *at; long long size, into; } interior[] = {
        { "@interior", 32, 8 },
        { "@interior-bare", 128, 32 },
    };
    printed = r.out;
    for (size_t i = 0; i < 2; i++) {
        json_t *e = error_at(r.json, 7 + i);
        LL_STREQ(ll_str(e, "kind"), "interior_free", "errors[%zu].kind", 7 + i);
        unsigned long long addr = printed_addr(printed, "interior ");
        printed = strstr(printed, "interior ") + 1;
        LL_EQ(ll_addr(ll_str(e, "address")), addr, "errors[%zu].address", 7 + i);
        LL_EQ(ll_addr(ll_str(e, "block")), addr - interior[i].into, "errors[%zu].block", 7 + i);
        LL_EQ(ll_int(e, "size"), interior[i].size, "errors[%zu].size", 7 + i);
        ll_assert_top(ll_get(e, "stack"), LL_SRC("mismatch_array.cc"), ll_line("mismatch_array.cc", interior[i].at), interior[i].at);
    }
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    LL_EQ(json_array_size(ll_arr(r.json, "leaks")), 0, "leaks listed:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_int(ll_get(r.json, "totals"), "bad_frees"), 9, "totals.bad_frees");
    ll_run_free(&r);

    ll_run_raw(&r, "mismatch_array", 1, NULL, NULL);
    cr_assert(ll_contains(r.err, "of the array 8 bytes into a 24-byte block from operator new[], "
                          "past its element count; not passed to the allocator\n"),
              "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "libleak: mismatched free: free(0x"), "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "into an 80-byte block from operator new[]"), "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "of the array 32 bytes into a 128-byte block from operator new[], "
                          "past its element count; not passed to the allocator\n"),
              "stderr:\n%.3000s", r.err);
    ll_run_free(&r);
}

/* delete[] of one object from new, whose class has a destructor: delete[]
 * frees the address a cookie before the object (8 bytes, or the class's
 * alignment when that is 16 or more), where it took an element count to
 * be.  A mismatched new/delete[] with the object's block, not an invalid
 * free, and the object is not reported again as a leak.  8 bytes before an
 * array from new[] of ints, and 32 bytes before an object from new aligned
 * to 64 (a cookie its alignment does not give), are still invalid frees. */
Test(errors, delete_array_of_an_object_before_it_is_a_mismatch)
{
    struct ll_run r;
    ll_run_json(&r, "mismatch_object", NULL, NULL);
    LL_EQ(r.exited, 1, "exited normally (signal %d)", r.sig);
    LL_EQ(r.status, 0, "exit status");
    cr_assert(ll_contains(r.out, "mismatch_object: still running\n"), "stdout:\n%s", r.out);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 6, "number of errors");
    static const struct {
        const char *at, *alloc;
        long long size;
        unsigned long long cookie;
    } want[] = {
        { "@delete[]-object", "@new", 4, 8 },
        { "@delete[]-wide", "@new-wide", 16, 16 },
        { "@delete[]-wide", "@new-wide", 32, 32 },
        { "@delete[]-wide", "@new-wide", 64, 64 },
    };
    const char *printed = r.out;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *e = error_at(r.json, i);
        unsigned long long object = printed_addr(printed, "object ");
        printed = strstr(printed, "object ") + 1;
        LL_STREQ(ll_str(e, "kind"), "mismatched_free", "errors[%zu].kind", i);
        LL_STREQ(ll_str(e, "function"), "operator delete[]", "errors[%zu].function", i);
        LL_EQ(ll_addr(ll_str(e, "address")), object - want[i].cookie, "errors[%zu].address", i);
        LL_EQ(ll_addr(ll_str(e, "block")), object, "errors[%zu].block", i);
        LL_EQ(ll_int(e, "size"), want[i].size, "errors[%zu].size", i);
        LL_STREQ(ll_str(e, "allocated_by"), "operator new", "errors[%zu].allocated_by", i);
        ll_assert_top(ll_get(e, "stack"), LL_SRC("mismatch_object.cc"), ll_line("mismatch_object.cc", want[i].at), want[i].at);
        ll_assert_top(ll_get(e, "allocated"), LL_SRC("mismatch_object.cc"), ll_line("mismatch_object.cc", want[i].alloc), want[i].alloc);
    }
    /* the block after the address is from new[], not new; or from new,
     * but aligned to 64, which puts no 32-byte cookie before it */
    static const char *const invalid[] = { "@invalid", "@invalid-wide" };
    printed = r.out;
    for (size_t i = 0; i < 2; i++) {
        json_t *e = error_at(r.json, 4 + i);
        LL_STREQ(ll_str(e, "kind"), "invalid_free", "errors[%zu].kind", 4 + i);
        LL_EQ(ll_addr(ll_str(e, "address")), printed_addr(printed, "before "), "errors[%zu].address", 4 + i);
        printed = strstr(printed, "before ") + 1;
        ll_assert_top(ll_get(e, "stack"), LL_SRC("mismatch_object.cc"), ll_line("mismatch_object.cc", invalid[i]), invalid[i]);
    }
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    LL_EQ(json_array_size(ll_arr(r.json, "leaks")), 0, "leaks listed:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_int(ll_get(r.json, "totals"), "bad_frees"), 6, "totals.bad_frees");
    ll_run_free(&r);

    ll_run_raw(&r, "mismatch_object", 1, NULL, NULL);
    cr_assert(ll_contains(r.err, "libleak: mismatched free: operator delete[](0x"), "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, ") 8 bytes before a 4-byte block from operator new, where delete[] "
                          "reads an array's element count; not passed to the allocator\n"),
              "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, ") 64 bytes before a 64-byte block from operator new, where delete[] "
                          "reads an array's element count; not passed to the allocator\n"),
              "stderr:\n%.3000s", r.err);
    ll_run_free(&r);
}

/* 3,000 bad frees: 100 printed, 1,000 listed, all 3,000 counted (the text
 * figure, totals.bad_frees, and leakcheck's per-process count). */
Test(errors, bad_frees_past_the_caps_are_counted)
{
    const char *args[] = { "3000", NULL };
    struct ll_run r;
    ll_run_json(&r, "many_bad_frees", NULL, args);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1000, "errors listed");
    LL_EQ(ll_int(ll_get(r.json, "totals"), "bad_frees"), 3000, "totals.bad_frees");
    LL_EQ(ll_count_lines(r.err, "libleak: invalid free"), 100, "bad frees printed");
    ll_run_free(&r);

    ll_run_raw(&r, "many_bad_frees", 1, "", args);
    cr_expect(ll_contains(r.err, "\n  bad frees: 3,000 (the first 100 were reported when they happened)\n"),
              "text figure:\n%s", strstr(r.err, "summary:") ? strstr(r.err, "summary:") : r.err);
    ll_run_free(&r);

    const char *few[] = { "3", NULL };
    ll_run_raw(&r, "many_bad_frees", 1, "", few);
    cr_expect(ll_contains(r.err, "\n  bad frees: 3 (each was reported when it happened)\n"),
              "text figure:\n%s", strstr(r.err, "summary:") ? strstr(r.err, "summary:") : r.err);
    ll_run_free(&r);
}

/* A program that replaces the global operator new, or delete, pairs its own
 * with libstdc++'s other half through malloc and free: no mismatch, and the
 * blocks go back to the allocator; each of its std::string and Widget
 * frees was called a mismatched free (and kept).  A real mismatch is still
 * one, and the leak is found. */
static void own_operator(const char *prog)
{
    struct ll_run r;
    ll_run_json(&r, prog, NULL, NULL);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.2000s", prog, r.err);
    LL_STREQ(r.out, ll_fmt("%s: done\n", prog), "%s: stdout", prog);
    ll_check_schema(r.json);
    const char *src = ll_fmt("%s.cc", prog);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 1, "%s: errors; stderr:\n%.3000s", prog,
          r.err);
    json_t *e = error_at(r.json, 0);
    LL_STREQ(ll_str(e, "kind"), "mismatched_free", "%s: kind", prog);
    ll_assert_top(ll_get(e, "stack"), ll_fmt("tests/programs/%s", src),
                  ll_line(src, "@mismatch"), "the mismatch");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 24, "%s: definitely lost; groups:\n%s",
          prog, ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(errors, program_replacing_operator_new_pairs_it_with_delete) { own_operator("cxx_own_new"); }
Test(errors, program_replacing_operator_delete_pairs_it_with_new)
{
    own_operator("cxx_own_delete");
}
