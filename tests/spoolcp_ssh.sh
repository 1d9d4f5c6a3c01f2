#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/spoolcp_ssh.sh - files in and out over SSH with the real OpenSSH
# client against `vmrv ipl`: 'PUNCH fn ft' reads standard input into the
# user's own reader (binary byte for byte, text one record per line),
# 'RECEIVE spoolid' writes it back; QUERY READER shows the files; errors
# give a non-zero exit status; a restart, and kill -9, keep every file
# that was acknowledged; a COLD start (vmrv ipl --cold) empties the spool.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

ipl_start
PW=$(pw_of DEMO1)
[ -n "$PW" ] || fail "no initial password for DEMO1 in $(cat "$OUT")"

# one command with standard input from a file
issh() {
    in=$1
    shift
    # shellcheck disable=SC2046
    E2E_PW=$PW SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
        timeout 60 ssh $(ssh_opts) -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
        "demo1@127.0.0.1" "$@" <"$in"
}

head -c 1048576 /dev/urandom >"$T/in.bin"
issh "$T/in.bin" 'PUNCH RANDOM DATA BINARY' >"$T/p1.out" 2>&1 || fail "PUNCH binary: $(cat "$T/p1.out")"
id=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/p1.out")
[ -n "$id" ] || fail "PUNCH said: $(cat "$T/p1.out")"
issh /dev/null "RECEIVE $id" >"$T/out.bin" 2>"$T/r1.err" || fail "RECEIVE $id: $(cat "$T/r1.err")"
cmp -s "$T/in.bin" "$T/out.bin" || fail "1 MB binary differs ($(wc -c <"$T/out.bin") bytes back)"
ok "1 MB of random bytes in and out byte for byte (file $id)"

# a 24 MB file: RECEIVE streams it (read as the channel drains), so CP's
# peak memory grows by far less than the file
head -c 25165824 /dev/urandom >"$T/big.bin"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$IPID/status"; }
hp=$(hwm)
issh "$T/big.bin" 'PUNCH BIG DATA BINARY' >"$T/pb.out" 2>&1 || fail "PUNCH 24 MB: $(cat "$T/pb.out")"
bid=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/pb.out")
[ -n "$bid" ] || fail "PUNCH 24 MB said: $(cat "$T/pb.out")"
h0=$(hwm)
issh /dev/null "RECEIVE $bid" >"$T/big.out" 2>"$T/rb.err" || fail "RECEIVE 24 MB: $(cat "$T/rb.err")"
h1=$(hwm)
cmp -s "$T/big.bin" "$T/big.out" || fail "24 MB binary differs ($(wc -c <"$T/big.out") bytes back)"
# (not under AddressSanitizer: its quarantine keeps freed memory)
if ! grep -q -a __asan_init "$VMRV"; then
    [ $((h1 - h0)) -lt 12288 ] || fail "RECEIVE of 24 MB grew CP's peak memory by $((h1 - h0)) kB"
    [ $((h1 - hp)) -lt 16384 ] || fail "PUNCH and RECEIVE of 24 MB grew CP's peak memory by $((h1 - hp)) kB"
fi
ok "24 MB in and out byte for byte; CP's peak memory (${hp} kB) grew $((h0 - hp)) kB (PUNCH), $((h1 - h0)) kB (RECEIVE)"
rm -f "$T/big.bin" "$T/big.out"

printf 'first line\nsecond line\n\nlast line\n' >"$T/in.txt"
issh "$T/in.txt" 'punch notes text' >"$T/p2.out" 2>&1 || fail "PUNCH text: $(cat "$T/p2.out")"
tid=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/p2.out")
issh /dev/null "RECEIVE $tid" >"$T/out.txt" || fail "RECEIVE text"
cmp -s "$T/in.txt" "$T/out.txt" || fail "text differs: $(cat "$T/out.txt")"
issh /dev/null 'QUERY READER' >"$T/q.out" || fail "QUERY READER"
grep -q "^DEMO1 *$tid *A RDR 00000004 001 NONE .* NOTES *TEXT" "$T/q.out" || fail "QUERY READER: $(cat "$T/q.out")"
grep -q "^DEMO1 *$id *A RDR 00000017 001 NONE .* RANDOM *DATA" "$T/q.out" || fail "QUERY READER: $(cat "$T/q.out")"
ok "a text file is one record per line; QUERY READER shows both"

