/* spawn.c - posix_spawn and posix_spawnp, passed on to the C library's.
 *
 * Their child shares the parent's memory until its exec and runs none of
 * libleak's code: no fork handler, no start marker (started.c).  One that
 * execs a program libleak is not loaded into (static, set-ID) then left no
 * trace, and leakcheck could not list it as a process not checked.  With
 * started=PATH the parent writes the child's marker once the call has
 * returned, from the child's pid and the argument vector.  Otherwise the
 * call goes through as it is.  (glibc's system() and popen() spawn by an
 * internal call no preload reaches; the shell they start is traced.)
 *
 * An exported entry point, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <errno.h>
#include <spawn.h>

typedef int ll_spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

static void *ll_next_spawn, *ll_next_spawnp;

static int ll_spawn(void **next, const char *name, pid_t *pid, const char *file,
                    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                    char *const argv[], char *const envp[])
{
    ll_spawn_fn *f;
    *(void **)&f = ll_real_next(next, name);
    pid_t child = 0;
    int e = f(&child, file, fa, attr, argv, envp);
    if (pid)                            /* the caller may pass none */
        *pid = child;
    if (e == 0 && !ll_guard && ll_opt.started[0] &&
        atomic_load_explicit(&ll_state, memory_order_acquire) == LL_READY &&
        ll_is_own_process()) {
        int saved = errno;
        ll_guard++;
        ll_started_mark_child(child, argv);
        ll_guard--;
        errno = saved;
    }
    return e;
}

LL_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[],
                          char *const envp[])
{
    return ll_spawn(&ll_next_spawn, "posix_spawn", pid, path, fa, attr, argv, envp);
}

LL_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[],
                           char *const envp[])
{
    return ll_spawn(&ll_next_spawnp, "posix_spawnp", pid, file, fa, attr, argv, envp);
}
