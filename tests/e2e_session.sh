#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_session.sh - a user's life with the real OpenSSH client on a
# terminal (tests/e2e_session.exp): password logon to CMS's Ready, a file
# made with EDIT on the A-disk, TYPE, LISTFILE; dropping the connection
# disconnects (the VM goes on); the next logon reconnects; a logon while
# connected takes the session over; LOGOFF; the system is restarted and the
# file is still there; SIGTERM while a user is logged on logs them off
# (they see it) and exits 0.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

ipl_start
PW=$(pw_of DEMO1)
run_exp e2e_session "$PW" first || fail "first logon: $(tail -n 30 "$T/e2e_session.out")"
ok "logon to CMS Ready; EDIT, TYPE, LISTFILE on the A-disk; connection dropped"
out=$(xssh demo1 "$PW" 'QUERY NAMES') || fail "QUERY NAMES: $out"
echo "$out" | grep -q 'DEMO1    - DSC' || fail "DEMO1 is not disconnected: $out"
ok "after the connection dropped DEMO1 is disconnected, not logged off"
run_exp e2e_session "$PW" reconnect || fail "reconnect: $(tail -n 30 "$T/e2e_session.out")"
ok "reconnect, BEGIN, takeover by a second logon, LOGOFF"
out=$(xssh demo1 "$PW" 'QUERY NAMES') || fail "QUERY NAMES: $out"
echo "$out" | grep -q 'DEMO1' && fail "DEMO1 still logged on after LOGOFF: $out"
grep -Eq 'TAKEOVER +DEMO1' "$T/data/audit.log" || fail "no TAKEOVER in the audit trail"
ok "after LOGOFF DEMO1 is gone; the takeover is in the audit trail"

ipl_stop
ipl_start
run_exp e2e_session "$PW" again || fail "after restart: $(tail -n 30 "$T/e2e_session.out")"
ok "after a restart of the system the file is still on the A-disk"

expect "$SRCDIR/tests/e2e_session.exp" "$PORT" "$PW" hold "$T/held" >"$T/hold.out" 2>&1 &
EPID=$!
i=0
while [ ! -f "$T/held" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || fail "the held session did not reach Ready: $(cat "$T/hold.out")"
    kill -0 $EPID 2>/dev/null || fail "the held session ended: $(tail -n 20 "$T/hold.out")"
    sleep 0.05
done
ipl_stop
ok "SIGTERM with a user logged on: exit status 0"
wait $EPID || fail "the user did not see the shutdown: $(tail -n 20 "$T/hold.out")"
ok "the logged-on user saw SYSTEM SHUTDOWN and LOGOFF AT"
exit 0
