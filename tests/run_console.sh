#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run_console.sh - the console of `vmrv run`: guest output on stdout
# exactly, console READ from stdin (a pipe, lines arriving late, CRLF, a
# last line without newline, truncation), READ NOWAIT and SBI DBCN with
# the console event, end of input while the guest waits (exit 128), and
# Ctrl-C: one is an attention (DIAG_EINTR, event 1), a second one before
# the guest claims the first ends the run (exit 130).
. "${top_srcdir:-.}/tests/run_lib.sh"
R="$GUEST/diag_conread.elf"

# Output, byte for byte.
if expect_status 0 "console output" "$VMRV" run "$GUEST/diag_console.elf"; then
    printf 'line one\nprompt> rest\ntwo\nlines\n\n' >"$T/want"
    head -n 5 "$T/out" >"$T/got"
    cmp -s "$T/want" "$T/got" || fail "console output differs: $(od -c "$T/got" | head)"
    len=$(sed -n 6p "$T/out" | tr -d '\n' | wc -c)
    [ "$len" -eq 65552 ] || fail "the longest write gave a line of $len bytes"
    expect_in "$T/out" "diag_console: 0 failures" "console test result"
fi

# Lines from a pipe, with truncation to the 16-byte buffer.
printf 'hello\nthis line is longer than sixteen\n\na\r\nquit\n' >"$T/in"
if expect_status 0 "read lines" sh -c 'exec "$0" run "$1" <"$2"' "$VMRV" "$R" "$T/in"; then
    printf 'ready\ngot 5 5: hello\ngot 16 32: this line is lon\ngot 0 0: \ngot 1 1: a\ngot 4 4: quit\n' \
        >"$T/want"
    cmp -s "$T/want" "$T/out" || { fail "read lines output:"; cat "$T/out"; }
fi
# The last line needs no newline.
printf 'hi\nquit' >"$T/in"
expect_status 0 "last line without newline" sh -c 'exec "$0" run "$1" <"$2"' "$VMRV" "$R" "$T/in"
# End of input while the guest waits for a line.
printf 'only one line\n' >"$T/in"
if expect_status 128 "EOF while reading" sh -c 'exec "$0" run "$1" <"$2"' "$VMRV" "$R" "$T/in"; then
    expect_in "$T/out" "got 13 13: only one line" "line before EOF"
    expect_in "$T/err" "end of standard input" "EOF message"
    expect_one_line "EOF"
fi
expect_status 128 "EOF at once" "$VMRV" run "$R"
# Lines that arrive late: the guest waits in READ.
if expect_status 0 "late lines" sh -c '(sleep 0.5; echo late; sleep 0.3; echo quit) | "$0" run "$1"' \
    "$VMRV" "$R"; then
    expect_in "$T/out" "got 4 4: late" "late line"
fi
# READ NOWAIT: EAGAIN, then wfi until the console event.
if expect_status 0 "nowait" sh -c '(sleep 0.4; echo one; sleep 0.3; echo quit) | "$0" run --timeout 20 "$1" nowait' \
    "$VMRV" "$R"; then
    expect_in "$T/out" "got 3 3: one" "nowait line"
    expect_in "$T/out" "event 4" "nowait console event"
fi
# SBI DBCN read (never waits) + wfi + the console event.
if expect_status 0 "dbcn" sh -c '(sleep 0.4; echo abc; sleep 0.2; echo quit) | "$0" run --timeout 20 "$1" dbcn' \
    "$VMRV" "$R"; then
    expect_in "$T/out" "dbcn: abc" "dbcn line"
    expect_in "$T/out" "dbcn: quit" "dbcn quit"
fi

# Attention: a FIFO keeps stdin open while we send SIGINT.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
"$VMRV" run --timeout 30 "$R" <"$T/fifo" >"$T/out" 2>"$T/err" &
pid=$!
if wait_for "$T/out" "ready"; then
    sleep 0.2
    kill -INT "$pid"
    wait_for "$T/out" "attention" && wait_for "$T/out" "event 1"
    echo quit >&3
fi
wait "$pid"
st=$?
[ "$st" -eq 0 ] || { fail "attention run: status $st"; cat "$T/out" "$T/err"; }

# A second attention before the guest claims the first ends the run.
"$VMRV" run --timeout 30 "$R" noclaim <"$T/fifo" >"$T/out" 2>"$T/err" &
pid=$!
if wait_for "$T/out" "ready"; then
    sleep 0.2
    kill -INT "$pid"
    wait_for "$T/out" "attention (not claimed)"
    kill -INT "$pid"
fi
wait "$pid"
st=$?
if [ "$st" -ne 130 ]; then
    fail "second attention: status $st, want 130"
    cat "$T/out" "$T/err"
else
    expect_in "$T/err" "second attention" "second attention message"
    expect_one_line "second attention"
fi
exec 3>&-
finish
