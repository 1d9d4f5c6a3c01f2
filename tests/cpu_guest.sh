#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cpu_guest.sh - runs the CPU area's guest programs
# (tests/guest/asm_cpu_*.elf, tests/guest/cpu_*.elf) with the bare runner
# tests/cpu_run until `vmrv run` can run them.  Exit 0 when all pass.
set -u
run=${CPU_RUN:-./tests/cpu_run}
dir=${CPU_GUEST_DIR:-./tests/guest}
fail=0
n=0
for elf in "$dir"/asm_cpu_*.elf "$dir"/cpu_*.elf; do
    [ -f "$elf" ] || continue
    n=$((n + 1))
    "$run" --limit 200000000 --timeout 60 "$elf"
    rc=$?
    if [ $rc -eq 0 ]; then
        echo "PASS $(basename "$elf")"
    else
        echo "FAIL $(basename "$elf") (exit $rc)"
        fail=$((fail + 1))
    fi
done
echo "cpu guest programs: $n run, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
