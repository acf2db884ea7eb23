/* reach_cases: one heap shape per argument, for the classification corpus
 * (tests/integration/test_reach.c, which states Valgrind's figures).  No
 * stdio: its buffer would be one more reachable block.  Pointers that must
 * be lost are kept only obfuscated (p ^ KEY), and main scrubs its dead
 * stack before returning, so that no stale copy makes them reachable. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KEY ((uintptr_t)0x5a5a5a5a5a5a5a5aull)

struct node { struct node *next, *prev; char pad[16]; };     /* 32 bytes */
struct tree { struct tree *left, *right; char pad[32]; };    /* 48 bytes */

void *g_data_ptr = (void *)1;      /* .data (initialised) */
void *g_bss_ptr;                   /* .bss */
char *g_interior;
char *g_before;
void *g_zero;
static volatile uintptr_t g_hidden;
static volatile int g_ready;
__thread void *volatile t_main_ptr;        /* global: the stores must stay */
__thread void *volatile t_thread_ptr;
static pthread_key_t g_key;

#define LL_SCRUB_BYTES 65536
#include "scrub.h"

static __attribute__((noinline)) void hide(void *p) { g_hidden = (uintptr_t)p ^ KEY; }

static void list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 10; i++) {
        struct node *n = calloc(1, sizeof *n);   /* @list */
        n->next = head;
        head = n;
    }
    hide(head);
}

static struct tree *tree_make(int depth)
{
    if (!depth) return NULL;
    struct tree *t = calloc(1, sizeof *t);       /* @tree */
    t->left = tree_make(depth - 1);
    t->right = tree_make(depth - 1);
    return t;
}

static void tree(void) { hide(tree_make(3)); }   /* 7 nodes */

static void cycle(void)
{
    void **a = calloc(5, 8), **b = calloc(5, 8), **c = calloc(5, 8);   /* @cycle */
    a[0] = b;
    b[2] = c;
    c[4] = a;
    hide(a);
}

static void self(void)
{
    void **a = calloc(3, 8);                    /* @self */
    a[1] = a;
    hide(a);
}

static void interior(void)
{
    g_interior = (char *)malloc(100) + 10;      /* @interior */
}

static void before(void)
{
    g_before = (char *)malloc(64) - 1;          /* @before */
}

static void zero(void)
{
    g_zero = malloc(0);                         /* @zero-kept */
    hide(malloc(0));                            /* @zero-lost */
}

static void big(void)
{
    void **kept = malloc(64u << 20);            /* @big-kept */
    kept[(64u << 20) / 8 - 1] = malloc(16);     /* @big-child */
    g_bss_ptr = kept;
    hide(malloc(64u << 20));                    /* @big-lost */
}

static void globals(void)
{
    g_data_ptr = malloc(111);                   /* @data */
    g_bss_ptr = malloc(222);                    /* @bss */
}

/* The C library's own data keeps pointers into the middle of these: strtok's
 * saved position, and stdout's buffer pointers (set to buf + 16).  Nothing
 * of the program's points to them any more. */
static void libc_interior(void)
{
    char *s = malloc(17);                       /* @strtok */
    strcpy(s, "alpha beta gamma");
    hide(strtok(s, " "));
    char *buf = malloc(4096);                   /* @setvbuf */
    setvbuf(stdout, buf + 16, _IOFBF, 4000);
}

/* A C++ object seen through its second base class, as the compiler lays it
 * out: a vtable pointer at its start and another at the second base (here
 * byte 16); the only pointer left points at the second one.  And the same
 * shape whose second word points to plain data, not a vtable. */
static void vfn_a(void) { g_ready = 1; }
static void vfn_b(void) { g_ready = 2; }
static void (*const vtable_a[])(void) = { vfn_a, vfn_b };
static void (*const vtable_b[])(void) = { vfn_b, vfn_a };
static const long not_code[] = { 1, 2, 3 };
void *g_second_base, *g_not_base;

static void multi_inherit(void)
{
    const void **obj = calloc(5, 8);            /* @multi-inherit */
    obj[0] = vtable_a;
    obj[2] = vtable_b;
    g_second_base = &obj[2];
    const void **other = calloc(5, 8);          /* @multi-not-vtable */
    other[0] = vtable_a;
    other[2] = not_code;
    g_not_base = &other[2];
}

