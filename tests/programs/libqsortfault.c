/* libqsortfault.so: preloaded after libleak, a qsort() that faults, so
 * that a fault comes while libleak writes its report (which sorts with
 * qsort; the programs that load this never call it).  Any other use of it
 * would fault too: only for tests/integration/test_hostile.c. */
#include <stddef.h>

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    (void)base; (void)n; (void)size; (void)cmp;
    int *volatile bad = (int *)(size_t)8;
    *bad = 0;                           /* SIGSEGV */
}
