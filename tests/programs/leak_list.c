/* leak_list: losing the head of a 10-node list loses the head directly and the other 9 nodes indirectly. */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    long value;
    char payload[16];
};                                  /* 32 bytes on LP64 */

struct node *volatile list;         /* the only root of the list */

static __attribute__((noinline)) struct node *push(struct node *head, long value)
{
    struct node *n = malloc(sizeof *n); /* @node */
    if (!n)
        abort();
    n->next = head;
    n->value = value;
    return n;
}

static __attribute__((noinline)) long sum(const struct node *n)
{
    long s = 0;
    for (; n; n = n->next)
        s += n->value;
    return s;
}

#include "scrub.h"

int main(void)
{
    for (long i = 1; i <= 10; i++)
        list = push(list, i);
    printf("sum of %zu-byte nodes: %ld\n", sizeof(struct node), sum(list));
    list = NULL;  /* head: definitely lost; nodes 2..10 only reachable from it: indirectly lost */
    scrub_stack();
    return 0;
}
