/* test_reach.c - the classification corpus (issue 3): one heap shape per
 * run of tests/programs/reach_cases, exact bytes and blocks per kind.
 *
 * Each case was run once under Valgrind 3.19 memcheck while this was
 * written (valgrind --leak-check=full build/programs/reach_cases CASE);
 * its LEAK SUMMARY is quoted above each test as "valgrind: definite /
 * indirect / possible / reachable" in bytes/blocks.  Where libleak differs
 * on purpose, the test says why. */
#include "harness.h"

#include <string.h>
#include <unistd.h>

struct kinds { long long def, def_n, ind, ind_n, pos, pos_n; };

static void run_case_with(struct ll_run *r, const char *name, const char *options)
{
    const char *args[] = { name, NULL };
    ll_run_json(r, "reach_cases", options, args);
    LL_EQ(r->status, 0, "%s: exit status; stderr:\n%.2000s", name, r->err);
    LL_STREQ(r->out, "reach_cases: done\n", "%s: stdout", name);
    ll_check_schema(r->json);
}

static void run_case(struct ll_run *r, const char *name)
{
    run_case_with(r, name, "show_reachable=1");
}

/* Threads the leak check left running (their whole stacks scanned). */
static long long not_stopped(const struct ll_run *r)
{
    return ll_int(ll_get(r->json, "check"), "threads_not_stopped");
}

static void expect_lost(struct ll_run *r, const char *name, struct kinds k)
{
    const json_t *j = r->json;
    LL_EQ(ll_summary_bytes(j, "definitely_lost"), k.def, "%s: definitely lost bytes; groups:\n%s", name, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "definitely_lost"), k.def_n, "%s: definitely lost blocks", name);
    LL_EQ(ll_summary_bytes(j, "indirectly_lost"), k.ind, "%s: indirectly lost bytes; groups:\n%s", name, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "indirectly_lost"), k.ind_n, "%s: indirectly lost blocks", name);
    LL_EQ(ll_summary_bytes(j, "possibly_lost"), k.pos, "%s: possibly lost bytes; groups:\n%s", name, ll_describe_leaks(j));
    LL_EQ(ll_summary_blocks(j, "possibly_lost"), k.pos_n, "%s: possibly lost blocks", name);
}

/* The blocks allocated at the line marked `marker` are of `kind`. */
static void expect_at(struct ll_run *r, const char *kind, const char *marker,
                      long long bytes, long long blocks)
{
    long long n = 0;
    long long b = ll_bytes_at(r->json, kind, LL_SRC("reach_cases.c"),
                              ll_line("reach_cases.c", marker), &n);
    LL_EQ(b, bytes, "%s bytes at %s; groups:\n%s", kind, marker, ll_describe_leaks(r->json));
    LL_EQ(n, blocks, "%s blocks at %s", kind, marker);
}

static void simple(const char *name, struct kinds k)
{
    struct ll_run r;
    run_case(&r, name);
    expect_lost(&r, name, k);
    ll_run_free(&r);
}

/* The same, and the one block at marker is of kind, bytes in blocks. */
static void simple_at(const char *name, struct kinds k, const char *kind, const char *marker,
                      long long bytes, long long blocks)
{
    struct ll_run r;
    run_case(&r, name);
    expect_lost(&r, name, k);
    expect_at(&r, kind, marker, bytes, blocks);
    ll_run_free(&r);
}

/* The same shapes with another allocator preloaded after libleak (the
 * next one).  jemalloc's own records (extents, thread caches) lie in
 * mappings it made, which hold block addresses: read as roots, they made
 * every one of these blocks "still reachable".  tcmalloc keeps its records
 * in memory it takes with sbrk. */
static void with_allocator(const char *allocator, const char *name, struct kinds k)
{
    struct ll_run r;
    ll_preload_allocator(allocator);
    run_case(&r, name);
    expect_lost(&r, name, k);
    ll_run_free(&r);
}

Test(reach, jemalloc_lost_list_head_definite)
{
    with_allocator(LL_JEMALLOC, "list", (struct kinds){ 32, 1, 288, 9, 0, 0 });
}
Test(reach, jemalloc_lost_cycle_one_definite)
{
    with_allocator(LL_JEMALLOC, "cycle", (struct kinds){ 40, 1, 80, 2, 0, 0 });
}
Test(reach, tcmalloc_lost_list_head_definite)
{
    with_allocator(LL_TCMALLOC, "list", (struct kinds){ 32, 1, 288, 9, 0, 0 });
}

