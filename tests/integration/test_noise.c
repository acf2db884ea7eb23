/* test_noise.c - correct programs that use libc, libstdc++, threads and the
 * dynamic loader: nothing may be reported lost (issue 3's zero-noise
 * corpus).  Valgrind 3.19 reports the same programs clean only because it
 * runs __libc_freeres first; libleak gets there by its roots (README). */
#include "harness.h"

static void run_clean(const char *prog, const char *const *args, const char *out)
{
    struct ll_run r;
    ll_run_json(&r, prog, NULL, args);
    LL_EQ(r.status, 0, "%s: exit status; stderr:\n%.2000s", prog, r.err);
    if (out)
        LL_STREQ(r.out, out, "%s: stdout", prog);
    ll_check_schema(r.json);
    static const char *const kinds[] = { "definitely_lost", "indirectly_lost", "possibly_lost" };
    /* what the check saw, for a failure that does not come back */
    char *check = json_dumps(ll_get(r.json, "check"), JSON_COMPACT);
    for (int k = 0; k < 3; k++) {
        LL_EQ(ll_summary_bytes(r.json, kinds[k]), 0, "%s: %s bytes; groups:\n%s\ncheck: %s\n"
              "stderr:\n%.2000s", prog, kinds[k], ll_describe_leaks(r.json),
              check ? check : "?", r.err);
        LL_EQ(ll_summary_blocks(r.json, kinds[k]), 0, "%s: %s blocks", prog, kinds[k]);
    }
    LL_EQ(json_array_size(ll_arr(r.json, "leaks")), 0, "%s: listed groups:\n%s", prog,
          ll_describe_leaks(r.json));
    LL_EQ(ll_int(ll_get(r.json, "check"), "threads_not_stopped"), 0, "%s: threads that did not stop",
          prog);
    free(check);
    ll_run_free(&r);
}

static void libc_case(const char *what)
{
    const char *args[] = { what, NULL };
    run_clean("noise_libc", args, "noise_libc: ok\n");
}

Test(noise, hello_stdio) { run_clean("noise_hello", NULL, "hello, world\n"); }

/* Another allocator as the next one.  jemalloc: the mappings it made for
 * itself are not roots (allocmaps.c), the program's own still are.
 * tcmalloc (gperftools): at start it allocates 8 bytes with operator new
 * (MallocExtension::Register) and keeps them in memory it takes with sbrk,
 * never a root, where they read definitely lost; a block the allocator's
 * own code allocated is its, reachable. */
static void clean_under(const char *allocator, const char *prog, const char *out)
{
    ll_preload_allocator(allocator);
    run_clean(prog, NULL, out);
}

Test(noise, hello_stdio_under_jemalloc) { clean_under(LL_JEMALLOC, "noise_hello", "hello, world\n"); }
Test(noise, threads_tls_keys_dlopen_under_jemalloc)
{
    clean_under(LL_JEMALLOC, "noise_threads", "threads: done\n");
}
Test(noise, hello_stdio_under_tcmalloc) { clean_under(LL_TCMALLOC, "noise_hello", "hello, world\n"); }
Test(noise, threads_tls_keys_dlopen_under_tcmalloc)
{
    clean_under(LL_TCMALLOC, "noise_threads", "threads: done\n");
}

Test(noise, cxx_iostream_string_exceptions)
{
    run_clean("noise_cxx", NULL, "distinct 26, caught 5\n");
}

/* Joined, detached-and-finished and detached-still-blocked threads, TLS,
 * pthread keys, dlopen/dlclose of libm: the DTVs glibc caches with exited
 * threads' stacks, the blocked thread's stack and TCB (its key value). */
Test(noise, threads_tls_keys_dlopen) { run_clean("noise_threads", NULL, "threads: done\n"); }

Test(noise, getaddrinfo_localhost) { libc_case("getaddrinfo"); }
Test(noise, localtime) { libc_case("localtime"); }
Test(noise, setlocale) { libc_case("setlocale"); }
Test(noise, qsort) { libc_case("qsort"); }
Test(noise, fopen_opendir) { libc_case("fopen"); }
Test(noise, popen) { libc_case("popen"); }

/* Two streams from fopen() never closed: stdio's list (in libc's data)
 * holds them, and they hold their buffers, so all four blocks are still
 * reachable, as in Valgrind.  The list's first stream is libleak's own
 * (the report's, made at exit), in memory that is no root: the newest
 * FILE and its buffer read definitely and indirectly lost. */
Test(noise, streams_left_open_are_still_reachable)
{
    libc_case("fopen_left_open");
    struct ll_run r;
    const char *args[] = { "fopen_left_open", NULL };
    ll_run_json(&r, "noise_libc", "show_reachable=1", args);
    /* and stdout's buffer */
    cr_assert_geq(ll_summary_blocks(r.json, "still_reachable"), 4, "groups:\n%s",
                  ll_describe_leaks(r.json));
    ll_run_free(&r);
}
Test(noise, regcomp_regexec_regfree) { libc_case("regex"); }

/* ld.so's _dl_find_object segments: pointed to 48 bytes in (aligned). */
Test(noise, dlopen_dlclose_library_with_tls) { libc_case("dlopen"); }

/* A failed dlsym's error, kept by libc in its TLS until dlerror() asks: the
 * report's own dlsym (exit's code, looked up at report time) made glibc free
 * it and clear the TLS, so its two blocks read definitely lost. */
Test(noise, dlsym_error_never_read) { libc_case("dlsym_missing"); }

Test(noise, all_libc_cases_in_one_process)
{
    const char *args[] = { "getaddrinfo", "localtime", "setlocale", "qsort", "fopen",
                           "fopen_left_open", "popen", "regex", "dlopen", "dlsym_missing",
                           NULL };
    run_clean("noise_libc", args, "noise_libc: ok\n");
}
