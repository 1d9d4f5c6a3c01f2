#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_load.sh - 200 OpenSSH clients at once against two SSH threads:
# each logs on (half with a password, hashed by the backend's workers, half
# with a key) and runs a command that ends only when all 200 sessions are
# open at the same time (BARRIER), then logs off; all within a bounded time.
# Then the server is back to its idle counters and descriptor count.
. "${top_srcdir:-.}/tests/login_lib.sh"
make_users
N=${LOGIN_LOAD_SESSIONS:-200}
SSH_TIMEOUT=${SSH_TIMEOUT:-$((N / 2 + 60))}
# Generous deadlines: on a busy machine 200 clients start slowly, and a
# client may take seconds to hang up after the server closed its channel.
start_fake -o threads=2 -o max_unauth=1000 -o max_unauth_per_source=1000 \
    -o max_sessions_per_user=1000 -o fail_floor_ms=50 -o auth_timeout_ms=600000 -o close_grace_ms=600000
base=$(stats) || fail "stats"
fds0=$(echo "$base" | sed 's/.*fds=//')

t0=$(now_ms)
i=0
pids=""
while [ $i -lt $N ]; do
    if [ $((i % 2)) -eq 0 ]; then
        ssh_pw hunter2 password bob@127.0.0.1 "BARRIER $N s$i" </dev/null >"$T/out.$i" 2>&1 &
    else
        ssh_key alice alice@127.0.0.1 "BARRIER $N s$i" </dev/null >"$T/out.$i" 2>&1 &
    fi
    pids="$pids $!"
    i=$((i + 1))
done
# Bounded: each client is ended after SSH_TIMEOUT seconds (it then fails).
bad=0
for p in $pids; do
    wait "$p" || bad=$((bad + 1))
done
t1=$(now_ms)
i=0
while [ $i -lt $N ]; do
    [ "$(cat "$T/out.$i")" = "s$i
released" ] || {
        echo "session $i: $(head -c 300 "$T/out.$i")" >&2
        bad=$((bad + 1))
    }
    i=$((i + 1))
done
[ $bad -eq 0 ] || fail "$bad of $N sessions failed"
grep -q "EVENT BARRIER $N sessions" "$T/log" || fail "the $N sessions were never open at once"
ok "$N concurrent sessions (logon, command, logoff) in $((t1 - t0)) ms"

# Everything is gone again: connections, pending checks, descriptors.
sleep 0.5
out=$(stats)
case "$out" in
"connections=1 unauthenticated=0 sessions=1 pending=0 fds=$fds0") ;;
*) fail "after the load: $out (before: $base)" ;;
esac
n=$(grep -c 'EVENT DISCONNECT .* exec closed' "$T/log")
[ "$n" -ge "$N" ] || fail "only $n disconnects for $N sessions"
ok "no leaked session or descriptor ($out)"
stop_fake
