/* long_name: one still reachable block from a function whose name is
 * 16,384 characters (generated C++ template names reach that), more than a
 * report's write buffer: its JSON frame must still be whole.  Not a leak,
 * so that no 16 KiB line goes into lc_known_leaks.baseline. */
#include <stdlib.h>

#define CAT4(x) x##x##x##x
#define TIMES4(x) CAT4(x)
#define LONG_NAME TIMES4(TIMES4(TIMES4(TIMES4(TIMES4(TIMES4(abcd))))))   /* 4 * 4^6 */

void *volatile sink;

__attribute__((noinline)) void LONG_NAME(void)
{
    sink = malloc(24);                          /* @long */
}

int main(void)
{
    LONG_NAME();
    return 0;
}
