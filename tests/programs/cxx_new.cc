// cxx_new: leaks through new, new[], nothrow new and over-aligned new are reported as "operator new"/"operator new[]"; properly deleted objects are not.
#include <cstdio>
#include <new>

struct Widget {
    long id;
    double weight;
    char tag[8];
};                                        // 24 bytes

struct alignas(64) CacheLine {
    char bytes[64];
};                                        // 64 bytes, 64-aligned: uses operator new(size_t, align_val_t)

// Volatile sinks: the compiler may not remove a new/delete pair it can see through.
int *volatile keep_int;
int *volatile keep_array;
Widget *volatile keep_widget;
CacheLine *volatile keep_line;
void *volatile scratch;

#include "scrub.h"

static __attribute__((noinline)) void balanced()
{
    // Every one of these is released with the matching delete: nothing to report.
    for (int i = 0; i < 10; i++) {
        int *a = new int(i);
        scratch = a;
        delete a;
        int *b = new int[100];
        scratch = b;
        delete[] b;
        CacheLine *c = new CacheLine;
        scratch = c;
        delete c;
        CacheLine *d = new CacheLine[3];
        scratch = d;
        delete[] d;
        Widget *w = new (std::nothrow) Widget();
        scratch = w;
        delete w;
    }
    scratch = nullptr;                    // a dangling pointer here would "reach" whatever reuses the memory
}

static __attribute__((noinline)) void leaky()
{
    keep_int = new int(42);                     // @new
    keep_array = new int[10];                   // @new[]
    keep_widget = new (std::nothrow) Widget();  // @nothrow
    keep_line = new CacheLine;                  // @aligned
    keep_int = nullptr;                         // drop every pointer: all four are lost
    keep_array = nullptr;
    keep_widget = nullptr;
    keep_line = nullptr;
}

int main()
{
    balanced();
    leaky();
    scrub_stack();
    std::printf("cxx_new: done\n");
    return 0;
}
