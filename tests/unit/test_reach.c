/* test_reach.c - reachability scan and leak classification (src/reach.c).
 *
 * Most tests build a small heap graph out of blocks they malloc, describe it
 * to ll_reach_classify_roots with a root array they control, and check each
 * block's kind.  The last few run ll_reach_classify on the real process
 * roots (globals, stack, registers); there, stale copies of a pointer in
 * registers or dead stack would make a "lost" block look reachable, so the
 * lost pointer is only ever stored obfuscated and the stack is scrubbed. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ll.h"
#include "reach.h"

#define MAXB 4096

/* One test's heap: the blocks it allocated, by creation index. */
struct heap {
    void *p[MAXB];
    size_t size[MAXB];
    size_t n;
    struct ll_block *blocks;   /* malloc'd: not a root, not a block */
};
static struct heap H;
static uintptr_t g_roots[8];   /* the root words of most tests */

static void heap_reset(void)
{
    free(H.blocks);
    for (size_t i = 0; i < H.n; i++) free(H.p[i]);
    memset(&H, 0, sizeof H);
    memset(g_roots, 0, sizeof g_roots);
}

/* Allocate a zeroed block; returns its creation index. */
static size_t blk(size_t size)
{
    cr_assert(H.n < MAXB);
    H.p[H.n] = size ? calloc(1, size) : malloc(0);
    cr_assert(H.p[H.n]);
    H.size[H.n] = size;
    return H.n++;
}

static void **word(size_t i, size_t k) { return (void **)H.p[i] + k; }

static int by_ptr(const void *a, const void *b)
{
    uintptr_t x = ((const struct ll_block *)a)->ptr, y = ((const struct ll_block *)b)->ptr;
    return x < y ? -1 : x > y;
}

/* The table's snapshot: a copy of every block, sorted by address. */
static void snapshot(void)
{
    free(H.blocks);
    H.blocks = calloc(H.n ? H.n : 1, sizeof *H.blocks);
    for (size_t i = 0; i < H.n; i++)
        H.blocks[i] = (struct ll_block){ .ptr = (uintptr_t)H.p[i], .size = H.size[i] };
    qsort(H.blocks, H.n, sizeof *H.blocks, by_ptr);
}

static void classify_with_roots(void)
{
    snapshot();
    struct ll_range r = { (uintptr_t)g_roots, (uintptr_t)(g_roots + 8) };
    ll_reach_classify_roots(H.blocks, H.n, &r, 1);
}

static int kind(size_t i)
{
    for (size_t k = 0; k < H.n; k++)
        if (H.blocks[k].ptr == (uintptr_t)H.p[i]) return H.blocks[k].kind;
    cr_assert_fail("block %zu not in the snapshot", i);
    return -1;
}

static void counts(size_t out[LL_KIND_COUNT])
{
    memset(out, 0, LL_KIND_COUNT * sizeof *out);
    for (size_t k = 0; k < H.n; k++) out[H.blocks[k].kind]++;
}

static void expect4(size_t def, size_t ind, size_t poss, size_t reach)
{
    size_t c[LL_KIND_COUNT];
    counts(c);
    cr_expect_eq(c[LL_DEFINITE], def, "definite %zu, want %zu", c[LL_DEFINITE], def);
    cr_expect_eq(c[LL_INDIRECT], ind, "indirect %zu, want %zu", c[LL_INDIRECT], ind);
    cr_expect_eq(c[LL_POSSIBLE], poss, "possible %zu, want %zu", c[LL_POSSIBLE], poss);
    cr_expect_eq(c[LL_REACHABLE], reach, "reachable %zu, want %zu", c[LL_REACHABLE], reach);
}

static void expect(size_t def, size_t ind, size_t reach) { expect4(def, ind, 0, reach); }

/* n blocks linked head -> ... -> tail, addresses ascending or descending
 * along the list; returns the head's index. */
static size_t list_tail;
static size_t list(size_t n, int descending)
{
    size_t first = H.n;
    for (size_t i = 0; i < n; i++) blk(32);
    size_t idx[64];
    for (size_t i = 0; i < n; i++) idx[i] = first + i;
    for (size_t i = 0; i < n; i++)          /* sort this list by address */
        for (size_t j = i + 1; j < n; j++)
            if ((H.p[idx[j]] < H.p[idx[i]]) != descending) {
                size_t t = idx[i]; idx[i] = idx[j]; idx[j] = t;
            }
    for (size_t i = 0; i + 1 < n; i++) *word(idx[i], 0) = H.p[idx[i + 1]];
    list_tail = idx[n - 1];
    return idx[0];
}

TestSuite(reach, .fini = heap_reset);

