/* scrub.h - for test programs: wipe the stack below the caller.
 *
 * The leak check scans stacks conservatively, so a stale copy of a
 * pointer left in a dead frame would keep a lost block "reachable".  A
 * program calls scrub_stack() before it returns from main so its reports
 * say what the code means.  LL_SCRUB_BYTES may be defined first for a
 * deeper wipe. */
#ifndef LL_SCRUB_H
#define LL_SCRUB_H
#include <stddef.h>

#ifndef LL_SCRUB_BYTES
#define LL_SCRUB_BYTES 16384
#endif

static __attribute__((noinline, unused)) void scrub_stack(void)
{
    volatile char pad[LL_SCRUB_BYTES];
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0;
}
#endif
