/* libleak.c - lazy initialisation and the exit report.
 *
 * The first allocation of the process, not our constructor, initialises
 * libleak: other libraries' constructors run first and may already allocate.
 * Exactly one thread initialises; allocations by other threads meanwhile
 * come from the bootstrap arena, so no thread ever waits on another (the
 * initialiser may be waiting for the loader lock such a thread holds). */
#include "ll.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

LL_TLS struct ll_hot ll_hot;
atomic_int ll_state = LL_UNINIT;
size_t ll_page_size = 4096;
char **ll_argv;
int ll_argc;

/* Every stdio stream's pending output written out, as exit() does.  Not
 * fflush(NULL): it takes each stream's lock, and a thread blocked in
 * fgets(stdin) holds that one for as long as its read() waits, so the
 * process would hang at exit.  Like exit() (_IO_cleanup), a stream another
 * thread holds is written out without its lock, and only if output is
 * pending (an input stream in use is left alone).  glibc exports its list
 * of streams and the list's lock, which exit() takes too (an fclose on
 * another thread must not free a stream under us). */
void ll_flush_streams(void)
{
    FILE **list = dlsym(RTLD_DEFAULT, "_IO_list_all");
    void (*lock)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_IO_list_lock");
    void (*unlock)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_IO_list_unlock");
    if (!list || !lock || !unlock) {
        fflush(NULL);
        return;
    }
    lock();
    for (FILE *f = *list; f; f = f->_chain) {
        if (ftrylockfile(f) == 0) {
            fflush_unlocked(f);
            funlockfile(f);
        } else if (f->_IO_write_ptr > f->_IO_write_base) {
            fflush_unlocked(f);
        }
    }
    unlock();
}

int ll_proc_open(const char *name, int flags)
{
    char path[64] = "/proc/thread-self/";
    size_t n = strlen(path), k = strlen(name);
    if (n + k >= sizeof path)
        return -1;
    memcpy(path + n, name, k + 1);
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        memcpy(path + 6, "self/", 5);
        memmove(path + 11, path + n, k + 1);
        fd = open(path, flags | O_CLOEXEC);
    }
    return fd;
}

size_t ll_read_close(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    if (fd < 0)
        return 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    return n;
}

/* interpose.c's on x86_64; elsewhere, and in the unit-test library (which
 * links no interpose.c), there is nothing to pick. */
__attribute__((weak)) void ll_scrub_init(void)
{
}

void ll_init_slow(void)
{
    int expect = LL_UNINIT;
    if (!atomic_compare_exchange_strong(&ll_state, &expect, LL_INITIALISING))
        return;
    int saved = errno;
    ll_guard++;
    unsigned long pg = getauxval(AT_PAGESZ);
    if (pg)
        ll_page_size = pg;
    int unresolved = ll_real_resolve() != 0;
    if (unresolved)
        ll_msg("cannot find the next malloc (dlsym RTLD_NEXT failed); "
               "nothing is tracked");
    /* Another copy of libleak ahead does everything: this one only passes
     * calls on to the allocator, and writes no report, marker or message. */
    if (unresolved || ll_other_copy_ahead()) {
        atomic_store(&ll_state, LL_DONE);
        ll_guard--;
        errno = saved;
        return;
    }
    ll_amaps_init();      /* which mappings are the allocator's (allocmaps.c) */
    ll_tcb_note_main();
    ll_out_keep_stderr();
    ll_opt_parse(getenv("LIBLEAK_OPTIONS"));
    if (ll_opt.help)
        ll_opt_help();
    ll_unwind_init();
    ll_scrub_init();
    ll_fl_init();
    ll_table_init();
    ll_fork_install();
    ll_abnormal_init();   /* fatal-signal handlers, _exit (signals.c) */
    ll_exit_root_init();
    ll_cxx_own_init();
    ll_alloc_hidden_init();
    /* Here, once per program image, in the process that exec'd it (a fork
     * child writes its own from fork.c's handler): a vfork or posix_spawn
     * child shares its parent's state, initialised already, until its exec
     * (started.c). */
    /* The start time, read while /proc is there: only the JSON report and
     * the start marker carry it.  Reading /proc/self/stat took 6 of a short
     * process's 185 system calls, and perf put 3-4% of its time there. */
    if (ll_opt.format == LL_FORMAT_JSON || ll_opt.started[0])
        (void)ll_start_time();
    ll_started_mark();
    ll_guard--;
    atomic_store_explicit(&ll_state, LL_READY, memory_order_release);
    errno = saved;
}

