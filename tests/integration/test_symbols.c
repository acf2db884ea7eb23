/* test_symbols.c - symbolization of frames: lines and inlined functions from
 * DWARF that libdw does not find by itself (clang's, split DWARF), and the
 * frame a signal interrupted. */
#include "harness.h"

#include <unistd.h>

/* A frame as "function file:line [inlined]", for messages. */
static const char *frame_str(const json_t *f)
{
    const char *fn = ll_str(f, "function"), *file = ll_str(f, "file");
    return ll_fmt("%s %s:%lld%s", fn ? fn : "null", file ? file : "null",
                  ll_int(f, "line"),
                  json_is_true(json_object_get(f, "inlined")) ? " (inlined)" : "");
}

static const char *stack_str(const json_t *stack)
{
    const char *s = "";
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f)
        s = ll_fmt("%s\n  #%zu %s", s, i, frame_str(f));
    return s;
}

/* sym_inline's one leak: in3, in2, in1 inlined into stat_fn, then glob_fn
 * and main, each at the line of its marker. */
static void check_sym_inline(const char *prog)
{
    static const struct { const char *fn, *marker; int inlined; } want[] = {
        { "in3", "@in3", 1 }, { "in2", "@in2", 1 }, { "in1", "@in1", 1 },
        { "stat_fn", "@stat_fn", 0 }, { "glob_fn", "@glob_fn", 0 },
        { "main", "@main", 0 },
    };
    struct ll_run r;
    ll_run_json(&r, prog, NULL, NULL);
    LL_EQ(r.status, 0, "%s: exit status", prog);
    ll_check_schema(r.json);
    json_t *leaks = ll_arr(r.json, "leaks");
    LL_EQ(json_array_size(leaks), 1, "%s: leak groups:\n%s", prog, ll_describe_leaks(r.json));
    json_t *stack = ll_arr(json_array_get(leaks, 0), "stack");
    cr_assert_geq(json_array_size(stack), 6, "%s: stack too short:%s", prog, stack_str(stack));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *f = json_array_get(stack, i);
        int line = ll_line("sym_inline.c", want[i].marker);
        const char *fn = ll_str(f, "function");
        cr_assert(fn && !strcmp(fn, want[i].fn) && ll_frame_at(f, LL_SRC("sym_inline.c"), line) &&
                  json_is_true(json_object_get(f, "inlined")) == want[i].inlined,
                  "%s: frame %zu: expected %s sym_inline.c:%d%s; stack:%s", prog, i,
                  want[i].fn, line, want[i].inlined ? " (inlined)" : "", stack_str(stack));
    }
    ll_run_free(&r);
}

Test(symbols, gcc_inlined_functions_and_lines)
{
    check_sym_inline("sym_inline");
}

/* clang writes no .debug_aranges, where libdw looks up an address's CU. */
Test(symbols, clang_without_aranges_gets_lines_and_inlined_functions)
{
    if (access(LL_PROGRAMS "/sym_inline_clang", X_OK) != 0)
        cr_skip_test("no clang: build/programs/sym_inline_clang was not built");
    check_sym_inline("sym_inline_clang");
}

/* clang++ names the C++ library's headers from its own directory
 * (/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/...):
 * shown as the file they are, /usr/include/c++/12/..., with no "..". */
