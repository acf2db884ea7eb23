/* reachable_global: memory still pointed to by a global at exit is "still reachable", not lost - even a block reachable only through another heap block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config {
    char *extra;                    /* points to a second heap block */
    char name[768];
};                                  /* 776 bytes on LP64 */

struct config *g_config;            /* a global root: everything it reaches stays reachable */

int main(void)
{
    g_config = malloc(sizeof *g_config); /* @config */
    if (!g_config)
        return 1;
    strcpy(g_config->name, "settings");
    g_config->extra = malloc(333);   /* @extra */
    if (!g_config->extra)
        return 1;
    strcpy(g_config->extra, "more settings");
    printf("%s / %s\n", g_config->name, g_config->extra);
    return 0;                        /* never freed, but never lost either */
}
