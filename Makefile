# libleak - see README.md.  Targets read as a menu:
#   make            ./libleak.so
#   make test       unit + integration tests (installs missing packages first)
#   make demo       build, then run the leaking examples under the preload
#   make bench      scripts/bench
#   make clean
.SUFFIXES:

CC      ?= cc
CXX     ?= c++
BUILD   := build
WARN    := -Wall -Wextra -Werror
# -fno-builtin: the compiler must not turn our malloc/calloc wrappers into
# calls to themselves.  initial-exec TLS: the recursion guard must never
# allocate (general-dynamic TLS may call malloc on first touch).
CFLAGS_LIB := -std=gnu11 -g -O2 -fPIC -fvisibility=hidden -ftls-model=initial-exec \
              -fno-builtin -fno-strict-aliasing -funwind-tables -D_GNU_SOURCE $(WARN) -MMD -MP
# -static-libgcc: libgcc's unwinder (the fallback for frames the cached
# walker cannot express) is linked in, so libgcc_s.so.1 is not loaded into a
# C program, nor its constructor run (CPUID probes that cost 0.1 ms of every
# process's start on a VM).  C++ programs load their own copy as before.
LDFLAGS_LIB := -shared -static-libgcc -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined
LDLIBS_LIB  := -ldl -lpthread