/* ---- threads still running at exit ---------------------------------------- */

static void *stack_thread(void *arg)
{
    void *volatile mine = malloc(300);          /* @thread-stack */
    (void)arg;
    g_ready = 1;
    for (;;) pause();
    return mine;
}

/* The block's only copy lives in r12 (callee-saved, kept across pause). */
static void *register_thread(void *arg)
{
    (void)arg;
#if defined(__x86_64__)
    __asm__ volatile("mov %0, %%r12\n\t"
                     "xor %1, %%r12\n\t"
                     "movq $0, %0\n\t"
                     "movl $1, %2\n\t"
                     "1: mov $34, %%eax\n\t"      /* SYS_pause */
                     "syscall\n\t"
                     "jmp 1b"
                     : "+m"(g_hidden)
                     : "r"(KEY), "m"(g_ready)
                     : "rax", "rcx", "r11", "r12", "memory");
#endif
    return NULL;
}

static void *tls_thread(void *arg)
{
    (void)arg;
    t_thread_ptr = malloc(500);                 /* @tls-thread */
    g_ready = 1;
    for (;;) pause();
    return NULL;
}

/* Blocks every signal, so it never stops for the check; it keeps mapping
 * and unmapping memory meanwhile.  Its whole stack is scanned instead. */
static void *blocked_thread(void *arg)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    void *volatile mine = malloc(350);          /* @blocked-thread */
    (void)arg;
    g_ready = 1;
    for (;;) {
        void *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) munmap(m, 1 << 16);
        usleep(100);
    }
    return mine;
}

static void start(void *(*fn)(void *))
{
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    g_ready = 0;
    if (pthread_create(&t, &a, fn, NULL)) exit(3);
    while (!g_ready) usleep(1000);
}

static void thread_stack(void) { start(stack_thread); }

static void thread_register(void)
{
    hide(malloc(400));                          /* @thread-register */
    start(register_thread);
}

static void thread_tls(void) { start(tls_thread); }

static void thread_blocked(void) { start(blocked_thread); }

/* ---- thread-local storage, keys, mappings ------------------------------- */

static void tls_main(void) { t_main_ptr = malloc(600); }   /* @tls-main */

static void dyn_tls(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0) exit(3);
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "libreach_dyn.so");
    void *h = dlopen(path, RTLD_NOW);           /* kept open */
    void *(*keep)(size_t) = h ? (void *(*)(size_t))dlsym(h, "reach_dyn_keep") : NULL;
    if (!keep) exit(3);
    keep(700);                                  /* malloc'd in libreach_dyn.c */
}

static void setspecific(void)
{
    if (pthread_key_create(&g_key, NULL)) exit(3);
    pthread_setspecific(g_key, malloc(800));    /* @setspecific */
}

static void anon_mmap(void)
{
    void **m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) exit(3);
    m[(512 << 10) / 8] = malloc(900);           /* @mmap */
}

/* Pointers left in mappings the scan must not or cannot read: lost. */
static void unreadable(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    void **none = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void **wo = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void **gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED || wo == MAP_FAILED || gone == MAP_FAILED) exit(3);
    none[0] = malloc(41);                       /* @prot-none */
    wo[0] = malloc(42);                         /* @write-only */
    gone[0] = malloc(43);                       /* @unmapped */
    mprotect(none, pg, PROT_NONE);
    mprotect(wo, pg, PROT_WRITE);
    munmap(gone, pg);
}

/* glibc hands a freed chunk out again at once: the new array's bytes still
 * hold the old one's pointers, the only ones to 8 blocks that are lost. */
void *volatile g_recycled;
static __attribute__((noinline)) void recycled(void)
{
    void *volatile *old = malloc(64 * sizeof(void *));
    for (int i = 0; i < 8; i++) old[i] = malloc(33);        /* @recycled-lost */
    free((void *)old);
    g_recycled = malloc(64 * sizeof(void *));               /* not written: old's bytes */
}

/* A list's tail pointer left dangling after its node is freed (zip 3.0):
 * glibc gives the node's chunk to the next malloc of its size, so the
 * stale pointer reaches the new block, which the program then loses.
 * Valgrind keeps freed memory out of use: definitely lost there, and
 * under libleak with freelist=1 (still reachable without). */
