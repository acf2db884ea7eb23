/* test_cxx.c - C++ programs (tests/programs/cxx_*.cc) against Valgrind's
 * verdicts: the standard library's own layouts (copy-on-write strings,
 * base classes inside an object, thread_local storage).
 *
 * Each program was run under Valgrind 3.19 memcheck while this was written
 * (valgrind --leak-check=full --show-leak-kinds=all, its heuristics at
 * their default, all); its LEAK SUMMARY is quoted above each test as
 * "valgrind: definite / indirect / possible" in bytes/blocks.  Where libleak
 * differs on purpose, the test says why.  A site is the first frame in the
 * program's own file: a message string is allocated inside libstdc++. */
#include "harness.h"

#include <string.h>

struct lost { long long def, def_n, ind, ind_n, pos, pos_n; };

static void run(struct ll_run *r, const char *prog)
{
    ll_run_json(r, prog, "show_reachable=1", NULL);
    LL_EQ(r->status, 0, "%s: exit status; stderr:\n%.2000s", prog, r->err);
    ll_check_schema(r->json);
}

static void expect_lost(const struct ll_run *r, const char *prog, struct lost k)
{
    const json_t *j = r->json;
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), k.def, "%s: definitely lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "definitely_lost"), k.def_n, "%s: definitely lost blocks", prog);
    LL_EQ(ll_summary_bytes(j, "indirectly_lost"), k.ind, "%s: indirectly lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "indirectly_lost"), k.ind_n, "%s: indirectly lost blocks", prog);
    LL_EQ(ll_summary_bytes(j, "possibly_lost"), k.pos, "%s: possibly lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "possibly_lost"), k.pos_n, "%s: possibly lost blocks", prog);
}

/* The first frame of stack in file, or NULL. */
static const json_t *own_frame(const json_t *stack, const char *file)
{
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f) {
        const char *name = ll_str(f, "file");
        size_t n = name ? strlen(name) : 0, m = strlen(file);
        if (n >= m && strcmp(name + n - m, file) == 0)
            return f;
    }
    return NULL;
}

/* The blocks of kind whose first frame in the program's source is the line
 * marked `marker` of src: bytes and blocks. */
static void expect_at(const struct ll_run *r, const char *kind, const char *src,
                      const char *marker, long long bytes, long long blocks)
{
    const char *file = ll_fmt("tests/programs/%s", src);
    int line = ll_line(src, marker);
    long long b = 0, n = 0;
    size_t i;
    json_t *g;
    json_array_foreach(ll_arr(r->json, "leaks"), i, g) {
        const json_t *f = own_frame(ll_arr(g, "stack"), file);
        if (strcmp(ll_str(g, "kind"), kind) != 0 || !f || ll_int(f, "line") != line)
            continue;
        b += ll_int(g, "bytes");
        n += ll_int(g, "blocks");
    }
    LL_EQ(b, bytes, "%s bytes at %s:%d (%s); groups:\n%s", kind, src, line, marker,
          ll_describe_leaks(r->json));
    LL_EQ(n, blocks, "%s blocks at %s:%d (%s)", kind, src, line, marker);
}

/* valgrind: 16/1, 62/1, 0/0 (still reachable "via heuristic: stdstring:
 * 189 bytes in 4 blocks").  std::runtime_error's message lies 24 bytes
 * into its block, past the copy-on-write string's length, capacity and
 * reference count: that pointer counts as a start pointer, so a kept
 * error's message is still reachable (it read possibly lost). */
Test(cxx, error_messages_are_reached_through_their_strings)
{
    struct ll_run r;
    run(&r, "cxx_error_kept");
    expect_lost(&r, "cxx_error_kept", (struct lost){ 16, 1, 62, 1, 0, 0 });
    const char *src = "cxx_error_kept.cc";
    expect_at(&r, "still_reachable", src, "@keep", 16 + 60, 2);
    expect_at(&r, "still_reachable", src, "@keep-buffer", 4 * 16, 1);
    expect_at(&r, "still_reachable", src, "@keep-vector", 3 * 43, 3);
    expect_at(&r, "definitely_lost", src, "@lost", 16, 1);
    expect_at(&r, "indirectly_lost", src, "@lost", 62, 1);
    ll_run_free(&r);
}

