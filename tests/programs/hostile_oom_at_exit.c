/* hostile_oom_at_exit: 1,000 blocks are dropped, then the address space is
 * limited to what is in use (RLIMIT_AS), so the leak check at exit cannot
 * map the memory it works in.  The report must say the check was not done,
 * and a gate must not pass on it, rather than claim nothing was lost. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static void *volatile keep;

int main(void)
{
    for (int i = 0; i < 1000; i++)
        keep = malloc(100);
    keep = NULL;
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0;
    if (!f || fscanf(f, "%ld", &pages) != 1)
        return 2;
    fclose(f);
    struct rlimit r = { (rlim_t)pages * 4096, (rlim_t)pages * 4096 };
    if (setrlimit(RLIMIT_AS, &r) != 0)
        return 2;
    puts("hostile_oom_at_exit: limited");
    return 0;
}
