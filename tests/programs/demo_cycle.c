/* demo_cycle: three blocks pointing to each other in a ring, and nothing
 * else pointing to any of them.  Each one is pointed to, yet all three are
 * lost: being pointed to only counts from memory the program can reach.
 * One is reported definitely lost, the other two indirectly. */
#include <stdio.h>
#include <stdlib.h>

struct peer {
    struct peer *next;
    char name[24];
};                                /* 32 bytes */

static struct peer *new_peer(const char *name)
{
    struct peer *p = malloc(sizeof *p); /* @peer */
    if (!p)
        abort();
    snprintf(p->name, sizeof p->name, "%s", name);
    return p;
}

static void make_ring(void)
{
    struct peer *a = new_peer("alice");
    struct peer *b = new_peer("bob");
    struct peer *c = new_peer("carol");
    a->next = b, b->next = c, c->next = a;
    printf("%s -> %s -> %s -> %s\n", a->name, a->next->name,
           a->next->next->name, a->next->next->next->name);
}                                 /* a, b and c go out of scope */

int main(void)
{
    make_ring();
    return 0;
}
