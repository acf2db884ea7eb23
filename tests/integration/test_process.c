/* test_process.c - threads and fork. */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

Test(process, threads_each_leak_is_found)
{
    struct ll_run r;
    ll_run_json(&r, "threads", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "threads: 4 joined\n", "stdout");
    ll_check_schema(r.json);
    long long blocks;
    long long bytes = ll_bytes_at(r.json, "definitely_lost", LL_SRC("threads.c"),
                                  ll_line("threads.c", "@thread-leak"), &blocks);
    LL_EQ(bytes, 1000 + 1001 + 1002 + 1003, "definitely lost bytes at the thread leak line; groups:\n%s",
          ll_describe_leaks(r.json));
    LL_EQ(blocks, 4, "definitely lost blocks at the thread leak line");
    json_t *g = NULL;
    ll_leaks_at(r.json, "definitely_lost", LL_SRC("threads.c"), ll_line("threads.c", "@thread-leak"), &g, 1);
    LL_STREQ(ll_str(ll_top_frame(ll_get(g, "stack")), "function"), "worker", "stack[0].function");
    json_t *totals = ll_get(r.json, "totals");
    cr_assert_geq(ll_int(totals, "allocations"), 4 * 2001, "totals.allocations %lld", ll_int(totals, "allocations"));
    cr_assert_geq(ll_int(totals, "frees"), 4 * 2000, "totals.frees %lld", ll_int(totals, "frees"));
    LL_EQ(ll_int(totals, "dropped_records"), 0, "totals.dropped_records");
    ll_run_free(&r);
}

/* The thread machinery (thread stacks, their TLS and DTV, kept in glibc's
 * stack cache after join) must not show up as lost memory. */