Test(symbols, clang_header_paths_without_dot_dot)
{
    if (access(LL_PROGRAMS "/demo_vector_clang", X_OK) != 0)
        cr_skip_test("no clang++: build/programs/demo_vector_clang was not built");
    struct ll_run r;
    ll_run_json(&r, "demo_vector_clang", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    int headers = 0;
    size_t i, k;
    json_t *g, *f;
    json_array_foreach(ll_arr(r.json, "leaks"), i, g) {
        json_t *stack = ll_arr(g, "stack");
        json_array_foreach(stack, k, f) {
            const char *file = ll_str(f, "file");
            cr_assert(!file || (!strstr(file, "/../") && !strstr(file, "/./")),
                      "frame %zu names %s; stack:%s", k, file, stack_str(stack));
            headers += file && !strncmp(file, "/usr/include/c++/", 17);
        }
    }
    cr_assert_geq(headers, 1, "no frame in /usr/include/c++/; groups:\n%s",
                  ll_describe_leaks(r.json));
    ll_run_free(&r);
}

/* -gsplit-dwarf: the functions' DWARF, inlined calls included, is in a .dwo
 * file that the program's skeleton unit names. */
Test(symbols, split_dwarf_gets_inlined_functions)
{
    check_sym_inline("sym_inline_split");
}

/* Without the .dwo, the line table (in the program) still says where the
 * inlined in3 is, but not that it is inlined: no frame may pair stat_fn,
 * glob_fn or main with another function's line. */
Test(symbols, split_dwarf_without_dwo_pairs_no_function_with_a_wrong_line)
{
    struct ll_run r;
    ll_run_json(&r, "sym_inline_nodwo", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    json_t *leaks = ll_arr(r.json, "leaks");
    LL_EQ(json_array_size(leaks), 1, "leak groups:\n%s", ll_describe_leaks(r.json));
    json_t *stack = ll_arr(json_array_get(leaks, 0), "stack");
    static const char *const fns[] = { "stat_fn", "glob_fn", "main" };
    static const char *const markers[] = { "@stat_fn", "@glob_fn", "@main" };
    for (size_t i = 0; i < 3; i++) {
        json_t *f = json_array_get(stack, i);
        const char *fn = f ? ll_str(f, "function") : NULL;
        cr_assert(fn && !strcmp(fn, fns[i]), "frame %zu: expected %s; stack:%s", i, fns[i],
                  stack_str(stack));
        int line = ll_line("sym_inline.c", markers[i]);
        cr_assert(ll_int(f, "line") == 0 || ll_frame_at(f, LL_SRC("sym_inline.c"), line),
                  "frame %zu: %s must be at sym_inline.c:%d or have no line; stack:%s", i,
                  fns[i], line, stack_str(stack));
    }
    ll_run_free(&r);
}

/* A frame a signal interrupted is at the faulting instruction itself, not
 * after a call: looked up one byte back, a fault at a function's first
 * instruction read as the function before it.  The signal trampoline the
 * handler returns to starts at its "return address" too. */
Test(symbols, frame_interrupted_by_a_signal_is_looked_up_at_its_pc)
{
    struct ll_run r;
    ll_run_json(&r, "sig_frame", NULL, NULL);
    LL_EQ(r.status, 0, "exit status");
    LL_STREQ(r.out, "sig_frame: done\n", "stdout");
    ll_check_schema(r.json);
    json_t *leak = ll_leak_at(r.json, "definitely_lost", LL_SRC("sig_frame.c"),
                              ll_line("sig_frame.c", "@handler"));
    json_t *stack = ll_arr(leak, "stack");
    static const char *const fns[] = { "handler", "__restore_rt", "faulty", "main" };
    static const char *const markers[] = { "@handler", NULL, "@faulty", "@main" };
    for (size_t i = 0; i < 4; i++) {
        json_t *f = json_array_get(stack, i);
        const char *fn = f ? ll_str(f, "function") : NULL;
        cr_assert(fn && !strcmp(fn, fns[i]), "frame %zu: expected %s; stack:%s", i, fns[i],
                  stack_str(stack));
        if (markers[i]) {
            int line = ll_line("sig_frame.c", markers[i]);
            cr_assert(ll_frame_at(f, LL_SRC("sig_frame.c"), line),
                      "frame %zu: expected %s at sig_frame.c:%d; stack:%s", i, fns[i], line,
                      stack_str(stack));
        }
    }
    /* the offset is the faulting instruction's: faulty's first byte */
    LL_EQ(ll_addr(ll_str(json_array_get(stack, 2), "offset")) & 0xf, 0,
          "faulty's offset %s is its (16-aligned) start", ll_str(json_array_get(stack, 2), "offset"));
    ll_run_free(&r);
}

/* A frame whose JSON text is longer than the writer's buffer (a 16 KiB
 * name; deep chains of inlined C++ templates get there too) is written
 * whole: it was cut after the buffer's first flush, and the report was no
 * longer valid JSON. */
Test(symbols, frame_longer_than_the_write_buffer_is_whole)
{
    struct ll_run r;
    ll_run_json(&r, "long_name", "show_reachable=1", NULL);
    LL_EQ(r.status, 0, "exit status");
    ll_check_schema(r.json);
    json_t *leak = ll_leak_at(r.json, "still_reachable", LL_SRC("long_name.c"),
                              ll_line("long_name.c", "@long"));
    const char *fn = ll_str(json_array_get(ll_arr(leak, "stack"), 0), "function");
    LL_EQ(fn ? (long long)strlen(fn) : -1, 16384, "length of the first frame's function");
    LL_EQ(fn ? (long long)strspn(fn, "abcd") : -1, 16384, "its characters");
    ll_run_free(&r);
}

/* A program linked with -static-libstdc++ exports no __cxa_demangle: its
 * C++ names are demangled by libstdc++'s shared copy, loaded for them.
 * They read _ZN6shapes11make_circleEi and _Znwm. */
Test(symbols, static_libstdcxx_names_demangled)
{
    struct ll_run r;
    ll_run_json(&r, "cxx_static_runtime", NULL, NULL);
    LL_EQ(r.status, 0, "exit status; stderr:\n%.2000s", r.err);
    LL_STREQ(r.out, "cxx_static_runtime: done\n", "stdout");
    LL_EQ(json_array_size(ll_arr(r.json, "leaks")), 1, "groups:\n%s", ll_describe_leaks(r.json));
    json_t *g = json_array_get(ll_arr(r.json, "leaks"), 0);
    LL_EQ(ll_int(g, "bytes"), 24, "bytes");
    size_t i;
    json_t *f;
    int named = 0;
    json_array_foreach(ll_arr(g, "stack"), i, f) {
        const char *fn = ll_str(f, "function");
        cr_assert(!fn || strncmp(fn, "_Z", 2) != 0, "frame %zu mangled: %s", i, frame_str(f));
        named += fn && strcmp(fn, "shapes::make_circle(int)") == 0 &&
                 ll_frame_at(f, LL_SRC("cxx_static_runtime.cc"),
                             ll_line("cxx_static_runtime.cc", "@leak"));
    }
    LL_EQ(named, 1, "frames shapes::make_circle(int) at @leak");
    ll_run_free(&r);
}
