/* hostile_handler_exit: a signal handler ends the process on a thread that
 * was inside libleak's malloc hook, where libleak's tables may be
 * mid-update and their locks held by that very thread.  argv[1]:
 *   in_malloc: malloc is called from a frame whose CFI says its caller's
 *     frame is at rbp, with rbp pointing into a PROT_NONE page: the hook's
 *     stack walk faults there, deterministically, and the program's SIGSEGV
 *     handler calls exit(5).  libleak must say why on stderr, write no
 *     report and let the process end with 5.
 *   in_malloc_die: the same fault with no handler of the program's:
 *     libleak's own SIGSEGV handler says the same, and the process dies of
 *     SIGSEGV.
 *   in_program: the handler's exit(5) interrupts the program's own code
 *     (raise): the usual report, with the 77-byte leak. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

char *volatile sink;

#include "scrub.h"

static __attribute__((noinline)) void leak(size_t n)
{
    sink = malloc(n);                       /* @leak */
    sink[0] = 1;
    sink = NULL;
}

static void handler(int sig)
{
    (void)sig;
    exit(5);
}

#if defined(__x86_64__)
/* void *malloc_with_frame(size_t n, void *frame): malloc(n) with rbp =
 * frame, under CFI that puts the caller's frame (CFA) at rbp + 16. */
void *malloc_with_frame(size_t n, void *frame);
__asm__(".text\n"
        ".type malloc_with_frame, @function\n"
        "malloc_with_frame:\n"
        "\t.cfi_startproc\n"
        "\tpushq %rbp\n"
        "\t.cfi_def_cfa_offset 16\n"
        "\t.cfi_offset %rbp, -16\n"
        "\tmovq %rsi, %rbp\n"
        "\t.cfi_def_cfa_register %rbp\n"
        "\tcall malloc@PLT\n"
        "\tpopq %rbp\n"
        "\t.cfi_def_cfa %rsp, 8\n"
        "\tret\n"
        "\t.cfi_endproc\n"
        ".size malloc_with_frame, .-malloc_with_frame\n");

/* A PROT_NONE page inside this frame, above the stack pointer of the
 * malloc call (the walk only climbs), within the walk's bounds. */
static __attribute__((noinline)) void fault_in_malloc(void)
{
    char area[3 * 4096];
    uintptr_t page = ((uintptr_t)area + 4095) & ~(uintptr_t)4095;
    if (mprotect((void *)page, 4096, PROT_NONE) != 0) {
        perror("mprotect");
        exit(2);
    }
    sink = malloc_with_frame(40, (void *)page);
    printf("hostile_handler_exit: malloc did not fault\n");
    exit(3);
}
#else
static void fault_in_malloc(void)
{
    printf("hostile_handler_exit: x86-64 only\n");
    exit(3);
}
#endif

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "in_malloc";
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    leak(77);
    scrub_stack();
    printf("hostile_handler_exit: %s\n", m);
    fflush(stdout);
    if (!strcmp(m, "in_malloc")) {
        signal(SIGSEGV, handler);
        fault_in_malloc();
    } else if (!strcmp(m, "in_malloc_die")) {
        fault_in_malloc();
    } else if (!strcmp(m, "in_program")) {
        signal(SIGUSR1, handler);
        raise(SIGUSR1);
    }
    return 1;
}
