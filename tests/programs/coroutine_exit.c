/* coroutine_exit: exit() from a coroutine (makecontext) whose stack is
 *   heap: a 64 KiB block from malloc, in the heap among the others;
 *   mmap: a 64 KiB mapping of the program's own.
 * main holds four blocks in its frame, on the main thread's stack, which
 * the coroutine left: still reachable (Valgrind agrees).  The coroutine
 * loses a list of two nodes: one definitely and one indirectly lost.  The
 * heap above the coroutine's stack pointer was scanned as its stack (the
 * second node read reachable), and the main stack not at all (main's
 * blocks read definitely lost). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define STACK (64 << 10)

struct node { struct node *next; char pad[40]; };

static ucontext_t uc_main, uc_co;

static __attribute__((noinline)) void lose_list(void)
{
    struct node *h = malloc(sizeof *h);                 /* @head */
    h->next = malloc(sizeof *h);                        /* @next */
    h->next->next = NULL;
    __asm__ volatile("" : : "r"(h) : "memory");
}

static __attribute__((noinline)) void co(void)
{
    lose_list();
    exit(3);
}

static __attribute__((noinline)) void run(int heap)
{
    char *st = heap ? malloc(STACK)
                    : mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
    getcontext(&uc_co);
    uc_co.uc_stack.ss_sp = st;
    uc_co.uc_stack.ss_size = STACK;
    uc_co.uc_link = NULL;
    makecontext(&uc_co, co, 0);
    swapcontext(&uc_main, &uc_co);
}

int main(int argc, char **argv)
{
    char *volatile mine[4];
    for (int i = 0; i < 4; i++)
        mine[i] = malloc(33 + i);                       /* @mine */
    run(argc > 1 && strcmp(argv[1], "heap") == 0);
    return mine[0][0];
}
