// hostile_badfree: the bad frees test_errors.c does not cover, one per run:
// argv[1] = new_delete_array (new / delete[]), realloc_freed (realloc of a
// freed pointer) or realloc_new (realloc of a new[] block, reallocarray of a
// new one).  The program must go on after each.
#pragma GCC diagnostic ignored "-Wuse-after-free"  // the bug is the point
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int *volatile keep;

static void new_delete_array()
{
    int *p = new int(7);                    // @new
    keep = p;
    delete[] keep;                          // @delete-array
    printf("hostile_badfree: survived new/delete[]\n");
}

static void realloc_freed()
{
    char *p = (char *)malloc(48);           // @malloc
    printf("hostile_badfree: block %p\n", (void *)p);
    free(p);                                // @free
    void *q = realloc(p, 96);               // @realloc
    printf("hostile_badfree: survived realloc, got %s\n", q ? "a block" : "NULL");
    free(q);
}

static void realloc_new()
{
    int *a = new int[4]{ 1, 2, 3, 4 };      // @new-array
    keep = a;
    int *b = (int *)realloc(keep, 64);      // @realloc-new-array
    int *c = new int(9);                    // @new-one
    keep = c;
    int *d = (int *)reallocarray(keep, 8, sizeof(int));  // @reallocarray-new
    printf("hostile_badfree: survived realloc of new[] and new, contents %s\n",
           b && d && b[3] == 4 && d[0] == 9 ? "kept" : "lost");
    free(b);
    free(d);
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "new_delete_array"))
        new_delete_array();
    else if (!strcmp(m, "realloc_freed"))
        realloc_freed();
    else if (!strcmp(m, "realloc_new"))
        realloc_new();
    return 0;
}