SRC  := $(wildcard src/*.c)
OBJ  := $(SRC:src/%.c=$(BUILD)/obj/%.o)

all: libleak.so

libleak.so: $(OBJ)
	$(CC) $(LDFLAGS_LIB) -o $@ $(OBJ) $(LDLIBS_LIB)

$(BUILD)/obj/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_LIB) -c -o $@ $<

# ---- unit tests: src objects linked without the preload (no interpose.o) --
SAN        ?=
UNIT_FLAGS := $(CFLAGS_LIB) $(SAN)
# interpose.o, exits.o, dlclose.o, sigaction.o, mmap.o, threadstart.o and spawn.o
# are the exported entry points (malloc, _exit, signal, mmap, pthread_create,
# posix_spawn): a unit-test binary must keep its own.
UNIT_OBJ   := $(filter-out $(BUILD)/unit$(SAN_TAG)/obj/interpose.o $(BUILD)/unit$(SAN_TAG)/obj/exits.o $(BUILD)/unit$(SAN_TAG)/obj/dlclose.o $(BUILD)/unit$(SAN_TAG)/obj/sigaction.o $(BUILD)/unit$(SAN_TAG)/obj/mmap.o $(BUILD)/unit$(SAN_TAG)/obj/threadstart.o $(BUILD)/unit$(SAN_TAG)/obj/spawn.o,$(SRC:src/%.c=$(BUILD)/unit$(SAN_TAG)/obj/%.o))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit$(SAN_TAG)/%)

$(BUILD)/unit$(SAN_TAG)/obj/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(UNIT_FLAGS) -c -o $@ $<

$(BUILD)/unit$(SAN_TAG)/libll.a: $(UNIT_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit$(SAN_TAG)/test_%: tests/unit/test_%.c $(BUILD)/unit$(SAN_TAG)/libll.a
	$(CC) $(UNIT_FLAGS) -Isrc -o $@ $< $(BUILD)/unit$(SAN_TAG)/libll.a -lcriterion $(LDLIBS_LIB)

# tests/unit/test_lc_*.c: leakcheck's own functions, linked with its files
# (all but main.c) instead of the library's objects.
LC_UNIT_SRC := $(filter-out src/leakcheck/main.c,$(wildcard src/leakcheck/*.c)) src/suppress.c
$(BUILD)/unit$(SAN_TAG)/test_lc_%: tests/unit/test_lc_%.c $(LC_UNIT_SRC) $(wildcard src/leakcheck/*.h) | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE $(SAN) -Isrc -Isrc/leakcheck -o $@ $< \
	    $(LC_UNIT_SRC) -lcriterion -ljansson

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t --jobs 2; done

# ---- test programs and integration tests -------------------------------------
# tests/programs/libX.c are shared objects the programs dlopen.
PROG_LIB := $(wildcard tests/programs/lib*.c)
PROG_C   := $(filter-out $(PROG_LIB),$(wildcard tests/programs/*.c))
PROG_CC  := $(wildcard tests/programs/*.cc)
PROGS    := $(PROG_C:tests/programs/%.c=$(BUILD)/programs/%) \
            $(PROG_CC:tests/programs/%.cc=$(BUILD)/programs/%) \
            $(PROG_LIB:tests/programs/%.c=$(BUILD)/programs/%.so)
PROG_CFLAGS := -g -O2 -Wall -Wno-unused-result -Wno-free-nonheap-object

$(BUILD)/programs/%: tests/programs/%.c tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -o $@ $< -pthread -ldl

$(BUILD)/programs/%: tests/programs/%.cc tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 $(PROG_CFLAGS) -o $@ $< -pthread -ldl

$(BUILD)/programs/lib%.so: tests/programs/lib%.c $(wildcard tests/programs/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -fPIC -shared -o $@ $<

# sym_inline.c again, for symbolization: by clang (no .debug_aranges;
# without clang no program, and the tests that need it skip), and with
# -gsplit-dwarf: sym_inline_split's .dwo file lands next to it, where libdw
# finds it; sym_inline_nodwo's is deleted.
PROGS += $(BUILD)/programs/sym_inline_clang $(BUILD)/programs/sym_inline_split \
         $(BUILD)/programs/sym_inline_nodwo
$(BUILD)/programs/sym_inline_clang: tests/programs/sym_inline.c
	@mkdir -p $(@D)
	@if command -v clang >/dev/null; then echo "clang -g -O2 -o $@ $<"; clang -g -O2 -o $@ $<; \
	 else echo "no clang: $@ not built"; rm -f $@; fi
$(BUILD)/programs/sym_inline_split: tests/programs/sym_inline.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -gsplit-dwarf -o $@ $<
$(BUILD)/programs/sym_inline_nodwo: tests/programs/sym_inline.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -gsplit-dwarf -o $@ $<
	rm -f $@-sym_inline.dwo

# cxx_static_runtime.cc: with libstdc++ linked in (no __cxa_demangle to find).
$(BUILD)/programs/cxx_static_runtime: tests/programs/cxx_static_runtime.cc tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 $(PROG_CFLAGS) -static-libstdc++ -static-libgcc -o $@ $<

# cxx_cow_string.cc: libstdc++'s old ABI, whose std::string is copy-on-write.
$(BUILD)/programs/cxx_cow_string: tests/programs/cxx_cow_string.cc tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 $(PROG_CFLAGS) -D_GLIBCXX_USE_CXX11_ABI=0 -o $@ $<

# nopie_*: non-PIE programs, whose malloc or operator new (its address taken
# in their code) is an undefined symbol with its PLT entry as value.
$(BUILD)/programs/nopie_malloc_addr: tests/programs/nopie_malloc_addr.c tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -no-pie -fno-pie -o $@ $<

$(BUILD)/programs/nopie_new_addr: tests/programs/nopie_new_addr.cc tests/programs/scrub.h
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 $(PROG_CFLAGS) -no-pie -fno-pie -o $@ $<

# demo_vector.cc again, by clang++ at -O0: the library's headers named from
# clang's own directory (/usr/bin/../lib/gcc/...); without clang++ no program,
# and the test that needs it skips.
PROGS += $(BUILD)/programs/demo_vector_clang
$(BUILD)/programs/demo_vector_clang: tests/programs/demo_vector.cc
	@mkdir -p $(@D)
	@if command -v clang++ >/dev/null; then echo "clang++ -g -O0 -o $@ $<"; clang++ -g -O0 -o $@ $<; \
	 else echo "no clang++: $@ not built"; rm -f $@; fi

# tests/programs/rust/*.rs: built with Debian's rustc (not a rustup one on
# PATH); relative paths as written, which the golden files expect.
RUSTC      := /usr/bin/rustc
RUST_SRC   := $(wildcard tests/programs/rust/*.rs)
RUST_PROGS := $(RUST_SRC:tests/programs/rust/%.rs=$(BUILD)/programs/%)
PROGS      += $(RUST_PROGS)
$(BUILD)/programs/%: tests/programs/rust/%.rs | deps
	@mkdir -p $(@D)
	$(RUSTC) -g -C opt-level=0 -o $@ $<

INTEG_SRC := $(wildcard tests/integration/*.c)
$(BUILD)/test_integration: $(INTEG_SRC) tests/integration/harness.h | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -g -O1 -D_GNU_SOURCE $(WARN) -DLL_ROOT='"$(CURDIR)"' \
	    -o $@ $(INTEG_SRC) -lcriterion -ljansson

integration: libleak.so $(PROGS) $(BUILD)/test_integration $(BUILD)/leakcheck
	$(BUILD)/test_integration --jobs 2

test: deps
	@$(MAKE) --no-print-directory unit integration
	@$(MAKE) --no-print-directory unit SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' SAN_TAG=-san
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-forward

# ---- scripts/leakcheck: the CI wrapper (its own program, never preloaded) ------
LC_SRC := $(wildcard src/leakcheck/*.c)
$(BUILD)/leakcheck: $(LC_SRC) src/suppress.c src/suppress.h src/sysfile.h src/ll.h src/utf8.h $(wildcard src/leakcheck/*.h) | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Isrc -o $@ $(LC_SRC) src/suppress.c -ljansson

# Dogfooding: every test program through the CI gate; only leaks not in the
# baseline (the programs' deliberate ones) fail it.
check-leaks: deps libleak.so $(PROGS) $(BUILD)/leakcheck
	scripts/leakcheck --baseline tests/programs/lc_known_leaks.baseline \
	    --sarif $(BUILD)/leaks.sarif --junit $(BUILD)/leaks.junit.xml \
	    -- tests/programs/lc_run_all.sh

bench-merge: deps $(BUILD)/leakcheck
	@scripts/bench-merge

# ---- the shared structures under ThreadSanitizer ----------------------------------
# (Criterion cannot run under TSan - its shared arena collides with TSan's
# memory layout - so this is a plain program over the src/ objects.)
TSAN_UNIT := $(BUILD)/unit-tsan
$(TSAN_UNIT)/stress: tests/tsan/stress.c | deps
	@$(MAKE) --no-print-directory $(TSAN_UNIT)/libll.a SAN='-fsanitize=thread' SAN_TAG=-tsan
	$(CC) $(CFLAGS_LIB) -fsanitize=thread -Isrc -o $@ $< $(TSAN_UNIT)/libll.a $(LDLIBS_LIB)

test-tsan: $(TSAN_UNIT)/stress
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 $(TSAN_UNIT)/stress 100000

# ---- real programs under the preload; fuzzing ------------------------------------
test-real: deps libleak.so
	@scripts/test-real

FUZZ       := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME  ?= 30
FUZZ_FLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/fuzz_options: tests/fuzz/fuzz_options.c src/options.c src/out.c
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^
$(BUILD)/fuzz/fuzz_json_str: tests/fuzz/fuzz_json_str.c src/out.c
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^
$(BUILD)/fuzz/fuzz_rust_v0: tests/fuzz/fuzz_rust_v0.c src/demangle_rust_v0.c
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^
fuzz: deps $(FUZZ)
	@set -e; for f in $(FUZZ); do n=$${f##*/}; mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$n ($(FUZZ_TIME) s)"; \
	  $$f -max_total_time=$(FUZZ_TIME) -max_len=8192 -close_fd_mask=2 $(BUILD)/fuzz/corpus-$$n \
	    > $(BUILD)/fuzz/$$n.log 2>&1 || { tail -60 $(BUILD)/fuzz/$$n.log; exit 1; }; \
	  tail -1 $(BUILD)/fuzz/$$n.log; done

