#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_cp.sh - EXEC under CP: a logon with the real OpenSSH client
# (as tests/cms_cp.sh), an EXEC written with EDIT on the user's A-disk,
# then run: ADDRESS CP commands go to CP through DIAG 0x008 and their
# return codes come back in RC; CP commands from ADDRESS CMS too; USERID().
. "${top_srcdir:-.}/tests/cms_lib.sh"
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
# EDIT input lines and FILE: no Ready in between, so wait a little
edit_line() { printf '%s\n' "$1" >&3; sleep 0.2; }
say "edit cpt exec a" && sleep 0.5 &&
    edit_line "input /* CPT EXEC */" &&
    edit_line "input say 'user' userid()" &&
    edit_line "input address cp 'QUERY TIME'" &&
    edit_line "input say 'cp rc' rc" &&
    edit_line "input address cp 'NOSUCHCPCMD'" &&
    edit_line "input say 'bad cp rc' rc" &&
    edit_line "input 'CP QUERY TIME'" &&
    edit_line "input say 'cms cp rc' rc" &&
    edit_line "input exit 5" &&
    printf 'file\n' >&3 &&
    say "cpt" && say "cp logoff"
exec 3>&-
wait $sshpid
kill -TERM $cppid
wait $cppid

expect cp '^user DEMO1$'
expect cp '^TIME IS '
expect cp '^cp rc 0$'
expect cp '^bad cp rc [1-9][0-9]*$'
expect cp '^cms cp rc 0$'
expect cp '^Ready\(00005\);'
[ "$(grep -c '^TIME IS ' "$T/cp.out")" = 2 ] ||
    { echo "FAIL: cp: expected two TIME IS responses"; fail=1; }
cms_done