/* valgrind: 8/1, 52/1, 0/0 (still reachable "via heuristic: stdstring:
 * 190 bytes in 4 blocks").  The old ABI's std::string, the same layout. */
Test(cxx, copy_on_write_strings_are_reached_through_their_characters)
{
    struct ll_run r;
    run(&r, "cxx_cow_string");
    expect_lost(&r, "cxx_cow_string", (struct lost){ 8, 1, 52, 1, 0, 0 });
    const char *src = "cxx_cow_string.cc";
    expect_at(&r, "still_reachable", src, "@keep", 8 + 52, 2);
    expect_at(&r, "still_reachable", src, "@keep-buffer", 4 * 8, 1);
    expect_at(&r, "still_reachable", src, "@keep-vector", 45 + 46 + 47, 3);
    expect_at(&r, "definitely_lost", src, "@lost", 8, 1);
    expect_at(&r, "indirectly_lost", src, "@lost", 52, 1);
    ll_run_free(&r);
}

/* valgrind: 80/2, 0/0, 0/0, and 40/1 still reachable (with its default
 * --run-libc-freeres=yes).  With --run-libc-freeres=no it says 0/0, 0/0,
 * 608/2 and 120/3 still reachable: glibc keeps an ended thread's stack,
 * its TLS inside, for the next thread, and Valgrind then scans it, and
 * finds the ended threads' DTVs 16 bytes in.  Their thread_local pointers
 * died with them: libleak's answer is the first. */
Test(cxx, thread_local_pointers_of_ended_threads_are_lost)
{
    struct ll_run r;
    run(&r, "cxx_thread_local");
    LL_STREQ(r.out, "done\n", "stdout");
    expect_lost(&r, "cxx_thread_local", (struct lost){ 80, 2, 0, 0, 0, 0 });
    const char *src = "cxx_thread_local.cc";
    expect_at(&r, "definitely_lost", src, "@raw", 80, 2);
    expect_at(&r, "still_reachable", src, "@raw", 40, 1);
    ll_run_free(&r);
}

/* valgrind: 96/2, 0/0, 0/0 (still reachable "via heuristic: newarray: 24
 * bytes in 1 blocks, multipleinheritance: 96 bytes in 2 blocks").  A D
 * held as its second base B, and a Z held as its virtual base V: still
 * reachable.  A PQ held as its second base Q, with no vtable: Valgrind
 * takes its first member (8) for a new[] element count dividing the 16
 * bytes after it; libleak applies that heuristic to blocks from new[]
 * only, and says possibly lost. */
Test(cxx, objects_held_through_a_later_base_class)
{
    struct ll_run r;
    run(&r, "cxx_bases");
    expect_lost(&r, "cxx_bases", (struct lost){ 96, 2, 0, 0, 24, 1 });
    const char *src = "cxx_bases.cc";
    expect_at(&r, "still_reachable", src, "@keep-multiple", 40, 1);
    expect_at(&r, "still_reachable", src, "@keep-virtual", 56, 1);
    expect_at(&r, "possibly_lost", src, "@keep-plain", 24, 1);
    expect_at(&r, "definitely_lost", src, "@lost-multiple", 40, 1);
    expect_at(&r, "definitely_lost", src, "@lost-virtual", 56, 1);
    ll_run_free(&r);
}

/* valgrind: 0/2, 0/0, 0/0, and 0/1 still reachable: new of 0 bytes is
 * counted 0 bytes (libleak counted the 1 byte it asks malloc for). */
Test(cxx, new_of_zero_bytes_counts_zero)
{
    const char *src = "cxx_new_zero.cc";
    struct ll_run r;
    run(&r, "cxx_new_zero");
    LL_STREQ(r.out, "distinct: 1\n", "stdout");
    expect_lost(&r, src, (struct lost){ 0, 2, 0, 0, 0, 0 });
    expect_at(&r, "definitely_lost", src, "@lost", 0, 1);
    expect_at(&r, "definitely_lost", src, "@lost-array", 0, 1);
    expect_at(&r, "still_reachable", src, "@keep", 0, 1);
    ll_run_free(&r);
}