# a MODULE is binary by default
printf '\177ELF\000\001\002\n\n\r\n' >"$T/m.bin"
issh "$T/m.bin" 'PUNCH HELLO MODULE' >"$T/p3.out" 2>&1 || fail "PUNCH MODULE"
mid=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/p3.out")
issh /dev/null "RECEIVE $mid PURGE" >"$T/m.out" || fail "RECEIVE MODULE"
cmp -s "$T/m.bin" "$T/m.out" || fail "MODULE differs"
issh /dev/null "RECEIVE $mid" >"$T/m2.out" 2>&1 && fail "RECEIVE after PURGE worked"
grep -q 'VMR302E' "$T/m2.out" || fail "RECEIVE of a purged file: $(cat "$T/m2.out")"
ok "a MODULE is binary by default; RECEIVE ... PURGE removes it"

issh /dev/null 'PUNCH ONLYNAME' >"$T/e1.out" 2>&1 && fail "PUNCH without a type worked"
grep -q VMR004E "$T/e1.out" || fail "PUNCH without a type: $(cat "$T/e1.out")"
issh /dev/null 'RECEIVE abc' >"$T/e2.out" 2>&1 && fail "RECEIVE abc worked"
grep -q VMR310E "$T/e2.out" || fail "RECEIVE abc: $(cat "$T/e2.out")"
issh /dev/null 'PUNCH A B FROB' >"$T/e3.out" 2>&1 && fail "PUNCH FROB worked"
ok "errors give a message and a non-zero exit status"

# another user's file cannot be received
PW2=$(pw_of DEMO2)
E2E_PW=$PW2 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 30 ssh $(ssh_opts) -o PubkeyAuthentication=no -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 demo2@127.0.0.1 "RECEIVE $id" </dev/null >"$T/o.out" 2>&1 &&
    fail "DEMO2 received DEMO1's file"
grep -q VMR302E "$T/o.out" || fail "DEMO2: $(cat "$T/o.out")"
ok "another user's file is not found"

ipl_stop
ipl_start "$T/data"
issh /dev/null "RECEIVE $id" >"$T/out2.bin" || fail "RECEIVE after restart"
cmp -s "$T/in.bin" "$T/out2.bin" || fail "after restart the file differs"
ok "a restart keeps the files"

# kill -9 right after PUNCH was acknowledged: the file is there afterwards
head -c 200000 /dev/urandom >"$T/k.bin"
issh "$T/k.bin" 'PUNCH KILLED DATA BINARY' >"$T/k.out" 2>&1 || fail "PUNCH before kill"
kid=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/k.out")
kill -KILL "$IPID"
wait "$IPID" 2>/dev/null
IPIDS=$(echo "$IPIDS" | sed "s/ $IPID\$//; s/ $IPID / /")
ipl_start "$T/data"
issh /dev/null "RECEIVE $kid" >"$T/k.back" || fail "RECEIVE after kill -9"
cmp -s "$T/k.bin" "$T/k.back" || fail "after kill -9 the file differs"
ok "kill -9 after an acknowledged PUNCH loses nothing"
ipl_stop

# a COLD start (the operator's explicit choice) empties the spool
ipl_start "$T/data" --cold
issh /dev/null "RECEIVE $kid" >"$T/c.out" 2>&1 && fail "RECEIVE after a COLD start worked"
issh /dev/null 'QUERY READER' >"$T/cq.out" 2>&1
grep -q "NO RDR FILES" "$T/cq.out" || fail "after a COLD start: $(cat "$T/cq.out")"
grep -q "COLD start" "$T/data/vmrv.log" || fail "the COLD start is not in the log"
ipl_stop
ok "a COLD start discards the spool and says so"
