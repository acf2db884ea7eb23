/* test_demangle.c - Rust names, legacy and v0, read without libstdc++. */
#include "ll.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* reader(raw) gives want (NULL: leaves raw alone). */
static void expect_with(char *(*reader)(const char *), const char *raw, const char *want)
{
    char *got = reader(raw);
    if (!want) {
        cr_expect_null(got, "%s should not demangle, got %s", raw, got);
    } else {
        cr_expect(got && strcmp(got, want) == 0, "%s: expected %s, got %s", raw,
                  want, got ? got : "NULL");
    }
    free(got);
}

static void expect(const char *raw, const char *want)
{
    expect_with(ll_demangle_rust, raw, want);
}

Test(demangle, plain_path_without_hash)
{
    expect("_ZN10rust_alloc9forgotten17h82b91827b93f93d6E", "rust_alloc::forgotten");
    expect("_ZN3std2rt10lang_start17hc3612847c826621bE", "std::rt::lang_start");
}

Test(demangle, escapes_and_double_dots)
{
    expect("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$"
           "..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE",
           "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>");
    expect("_ZN50_$LT$T$u20$as$u20$core..convert..Into$LT$U$GT$$GT$4into17h0123456789abcdefE",
           "<T as core::convert::Into<U>>::into");
}

Test(demangle, cxx_and_garbage_are_not_rust)
{
    expect("_ZN3foo3barEv", NULL);            /* C++: foo::bar() */
    expect("_ZN3foo3barE", NULL);             /* no hash */
    expect("main", NULL);
    expect("_ZN99tooshort17h0123456789abcdefE", NULL);
}

/* ---- the v0 scheme ("_R..."), demangle_rust_v0.c ---------------------------- */

static void expect_v0(const char *raw, const char *want)
{
    expect_with(ll_demangle_rust_v0, raw, want);
}

Test(demangle_v0, paths_closures_and_back_references)
{
    expect_v0("_RNvC6_123foo3bar", "123foo::bar");
    expect_v0("_RNvNtCs1_3std2rt10lang_start", "std::rt::lang_start");
    /* two closures with empty names ("00"), then the instantiating crate,
     * a back-reference, which is not printed */
    expect_v0("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}");
    expect_v0("_RNCNvCs1_3foo4mains0_0", "foo::main::{closure#2}");   /* "s0_": 2 */
}

Test(demangle_v0, impls_and_generic_arguments)
{
    expect_v0("_RMC0INtC8arrayvec8ArrayVechKj7b_E", "<arrayvec::ArrayVec<u8, 123>>");
    expect_v0("_RNvNvMCs4fqI2P2rA04_13const_genericINtB4_3FooKpE3foo3FOO",
              "<const_generic::Foo<_>>::foo::FOO");
    expect_v0("_RNvXNtCs1_3std5allocNtNtCs1_3std5alloc6SystemNtNtNtCs2_4core5alloc6global"
              "11GlobalAlloc5alloc",
              "<std::alloc::System as core::alloc::global::GlobalAlloc>::alloc");
    expect_v0("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_E"
              "Cs1iopQbuBiw2_3std",
              "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>");
}

Test(demangle_v0, types)
{
    expect_v0("_RINvCs1_3foo3barTRhQmEPhFhEuFElE",
              "foo::bar::<(&u8, &mut u32), *const u8, fn(u8), fn() -> i32>");
    expect_v0("_RINvCs1_3foo3barAhj4_SlTlEKb1_Kane_E",
              "foo::bar::<[u8; 4], [i32], (i32,), true, -14>");
}

Test(demangle_v0, malformed_names_are_left_raw)
{
    expect_v0("_R", NULL);
    expect_v0("_RNvC3foo", NULL);                  /* cut short */
    expect_v0("_RNvC3foo3barXYZ", NULL);           /* trailing garbage */
    expect_v0("_RB_", NULL);                       /* a reference to itself */
    expect_v0("_ZN3foo3barE", NULL);               /* not v0 */
    char deep[2 + 150 * 2 + 5 + 150 * 2 + 1] = "_R";
    for (int i = 0; i < 150; i++)
        strcat(deep, "Nv");
    strcat(deep, "C3foo");
    for (int i = 0; i < 150; i++)
        strcat(deep, "1a");
    expect_v0(deep, NULL);                         /* nested past the depth */
}
