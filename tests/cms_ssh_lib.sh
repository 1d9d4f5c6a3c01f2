# SPDX-License-Identifier: MIT
# tests/cms_ssh_lib.sh - sourced after cms_lib.sh's cms_init by tests that
# drive CMS under CP over SSH: starts `vmrv ipl` on a free port in $T/data
# ($D), logs DEMO1 on with the real OpenSSH client (password through
# SSH_ASKPASS, console without a pty, fed from a FIFO on fd 3, output in
# $T/cp.out), and defines say (wait for the next Ready, type a line),
# wait_for (until the output matches an ERE) and edit_line (an EDIT input
# line).  Sets $PORT, $PW, $cppid, $sshpid; failures set fail=1.
cms_init
command -v ssh >/dev/null 2>&1 || { echo "SKIP: no ssh client"; exit 77; }

D="$T/data"
mkdir "$D"
"$VMRV" ipl --listen 127.0.0.1:0 --data "$D" >"$T/ipl.out" 2>&1 </dev/null &
cppid=$!
trap 'kill -TERM $cppid 2>/dev/null; rm -rf "$T"' EXIT
n=0
until grep -q 'ready: listening on' "$T/ipl.out"; do
    n=$((n + 1))
    if [ $n -gt 300 ] || ! kill -0 $cppid 2>/dev/null; then
        echo "FAIL: vmrv ipl did not start:"; cat "$T/ipl.out"
        exit 1
    fi
    sleep 0.1
done
PORT=$(sed -n 's/.*ready: listening on .* port \([0-9]*\)$/\1/p' "$T/ipl.out")
PW=$(awk '$1 == "DEMO1" { print $2 }' "$D/initial-passwords")
printf '#!/bin/sh\necho %s\n' "$PW" >"$T/askpass"
chmod +x "$T/askpass"

# the console: a FIFO fed a line at a time once CMS has answered the last
mkfifo "$T/in"
SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 90 ssh -T -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o PubkeyAuthentication=no -p "$PORT" DEMO1@127.0.0.1 \
    <"$T/in" >"$T/cp.out" 2>&1 &
sshpid=$!
exec 3>"$T/in"
readys=0
# say LINE: wait for one more Ready (or R;) than before, then type LINE
say() {
    readys=$((readys + 1))
    n=0
    while [ "$(grep -cE '^(Ready|R)[;(]' "$T/cp.out")" -lt $readys ]; do
        n=$((n + 1))
        if [ $n -gt 300 ] || ! kill -0 $sshpid 2>/dev/null; then
            echo "FAIL: cp: no Ready number $readys before: $1"
            fail=1
            return 1
        fi
        sleep 0.1
    done
    printf '%s\n' "$1" >&3
}
# wait_for ERE: until a line of the output matches
wait_for() {
    n=0
    until grep -Eq -- "$1" "$T/cp.out"; do
        n=$((n + 1))
        if [ $n -gt 300 ] || ! kill -0 $sshpid 2>/dev/null; then
            echo "FAIL: cp: waited in vain for: $1"
            fail=1
            return 1
        fi
        sleep 0.1
    done
}
