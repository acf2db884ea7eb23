/* spawn.c - posix_spawn, posix_spawnp and the exec family, passed on to
 * the C library's.
 *
 * A posix_spawn child shares the parent's memory until its exec and runs
 * none of libleak's code: no fork handler, no start marker (started.c).
 * One that execs a program libleak is not loaded into (static, set-ID)
 * then left no trace, and leakcheck could not list it as a process not
 * checked.  With started=PATH the parent writes the child's marker once the
 * call has returned, from the child's pid and the argument vector.
 * (glibc's system() and popen() spawn by an internal call no preload
 * reaches; the shell they start is traced.)
 *
 * A vfork child (Python's subprocess makes its children so) or a clone()
 * child ran no fork handler either, but it calls the exec function itself:
 * there it writes its own marker, just before the exec, from the argument
 * vector, with system calls and its stack alone (a vfork child runs on its
 * parent's stack, and libleak's locks, memory and thread variables are
 * its parent's).  A traced program rewrites it as its own; if the exec
 * fails, the marker goes again (the child then usually _exits, reporting
 * nothing, as a fork child's _exit does).  A process that was exec'ing for
 * itself, or a fork child, has its marker already: the call goes through
 * as it is.  The next functions are found at load, not at the first call:
 * dlsym in a vfork child would take the loader's lock and allocate.
 *
 * Exported entry points, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <unistd.h>

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

/* ---- the exec family ----------------------------------------------------- */
enum { LL_EXECVE, LL_EXECV, LL_EXECVP, LL_EXECVPE, LL_FEXECVE, LL_EXECVEAT, LL_NEXEC };
static const char *const ll_exec_name[LL_NEXEC] = { "execve",  "execv",   "execvp",
                                                    "execvpe", "fexecve", "execveat" };
static void *ll_next_exec[LL_NEXEC];

__attribute__((constructor)) static void ll_exec_install(void)
{
    for (int i = 0; i < LL_NEXEC; i++)
        (void)ll_real_next(&ll_next_exec[i], ll_exec_name[i]);
}

static void *ll_exec_next(int which)
{
    return ll_real_next(&ll_next_exec[which], ll_exec_name[which]);
}

/* The marker a child that ran no fork handler writes before its exec. */
struct ll_exec_mark {
    int made;
    char path[LL_STARTED_PATH_MAX];
};

static void ll_exec_mark(struct ll_exec_mark *m, char *const argv[])
{
    m->made = 0;
    if (!ll_opt.started[0] ||
        atomic_load_explicit(&ll_state, memory_order_acquire) != LL_READY ||
        ll_is_own_process())
        return;
    int saved = errno;                  /* a vfork child's is its parent's */
    m->made = ll_started_mark_exec(argv, m->path, sizeof m->path);
    errno = saved;
}

/* The exec failed (it returned): the marker goes; errno is the exec's. */
static int ll_exec_failed(const struct ll_exec_mark *m, int r)
{
    if (m->made) {
        int saved = errno;
        unlink(m->path);
        errno = saved;
    }
    return r;
}

typedef int ll_execve_fn(const char *, char *const[], char *const[]);
typedef int ll_execv_fn(const char *, char *const[]);
typedef int ll_fexecve_fn(int, char *const[], char *const[]);
typedef int ll_execveat_fn(int, const char *, char *const[], char *const[], int);

/* One exec call: mark, call the next fn (of type T) with ARGS, unmark if
 * it returned. */
#define LL_EXEC(which, T, argv, ...)                                       \
    do {                                                                   \
        struct ll_exec_mark m_;                                            \
        ll_exec_mark(&m_, argv);                                           \
        T *f_ = (T *)ll_exec_next(which);                                  \
        return ll_exec_failed(&m_, f_ ? f_(__VA_ARGS__) : (errno = ENOSYS, -1)); \
    } while (0)

LL_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    LL_EXEC(LL_EXECVE, ll_execve_fn, argv, path, argv, envp);
}

LL_EXPORT int execv(const char *path, char *const argv[])
{
    LL_EXEC(LL_EXECV, ll_execv_fn, argv, path, argv);
}

LL_EXPORT int execvp(const char *file, char *const argv[])
{
    LL_EXEC(LL_EXECVP, ll_execv_fn, argv, file, argv);
}

LL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    LL_EXEC(LL_EXECVPE, ll_execve_fn, argv, file, argv, envp);
}

LL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    LL_EXEC(LL_FEXECVE, ll_fexecve_fn, argv, fd, argv, envp);
}

LL_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                       int flags)
{
    LL_EXEC(LL_EXECVEAT, ll_execveat_fn, argv, dirfd, path, argv, envp, flags);
}

/* execl, execlp, execle: the arguments into a vector on the stack (no
 * malloc: a vfork child may call them), then as execv, execvp, execve.
 * ap is left past the list's NULL, where execle's envp is. */
static size_t ll_exec_count(const char *arg0, va_list *ap)
{
    size_t n = 1;
    if (arg0)
        while (va_arg(*ap, const char *))
            n++;
    return n;
}

static void ll_exec_fill(char **argv, const char *arg0, va_list *ap)
{
    size_t i = 0;
    argv[0] = (char *)arg0;
    while (argv[i])
        argv[++i] = va_arg(*ap, char *);
}

/* argv, a vector of the list from arg0; ap_ still open after it. */
#define LL_EXEC_LIST(arg0, argv)                                           \
    va_list ap_;                                                           \
    va_start(ap_, arg0);                                                   \
    size_t n_ = ll_exec_count(arg0, &ap_);                                 \
    va_end(ap_);                                                           \
    char *argv[n_ + 1];                                                    \
    va_start(ap_, arg0);                                                   \
    ll_exec_fill(argv, arg0, &ap_)

LL_EXPORT int execl(const char *path, const char *arg0, ...)
{
    LL_EXEC_LIST(arg0, argv);
    va_end(ap_);
    LL_EXEC(LL_EXECV, ll_execv_fn, argv, path, argv);
}

LL_EXPORT int execlp(const char *file, const char *arg0, ...)
{
    LL_EXEC_LIST(arg0, argv);
    va_end(ap_);
    LL_EXEC(LL_EXECVP, ll_execv_fn, argv, file, argv);
}

LL_EXPORT int execle(const char *path, const char *arg0, ...)
{
    LL_EXEC_LIST(arg0, argv);
    char *const *envp = va_arg(ap_, char *const *);
    va_end(ap_);
    LL_EXEC(LL_EXECVE, ll_execve_fn, argv, path, argv, envp);
}
