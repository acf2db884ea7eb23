/* clean_stdio: a program that frees everything it allocates, using stdio and libc helpers that allocate behind the scenes; libleak must report nothing lost. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    /* A scratch file: the path given on the command line, or an anonymous temp file. */
    FILE *f = argc > 1 ? fopen(argv[1], "w+") : tmpfile();
    if (!f) {
        perror("fopen");
        return 1;
    }
    for (int i = 0; i < 100; i++)
        fprintf(f, "line %d of the scratch file\n", i);
    rewind(f);

    /* getline grows a heap buffer for us; we own it and must free it. */
    char *line = NULL;
    size_t cap = 0;
    int lines = 0;
    while (getline(&line, &cap, f) > 0)
        lines++;
    free(line);
    fclose(f);

    /* asprintf and strdup return heap strings. */
    char *msg = NULL;
    if (asprintf(&msg, "read %d lines", lines) < 0)
        return 1;
    char *copy = strdup(msg);
    printf("%s\n", copy);
    free(copy);
    free(msg);

    /* A buffer grown with realloc, then sorted (qsort may allocate a temporary). */
    int *v = NULL;
    size_t n = 0;
    for (int i = 0; i < 5000; i++) {
        if ((n & (n - 1)) == 0) {               /* n is 0 or a power of two: grow */
            int *nv = realloc(v, (n ? 2 * n : 1) * sizeof *v);
            if (!nv)
                return 1;
            v = nv;
        }
        v[n++] = (i * 7919) % 5003;
    }
    qsort(v, n, sizeof *v, cmp_int);
    printf("smallest %d, largest %d\n", v[0], v[n - 1]);
    free(v);

    /* calloc'd and malloc'd blocks in a loop. */
    for (int i = 0; i < 100; i++) {
        char *volatile a = calloc(i + 1, 8);
        char *volatile b = malloc(i * 3 + 1);
        free(a);
        free(b);
    }

    /* opendir allocates the DIR stream; closedir frees it. */
    DIR *d = opendir("/");
    if (d) {
        int entries = 0;
        while (readdir(d))
            entries++;
        closedir(d);
        printf("root directory listed: %s\n", entries > 0 ? "yes" : "no");
    }

    printf("clean_stdio: done\n");
    return 0;
}
