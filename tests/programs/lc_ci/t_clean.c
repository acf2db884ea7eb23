/* t_clean: a test that frees what it allocates (the CI snippets' pass case). */
#include <stdlib.h>

int main(void)
{
    char *p = malloc(32);
    free(p);
    return 0;
}
