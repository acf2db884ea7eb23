// cxx_cow_string: built with -D_GLIBCXX_USE_CXX11_ABI=0, libstdc++'s old
// copy-on-write std::string, which points 24 bytes into its block (past
// length, capacity and reference count).  Strings kept from globals are
// still reachable (Valgrind's "stdstring" heuristic); a string made with
// new and dropped is definitely lost, its characters indirectly.
#include <cstdio>
#include <string>
#include <vector>

#include "scrub.h"

#if _GLIBCXX_USE_CXX11_ABI
#error "build with -D_GLIBCXX_USE_CXX11_ABI=0 (the Makefile does)"
#endif

std::string *g_name;
std::vector<std::string> *g_names;

static __attribute__((noinline)) void keep()
{
    g_name = new std::string("a kept copy-on-write string");   // @keep
    g_names = new std::vector<std::string>;
    g_names->reserve(4);                                          // @keep-buffer
    for (int i = 0; i < 3; i++)
        g_names->push_back(std::string(20 + i, 'x'));             // @keep-vector
}

static __attribute__((noinline)) void lose()
{
    auto *s = new std::string("a lost copy-on-write string");   // @lost
    std::printf("%zu\n", s->size());
}

int main()
{
    keep();
    lose();
    scrub_stack();
    return 0;
}
