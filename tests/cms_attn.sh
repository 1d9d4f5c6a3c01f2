#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_attn.sh - attention while a program runs: Ctrl-C (SIGINT to
# vmrv run) is an attention interrupt; CMS reads an immediate command:
# HT stops the program's typing, RT resumes it, HX halts the program
# (Ready(-0001)); an attention at the Ready prompt changes nothing.  The
# console is a FIFO fed step by step, waiting for CMS's output.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
B=${top_builddir:-.}
cms_format "$T/a.img" 256 USR191
cms_put "$T/a.img" "$B/tests/guest/cms_crash.module" "CRASH MODULE A1" --binary

mkfifo "$T/in"
"$VMRV" run --storage 32M --timeout 60 --disk 191="$T/a.img" "$CMS_ELF" <"$T/in" >"$T/attn.out" 2>&1 &
pid=$!
exec 3>"$T/in"

say() { printf '%s\n' "$1" >&3; }
# wait_for ERE [count]: until at least count lines (default 1) match
wait_for() {
    n=0
    while [ "$(grep -Ec -- "$1" "$T/attn.out")" -lt "${2:-1}" ]; do
        n=$((n + 1))
        if [ $n -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
            echo "FAIL: attn: waited in vain for: $1"
            fail=1
            return 1
        fi
        sleep 0.1
    done
}

wait_for '^Ready;' &&
    say "crash loop" && wait_for '^LOOP 1$' &&
    kill -INT $pid && sleep 0.3 && say "HT" && sleep 1 &&
    n1=$(grep -c '^LOOP ' "$T/attn.out") && sleep 1.5 &&
    n2=$(grep -c '^LOOP ' "$T/attn.out") &&
    kill -INT $pid && sleep 0.3 && say "RT" &&
    wait_for '^LOOP ' $((n2 + 2)) &&
    kill -INT $pid && sleep 0.3 && say "HX" &&
    wait_for '^VMC020I Program CRASH halted$' &&
    wait_for '^Ready\(-0001\);' &&
    kill -INT $pid && sleep 0.3 && say "query cmslevel" &&
    wait_for '^VM/RV CMS [0-9.]+$'
if [ "${n1:-x}" != "${n2:-y}" ]; then
    echo "FAIL: attn: the program kept typing after HT ($n1, then $n2 lines)"
    fail=1
fi
exec 3>&-
wait $pid
cms_done
