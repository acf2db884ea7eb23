/* fuzz_options.c - libFuzzer target: any LIBLEAK_OPTIONS string.  The parser
 * must not crash, read out of bounds or leave a value outside its range.
 * Its warnings go to stderr: run with -close_fd_mask=2 or a log file. */
#include "ll.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;                        /* getenv's strings end at the first NUL */
    ll_opt_parse(s);
    if (ll_opt.depth < 1 || ll_opt.depth > LL_MAX_DEPTH || ll_opt.exitcode < 0 ||
        ll_opt.exitcode > 255 || ll_opt.format < 0 ||
        memchr(ll_opt.output, 0, sizeof(ll_opt.output)) == NULL)
        abort();
    free(s);
    return 0;
}
