/* noise_hello: hello world with stdio; libc's stdout buffer is libc's, not a leak. */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    fprintf(stderr, "to stderr\n");
    return 0;
}