void *volatile g_tail;
static __attribute__((noinline)) void dangling(void)
{
    struct node *n = malloc(sizeof *n);
    n->next = n->prev = NULL;
    g_tail = n;
    free(n);                                                /* g_tail dangles */
    hide(malloc(sizeof(struct node)));                      /* @dangling-lost */
    g_hidden = 0;
}

/* A copy of a buffer's address kept across its realloc (mawk's code
 * buffer): glibc grows the block in place, so the copy still points to its
 * start; Valgrind's realloc always moves a block, and then only an interior
 * cursor points into it.  Possibly lost there, and under libleak with
 * freelist=1 (still reachable without). */
char *volatile g_base, *volatile g_cursor;
static __attribute__((noinline)) void grown(void)
{
    char *p = malloc(200);
    g_base = p;
    p = realloc(p, 512);                                    /* @grown */
    g_cursor = p + 504;
}

/* A freed table of 160 KiB, which glibc gave a mapping of its own, held the
 * only pointers to 4000 blocks: lost.  A freelist keeps the table, mapped
 * (freelist=1): it must not be read as the program's memory. */
static __attribute__((noinline)) void kept_big(void)
{
    void *volatile *tab = calloc(20000, sizeof(*tab));
    for (int i = 0; i < 20000; i += 5)
        tab[i] = malloc(8);                                 /* @kept-big */
    free((void *)tab);
}

/* The pointer survives in this frame after it returns. */
static __attribute__((noinline)) void dead_frame_leaf(void)
{
    void *volatile slots[8];
    for (int i = 0; i < 8; i++) slots[i] = malloc(50);  /* @dead-frame */
    for (int i = 0; i < 8; i++) hide(slots[i]);
}

static void dead_frame(void) { dead_frame_leaf(); }     /* no scrub after */

/* The frame that calls exit() holds the block in a callee-saved register
 * only (lscpu keeps its context so when --help exits from main): reachable,
 * as Valgrind reads it.  The process ends here. */
static void exit_register(void)
{
    hide(malloc(72));                           /* @exit-register */
    if (write(1, "reach_cases: done\n", 18) != 18) exit(3);
#if defined(__x86_64__)
    __asm__ volatile("mov %0, %%r15\n\t"
                     "xor %1, %%r15\n\t"
                     "movq $0, %0\n\t"
                     "xor %%edi, %%edi\n\t"
                     "call exit@PLT"
                     : "+m"(g_hidden)
                     : "r"(KEY)
                     : "r15", "rdi", "memory");
#endif
    exit(0);
}

static const struct { const char *name; void (*fn)(void); int scrub; } cases[] = {
    { "list", list, 1 }, { "tree", tree, 1 }, { "cycle", cycle, 1 }, { "self", self, 1 },
    { "interior", interior, 1 }, { "before", before, 1 }, { "zero", zero, 1 },
    { "big", big, 1 }, { "globals", globals, 1 }, { "thread-stack", thread_stack, 1 },
    { "thread-register", thread_register, 1 }, { "thread-tls", thread_tls, 1 },
    { "thread-blocked", thread_blocked, 1 },
    { "tls-main", tls_main, 1 }, { "dyn-tls", dyn_tls, 1 }, { "setspecific", setspecific, 1 },
    { "mmap", anon_mmap, 1 }, { "libc-interior", libc_interior, 1 },
    { "multi-inherit", multi_inherit, 1 }, { "unreadable", unreadable, 1 }, { "dead-frame", dead_frame, 0 },
    { "recycled", recycled, 1 }, { "exit-register", exit_register, 1 },
    { "dangling", dangling, 1 }, { "grown", grown, 1 }, { "kept-big", kept_big, 1 },
};

int main(int argc, char **argv)
{
    int scrub = 1;
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < sizeof cases / sizeof *cases && strcmp(cases[k].name, argv[i])) k++;
        if (k == sizeof cases / sizeof *cases) return 2;
        cases[k].fn();
        scrub &= cases[k].scrub;
    }
    g_hidden = 0;
    if (scrub) scrub_stack();
    write(1, "reach_cases: done\n", 18);
    return 0;
}