Test(reach, kind_names)
{
    cr_expect_str_eq(ll_kind_json[LL_DEFINITE], "definitely_lost");
    cr_expect_str_eq(ll_kind_json[LL_INDIRECT], "indirectly_lost");
    cr_expect_str_eq(ll_kind_json[LL_POSSIBLE], "possibly_lost");
    cr_expect_str_eq(ll_kind_json[LL_REACHABLE], "still_reachable");
    cr_expect_str_eq(ll_kind_text[LL_DEFINITE], "definitely lost");
    cr_expect_str_eq(ll_kind_text[LL_INDIRECT], "indirectly lost");
    cr_expect_str_eq(ll_kind_text[LL_POSSIBLE], "possibly lost");
    cr_expect_str_eq(ll_kind_text[LL_REACHABLE], "still reachable");
}

Test(reach, empty)
{
    ll_reach_classify_roots(NULL, 0, NULL, 0);
    classify_with_roots();
    expect(0, 0, 0);
}

Test(reach, lost_list_ascending)
{
    size_t head = list(10, 0);
    classify_with_roots();
    expect(1, 9, 0);
    cr_expect_eq(kind(head), LL_DEFINITE);
}

Test(reach, lost_list_descending)
{
    size_t head = list(10, 1);
    classify_with_roots();
    expect(1, 9, 0);
    cr_expect_eq(kind(head), LL_DEFINITE);
}

Test(reach, two_lost_lists)
{
    size_t a = list(5, 0), b = list(5, 1);
    classify_with_roots();
    expect(2, 8, 0);
    cr_expect_eq(kind(a), LL_DEFINITE);
    cr_expect_eq(kind(b), LL_DEFINITE);
}

Test(reach, lost_cycle)
{
    size_t a = blk(24), b = blk(24), c = blk(24);
    *word(a, 0) = H.p[b];
    *word(b, 1) = H.p[c];
    *word(c, 2) = H.p[a];
    classify_with_roots();
    expect(1, 2, 0);
}

/* The n blocks last allocated, ascending by address. */
static void by_address(size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) idx[i] = H.n - n + i;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (H.p[idx[j]] < H.p[idx[i]]) { size_t t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
}

Test(reach, lost_doubly_linked_list_with_header)
{
    /* head -> n0 <-> n1 <-> ... <-> n7, the header at the highest address
     * and the lowest one mid-list: the header must still be the definite
     * one, although the nodes form a cycle that the address-order scan
     * meets first. */
    size_t idx[9];
    for (size_t i = 0; i < 9; i++) blk(16);
    by_address(idx, 9);
    size_t head = idx[8], node[8] = { idx[4], idx[5], idx[6], idx[0], idx[1], idx[2], idx[3], idx[7] };
    *word(head, 0) = H.p[node[0]];
    for (size_t i = 0; i < 8; i++) {
        if (i + 1 < 8) *word(node[i], 0) = H.p[node[i + 1]];
        if (i > 0) *word(node[i], 1) = H.p[node[i - 1]];
    }
    classify_with_roots();
    expect(1, 8, 0);
    cr_expect_eq(kind(head), LL_DEFINITE);
}

Test(reach, lost_cycle_with_tail_below_it)
{
    /* a <-> b -> tail, the tail at the lowest address: scanned first, it
     * leads until the cycle's leader claims it. */
    size_t idx[3];
    for (size_t i = 0; i < 3; i++) blk(16);
    by_address(idx, 3);
    size_t tail = idx[0], a = idx[1], b = idx[2];
    *word(a, 0) = H.p[b];
    *word(b, 0) = H.p[a];
    *word(b, 1) = H.p[tail];
    classify_with_roots();
    expect(1, 2, 0);
    cr_expect_eq(kind(tail), LL_INDIRECT);
}

Test(reach, self_pointer)
{
    size_t a = blk(16);
    *word(a, 1) = H.p[a];
    classify_with_roots();
    expect(1, 0, 0);
}

Test(reach, lost_tree)
{
    size_t t[7];
    for (size_t i = 0; i < 7; i++) t[i] = blk(16);
    for (size_t i = 0; i < 3; i++) {
        *word(t[i], 0) = H.p[t[2 * i + 1]];
        *word(t[i], 1) = H.p[t[2 * i + 2]];
    }
    classify_with_roots();
    expect(1, 6, 0);
    cr_expect_eq(kind(t[0]), LL_DEFINITE);
}

Test(reach, interior_pointer_from_root_is_possible)
{
    size_t a = blk(64);
    g_roots[0] = (uintptr_t)H.p[a] + 40;
    classify_with_roots();
    expect4(0, 0, 1, 0);
}

