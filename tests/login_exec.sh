#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_exec.sh - one-shot commands (ssh user@host 'COMMAND') with the
# real OpenSSH client: output, standard error, return codes (above 255:
# exit 255 and the code on stderr), binary standard input round trip, a
# slow client holding the backend back ("would block"), and no "Broken pipe".
. "${top_srcdir:-.}/tests/login_lib.sh"
make_users
start_fake -o output_limit=16384

out=$(ssh_key alice alice@127.0.0.1 'ECHO hello world' </dev/null 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = "hello world" ] || fail "ECHO: rc $rc out '$out'"
[ ! -s "$T/err" ] || fail "ECHO printed on stderr: $(cat "$T/err")"
ok "output, exit 0, nothing on stderr"

for code in 0 5 255; do
    ssh_key alice alice@127.0.0.1 "RC $code" </dev/null 2>"$T/err"
    rc=$?
    [ $rc -eq $code ] || fail "RC $code gave exit $rc"
    [ ! -s "$T/err" ] || fail "RC $code: stderr $(cat "$T/err")"
done
ssh_key alice alice@127.0.0.1 'RC 300' </dev/null >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 255 ] || fail "RC 300 gave exit $rc"
grep -qx 'RC=300' "$T/err" || fail "RC 300: stderr '$(cat "$T/err")'"
[ ! -s "$T/out" ] || fail "RC 300 wrote on stdout"
ok "return codes 0 5 255, 300 -> 255 + RC=300"

out=$(ssh_key alice alice@127.0.0.1 'ERR on stderr' </dev/null 2>"$T/err")
rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && grep -qx 'on stderr' "$T/err" || fail "ERR: rc $rc"
ok "standard error"

# Binary standard input, 3 MB, through CAT and back.
head -c 3000000 /dev/urandom >"$T/in.bin"
ssh_key alice alice@127.0.0.1 CAT <"$T/in.bin" >"$T/out.bin" 2>"$T/err" || fail "CAT rc $?"
cmp -s "$T/in.bin" "$T/out.bin" || fail "CAT: output differs ($(wc -c <"$T/out.bin") bytes)"
[ ! -s "$T/err" ] || fail "CAT stderr: $(cat "$T/err")"
out=$(ssh_key alice alice@127.0.0.1 CAT </dev/null) || fail "CAT of nothing"
[ -z "$out" ] || fail "CAT of nothing printed"
ok "binary stdin round trip (3 MB)"

# A client that reads slowly: the backend is told "would block" and the
# bytes all arrive, in order.
ssh_key alice alice@127.0.0.1 'BIG 8000000' </dev/null 2>"$T/err" |
    (sleep 2; cat) >"$T/big" || fail "BIG"
[ "$(wc -c <"$T/big")" -eq 8000000 ] || fail "BIG: $(wc -c <"$T/big") bytes"
head -c 64 "$T/big" | grep -q '^0123456789abc' || fail "BIG content"
wait_log 'EVENT BIGDONE ALICE'
n=$(sed -n 's/.*EVENT BIGDONE ALICE eagain=//p' "$T/log" | tail -n 1)
[ "$n" -gt 0 ] || fail "the backend never saw 'would block'"
ok "slow client: backend saw would-block $n times"

# Password logon and a command, many times in a row, then the counters.
for i in 1 2 3 4 5; do
    out=$(ssh_pw hunter2 password bob@127.0.0.1 "ECHO run $i" </dev/null) || fail "run $i"
    [ "$out" = "run $i" ] || fail "run $i: $out"
done
sleep 0.3
out=$(stats)
case "$out" in
"connections=1 unauthenticated=0 sessions=1 pending=0 "*) ;;
*) fail "stats: $out" ;;
esac
ok "counters back to one connection: $out"
stop_fake
