/* sysfile.h - which source files are the system's.
 *
 * Shared by libleak.so (the report's snippets pick the program's own code)
 * and the leakcheck wrapper (signatures and suppression patterns skip the
 * same frames), so both agree and it depends on nothing but libc. */
#ifndef LL_SYSFILE_H
#define LL_SYSFILE_H

#include <string.h>

static inline int ll_under_usr(const char *path)
{
    return path && strncmp(path, "/usr/", 5) == 0 && strncmp(path, "/usr/local/", 11) != 0;
}

/* Source installed under /usr (not /usr/local) is the system's: C++'s
 * library headers (readable, and where every std:: container allocates),
 * Rust's library sources.  A relative file is where it was compiled. */
static inline int ll_system_source(const char *file, const char *comp_dir)
{
    return ll_under_usr(file) || (file && file[0] != '/' && ll_under_usr(comp_dir));
}

#endif
