#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_auth.sh - logons with the real OpenSSH client against the fake
# backend: host keys, public key, password, keyboard-interactive, wrong
# password and unknown user (same answer, same time), failure delays,
# attempt and session limits, the logon deadline, per-source limits.
. "${top_srcdir:-.}/tests/login_lib.sh"
make_users
start_fake -o fail_floor_ms=300 -o fail_delay_ms=20 -o fail_delay_max_ms=40

# Host keys: made once, mode 0600, reused after a restart.
for k in ed25519 ecdsa; do
    f="$T/keys/ssh_host_${k}_key"
    [ -f "$f" ] || fail "no $k host key"
    [ "$(stat -c %a "$f")" = 600 ] || fail "$k host key mode $(stat -c %a "$f")"
done
sum1=$(cat "$T/keys"/ssh_host_*_key | md5sum)
# Both key types are offered to clients.
for alg in ssh-ed25519 ecdsa-sha2-nistp256; do
    out=$(ssh_key alice -o HostKeyAlgorithms=$alg alice@127.0.0.1 'ECHO hostkey' </dev/null) ||
        fail "no logon with host key $alg"
    [ "$out" = hostkey ] || fail "host key $alg: $out"
done
ok "host keys"

# Public key, upper-casing of the user name.
out=$(ssh_key alice alice@127.0.0.1 'ECHO hello key' </dev/null) || fail "key logon"
[ "$out" = "hello key" ] || fail "key logon output: $out"
out=$(ssh_key carol CaRoL@127.0.0.1 'ECHO carol' </dev/null) || fail "key logon (mixed case)"
[ "$out" = carol ] || fail "mixed case: $out"
grep -q 'logon CAROL from 127.0.0.1 (public key)' "$T/log" || fail "logon not logged"
ok "public key logon"

# A key that is not the user's: refused (probe and all).
ssh_key other alice@127.0.0.1 'ECHO no' </dev/null 2>"$T/err" && fail "foreign key accepted"
grep -q 'Permission denied' "$T/err" || fail "foreign key: $(cat "$T/err")"
ssh_key alice carol@127.0.0.1 'ECHO no' </dev/null 2>"$T/err" && fail "alice's key for carol"
ok "wrong keys refused"

# Password and keyboard-interactive.
for m in password keyboard-interactive; do
    out=$(ssh_pw hunter2 $m bob@127.0.0.1 "ECHO $m" </dev/null) || fail "$m logon"
    [ "$out" = "$m" ] || fail "$m output: $out"
done
out=$(ssh_pw secret password ALICE@127.0.0.1 'ECHO upper' </dev/null) || fail "ALICE password"
ok "password and keyboard-interactive logon"

# Wrong password and unknown user: the same answer in about the same time,
# no sooner than the floor (300 ms).
t0=$(now_ms)
ssh_pw wrong password bob@127.0.0.1 'ECHO x' </dev/null 2>"$T/err1" && fail "wrong password accepted"
t1=$(now_ms)
ssh_pw wrong password nosuch@127.0.0.1 'ECHO x' </dev/null 2>"$T/err2" && fail "unknown user accepted"
t2=$(now_ms)
ssh_pw wrong password 'bad/name!'@127.0.0.1 'ECHO x' </dev/null 2>"$T/err3" && fail "bad name accepted"
t3=$(now_ms)
a=$(sed 's/^[^:]*://' "$T/err1")
b=$(sed 's/^[^:]*://' "$T/err2")
c=$(sed 's/^[^:]*://' "$T/err3")
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ] || fail "different answers: '$a' '$b' '$c'"
d1=$((t1 - t0))
d2=$((t2 - t1))
d3=$((t3 - t2))
for d in $d1 $d2 $d3; do
    [ $d -ge 300 ] || fail "a failed logon answered in $d ms (floor 300)"
done
diff=$((d1 > d2 ? d1 - d2 : d2 - d1))
[ $diff -lt 250 ] || fail "wrong password $d1 ms, unknown user $d2 ms"
grep -q 'failed logon for BOB from 127.0.0.1' "$T/log" || fail "failure not logged"
grep -q 'failed logon for NOSUCH from 127.0.0.1' "$T/log" || fail "unknown user not logged"
ok "wrong password, unknown user: same answer ($d1/$d2/$d3 ms)"
stop_fake

