/* test_altstack.c - the signal stack libleak gives a thread (src/altstack.c). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "ll.h"

/* The thread's signal stack now, SS_DISABLE if none. */
static stack_t now(void)
{
    stack_t ss;
    cr_assert_eq(sigaltstack(NULL, &ss), 0);
    return ss;
}

/* A thread with none (under ASan, the sanitizer has set one already). */
static void none(void)
{
    stack_t off = { .ss_flags = SS_DISABLE };
    cr_assert_eq(sigaltstack(&off, NULL), 0);
    ll_opt.signals = 1;
}

Test(altstack, given_where_the_thread_has_none)
{
    none();
    ll_altstack_give();
    stack_t ss = now();
    cr_assert_eq(ss.ss_flags & SS_DISABLE, 0, "no signal stack set");
    cr_expect_eq(ss.ss_size, 64u << 10);
    cr_expect(ll_mem_owns(ss.ss_sp), "the scan must know it as libleak's, never a root");
    ((volatile char *)ss.ss_sp)[0] = 1;             /* writable, both ends */
    ((volatile char *)ss.ss_sp)[ss.ss_size - 1] = 1;
    ll_altstack_give();                             /* once per thread */
    cr_expect_eq(now().ss_sp, ss.ss_sp);
}

Test(altstack, the_programs_own_is_kept)
{
    static char mine[1 << 16];
    stack_t ss = { .ss_sp = mine, .ss_size = sizeof mine };
    none();
    cr_assert_eq(sigaltstack(&ss, NULL), 0);
    ll_altstack_give();
    cr_expect_eq(now().ss_sp, (void *)mine);
}

Test(altstack, none_with_signals_0)
{
    none();
    ll_opt.signals = 0;
    ll_altstack_give();
    cr_expect(now().ss_flags & SS_DISABLE);
}

/* At the thread's exit it goes back, and the next thread gets it. */
Test(altstack, taken_back_at_thread_exit_for_the_next)
{
    none();
    ll_altstack_give();
    void *sp = now().ss_sp;
    ll_altstack_take_back();
    cr_expect(now().ss_flags & SS_DISABLE, "still set");
    ll_altstack_give();
    cr_expect_eq(now().ss_sp, sp, "a fresh mapping, not the one taken back");
}

/* The program set its own meanwhile: it stays, and ours goes back. */
Test(altstack, taken_back_under_the_programs)
{
    static char mine[1 << 16];
    stack_t ss = { .ss_sp = mine, .ss_size = sizeof mine };
    none();
    ll_altstack_give();
    void *ours = now().ss_sp;
    cr_assert_eq(sigaltstack(&ss, NULL), 0);
    ll_altstack_take_back();
    cr_expect_eq(now().ss_sp, (void *)mine);
    none();
    ll_altstack_give();
    cr_expect_eq(now().ss_sp, ours);
}

/* Someone disabled ours, and may have unmapped it: it is not reused, and
 * no longer counted as libleak's. */
Test(altstack, disabled_by_someone_else_is_forgotten)
{
    none();
    ll_altstack_give();
    void *ours = now().ss_sp;
    none();
    ll_altstack_take_back();
    cr_expect(!ll_mem_owns(ours), "whatever is mapped there next would not be scanned");
    ll_altstack_give();
    cr_expect_neq(now().ss_sp, ours);
}

/* Many threads at once, all alive together: each its own.  (Under ASan
 * each thread starts with the sanitizer's, which is dropped first.) */
static pthread_barrier_t all_given;

static void *give_and_keep(void *arg)
{
    stack_t off = { .ss_flags = SS_DISABLE }, ss;
    sigaltstack(&off, NULL);
    ll_altstack_give();
    sigaltstack(NULL, &ss);
    *(void **)arg = ss.ss_flags & SS_DISABLE ? NULL : ss.ss_sp;
    pthread_barrier_wait(&all_given);
    return NULL;
}

Test(altstack, each_thread_its_own)
{
    enum { N = 8 };
    pthread_t t[N];
    void *sp[N];
    ll_opt.signals = 1;
    pthread_barrier_init(&all_given, NULL, N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, give_and_keep, &sp[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++) {
        cr_expect_not_null(sp[i], "thread %d has none", i);
        for (int j = 0; j < i; j++)
            cr_expect_neq(sp[i], sp[j], "threads %d and %d share one", i, j);
    }
}

/* A SIGSEGV handler with SA_ONSTACK runs on it. */
static volatile uintptr_t handler_sp;

static void on_usr1(int sig)
{
    (void)sig;
    volatile char here;
    handler_sp = (uintptr_t)&here;
}

Test(altstack, a_handler_runs_on_it)
{
    none();
    ll_altstack_give();
    stack_t ss = now();
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    raise(SIGUSR1);
    cr_expect(handler_sp - (uintptr_t)ss.ss_sp < ss.ss_size, "the handler ran at %#lx",
              (unsigned long)handler_sp);
}
