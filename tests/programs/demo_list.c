/* demo_list: a linked list of 5 nodes whose head pointer is dropped.  The
 * head is definitely lost (nothing points to it); the other 4 nodes are
 * indirectly lost: only the lost nodes before them point to them. */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    long value;
};                                /* 16 bytes */

static struct node *build(int n)
{
    struct node *head = NULL;
    for (int i = n; i >= 1; i--) {
        struct node *nd = malloc(sizeof *nd); /* @node */
        if (!nd)
            abort();
        nd->value = i;
        nd->next = head;
        head = nd;
    }
    return head;
}

static long sum(const struct node *n)
{
    long s = 0;
    for (; n; n = n->next)
        s += n->value;
    return s;
}

int main(void)
{
    struct node *list = build(5);  /* @build */
    printf("sum = %ld\n", sum(list));
    list = NULL;                  /* the head's only pointer is gone */
    return 0;
}
