#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_key.sh - public-key logons: a key added with `vmrv directory
# change USERID --add-key` while the system runs logs that user on (exec
# and a console to CMS's Ready); a key nobody added is refused; the same
# key does not log on another user.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

ssh-keygen -q -t ed25519 -N '' -C demo2-key -f "$T/id_demo2" </dev/null >/dev/null || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/id_other" </dev/null >/dev/null || fail "ssh-keygen"
ipl_start

kssh "$T/id_demo2" demo2 'QUERY NAMES' >"$T/before.out" 2>&1 && fail "a key not in the directory logged on"
ok "before --add-key the key is refused"
"$VMRV" directory --data "$T/data" change DEMO2 --add-key "$T/id_demo2.pub" >"$T/add.out" 2>&1 ||
    fail "vmrv directory change --add-key: $(cat "$T/add.out")"
out=$(kssh "$T/id_demo2" demo2 'QUERY NAMES') || fail "key logon after --add-key: $out"
echo "$out" | grep -q 'AUTOLOG1' || fail "QUERY NAMES over a key logon: $out"
ok "a key added with vmrv directory change --add-key logs DEMO2 on (exec)"
kssh "$T/id_other" demo2 'QUERY NAMES' >/dev/null 2>&1 && fail "another key logged DEMO2 on"
kssh "$T/id_demo2" demo1 'QUERY NAMES' >/dev/null 2>&1 && fail "DEMO2's key logged DEMO1 on"
ok "another key, or the key for another user, is refused"

cat >"$T/key.exp" <<'EXP'
source [lindex $argv 0]
lassign [lrange $argv 1 end] port key
spawn ssh -tt -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -i $key -p $port demo2@127.0.0.1
set s $spawn_id
want $s {LOGON AT} "LOGON AT"
want $s {Ready;} "Ready"
send -i $s "logoff\r"
want $s {LOGOFF AT} "LOGOFF"
gone $s "the session"
puts "\nEXPECT OK"
EXP
expect "$T/key.exp" "$SRCDIR/tests/e2e_lib.exp" "$PORT" "$T/id_demo2" >"$T/key.out" 2>&1 ||
    fail "console with a key: $(tail -n 20 "$T/key.out")"
ok "a console logon with the key reaches CMS's Ready"
ipl_stop
exit 0
