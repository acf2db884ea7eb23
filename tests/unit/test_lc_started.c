/* test_lc_started.c - leakcheck's pairing of start markers with reports
 * (src/leakcheck/started.c): by pid and start time, which a reused pid
 * cannot fake and an exec keeps. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "lc.h"

static struct lc_mark mark(long pid, uint64_t start, unsigned long seq, const char *cmd)
{
    return (struct lc_mark){ .pid = pid, .start = start, .seq = seq,
                             .cmdline = lc_strdup(cmd) };
}

static void free_marks(struct lc_mark *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lc_mark_free(&v[i]);
}

Test(lc_started, report_with_the_same_pid_and_start_pairs)
{
    struct lc_mark v[] = { mark(100, 5, 1, "a"), mark(200, 7, 1, "b") };
    struct lc_key keys[] = { { 200, 7 }, { 100, 5 } };
    size_t n = lc_marks_unpaired(v, 2, keys, 2);
    cr_expect_eq(n, 0, "%zu left", n);
    free_marks(v, n);
}

/* A pid used again: the earlier process reported, the later one was
 * killed (or the other way round).  The pid alone would pair both. */
Test(lc_started, reused_pid_is_told_apart_by_start_time)
{
    struct lc_mark v[] = { mark(100, 5, 1, "first"), mark(100, 9, 2, "second") };
    struct lc_key keys[] = { { 100, 5 } };
    size_t n = lc_marks_unpaired(v, 2, keys, 1);
    cr_assert_eq(n, 1, "%zu left", n);
    cr_expect_eq(v[0].start, 9);
    cr_expect_str_eq(v[0].cmdline, "second");
    free_marks(v, n);

    struct lc_mark w[] = { mark(100, 5, 1, "first"), mark(100, 9, 2, "second") };
    struct lc_key later[] = { { 100, 9 } };
    n = lc_marks_unpaired(w, 2, later, 1);
    cr_assert_eq(n, 1, "%zu left", n);
    cr_expect_str_eq(w[0].cmdline, "first");
    free_marks(w, n);
}

/* Two markers of one process (written under two users, or kept from
 * before an exec): one entry, the latest program's. */
Test(lc_started, one_process_is_listed_once_by_its_latest_marker)
{
    struct lc_mark v[] = { mark(300, 4, 1, "sh -c exec prog"), mark(300, 4, 3, "prog"),
                           mark(300, 4, 2, "env prog") };
    size_t n = lc_marks_unpaired(v, 3, NULL, 0);
    cr_assert_eq(n, 1, "%zu left", n);
    cr_expect_str_eq(v[0].cmdline, "prog");
    free_marks(v, n);
}

/* A report without start_time (an older libleak's), or a marker whose
 * start time could not be read, pairs by pid alone. */
Test(lc_started, unknown_start_time_pairs_by_pid)
{
    struct lc_mark v[] = { mark(100, 5, 1, "a"), mark(200, 0, 1, "b"), mark(300, 6, 1, "c") };
    struct lc_key keys[] = { { 100, 0 }, { 200, 8 } };
    size_t n = lc_marks_unpaired(v, 3, keys, 2);
    cr_assert_eq(n, 1, "%zu left", n);
    cr_expect_eq(v[0].pid, 300);
    free_marks(v, n);
}

Test(lc_started, unpaired_ones_come_in_pid_order)
{
    struct lc_mark v[] = { mark(900, 1, 1, "z"), mark(40, 1, 1, "a"), mark(500, 1, 1, "m"),
                           mark(41, 2, 1, "b") };
    struct lc_key keys[] = { { 41, 2 } };
    size_t n = lc_marks_unpaired(v, 4, keys, 1);
    cr_assert_eq(n, 3, "%zu left", n);
    cr_expect_eq(v[0].pid, 40);
    cr_expect_eq(v[1].pid, 500);
    cr_expect_eq(v[2].pid, 900);
    free_marks(v, n);
}

Test(lc_started, marker_json_is_read)
{
    struct lc_merge m = { 0 };
    json_t *j = json_loads("{\"libleak\": \"0.1.0\", \"pid\": 12, \"start_time\": 34, "
                           "\"command\": [\"prog\", \"a b\"]}", 0, NULL);
    cr_assert_eq(lc_mark_add(&m, j, 2), 0);
    cr_assert_eq(m.nmarks, 1);
    cr_expect_eq(m.marks[0].pid, 12);
    cr_expect_eq(m.marks[0].start, 34);
    cr_expect_eq(m.marks[0].seq, 2);
    cr_expect_str_eq(m.marks[0].cmdline, "prog a b");
    json_t *bad = json_loads("{\"pid\": 12, \"command\": []}", 0, NULL);
    cr_expect_eq(lc_mark_add(&m, bad, 1), -1, "no start_time: not a marker");
    json_decref(bad);
    lc_merge_free(&m);
}
