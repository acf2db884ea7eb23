/* demo_global: a block still pointed to by a global variable at exit.  It
 * was never freed, but the program could still free it: "still reachable",
 * counted in the summary, and listed with show_reachable=1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *settings;                   /* a global: lives until the program ends */

int main(void)
{
    settings = malloc(48);        /* @global */
    if (!settings)
        return 1;
    strcpy(settings, "verbose=1");
    printf("settings: %s\n", settings);
    return 0;                     /* settings still points to the 48 bytes */
}
