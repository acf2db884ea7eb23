/* test_entry.c - every allocation entry point, C and C++. */
#include "harness.h"

#include <gnu/libc-version.h>
#include <stdio.h>
#include <string.h>

struct expect {
    const char *marker, *function;
    long long bytes, alignment;
};

/* glibc before 2.38 rounds aligned_alloc's alignment up to a power of two
 * (memalign's rule); later ones refuse one that is not. */
static int aligned_alloc_rounds(void)
{
    int major, minor;
    return sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) == 2 &&
           (major < 2 || (major == 2 && minor < 38));
}

Test(entry, entry_points_contract_and_one_leak_each)
{
    struct ll_run r;
    ll_run_json(&r, "entry_points", NULL, NULL);
    cr_assert(ll_contains(r.out, "entry_points: all "), "the program's own contract checks failed:\n%s", r.out);
    LL_EQ(r.status, 0, "exit status; stdout:\n%s", r.out);
    ll_check_schema(r.json);

    static const struct expect want[] = {
        { "@malloc", "malloc", 11, 16 },
        { "@calloc", "calloc", 21, 16 },
        { "@realloc", "realloc", 29, 16 },
        { "@reallocarray", "reallocarray", 35, 16 },
        { "@posix_memalign", "posix_memalign", 100, 64 },
        { "@aligned_alloc", "aligned_alloc", 512, 256 },
        { "@memalign", "memalign", 200, 128 },
        { "@valloc", "valloc", 300, 4096 },
        { "@pvalloc", "pvalloc", 4096, 4096 },
        /* the alignment the block got, 24 rounded up: 24 would not be true */
        { "@aligned_alloc24", "aligned_alloc", 48, 32 },
    };
    size_t nwant = sizeof want / sizeof want[0] - !aligned_alloc_rounds();
    long long total = 0;
    for (size_t i = 0; i < nwant; i++) {
        int line = ll_line("entry_points.c", want[i].marker);
        json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("entry_points.c"), line);
        LL_STREQ(ll_str(g, "function"), want[i].function, "%s: function", want[i].marker);
        LL_EQ(ll_int(g, "bytes"), want[i].bytes, "%s: bytes", want[i].marker);
        LL_EQ(ll_int(g, "blocks"), 1, "%s: blocks", want[i].marker);
        LL_EQ(ll_int(g, "alignment"), want[i].alignment, "%s: alignment", want[i].marker);
        LL_STREQ(ll_str(ll_top_frame(ll_get(g, "stack")), "function"), "leak_one_of_each",
                 "%s: stack[0].function", want[i].marker);
        total += want[i].bytes;
    }
    /* nothing else: the realloc(p, 0), realloc(NULL, n), malloc(0) and
     * errno-check blocks were all freed */
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), total, "definitely lost bytes; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), nwant, "definitely lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 0, "indirectly lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    LL_EQ(ll_leaks_at(r.json, NULL, LL_SRC("entry_points.c"), ll_line("entry_points.c", "@realloc0"), NULL, 0), 0,
          "groups for the block freed by realloc(p, 0)");
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors (free(NULL) is not one)");
    ll_run_free(&r);
}

Test(entry, cxx_new_variants)
{
    struct ll_run r;
    ll_run_json(&r, "cxx_new", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.1000s", r.err);
    LL_STREQ(r.out, "cxx_new: done\n", "stdout");
    ll_check_schema(r.json);

    static const struct expect want[] = {
        { "@new", "operator new", 4, 16 },
        { "@new[]", "operator new[]", 40, 16 },
        { "@nothrow", "operator new", 24, 16 },
        { "@aligned", "operator new", 64, 64 },
    };
    long long total = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int line = ll_line("cxx_new.cc", want[i].marker);
        json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("cxx_new.cc"), line);
        LL_STREQ(ll_str(g, "function"), want[i].function, "%s: function", want[i].marker);
        LL_EQ(ll_int(g, "bytes"), want[i].bytes, "%s: bytes", want[i].marker);
        LL_EQ(ll_int(g, "blocks"), 1, "%s: blocks", want[i].marker);
        LL_EQ(ll_int(g, "alignment"), want[i].alignment, "%s: alignment", want[i].marker);
        total += want[i].bytes;
    }
    /* the balanced() news were all deleted: only the four leaks are lost */
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), total, "definitely lost bytes; groups:\n%s", ll_describe_leaks(r.json));
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 4, "definitely lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "indirectly_lost"), 0, "indirectly lost blocks");
    LL_EQ(ll_summary_blocks(r.json, "possibly_lost"), 0, "possibly lost blocks");
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors (every delete matched its new)");
    ll_run_free(&r);
}

/* cxx_new_fail checks operator new's failures itself; under libleak it must
 * pass them all, exit normally, and leak nothing. */
static void cxx_new_fail_passes(const char *mode)
{
    const char *args[] = { mode, NULL };
    struct ll_run r;
    ll_run_json(&r, "cxx_new_fail", NULL, args);
    LL_EQ(r.signaled, 0, "%s: killed by signal %d; stdout:\n%s\nstderr:\n%.1000s", mode, r.sig, r.out, r.err);
    cr_assert(ll_contains(r.out, "cxx_new_fail: all "), "%s: the program's own checks failed:\n%s", mode, r.out);
    LL_EQ(r.status, 0, "%s: exit status; stdout:\n%s", mode, r.out);
    ll_check_schema(r.json);
    LL_EQ(ll_summary_blocks(r.json, "definitely_lost"), 0, "%s: definitely lost blocks; groups:\n%s",
          mode, ll_describe_leaks(r.json));
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "%s: errors", mode);
    ll_run_free(&r);
}