/* A library that only wraps malloc, free, calloc and realloc and passes
 * them on (binutils' libgprofng does) is the next malloc, but no allocator
 * of its own: the list its own code leaks is lost, 32/1 definite and
 * 288/9 indirect, as Valgrind reads it; taken for an allocator, whose own
 * blocks are its bookkeeping, every block its code made read still
 * reachable (gp-display-src: 449 blocks definitely lost in Valgrind, none
 * here). */
Test(reach, malloc_wrapper_library_is_no_allocator)
{
    struct ll_run r;
    ll_preload_allocator(LL_PROGRAMS "/libwrapmalloc.so");
    ll_run_json(&r, "wrap_malloc", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_STREQ(r.out, "wrap_malloc: done\n", "stdout");
    ll_check_schema(r.json);
    expect_lost(&r, "wrap_malloc", (struct kinds){ 32, 1, 288, 9, 0, 0 });
    ll_run_free(&r);
}

/* valgrind: 0/0, 0/0, 0/0, 72/1.  The frame that called exit() held the
 * block in a callee-saved register only (lscpu --help holds its context
 * so): the registers recovered for that frame are roots, but they were
 * kept on libleak's big stack, whose pages the scan never reads, and the
 * block read definitely lost. */
/* A thread's start argument is kept by glibc in its record of the thread
 * (in the thread's stack block, a root) for the thread's life: 32 blocks
 * handed to threads that never store them read still reachable, as in
 * Valgrind, whether the thread has started (16) or may not have yet (16,
 * created just before exit()).  libleak's own start stands between
 * pthread_create and the program's: the 32 read definitely lost. */
Test(reach, thread_start_argument_is_still_reachable)
{
    struct ll_run r;
    ll_run_json(&r, "thread_start_arg", "show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_STREQ(r.out, "thread_start_arg: 1 started\n", "stdout");
    const char *src = LL_SRC("thread_start_arg.c");
    int arg = ll_line("thread_start_arg.c", "@arg");
    json_t *g[8];
    size_t n = ll_leaks_at(r.json, "definitely_lost", src, arg, g, 8);
    LL_EQ(n, 0, "arguments definitely lost; groups:\n%s", ll_describe_leaks(r.json));
    n = ll_leaks_at(r.json, "still_reachable", src, arg, g, 8);
    long blocks = 0;
    for (size_t i = 0; i < n; i++)
        blocks += ll_int(g[i], "blocks");
    LL_EQ(blocks, 32, "arguments still reachable; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* A handler with SA_ONSTACK in a program that sets no signal stack runs on
 * the one libleak gives each thread: its frames are the program's, in
 * libleak's memory.  A block held there, by another thread's handler that
 * waits or by a handler that calls exit(), is still reachable, as Valgrind
 * says (natively the handler runs on the thread's stack); it read
 * definitely lost. */
static void held_on_signal_stack(const char *mode, const char *marker, long long bytes)
{
    const char *args[] = { mode, NULL };
    struct ll_run r;
    ll_run_json(&r, "handler_on_signal_stack", "show_reachable=1", args);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.2000s", mode, r.err);
    const char *src = LL_SRC("handler_on_signal_stack.c");
    int line = ll_line("handler_on_signal_stack.c", marker);
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", src, line, NULL), 0,
          "%s: definitely lost at %s; groups:\n%s", mode, marker, ll_describe_leaks(r.json));
    LL_EQ(ll_bytes_at(r.json, "still_reachable", src, line, NULL), bytes,
          "%s: still reachable at %s; groups:\n%s", mode, marker, ll_describe_leaks(r.json));
    ll_run_free(&r);
}

Test(reach, frames_of_a_handler_on_libleaks_signal_stack_are_roots)
{
    held_on_signal_stack("thread", "@held", 77);
    held_on_signal_stack("exit", "@held-exit", 55);
}

Test(reach, register_of_the_frame_calling_exit_is_a_root)
{
    simple_at("exit-register", (struct kinds){ 0, 0, 0, 0, 0, 0 }, "still_reachable", "@exit-register", 72, 1);
}

/* valgrind: 32/1, 288/9, 0/0, 0/0 */
Test(reach, lost_list_head_definite) { simple("list", (struct kinds){ 32, 1, 288, 9, 0, 0 }); }

/* valgrind: 48/1, 288/6, 0/0, 0/0 */
Test(reach, lost_tree_root_definite) { simple("tree", (struct kinds){ 48, 1, 288, 6, 0, 0 }); }

/* valgrind: 40/1, 80/2, 0/0, 0/0 */
Test(reach, lost_cycle_one_definite) { simple("cycle", (struct kinds){ 40, 1, 80, 2, 0, 0 }); }

/* valgrind: 24/1, 0/0, 0/0, 0/0 */
Test(reach, pointer_to_self_is_lost) { simple("self", (struct kinds){ 24, 1, 0, 0, 0, 0 }); }

/* valgrind: 0/0, 0/0, 100/1, 0/0 */
Test(reach, only_interior_pointer_is_possible)
{
    simple_at("interior", (struct kinds){ 0, 0, 0, 0, 100, 1 }, "possibly_lost", "@interior", 100, 1);
}

/* valgrind: 64/1, 0/0, 0/0, 0/0 */
Test(reach, pointer_one_byte_before_is_no_pointer) { simple("before", (struct kinds){ 64, 1, 0, 0, 0, 0 }); }

/* valgrind: 0/1, 0/0, 0/0, 0/1 */
Test(reach, malloc_zero_blocks)
{
    struct ll_run r;
    run_case(&r, "zero");
    expect_lost(&r, "zero", (struct kinds){ 0, 1, 0, 0, 0, 0 });
    expect_at(&r, "definitely_lost", "@zero-lost", 0, 1);
    expect_at(&r, "still_reachable", "@zero-kept", 0, 1);
    ll_run_free(&r);
}

/* valgrind: 0/0, 0/0, 67,108,864/1, 67,108,880/2.  Valgrind calls the
 * lost 64 MiB block possibly lost: some word of its run holds a value in
 * that 64 MiB range (a lone lost 64 MiB block is "possibly lost" there
 * too, a lone 1 MiB one definitely lost).  Nothing in the program points
 * into it: libleak's definitely lost is the right answer. */
Test(reach, big_blocks_64_mib)
{
    struct ll_run r;
    run_case(&r, "big");
    expect_lost(&r, "big", (struct kinds){ 64ll << 20, 1, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", "@big-kept", 64ll << 20, 1);
    expect_at(&r, "still_reachable", "@big-child", 16, 1);   /* its last word */
    ll_run_free(&r);
}

/* valgrind: 0/0, 0/0, 0/0, 333/2 */
Test(reach, globals_in_data_and_bss)
{
    struct ll_run r;
    run_case(&r, "globals");
    expect_lost(&r, "globals", (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", "@data", 111, 1);
    expect_at(&r, "still_reachable", "@bss", 222, 1);
    ll_run_free(&r);
}

/* A thread still running at exit (stopped by a signal, not ptrace).
 * valgrind: 0/0, 0/0, 288/1, 300/1 for the stack case, 400/1 for the
 * register case, 500/1 for the TLS case.  The 288 bytes are the thread's
 * DTV, which its TCB points to 16 bytes in: Valgrind calls it possibly
 * lost; libleak knows the TCB and counts it reachable (src/tls.c). */
static void live_thread(const char *name, const char *marker, long long bytes)
{
    struct ll_run r;
    run_case(&r, name);
    expect_lost(&r, name, (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", marker, bytes, 1);
    LL_EQ(not_stopped(&r), 0, "%s: threads that did not stop", name);
    ll_run_free(&r);
}

Test(reach, live_thread_holds_only_pointer_on_its_stack)
{
    live_thread("thread-stack", "@thread-stack", 300);
}

Test(reach, live_thread_holds_only_pointer_in_a_register)
{
    live_thread("thread-register", "@thread-register", 400);
}

Test(reach, thread_local_of_a_live_thread) { live_thread("thread-tls", "@tls-thread", 500); }

/* valgrind: 0/0, 0/0, 0/0, 600/1 (the main thread's static TLS lies in
 * an anonymous mapping ld.so made, not in any object's segments). */
Test(reach, thread_local_of_the_main_thread)
{
    simple_at("tls-main", (struct kinds){ 0, 0, 0, 0, 0, 0 }, "still_reachable", "@tls-main", 600, 1);
}

/* valgrind: 0/0, 0/0, 0/0, 2,154/6 (reachable: the 700-byte block, the
 * TLS block, ld.so's; libleak counts 2 more of ld.so's that Valgrind's
 * __libc_freeres had freed). */
Test(reach, dynamic_tls_of_a_dlopened_library)
{
    struct ll_run r;
    run_case(&r, "dyn-tls");
    expect_lost(&r, "dyn-tls", (struct kinds){ 0, 0, 0, 0, 0, 0 });
    int line = ll_line("libreach_dyn.c", "@dyn-tls");
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "still_reachable", LL_SRC("libreach_dyn.c"), line, &n), 700,
          "reachable bytes from the dynamic TLS variable; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* valgrind: 0/0, 0/0, 0/0, 800/1 */
Test(reach, pthread_setspecific_value)
{
    simple_at("setspecific", (struct kinds){ 0, 0, 0, 0, 0, 0 }, "still_reachable", "@setspecific", 800, 1);
}

/* valgrind: 0/0, 0/0, 0/0, 900/1 */
Test(reach, block_reached_only_from_an_anonymous_mmap)
{
    simple_at("mmap", (struct kinds){ 0, 0, 0, 0, 0, 0 }, "still_reachable", "@mmap", 900, 1);
}

/* One case of tests/programs/reach_anon (exit status 3: its mappings did
 * not take the shape the case is about). */
static void anon_case(struct ll_run *r, const char *name)
{
    const char *args[] = { name, NULL };
    ll_run_json(r, "reach_anon", "show_reachable=1", args);
    LL_EQ(r->status, 0, "%s: exit status; stderr:\n%.2000s", name, r->err);
    LL_STREQ(r->out, "reach_anon: done\n", "%s: stdout", name);
    ll_check_schema(r->json);
}

/* expect_at, for reach_anon.c's markers. */
static void expect_anon_at(struct ll_run *r, const char *kind, const char *marker,
                           long long bytes, long long blocks)
{
    long long n = 0;
    long long b = ll_bytes_at(r->json, kind, LL_SRC("reach_anon.c"),
                              ll_line("reach_anon.c", marker), &n);
    LL_EQ(b, bytes, "%s bytes at %s; groups:\n%s", kind, marker, ll_describe_leaks(r->json));
    LL_EQ(n, blocks, "%s blocks at %s", kind, marker);
}

/* The kernel merges the program's own mmap region with the 70 mmapped
 * chunks of glibc's big blocks below it into one mapping: the region is
 * still a root (the mapping was skipped whole as the allocator's heap for
 * holding more than 64 blocks, and the block read definitely lost).
 * valgrind: 0/0, 0/0, 0/0, 14,336,040/71 (under it, no merge). */
Test(reach, mmap_region_merged_with_big_blocks_is_a_root)
{
    struct ll_run r;
    anon_case(&r, "merged");
    expect_lost(&r, "merged", (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_anon_at(&r, "still_reachable", "@merged-mmap", 40, 1);
    expect_anon_at(&r, "still_reachable", "@merged-big", 70 * (200 << 10), 70);
    ll_run_free(&r);
}

/* A thread's glibc arena heap is no root, though it holds only a few
 * blocks: a freed chunk there keeps the only, stale, pointer to a block.
 * valgrind: 24/1, 0/0, 0/0, 800/8 (libleak: 288 bytes more reachable, the
 * exited thread's DTV, which Valgrind's __libc_freeres had freed). */
Test(reach, arena_heap_is_no_root)
{
    struct ll_run r;
    anon_case(&r, "arena");
    expect_lost(&r, "arena", (struct kinds){ 24, 1, 0, 0, 0, 0 });
    expect_anon_at(&r, "definitely_lost", "@arena-lost", 24, 1);
    expect_anon_at(&r, "still_reachable", "@arena-kept", 700, 7);
    ll_run_free(&r);
}

/* A private writable mapping of a file is a root where the program wrote
 * it (a JVM maps its class-data archive so, and keeps malloc'd blocks
 * there: a small java -Xint run read 224 blocks definitely lost, Valgrind
 * 7), whether the mapping
 * is read by pages (4 MiB) or whole (4 KiB).
 * valgrind: 0/0, 0/0, 0/0, 72/2 */
Test(reach, private_file_mapping_written_by_the_program_is_a_root)
{
    struct ll_run r;
    anon_case(&r, "file");
    expect_lost(&r, "file", (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_anon_at(&r, "still_reachable", "@file-big", 48, 1);
    expect_anon_at(&r, "still_reachable", "@file-small", 24, 1);
    ll_run_free(&r);
}

/* glibc hands a freed chunk out again at once, its bytes as they were: the
 * only pointers to 8 lost blocks lie in a new array that never wrote them
 * (free itself overwrote the first two).  libleak reads the words as they
 * are: 6 blocks still reachable, 2 lost; Valgrind, whose allocator does not
 * hand freed memory out again soon, reads all 8 lost.  With glibc's own
 * tunables, no per-thread cache and freed memory overwritten, libleak gives
 * Valgrind's figures (README, "What the kinds mean").
 * valgrind: 264/8, 0/0, 0/0, 512/1 */
#define LL_FRESH_MEMORY "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.perturb=165"
Test(reach, pointers_left_in_recycled_memory)
{
    struct ll_run r;
    run_case(&r, "recycled");
    expect_lost(&r, "recycled", (struct kinds){ 66, 2, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", "@recycled-lost", 6 * 33, 6);
    ll_run_free(&r);
    ll_env_extra = LL_FRESH_MEMORY;
    run_case(&r, "recycled");
    expect_lost(&r, "recycled", (struct kinds){ 264, 8, 0, 0, 0, 0 });
    expect_at(&r, "definitely_lost", "@recycled-lost", 264, 8);
    ll_run_free(&r);
}

/* Case `name`'s one block (at marker, `bytes`) reads still reachable by
 * default, and `kind` with freelist=1 (k: the lost kinds then), as under
 * Valgrind, whose allocator keeps freed memory out of use. */
static void freelist_case(const char *name, const char *marker, long long bytes,
                          const char *kind, struct kinds k)
{
    struct ll_run r;
    run_case(&r, name);
    expect_lost(&r, name, (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", marker, bytes, 1);
    ll_run_free(&r);
    run_case_with(&r, name, "show_reachable=1:freelist=1");
    expect_lost(&r, ll_fmt("%s freelist=1", name), k);
    expect_at(&r, kind, marker, bytes, 1);
    ll_run_free(&r);
}

/* A pointer left dangling to a freed block reaches the new block glibc put
 * at its address, which the program lost; with freelist=1 the freed block
 * is kept out of use and the new one reads lost.
 * valgrind: 32/1, 0/0, 0/0, 0/0 */
Test(reach, dangling_pointer_to_a_reused_chunk_with_a_freelist)
{
    freelist_case("dangling", "@dangling-lost", 32, "definitely_lost",
                  (struct kinds){ 32, 1, 0, 0, 0, 0 });
}

/* A copy of a block's address kept across a realloc that grew it in place
 * points to its start; with freelist=1 realloc moves the block, as
 * Valgrind's does, and only the cursor into the new one is left.
 * valgrind: 0/0, 0/0, 512/1, 0/0 */
Test(reach, copy_kept_across_realloc_with_a_freelist)
{
    freelist_case("grown", "@grown", 512, "possibly_lost", (struct kinds){ 0, 0, 0, 0, 512, 1 });
}

/* The blocks a freelist keeps are not scanned: a freed 160 KiB table, on a
 * mapping of its own that stays while it is kept, held the only pointers
 * to 4000 blocks.  Until 2026-11-27 they read still reachable with a
 * freelist (troff's hash table: 2,060 blocks).  valgrind: 32,000/4,000 */
Test(reach, blocks_a_freelist_keeps_are_not_scanned)
{
    struct ll_run r;
    run_case_with(&r, "kept-big", "show_reachable=1:freelist=1");
    expect_lost(&r, "kept-big freelist=1", (struct kinds){ 32000, 4000, 0, 0, 0, 0 });
    expect_at(&r, "definitely_lost", "@kept-big", 32000, 4000);
    ll_run_free(&r);
}

/* PROT_NONE, write-only and unmapped pages left at exit, each holding the
 * only pointer to a block: skipped without a fault, the blocks lost.
 * valgrind: 126/3, 0/0, 0/0, 0/0 */
Test(reach, unreadable_mappings_are_skipped)
{
    struct ll_run r;
    run_case(&r, "unreadable");
    expect_lost(&r, "unreadable", (struct kinds){ 126, 3, 0, 0, 0, 0 });
    expect_at(&r, "definitely_lost", "@prot-none", 41, 1);
    expect_at(&r, "definitely_lost", "@write-only", 42, 1);
    expect_at(&r, "definitely_lost", "@unmapped", 43, 1);
    ll_run_free(&r);
}

/* Stale copies in a returned function's frame (not scrubbed).
 * valgrind: 400/8, 0/0, 0/0, 0/0 */
/* valgrind: 0/0, 0/0, 4,113/2, 0/0.  The C library's data is a root like
 * any other object's: a pointer into a block's middle there (strtok's saved
 * position, stdout's buffer from setvbuf) makes it possibly lost.  Only the
 * words of malloc's own state that point at a chunk header are not counted
 * (the other reach tests, whose last block lies below the top chunk). */
Test(reach, interior_pointers_in_libc_data_are_possible)
{
    struct ll_run r;
    run_case(&r, "libc-interior");
    expect_lost(&r, "libc-interior", (struct kinds){ 0, 0, 0, 0, 4113, 2 });
    expect_at(&r, "possibly_lost", "@strtok", 17, 1);
    expect_at(&r, "possibly_lost", "@setvbuf", 4096, 1);
    ll_run_free(&r);
}

/* valgrind: 0/0, 0/0, 40/1, 40/1 ("of which reachable via heuristic:
 * multipleinheritance: 40 bytes in 1 blocks").  A pointer to an object's
 * second vtable pointer, with another at its start, counts as a start
 * pointer; the same pointer to a word that is no vtable does not. */
Test(reach, pointer_to_a_second_base_class_is_a_start_pointer)
{
    struct ll_run r;
    run_case(&r, "multi-inherit");
    expect_lost(&r, "multi-inherit", (struct kinds){ 0, 0, 0, 0, 40, 1 });
    expect_at(&r, "still_reachable", "@multi-inherit", 40, 1);
    expect_at(&r, "possibly_lost", "@multi-not-vtable", 40, 1);
    ll_run_free(&r);
}

Test(reach, stale_pointers_in_a_dead_frame_are_no_roots)
{
    simple("dead-frame", (struct kinds){ 400, 8, 0, 0, 0, 0 });
}

/* Several cases in one process: their figures add up.  Not run under
 * Valgrind as such; the expected values are the sums of the cases above. */
Test(reach, many_cases_in_one_process)
{
    struct ll_run r;
    const char *args[] = { "list", "cycle", "interior", "thread-register", "tls-main",
                           "setspecific", "mmap", "unreadable", NULL };
    ll_run_json(&r, "reach_cases", "show_reachable=1", args);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    expect_lost(&r, "many", (struct kinds){ 32 + 40 + 126, 1 + 1 + 3, 288 + 80, 9 + 2, 100, 1 });
    expect_at(&r, "still_reachable", "@thread-register", 400, 1);
    expect_at(&r, "still_reachable", "@mmap", 900, 1);
    ll_run_free(&r);
}

/* A thread that blocks every signal cannot be stopped: its whole stack is
 * scanned, the report says so and why (not stderr: the program's own), and
 * it keeps mapping and unmapping memory meanwhile without crashing the scan.
 * valgrind: not comparable (Valgrind serialises threads); 350 reachable. */
Test(reach, thread_blocking_the_signal_is_scanned_whole_with_a_note)
{
    struct ll_run r;
    run_case(&r, "thread-blocked");
    expect_lost(&r, "thread-blocked", (struct kinds){ 0, 0, 0, 0, 0, 0 });
    expect_at(&r, "still_reachable", "@blocked-thread", 350, 1);
    LL_EQ(not_stopped(&r), 1, "threads that did not stop");
    LL_EQ(ll_int(ll_get(r.json, "check"), "threads_blocking_signal"), 1,
          "of them, blocking the signal");
    cr_assert(!ll_contains(r.err, "did not stop"), "the note went to stderr:\n%s", r.err);
    ll_run_free(&r);
}

/* 64 threads each drop a block, then wait: all 64 are lost.  Copies of the
 * addresses that the allocation left in scratch registers and in the dead
 * frames just below each thread's stack pointer lie in or under its wait's
 * frames; before libleak cleared them, 1 to 7 of the 64 read lost. */
Test(reach, blocks_dropped_before_a_wait_are_lost)
{
    struct ll_run r;
    ll_run_json(&r, "threads_wait_after_leak", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("threads_wait_after_leak.c"),
                      ll_line("threads_wait_after_leak.c", "@thread-lost"), &n), 64 * 24,
          "lost at @thread-lost; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(n, 64, "blocks");
    ll_run_free(&r);
}

/* The check runs on a worker while the main thread blocks every signal
 * (in sigwait(), or pause()): main's stack, the [stack] mapping, is still
 * scanned whole, so the block only its frame points to is reachable.
 * valgrind: 4,321 bytes still reachable, 0 lost. */
static void main_not_stopped(const char *mode)
{
    struct ll_run r;
    const char *args[] = { mode, NULL };
    ll_run_json(&r, "main_sigwait", "show_reachable=1", args);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.2000s", mode, r.err);
    LL_STREQ(r.out, "main_sigwait: done\n", "%s: stdout", mode);
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 0, "%s: lost; groups:\n%s", mode,
          ll_describe_leaks(r.json));
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "still_reachable", LL_SRC("main_sigwait.c"),
                      ll_line("main_sigwait.c", "@main-kept"), &n), 4321,
          "%s: reachable at @main-kept; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(not_stopped(&r), 1, "%s: threads that did not stop", mode);
    ll_run_free(&r);
}

Test(reach, main_thread_in_sigwait_keeps_its_stack_a_root) { main_not_stopped("sigwait"); }
Test(reach, main_thread_in_pause_keeps_its_stack_a_root) { main_not_stopped("pause"); }

/* 600 threads that cannot be stopped: 600 stack mappings to read whole.
 * The check must not run out of scratch and give up (it did past about
 * 500), and the block main dropped is definitely lost. */
Test(reach, six_hundred_unstoppable_threads_still_classified)
{
    struct ll_run r;
    ll_run_json(&r, "many_threads", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    cr_assert(!ll_contains(r.err, "skipped"), "stderr:\n%.2000s", r.err);
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("many_threads.c"),
                      ll_line("many_threads.c", "@dropped"), &n), 77,
          "lost at @dropped; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(not_stopped(&r), 600, "threads that did not stop");
    ll_run_free(&r);
}

/* The text report says it in its summary. */
Test(reach, text_report_notes_the_thread_that_did_not_stop)
{
    struct ll_run r;
    const char *args[] = { "thread-blocked", NULL };
    ll_run_raw(&r, "reach_cases", 1, "format=text:color=never", args);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_EQ(ll_count_lines(r.err, "  note: thread "), 1, "stderr:\n%s", r.err);
    cr_assert(ll_contains(r.err, " did not stop for the leak check (it blocks SIGURG"),
              "stderr:\n%s", r.err);
    cr_assert(!ll_contains(r.err, "libleak: thread"), "also as a message:\n%s", r.err);
    ll_run_free(&r);
}

/* Under a ptrace-based tool libleak still stops threads (by a signal the
 * tool passes on) and classifies as without it. */
static void under(const char *tool)
{
    struct ll_run r;
    const char *args[] = { tool, LL_PROGRAMS "/reach_cases", "thread-register", "interior",
                           "list", NULL };
    ll_run_json(&r, "reach_under", "show_reachable=1", args);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.3000s", tool, r.err);
    cr_assert(ll_contains(r.out, "reach_cases: done\n"), "%s: stdout:\n%s", tool, r.out);
    expect_lost(&r, tool, (struct kinds){ 32, 1, 288, 9, 100, 1 });
    expect_at(&r, "still_reachable", "@thread-register", 400, 1);
    LL_EQ(not_stopped(&r), 0, "%s: threads that did not stop", tool);
    ll_run_free(&r);
}

Test(reach, under_strace_f) { under("strace"); }
Test(reach, under_gdb_batch) { under("gdb"); }

/* A worker calls exit(3) while main waits in poll() (or read()): main is
 * stopped for the check, and its poll() must not return EINTR for it
 * (natively it never returns; main would print and end the process with
 * status 0).  Its block is reachable from its frame; the worker's is lost,
 * and so is the one main dropped before the wait, though a dead copy of its
 * address lies below the libc wrapper's stack pointer, where a leaf
 * function's red zone would be (it read reachable when that was scanned;
 * for read(), which the kernel restarts itself, until the restarted form
 * was recognised too).  valgrind: 40 and 56 definitely lost, 333 still
 * reachable. */
static void main_waits(const char *mode)
{
    struct ll_run r;
    const char *args[] = { mode, NULL };
    ll_run_json(&r, "exit_while_main_waits", "show_reachable=1", args);
    LL_EQ(r.status, 3, "%s: exit status; stdout: %s; stderr:\n%.2000s", mode, r.out, r.err);
    LL_STREQ(r.out, "", "%s: stdout", mode);
    ll_check_schema(r.json);
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("exit_while_main_waits.c"),
                      ll_line("exit_while_main_waits.c", "@dropped"), &n), 40,
          "%s: lost at @dropped; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", LL_SRC("exit_while_main_waits.c"),
                      ll_line("exit_while_main_waits.c", "@main-dropped"), &n), 56,
          "%s: lost at @main-dropped; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(ll_bytes_at(r.json, "still_reachable", LL_SRC("exit_while_main_waits.c"),
                      ll_line("exit_while_main_waits.c", "@kept"), &n), 333,
          "%s: reachable at @kept; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(not_stopped(&r), 0, "%s: threads that did not stop", mode);
    ll_run_free(&r);
}

Test(reach, main_thread_in_poll_is_stopped_without_eintr) { main_waits("poll"); }
Test(reach, main_thread_in_read_is_stopped_and_scanned_from_its_sp) { main_waits("read"); }

/* A leaf function of the program's own that makes a system call (inline
 * asm) keeps its red zone scanned: its only pointer to a live block lies
 * there.  It read definitely lost while every thread in a system call was
 * scanned from its stack pointer. */
Test(reach, program_syscall_in_a_leaf_keeps_its_red_zone)
{
    struct ll_run r;
    ll_run_json(&r, "syscall_leaf", "show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 0, "lost; groups:\n%s",
          ll_describe_leaks(r.json));
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "still_reachable", LL_SRC("syscall_leaf.c"),
                      ll_line("syscall_leaf.c", "@live"), &n), 77,
          "reachable at @live; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* main called pthread_exit(): the check reads the address space through the
 * thread that is left (/proc/self/... no longer works).  Valgrind: nothing
 * definitely lost, 31 bytes still reachable. */
Test(reach, main_thread_gone_by_pthread_exit)
{
    struct ll_run r;
    ll_run_json(&r, "main_pthread_exit", "show_reachable=1:exitcode=23", NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 0,
          "definitely lost; groups:\n%s", ll_describe_leaks(r.json));
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "still_reachable", LL_SRC("main_pthread_exit.c"),
                      ll_line("main_pthread_exit.c", "@kept"), &n), 31,
          "reachable at @kept, named; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* exit() from a coroutine (makecontext) on a stack from malloc or mmap:
 * the stack scanned is the coroutine's from its stack pointer, and the main
 * stack main left still holds main's blocks.  Valgrind: 48/1 definite,
 * 48/1 indirect, main's 138/4 still reachable (and the heap stack's 65,536).
 * Before: the heap above the stack pointer was a root (the second node
 * reachable), and the main stack none (main's blocks definitely lost). */
static void coroutine_exit(const char *mode)
{
    const char *args[] = { mode, NULL };
    struct ll_run r;
    ll_run_json(&r, "coroutine_exit", "show_reachable=1", args);
    LL_EQ(r.status, 3, "%s: exit status; stderr:\n%.2000s", mode, r.err);
    ll_check_schema(r.json);
    const char *src = LL_SRC("coroutine_exit.c");
    LL_EQ(ll_bytes_at(r.json, "definitely_lost", src, ll_line("coroutine_exit.c", "@head"),
                      NULL), 48, "%s: the head; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(ll_bytes_at(r.json, "indirectly_lost", src, ll_line("coroutine_exit.c", "@next"),
                      NULL), 48, "%s: the next node; groups:\n%s", mode, ll_describe_leaks(r.json));
    long long n = 0;
    LL_EQ(ll_bytes_at(r.json, "still_reachable", src, ll_line("coroutine_exit.c", "@mine"), &n),
          138, "%s: main's blocks; groups:\n%s", mode, ll_describe_leaks(r.json));
    LL_EQ(n, 4, "%s: main's blocks", mode);
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 48, "%s: definitely lost", mode);
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost"), 48, "%s: indirectly lost", mode);
    ll_run_free(&r);
}

Test(reach, exit_from_a_coroutine_on_a_heap_stack) { coroutine_exit("heap"); }
Test(reach, exit_from_a_coroutine_on_a_mapped_stack) { coroutine_exit("mmap"); }

/* A 1 GiB calloc'd table with three pages written (sparse_table.c): read
 * only where its pages hold data, in hundredths of a second, not the
 * seconds reading it all took, and the three blocks it points to from
 * those pages stay reachable; the one dropped is lost. */
Test(reach, a_sparse_table_is_read_where_written)
{
    struct ll_run r;
    ll_run_json(&r, "sparse_table", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    ll_check_schema(r.json);
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 1, "definitely lost blocks; groups:\n%s",
          ll_describe_leaks(r.json));
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), 444, "definitely lost bytes");
    LL_EQ(ll_summary_bytes(r.json, "indirectly_lost") + ll_summary_bytes(r.json, "possibly_lost"),
          0, "other lost bytes (the table's blocks are 111, 222 and 333 bytes)");
    cr_expect(ll_leak_at(r.json, "definitely_lost", LL_SRC("sparse_table.c"),
                         ll_line("sparse_table.c", "@lost")),
              "the dropped block at its line; groups:\n%s", ll_describe_leaks(r.json));
    ll_run_free(&r);
}