Test(process, threads_no_false_positives)
{
    struct ll_run r;
    ll_run_json(&r, "threads", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 4006, "definitely lost bytes (only the 4 leaks); groups:\n%s",
          ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 4, "definitely lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 0, "indirectly lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(process, fork_child_each_process_writes_its_report)
{
    struct ll_run r;
    ll_run_raw(&r, "fork_child", 1, "format=json:output={dir}/r.%p.json", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    long child = 0;
    const char *c = strstr(r.out, "child pid ");
    cr_assert_not_null(c, "no child pid in stdout:\n%s", r.out);
    child = strtol(c + 10, NULL, 10);
    cr_assert(ll_contains(r.out, "parent: child exited with 0\n"), "stdout:\n%s", r.out);

    int reports = 0;
    DIR *d = opendir(r.dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "r.", 2) == 0)
            reports++;
    closedir(d);
    LL_EQ(reports, 2, "r.*.json files in %s", r.dir);

    int leak = ll_line("fork_child.c", "@leak");
    struct { long pid; long long own; } procs[2] = { { r.pid, 111 }, { child, 222 } };
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/r.%ld.json", r.dir, procs[i].pid);
        json_t *j = ll_load_json(path);
        ll_check_schema(j);
        LL_EQ(ll_int(j, "pid"), procs[i].pid, "pid in %s", path);
        long long blocks;
        long long bytes = ll_bytes_at(j, "definitely_lost", LL_SRC("fork_child.c"), leak, &blocks);
        /* 33 bytes leaked before the fork belong to both processes */
        LL_EQ(bytes, 33 + procs[i].own, "%s: definitely lost bytes at the leak line; groups:\n%s",
              i ? "child" : "parent", ll_describe_leaks(j));
        LL_EQ(blocks, 2, "%s: definitely lost blocks at the leak line", i ? "child" : "parent");
        LL_EQ(ll_summary_bytes(j, "definitely_lost"), 33 + procs[i].own, "%s: definitely lost bytes",
              i ? "child" : "parent");
        json_decref(j);
    }
    ll_run_free(&r);
}

/* started=: a marker from each process, the fork child's written by the
 * fork handler (a forked worker the OOM killer ends is a process not
 * checked); each pairs with its report by pid and start time. */
Test(process, fork_child_writes_its_own_start_marker)
{
    struct ll_run r;
    ll_run_raw(&r, "fork_child", 1, "format=json:output={dir}/r.%p.json:started={dir}/s.%p.start",
               NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    const char *c = strstr(r.out, "child pid ");
    cr_assert_not_null(c, "no child pid in stdout:\n%s", r.out);
    long pids[2] = { r.pid, strtol(c + 10, NULL, 10) };
    int markers = 0;
    DIR *d = opendir(r.dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        markers += strncmp(e->d_name, "s.", 2) == 0;
    closedir(d);
    LL_EQ(markers, 2, "s.*.start files in %s", r.dir);
    for (int i = 0; i < 2; i++) {
        json_t *k = ll_load_json(ll_fmt("%s/s.%ld.start", r.dir, pids[i]));
        json_t *j = ll_load_json(ll_fmt("%s/r.%ld.json", r.dir, pids[i]));
        LL_EQ(ll_int(k, "pid"), pids[i], "the marker's pid");
        LL_EQ(ll_int(k, "start_time"), ll_int(j, "start_time"), "the report's start time");
        cr_assert_gt(ll_int(k, "start_time"), 0, "a start time");
        cr_assert(ll_contains(json_string_value(json_array_get(ll_arr(k, "command"), 0)),
                              "fork_child"), "the command");
        json_decref(k);
        json_decref(j);
    }
    ll_run_free(&r);
}

/* A program that rewrites its argv after it starts (head, git, ld do) is
 * named in its report, JSON and text, by the command it was started with:
 * until 2026-11-27 the report read argv at exit ("head -40" was "head
 * head"). */
Test(process, report_names_the_command_as_started)
{
    const char *args[] = { "one", "two", "three", NULL };
    struct ll_run r;
    ll_run_json(&r, "argv_rewrite", NULL, args);
    LL_EQ(r.status, 0, "exit status; stderr:\n%s", r.err);
    json_t *cmd = ll_arr(r.json, "command");
    LL_EQ(json_array_size(cmd), 4, "words in the command");
    cr_assert(ll_contains(json_string_value(json_array_get(cmd, 0)), "argv_rewrite"),
              "the program");
    for (int i = 1; i < 4; i++)
        LL_STREQ(json_string_value(json_array_get(cmd, (size_t)i)), args[i - 1], "word %d", i);
    ll_run_free(&r);
    ll_run_raw(&r, "argv_rewrite", 1, "", args);
    cr_assert(ll_contains(r.err, "argv_rewrite one two three\n"),
              "the text report's command line; stderr:\n%s", r.err);
    ll_run_free(&r);
}

/* libleak's static TLS comes out of every thread's stack: it must stay
 * small enough for threads asking for PTHREAD_STACK_MIN or 32 KiB. */
Test(process, threads_with_small_stacks_are_created)
{
    struct ll_run r;
    ll_run_json(&r, "small_stacks", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "small_stacks: 16384 bytes: ok\nsmall_stacks: 32768 bytes: ok\n", "stdout");
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 0, "definitely lost bytes");
    ll_run_free(&r);
}

/* A program with an allocator of its own (own_malloc defines malloc, free,
 * calloc and realloc, as rustc does with jemalloc): the global scope finds
 * it before libleak's, so none of its blocks reaches libleak.  The report
 * says so, naming the program, instead of reading "every block was freed";
 * a usual program's says null. */
Test(process, allocator_defined_by_the_program_is_reported_not_seen)
{
    struct ll_run r;
    ll_run_json(&r, "own_malloc", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "own_malloc: done\n", "stdout");
    ll_check_schema(r.json);
    const char *by = ll_str(ll_get(r.json, "check"), "allocator_hidden_by");
    cr_assert(by && strlen(by) > 11 && strcmp(by + strlen(by) - 11, "/own_malloc") == 0,
              "check.allocator_hidden_by: %s", by ? by : "null");
    LL_EQ(ll_int(ll_get(r.json, "totals"), "allocations"), 0, "totals.allocations");
    ll_run_free(&r);

    ll_run_raw(&r, "own_malloc", 1, "", NULL);
    cr_assert(ll_contains(r.err, "summary: not known: the program's blocks never reached "
                                 "libleak (see the note)"), "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, "note: malloc is defined ahead of libleak's, by /"),
              "stderr:\n%s", r.err);
    ll_run_free(&r);

    ll_run_json(&r, "leak_simple", NULL, NULL);
    cr_assert(json_is_null(json_object_get(ll_get(r.json, "check"), "allocator_hidden_by")),
              "a usual program's allocator is seen");
    ll_run_free(&r);
}

/* A non-PIE program that takes malloc's address in its code (Debian's
 * python3.11 does) has an undefined malloc whose value is its PLT entry,
 * and dlsym returns that entry: the program defines no allocator, and its
 * report is a usual one (it read "not known" for python3.11). */
Test(process, program_taking_mallocs_address_is_not_taken_for_its_definer)
{
    struct ll_run r;
    ll_run_json(&r, "nopie_malloc_addr", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "nopie_malloc_addr: done\n", "stdout");
    ll_check_schema(r.json);
    cr_assert(json_is_null(json_object_get(ll_get(r.json, "check"), "allocator_hidden_by")),
              "check.allocator_hidden_by: %s",
              ll_str(ll_get(r.json, "check"), "allocator_hidden_by"));
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 40, "definitely lost bytes");
    ll_run_free(&r);
}
