// cxx_new_fail: operator new's failures, checked by the program itself (it
// prints "cxx_new_fail: all N checks passed" and exits 0 when every one is as
// libstdc++ makes it natively).  argv[1] picks the checks (none: all):
//   handler    a nothrow new whose new-handler throws std::bad_alloc returns
//              nullptr, the throwing one throws, the handler is called until
//              it gives up; one whose handler frees memory then succeeds
//   alignment  an alignment that is not a power of two (0, 3, 48) throws
//              bad_alloc (nullptr from the nothrow forms), no handler called
// Nothing is leaked.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/resource.h>

static int checks, failures;
#define CHECK(cond, ...)                                   \
    do {                                                   \
        checks++;                                          \
        if (!(cond)) {                                     \
            failures++;                                    \
            std::printf("FAIL (line %d): ", __LINE__);     \
            std::printf(__VA_ARGS__);                      \
            std::printf("\n");                             \
        }                                                  \
    } while (0)

static volatile std::size_t huge = (std::size_t)1 << 60;  // runtime: no folding
static volatile std::size_t small = 16;
static int handler_calls;

static void handler_throws()           // gives up on the third call
{
    if (++handler_calls == 3)
        throw std::bad_alloc();
}

static void handler_uninstalls()       // gives up at once, as a null handler
{
    handler_calls++;
    std::set_new_handler(nullptr);
}

static void nothrow_with_throwing_handler()
{
    std::set_new_handler(handler_throws);
    handler_calls = 0;
    char *p = new (std::nothrow) char[huge];
    CHECK(!p && handler_calls == 3, "new (nothrow) char[2^60]: %p, %d handler calls (want null, 3)",
          (void *)p, handler_calls);

    handler_calls = 0;
    void *q = ::operator new(huge, std::nothrow);
    CHECK(!q && handler_calls == 3, "operator new(2^60, nothrow): %p, %d calls", q, handler_calls);

    handler_calls = 0;
    q = ::operator new(huge, std::align_val_t(64), std::nothrow);
    CHECK(!q && handler_calls == 3, "operator new(2^60, align 64, nothrow): %p, %d calls", q, handler_calls);

    handler_calls = 0;
    q = ::operator new[](huge, std::align_val_t(64), std::nothrow);
    CHECK(!q && handler_calls == 3, "operator new[](2^60, align 64, nothrow): %p, %d calls", q, handler_calls);

    handler_calls = 0;
    bool threw = false;
    try {
        q = ::operator new[](huge);
    } catch (const std::bad_alloc &) {
        threw = true;
    }
    CHECK(threw && handler_calls == 3, "operator new[](2^60): threw %d, %d calls (want 1, 3)", threw, handler_calls);

    std::set_new_handler(handler_uninstalls);
    handler_calls = 0;
    q = ::operator new(huge, std::nothrow);
    CHECK(!q && handler_calls == 1, "operator new(2^60, nothrow), handler uninstalls itself: %p, %d calls",
          q, handler_calls);
    std::set_new_handler(nullptr);

    // A nothrow new that succeeds is an ordinary block.
    p = new (std::nothrow) char[small];
    CHECK(p != nullptr, "new (nothrow) char[16] failed");
    delete[] p;
}

// Bytes of address space in use now (VmSize).
static long vm_size()
{
    FILE *f = std::fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && std::fgets(line, sizeof line, f))
        if (!std::strncmp(line, "VmSize:", 7))
            kb = std::atol(line + 7);
    if (f)
        std::fclose(f);
    return kb * 1024;
}

static void *volatile reserve;

static void handler_frees_reserve()
{
    handler_calls++;
    std::free(reserve);
    reserve = nullptr;
}

// The address space is limited so that a 100 MB block fits only once the
// handler has freed a 200 MB reserve: the nothrow new succeeds on its
// second try, and the block is an ordinary new[] block (delete[] is no
// bad free).
static void nothrow_handler_succeeds()
{
    struct rlimit r = { (rlim_t)vm_size() + (256 << 20), RLIM_INFINITY };
    CHECK(setrlimit(RLIMIT_AS, &r) == 0, "setrlimit");
    reserve = std::malloc(200 << 20);
    CHECK(reserve != nullptr, "malloc(200 MB) failed");
    std::set_new_handler(handler_frees_reserve);
    handler_calls = 0;
    char *p = new (std::nothrow) char[100 << 20];
    CHECK(p && handler_calls == 1, "new (nothrow) char[100 MB] with a reserve to free: %p, %d handler calls (want a block, 1)",
          (void *)p, handler_calls);
    if (p)
        std::memset(p, 1, 4096);
    delete[] p;
    std::set_new_handler(nullptr);
    std::free(reserve);
    reserve = nullptr;
    r.rlim_cur = RLIM_INFINITY;
    setrlimit(RLIMIT_AS, &r);
}

static void bad_alignment(std::size_t a)
{
    std::set_new_handler(handler_throws);
    handler_calls = 0;
    bool threw = false;
    void *p = nullptr;
    try {
        p = ::operator new(small, std::align_val_t(a));
    } catch (const std::bad_alloc &) {
        threw = true;
    }
    CHECK(threw && !handler_calls, "operator new(16, align %zu): %p, threw %d, %d handler calls (want bad_alloc, 0)",
          a, p, threw, handler_calls);

    threw = false;
    p = nullptr;
    try {
        p = ::operator new[](small, std::align_val_t(a));
    } catch (const std::bad_alloc &) {
        threw = true;
    }
    CHECK(threw && !handler_calls, "operator new[](16, align %zu): %p, threw %d, %d calls", a, p, threw, handler_calls);

    p = ::operator new(small, std::align_val_t(a), std::nothrow);
    CHECK(!p && !handler_calls, "operator new(16, align %zu, nothrow): %p, %d calls (want null, 0)",
          a, p, handler_calls);
    p = ::operator new[](small, std::align_val_t(a), std::nothrow);
    CHECK(!p && !handler_calls, "operator new[](16, align %zu, nothrow): %p, %d calls", a, p, handler_calls);
    std::set_new_handler(nullptr);
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    int all = !*m;
    if (all || !std::strcmp(m, "handler")) {
        nothrow_with_throwing_handler();
        nothrow_handler_succeeds();
    }
    if (all || !std::strcmp(m, "alignment")) {
        bad_alignment(3);
        bad_alignment(0);
        bad_alignment(48);
    }
    if (!checks) {
        std::printf("usage: cxx_new_fail handler|alignment\n");
        return 2;
    }
    if (failures) {
        std::printf("cxx_new_fail: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    std::printf("cxx_new_fail: all %d checks passed\n", checks);
    return 0;
}
