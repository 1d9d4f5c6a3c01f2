#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_halt.sh - a runaway EXEC and the attention key: HI (halt
# interpretation) ends it with REXX error 4 (or goes to SIGNAL ON HALT),
# HX halts it at once (VMC020I, Ready(-0001)); CMS keeps running.  The
# console is a FIFO fed step by step, as in tests/cms_attn.sh.  A file
# EXECIO wrote is committed when HX ends its EXEC.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
cms_format "$T/a.img" 256 EXEC91
printf "/* LOOP EXEC */\nn = 0\ndo forever\n  n = n + 1\n  if n // 5000 = 0 then say 'LOOP' n\nend\n" \
    >"$T/loop.exec"
printf "/* TRAP EXEC */\nsignal on halt\ndo forever\n  nop\nend\nhalt:\nsay 'HALT trapped from line' sigl\nexit 9\n" \
    >"$T/trap.exec"
cms_put "$T/a.img" "$T/loop.exec" "LOOP EXEC A1"
cms_put "$T/a.img" "$T/trap.exec" "TRAP EXEC A1"
# EXECIO's file, written and not closed, is committed when HX ends the EXEC
printf "/* HOLD EXEC */\n'EXECIO 1 DISKW HELD FILE A (STRING kept after HX'\nsay 'HOLDING'\ndo forever\n  nop\nend\n" \
    >"$T/hold.exec"
cms_put "$T/a.img" "$T/hold.exec" "HOLD EXEC A1"

mkfifo "$T/in"
"$VMRV" run --storage 32M --timeout 60 --disk 191="$T/a.img" "$CMS_ELF" <"$T/in" >"$T/halt.out" 2>&1 &
pid=$!
exec 3>"$T/in"

say() { printf '%s\n' "$1" >&3; }
wait_for() {
    n=0
    while [ "$(grep -Ec -- "$1" "$T/halt.out")" -lt "${2:-1}" ]; do
        n=$((n + 1))
        if [ $n -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
            echo "FAIL: halt: waited in vain for: $1"
            fail=1
            return 1
        fi
        sleep 0.1
    done
}

wait_for '^Ready;' &&
    say "loop" && wait_for '^LOOP 5000$' &&
    kill -INT $pid && sleep 0.3 && say "HI" &&
    wait_for '^VMC200E Error 4 running LOOP EXEC, line [3-6]: Program interrupted$' &&
    wait_for '^Ready\(20004\);' &&
    say "loop" && wait_for '^LOOP 5000$' 2 &&
    kill -INT $pid && sleep 0.3 && say "HX" &&
    wait_for '^VMC020I Program LOOP halted$' &&
    wait_for '^Ready\(-0001\);' &&
    say "trap" && sleep 0.5 &&
    kill -INT $pid && sleep 0.3 && say "HI" &&
    wait_for '^HALT trapped from line [3-5]$' &&
    wait_for '^Ready\(00009\);' &&
    say "query cmslevel" && wait_for '^VM/RV CMS [0-9.]+$' &&
    say "hold" && wait_for '^HOLDING$' &&
    kill -INT $pid && sleep 0.3 && say "HX" &&
    wait_for '^VMC020I Program HOLD halted$' &&
    say "type held file a" && wait_for '^kept after HX$'
exec 3>&-
wait $pid
cms_done
