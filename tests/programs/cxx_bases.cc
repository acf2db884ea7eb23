// cxx_bases: objects held through a base class that is not their first, so
// the only pointer lands inside the block.  With vtables (multiple and
// virtual inheritance), still reachable, as Valgrind's
// "multipleinheritance" heuristic has it.  Without vtables, possibly lost
// (Valgrind says still reachable: its "newarray" heuristic takes the first
// member, 8, for a new[] element count that divides the 16 bytes after it;
// libleak applies it only to blocks from operator new[]).  Dropped ones are
// definitely lost.
#include <cstdio>

#include "scrub.h"

struct A { virtual ~A() {} long a = 1; };
struct B { virtual ~B() {} long b = 2; };
struct D : A, B { long d = 3; };                // B lies 16 bytes into a D

struct V { virtual ~V() {} long v = 4; };
struct X : virtual V { long x = 5; };
struct Y : virtual V { long y = 6; };
struct Z : X, Y { long z = 7; };                // V lies at a Z's end

struct P { long p = 8; };
struct Q { long q = 9; };
struct PQ : P, Q { long pq = 10; };             // no vtable: Q 8 bytes in

B *g_b;
V *g_v;
Q *g_q;

static __attribute__((noinline)) void keep()
{
    g_b = new D;    // @keep-multiple
    g_v = new Z;    // @keep-virtual
    g_q = new PQ;   // @keep-plain
}

// Through a volatile pointer: the compiler may not drop an allocation
// whose result it can see nothing use.
B *volatile g_dropped_b;
V *volatile g_dropped_v;

static __attribute__((noinline)) void lose()
{
    g_dropped_b = new D;   // @lost-multiple
    g_dropped_v = new Z;   // @lost-virtual
    std::printf("%ld %ld\n", g_dropped_b->b, g_dropped_v->v);
    g_dropped_b = nullptr;
    g_dropped_v = nullptr;
}

int main()
{
    keep();
    lose();
    scrub_stack();
    return 0;
}
