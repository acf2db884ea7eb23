/* test_symbolize.c - return addresses to names, lines and objects. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "ll.h"

/* Keep the callers below whole: no inlining, cloning (foo.isra.0) or
 * tail calls, so their return addresses and names are what we expect. */
#ifdef __clang__
#define KEEP __attribute__((noinline, used))
#else
#define KEEP __attribute__((noipa, used))
#endif

static KEEP uintptr_t return_address(void)
{
    return (uintptr_t)__builtin_return_address(0);
}

static int call_line;

static KEEP uintptr_t static_caller(void)
{
    uintptr_t pc = return_address(); call_line = __LINE__;
    __asm__ volatile("" : "+r"(pc));    /* the call is not a tail call */
    return pc;
}

/* Code inlined from a helper is named after the helper, like its line. */
static int inline_line;

static inline __attribute__((always_inline)) uintptr_t inlined_helper(void)
{
    uintptr_t pc = return_address(); inline_line = __LINE__;
    __asm__ volatile("" : "+r"(pc));
    return pc;
}

static KEEP uintptr_t inline_caller(void)
{
    uintptr_t pc = inlined_helper();
    __asm__ volatile("" : "+r"(pc));
    return pc;
}

/* Mangled names without C++: an asm label gives a C function the symbol a
 * C++ or Rust compiler would have emitted. */
static KEEP uintptr_t cxx_function(int x) __asm__("_ZN2ns8functionEi");
static KEEP uintptr_t cxx_function(int x)
{
    uintptr_t pc = return_address();
    __asm__ volatile("" : "+r"(pc), "+r"(x));
    return pc + (x & 0);
}

static KEEP uintptr_t rust_function(void)
    __asm__("_ZN4core3fmt5write17h0123456789abcdefE");
static KEEP uintptr_t rust_function(void)
{
    uintptr_t pc = return_address();
    __asm__ volatile("" : "+r"(pc));
    return pc;
}

#ifdef __x86_64__
/* A function without .size, like _start or crtstuff's helpers in some
 * toolchains: named from its start up to the next symbol. */
uintptr_t sizeless_caller(void);
__asm__(".pushsection .text\n"
        ".type sizeless_caller, @function\n"
        "sizeless_caller:\n"
        "  sub $8, %rsp\n"
        "  call return_address\n"
        "  add $8, %rsp\n"
        "  ret\n"
        ".popsection\n");
#endif

static void begin(void) { ll_sym_begin(); }
static void end(void) { ll_sym_end(); }

TestSuite(symbolize, .init = begin, .fini = end);

/* qsort as libc defines it: &qsort may be a sanitizer's interceptor. */
static uintptr_t libc_qsort(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    cr_assert_not_null(libc);
    void *p = dlsym(libc, "qsort");
    cr_assert_not_null(p);
    return (uintptr_t)p;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

Test(symbolize, static_function_line_and_file)
{
    uintptr_t pc = static_caller();
    struct ll_frame f;
    ll_sym_lookup(pc, &f);
    cr_assert_eq(f.pc, pc);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "static_caller");
    cr_assert_not_null(f.file);
    cr_assert_str_eq(base(f.file), "test_symbolize.c");
    cr_assert_eq(f.line, call_line);
    cr_assert_not_null(f.object);
    cr_assert(strstr(f.object, "test_symbolize"), "object %s", f.object);
}

Test(symbolize, sizeless_function)
{
#ifdef __x86_64__
    struct ll_frame f;
    ll_sym_lookup(sizeless_caller(), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "sizeless_caller");
#else
    cr_skip_test("x86-64 assembly");
#endif
}

Test(symbolize, inlined_function)
{
    struct ll_frame f;
    ll_sym_lookup(inline_caller(), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "inlined_helper");
    cr_assert_not_null(f.file);
    cr_assert_str_eq(base(f.file), "test_symbolize.c");
    cr_assert_eq(f.line, inline_line);
}

/* offset must be what addr2line -e object takes: pc minus the load bias. */
Test(symbolize, offset_is_relative_to_load_bias)
{
    uintptr_t pc = static_caller();
    Dl_info info;
    struct link_map *map = NULL;
    cr_assert(dladdr1((void *)pc, &info, (void **)&map, RTLD_DL_LINKMAP));
    struct ll_frame f;
    ll_sym_lookup(pc, &f);
    cr_assert_eq(f.offset, pc - map->l_addr);

    uintptr_t qs = libc_qsort() + 1;
    ll_sym_lookup(qs, &f);
    cr_assert(dladdr1((void *)qs, &info, (void **)&map, RTLD_DL_LINKMAP));
    cr_assert_eq(f.offset, qs - map->l_addr);
}

Test(symbolize, libc_function)
{
    struct ll_frame f;
    ll_sym_lookup(libc_qsort() + 1, &f);
    cr_assert_not_null(f.object);
    cr_assert(strstr(f.object, "libc.so"), "object %s", f.object);
    cr_assert_not_null(f.function);
    cr_assert(strstr(f.function, "qsort"), "function %s", f.function);
}

