#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run_exit.sh - `vmrv run`'s exit statuses (see vmrv run --help):
# the guest's own code, SRST shutdown with and without failure, reboot,
# disabled waits, --limit, --timeout (with no CPU used while the guest
# sleeps), ELF errors (a segment outside storage), usage errors, ARGS.
. "${top_srcdir:-.}/tests/run_lib.sh"
E="$GUEST/diag_exit.elf"

expect_status 0 "exit 0" "$VMRV" run "$E" exit 0
expect_status 7 "exit 7" "$VMRV" run "$E" exit 7
expect_status 255 "exit 255" "$VMRV" run "$E" exit 255
if expect_status 255 "exit 300" "$VMRV" run "$E" exit 300; then
    expect_in "$T/err" "300" "exit 300 names the code"
    expect_one_line "exit 300"
fi
expect_status 255 "exit -1" "$VMRV" run "$E" exit -1
if expect_status 0 "SRST shutdown" "$VMRV" run "$E" shutdown; then
    expect_in "$T/out" "shutting down" "SRST shutdown output"
    [ -s "$T/err" ] && fail "SRST shutdown wrote on stderr: $(cat "$T/err")"
fi
if expect_status 127 "SRST system failure" "$VMRV" run "$E" sysfail; then
    expect_in "$T/err" "system failure" "SRST sysfail message"
    expect_one_line "SRST sysfail"
fi
if expect_status 42 "SRST reboot" "$VMRV" run --limit 100000000 "$E" reboot; then
    expect_in "$T/out" "rebooting" "reboot before"
    expect_in "$T/out" "rebooted" "reboot after"
fi
if expect_status 126 "disabled wait (wfi)" "$VMRV" run "$E" wfi; then
    expect_in "$T/err" "disabled wait" "wfi message"
    expect_one_line "disabled wait"
fi
if expect_status 126 "disabled wait (stvec)" "$VMRV" run "$E" stvec; then
    expect_one_line "disabled wait stvec"
fi
if expect_status 125 "--limit" "$VMRV" run --limit 5000000 "$E" spin; then
    expect_in "$T/err" "instruction limit" "--limit message"
    expect_in "$T/out" "spinning" "--limit output"
    expect_one_line "--limit"
fi
expect_status 125 "--limit 1M" "$VMRV" run --limit 1M "$E" spin
if expect_status 124 "--timeout spin" "$VMRV" run --timeout 0.5 "$E" spin; then
    expect_in "$T/err" "time limit" "--timeout message"
    expect_one_line "--timeout"
fi

# A sleeping guest uses no CPU: user+system time of the run stays small.
start=$(date +%s%N)
if expect_status 124 "--timeout sleep" "$VMRV" run --timeout 1.5 "$E" sleep; then
    expect_in "$T/out" "sleeping" "sleep output"
fi
end=$(date +%s%N)
wall_ms=$(( (end - start) / 1000000 ))
[ "$wall_ms" -ge 1400 ] || fail "--timeout 1.5 ended after ${wall_ms} ms"
[ "$wall_ms" -le 5000 ] || fail "--timeout 1.5 took ${wall_ms} ms"
sh -c 'exec "$0" run --timeout 1.5 "$1" sleep >/dev/null 2>&1 </dev/null' "$VMRV" "$E" &
pid=$!
sleep 1
# utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat).
ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
wait "$pid"
[ "$ticks" -le 30 ] || fail "a sleeping guest used $ticks ticks of CPU in 1 s"

# The IPL parameter: ARGS joined by blanks.
if expect_status 0 "parm" "$VMRV" run "$E" parm one "two  three" four; then
    expect_in "$T/out" "parm=[parm one two  three four] len=24" "parm text"
fi
long=$(printf 'x%.0s' $(seq 1 235))
expect_status 0 "parm 240" "$VMRV" run "$E" parm "$long"
if expect_status 2 "parm 241" "$VMRV" run "$E" parm "${long}y"; then
    expect_in "$T/err" "too long" "parm too long"
fi

# ELF errors: exit 3 with one line.
if expect_status 3 "segment outside storage" "$VMRV" run --storage 64K "$E" exit 0; then
    expect_in "$T/err" "does not fit in storage of 65536 bytes (64K)" "storage message"
    expect_one_line "segment outside storage"
fi
if expect_status 3 "missing ELF" "$VMRV" run "$T/nothing.elf"; then
    expect_in "$T/err" "nothing.elf" "missing file named"
    expect_one_line "missing ELF"
fi
printf 'not an elf at all' >"$T/bad.elf"
expect_status 3 "not an ELF" "$VMRV" run "$T/bad.elf" && expect_in "$T/err" "not an ELF" "bad ELF"
head -c 100 "$E" >"$T/short.elf"
expect_status 3 "truncated ELF" "$VMRV" run "$T/short.elf"
expect_status 3 "missing disk" "$VMRV" run --disk "191=$T/none.img" "$E" exit 0

# Usage errors: exit 2.
expect_status 2 "no guest" "$VMRV" run
expect_status 2 "bad option" "$VMRV" run --frobnicate "$E"
expect_status 2 "bad storage" "$VMRV" run --storage 12345 "$E"
expect_status 2 "storage too big" "$VMRV" run --storage 5G "$E"
expect_status 2 "storage junk" "$VMRV" run --storage 32Q "$E"
expect_status 2 "bad limit" "$VMRV" run --limit -5 "$E"
expect_status 2 "bad timeout" "$VMRV" run --timeout soon "$E"
expect_status 2 "bad disk" "$VMRV" run --disk 191 "$E"
expect_status 2 "bad disk address" "$VMRV" run --disk "1000=$T/x" "$E"
expect_status 2 "disk at 009" "$VMRV" run --disk "9=$T/x" "$E"
expect_status 2 "two disks at 191" "$VMRV" run --disk "191=$T/x" --disk "0191=$T/y" "$E"
if expect_status 0 "--help" "$VMRV" run --help; then
    for code in 124 125 126 127 128 130; do
        expect_in "$T/out" "$code" "--help lists $code"
    done
fi
# Sizes: 64K, 32M, 1G are accepted.
expect_status 0 "storage 1G" "$VMRV" run --storage 1G "$E" exit 0
expect_status 0 "storage 8M" "$VMRV" run --storage 8M "$E" exit 0
finish
