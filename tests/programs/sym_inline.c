/* sym_inline: one block leaked through three always_inline functions inside a
 * static function, called from a global one.  Built by gcc like the others,
 * and by the Makefile twice more: sym_inline_clang by clang (which writes no
 * .debug_aranges) and sym_inline_split with -gsplit-dwarf (the functions'
 * DWARF in a .dwo file).  Each should report in3, in2, in1 (inlined),
 * stat_fn, glob_fn, main, each at its own line. */
#include <stdlib.h>

void *volatile sink;
static inline __attribute__((always_inline)) void in3(int n) { sink = malloc(n); } /* @in3 */
static inline __attribute__((always_inline)) void in2(int n) { in3(n + 1); }      /* @in2 */
static inline __attribute__((always_inline)) void in1(int n) { in2(n + 1); }      /* @in1 */
static __attribute__((noinline)) void stat_fn(int n) { in1(n); sink = 0; }        /* @stat_fn */
__attribute__((noinline)) void glob_fn(int n) { stat_fn(n); __asm__ volatile(""); } /* @glob_fn */

int main(void)
{
    glob_fn(10);                                                                  /* @main */
    return 0;
}
