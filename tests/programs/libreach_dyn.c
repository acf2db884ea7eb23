/* libreach_dyn: a dlopened library with a dynamic-TLS (general-dynamic)
 * variable, for the noise and classification corpora. */
#include <stdlib.h>

__thread void *reach_dyn_tls;                /* dynamic TLS once dlopened */

void *reach_dyn_keep(size_t n)               /* the only pointer: in TLS */
{
    reach_dyn_tls = malloc(n);              /* @dyn-tls */
    return NULL;
}

void reach_dyn_drop(void)
{
    free(reach_dyn_tls);
    reach_dyn_tls = NULL;
}

int reach_dyn_answer(void) { return 42; }