Test(reach, pointer_one_byte_before_is_no_pointer)
{
    size_t a = blk(64);
    g_roots[0] = (uintptr_t)H.p[a] - 1;
    classify_with_roots();
    cr_expect_eq(kind(a), LL_DEFINITE);
}

/* Valgrind: a start pointer found in a Possible block only gives Possible. */
Test(reach, start_pointer_from_possible_block_is_possible)
{
    size_t a = blk(32), b = blk(32), c = blk(32);
    g_roots[0] = (uintptr_t)H.p[a] + 8;
    *word(a, 1) = H.p[b];
    *word(b, 2) = H.p[c];
    classify_with_roots();
    expect4(0, 0, 3, 0);
}

/* A block first met as Possible and later by a start pointer from a root is
 * Reachable, and so is what it points to by start: it is scanned again. */
Test(reach, possible_block_upgraded_and_rescanned)
{
    size_t a = blk(32), b = blk(32), c = blk(32);
    g_roots[0] = (uintptr_t)H.p[a] + 16;    /* scanned first: a Possible */
    *word(a, 0) = H.p[b];                   /* so b Possible, c Possible */
    *word(b, 3) = H.p[c];
    g_roots[7] = (uintptr_t)H.p[a];         /* then a Reachable, b, c too */
    classify_with_roots();
    expect4(0, 0, 0, 3);
}

/* Upgrading through another path: b first Possible via a's interior. */
Test(reach, possible_then_reachable_through_other_path)
{
    size_t a = blk(32), b = blk(32), c = blk(32), d = blk(32);
    g_roots[0] = (uintptr_t)H.p[a] + 16;
    *word(a, 0) = H.p[b];
    g_roots[1] = (uintptr_t)H.p[c];
    *word(c, 0) = H.p[b];
    *word(b, 1) = (char *)H.p[d] + 4;       /* from a Reachable block: Possible */
    classify_with_roots();
    cr_expect_eq(kind(a), LL_POSSIBLE);
    cr_expect_eq(kind(b), LL_REACHABLE);
    cr_expect_eq(kind(c), LL_REACHABLE);
    cr_expect_eq(kind(d), LL_POSSIBLE);
}

/* Valgrind's default heuristics: a pointer to byte 8 of a block whose
 * first word is the size of the rest (length64), or of a new[] block whose
 * first word divides the rest (newarray), reaches it like a start pointer. */
Test(reach, length64_and_newarray_heuristics)
{
    size_t len = blk(8 + 40), arr = blk(8 + 3 * 24), plain = blk(8 + 3 * 24);
    *(uint64_t *)H.p[len] = 40;
    *(uint64_t *)H.p[arr] = 3;
    *(uint64_t *)H.p[plain] = 3;             /* from malloc: no heuristic */
    g_roots[0] = (uintptr_t)H.p[len] + 8;
    g_roots[1] = (uintptr_t)H.p[arr] + 8;
    g_roots[2] = (uintptr_t)H.p[plain] + 8;
    snapshot();
    for (size_t i = 0; i < H.n; i++)
        if (H.blocks[i].ptr == (uintptr_t)H.p[arr]) H.blocks[i].fn = LL_FN_NEW_ARRAY;
    struct ll_range r = { (uintptr_t)g_roots, (uintptr_t)(g_roots + 8) };
    ll_reach_classify_roots(H.blocks, H.n, &r, 1);
    cr_expect_eq(kind(len), LL_REACHABLE);
    cr_expect_eq(kind(arr), LL_REACHABLE);
    cr_expect_eq(kind(plain), LL_POSSIBLE);
}

/* "stdstring": a pointer to byte 24 of a block whose first words are a
 * length no greater than the capacity, and the capacity, that the block
 * holds with the 24-byte header and a NUL (a copy-on-write string), reaches
 * it like a start pointer; from any allocating function. */
Test(reach, stdstring_heuristic)
{
    size_t str = blk(24 + 30 + 1), full = blk(24 + 30 + 1), longer = blk(24 + 30 + 1),
           wrong_cap = blk(24 + 30 + 1);
    uint64_t *h = H.p[str];
    h[0] = 12, h[1] = 30, h[2] = 0;          /* length, capacity, refcount */
    h = H.p[full];
    h[0] = 30, h[1] = 30;
    h = H.p[longer];
    h[0] = 31, h[1] = 30;                     /* longer than its capacity */
    h = H.p[wrong_cap];
    h[0] = 12, h[1] = 31;                     /* the block has no room for it */
    g_roots[0] = (uintptr_t)H.p[str] + 24;
    g_roots[1] = (uintptr_t)H.p[full] + 24;
    g_roots[2] = (uintptr_t)H.p[longer] + 24;
    g_roots[3] = (uintptr_t)H.p[wrong_cap] + 24;
    classify_with_roots();
    cr_expect_eq(kind(str), LL_REACHABLE);
    cr_expect_eq(kind(full), LL_REACHABLE);
    cr_expect_eq(kind(longer), LL_POSSIBLE);
    cr_expect_eq(kind(wrong_cap), LL_POSSIBLE);
}

