/* demo_early_return: a function frees its buffer on the normal path but
 * returns early on an error and forgets it there.  A classic: every early
 * return must free what was allocated before it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy name into a fresh buffer and count its vowels; -1 if it is empty. */
static int count_vowels(const char *name)
{
    char *copy = malloc(64);      /* @alloc */
    if (copy == NULL)
        return -1;
    if (name[0] == '\0')
        return -1;                /* @return: early return, copy is leaked */
    snprintf(copy, 64, "%s", name);
    int n = 0;
    for (char *c = copy; *c; c++)
        n += strchr("aeiou", *c) != NULL;
    free(copy);
    return n;
}

int main(void)
{
    printf("%d vowels\n", count_vowels("libleak"));   /* frees its copy */
    printf("%d vowels\n", count_vowels(""));          /* leaks 64 bytes */
    return 0;
}
