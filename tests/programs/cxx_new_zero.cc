// cxx_new_zero: operator new and new[] of 0 bytes.  Each returns a
// distinct pointer (libstdc++ asks malloc for 1 byte), and the block is
// 0 bytes to the program: a kept one still reachable, a dropped one
// definitely lost, each counted 0 bytes, as Valgrind counts them.
#include <cstdio>
#include <new>

#include "scrub.h"

void *g_keep;

static __attribute__((noinline)) void keep_and_lose()
{
    g_keep = ::operator new(0);                 // @keep
    void *volatile lost = ::operator new(0);    // @lost
    char *volatile arr = new char[0];           // @lost-array
    std::printf("distinct: %d\n", g_keep != lost && lost != (void *)arr);
    lost = nullptr;
    arr = nullptr;
}

int main()
{
    keep_and_lose();
    scrub_stack();
    return 0;
}
