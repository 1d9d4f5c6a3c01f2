#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_key.sh - public-key logons: a key added with `vmrv directory
# change USERID --add-key` while the system runs logs that user on (exec);
# a key nobody added is refused; the same key does not log on another
# user.  A user added with `vmrv directory add` while the system runs logs
# on with its key to CMS's Ready and finds its new A-disk formatted.
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

"$VMRV" directory --data "$T/data" add NEWBIE --password 'Not-the-key-9' --add-mdisk 191 2M \
    --add-key "$T/id_other.pub" >"$T/add2.out" 2>&1 || fail "vmrv directory add: $(cat "$T/add2.out")"
cat >"$T/key.exp" <<'EXP'
source [lindex $argv 0]
lassign [lrange $argv 1 end] port key
spawn ssh -tt -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -i $key -p $port newbie@127.0.0.1
set s $spawn_id
want $s {LOGON AT} "LOGON AT"
want $s {Ready;} "Ready"
send -i $s "query disk\r"
want $s {NEWBIE 0191 A  R/W} "the new A-disk, formatted"
want $s {Ready;} "QUERY DISK"
send -i $s "logoff\r"
want $s {LOGOFF AT} "LOGOFF"
gone $s "the session"
puts "\nEXPECT OK"
EXP
expect "$T/key.exp" "$SRCDIR/tests/e2e_lib.exp" "$PORT" "$T/id_other" >"$T/key.out" 2>&1 ||
    fail "console with a key: $(tail -n 20 "$T/key.out")"
ok "a user added while the system runs logs on with its key to CMS, its A-disk formatted"
ipl_stop
exit 0
