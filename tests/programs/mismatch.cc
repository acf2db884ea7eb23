// mismatch: releasing memory with the wrong deallocator (delete for new[], delete for malloc, free for new) is a mismatched_free error.
#include <cstdio>
#include <cstdlib>

// Opaque hand-off so the compiler cannot see (or warn about) the mismatch.
static __attribute__((noinline)) void *launder(void *p)
{
    asm volatile("" : "+r"(p));
    return p;
}

int main()
{
    int *array = new int[4];                           // @new[]
    delete static_cast<int *>(launder(array));         // @delete-array-with-delete

    int *from_malloc = static_cast<int *>(std::malloc(sizeof(int))); // @malloc
    delete static_cast<int *>(launder(from_malloc));   // @delete-malloc

    int *single = new int(7);                          // @new
    std::free(launder(single));                        // @free-new

    std::printf("mismatch: still running\n");
    return 0;
}
