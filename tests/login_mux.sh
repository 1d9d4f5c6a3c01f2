#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_mux.sh - several session channels on one SSH connection, with
# the real OpenSSH client as a ControlMaster (ControlPersist): commands with
# return codes and binary standard input through the master, two commands
# at once, a console and commands at once, closing one channel leaves the
# others working, a second console on the connection takes the first over
# without closing the connection, the channel limit, and killing the master
# leaves no session or descriptor behind. All on one logon.
. "${top_srcdir:-.}/tests/login_lib.sh"
make_users
start_fake -o max_channels=3 -o close_grace_ms=3000
base=$(stats) || fail "stats"
fds0=$(echo "$base" | sed 's/.*fds=//')

CM="$T/cm"
# mux ARGS...: a client through the master (never a connection of its own)
mux() {
    ssh_key alice -o ControlMaster=no -o ControlPath="$CM" "$@"
}
ssh_key alice -o ControlMaster=yes -o ControlPersist=yes -o ControlPath="$CM" -f -N \
    alice@127.0.0.1 </dev/null 2>"$T/master.err" || fail "master: $(cat "$T/master.err")"
ssh_base -o ControlPath="$CM" -O check alice@127.0.0.1 2>"$T/check" ||
    fail "no master: $(cat "$T/check")"
MPID=$(sed -n 's/.*(pid=\([0-9]*\)).*/\1/p' "$T/check")
[ -n "$MPID" ] || fail "master pid: $(cat "$T/check")"
PIDS="$PIDS $MPID"
L0=$(grep -c 'logon ALICE from' "$T/log")
# logons since the master's (the connections the server accepted for ALICE)
logons() { echo $(($(grep -c 'logon ALICE from' "$T/log") - L0 + 1)); }
# wait_count PATTERN N: until the log has N lines matching PATTERN
wait_count() {
    i=0
    while [ "$(grep -c "$1" "$T/log")" -lt "$2" ]; do
        i=$((i + 1))
        [ $i -lt 200 ] || fail "fewer than $2 log lines matching '$1'"
        sleep 0.05
    done
}
[ "$(logons)" -eq 1 ] || fail "master: $(logons) logons"

# ---- commands, return codes, standard error, through the master
out=$(mux alice@127.0.0.1 'ECHO through the master' </dev/null 2>"$T/err") || fail "ECHO rc $?"
[ "$out" = "through the master" ] || fail "ECHO: $out"
for code in 0 5 255; do
    mux alice@127.0.0.1 "RC $code" </dev/null 2>"$T/err"
    rc=$?
    [ $rc -eq $code ] || fail "RC $code gave $rc ($(cat "$T/err"))"
done
mux alice@127.0.0.1 'RC 300' </dev/null 2>"$T/err"
rc=$?
[ $rc -eq 255 ] && grep -qx 'RC=300' "$T/err" || fail "RC 300: $rc $(cat "$T/err")"
out=$(mux alice@127.0.0.1 'ERR on stderr' </dev/null 2>"$T/err")
rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && grep -qx 'on stderr' "$T/err" || fail "ERR: $rc"
[ "$(logons)" -eq 1 ] || fail "a command logged on again ($(logons) logons)"
ok "commands and return codes through one connection"

# ---- binary standard input and output, byte for byte
head -c 3000000 /dev/urandom >"$T/in.bin"
mux alice@127.0.0.1 CAT <"$T/in.bin" >"$T/out.bin" 2>"$T/err" || fail "CAT rc $?"
cmp -s "$T/in.bin" "$T/out.bin" || fail "CAT: $(wc -c <"$T/out.bin") bytes back"
mux alice@127.0.0.1 'BIG 5000000' </dev/null >"$T/big" || fail "BIG"
[ "$(wc -c <"$T/big")" -eq 5000000 ] || fail "BIG: $(wc -c <"$T/big") bytes"
ok "3 MB through CAT and 5 MB of output byte for byte"

