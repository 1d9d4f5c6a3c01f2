#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/login_mux_cp.sh - spool files through one multiplexed SSH connection
# (OpenSSH ControlMaster, ControlPersist) against `vmrv ipl`: 'PUNCH fn ft'
# from standard input and 'RECEIVE spoolid' to standard output, binary byte
# for byte, one after the other and two at once, return codes, one logon
# for all of it; killing the master ends its commands in CP.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

# vmrv.conf's ssh_channels reaches login/: two channels per connection here
printf 'ssh_channels = 2\n' >"$T/vmrv.conf"
ipl_start "$T/data" -c "$T/vmrv.conf"
ssh-keygen -q -t ed25519 -N '' -f "$T/key" </dev/null >/dev/null || fail "ssh-keygen"
"$VMRV" directory --data "$T/data" change DEMO1 --add-key "$T/key.pub" >/dev/null ||
    fail "adding a key to DEMO1"
CM="$T/cm"
# shellcheck disable=SC2046
mux() {
    timeout 60 ssh $(ssh_opts) -o BatchMode=yes -o IdentitiesOnly=yes -i "$T/key" \
        -o ControlPath="$CM" "$@"
}
mux -o ControlMaster=yes -o ControlPersist=yes -f -N demo1@127.0.0.1 </dev/null ||
    fail "the master"
mux -O check demo1@127.0.0.1 2>"$T/check" || fail "no master: $(cat "$T/check")"
MPID=$(sed -n 's/.*(pid=\([0-9]*\)).*/\1/p' "$T/check")
IPIDS="$IPIDS $MPID" # stopped at the end like the system
logons() { grep -c 'logon DEMO1 from' "$T/data/vmrv.log" "$ERR" 2>/dev/null | awk -F: '{ n += $2 } END { print n }'; }
L0=$(logons)
[ "$L0" -ge 1 ] || fail "the master's logon is not in the log"

head -c 1048576 /dev/urandom >"$T/a.bin"
head -c 3000000 /dev/urandom >"$T/b.bin"
mux -o ControlMaster=no demo1@127.0.0.1 'PUNCH MUXA DATA BINARY' <"$T/a.bin" >"$T/pa" 2>&1 ||
    fail "PUNCH: $(cat "$T/pa")"
ida=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/pa")
[ -n "$ida" ] || fail "PUNCH said: $(cat "$T/pa")"
mux -o ControlMaster=no demo1@127.0.0.1 "RECEIVE $ida" </dev/null >"$T/a.out" 2>"$T/ra" ||
    fail "RECEIVE $ida: $(cat "$T/ra")"
cmp -s "$T/a.bin" "$T/a.out" || fail "1 MB came back different ($(wc -c <"$T/a.out") bytes)"
ok "PUNCH and RECEIVE of 1 MB through the master, byte for byte"

# two at once on the connection: a PUNCH while a RECEIVE streams
mux -o ControlMaster=no demo1@127.0.0.1 'PUNCH MUXB DATA BINARY' <"$T/b.bin" >"$T/pb" 2>&1 &
p1=$!
mux -o ControlMaster=no demo1@127.0.0.1 "RECEIVE $ida" </dev/null >"$T/a2.out" 2>"$T/ra2" &
p2=$!
wait $p1 || fail "PUNCH beside RECEIVE: $(cat "$T/pb")"
wait $p2 || fail "RECEIVE beside PUNCH: $(cat "$T/ra2")"
cmp -s "$T/a.bin" "$T/a2.out" || fail "RECEIVE beside PUNCH differs"
idb=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/pb")
mux -o ControlMaster=no demo1@127.0.0.1 "RECEIVE $idb" </dev/null >"$T/b.out" ||
    fail "RECEIVE $idb"
cmp -s "$T/b.bin" "$T/b.out" || fail "3 MB came back different"
ok "a PUNCH and a RECEIVE at once on one connection"

mux -o ControlMaster=no demo1@127.0.0.1 'RECEIVE abc' </dev/null >"$T/e" 2>&1 &&
    fail "RECEIVE abc worked"
grep -q VMR310E "$T/e" || fail "RECEIVE abc: $(cat "$T/e")"
mux -o ControlMaster=no demo1@127.0.0.1 'QUERY READER' </dev/null >"$T/q" || fail "QUERY READER"
grep -q "MUXB *DATA" "$T/q" || fail "QUERY READER: $(cat "$T/q")"
[ "$(logons)" -eq "$L0" ] || fail "commands logged on again ($(logons) logons, $L0 before)"
ok "errors give a non-zero exit status; all on one logon"

# three at once, each held open by a slow reader: the third channel is
# refused (ssh_channels = 2) and OpenSSH runs it over a connection of its own
for n in 1 2 3; do
    mux -o ControlMaster=no demo1@127.0.0.1 "RECEIVE $idb" </dev/null 2>"$T/r3e$n" |
        (sleep 1; cat >"$T/r3.$n") &
    eval "r3p$n=\$!"
done
wait $r3p1 && wait $r3p2 && wait $r3p3 || fail "three RECEIVEs at once"
for n in 1 2 3; do
    cmp -s "$T/b.bin" "$T/r3.$n" || fail "RECEIVE $n of 3 at once differs: $(cat "$T/r3e$n")"
done
grep -q 'channel refused for DEMO1' "$T/data/vmrv.log" "$ERR" ||
    fail "no channel refused at ssh_channels = 2"
ok "ssh_channels = 2 from vmrv.conf: a third channel is refused, its command still runs"

# the master goes with a RECEIVE in flight: CP ends the command
head -c 24000000 /dev/urandom >"$T/c.bin"
mux -o ControlMaster=no demo1@127.0.0.1 'PUNCH MUXC DATA BINARY' <"$T/c.bin" >"$T/pc" 2>&1 ||
    fail "PUNCH 24 MB"
idc=$(sed -n 's/.*RDR FILE \([0-9]*\) TO DEMO1.*/\1/p' "$T/pc")
mux -o ControlMaster=no demo1@127.0.0.1 "RECEIVE $idc" </dev/null 2>/dev/null | (sleep 1; head -c 1000 >/dev/null) &
rp=$!
sleep 0.5
kill -9 "$MPID"
IPIDS=$(echo "$IPIDS" | sed "s/ $MPID//")
wait $rp
out=$(kssh "$T/key" demo1 'QUERY READER' 2>&1) || fail "a new connection after the master went: $out"
echo "$out" | grep -q "MUXC *DATA" || fail "QUERY READER after the master went: $out"
ipl_stop
ok "killing the master: the system goes on and stops cleanly"