# Restart: the same host keys.
start_fake -o fail_floor_ms=50 -o fail_delay_ms=400 -o fail_delay_max_ms=800 \
    -o max_auth_tries=2 -o auth_timeout_ms=2500 -o max_unauth_per_source=3 \
    -o max_sessions_per_user=1
sum2=$(cat "$T/keys"/ssh_host_*_key | md5sum)
[ "$sum1" = "$sum2" ] || fail "host keys changed on restart"
ok "host keys reused"

# Failures delay later attempts from the same source, before any check:
# after two failures (step 400 ms, then 800), even a right password waits.
ssh_pw wrong password bob@127.0.0.1 'ECHO x' </dev/null 2>/dev/null && fail "accepted"
ssh_pw wrong password bob@127.0.0.1 'ECHO x' </dev/null 2>/dev/null && fail "accepted"
t0=$(now_ms)
out=$(ssh_pw s3cret password carol@127.0.0.1 'ECHO late' </dev/null) || fail "carol after failures"
t1=$(now_ms)
[ "$out" = late ] || fail "late: $out"
[ $((t1 - t0)) -ge 500 ] || fail "no delay after failures ($((t1 - t0)) ms)"
grep -q 'logon attempt from 127.0.0.1 delayed' "$T/log" || fail "delay not logged"
grep -q 'failed logon for BOB from 127.0.0.1 (password; 2 recent failures)' "$T/log" ||
    fail "failure count not logged"
ok "growing delays after failures ($((t1 - t0)) ms)"

# Attempts per connection: the client may try 3 times, the server allows 2.
FAKE_PW=wrong SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    ssh_base -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=3 \
    -o PreferredAuthentications=password bob@127.0.0.1 'ECHO x' </dev/null 2>"$T/err" &&
    fail "accepted"
grep -q 'too many failed logon attempts from 127.0.0.1' "$T/log" || fail "attempt limit not logged"
ok "attempt limit per connection"

# The logon deadline: a silent client is dropped after auth_timeout_ms.
t0=$(now_ms)
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3 >/dev/null" 2>/dev/null
t1=$(now_ms)
[ $((t1 - t0)) -ge 2000 ] && [ $((t1 - t0)) -lt 6000 ] || fail "deadline: $((t1 - t0)) ms"
wait_log 'logon from 127.0.0.1 timed out'
ok "logon deadline ($((t1 - t0)) ms)"

# Connections not logged on, per source: 3 allowed, the 4th is closed at once.
mkfifo "$T/hold"
hpids=""
for i in 1 2 3; do
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat '$T/hold' >/dev/null" 2>/dev/null &
    hpids="$hpids $!"
done
sleep 0.3
t0=$(now_ms)
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3 >/dev/null" 2>/dev/null
t1=$(now_ms)
[ $((t1 - t0)) -lt 800 ] || fail "4th connection not refused ($((t1 - t0)) ms)"
wait_log 'refused connection from 127.0.0.1: too many connections not logged on from this'
echo >"$T/hold" # releases the three holders
wait $hpids
wait_log 'logon from 127.0.0.1 timed out'
sleep 2.6
ok "unauthenticated connections per source"

# Sessions per user: ALICE may have one; a second logon is refused.
mkfifo "$T/stdin"
ssh_key alice alice@127.0.0.1 'CAT' <"$T/stdin" >"$T/cat.out" 2>&1 &
cpid=$!
exec 4>"$T/stdin"
wait_log 'EVENT EXEC ALICE CAT'
ssh_key alice alice@127.0.0.1 'ECHO second' </dev/null 2>"$T/err" && fail "second session allowed"
grep -q 'Too many sessions' "$T/err" || fail "second session: $(cat "$T/err")"
exec 4>&-
wait $cpid
grep -q 'logon of ALICE from 127.0.0.1 refused: too many sessions' "$T/log" || fail "not logged"
out=$(ssh_key alice alice@127.0.0.1 'ECHO again' </dev/null) || fail "logon after the first ended"
ok "sessions per user"
stop_fake
