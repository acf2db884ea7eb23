// cxx_own_new: the program replaces the global operator new(size_t) (not
// delete), as a counting or pooling program does, with one that calls
// malloc; libstdc++'s delete frees it.  Natively fine; libleak saw blocks
// from malloc reach operator delete and called each a mismatched free, and
// kept it from the allocator.  A real mismatch (new[] with delete) is still
// one.  One 24-byte block is leaked.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

static unsigned long news;

void *operator new(std::size_t n)
{
    news++;
    void *p = std::malloc(n ? n : 1);
    if (!p)
        throw std::bad_alloc();
    return p;
}

struct Widget {
    long a, b, c;
};

Widget *volatile keep;
char *volatile scratch;

#include "scrub.h"

int main()
{
    std::string *s = new std::string(100, 'x');
    delete s;
    keep = new Widget{ 1, 2, 3 };           // @leak
    keep = nullptr;
    scratch = new char[3];
    delete scratch;                         // @mismatch
    scrub_stack();
    std::printf("cxx_own_new: %s\n", news >= 3 ? "done" : "own new not called");
    return 0;
}
