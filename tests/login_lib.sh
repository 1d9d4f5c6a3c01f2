# SPDX-License-Identifier: MIT
# tests/login_lib.sh - sourced by the end-to-end tests of login/: starts the
# fake backend (tests/login-fake) on a free port in a temporary folder, and
# runs the real OpenSSH client against it. Only 127.0.0.1 is used. Every
# server started is stopped by its pid when the test ends.
set -u
FAKE=${top_builddir:-.}/tests/login-fake/login-fake
SRCDIR=${top_srcdir:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/login-test.XXXXXX")
PIDS=""
FPID=""
PORT=""

cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$T/log" ]; then
        echo "---- last lines of the server log" >&2
        tail -n 12 "$T/log" >&2
    fi
    exit 1
}

ok() {
    echo "ok - $*"
}

# Users: ALICE (password "secret" and a key), BOB ("hunter2"), CAROL
# ("s3cret", a key too). A key nobody has: id_other.
make_users() {
    for k in alice carol other; do
        ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$T/id_$k" </dev/null >/dev/null ||
            fail "ssh-keygen"
    done
    {
        echo "# test users"
        echo "alice secret $(cut -d' ' -f1,2 "$T/id_alice.pub")"
        echo "BOB hunter2"
        echo "Carol s3cret $(cut -d' ' -f1,2 "$T/id_carol.pub")"
    } >"$T/users"
    printf '#!/bin/sh\nprintf "%%s\\n" "$FAKE_PW"\n' >"$T/askpass"
    chmod +x "$T/askpass"
}

# start_fake [-o name=value]...: start a server, set FPID and PORT.
start_fake() {
    : >"$T/ready"
    "$FAKE" -k "$T/keys" -u "$T/users" -p 0 -l "$T/log" "$@" >"$T/ready" 2>>"$T/stderr" &
    FPID=$!
    PIDS="$PIDS $FPID"
    i=0
    while ! grep -q '^READY port=' "$T/ready" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 200 ] || fail "the fake backend did not start: $(cat "$T/stderr")"
        kill -0 "$FPID" 2>/dev/null || fail "the fake backend died: $(cat "$T/stderr")"
        sleep 0.05
    done
    PORT=$(sed -n 's/^READY port=//p' "$T/ready")
}

# stop_fake: SIGTERM, wait, check it stopped cleanly.
stop_fake() {
    kill -TERM "$FPID"
    wait "$FPID"
    rc=$?
    PIDS=$(echo "$PIDS" | sed "s/ $FPID//")
    [ $rc -eq 0 ] || fail "the fake backend exited with $rc: $(tail -n 20 "$T/stderr")"
    grep -q 'EVENT STOPPED' "$T/log" || fail "no clean stop"
}

ssh_base() {
    timeout "${SSH_TIMEOUT:-60}" ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=20 -o ServerAliveInterval=0 -p "$PORT" "$@"
}

# ssh_key KEYNAME USER COMMAND: public key logon.
ssh_key() {
    k=$1
    shift
    ssh_base -o BatchMode=yes -o IdentitiesOnly=yes -o PreferredAuthentications=publickey \
        -i "$T/id_$k" "$@"
}

# ssh_pw PASSWORD METHOD USER COMMAND: password or keyboard-interactive.
ssh_pw() {
    pw=$1
    method=$2
    shift 2
    FAKE_PW=$pw SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
        ssh_base -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
        -o PreferredAuthentications="$method" "$@"
}

# wait_log PATTERN [SECONDS]: wait for a line in the server log.
wait_log() {
    i=0
    while ! grep -q "$1" "$T/log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt $((${2:-10} * 20)) ] || fail "no log line matching '$1'"
        sleep 0.05
    done
}

# stats: the server's counters through the STATS command (as ALICE).
stats() {
    ssh_key alice alice@127.0.0.1 STATS </dev/null
}

# now_ms: wall clock in milliseconds.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}
