/* libreuse_b: see reuse_lib.h; loaded by dlclose_reuse where libreuse_a
 * was, and kept. */
#define REUSE_FN reuse_bravo
#define REUSE_SIZE 4000
#define REUSE_ALLOC 22
#include "reuse_lib.h"