/* Lost blocks pointing into a Possible one leave it Possible. */
Test(reach, lost_block_into_possible_one)
{
    size_t a = blk(32), lost = blk(32);
    g_roots[0] = (uintptr_t)H.p[a] + 8;
    *word(lost, 0) = H.p[a];
    classify_with_roots();
    cr_expect_eq(kind(a), LL_POSSIBLE);
    cr_expect_eq(kind(lost), LL_DEFINITE);
}

Test(reach, one_past_the_end_is_no_pointer)
{
    size_t a = blk(64);
    g_roots[0] = (uintptr_t)H.p[a] + 64;
    classify_with_roots();
    cr_expect_eq(kind(a), LL_DEFINITE);
}

Test(reach, zero_sized_blocks)
{
    size_t a = blk(0), b = blk(0);
    g_roots[0] = (uintptr_t)H.p[a];
    g_roots[1] = (uintptr_t)H.p[b] + 1;    /* not "inside" a 0-byte block */
    classify_with_roots();
    cr_expect_eq(kind(a), LL_REACHABLE);
    cr_expect_eq(kind(b), LL_DEFINITE);
}

Test(reach, reachable_chain)
{
    size_t head = list(6, 1);
    g_roots[3] = (uintptr_t)H.p[head];
    classify_with_roots();
    expect(0, 0, 6);
}

Test(reach, interior_pointer_from_reachable_block_is_possible)
{
    size_t a = blk(32), b = blk(32), lost = blk(32);
    g_roots[5] = (uintptr_t)H.p[a];
    *word(a, 3) = (char *)H.p[b] + 8;       /* interior, from a heap block */
    *word(lost, 0) = H.p[b];
    classify_with_roots();
    cr_expect_eq(kind(a), LL_REACHABLE);
    cr_expect_eq(kind(b), LL_POSSIBLE);
    cr_expect_eq(kind(lost), LL_DEFINITE);
}

/* A coroutine's stack in a block from malloc (roots.c: a thread's stack
 * pointer inside a block): its live part, from the stack pointer, is a root;
 * reached through a start pointer (the program keeps its stack), the block
 * is scanned from the stack pointer too when listed in roots.stacks, and the
 * dead frames below it, which hold stale pointers, keep nothing. */
static void classify_with_stack(size_t st, size_t live_from, int listed)
{
    snapshot();
    uintptr_t sp = (uintptr_t)word(st, live_from), end = (uintptr_t)H.p[st] + H.size[st];
    struct ll_range any[2] = { { (uintptr_t)g_roots, (uintptr_t)(g_roots + 8) }, { sp, end } };
    struct ll_range stack = { sp, end };
    struct ll_roots r = { .any = { any, 2, 2 } };
    if (listed) r.stacks = (struct ll_ranges){ &stack, 1, 1 };
    struct ll_ranges maps = { 0 };
    struct ll_files files = { 0 };
    cr_assert_eq(ll_maps_read(&maps, NULL, &files), 0);
    ll_reach_run(H.blocks, H.n, &r, &maps, NULL, NULL, -1);
    ll_ranges_free(&maps);
    ll_files_free(&files);
}

Test(reach, stack_block_is_scanned_from_its_stack_pointer)
{
    size_t st = blk(64 * sizeof(void *)), live = blk(32), stale = blk(32);
    g_roots[0] = (uintptr_t)H.p[st];
    *word(st, 40) = H.p[live];              /* a live frame's slot */
    *word(st, 10) = H.p[stale];             /* a dead frame's, below sp */
    classify_with_stack(st, 32, 1);
    cr_expect_eq(kind(st), LL_REACHABLE);
    cr_expect_eq(kind(live), LL_REACHABLE);
    cr_expect_eq(kind(stale), LL_DEFINITE);
    classify_with_stack(st, 32, 0);         /* as a plain block: scanned whole */
    cr_expect_eq(kind(stale), LL_REACHABLE);
}

Test(reach, lost_block_into_reachable_list)
{
    size_t head = list(4, 0);
    list(3, 0);
    g_roots[0] = (uintptr_t)H.p[head];
    *word(list_tail, 1) = H.p[head];        /* the lost list's tail points in */
    classify_with_roots();
    expect(1, 2, 4);
}

