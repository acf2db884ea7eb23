/* leak_cycle: a 3-node cycle with no outside pointer is lost even though every node is pointed to (1 definite + 2 indirect). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct node *next;
    char name[40];
};                                  /* 48 bytes on LP64 */

struct node *volatile entry;

static __attribute__((noinline)) struct node *new_node(const char *name)
{
    struct node *n = malloc(sizeof *n); /* @node */
    if (!n)
        abort();
    n->next = NULL;
    strncpy(n->name, name, sizeof n->name - 1);
    n->name[sizeof n->name - 1] = '\0';
    return n;
}

#include "scrub.h"

int main(void)
{
    struct node *a = new_node("a"), *b = new_node("b"), *c = new_node("c");
    a->next = b;
    b->next = c;
    c->next = a;                    /* a -> b -> c -> a */
    entry = a;
    printf("cycle: %s -> %s -> %s -> %s\n", entry->name, entry->next->name,
           entry->next->next->name, entry->next->next->next->name);
    entry = NULL;                   /* nothing outside the cycle points into it any more */
    scrub_stack();
    return 0;
}
