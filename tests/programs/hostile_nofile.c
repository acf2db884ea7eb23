/* hostile_nofile: lowers its soft RLIMIT_NOFILE to 3 (stdin, stdout and
 * stderr are open: no descriptor is left) and leaks 29 bytes.  The report
 * needs descriptors of its own - /proc, output=FILE, the objects its frames
 * are named from - and raises the soft limit to the hard one while it runs:
 * it went to stderr, every frame '???'. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

int main(void)
{
    leak(29);
    scrub_stack();
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return 1;
    r.rlim_cur = 3;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0)
        return 1;
    FILE *f = fopen("/dev/null", "r");      /* as natively: no descriptor left */
    printf("hostile_nofile: fopen %s\n", f ? "succeeded" : "failed");
    return 4;
}