Test(reach, big_blocks_among_small)
{
    /* mmapped 2 MiB blocks far from the brk heap: spans many granules. */
    size_t big = blk(2 << 20), big2 = blk(3 << 20), small = blk(16), lost = blk(16);
    size_t big3 = blk(1 << 20), small3 = blk(16);
    g_roots[0] = (uintptr_t)H.p[big];
    g_roots[1] = (uintptr_t)H.p[big3] + (768 << 10) + 3;
    *word(big, (2 << 20) / sizeof(void *) - 1) = H.p[small];   /* last word */
    *word(big2, 12345) = H.p[lost];
    *word(big3, 777) = H.p[small3];
    classify_with_roots();
    cr_expect_eq(kind(big), LL_REACHABLE);
    cr_expect_eq(kind(small), LL_REACHABLE);
    cr_expect_eq(kind(big3), LL_POSSIBLE);
    cr_expect_eq(kind(small3), LL_POSSIBLE);
    cr_expect_eq(kind(big2), LL_DEFINITE);
    cr_expect_eq(kind(lost), LL_INDIRECT);
}

/* While a check runs, the range lists it makes share mappings: each took
 * one of its own, from a registry of 512 (so that none becomes a root),
 * and the 513th list failed.  Each list's memory comes zeroed and apart
 * from the others'. */
Test(reach, range_lists_of_a_check_share_their_mappings)
{
    enum { N = 1500 };
    static struct ll_ranges r[N];
    memset(r, 0, sizeof r);
    ll_work_begin();
    size_t failed = 0;
    for (size_t i = 0; i < N; i++)
        failed += ll_ranges_add(&r[i], 4096 * (i + 1), 4096 * (i + 2)) != 0;
    cr_expect_eq(failed, 0, "%zu of %d lists could not be made", failed, N);
    for (size_t i = 0; i < N && !failed; i++) {
        cr_expect_eq(r[i].v[0].lo, 4096 * (i + 1));
        cr_expect_eq(r[i].v[1].lo, 0, "list %zu's memory is not zeroed", i);
        for (size_t j = 0; j < i; j++)
            if (!(r[i].v + r[i].cap <= r[j].v || r[j].v + r[j].cap <= r[i].v))
                cr_assert_fail("lists %zu and %zu overlap", i, j);
    }
    for (size_t i = 0; i < N; i++)
        ll_ranges_free(&r[i]);
    ll_work_end();
}

Test(reach, unreadable_roots_are_skipped)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(m != MAP_FAILED);
    size_t a = blk(16), b = blk(16);
    *(void **)m = H.p[a];
    *(void **)(m + 2 * pg + 8) = H.p[b];
    cr_assert(!mprotect(m + pg, pg, PROT_NONE));
    char *gone = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(gone != MAP_FAILED && !munmap(gone, pg));
    snapshot();
    struct ll_range r[2] = { { (uintptr_t)m, (uintptr_t)m + 3 * pg },
                             { (uintptr_t)gone, (uintptr_t)gone + pg } };
    ll_reach_classify_roots(H.blocks, H.n, r, 2);
    expect(0, 0, 2);
    munmap(m, 3 * pg);
}

Test(reach, partly_unreadable_block_is_scanned_around)
{
    /* A "block" whose second page is PROT_NONE (mprotect on heap memory). */
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(m != MAP_FAILED);
    size_t a = blk(16);
    *(void **)(m + 16) = H.p[a];
    cr_assert(!mprotect(m + pg, pg, PROT_NONE));
    snapshot();
    struct ll_block *bl = calloc(H.n + 1, sizeof *bl);
    memcpy(bl, H.blocks, H.n * sizeof *bl);
    bl[H.n] = (struct ll_block){ .ptr = (uintptr_t)m, .size = 2 * pg };
    qsort(bl, H.n + 1, sizeof *bl, by_ptr);
    g_roots[0] = (uintptr_t)m;
    struct ll_range r = { (uintptr_t)g_roots, (uintptr_t)(g_roots + 8) };
    ll_reach_classify_roots(bl, H.n + 1, &r, 1);
    for (size_t i = 0; i <= H.n; i++) cr_expect_eq(bl[i].kind, LL_REACHABLE);
    free(bl);
    munmap(m, 2 * pg);
}

/* Memory unmapped after the list of mappings was read (a thread that did
 * not stop): the scan faults, skips that page and goes on - here the map
 * given to ll_reach_run still claims the unmapped page is readable. */
