// mismatch_object: delete[] of one object from new, whose class has a destructor. delete[] takes the word before the object for the element count it expects there, and frees the address 8 bytes before the object: a mismatched new/delete[], not a free of memory never allocated, and the object is not reported again as a leak. delete[] of the address 8 bytes before an array from new[] of ints is no such pair: an invalid free.
//
// Natively the destructor loop runs as many times as the word before the
// object says (glibc keeps the chunk's size there: 0x21 for this 4-byte
// object), then glibc aborts in free ("free(): invalid pointer").  Valgrind
// reports the read of that word, then an invalid free "8 bytes before a block
// of size 4", and the object as definitely lost.
#include <cstdio>

// The destructor touches nothing but this counter: the loop delete[] runs
// for a count that is whatever the allocator keeps before the object then
// reads and writes none of the objects it takes to be there.
static long destroyed;

struct Item {
    int value;
    ~Item() { destroyed++; }
};

// Opaque hand-off so the compiler cannot see (or warn about) the mismatch.
static __attribute__((noinline)) void *launder(void *p)
{
    asm volatile("" : "+r"(p));
    return p;
}

int main()
{
    Item *item = new Item{7};                           // @new
    std::printf("object %p\n", (void *)item);
    delete[] static_cast<Item *>(launder(item));        // @delete[]-object

    // No count before an array of ints: 8 bytes before it is no block, and
    // the array is from new[], not new.
    int *ints = new int[4]{1, 2, 3, 4};
    char *before = static_cast<char *>(launder(ints)) - 8;
    std::printf("before %p\n", (void *)before);
    ::operator delete[](before);                        // @invalid
    delete[] ints;                                      // the right one

    std::printf("mismatch_object: still running\n");
    return 0;
}
