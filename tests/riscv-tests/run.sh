#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/riscv-tests/run.sh - builds and runs the official RISC-V ISA tests
# (riscv-software-src/riscv-tests, a checkout named by RISCV_TESTS_DIR)
# under VM/RV with our own environment (riscv_test.h, link.ld here).
#
# usage: run.sh [TEST...]   e.g. run.sh rv64ui/add rv64si/csr
# Environment: RISCV_TESTS_DIR (required; without it: say so, exit 0),
#   GUEST_CC (riscv64-unknown-elf-gcc), CPU_RUN (the runner program),
#   top_srcdir (the source tree), RVT_VERBOSE=1 to show each test.
# Exit status: 0 when every test passed, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
top=$(cd "$top" && pwd)
if [ -z "${RISCV_TESTS_DIR:-}" ]; then
    echo "riscv-tests: SKIPPED (set RISCV_TESTS_DIR to a riscv-tests checkout to run them)"
    exit 0
fi
isa=$RISCV_TESTS_DIR/isa
if [ ! -d "$isa/rv64ui" ] || [ ! -f "$isa/macros/scalar/test_macros.h" ]; then
    echo "riscv-tests: RISCV_TESTS_DIR=$RISCV_TESTS_DIR has no isa/rv64ui" >&2
    exit 1
fi
cc=${GUEST_CC:-riscv64-unknown-elf-gcc}
run=${CPU_RUN:-./tests/cpu_run}
work=$(mktemp -d "${TMPDIR:-/tmp}/rvtests.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

if [ $# -eq 0 ]; then
    set --
    for suite in rv64ui rv64um rv64ua rv64uc; do
        for f in "$isa/$suite"/*.S; do
            set -- "$@" "$suite/$(basename "$f" .S)"
        done
    done
    for t in csr scall sbreak wfi; do
        set -- "$@" "rv64si/$t"
    done
fi

pass=0
fail=0
failed=""
for t in "$@"; do
    src=$isa/$t.S
    elf=$work/$(echo "$t" | tr / -).elf
    if ! "$cc" -march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany -static \
        -nostdlib -nostartfiles -I"$here" -I"$isa/macros/scalar" -I"$top/include" \
        -T "$here/link.ld" -o "$elf" "$src" 2>"$work/cc.log"; then
        echo "FAIL $t (does not build)"
        cat "$work/cc.log"
        fail=$((fail + 1))
        failed="$failed $t"
        continue
    fi
    "$run" -q --limit 100000000 --timeout 30 "$elf" >"$work/out.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
        [ "${RVT_VERBOSE:-0}" = 1 ] && echo "PASS $t"
    else
        echo "FAIL $t (exit $rc: test $((rc >> 1)))"
        cat "$work/out.log"
        fail=$((fail + 1))
        failed="$failed $t"
    fi
done
echo "riscv-tests: $pass passed, $fail failed${failed:+:$failed}"
[ $fail -eq 0 ]