Test(reach, memory_vanishing_under_the_scan_is_skipped)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(m != MAP_FAILED);
    size_t a = blk(16), b = blk(16);
    *(void **)(m + 8) = H.p[a];
    *(void **)(m + 16) = m + pg;             /* a "block" in the page that goes */
    *(void **)(m + 2 * pg + 16) = H.p[b];    /* after the hole */
    snapshot();
    struct ll_block *bl = calloc(H.n + 1, sizeof *bl);
    memcpy(bl, H.blocks, H.n * sizeof *bl);
    bl[H.n] = (struct ll_block){ .ptr = (uintptr_t)m + pg, .size = 64 };
    qsort(bl, H.n + 1, sizeof *bl, by_ptr);
    cr_assert(!munmap(m + pg, pg));
    struct ll_range lie = { (uintptr_t)m, (uintptr_t)m + 3 * pg };
    struct ll_ranges maps = { &lie, 1, 1 };
    struct ll_roots roots = { .any = { &lie, 1, 1 } };
    ll_reach_run(bl, H.n + 1, &roots, &maps, NULL, NULL, -1);   /* faults twice, survives */
    for (size_t i = 0; i <= H.n; i++)
        cr_expect_eq(bl[i].kind, LL_REACHABLE, "block %zu at %#lx", i, (unsigned long)bl[i].ptr);
    free(bl);
    munmap(m, 3 * pg);
}

/* Random graphs against a naive reference: the reachable set must match,
 * a block nothing lost points to must be definite, an indirect block must
 * have a lost predecessor, every lost block must hang off a definite one,
 * and a definite block with a lost predecessor must lie on a lost cycle. */
static size_t ref_find(uintptr_t v)   /* by linear search */
{
    for (size_t i = 0; i < H.n; i++) {
        uintptr_t p = (uintptr_t)H.p[i];
        if (v == p || v - p < H.size[i]) return i;
    }
    return SIZE_MAX;
}

/* Flood from the stacked blocks: REF_ANY follows every pointer, REF_START
 * only pointers to a block's first byte, REF_LOST every pointer but only
 * into blocks classified lost. */
enum { REF_ANY, REF_START, REF_LOST };

static int is_lost(int k) { return k == LL_DEFINITE || k == LL_INDIRECT; }

static void ref_flood(unsigned char *mark, size_t *stack, size_t sp, int how)
{
    while (sp) {
        size_t i = stack[--sp];
        for (size_t k = 0; k < H.size[i] / sizeof(void *); k++) {
            if (!*word(i, k)) continue;       /* big blocks are mostly zero */
            size_t j = ref_find((uintptr_t)*word(i, k));
            if (j == SIZE_MAX || mark[j] || (how == REF_LOST && !is_lost(kind(j))) ||
                (how == REF_START && *word(i, k) != H.p[j])) continue;
            mark[j] = 1;
            stack[sp++] = j;
        }
    }
}

/* Mark what the roots reach: by any pointer, or start pointers only. */
static void ref_from_roots(unsigned char *mark, size_t *stack, int how)
{
    size_t sp = 0;
    memset(mark, 0, MAXB);
    for (int r = 0; r < 8; r++) {
        size_t j = ref_find(g_roots[r]);
        if (j == SIZE_MAX || mark[j] || (how == REF_START && g_roots[r] != (uintptr_t)H.p[j]))
            continue;
        mark[j] = 1;
        stack[sp++] = j;
    }
    ref_flood(mark, stack, sp, how);
}

