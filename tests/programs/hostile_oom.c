/* hostile_oom: the address space is limited (RLIMIT_AS) and filled until
 * malloc fails; then a little of the heap is freed and refilled with small
 * blocks, which needs no new address space from glibc but new records
 * from libleak, which can no longer map memory.  Everything is freed at the
 * end; the program must finish normally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define BIG 100000                          /* below the mmap threshold: heap */
#define NBIG 4096
#define NSMALL 40000

static void *big[NBIG], *small[NSMALL];

/* Bytes of address space in use now (VmSize). */
static long vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmSize:", 7))
            kb = atol(line + 7);
    if (f)
        fclose(f);
    return kb * 1024;
}

int main(void)
{
    struct rlimit r = { (rlim_t)vm_size() + (64 << 20), RLIM_INFINITY };
    if (setrlimit(RLIMIT_AS, &r) != 0)
        return 2;
    int nb = 0, ns = 0;
    while (nb < NBIG && (big[nb] = malloc(BIG)))
        memset(big[nb++], 1, BIG);
    for (int i = 0; i < 40 && i < nb; i++) {   /* the oldest: not at the heap top */
        free(big[i]);
        big[i] = NULL;
    }
    while (ns < NSMALL && (small[ns] = malloc(64)))
        ns++;
    for (int i = 0; i < ns; i++)
        free(small[i]);
    for (int i = 0; i < nb; i++)
        free(big[i]);
    r.rlim_cur = RLIM_INFINITY;                 /* room for the report */
    setrlimit(RLIMIT_AS, &r);
    printf("hostile_oom: %s\n", nb > 40 && ns > 0 ? "filled and freed" : "could not fill");
    return 0;
}
