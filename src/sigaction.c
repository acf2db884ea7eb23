/* sigaction.c - the program's view of the signals libleak reports on.
 *
 * Where such a signal's disposition is SIG_DFL, libleak's handler stands
 * in for it (signals.c): it writes the report, then the default action ends
 * the process.  To the program it must still read SIG_DFL, because
 * runtimes decide on what they find there: Python turns SIGINT into
 * KeyboardInterrupt only over SIG_DFL, Rust's standard library sets up its
 * stack-overflow message only where SIGSEGV is SIG_DFL.  So sigaction(),
 * signal() and their relatives answer SIG_DFL where libleak's handler is,
 * and a program that sets SIG_DFL gets libleak's handler back (a crash
 * handler that restores the default and re-raises gets the report).  The C
 * library's own calls (system(), abort()) do not come here: they see the
 * handler as it is and put back what they found.
 *
 * Exported entry points, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <string.h>

static int ll_sig_is_ours(const struct sigaction *sa)
{
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == ll_sig_handler;
}

/* The program set SIG_DFL (by whichever call): libleak's handler again. */
static void ll_sig_retake(int sig)
{
    struct sigaction sa;
    ll_sig_action(&sa);
    ll_sigaction_next(sig, &sa, NULL);
}

LL_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction mine;
    if (act && act->sa_handler == SIG_DFL && ll_sig_reported(sig)) {
        ll_sig_action(&mine);
        act = &mine;
    }
    int r = ll_sigaction_next(sig, act, old);
    if (r == 0 && old && ll_sig_is_ours(old)) {
        memset(old, 0, sizeof(*old));
        old->sa_handler = SIG_DFL;
    }
    return r;
}
LL_EXPORT int __sigaction(int, const struct sigaction *, struct sigaction *)
    __THROW __attribute__((alias("sigaction")));

/* signal() and the others: the C library's call, then the same two rules. */
static __sighandler_t ll_sig_after(int sig, __sighandler_t h, __sighandler_t old)
{
    if (old != SIG_ERR && h == SIG_DFL && ll_sig_reported(sig))
        ll_sig_retake(sig);
    return old == (__sighandler_t)(void (*)(void))ll_sig_handler ? SIG_DFL : old;
}

LL_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
    return ll_sig_after(sig, h, ll_signal_next(LL_SIGNAL_BSD, sig, h));
}
LL_EXPORT __sighandler_t bsd_signal(int, __sighandler_t) __THROW __attribute__((alias("signal")));
LL_EXPORT __sighandler_t ssignal(int, __sighandler_t) __THROW __attribute__((alias("signal")));

LL_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
    return ll_sig_after(sig, h, ll_signal_next(LL_SIGNAL_SYSV, sig, h));
}
LL_EXPORT __sighandler_t __sysv_signal(int, __sighandler_t) __THROW __attribute__((alias("sysv_signal")));

LL_EXPORT __sighandler_t sigset(int sig, __sighandler_t h)
{
    return ll_sig_after(sig, h, ll_signal_next(LL_SIGNAL_SET, sig, h));
}
