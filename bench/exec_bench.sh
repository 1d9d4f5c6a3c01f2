#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/exec_bench.sh - EXEC speed: clauses per second of a loop-heavy
# program (bench/exec_bench.exec) run by the EXEC processor in CMS under
# `vmrv run`, and the same program under Regina REXX (`rexx`) when it is
# installed.  Both time themselves with TIME('E') (elapsed time).  Prints
# a table, then BENCH lines.
#   VMRV, CMS_ELF       the programs (defaults: ./vmrv, cms/cms.elf)
#   EXEC_BENCH_N        iterations in CMS (default 30000; Regina does 30x)
set -u
VMRV=${VMRV:-./vmrv}
CMS_ELF=${CMS_ELF:-cms/cms.elf}
SRC=${top_srcdir:-.}/bench/exec_bench.exec
N=${EXEC_BENCH_N:-30000}
T=$(mktemp -d -t execbench.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

"$VMRV" disk format "$T/a.img" --size 1M --label BENCH >/dev/null 2>&1 &&
    "$VMRV" disk put "$T/a.img" "$SRC" "BENCH EXEC A1" --recfm V >/dev/null 2>&1 || {
    echo "exec bench: skipped: vmrv disk does not work"
    exit 0
}
printf 'bench %s\n' "$N" | "$VMRV" run --storage 32M --timeout 300 --disk 191="$T/a.img" \
    "$CMS_ELF" >"$T/cms.out" 2>&1
cms=$(awk '$1 == "CLAUSES" && $3 > 0 { printf "%d", $2 / $3 }' "$T/cms.out")
if [ -z "$cms" ]; then
    echo "exec bench: CMS did not report (output follows)"
    cat "$T/cms.out"
    exit 1
fi
reg=skipped
if command -v rexx >/dev/null 2>&1; then
    cp "$SRC" "$T/bench.rexx"
    rexx "$T/bench.rexx" $((N * 30)) >"$T/regina.out" 2>&1
    reg=$(awk '$1 == "CLAUSES" && $3 > 0 { printf "%d", $2 / $3 }' "$T/regina.out")
    [ -n "$reg" ] || reg=skipped
fi
printf '%-34s %14s\n' "EXEC benchmark (loop-heavy)" "clauses/s"
printf '%-34s %14s\n' "CMS EXEC processor (vmrv run)" "$cms"
if [ "$reg" = skipped ]; then
    printf '%-34s %14s\n' "Regina REXX (host)" "skipped: rexx not installed"
else
    printf '%-34s %14s\n' "Regina REXX (host)" "$reg"
    printf '%-34s %14s\n' "ratio Regina / CMS" "$(awk -v a="$reg" -v b="$cms" 'BEGIN { printf "%.1f", a / b }')"
fi
echo "BENCH exec_cms_clauses_per_sec $cms clauses/s"
if [ "$reg" = skipped ]; then
    echo "BENCH exec_regina_clauses_per_sec skipped"
else
    echo "BENCH exec_regina_clauses_per_sec $reg clauses/s"
fi
