/* tls.c - glibc's thread control blocks, as roots.
 *
 * On x86-64 (TLS_TCB_AT_TP) every thread's TCB, glibc's struct pthread,
 * begins with tcbhead_t { tcb, dtv, self, ... }: tcb and self hold the
 * TCB's own address, dtv points one dtv_t (16 bytes) past the start of the
 * DTV that ld.so calloc'd for the thread.  GCC's stack protector reads
 * %fs:40, so this header is ABI and does not move between glibc versions.
 * For a thread whose stack glibc allocated (or was given), the TCB sits at
 * the top of the stack block, the static TLS just below it: the stack ends
 * at the end of the TCB's page.  The main thread's TCB and static TLS were
 * allocated by ld.so before malloc existed, in an anonymous mapping.
 *
 * What each TCB owns:
 *  - the DTV: pointed to only from 16 bytes in, which would make it
 *    "possibly lost" (Valgrind reports live threads' DTVs so); the exact
 *    start is a root word instead;
 *  - through the DTV, the dynamic TLS blocks of dlopened modules (their
 *    start is in each entry's to_free) and through those their variables;
 *  - pthread_setspecific values, in the TCB itself (keys < 32) or in
 *    blocks it points to; scanning a live thread's stack up to its TCB's
 *    end covers them, and the main thread's TCB lies in a scanned region.
 * A TCB whose tid is 0 or -1 (joined) belongs to an exited thread whose stack glibc
 * caches for reuse: its DTV and dynamic TLS blocks are glibc's (freed when
 * the stack is reused), but their contents are dead, so they are marked
 * reachable without being scanned. */
#include "ll.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_WORD sizeof(uintptr_t)
#define LL_DTV_ENTRY (2 * LL_WORD)      /* sizeof (dtv_t) */
#define LL_TCB_MAX 4096                 /* struct pthread: 2304 bytes in 2.36 */

int ll_tcb_supported(void)
{
#if defined(__x86_64__) && defined(__GLIBC__)
    return 1;
#else
    return 0;
#endif
}

int ll_tcb_is(const uintptr_t *w, uintptr_t at)
{
    return ll_tcb_supported() && at && w[0] == at && w[2] == at;
}

uintptr_t ll_tcb_dtv_block(uintptr_t dtv)
{
    return dtv > LL_DTV_ENTRY ? dtv - LL_DTV_ENTRY : 0;
}

uintptr_t ll_tcb_top(uintptr_t tcb)
{
    return (tcb | 4095) + 1;
}

/* Where struct pthread keeps the kernel's tid (cleared by the kernel when
 * the thread exits): found once, in our own TCB, as the word equal to our
 * tid past the header.  -1 if not found. */
int ll_tcb_tid_offset(void)
{
    static int off = -2;
    if (off != -2 || !ll_tcb_supported()) return ll_tcb_supported() ? off : -1;
    const int32_t *w = (const int32_t *)pthread_self();
    int32_t tid = (int32_t)syscall(SYS_gettid);
    off = -1;
    for (int k = 3 * LL_WORD / 4; k < LL_TCB_MAX / 4 / 2; k++)
        if (w[k] == tid) { off = 4 * k; break; }
    return off;
}

/* The main thread's TCB, noted at start-up and in a fork child (each runs
 * on what is then the process's main thread).  ld.so placed it in an
 * anonymous mapping of its own, but mappings made later next to it merge
 * with it, and the TCB can end up anywhere in the merged one, past the top
 * that the search for thread stacks' TCBs reads.  0 if unknown. */
static uintptr_t ll_main_tcb_at;

void ll_tcb_note_main(void)
{
    if (ll_tcb_supported() && (pid_t)syscall(SYS_gettid) == getpid())
        ll_main_tcb_at = (uintptr_t)pthread_self();
}

uintptr_t ll_tcb_main(void) { return ll_main_tcb_at; }

/* Read [a, a + n) from our own memory without faulting: what a stale map
 * lists may be gone.  Returns the bytes read. */
size_t ll_peek(int memfd, uintptr_t a, void *buf, size_t n)
{
    ssize_t got = pread(memfd, buf, n, (off_t)a);
    return got > 0 ? (size_t)got : 0;
}

/* Blocks an exited thread's cached TCB owns, for marking: its DTV and the
 * dynamic TLS blocks the DTV lists.  Returns how many (<= max). */
size_t ll_tcb_dead_owned(int memfd, uintptr_t dtv, uintptr_t *out, size_t max)
{
    uintptr_t e[2];
    size_t n = 0, len;
    if (!dtv || max == 0) return 0;
    if (ll_peek(memfd, dtv - LL_DTV_ENTRY, e, LL_WORD) != LL_WORD) return 0;
    out[n++] = dtv - LL_DTV_ENTRY;
    len = e[0] < 1u << 16 ? e[0] : 0;   /* dtv[-1].counter: its length */
    for (size_t m = 1; m <= len && n < max; m++)
        if (ll_peek(memfd, dtv + m * LL_DTV_ENTRY, e, sizeof e) == sizeof e && e[1])
            out[n++] = e[1];            /* pointer.to_free */
    return n;
}