/* Criterion's library is stripped and has no debug file here: named from
 * .dynsym, without libdw falling back on debuginfod, which would map
 * libcurl, gnutls and twenty more libraries in every reporting process (or
 * download the debug file). */
Test(symbolize, stripped_object_without_debuginfod)
{
    void *lib = dlopen("libcriterion.so.3", RTLD_NOW | RTLD_NOLOAD);
    cr_assert_not_null(lib);
    void *p = dlsym(lib, "cr_malloc");
    cr_assert_not_null(p);
    struct ll_frame f;
    ll_sym_lookup((uintptr_t)p + 1, &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "cr_malloc");
    cr_assert_null(dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_NOLOAD),
                   "libdebuginfod was loaded");
}

Test(symbolize, garbage_pcs)
{
    static const uintptr_t bad[] = {
        0, 1, 2, 0x10, 0x1000, UINTPTR_MAX, UINTPTR_MAX - 4096,
        (uintptr_t)1 << 47, 0xffffffffff600000ull,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ll_frame f;
        ll_sym_lookup(bad[i], &f);
        cr_assert_eq(f.pc, bad[i]);
        cr_assert_null(f.function, "pc %#lx gave %s", (unsigned long)bad[i],
                       f.function);
        cr_assert_eq(f.line, 0);
    }
}

/* Every byte of a code region: no crash, and repeated lookups agree. */
Test(symbolize, sweep_and_cache)
{
    uintptr_t lo = libc_qsort() - 20000;
    struct ll_frame a, b;
    for (uintptr_t pc = lo; pc < lo + 40000; pc++)
        ll_sym_lookup(pc, &a);
    for (uintptr_t pc = lo; pc < lo + 40000; pc += 97) {
        ll_sym_lookup(pc, &a);
        ll_sym_lookup(pc, &b);
        cr_assert_eq(a.function, b.function);   /* same pointers: cached */
        cr_assert_eq(a.file, b.file);
        cr_assert_eq(a.object, b.object);
        cr_assert_eq(a.line, b.line);
    }
}

Test(symbolize, sessions_restart)
{
    struct ll_frame f;
    for (int i = 0; i < 3; i++) {
        ll_sym_end();
        ll_sym_begin();
        ll_sym_lookup(static_caller(), &f);
        cr_assert_str_eq(f.function, "static_caller");
    }
}

Test(symbolize, lookup_outside_session)
{
    ll_sym_end();
    struct ll_frame f;
    ll_sym_lookup(libc_qsort() + 1, &f);     /* dladdr, uncached */
    cr_assert_not_null(f.object);
    cr_assert(strstr(f.object, "libc.so"), "object %s", f.object);
    ll_sym_lookup(static_caller(), &f);
    cr_assert_not_null(f.object);
    cr_assert(strstr(f.object, "test_symbolize"), "object %s", f.object);
}

/* Demangling needs a C++ runtime in the process, as in a C++ program. */
static void with_libstdcxx(void)
{
    cr_assert(dlopen("libstdc++.so.6", RTLD_NOW | RTLD_GLOBAL), "%s",
              dlerror());
    ll_sym_end();
    ll_sym_begin();
}

Test(symbolize, cxx_demangled)
{
    with_libstdcxx();
    struct ll_frame f;
    ll_sym_lookup(cxx_function(1), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "ns::function(int)");
}

Test(symbolize, rust_legacy_hash_stripped)
{
    with_libstdcxx();
    struct ll_frame f;
    ll_sym_lookup(rust_function(), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "core::fmt::write");
}

/* No C++ runtime in the process (a -static-libstdc++ program exports
 * none): libstdc++'s shared copy is loaded for the name, locally. */
Test(symbolize, cxx_demangled_without_cxx_runtime)
{
    if (dlsym(RTLD_DEFAULT, "__cxa_demangle"))
        cr_skip_test("a C++ runtime is loaded");
    struct ll_frame f;
    ll_sym_lookup(cxx_function(1), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "ns::function(int)");
    cr_assert_null(dlsym(RTLD_DEFAULT, "__cxa_demangle"), "libstdc++ loaded globally");
}

/* A Rust name does not load it: Rust's own reader comes first. */
Test(symbolize, rust_legacy_name_loads_no_cxx_runtime)
{
    if (dlsym(RTLD_DEFAULT, "__cxa_demangle"))
        cr_skip_test("a C++ runtime is loaded");
    struct ll_frame f;
    ll_sym_lookup(rust_function(), &f);
    cr_assert_not_null(f.function);
    cr_assert_str_eq(f.function, "core::fmt::write");
    cr_assert_null(dlopen("libstdc++.so.6", RTLD_NOW | RTLD_NOLOAD), "libstdc++ loaded");
}
