// cxx_error_kept: std::runtime_error and std::logic_error keep their message
// in a copy-on-write string, in every ABI, and point 24 bytes into its
// block, past its length, capacity and reference count.  Errors kept from
// globals: still reachable, their messages too (Valgrind's "stdstring"
// heuristic), not possibly lost.  An error made with new and dropped:
// definitely lost, its message indirectly.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "scrub.h"

std::runtime_error *g_error;
std::vector<std::logic_error> *g_errors;

static __attribute__((noinline)) void keep()
{
    g_error = new std::runtime_error("disk full while writing the journal");   // @keep
    g_errors = new std::vector<std::logic_error>;
    g_errors->reserve(4);                                             // @keep-buffer
    for (int i = 0; i < 3; i++)
        g_errors->emplace_back("bad index number " + std::to_string(i));   // @keep-vector
}

static __attribute__((noinline)) void lose()
{
    auto *e = new std::runtime_error("a lost error, and its message with it");   // @lost
    std::printf("%s\n", e->what());
}

int main()
{
    keep();
    lose();
    scrub_stack();
    return 0;
}
