/* sparse_table: a 1 GiB table from calloc (a mapping of its own, of which
 * the program writes three pages), kept to the end in a global.  Each of
 * the three pages holds the only pointer to a block: the leak check reads
 * the table only where its pages hold data, and must find all three.  A
 * fourth block, whose pointer was dropped, is lost. */
#include <stdio.h>
#include <stdlib.h>

#define TABLE ((size_t)1 << 30)

void **volatile table;
void *volatile sink;

int main(void)
{
    table = calloc(1, TABLE);
    if (!table)
        return 1;
    size_t slots = TABLE / sizeof(void *);
    table[7] = malloc(111);                  /* the first page */
    table[slots / 2 + 3] = malloc(222);      /* the middle */
    table[slots - 1] = malloc(333);          /* the last word */
    sink = malloc(444);                      /* @lost */
    sink = NULL;
    printf("sparse_table: 3 of %zu pages written\n", TABLE / 4096);
    return 0;
}
