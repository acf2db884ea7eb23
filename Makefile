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
LDFLAGS_LIB := -shared -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined
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
UNIT_OBJ   := $(filter-out $(BUILD)/unit$(SAN_TAG)/obj/interpose.o,$(SRC:src/%.c=$(BUILD)/unit$(SAN_TAG)/obj/%.o))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit$(SAN_TAG)/%)

$(BUILD)/unit$(SAN_TAG)/obj/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(UNIT_FLAGS) -c -o $@ $<

$(BUILD)/unit$(SAN_TAG)/libll.a: $(UNIT_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit$(SAN_TAG)/test_%: tests/unit/test_%.c $(BUILD)/unit$(SAN_TAG)/libll.a
	$(CC) $(UNIT_FLAGS) -Isrc -o $@ $< $(BUILD)/unit$(SAN_TAG)/libll.a -lcriterion $(LDLIBS_LIB)

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

$(BUILD)/programs/%: tests/programs/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -o $@ $< -pthread -ldl

$(BUILD)/programs/%: tests/programs/%.cc
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 $(PROG_CFLAGS) -o $@ $< -pthread -ldl

$(BUILD)/programs/lib%.so: tests/programs/lib%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(PROG_CFLAGS) -fPIC -shared -o $@ $<

INTEG_SRC := $(wildcard tests/integration/*.c)
$(BUILD)/test_integration: $(INTEG_SRC) tests/integration/harness.h | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -g -O1 -D_GNU_SOURCE $(WARN) -DLL_ROOT='"$(CURDIR)"' \
	    -o $@ $(INTEG_SRC) -lcriterion -ljansson

integration: libleak.so $(PROGS) $(BUILD)/test_integration $(if $(LC_SRC),$(BUILD)/leakcheck)
	$(BUILD)/test_integration --jobs 2

test: deps
	@$(MAKE) --no-print-directory unit integration
	@$(MAKE) --no-print-directory unit SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' SAN_TAG=-san

# ---- scripts/leakcheck: the CI wrapper (its own program, never preloaded) ------
LC_SRC := $(wildcard src/leakcheck/*.c)
$(BUILD)/leakcheck: $(LC_SRC) src/suppress.c $(wildcard src/leakcheck/*.h) | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Isrc -o $@ $(LC_SRC) src/suppress.c -ljansson

# ---- demo, bench ---------------------------------------------------------------
demo: deps libleak.so $(PROGS)
	@scripts/demo

bench: deps libleak.so
	@scripts/bench

# Install missing Debian packages (once; scripts/install-deps is idempotent).
deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

clean:
	rm -rf $(BUILD) libleak.so

.PHONY: all unit integration test demo bench deps clean
-include $(OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
