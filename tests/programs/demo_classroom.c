/* demo_classroom: several classic leaks in one program, for the HTML
 * report's picture (format=html) and its browser test: a forgotten free,
 * an early return, an overwritten pointer, a lost list and an
 * over-aligned block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct node *next;
    int value;
};

static __attribute__((noinline)) int *make_answer(void)
{
    int *p = malloc(sizeof *p);   /* @answer: never freed */
    if (p)
        *p = 42;
    return p;
}

static __attribute__((noinline)) int parse(const char *s)
{
    char *copy = malloc(64);      /* @parse: leaked by the early return */
    if (!copy || !*s)
        return -1;
    snprintf(copy, 64, "%s", s);
    int n = (int)strlen(copy);
    free(copy);
    return n;
}

static __attribute__((noinline)) void rename_user(void)
{
    char *name = malloc(16);      /* @first: lost when name is overwritten */
    if (!name)
        return;
    strcpy(name, "ada");
    printf("user %s\n", name);
    name = malloc(32);
    free(name);
}

static __attribute__((noinline)) struct node *push(struct node *head, int v)
{
    struct node *n = malloc(sizeof *n); /* @node */
    if (!n)
        abort();
    n->next = head, n->value = v;
    return n;
}

static __attribute__((noinline)) void make_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 4; i++)
        head = push(head, i);
    printf("list head %d\n", head->value);
}

static __attribute__((noinline)) void *cache_line(void)
{
    void *p = aligned_alloc(64, 128);   /* @aligned */
    if (p)
        memset(p, 0, 128);
    return p;
}

int main(void)
{
    printf("answer %d\n", *make_answer());
    printf("parsed %d %d\n", parse("hello"), parse(""));
    rename_user();
    make_list();
    printf("cache line %s\n", cache_line() ? "ok" : "failed");
    return 0;
}
