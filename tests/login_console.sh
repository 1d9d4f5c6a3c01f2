#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_console.sh - consoles with the real OpenSSH client: a pty
# session under expect (tests/login_console.exp: line editing, attention,
# terminal size and wrapping, masked input, logoff), takeover by a second
# logon, hang-up, idle timeout, and a console without a pty.
. "${top_srcdir:-.}/tests/login_lib.sh"
make_users
EXP="$SRCDIR/tests/login_console.exp"
start_fake -o close_grace_ms=1000

expect "$EXP" edit "$PORT" "$T/id_alice" || fail "console editing (expect)"
wait_log 'EVENT ATTENTION ALICE'
wait_log 'EVENT WINDOW ALICE 100x30'
wait_log 'EVENT DISCONNECT ALICE console closed'
grep -q 's3cret' "$T/log" && fail "the secret reached the log"
ok "pty console: editing, recall, attention, size, wrapping, masked input, logoff"

: >"$T/log"
expect "$EXP" takeover "$PORT" "$T/id_alice" || fail "takeover (expect)"
wait_log 'EVENT TAKEOVER ALICE'
n=$(grep -c 'EVENT DISCONNECT ALICE console closed' "$T/log")
[ "$n" -eq 2 ] || fail "takeover: $n disconnects"
ok "takeover closes the old session with a message"

: >"$T/log"
expect "$EXP" hangup "$PORT" "$T/id_alice" || fail "hangup (expect)"
wait_log 'EVENT DISCONNECT ALICE console hangup'
ok "hang-up tells the backend"

# No pty: lines in, lines out, no terminal control sequences.
printf 'hello there\nSIZE\nLOGOFF\n' | ssh_key alice -T alice@127.0.0.1 >"$T/plain" 2>"$T/err" ||
    fail "plain console: rc $?"
grep -qx 'ECHO: hello there' "$T/plain" || fail "plain console: $(cat "$T/plain")"
grep -qx 'LOGOFF AT once' "$T/plain" || fail "plain console: no logoff"
if grep -q "$(printf '\033')" "$T/plain"; then
    fail "escape sequences on a console without pty"
fi
grep -q 'EVENT CONSOLE ALICE pty=0' "$T/log" || fail "pty=0 not seen"
# Input that just ends: the console closes after the grace time.
printf 'bye\n' | ssh_key alice -T alice@127.0.0.1 >"$T/plain" 2>"$T/err" || fail "EOF console: rc $?"
grep -qx 'ECHO: bye' "$T/plain" || fail "EOF console: $(cat "$T/plain")"
ok "console without pty"
stop_fake

start_fake -o idle_timeout_ms=1500
: >"$T/log"
expect "$EXP" idle "$PORT" "$T/id_alice" || fail "idle timeout (expect)"
wait_log 'EVENT DISCONNECT ALICE console idle'
ok "idle timeout"
stop_fake
