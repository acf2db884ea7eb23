/* lc_static: leakcheck's tests link this statically (cc -static) to check
 * that leakcheck refuses a program LD_PRELOAD cannot work for. */
#include <stdio.h>

int main(void)
{
    puts("lc_static: ran");
    return 0;
}
