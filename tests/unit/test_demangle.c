/* test_demangle.c - Rust legacy names read without libstdc++. */
#include "ll.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect(const char *raw, const char *want)
{
    char *got = ll_demangle_rust(raw);
    if (!want) {
        cr_expect_null(got, "%s should not demangle, got %s", raw, got);
    } else {
        cr_expect(got && strcmp(got, want) == 0, "%s: expected %s, got %s", raw,
                  want, got ? got : "NULL");
    }
    free(got);
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
