#!/bin/sh
# lc_ten_children.sh: ten leaking children for leakcheck's tests.  Child i
# (1..10) leaks i bytes at the same site, lc_leaker's leak_here(): merged,
# that is one site of 55 bytes in 10 blocks in 10 processes.
set -eu
prog="$(dirname "$0")/../../build/programs/lc_leaker"
i=1
while [ "$i" -le 10 ]; do
    "$prog" "$i" 0
    i=$((i + 1))
done
