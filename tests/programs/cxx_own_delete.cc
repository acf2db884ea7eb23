// cxx_own_delete: the program replaces the global operator delete (plain
// and sized, not new) with one that calls free; libleak's operator new made
// the blocks.  Natively fine; libleak saw blocks from operator new reach
// free and called each a mismatched free, and kept it from the allocator.
// A real mismatch (malloc with delete[]) is still one.  One 24-byte block
// is leaked.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

static unsigned long deletes;

void operator delete(void *p) noexcept
{
    deletes++;
    std::free(p);
}

void operator delete(void *p, std::size_t) noexcept
{
    deletes++;
    std::free(p);
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
    scratch = static_cast<char *>(std::malloc(3));
    delete[] scratch;                       // @mismatch
    scrub_stack();
    std::printf("cxx_own_delete: %s\n", deletes >= 2 ? "done" : "own delete not called");
    return 0;
}