Test(reach, random_graphs_match_reference)
{
    srand(12345);
    static unsigned char mark[MAXB], pred[MAXB], reach[MAXB];
    static size_t stack[MAXB];
    for (int round = 0; round < 20; round++) {
        heap_reset();
        size_t n = 50 + (size_t)rand() % 400;
        for (size_t i = 0; i < n; i++)     /* some big ones: mmapped, far away */
            blk(rand() % 40 ? (size_t)(rand() % 9) * 8 : 100000 + (size_t)rand() % 500000);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < H.size[i] / sizeof(void *) && k < 64; k++) {
                size_t j = (size_t)rand() % n, at = k < 8 ? k : (size_t)rand() % (H.size[i] / 8);
                uintptr_t off = rand() % 3 ? 0 : (uintptr_t)rand() % (H.size[j] + 2);
                if (rand() % 4) *word(i, at) = (char *)H.p[j] + off;
            }
        for (int r = 0; r < 8; r++)
            g_roots[r] = rand() % 3 ? 0 : (uintptr_t)H.p[(size_t)rand() % n];
        classify_with_roots();

        ref_from_roots(reach, stack, REF_START);
        ref_from_roots(mark, stack, REF_ANY);
        memset(pred, 0, sizeof pred);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(kind(i) == LL_REACHABLE, reach[i], "round %d block %zu", round, i);
            cr_assert_eq(kind(i) == LL_POSSIBLE, mark[i] && !reach[i], "round %d block %zu",
                         round, i);
            if (mark[i]) continue;
            for (size_t k = 0; k < H.size[i] / sizeof(void *); k++) {
                size_t j = ref_find((uintptr_t)*word(i, k));
                if (j != SIZE_MAX && j != i) pred[j] = 1;
            }
        }
        size_t sp = 0;
        memset(mark, 0, sizeof mark);
        for (size_t i = 0; i < n; i++) {
            int k = kind(i);
            if (!is_lost(k)) continue;
            if (!pred[i]) cr_assert_eq(k, LL_DEFINITE, "round %d block %zu", round, i);
            if (k == LL_INDIRECT) cr_assert(pred[i], "round %d block %zu", round, i);
            if (k == LL_DEFINITE) { mark[i] = 1; stack[sp++] = i; }
        }
        ref_flood(mark, stack, sp, REF_LOST);
        for (size_t i = 0; i < n; i++)
            if (is_lost(kind(i)))
                cr_assert(mark[i], "round %d: block %zu under no definite one", round, i);
        for (size_t i = 0; i < n; i++) {
            if (kind(i) != LL_DEFINITE || !pred[i]) continue;
            memset(mark, 0, sizeof mark);
            stack[0] = i;
            ref_flood(mark, stack, 1, REF_LOST);
            cr_assert(mark[i], "round %d: definite block %zu has a lost "
                      "predecessor but is on no lost cycle", round, i);
        }
    }
}

/* ---- ll_reach_classify on the process's real roots ---------------------- */

#define KEY ((uintptr_t)0x5a5a5a5a5a5a5a5aull)
static void *volatile g_global_ref;        /* a real global root */
static volatile uintptr_t g_hidden;        /* the lost block, obfuscated */

/* glibc: a block of 40 bytes ends 8 bytes past the header of the chunk
 * that follows it, so when that chunk is the top chunk, main_arena.top (in
 * libc's data) points into the block: that must not count as a pointer to
 * it.  Allocate until the lost block lands just below the top chunk. */
static void *g_spare[1024];

static int below_top(uintptr_t p)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    uintptr_t next = p - 16 + (*(uintptr_t *)(p - 8) & ~(uintptr_t)7);
    return next + (*(uintptr_t *)(next + 8) & ~(uintptr_t)7) == (uintptr_t)sbrk(0);
#else
    (void)p;
    return 1;
#endif
}

static __attribute__((noinline)) void make_blocks(void)
{
    g_global_ref = calloc(1, 48);
    for (size_t i = 0; i < 1024; i++) {
        uintptr_t p = (uintptr_t)calloc(1, 40);
        g_hidden = p ^ KEY;
        if (below_top(p)) break;
        g_spare[i] = (void *)p;
    }
}

static void free_spares(void)
{
    for (size_t i = 0; i < 1024; i++) { free(g_spare[i]); g_spare[i] = NULL; }
}

static __attribute__((noinline)) void describe_blocks(struct ll_block *b)
{
    b[0] = (struct ll_block){ .ptr = (uintptr_t)g_global_ref, .size = 48 };
    b[1] = (struct ll_block){ .ptr = g_hidden ^ KEY, .size = 40 };
    if (b[1].ptr < b[0].ptr) { struct ll_block t = b[0]; b[0] = b[1]; b[1] = t; }
}

/* Zero the scratch registers, so that a value is left only in memory. */
static __attribute__((noinline)) void scrub_registers(void)
{
#if defined(__x86_64__)
    __asm__ volatile("xor %%eax,%%eax\n\txor %%ecx,%%ecx\n\txor %%edx,%%edx\n\t"
                     "xor %%esi,%%esi\n\txor %%edi,%%edi\n\txor %%r8d,%%r8d\n\t"
                     "xor %%r9d,%%r9d\n\txor %%r10d,%%r10d\n\txor %%r11d,%%r11d"
                     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
#endif
}

/* Overwrite the dead stack below us and the scratch registers, where copies
 * of the hidden pointer may linger from describe_blocks and calloc. */
static __attribute__((noinline)) void scrub(void)
{
    volatile char junk[64 << 10];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = 0;
    scrub_registers();
}

Test(reach, process_roots_global_and_lost)
{
    struct ll_block *b = calloc(2, sizeof *b);
    make_blocks();
    describe_blocks(b);
    scrub();
    ll_reach_classify(b, 2);
    int global_first = b[0].ptr == (uintptr_t)g_global_ref;
    cr_expect_eq(b[global_first ? 0 : 1].kind, LL_REACHABLE);
    cr_expect_eq(b[global_first ? 1 : 0].kind, LL_DEFINITE);
    free(b);
    free(g_global_ref);
    free((void *)(g_hidden ^ KEY));
    free_spares();
}

static __attribute__((noinline)) int classify_one_from_stack(void)
{
    struct ll_block *b = calloc(1, sizeof *b);
    void *volatile local = calloc(1, 40);  /* only this frame points to it */
    *b = (struct ll_block){ .ptr = (uintptr_t)local, .size = 40 };
    scrub_registers();
    ll_reach_classify(b, 1);
    int k = b->kind;
    free(local);
    free(b);
    return k;
}

Test(reach, process_roots_stack)
{
    cr_expect_eq(classify_one_from_stack(), LL_REACHABLE);
}

static void *thread_main(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)classify_one_from_stack();
}

