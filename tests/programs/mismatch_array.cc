// mismatch_array: delete (and free) of an array from new[] of a class with a destructor. The pointer the program holds is 8 bytes into the block, past the element count C++ keeps before the array: a mismatched new[]/delete, not a free into the block's middle, and the array is not reported again as a leak.
#include <cstdio>
#include <cstdlib>

struct Item {
    int value;
    ~Item() { value = -1; }
};

// Opaque hand-off so the compiler cannot see (or warn about) the mismatch.
static __attribute__((noinline)) void *launder(void *p)
{
    asm volatile("" : "+r"(p));
    return p;
}

int main()
{
    Item *items = new Item[4];                          // @new[]-delete
    std::printf("array %p\n", (void *)items);
    delete static_cast<Item *>(launder(items));         // @delete-array-with-delete

    Item *more = new Item[18];                          // @new[]-free: 80 bytes
    std::printf("array %p\n", (void *)more);
    std::free(launder(more));                           // @free-array

    // No count before an array of longs: a pointer 8 bytes in is its second
    // element (7 does not divide the 24 bytes after it), freed by mistake.
    long *longs = new long[4]{7, 1, 2, 3};              // @new[]-longs
    std::printf("interior %p\n", (void *)(longs + 1));
    ::operator delete(launder(longs + 1));              // @interior
    delete[] longs;                                     // the right one

    std::printf("mismatch_array: still running\n");
    return 0;
}
