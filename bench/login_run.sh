#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/login_run.sh - make bench-login: a temporary data folder with 300
# users (B1..B300, IPL CMS, a 1M A-disk, one SSH key and one password
# shared by all), `vmrv ipl` on a free port of 127.0.0.1, then
# bench/login_bench against it; the system is stopped (SIGTERM) at the end.
set -u
VMRV=${VMRV:-./vmrv}
LOGIN_BENCH=${LOGIN_BENCH:-bench/login_bench}
N=300
PW='Bench-pw-7'
skip() {
    echo "bench-login: skipped: $*"
    exit 0
}
command -v ssh-keygen >/dev/null 2>&1 || skip "ssh-keygen is not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-bench.XXXXXX") || exit 1
IPID=
cleanup() {
    [ -n "$IPID" ] && kill -TERM "$IPID" 2>/dev/null && wait "$IPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
D=$T/data
ssh-keygen -q -t ed25519 -N '' -C bench -f "$T/key" </dev/null >/dev/null || exit 1
"$VMRV" directory --data "$D" init >"$T/init.out" 2>&1 || { cat "$T/init.out"; exit 1; }
"$VMRV" directory --data "$D" add BTMPL --password "$PW" >"$T/add.out" 2>&1 ||
    { cat "$T/add.out"; exit 1; }
HASH=$("$VMRV" directory --data "$D" export | sed -n 's/^USER BTMPL \([^ ]*\) .*/\1/p')
[ -n "$HASH" ] || { echo "bench-login: no hash for BTMPL"; exit 1; }
KEY=$(cat "$T/key.pub")
i=1
while [ $i -le $N ]; do
    printf 'USER B%d %s 32M 32M G\n IPL CMS\n CONSOLE 009 T\n' "$i" "$HASH"
    printf ' LINK MAINT 190 190 RR\n LINK MAINT 19E 19E RR\n MDISK 191 1M W\n SSHKEY %s\n*\n' "$KEY"
    i=$((i + 1))
done >"$T/users.txt"
"$VMRV" directory --data "$D" import "$T/users.txt" --merge --yes >"$T/import.out" 2>&1 ||
    { tail "$T/import.out"; exit 1; }
printf 'max_vms = 1000\nreal_storage = 4G\n' >"$T/vmrv.conf"
"$VMRV" ipl -c "$T/vmrv.conf" --listen 127.0.0.1:0 --data "$D" >"$T/ipl.out" 2>"$T/ipl.err" </dev/null &
IPID=$!
n=0
while ! grep -q '^vmrv ipl: ready: listening on 127.0.0.1 port [0-9]' "$T/ipl.out" 2>/dev/null; do
    n=$((n + 1))
    if [ $n -gt 600 ] || ! kill -0 "$IPID" 2>/dev/null; then
        echo "bench-login: vmrv ipl did not get ready"; cat "$T/ipl.err"; exit 1
    fi
    sleep 0.05
done
PORT=$(sed -n 's/^vmrv ipl: ready: listening on 127.0.0.1 port \([0-9]*\)$/\1/p' "$T/ipl.out")
LOGIN_BENCH_SERVER_PID=$IPID "$LOGIN_BENCH" "$PORT" "$T/key" "$PW" "$HASH" B "$N"
rc=$?
kill -TERM "$IPID"
wait "$IPID"
IPID=
[ $rc -eq 0 ] || { echo "bench-login: failed; last lines of vmrv.log:"; tail -n 20 "$D/vmrv.log"; }
exit $rc
