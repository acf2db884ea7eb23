#!/bin/sh
# lc_run_all.sh: run every test program once, for `make check-leaks` (the
# project judging its own programs through scripts/leakcheck).  Many of them
# leak or free badly on purpose; tests/programs/lc_known_leaks.baseline lists
# those sites, so only a new one fails.  Their exit statuses are theirs to
# have (some fail on purpose): each is printed, none stops the run.
# vfork_child_exit's process writes no report on purpose (its vfork child
# ran libleak's destructor), and own_malloc defines malloc ahead of libleak's
# on purpose: leakcheck lists both as not checked, a warning.
set -u
bin="$(dirname "$0")/../../build/programs"
for p in "$bin"/*; do
    # hostile_*: races and signals on purpose, so their leak sites vary from
    # run to run; tests/integration/test_hostile.c checks them instead.
    case "$p" in *.so|*/hostile_*) continue ;; esac
    [ -x "$p" ] || continue
    timeout 60 "$p" >/dev/null 2>&1
    echo "lc_run_all: $(basename "$p") exited $?"
done
exit 0