/* A nothrow new whose handler throws returns nullptr (the exception must
 * not leave the noexcept operator); one whose handler frees memory gets an
 * ordinary new[] block. */
Test(entry, cxx_nothrow_new_with_a_throwing_handler)
{
    cxx_new_fail_passes("handler");
}

/* An align_val_t that is not a power of two (0, 3, 48): bad_alloc, or
 * nullptr from the nothrow forms, and no block, as natively. */
Test(entry, cxx_new_alignment_not_a_power_of_two)
{
    cxx_new_fail_passes("alignment");
}

/* glibc's __libc_* names and cfree are malloc's and free's entry points:
 * blocks cross between the names with no bad free, and a leak through one
 * is reported with its plain counterpart's name. */
Test(entry, libc_names_are_the_same_entry_points)
{
    struct ll_run r;
    ll_run_json(&r, "glibc_names", NULL, NULL);
    LL_STREQ(r.out, "glibc_names: all checks passed\n", "stdout");
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    LL_EQ(json_array_size(ll_arr(r.json, "errors")), 0, "errors (free of __libc_malloc's block, "
          "__libc_free and cfree of malloc's); stderr:\n%.2000s", r.err);
    static const struct expect want[] = {
        { "@libc_malloc", "malloc", 11, 16 },
        { "@libc_calloc", "calloc", 21, 16 },
        { "@libc_memalign", "memalign", 200, 128 },
        { "@libc_realloc", "realloc", 29, 16 },
    };
    long long total = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *g = ll_leak_at(r.json, "definitely_lost", LL_SRC("glibc_names.c"),
                               ll_line("glibc_names.c", want[i].marker));
        LL_STREQ(ll_str(g, "function"), want[i].function, "%s: function", want[i].marker);
        LL_EQ(ll_int(g, "bytes"), want[i].bytes, "%s: bytes", want[i].marker);
        LL_EQ(ll_int(g, "alignment"), want[i].alignment, "%s: alignment", want[i].marker);
        total += want[i].bytes;
    }
    /* nothing else: the blocks freed by the other name are gone */
    LL_EQ(ll_summary_bytes(r.json, "definitely_lost"), total, "definitely lost bytes; groups:\n%s",
          ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* libleak.so is built with hidden visibility: it exports the documented
 * entry points (README's list) and nothing else. */
Test(entry, exports_only_the_entry_points)
{
    static const char *const want[] = {
        "_Exit", "_exit", "exit", "quick_exit", "dlclose", "__libc_start_main",
        "sigaction", "__sigaction", "signal", "bsd_signal", "ssignal", "sysv_signal",
        "__sysv_signal", "sigset", "mmap", "mmap64", "munmap", "mremap", "pthread_create",
        "posix_spawn", "posix_spawnp", "execve", "execv", "execvp", "execvpe", "fexecve",
        "execveat", "execl", "execlp", "execle",
        "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
        "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size",
        "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc",
        "__libc_memalign", "__libc_valloc", "__libc_pvalloc", "cfree",
        "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
        "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
        "_ZnwmSt11align_val_tRKSt9nothrow_t", "_ZnamSt11align_val_tRKSt9nothrow_t",
        "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvRKSt9nothrow_t", "_ZdaPvRKSt9nothrow_t",
        "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t", "_ZdlPvmSt11align_val_t",
        "_ZdaPvmSt11align_val_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t",
        "_ZdaPvSt11align_val_tRKSt9nothrow_t",
    };
    size_t nwant = sizeof want / sizeof want[0];
    FILE *f = popen("nm -D --defined-only --format=posix " LL_LIB, "r");
    cr_assert_not_null(f, "popen nm");
    char line[512], extra[4096] = "";
    size_t found = 0, nextra = 0;
    while (fgets(line, sizeof line, f)) {
        char name[256], type;
        if (sscanf(line, "%255s %c", name, &type) != 2 || type == 'A')
            continue;             /* version definitions, if any */
        int known = 0;
        for (size_t i = 0; i < nwant && !known; i++)
            known = !strcmp(name, want[i]);
        if (known)
            found++;
        else if (strlen(extra) + strlen(name) + 2 < sizeof extra) {
            strcat(extra, " ");
            strcat(extra, name);
            nextra++;
        }
    }
    LL_EQ(pclose(f), 0, "nm's exit status");
    LL_EQ(nextra, 0, "symbols exported beyond the entry points:%s", extra);
    LL_EQ(found, nwant, "entry points exported");
}

/* What libleak.so brings into the traced program: libc and the loader
 * alone.  libgcc's unwinder (the fallback for frames the cached walker
 * cannot express) is linked in (-static-libgcc), so a C program does not
 * load libgcc_s.so.1 and run its constructor. */
Test(entry, needs_nothing_but_libc_and_the_loader)
{
    FILE *f = popen("readelf -d " LL_LIB, "r");
    cr_assert_not_null(f, "popen readelf");
    char line[512], other[1024] = "";
    size_t libc = 0;
    while (fgets(line, sizeof line, f)) {
        char *lib = strstr(line, "(NEEDED)");
        char *name = lib ? strchr(lib, '[') : NULL;
        if (!name)
            continue;
        name[strcspn(name, "\n")] = 0;
        if (!strcmp(name, "[libc.so.6]"))
            libc++;
        else if (strcmp(name, "[ld-linux-x86-64.so.2]") &&
                 strlen(other) + strlen(name) + 2 < sizeof other) {
            strcat(other, " ");
            strcat(other, name);
        }
    }
    LL_EQ(pclose(f), 0, "readelf's exit status");
    LL_EQ(libc, 1, "libleak.so needs libc.so.6");
    cr_expect(!other[0], "libleak.so needs more than libc and the loader:%s", other);
}
