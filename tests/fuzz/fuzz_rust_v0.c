/* fuzz_rust_v0.c - libFuzzer target: ll_demangle_rust_v0 on any name (the
 * symbol tables it reads come from whatever objects a program loads) must
 * end, stay in bounds, and give NULL or a string shorter than its limit. */
#include "ll.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = malloc(size + 3);
    if (!raw)
        return 0;
    memcpy(raw, "_R", 2);
    memcpy(raw + 2, data, size);
    raw[size + 2] = 0;                  /* a name ends at its first NUL */
    char *d = ll_demangle_rust_v0(raw);
    if (d && strlen(d) >= 4096)
        abort();
    free(d);
    free(raw);
    return 0;
}
