/* leak_start_named - the program's own functions may have "_start" in
 * their names: they are its code, not libc's start-up, and their frames
 * are shown (libc's _start and __libc_start_main are not). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void *get_start(int n)
{
    void *p = malloc((size_t)n);        /* @leak */
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noinline)) static void session_start(void)
{
    void *p = get_start(40);
    printf("session at %p\n", p != NULL ? (void *)1 : NULL);
}

int main(void)
{
    session_start();
    return 0;
}
