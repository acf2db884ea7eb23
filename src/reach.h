/* reach.h - shared between reach.c (the scan and classification) and
 * roots.c (the roots of the real process).  Internal to those two. */
#ifndef LL_REACH_H
#define LL_REACH_H

#include "ll.h"

/* A growable list of address ranges in scratch pages. */
struct ll_ranges { struct ll_range *v; size_t n, cap; };
int ll_ranges_add(struct ll_ranges *r, uintptr_t lo, uintptr_t hi);
int ll_ranges_add_word(struct ll_ranges *r, uintptr_t v);    /* [v, v + 1); 0: none */
int ll_amaps_add_to(struct ll_ranges *out);     /* allocmaps.c */
int ll_fl_skip(struct ll_ranges *skip);         /* freelist.c: blocks kept */
int ll_internal_roots(struct ll_ranges *to);    /* internal.c */
int ll_start_arg_roots(struct ll_ranges *words); /* threads.c */
void ll_ranges_free(struct ll_ranges *r);

/* Roots, by how their words may point to a block. */
struct ll_roots {
    struct ll_ranges any;     /* memory: start -> Reachable, interior -> Possible */
    struct ll_ranges start;   /* the allocator's data: as any, less chunk headers */
    struct ll_ranges loader;  /* the dynamic loader's data: any pointer reaches */
    struct ll_ranges words;   /* single values [v, v + 1): exact block starts */
    struct ll_ranges owned;   /* single values: Reachable but never scanned */
    struct ll_ranges own;     /* libleak's memory that holds the program's frames
                                 (a handler on libleak's signal stack): as any,
                                 though libleak's */
    struct ll_ranges stacks;  /* [sp, end) of a live stack inside a block (a
                                 coroutine's from malloc): that block is
                                 scanned from sp, below it lie dead frames */
};
void ll_roots_free(struct ll_roots *r);

/* Scratch pages, never roots themselves. */
void *ll_work_alloc(size_t size);
void ll_work_free(void *p, size_t size);
/* Between these, freed scratch pages stay mapped (and never roots): a list
 * of mappings read in between stays true of them.  ll_work_end frees all. */
void ll_work_begin(void);
void ll_work_end(void);

/* Mappings backed by a file, for the "multipleinheritance" heuristic:
 * readable ones (where vtables lie) and executable ones (their functions);
 * and the private writable ones that are no device's (roots.c reads the
 * pages the process wrote there). */
struct ll_files { struct ll_ranges data, code, cow; };
void ll_files_free(struct ll_files *f);

/* /proc/self/maps: the readable mappings (ascending); with anon, also the
 * private writable ones backed by no file and not named by the kernel (a
 * name the program gave, "[anon:NAME]", counts as none); with files, the
 * ones backed by a file.  ll_maps_parse: the same from a maps text. */
int ll_maps_read(struct ll_ranges *maps, struct ll_ranges *anon, struct ll_files *files);
int ll_maps_parse(const char *buf, size_t len, struct ll_ranges *maps, struct ll_ranges *anon,
                  struct ll_files *files);
size_t ll_maps_find(const struct ll_ranges *m, uintptr_t a);  /* first ending above a */

/* /proc/self/pagemap (roots.c): open, if it describes this address space
 * (the page of `here` must read present), else -1; and k entries read,
 * from the page holding a (0: unreadable). */
int ll_pagemap_open(uintptr_t here);
int ll_pagemap_read(int pmfd, uintptr_t a, uint64_t *e, size_t k);
/* A pagemap entry's page holds data: it is swapped out (bit 62) or
 * present (bit 63); with written, only if it is no file's page (bit 61):
 * in a private file mapping the pages the process wrote are anonymous,
 * and only those can hold its pointers. */
static inline int ll_page_holds_data(uint64_t e, int written)
{
    if (e >> 62 & 1) return 1;
    return (e >> 63 & 1) && !(written && (e >> 61 & 1));
}
/* The runs of [lo, hi)'s pages that hold data, by pmfd's page map, each
 * given to fn(from, to, arg) in order, clipped to [lo, hi); fn's non-zero
 * return stops the walk and is returned.  Where the page map cannot be
 * read, *rest is where the pages not judged yet begin (a run under way
 * included), else hi. */
int ll_pagemap_runs(int pmfd, uintptr_t lo, uintptr_t hi, int written,
                    int (*fn)(uintptr_t, uintptr_t, void *), void *arg, uintptr_t *rest);
/* Smaller anonymous memory is read whole: one read of the page map costs
 * about what reading 256 KiB does. */
#define LL_SPARSE_MIN ((uintptr_t)256 << 10)

/* Classify blocks (sorted by ptr) from these roots; maps clips them.
 * Without files (NULL) no pointer is taken for a multiple-inheritance one.
 * A large block inside one of anon's mappings (private, no file's: NULL,
 * none) is read only where pmfd's page map says its pages hold data. */
void ll_reach_run(struct ll_block *blocks, size_t n, const struct ll_roots *roots,
                  const struct ll_ranges *maps, const struct ll_files *files,
                  const struct ll_ranges *anon, int pmfd);
void ll_reach_give_up(struct ll_block *blocks, size_t n);

#endif