# ---- demo, bench ---------------------------------------------------------------
# Only the programs scripts/demo runs: a first `make demo` need not build
# the whole test corpus.
DEMO_PROGS := $(filter $(BUILD)/programs/demo_% $(BUILD)/programs/double_free,$(PROGS)) \
              $(RUST_PROGS)
demo: deps libleak.so $(DEMO_PROGS)
	@scripts/demo

bench: deps libleak.so
	@scripts/bench

# Instructions per operation under callgrind (also run at the end of bench).
bench-instr: deps libleak.so
	@scripts/bench-instr

bench-table: deps libleak.so
	@scripts/bench-table

# For scripts/bench (which builds it): libleak's interposer with recording
# compiled out.  It must still keep the allocator's contract: entry_points
# checks every C entry point under it, cxx_new_fail operator new's failures
# (a failed check exits non-zero).
$(BUILD)/bench/forward.so: $(SRC) $(wildcard src/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS_LIB)) -DLL_FORWARD_ONLY $(LDFLAGS_LIB) -o $@ $(SRC) $(LDLIBS_LIB)

# The same with one bare uthash record per block (tests/bench/floor.c).
$(BUILD)/bench/floor.so: $(SRC) $(wildcard src/*.h) tests/bench/floor.c | deps
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS_LIB)) -DLL_FORWARD_ONLY -DLL_UTHASH_FLOOR $(LDFLAGS_LIB) \
	    -o $@ $(SRC) tests/bench/floor.c $(LDLIBS_LIB)

# floor's table with open addressing instead of uthash (tests/bench/floor_oa.c),
# for scripts/bench-table only: how much of floor is uthash's layout.
$(BUILD)/bench/floor_oa.so: $(SRC) $(wildcard src/*.h) tests/bench/floor_oa.c | deps
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS_LIB)) -DLL_FORWARD_ONLY -DLL_UTHASH_FLOOR $(LDFLAGS_LIB) \
	    -o $@ $(SRC) tests/bench/floor_oa.c $(LDLIBS_LIB)

test-forward: $(BUILD)/bench/forward.so $(BUILD)/bench/floor.so $(BUILD)/programs/entry_points \
              $(BUILD)/programs/cxx_new_fail
	@set -e; for so in forward floor; do for p in entry_points cxx_new_fail; do \
	  echo "== $$p under $$so.so"; \
	  LD_PRELOAD=$(CURDIR)/$(BUILD)/bench/$$so.so LIBLEAK_OPTIONS=output=/dev/null \
	    $(BUILD)/programs/$$p; done; done

# Install missing Debian packages (once; scripts/install-deps is idempotent).
deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

clean:
	rm -rf $(BUILD) libleak.so

.PHONY: all unit integration test test-tsan test-forward test-real fuzz check-leaks bench-merge demo bench bench-instr bench-table deps clean
-include $(OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
