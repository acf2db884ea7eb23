/* libsigshim.so - preloaded after libleak.so by hostile_sigwindow, so that
 * libleak's calls to the C library's signal() and sigaction() come here
 * first.  Once armed (shim_arm), the next call for that signal raises it,
 * in the middle of what libleak is doing:
 *   signal():    after the C library's call (the disposition it set is
 *                in force, before libleak can change it again)
 *   sigaction(): before the C library's call */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

static volatile int armed_signal, armed_sigaction;

void shim_arm(int in_signal, int in_sigaction)
{
    armed_signal = in_signal;
    armed_sigaction = in_sigaction;
}

__sighandler_t signal(int sig, __sighandler_t h)
{
    __sighandler_t (*next)(int, __sighandler_t);
    *(void **)&next = dlsym(RTLD_NEXT, "signal");
    __sighandler_t old = next(sig, h);
    if (armed_signal == sig) {
        armed_signal = 0;
        raise(sig);
    }
    return old;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    int (*next)(int, const struct sigaction *, struct sigaction *);
    *(void **)&next = dlsym(RTLD_NEXT, "sigaction");
    if (act && armed_sigaction == sig) {
        armed_sigaction = 0;
        raise(sig);
    }
    return next(sig, act, old);
}