# ---- two commands at once on the connection
mux alice@127.0.0.1 'BARRIER 2 one' </dev/null >"$T/b1" 2>&1 &
p1=$!
mux alice@127.0.0.1 'BARRIER 2 two' </dev/null >"$T/b2" 2>&1 &
p2=$!
wait $p1 || fail "barrier one: $(cat "$T/b1")"
wait $p2 || fail "barrier two: $(cat "$T/b2")"
[ "$(cat "$T/b1")" = "one
released" ] && [ "$(cat "$T/b2")" = "two
released" ] || fail "barrier: $(cat "$T/b1" "$T/b2")"
grep -q 'EVENT BARRIER 2 sessions' "$T/log" || fail "not open at once"
[ "$(logons)" -eq 1 ] || fail "$(logons) logons"
ok "two commands open at once on one connection"

# ---- a console and commands at once; closing one channel leaves the rest
mkfifo "$T/con.in" "$T/cat.in"
mux -T alice@127.0.0.1 <"$T/con.in" >"$T/con.out" 2>&1 &
cpid=$!
exec 5>"$T/con.in"
mux alice@127.0.0.1 CAT <"$T/cat.in" >"$T/cat.out" 2>&1 &
kpid=$!
exec 6>"$T/cat.in"
echo "first line" >&5
wait_log 'EVENT CONSOLE ALICE pty=0'
wait_log 'EVENT EXEC ALICE CAT'
out=$(mux alice@127.0.0.1 'ECHO beside a console' </dev/null) || fail "exec beside the console"
[ "$out" = "beside a console" ] || fail "beside: $out"
out=$(mux alice@127.0.0.1 STATS </dev/null)
case "$out" in
"connections=1 unauthenticated=0 sessions=3 "*) ;; # console, CAT, STATS itself
*) fail "stats with a console, CAT and STATS: $out" ;;
esac
echo "catted" >&6
echo "LOGOFF" >&5
exec 5>&-
wait $cpid || fail "console rc $?"
grep -qx 'ECHO: first line' "$T/con.out" || fail "console: $(cat "$T/con.out")"
grep -qx 'LOGOFF AT once' "$T/con.out" || fail "console: no logoff"
wait_log 'EVENT DISCONNECT ALICE console closed'
# the console's channel is gone: CAT on the same connection goes on
echo "after the console" >&6
exec 6>&-
wait $kpid || fail "CAT rc $?"
[ "$(cat "$T/cat.out")" = "catted
after the console" ] || fail "CAT after the console closed: $(cat "$T/cat.out")"
out=$(mux alice@127.0.0.1 'ECHO still' </dev/null) || fail "exec after"
[ "$out" = still ] || fail "after: $out"
[ "$(logons)" -eq 1 ] || fail "$(logons) logons"
ok "a console and commands at once; closing one channel leaves the others"

# ---- a second console on the connection takes the first over (its
# channel only: the connection and the new console go on)
mkfifo "$T/c1.in" "$T/c2.in"
n=$(grep -c 'EVENT CONSOLE ALICE' "$T/log")
mux -T alice@127.0.0.1 <"$T/c1.in" >"$T/c1.out" 2>&1 &
c1=$!
exec 7>"$T/c1.in"
echo "one" >&7
wait_count 'EVENT CONSOLE ALICE' $((n + 1))
mux -T alice@127.0.0.1 <"$T/c2.in" >"$T/c2.out" 2>&1 &
c2=$!
exec 8>"$T/c2.in"
wait_log 'EVENT TAKEOVER ALICE'
wait $c1 || fail "first console rc $?"
exec 7>&-
grep -q 'this session is taken over' "$T/c1.out" || fail "takeover: $(cat "$T/c1.out")"
echo "two" >&8
echo "LOGOFF" >&8
exec 8>&-
wait $c2 || fail "second console rc $?"
grep -qx 'ECHO: two' "$T/c2.out" || fail "second console: $(cat "$T/c2.out")"
ssh_base -o ControlPath="$CM" -O check alice@127.0.0.1 2>/dev/null || fail "the master went"
[ "$(logons)" -eq 1 ] || fail "$(logons) logons"
ok "a second console takes the first over, the connection stays"

# ---- the channel limit (3 here): a 4th channel is refused; OpenSSH then
# opens a connection of its own for it
mkfifo "$T/h.in"
n=$(grep -c 'EVENT EXEC ALICE CAT' "$T/log")
hp=""
for i in 1 2 3; do
    mux alice@127.0.0.1 CAT <"$T/h.in" >/dev/null 2>&1 &
    hp="$hp $!"
done
exec 9>"$T/h.in"
wait_count 'EVENT EXEC ALICE CAT' $((n + 3))
n0=$(logons)
out=$(mux alice@127.0.0.1 'ECHO fourth' </dev/null 2>"$T/err4")
grep -q 'Session open refused by peer' "$T/err4" || fail "4th channel: $(cat "$T/err4")"
wait_log 'channel refused for ALICE from 127.0.0.1: 3 channels open (limit)'
[ "$out" = fourth ] && [ "$(logons)" -eq $((n0 + 1)) ] ||
    fail "no fallback to a connection of its own: '$out' $(cat "$T/err4")"
exec 9>&-
for p in $hp; do
    wait "$p" || fail "a held CAT failed"
done
out=$(mux alice@127.0.0.1 'ECHO below the limit' </dev/null) || fail "after the limit"
[ "$out" = "below the limit" ] || fail "after the limit: $out"
[ "$(logons)" -eq $((n0 + 1)) ] || fail "not through the master again"
ok "channel limit: the 4th is refused, OpenSSH falls back to a connection of its own"

# ---- killing the master with a console and a command open leaves nothing
mkfifo "$T/k1.in" "$T/k2.in"
mux -T alice@127.0.0.1 <"$T/k1.in" >/dev/null 2>&1 &
exec 5>"$T/k1.in"
mux alice@127.0.0.1 CAT <"$T/k2.in" >/dev/null 2>&1 &
exec 6>"$T/k2.in"
wait_count 'EVENT CONSOLE ALICE' $(($(grep -c 'EVENT DISCONNECT ALICE console' "$T/log") + 1))
wait_count 'EVENT EXEC ALICE CAT' $((n + 4))
kill -9 "$MPID"
PIDS=$(echo "$PIDS" | sed "s/ $MPID//")
exec 5>&- 6>&-
wait_log 'EVENT DISCONNECT ALICE console hangup'
wait_log 'EVENT DISCONNECT ALICE exec hangup'
sleep 0.5
out=$(stats)
case "$out" in
"connections=1 unauthenticated=0 sessions=1 pending=0 fds=$fds0") ;;
*) fail "after killing the master: $out (before: $base)" ;;
esac
ok "killing the master: both channels told, no session or descriptor left ($out)"
stop_fake