/* A copy of the command line, in libleak's memory; argv itself if there is
 * no room. */
static char **ll_argv_copy(int argc, char **argv)
{
    size_t len = 0;
    for (int i = 0; i < argc && argv[i]; i++)
        len += strlen(argv[i]) + 1;
    size_t vec = ((size_t)argc + 1) * sizeof(char *);
    char **v = ll_mem_alloc(vec + len);
    if (!v)
        return argv;
    char *s = (char *)v + vec;
    int i = 0;
    for (; i < argc && argv[i]; i++) {
        size_t n = strlen(argv[i]) + 1;
        v[i] = memcpy(s, argv[i], n);
        s += n;
    }
    v[i] = NULL;
    return v;
}

/* Called from the ELF constructor: the command line, for the report, as
 * the program was started with it.  Copied now, before main runs: programs
 * rewrite their argv (head turns "-40" into other words in place, git and
 * ld theirs), and the report named "head -40" "head head" and eight git
 * processes of one gc by their rewritten words, until 2026-11-27. */
void ll_start(int argc, char **argv)
{
    (void)ll_ready();
    ll_argc = argc;
    ll_argv = argv && argc > 0 ? ll_argv_copy(argc, argv) : argv;
}

/* Called from the ELF destructor, after the program's atexit handlers and
 * static destructors, so whatever they free is not reported; the report
 * itself waits for exit()'s last flush of stdio, after the other
 * libraries' destructors too (late.c). */
void ll_finish(void)
{
    if (atomic_load(&ll_state) != LL_READY)
        return;
    if (!ll_is_own_process()) {
        /* A vfork child that called exit(): it shares the parent's memory,
         * and has just run the parent's atexit handlers and destructors,
         * ours among them, which will not run again in the parent.  No
         * report here (it would take the parent's state); say why none
         * will come.  A clone() child with a memory of its own (no
         * CLONE_VM) gets no report either, and its parent still writes
         * one: nothing to say. */
        if (ll_child_shares_memory())
            ll_msg("a vfork child called exit() instead of _exit(): it ran the parent's exit "
                   "handlers and destructors, libleak's among them, so the parent (pid %d) "
                   "will write no leak report", (int)getppid());
        return;
    }
    /* From here every report keeps off the allocator: the program may have
     * spoiled the heap (bootstrap.c). */
    ll_boot_salvage();
    if (!ll_late_arm())
        ll_finish_report();
}

void ll_finish_report(void)
{
    if (!ll_report_claim())
        return;           /* one report per process: a signal's came first */
    if (ll_end_interrupted("exit()", 0))
        return;           /* a handler's exit() on a thread inside libleak */
    ll_guard++;
    ll_internal_off = 1;  /* the report holds the table locks */
    int saved = errno, was = ll_cancel_off();   /* through the flush and _exit too */
    /* The gate: unsuppressed blocks of a fail_on kind (by default definitely
     * or indirectly lost) turn exitcode=N into the process's status. */
    int fails = ll_report_held();
    if (fails && ll_opt.exitcode) {
        /* _exit skips stdio's final flush: do it first, or buffered output
         * the program wrote would be lost. */
        ll_flush_streams();
        _exit(ll_opt.exitcode);
    }
    ll_cancel_restore(was);
    errno = saved;
    ll_guard--;
}
