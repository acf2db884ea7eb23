// mismatch_object: delete[] of one object from new, whose class has a destructor. delete[] takes the word before the object for the element count it expects there, and frees the address a cookie before the object (8 bytes, or the class's alignment when that is 16 or more): a mismatched new/delete[], not a free of memory never allocated, and the object is not reported again as a leak. delete[] of the address 8 bytes before an array from new[] of ints, or 32 bytes before an object aligned to 64, is no such pair: an invalid free.
//
// Natively the destructor loop runs as many times as the word before the
// object says (glibc keeps the chunk's size there: 0x21 for this 4-byte
// object), then glibc aborts in free ("free(): invalid pointer").  Valgrind
// reports the read of that word (8 bytes before the object, whatever its
// alignment), then an invalid free "8 bytes before a block of size 4" ("16
// bytes before a block of size 16" for Wide<16>; the addresses 32 and 64
// bytes before the aligned ones it names by their place in its arena), and
// the objects as definitely lost.
#include <cstdio>
#include <new>

// The destructor touches nothing but this counter: the loop delete[] runs
// for a count that is whatever the allocator keeps before the object then
// reads and writes none of the objects it takes to be there.
static long destroyed;

struct Item {
    int value;
    ~Item() { destroyed++; }
};

// A class aligned to 16 or more: delete[] takes its alignment in bytes for
// the element count (the count in the last 8); above 16 the object comes
// from the aligned operator new, and goes to the aligned operator delete[].
template <int A> struct alignas(A) Wide {
    int value;
    ~Wide() { destroyed++; }
};

// Opaque hand-off so the compiler cannot see (or warn about) the mismatch.
static __attribute__((noinline)) void *launder(void *p)
{
    asm volatile("" : "+r"(p));
    return p;
}

template <int A> static void wide_delete_array(void)
{
    Wide<A> *w = new Wide<A>{A};                        // @new-wide
    std::printf("object %p\n", (void *)w);
    delete[] static_cast<Wide<A> *>(launder(w));        // @delete[]-wide
}

int main()
{
    Item *item = new Item{7};                           // @new
    std::printf("object %p\n", (void *)item);
    delete[] static_cast<Item *>(launder(item));        // @delete[]-object

    wide_delete_array<16>();
    wide_delete_array<32>();
    wide_delete_array<64>();

    // No count before an array of ints: 8 bytes before it is no block, and
    // the array is from new[], not new.
    int *ints = new int[4]{1, 2, 3, 4};
    char *before = static_cast<char *>(launder(ints)) - 8;
    std::printf("before %p\n", (void *)before);
    ::operator delete[](before);                        // @invalid
    delete[] ints;                                      // the right one

    // 32 bytes before an object aligned to 64 is where delete[] of a class
    // aligned to 32 would start, but this block's alignment says 64.
    Wide<64> *wide = new Wide<64>{1};
    char *short_of = static_cast<char *>(launder(wide)) - 32;
    std::printf("before %p\n", (void *)short_of);
    ::operator delete[](short_of, std::align_val_t(32)); // @invalid-wide
    delete wide;                                        // the right one

    std::printf("mismatch_object: still running\n");
    return 0;
}