Test(reach, process_roots_stack_of_other_thread)
{
    pthread_t t;
    void *res;
    cr_assert(!pthread_create(&t, NULL, thread_main, NULL));
    cr_assert(!pthread_join(t, &res));
    cr_expect_eq((intptr_t)res, LL_REACHABLE);
}

/* files.cow: the private writable mappings of files (roots.c reads the
 * pages written there), /dev/zero's among them; not a shared one, nor a
 * read-only one. */
static int in_ranges(const struct ll_ranges *r, const void *a)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].lo <= (uintptr_t)a && (uintptr_t)a < r->v[i].hi)
            return 1;
    return 0;
}

Test(reach, private_writable_file_mappings_are_listed)
{
    char path[] = "/tmp/ll-cow-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    unlink(path);
    cr_assert_eq(ftruncate(fd, 3 * 4096), 0);
    void *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    void *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 8192);
    int zfd = open("/dev/zero", O_RDWR);
    void *zero = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, zfd, 0);
    close(fd);
    close(zfd);
    cr_assert(priv != MAP_FAILED && shared != MAP_FAILED && ro != MAP_FAILED &&
              zero != MAP_FAILED);
    struct ll_ranges maps = { 0 };
    struct ll_files files = { 0 };
    cr_assert_eq(ll_maps_read(&maps, NULL, &files), 0);
    cr_expect(in_ranges(&files.cow, priv), "private writable");
    cr_expect(in_ranges(&files.cow, zero), "/dev/zero, private");
    cr_expect(!in_ranges(&files.cow, shared), "shared");
    cr_expect(!in_ranges(&files.cow, ro), "read-only");
    cr_expect(in_ranges(&files.data, shared), "every readable file mapping is data");
    ll_ranges_free(&maps);
    ll_files_free(&files);
    munmap(priv, 4096);
    munmap(shared, 4096);
    munmap(ro, 4096);
    munmap(zero, 4096);
}

/* An anonymous mapping the program named (prctl(PR_SET_VMA_ANON_NAME),
 * "[anon:NAME]") is its memory, a root like any unnamed one; the kernel's
 * own ([heap], [stack], [vdso]), shared ones and files' are not.  Until
 * 2026-11-27 a named one was never read: a block held only from a pool the
 * program had named read definitely lost. */
Test(reach, program_named_anonymous_mappings_are_anonymous)
{
    static const char text[] =
        "10000-11000 rw-p 00000000 00:00 0 \n"
        "20000-21000 rw-p 00000000 00:00 0                          [anon:my pool]\n"
        "30000-31000 rw-p 00000000 00:00 0                          [heap]\n"
        "40000-41000 rw-p 00000000 00:00 0                          [stack]\n"
        "50000-51000 rw-s 00000000 00:01 1234                       [anon_shmem:x]\n"
        "60000-61000 rw-p 00000000 08:01 5678                       /usr/lib/x.so\n"
        "70000-71000 r--p 00000000 00:00 0                          [anon:read only]\n"
        "80000-81000 rw-p 00000000 00:00 0                          [anon:]\n";
    struct ll_ranges maps = { 0 }, anon = { 0 };
    cr_assert_eq(ll_maps_parse(text, sizeof text - 1, &maps, &anon, NULL), 0);
    cr_assert_eq(maps.n, 8, "readable mappings: %zu", maps.n);
    cr_assert_eq(anon.n, 3, "anonymous ones: %zu", anon.n);
    cr_assert_eq(anon.v[0].lo, 0x10000);
    cr_assert_eq(anon.v[1].lo, 0x20000);
    cr_assert_eq(anon.v[2].lo, 0x80000);
    ll_ranges_free(&maps);
    ll_ranges_free(&anon);
}
