/* test_leaks.c - leak classification: definite, indirect, possible, reachable. */
#include "harness.h"

#include <string.h>

static void assert_no_lost(const json_t *j, const char *prog)
{
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), 0, "%s: definitely lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_bytes(j, "indirectly_lost"), 0, "%s: indirectly lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_bytes(j, "possibly_lost"), 0, "%s: possibly lost bytes; groups:\n%s", prog, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "definitely_lost"), 0, "%s: definitely lost blocks", prog);
    LL_EQ(ll_summary_blocks(j, "indirectly_lost"), 0, "%s: indirectly lost blocks", prog);
    LL_EQ(ll_summary_blocks(j, "possibly_lost"), 0, "%s: possibly lost blocks", prog);
}

Test(leaks, leak_simple_one_definite_block_with_location)
{
    struct ll_run r;
    const char *args[] = { "alpha", "beta gamma", NULL };
    ll_run_json(&r, "leak_simple", NULL, args);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "leak_simple: done\n", "stdout");
    ll_check_schema(r.json);

    LL_EQ(ll_int(r.json, "pid"), r.pid, "report pid");
    json_t *cmd = ll_arr(r.json, "command");
    LL_EQ(json_array_size(cmd), 3, "command length");
    const char *argv0 = json_string_value(json_array_get(cmd, 0));
    cr_assert(argv0 && strstr(argv0, "leak_simple"), "command[0] %s should name the program", argv0 ? argv0 : "null");
    LL_STREQ(json_string_value(json_array_get(cmd, 1)), "alpha", "command[1]");
    LL_STREQ(json_string_value(json_array_get(cmd, 2)), "beta gamma", "command[2]");

    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 4, "definitely lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost"), 0, "indirectly lost bytes");
    LL_EQ(ll_summary_bytes(r.json, "possibly_lost"), 0, "possibly lost bytes");

    int line = ll_line("leak_simple.c", "@leak");
    json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("leak_simple.c"), line);
    LL_EQ(ll_int(g, "bytes"), 4, "group bytes");
    LL_EQ(ll_int(g, "blocks"), 1, "group blocks");
    LL_EQ(ll_int(g, "alignment"), 16, "malloc alignment");
    LL_STREQ(ll_str(g, "function"), "malloc", "allocating function");
    json_t *top = ll_top_frame(ll_get(g, "stack"));
    LL_STREQ(ll_str(top, "function"), "main", "stack[0].function");
    const char *obj = ll_str(top, "object");
    cr_assert(obj && strstr(obj, "build/programs/leak_simple"), "stack[0].object %s should be the executable", obj ? obj : "null");
    cr_assert_gt(ll_addr(ll_str(top, "offset")), 0, "stack[0].offset should be non-zero");

    json_t *totals = ll_get(r.json, "totals");
    cr_assert_geq(ll_int(totals, "allocations"), 1, "totals.allocations");
    cr_assert_geq(ll_int(totals, "bytes_allocated"), 4, "totals.bytes_allocated");
    cr_assert_geq(ll_int(totals, "peak_live_bytes"), 4, "totals.peak_live_bytes");
    cr_assert_gt(ll_int(totals, "metadata_bytes"), 0, "totals.metadata_bytes");
    LL_EQ(ll_int(totals, "dropped_records"), 0, "totals.dropped_records");
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors");
    ll_run_free(&r);
}

