/* test_tls.c - glibc's thread control blocks (src/tls.c).
 *
 * The leak check finds the TCBs of threads it could not stop by searching
 * the top of anonymous mappings; the main thread's is remembered at
 * start-up instead, because its mapping may grow past what that search
 * reads.  Only the main thread may set it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ll.h"

TestSuite(tls);

static void *note_from_thread(void *arg)
{
    (void)arg;
    ll_tcb_note_main();
    return (void *)ll_tcb_main();
}

Test(tls, the_main_thread_tcb_is_noted_by_the_main_thread_only)
{
    cr_assert(ll_tcb_supported(), "x86-64 glibc");
    cr_assert_eq((pid_t)syscall(SYS_gettid), getpid(), "the test runs on the main thread");
    ll_tcb_note_main();
    uintptr_t tcb = ll_tcb_main();
    cr_assert_eq(tcb, (uintptr_t)pthread_self(), "the main thread's TCB");
    cr_assert(ll_tcb_is((const uintptr_t *)tcb, tcb), "it reads as a TCB");
    pthread_t t;
    void *seen = NULL;
    cr_assert_eq(pthread_create(&t, NULL, note_from_thread, NULL), 0);
    pthread_join(t, &seen);
    cr_assert_eq((uintptr_t)seen, tcb, "another thread does not replace it");
    cr_assert_eq(ll_tcb_main(), tcb);
}

Test(tls, a_thread_stack_tcb_is_at_the_top_of_its_block)
{
    cr_assert_eq(ll_tcb_top((uintptr_t)pthread_self()) & 4095, 0, "page-aligned end");
    cr_assert_gt(ll_tcb_top((uintptr_t)pthread_self()), (uintptr_t)pthread_self());
}
