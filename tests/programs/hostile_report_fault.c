/* hostile_report_fault [term]: drops a block (@leak) and exits, or raises
 * SIGTERM with "term".  Run with libqsortfault.so preloaded after libleak,
 * whose report then faults: it is cut short, stderr says so, and the
 * process dies of the report's signal (SIGTERM), or of the fault after an
 * exit.  Before, it died of SIGSEGV with no word in both. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

static __attribute__((noinline)) void drop(void)
{
    char *volatile p = malloc(24); /* @leak */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    drop();
    scrub_stack();
    if (argc > 1 && strcmp(argv[1], "term") == 0)
        raise(SIGTERM);
    exit(0);
}
