#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_start.sh - vmrv ipl end to end, without a terminal: the first
# start shows the generated passwords (and keeps them for root, 0600),
# AUTOLOG1 is logged on disconnected, `ssh user@host 'CP COMMAND'` runs one
# command with CP's return code as the exit status, a wrong password and an
# unknown user get the same answer, a second vmrv ipl on the same data
# folder is refused naming the pid, a non-loopback address is refused while
# the first passwords are unchanged, and SIGTERM shuts down with status 0.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

ipl_start
check "the first start shows the passwords" grep -q '^First start' "$OUT"
for u in MAINT OPERATOR AUTOLOG1 DEMO1 DEMO2; do
    [ -n "$(pw_of $u)" ] || fail "no password shown for $u"
done
ok "every default user has a password on the terminal"
mode=$(stat -c %a "$T/data/initial-passwords")
check "DATA/initial-passwords is mode 0600 ($mode)" [ "$mode" = 600 ]
check "the ready line tells how to log on" grep -q "^Log on with:  ssh -p $PORT DEMO1@127.0.0.1" "$OUT"
PW=$(pw_of DEMO1)

# exec: one CP command, output and return code
out=$(xssh demo1 "$PW" 'QUERY NAMES') || fail "QUERY NAMES over ssh: status $?: $out"
echo "$out" | grep -q 'AUTOLOG1 - DSC' || fail "AUTOLOG1 not logged on disconnected: $out"
ok "exec QUERY NAMES, AUTOLOG1 is there disconnected"
out=$(xssh demo1 "$PW" 'QUERY USERID FOOBAR'); rc=$?
[ $rc -ne 0 ] && [ $rc -ne 255 ] || fail "a failing CP command gave exit status $rc: $out"
ok "a failing CP command gives its return code ($rc) as the exit status"
out=$(xssh demo1 "$PW" 'NOSUCHCMD'); rc=$?
[ $rc -eq 1 ] || fail "unknown CP command: exit status $rc, want 1: $out"
echo "$out" | grep -q 'NOSUCHCMD' || fail "no message for an unknown command: $out"
ok "an unknown CP command: exit status 1 and a message"
out=$(xssh maint "$(pw_of MAINT)" 'QUERY CPLEVEL') || fail "MAINT QUERY CPLEVEL: $out"
ok "MAINT logs on with its own password"

# wrong password and unknown user: the same answer
a=$(xssh demo1 wrong-password 'QUERY NAMES' 2>&1); ra=$?
b=$(xssh nobody1 wrong-password 'QUERY NAMES' 2>&1); rb=$?
[ $ra -eq 255 ] && [ $rb -eq 255 ] || fail "refused logons: exit status $ra and $rb, want 255"
[ "$(echo "$a" | sed 's/demo1/X/')" = "$(echo "$b" | sed 's/nobody1/X/')" ] ||
    fail "a wrong password and an unknown user are answered differently: '$a' / '$b'"
ok "a wrong password and an unknown user get the same answer"
grep -q 'BADLOGON' "$T/data/audit.log" || fail "failed logons are not in the audit trail"
ok "failed logons are in the audit trail"

# a second vmrv ipl on the same data folder
"$VMRV" ipl --listen 127.0.0.1:0 --data "$T/data" >"$T/second.out" 2>&1 </dev/null
rc=$?
[ $rc -eq 4 ] || fail "a second vmrv ipl on the same data folder: status $rc: $(cat "$T/second.out")"
grep -q "pid $IPID" "$T/second.out" || fail "the refusal does not name pid $IPID: $(cat "$T/second.out")"
ok "a second vmrv ipl on the same data folder is refused, naming the pid"

# non-loopback while the first passwords are unchanged (a data folder of its own)
"$VMRV" ipl --listen 0.0.0.0:0 --data "$T/other" >"$T/other.out" 2>&1 </dev/null
rc=$?
[ $rc -eq 6 ] || fail "listening on 0.0.0.0 with the first passwords: status $rc"
grep -q 'refusing to listen on 0.0.0.0' "$T/other.out" || fail "no reason given: $(cat "$T/other.out")"
ok "a non-loopback address is refused while the first passwords are unchanged"

# SIGHUP reopens the logs (after a rotation moved them away)
mv "$T/data/vmrv.log" "$T/data/vmrv.log.1" && mv "$T/data/audit.log" "$T/data/audit.log.1"
kill -HUP "$IPID"
xssh demo1 "$PW" 'QUERY NAMES' >/dev/null || fail "QUERY NAMES after SIGHUP"
i=0
until [ -s "$T/data/vmrv.log" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "SIGHUP did not reopen the logs"
    sleep 0.05
done
kill -0 "$IPID" || fail "vmrv ipl died of SIGHUP"
ok "SIGHUP reopens vmrv.log and audit.log"

ipl_stop
ok "SIGTERM: exit status 0"
grep -q 'System shut down cleanly' "$T/data/vmrv.log" || fail "no clean shutdown in the log"
grep -Eq 'LOGOFF +AUTOLOG1 +SHUTDOWN' "$T/data/audit.log" || fail "AUTOLOG1 was not logged off"
ok "everyone was logged off at shutdown (in the reopened audit.log)"

# the second start, by a copy of vmrv with no system files beside it: the
# configuration names them (cms_nucleus, sdisk_image)
CMSDIR=$(cd "$(dirname "$VMRV")/cms" && pwd) || fail "no cms folder beside $VMRV"
mkdir "$T/bin" && cp "$VMRV" "$T/bin/vmrv" || fail "cannot copy vmrv"
printf 'cms_nucleus = %s\nsdisk_image = %s\nlogmsg = Hello from the e2e test\n' \
    "$CMSDIR/cms.elf" "$CMSDIR/maint-190.img" >"$T/vmrv.conf"
rm -f "$T/data/disks/DEMO2.191.img"
VMRV=$T/bin/vmrv ipl_start "$T/data" -c "$T/vmrv.conf"
[ -f "$T/data/disks/DEMO2.191.img" ] || fail "the missing image of DEMO2 191 was not made again"
grep -q 'DEMO2    minidisk 191 formatted for CMS' "$T/data/vmrv.log" || fail "the new image was not formatted"
ok "a missing minidisk image is made again at start (and, a 191, formatted)"
grep -q '^First start' "$OUT" && fail "the second start shows passwords again"
grep -q "CMS nucleus $CMSDIR/cms.elf" "$T/data/vmrv.log" || fail "cms_nucleus was not used"
out=$(xssh demo1 "$PW" 'QUERY LOGMSG') || fail "logon after a restart: $out"
echo "$out" | grep -q 'Hello from the e2e test' || fail "the configuration's logmsg: $out"
ok "a restart keeps the directory, shows no passwords, and takes -c CONFIG"
ipl_stop
exit 0
