# SPDX-License-Identifier: MIT
# tests/e2e_lib.sh - sourced by the end-to-end tests of `vmrv ipl`
# (tests/e2e_*.sh): start the real system on a free port of 127.0.0.1 with a
# data folder in a temporary folder, log on with the real OpenSSH client
# (passwords through SSH_ASKPASS, consoles through expect), stop it by its
# pid with SIGTERM and check that it exits 0.  Only 127.0.0.1 is used; every
# system started is stopped when the test ends.
#
#   ipl_start [DATA]      start vmrv ipl (DATA default $T/data); sets IPID,
#                         PORT, and OUT/ERR (its output files)
#   ipl_stop              SIGTERM, wait, require exit status 0
#   pw_of USERID          the first start's password of USERID (from OUT)
#   xssh USERID PW CMD    one command over ssh with a password; prints its
#                         output, returns ssh's exit status
#   kssh KEY USERID CMD   the same with a private key file
#   run_exp NAME ARGS     tests/NAME.exp under expect, output in $T/NAME.out
#   check TEXT COND...    "ok - TEXT" or fail
set -u
VMRV=${VMRV:-${top_builddir:-.}/vmrv}
SRCDIR=${top_srcdir:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-e2e.XXXXXX") || exit 99
IPIDS=""
IPID=""
PORT=""
OUT=""
ERR=""
NSTART=0

e2e_cleanup() {
    for p in $IPIDS; do
        kill -TERM "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap e2e_cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$T"/*.log "$T"/data/vmrv.log; do
        [ -f "$f" ] || continue
        echo "---- last lines of $f" >&2
        tail -n 15 "$f" >&2
    done
    exit 1
}

ok() {
    echo "ok - $*"
}

need() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool is not installed"
            exit 77
        fi
    done
}
need ssh ssh-keygen expect

# ipl_start [DATA [EXTRA ARGS...]]
ipl_start() {
    data=${1:-$T/data}
    [ $# -gt 0 ] && shift
    NSTART=$((NSTART + 1))
    OUT=$T/ipl$NSTART.out
    ERR=$T/ipl$NSTART.log
    "$VMRV" ipl --listen 127.0.0.1:0 --data "$data" "$@" >"$OUT" 2>"$ERR" </dev/null &
    IPID=$!
    IPIDS="$IPIDS $IPID"
    i=0
    while ! grep -q '^vmrv ipl: ready: listening on 127.0.0.1 port [0-9]' "$OUT" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 300 ] || fail "vmrv ipl did not get ready: $(cat "$ERR")"
        kill -0 "$IPID" 2>/dev/null || fail "vmrv ipl died: $(cat "$ERR")"
        sleep 0.05
    done
    PORT=$(sed -n 's/^vmrv ipl: ready: listening on 127.0.0.1 port \([0-9]*\)$/\1/p' "$OUT")
}

ipl_stop() {
    kill -TERM "$IPID"
    wait "$IPID"
    rc=$?
    IPIDS=$(echo "$IPIDS" | sed "s/ $IPID\$//; s/ $IPID / /")
    [ $rc -eq 0 ] || fail "vmrv ipl exited with $rc after SIGTERM: $(tail -n 20 "$ERR")"
}

pw_of() {
    sed -n "s/^    $1 *\\([^ ]*\\)\$/\\1/p" "$OUT" | head -n 1
}

printf '#!/bin/sh\nprintf "%%s\\n" "$E2E_PW"\n' >"$T/askpass"
chmod +x "$T/askpass"

ssh_opts() {
    echo "-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null" \
        "-o LogLevel=ERROR -o ConnectTimeout=10 -p $PORT"
}

xssh() {
    user=$1 pw=$2
    shift 2
    # shellcheck disable=SC2046
    E2E_PW=$pw SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
        timeout 30 ssh $(ssh_opts) -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
        "$user@127.0.0.1" "$@" </dev/null
}

kssh() {
    key=$1 user=$2
    shift 2
    # shellcheck disable=SC2046
    timeout 30 ssh $(ssh_opts) -o BatchMode=yes -o IdentitiesOnly=yes -i "$key" \
        "$user@127.0.0.1" "$@" </dev/null
}

run_exp() {
    name=$1
    shift
    expect "$SRCDIR/tests/$name.exp" "$PORT" "$@" >"$T/$name.out" 2>&1
}

# check TEXT COMMAND...: runs the command; ok or fail with TEXT
check() {
    text=$1
    shift
    if "$@"; then
        ok "$text"
    else
        fail "$text"
    fi
}
