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
 * A one-shot handler (SA_RESETHAND, sysv_signal(), signal() under
 * -std=c99) is reset by the kernel to the real SIG_DFL when it runs, not
 * to libleak's stand-in for it: the signal that follows (the handler's own
 * raise(), a second Ctrl-C) ended the process with no report.  So such a
 * handler is installed without SA_RESETHAND behind ll_sig_oneshot, which
 * puts libleak's handler back, as the reset would have put SIG_DFL, and
 * calls the program's; the program is shown its own action meanwhile.
 *
 * Exported entry points, like interpose.c: kept out of the unit tests. */
#include "ll.h"

#include <errno.h>
#include <string.h>

static int ll_sig_is_ours(const struct sigaction *sa)
{
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == ll_sig_handler;
}

/* The program set SIG_DFL (by whichever call): libleak's handler again. */
static void ll_sig_retake(int sig)
{
    struct sigaction sa;
    ll_sig_action(&sa, sig);
    ll_sigaction_next(sig, &sa, NULL);
}

/* The program's one-shot actions, while ll_sig_oneshot stands for them,
 * and whether each is still to run (set when installed, taken when run). */
static struct sigaction ll_oneshot[NSIG];
static atomic_int ll_oneshot_armed[NSIG];

static void ll_sig_oneshot(int sig, siginfo_t *info, void *uc)
{
    /* A second signal before ll_sig_retake below put libleak's handler
     * back (SA_NODEFER, sysv_signal's, lets it in): the kernel's reset
     * would have made it meet SIG_DFL, not the program's handler again. */
    if (!atomic_exchange(&ll_oneshot_armed[sig], 0)) {
        ll_sig_handler(sig, info, uc);
        return;
    }
    struct sigaction prog = ll_oneshot[sig];
    int saved = errno;
    ll_sig_retake(sig);
    errno = saved;
    if (prog.sa_flags & SA_SIGINFO)
        prog.sa_sigaction(sig, info, uc);
    else
        prog.sa_handler(sig);
}

static int ll_sig_is_oneshot(const struct sigaction *sa)
{
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == ll_sig_oneshot;
}

/* What the kernel is given for the program's act: libleak's handler for
 * SIG_DFL, ll_sig_oneshot for a one-shot handler, else act itself. */
static const struct sigaction *ll_sig_stand_in(int sig, const struct sigaction *act,
                                               struct sigaction *mine)
{
    if (!act || !ll_sig_reported(sig))
        return act;
    if (act->sa_handler == SIG_DFL) {
        ll_sig_action(mine, sig);
        return mine;
    }
    if (!(act->sa_flags & SA_RESETHAND) || act->sa_handler == SIG_IGN)
        return act;
    ll_oneshot[sig] = *act;
    atomic_store(&ll_oneshot_armed[sig], 1);
    *mine = *act;
    mine->sa_flags = (act->sa_flags & ~SA_RESETHAND) | SA_SIGINFO;
    mine->sa_sigaction = ll_sig_oneshot;
    return mine;
}

LL_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    /* act may replace the program's one-shot action, and old alias act */
    struct sigaction mine, was = ll_oneshot[sig > 0 && sig < NSIG ? sig : 0];
    int r = ll_sigaction_next(sig, ll_sig_stand_in(sig, act, &mine), old);
    if (r == 0 && old && ll_sig_is_ours(old)) {
        memset(old, 0, sizeof(*old));
        old->sa_handler = SIG_DFL;
    } else if (r == 0 && old && ll_sig_is_oneshot(old)) {
        *old = was;
    }
    return r;
}
LL_EXPORT int __sigaction(int, const struct sigaction *, struct sigaction *)
    __THROW __attribute__((alias("sigaction")));

/* signal() and the others: the C library's call, then the same rules. */
static __sighandler_t ll_sig_after(int sig, __sighandler_t h, __sighandler_t old)
{
    if (old != SIG_ERR && h == SIG_DFL && ll_sig_reported(sig))
        ll_sig_retake(sig);
    if (old == (__sighandler_t)(void (*)(void))ll_sig_oneshot)
        return ll_oneshot[sig].sa_handler;
    return old == (__sighandler_t)(void (*)(void))ll_sig_handler ? SIG_DFL : old;
}

/* signal(sig, SIG_DFL) where libleak reports sig: its handler at once,
 * through sigaction() above.  The C library's call would set the real
 * SIG_DFL first, and the signal arriving before ll_sig_after put libleak's
 * handler back ended the process with no report. */
static __sighandler_t ll_sig_dfl(int sig)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof(act));
    act.sa_handler = SIG_DFL;
    return sigaction(sig, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
}

LL_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
    if (h == SIG_DFL && ll_sig_reported(sig))
        return ll_sig_dfl(sig);
    return ll_sig_after(sig, h, ll_signal_next(LL_SIGNAL_BSD, sig, h));
}
LL_EXPORT __sighandler_t bsd_signal(int, __sighandler_t) __THROW __attribute__((alias("signal")));
LL_EXPORT __sighandler_t ssignal(int, __sighandler_t) __THROW __attribute__((alias("signal")));

/* The C library's sysv_signal() sets its one-shot handler past
 * sigaction() above: done here as it does it, through sigaction(). */
LL_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
    struct sigaction act, old;
    if (h == SIG_ERR || sig < 1 || sig >= NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    memset(&act, 0, sizeof(act));
    act.sa_handler = h;
    act.sa_flags = SA_RESETHAND | SA_NODEFER;
    return sigaction(sig, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
}
LL_EXPORT __sighandler_t __sysv_signal(int, __sighandler_t) __THROW __attribute__((alias("sysv_signal")));

/* sigset(sig, SIG_DFL) also unblocks sig, and answers SIG_HOLD if it was
 * blocked, as the C library's does. */
LL_EXPORT __sighandler_t sigset(int sig, __sighandler_t h)
{
    if (h == SIG_DFL && ll_sig_reported(sig)) {
        sigset_t set, was;
        __sighandler_t old = ll_sig_dfl(sig);
        sigemptyset(&set);
        sigaddset(&set, sig);
        if (old == SIG_ERR || sigprocmask(SIG_UNBLOCK, &set, &was) != 0)
            return SIG_ERR;
        return sigismember(&was, sig) ? SIG_HOLD : old;
    }
    return ll_sig_after(sig, h, ll_signal_next(LL_SIGNAL_SET, sig, h));
}
