/* stdio_reader_at_exit - a thread waits in fgets(stdin), holding stdin's
 * lock, while main leaves a line in stdout's buffer, drops a block and
 * calls exit().  With exitcode=N the process must end with N at once, the
 * line written out (it hung: every stream's lock was taken to flush). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *volatile sink;

static void *reader(void *arg)
{
    (void)arg;
    char buf[100];
    if (fgets(buf, sizeof buf, stdin))
        fputs(buf, stdout);
    return NULL;
}

int main(void)
{
    int p[2];                           /* stdin: a pipe nobody writes to */
    if (pipe(p) != 0 || dup2(p[0], 0) != 0)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, reader, NULL) != 0)
        return 1;
    usleep(50000);                      /* the reader is in read() by now */
    printf("stdio_reader_at_exit: buffered\n");
    sink = malloc(10);                  /* @leak */
    sink = NULL;
    exit(0);
}
