/* libreuse_a: see reuse_lib.h; dlopen'ed, called and dlclosed by
 * dlclose_reuse before libreuse_b is loaded into its place. */
#define REUSE_FN reuse_alpha
#define REUSE_SIZE 200
#define REUSE_ALLOC 11
#include "reuse_lib.h"
