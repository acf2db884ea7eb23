/* late.c - the exit report after every library's destructor.
 *
 * exit() runs the atexit handlers, then the ELF destructors (_dl_fini), an
 * object's before those of the objects it needs.  libleak, preloaded, needs
 * none of the program's libraries, so its destructor runs second, right
 * after the program's and before theirs (libstdc++'s, glib's, libpython's).
 * What they free then was still held when the report was written: a block
 * whose last holder a library frees at exit read still reachable, where
 * Valgrind, which checks after everything, reads it lost (gdb --batch: 34
 * blocks).
 *
 * After the destructors, exit() writes out every stdio stream's pending
 * output (_IO_cleanup), and only then ends the process.  So our destructor
 * does not report: it leaves one byte pending in a stream of its own
 * (fopencookie), whose write function, called from that last flush, writes
 * the report.  A flush of every stream that a later destructor makes
 * (fflush(NULL)) calls it first: the report comes then, still after our
 * destructor.  If the stream cannot be made, the destructor writes the
 * report itself; a later destructor's _exit() writes it too (exits.c). */
#include "ll.h"

#include <stdio.h>

static atomic_int ll_late_state;        /* 0, 1: armed, 2: called */
static FILE *ll_late_file;

/* The stream's only output: the last flush of exit() brings it here. */
static ssize_t ll_late_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    (void)buf;
    int armed = 1;
    /* once: the exitcode path flushes every stream again, ours among them */
    if (atomic_compare_exchange_strong(&ll_late_state, &armed, 2))
        ll_finish_report();
    return (ssize_t)n;
}

int ll_late_arm(void)
{
    static char buf[8];
    cookie_io_functions_t io = { .write = ll_late_write };
    ll_guard++;                         /* fopencookie allocates: libleak's own */
    FILE *f = fopencookie(NULL, "w", io);
    /* one byte pending (the buffer holds 8): written at the last flush */
    int ok = f && setvbuf(f, buf, _IOFBF, sizeof buf) == 0 &&
             fputc_unlocked('\n', f) != EOF;
    if (ok) {
        ll_late_file = f;
        atomic_store(&ll_late_state, 1);
    }
    ll_guard--;
    return ok;
}

/* glibc links a new stream first in its list (_IO_list_all, in libc's
 * data, a root), so ours, made in libleak's memory, which is no root,
 * holds the only pointer to the stream opened before it: a FILE from
 * fopen() that the program never closed read definitely lost, its buffer
 * indirectly, where Valgrind reads both still reachable. */
uintptr_t ll_late_next(void)
{
    return ll_late_file ? (uintptr_t)ll_late_file->_chain : 0;
}

int ll_late_pending(void)
{
    return atomic_load(&ll_late_state) == 1;
}
