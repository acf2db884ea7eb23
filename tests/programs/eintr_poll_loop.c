/* eintr_poll_loop - a thread polls in a loop and treats EINTR as fatal
 * (it never sees a signal natively), while main exits.  The leak check
 * stops that thread with a signal: a poll() it entered after libleak looked
 * at it must be restarted, not end with EINTR. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *poller(void *arg)
{
    (void)arg;
    for (;;)
        if (poll(NULL, 0, 1) < 0) {
            fprintf(stderr, "eintr_poll_loop: poll failed: errno %d\n", errno);
            abort();
        }
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, poller, NULL) != 0)
        return 1;
    usleep(20000);
    exit(3);
}
