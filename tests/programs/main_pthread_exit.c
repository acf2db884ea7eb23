/* main_pthread_exit - main leaves through pthread_exit(), so the process
 * ends when its last thread returns.  From then on /proc/self/maps reads
 * empty and /proc/self/mem cannot be opened (the thread group's leader is
 * gone), so the leak check must look through the thread that is left.
 * The worker's block is kept in an anonymous mapping: still reachable,
 * and its stack named, as Valgrind says. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void **area;

static void *worker(void *arg)
{
    (void)arg;
    usleep(50000);                      /* main has left by now */
    area[0] = malloc(31);               /* @kept */
    return NULL;
}

int main(void)
{
    area = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    pthread_exit(NULL);
}
