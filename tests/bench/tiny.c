/* tiny - the shortest process worth checking: one block allocated and
 * freed, one line printed (stdout's buffer stays allocated, reachable). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(16);
    if (!p)
        return 1;
    p[0] = 'x';
    free(p);
    puts("tiny");
    return 0;
}