Test(leaks, leak_list_head_definite_rest_indirect)
{
    struct ll_run r;
    ll_run_json(&r, "leak_list", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "sum of 32-byte nodes: 55\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 32, "definitely lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost"), 9 * 32, "indirectly lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 9, "indirectly lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "possibly_lost"), 0, "possibly lost bytes");

    int line = ll_line("leak_list.c", "@node");
    json_t *d = ll_leak_at(r.json, "definitely_lost", LL_SRC("leak_list.c"), line);
    LL_EQ(ll_int(d, "bytes"), 32, "definite group bytes");
    LL_EQ(ll_int(d, "blocks"), 1, "definite group blocks");
    json_t *i = ll_leak_at(r.json, "indirectly_lost", LL_SRC("leak_list.c"), line);
    LL_EQ(ll_int(i, "bytes"), 288, "indirect group bytes");
    LL_EQ(ll_int(i, "blocks"), 9, "indirect group blocks");
    LL_STREQ(ll_str(i, "function"), "malloc", "function");
    LL_STREQ(ll_str(ll_top_frame(ll_get(i, "stack")), "function"), "push", "stack[0].function");
    ll_run_free(&r);
}

/* "leaks ... largest bytes first": across kinds, not only within one. */
Test(leaks, groups_listed_largest_bytes_first)
{
    struct ll_run r;
    ll_run_json(&r, "leak_list", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    json_t *leaks = ll_arr(r.json, "leaks");
    LL_EQ(json_array_size(leaks), 2, "groups; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_int(json_array_get(leaks, 0), "bytes"), 288,
          "leaks[0].bytes (the 288-byte indirect group before the 32-byte definite one); groups:\n%s",
          ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(leaks, leak_cycle_one_definite_two_indirect)
{
    struct ll_run r;
    ll_run_json(&r, "leak_cycle", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "cycle: a -> b -> c -> a\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 48, "definitely lost bytes; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost"), 96, "indirectly lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 2, "indirectly lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    int line = ll_line("leak_cycle.c", "@node");
    long long blocks;
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("leak_cycle.c"), line, &blocks), 48, "definite bytes at node line");
    LL_EQ(ll_bytes_at(r.json, "indirectly_lost", LL_SRC("leak_cycle.c"), line, &blocks), 96, "indirect bytes at node line");
    LL_EQ(blocks, 2, "indirect blocks at node line");
    ll_run_free(&r);
}

Test(leaks, reachable_global_is_not_lost_and_not_listed_by_default)
{
    struct ll_run r;
    ll_run_json(&r, "reachable_global", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "settings / more settings\n", "stdout");
    ll_check_schema(r.json);
    assert_no_lost(r.json, "reachable_global");
    cr_assert_geq(ll_summary_bytes(r.json, "still_reachable"), 776 + 333,
                  "still reachable bytes %lld should include the 776 + 333 held via g_config",
                  ll_summary_bytes(r.json, "still_reachable"));
    cr_assert_geq(ll_summary_blocks(r.json, "still_reachable"), 2, "still reachable blocks");
    json_t *leaks = ll_arr(r.json, "leaks");
    LL_EQ(json_array_size(leaks), 0, "listed groups without show_reachable=1; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(leaks, reachable_global_listed_with_show_reachable)
{
    struct ll_run r;
    ll_run_json(&r, "reachable_global", "show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    assert_no_lost(r.json, "reachable_global");
    json_t *c = ll_leak_at(r.json, "still_reachable", LL_SRC("reachable_global.c"),
                           ll_line("reachable_global.c", "@config"));
    LL_EQ(ll_int(c, "bytes"), 776, "config block bytes");
    LL_EQ(ll_int(c, "blocks"), 1, "config block blocks");
    json_t *e = ll_leak_at(r.json, "still_reachable", LL_SRC("reachable_global.c"),
                           ll_line("reachable_global.c", "@extra"));
    LL_EQ(ll_int(e, "bytes"), 333, "extra block bytes (reachable through the config block)");
    /* every still_reachable group is listed, so the summary is their sum */
    long long sum = 0;
    size_t i;
    json_t *g;
    json_array_foreach(ll_arr(r.json, "leaks"), i, g)
        if (strcmp(ll_str(g, "kind"), "still_reachable") == 0)
            sum += ll_int(g, "bytes");
    LL_EQ(sum, ll_summary_bytes(r.json, "still_reachable"), "sum of listed still_reachable groups vs summary");
    ll_run_free(&r);
}

Test(leaks, possibly_lost_interior_pointer_only)
{
    struct ll_run r;
    ll_run_json(&r, "possibly_lost", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "cursor: interior\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "possibly_lost"), 100, "possibly lost bytes; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 1, "possibly lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 0, "definitely lost bytes");
    json_t *g = ll_leak_at(r.json, "possibly_lost", LL_SRC("possibly_lost.c"), ll_line("possibly_lost.c", "@alloc"));
    LL_EQ(ll_int(g, "bytes"), 100, "group bytes");
    ll_run_free(&r);
}

/* pvalloc's block is its whole pages: a pointer past the size asked, into
 * the rounded-up part, still keeps it possibly lost (not definitely). */
Test(leaks, pvalloc_block_is_whole_pages)
{
    struct ll_run r;
    ll_run_json(&r, "pvalloc_pages", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "pvalloc_pages: ab\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "definitely lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 2, "possibly lost blocks");
    static const struct { const char *marker; long long bytes; } want[] = {
        { "@pvalloc100", 4096 }, { "@pvalloc4097", 8192 },
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *g = ll_leak_at(r.json, "possibly_lost", LL_SRC("pvalloc_pages.c"),
                               ll_line("pvalloc_pages.c", want[i].marker));
        LL_EQ(ll_int(g, "bytes"), want[i].bytes, "%s: bytes", want[i].marker);
        LL_STREQ(ll_str(g, "function"), "pvalloc", "%s: function", want[i].marker);
        LL_EQ(ll_int(g, "alignment"), 4096, "%s: alignment", want[i].marker);
    }
    ll_run_free(&r);
}

Test(leaks, calloc_realloc_chain_reports_final_realloc)
{
    struct ll_run r;
    ll_run_json(&r, "calloc_realloc_chain", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "final size 1010, last byte 'u'\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 1010, "definitely lost bytes; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks");
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost"), 0, "indirectly lost bytes");
    json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("calloc_realloc_chain.c"),
                           ll_line("calloc_realloc_chain.c", "@grow"));
    LL_STREQ(ll_str(g, "function"), "realloc", "function");
    LL_EQ(ll_int(g, "bytes"), 1010, "bytes");
    LL_EQ(ll_int(g, "blocks"), 1, "blocks");
    LL_EQ(ll_int(g, "alignment"), 16, "alignment");
    json_t *totals = ll_get(r.json, "totals");
    /* the calloc plus 20 reallocs each allocated something */
    cr_assert_geq(ll_int(totals, "bytes_allocated"), 1010, "totals.bytes_allocated");
    cr_assert_geq(ll_int(totals, "peak_live_bytes"), 1010, "totals.peak_live_bytes");
    ll_run_free(&r);
}

Test(leaks, clean_stdio_reports_nothing_lost)
{
    struct ll_run r;
    ll_run_json(&r, "clean_stdio", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "read 100 lines\nsmallest 0, largest 5002\nroot directory listed: yes\nclean_stdio: done\n", "stdout");
    ll_check_schema(r.json);
    assert_no_lost(r.json, "clean_stdio");
    LL_EQ(json_array_size(ll_arr(r.json, "leaks")), 0, "listed groups; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors");
    json_t *totals = ll_get(r.json, "totals");
    cr_assert_geq(ll_int(totals, "allocations"), 200, "totals.allocations %lld < the program's 200+", ll_int(totals, "allocations"));
    cr_assert_geq(ll_int(totals, "frees"), 200, "totals.frees %lld < the program's 200+", ll_int(totals, "frees"));
    cr_assert_geq(ll_int(totals, "bytes_allocated"), 5000 * 4, "totals.bytes_allocated");
    cr_assert_geq(ll_int(totals, "peak_live_bytes"), 4096 * 4, "totals.peak_live_bytes (the 8192-int vector was live)");
    LL_EQ(ll_int(totals, "dropped_records"), 0, "totals.dropped_records");
    ll_run_free(&r);
}

/* The per-thread replay of a call site's last walk (stack.c) must see a
 * different path even when the site, the stack pointer and the next frame
 * are the same: four paths, four stacks, each with its own count. */
Test(leaks, one_site_four_paths_four_stacks)
{
    struct ll_run r;
    ll_run_json(&r, "memo_paths", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    const char *src = LL_SRC("memo_paths.c");
    json_t *g[8];
    size_t n = ll_leaks_at(r.json, "definitely_lost", src, ll_line("memo_paths.c", "@leak"), g, 8);
    LL_EQ(n, 4, "leak groups at the site; groups:\n%s", ll_describe_leaks(r.json));
    struct { const char *m1, *m2; long long blocks; } want[] = {
        { "@a", NULL, 40 }, { "@b", NULL, 30 }, { "@mid", "@x", 20 }, { "@mid", "@y", 10 } };
    for (size_t w = 0; w < 4; w++) {
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *st = ll_arr(g[i], "stack");
            if (!ll_frame_at(json_array_get(st, 1), src, ll_line("memo_paths.c", want[w].m1)))
                continue;
            if (want[w].m2 && !ll_frame_at(json_array_get(st, 2), src, ll_line("memo_paths.c", want[w].m2)))
                continue;
            LL_EQ(ll_int(g[i], "blocks"), want[w].blocks, "blocks by path %s %s", want[w].m1,
                  want[w].m2 ? want[w].m2 : "");
            found++;
        }
        LL_EQ(found, 1, "groups for path %s %s; groups:\n%s", want[w].m1, want[w].m2 ? want[w].m2 : "",
              ll_describe_leaks(r.json));
    }
    ll_run_free(&r);
}

/* More paths to one site than a thread's memo holds, each taken 60 times
 * (7,200 walks): paths that share the site, its stack pointer and the next
 * frame, and differ in the one above, must each get a stack with all of
 * their blocks.  Written for a cache of walks by signature (README, tried
 * and not kept), which it caught answering with another path's stack when
 * its hash was not checked. */
Test(leaks, paths_past_the_memo_keep_their_own_stacks)
{
    struct ll_run r;
    ll_run_json(&r, "many_paths", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    const char *src = LL_SRC("many_paths.c");
    const int outer[3] = { ll_line("many_paths.c", "@a"), ll_line("many_paths.c", "@b"),
                           ll_line("many_paths.c", "@c") };
    json_t *g[256];
    size_t n = ll_leaks_at(r.json, "definitely_lost", src, ll_line("many_paths.c", "@leak"), g, 256);
    LL_EQ(n, 120, "groups at the site (40 x 3 paths); groups:\n%s", ll_describe_leaks(r.json));
    int seen[40][3] = { { 0 } };
    for (size_t i = 0; i < n; i++) {
        json_t *st = ll_arr(g[i], "stack");
        const char *fn = ll_str(json_array_get(st, 1), "function");
        int j = -1, o = -1;
        cr_assert(fn && sscanf(fn, "mid_%d", &j) == 1 && j >= 0 && j < 40,
                  "frame 1 of group %zu is %s, not mid_J", i, fn ? fn : "(null)");
        for (int k = 0; k < 3; k++)
            if (ll_frame_at(json_array_get(st, 2), src, outer[k]))
                o = k;
        cr_assert(o >= 0, "frame 2 of group %zu (mid_%d) is not outer_a/b/c's call", i, j);
        seen[j][o]++;
        LL_EQ(ll_int(g[i], "blocks"), 60, "blocks through mid_%d and outer_%c", j, 'a' + o);
    }
    for (int j = 0; j < 40; j++)
        for (int o = 0; o < 3; o++)
            LL_EQ(seen[j][o], 1, "groups for mid_%d under outer_%c", j, 'a' + o);
    ll_run_free(&r);
}

/* Sixteen threads in a ring, each freeing the blocks the one before made
 * (handoff_ring.c): 2,048,000 blocks, each freed once by a thread that
 * did not make it, while the nurseries they were young in are judged and
 * emptied into the table by those frees.  No free goes wrong and the 160
 * blocks dropped are found, whole, at their line. */
Test(leaks, blocks_handed_around_a_ring_of_threads)
{
    struct ll_run r;
    ll_run_json(&r, "handoff_ring", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors; stderr:\n%.2000s", r.err);
    json_t *t = ll_get(r.json, "totals");
    LL_EQ(ll_int(t, "bad_frees"), 0, "bad frees");
    cr_expect_geq(ll_int(t, "allocations"), 16 * 2000 * 64, "allocations");
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 160, "definitely lost blocks; groups:\n%s",
          ll_describe_leaks(r.json));
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 160 * 64, "definitely lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost") + ll_summary_blocks(r.json, "possibly_lost"),
          0, "other lost blocks");
    json_t *g[4];
    size_t n = ll_leaks_at(r.json, "definitely_lost", LL_SRC("handoff_ring.c"),
                           ll_line("handoff_ring.c", "@make"), g, 4);
    LL_EQ(n, 1, "groups at make(); groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_int(g[0], "blocks"), 160, "blocks at make()");
    ll_run_free(&r);
}

/* Stacks that differ only far from the site: consecutive allocations share
 * the inner frames but not the outer caller, or the outer frames but not
 * the depth, and some run past the default 16 frames (the site's frame
 * changes size, so stack.c's replay serves it seldom and the walk often).
 * Each (outer caller, depth) gets its own stack, whole or cut at 16, and the
 * count the program printed. */
Test(leaks, stacks_differing_far_from_the_site_are_told_apart)
{
    struct ll_run r;
    ll_run_json(&r, "outer_paths", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    const char *src = LL_SRC("outer_paths.c");
    int leak = ll_line("outer_paths.c", "@leak"), in = ll_line("outer_paths.c", "@in"),
        rec = ll_line("outer_paths.c", "@rec"), mid = ll_line("outer_paths.c", "@mid"),
        site = ll_line("outer_paths.c", "@site");
    json_t *g[64];
    size_t n = ll_leaks_at(r.json, "definitely_lost", src, leak, g, 64);
    LL_EQ(n, 24, "groups at the site (2 callers x 12 depths); groups:\n%s", ll_describe_leaks(r.json));
    const char *line = r.out;
    for (int k = 0; k < 24; k++) {
        char who;
        int d, count, used;
        cr_assert(sscanf(line, "%c %d %d\n%n", &who, &d, &count, &used) == 3, "stdout: %s", r.out);
        line += used;
        int outer = ll_line("outer_paths.c", who == 'a' ? "@a" : "@b");
        int top = ll_line("outer_paths.c", who == 'a' ? "@ma" : "@mb");
        /* leaf, site, inner x (d + 1), mid, outer, main: cut at 16 */
        int want[32], nf = 0;
        want[nf++] = leak;
        want[nf++] = site;
        want[nf++] = in;
        for (int i = 0; i < d; i++)
            want[nf++] = rec;
        want[nf++] = mid;
        want[nf++] = outer;
        want[nf++] = top;
        if (nf > 16)
            nf = 16;
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *st = ll_arr(g[i], "stack");
            if (json_array_size(st) != (size_t)nf)
                continue;
            int same = 1;
            for (int f = 0; f < nf && same; f++)
                same = ll_frame_at(json_array_get(st, (size_t)f), src, want[f]);
            if (!same)
                continue;
            found++;
            LL_EQ(ll_int(g[i], "blocks"), count, "blocks through outer_%c at depth %d", who, d);
        }
        LL_EQ(found, 1, "groups for outer_%c at depth %d (%d frames); groups:\n%s", who, d, nf,
              ll_describe_leaks(r.json));
    }
    ll_run_free(&r);
}

/* Functions of the program whose names hold "_start" are its own code: the
 * text report names the site after them and shows them and main; only
 * libc's own start-up frames are left out. */
Test(leaks, program_functions_named_start_are_shown)
{
    struct ll_run r;
    ll_run_raw(&r, "leak_start_named", 1, "color=never", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "allocated by malloc (alignment 16) in get_start"),
              "the site is named; stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "#1 session_start "), "stderr:\n%.3000s", r.err);
    cr_assert(ll_contains(r.err, "#2 main "), "stderr:\n%.3000s", r.err);
    ll_run_free(&r);
}

/* A block allocated while exit() runs the atexit handlers: its stack goes
 * through libleak's exit() wrapper, which is not shown (its frames are no
 * part of the program, and would use up depth and enter signatures). */
Test(leaks, exit_wrapper_frames_left_out)
{
    struct ll_run r;
    ll_run_json(&r, "leak_in_atexit", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("leak_in_atexit.c"),
                           ll_line("leak_in_atexit.c", "@leak"));
    cr_assert(g != NULL, "the leak; groups:\n%s", ll_describe_leaks(r.json));
    size_t i;
    json_t *f;
    int caller = 0;
    json_array_foreach(ll_arr(g, "stack"), i, f) {
        const json_t *o = json_object_get(f, "object");
        cr_assert(!json_is_string(o) || !strstr(json_string_value(o), "libleak"),
                  "frame %zu is libleak's; groups:\n%s", i, ll_describe_leaks(r.json));
        const json_t *l = json_object_get(f, "line");
        caller |= json_is_integer(l) &&
                  json_integer_value(l) == ll_line("leak_in_atexit.c", "@exit");
    }
    cr_assert(caller, "the caller of exit is in the stack; groups:\n%s",
              ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* A library's destructor that frees the array holding the program's blocks
 * runs after libleak's own (libleak, preloaded, needs none of the program's
 * libraries): the report waits for exit()'s last flush of stdio, so the
 * blocks read lost, as Valgrind reads them (120 bytes in 5 blocks
 * definitely lost).  They read still reachable when the report came from
 * libleak's destructor.  The same when that destructor then flushes every
 * stream (the report comes then) or ends the process with _exit(7) (the
 * report is exit()'s; the status stays 7). */
static void late_dtor(const char *then, int status)
{
    struct ll_run r;
    const char *args[] = { then, NULL };
    ll_run_json(&r, "late_dtor", NULL, then ? args : NULL);
    LL_EQ(r.status, status, "%s: exit status; stderr:\n%.1000s", then ? then : "-", r.err);
    ll_check_schema(r.json);
    long long blocks = 0;
    long long bytes = ll_bytes_at(r.json, "definitely_lost", LL_SRC("late_dtor.c"),
                                  ll_line("late_dtor.c", "@late-item"), &blocks);
    LL_EQ(bytes, 120, "%s: definitely lost bytes at the item line; groups:\n%s",
          then ? then : "-", ll_describe_leaks(r.json));
    LL_EQ(blocks, 5, "%s: definitely lost blocks", then ? then : "-");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 0, "indirectly lost blocks");
    ll_run_free(&r);
}

Test(leaks, blocks_a_library_destructor_lets_go_of_are_lost)
{
    late_dtor(NULL, 0);
    late_dtor("flush", 0);
    late_dtor("exit", 7);
}

/* Threads whose live sets outgrow their nurseries (so their blocks go to
 * the table directly, see nursery.c), some of them freed by main: exactly
 * the 15 blocks dropped are lost, at their line, and nothing else. */
Test(leaks, threads_outgrowing_their_nurseries_lose_exactly_what_they_drop)
{
    struct ll_run r;
    ll_run_json(&r, "big_live", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_STREQ(r.out, "big_live: done\n", "stdout");
    ll_check_schema(r.json);
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 15, "definitely lost blocks; groups:\n%s",
          ll_describe_leaks(r.json));
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 15 * 77, "definitely lost bytes");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 0, "indirectly lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("big_live.c"),
                      ll_line("big_live.c", "@lost"), &n), 15 * 77,
          "lost at @lost; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(n, 15, "blocks lost at @lost");
    json_t *totals = ll_get(r.json, "totals");
    cr_assert_geq(ll_int(totals, "allocations"), 3 * 200000, "totals.allocations");
    LL_EQ(ll_int(totals, "dropped_records"), 0, "totals.dropped_records");
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors");
    ll_run_free(&r);
}
