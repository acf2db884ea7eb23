/* libhostile_leak: dlopen'ed and dlclose'd by hostile_dlclose; leaks 123
 * bytes, whose stack must still be named after the library is unmapped. */
#include <stdlib.h>

char *volatile hostile_lib_sink;

__attribute__((noinline)) void hostile_lib_leak(void)
{
    hostile_lib_sink = malloc(123);         /* @lib-leak */
    hostile_lib_sink[0] = 1;
    hostile_lib_sink = NULL;
}
