/* tree - binary trees built by recursion, a node allocated at every level,
 * then freed bottom up (the benchmarks game's binary-trees): a call stack
 * per path from the root, 2^16 distinct 16-frame stacks below depth 16.
 *   tree DEPTH ROUNDS */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *l, *r;
    long v;
};

static struct node *build(int d)
{
    struct node *n = malloc(sizeof(*n));
    if (!n)
        abort();
    n->v = d;
    n->l = d ? build(d - 1) : NULL;
    n->r = d ? build(d - 1) : NULL;
    return n;
}

static long sum(struct node *n)
{
    if (!n)
        return 0;
    long s = n->v + sum(n->l) + sum(n->r);
    free(n);
    return s;
}

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 20, rounds = argc > 2 ? atoi(argv[2]) : 4;
    long t = 0;
    for (int i = 0; i < rounds; i++)
        t += sum(build(depth));
    printf("tree: %d rounds of depth %d (%ld)\n", rounds, depth, t);
    return 0;
}
