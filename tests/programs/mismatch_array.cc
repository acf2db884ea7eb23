// mismatch_array: delete (and free) of an array from new[] of a class with a destructor. The pointer the program holds is past the element count C++ keeps before the array (8 bytes, or the class's alignment when that is 16 or more): a mismatched new[]/delete, not a free into the block's middle, and the array is not reported again as a leak.
#include <cstdio>
#include <cstdlib>

struct Item {
    int value;
    ~Item() { value = -1; }
};

// A class aligned to 16 or more keeps its element count in as many bytes
// as its alignment, the count in the last 8; above 16 its array comes from
// the aligned operator new[].
template <int A> struct alignas(A) Wide {
    int value;
    ~Wide() { value = -1; }
};

// No destructor: no element count before its array.
struct alignas(32) Bare {
    long word[4];
};

// Opaque hand-off so the compiler cannot see (or warn about) the mismatch.
static __attribute__((noinline)) void *launder(void *p)
{
    asm volatile("" : "+r"(p));
    return p;
}

// Freed with delete: sized (and aligned above 16) operator delete.
template <int A> static void wide_delete(int n)
{
    Wide<A> *w = new Wide<A>[n];                        // @new[]-wide
    std::printf("array %p\n", (void *)w);
    delete static_cast<Wide<A> *>(launder(w));          // @delete-wide
}

int main()
{
    Item *items = new Item[4];                          // @new[]-delete
    std::printf("array %p\n", (void *)items);
    delete static_cast<Item *>(launder(items));         // @delete-array-with-delete

    Item *more = new Item[18];                          // @new[]-free: 80 bytes
    std::printf("array %p\n", (void *)more);
    std::free(launder(more));                           // @free-array

    wide_delete<16>(3);                                 // 16 + 3 * 16 bytes
    wide_delete<32>(3);                                 // 32 + 3 * 32
    wide_delete<64>(2);                                 // 64 + 2 * 64
    wide_delete<4096>(1);                               // 4096 + 4096

    Wide<64> *freed = new Wide<64>[5];                  // @new[]-free-wide
    std::printf("array %p\n", (void *)freed);
    std::free(launder(freed));                          // @free-wide

    // No count before an array of longs: a pointer 8 bytes in is its second
    // element (7 does not divide the 24 bytes after it), freed by mistake.
    long *longs = new long[4]{7, 1, 2, 3};              // @new[]-longs
    std::printf("interior %p\n", (void *)(longs + 1));
    ::operator delete(launder(longs + 1));              // @interior
    delete[] longs;                                     // the right one

    // Nor before an array of Bare: 32 bytes in is its second element, and
    // the word before it (5) does not divide the 96 bytes after the first.
    Bare *bare = new Bare[4]{{{1, 2, 3, 5}}};           // @new[]-bare
    std::printf("interior %p\n", (void *)(bare + 1));
    ::operator delete(launder(bare + 1));               // @interior-bare
    delete[] bare;                                      // the right one

    std::printf("mismatch_array: still running\n");
    return 0;
}
