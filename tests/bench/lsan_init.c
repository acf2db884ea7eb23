/* lsan_init - preloaded after liblsan.so.0 by the benchmark: gcc-12's LSan
 * runtime crashes when a program calls signal() before LSan initialised
 * (perl, sqlite3, git); initialising it from a constructor avoids that. */
extern void __lsan_init(void);
__attribute__((constructor)) static void lsan_init_early(void) { __lsan_init(); }
