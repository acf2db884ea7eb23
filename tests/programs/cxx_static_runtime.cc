// cxx_static_runtime: built with -static-libstdc++ (the Makefile says so), as
// programs shipped to other systems often are.  Such a program exports no
// __cxa_demangle, and its C++ frames read _ZN6shapes11make_circleEi in the
// report; libleak loads libstdc++'s shared copy to demangle them.
#include <cstdio>

namespace shapes {
struct Circle {
    double x, y, r;
};

__attribute__((noinline)) Circle *make_circle(int r)
{
    return new Circle{ 0, 0, double(r) };   // @leak
}
}

shapes::Circle *volatile keep;

#include "scrub.h"

int main()
{
    keep = shapes::make_circle(3);
    keep = nullptr;
    scrub_stack();
    std::puts("cxx_static_runtime: done");
    return 0;
}
