#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_cpcmds.sh - QUERY USERID, SLEEP and QUERY LINKS as exec requests
# with the real OpenSSH client against `vmrv ipl`: a user who is not logged
# on, then the same user logged on disconnected by AUTOLOG (its CMS links
# MAINT's 190), where an exec's SLEEP waits and ends with exit status 0.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

ipl_start
PW=$(pw_of DEMO1)
MPW=$(pw_of MAINT)
out=$(xssh demo1 "$PW" 'QUERY USERID') || fail "QUERY USERID: $out"
[ "$out" = "DEMO1    AT VMRV" ] || fail "QUERY USERID said: $out"
ok "QUERY USERID: $out"
out=$(xssh demo1 "$PW" 'SLEEP 1 SEC')
rc=$?
[ $rc -eq 45 ] || fail "SLEEP of a user not logged on: exit $rc: $out"
echo "$out" | grep -q '^VMR045E DEMO1 is not logged on$' || fail "SLEEP said: $out"
ok "SLEEP of a user who is not logged on: VMR045E, exit status 45"
out=$(xssh maint "$MPW" 'AUTOLOG DEMO1') || fail "AUTOLOG DEMO1: $out"
i=0
until out=$(xssh demo1 "$PW" 'QUERY LINKS 190') && echo "$out" | grep -q 'DEMO1    0190 R/O'; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "QUERY LINKS 190 of the AUTOLOGged DEMO1: $out"
    sleep 0.1
done
ok "QUERY LINKS 190: $out"
out2=$(xssh maint "$MPW" 'QUERY LINKS MAINT 190') || fail "QUERY LINKS MAINT 190: $out2"
[ "$out2" = "$out" ] || fail "MAINT's view of its 190 differs: $out2 / $out"
ok "MAINT (class B and E) sees the same links of its 190"
t0=$(date +%s%N)
out=$(xssh demo1 "$PW" 'SLEEP 2 SEC') || fail "SLEEP 2 SEC: exit $?: $out"
ms=$((($(date +%s%N) - t0) / 1000000))
[ -z "$out" ] || fail "SLEEP 2 SEC said: $out"
[ $ms -ge 2000 ] || fail "SLEEP 2 SEC returned after $ms ms"
ok "SLEEP 2 SEC of a logged-on user: no output, exit status 0, after $ms ms"
out=$(xssh demo1 "$PW" 'SLEEP')
rc=$?
[ $rc -eq 15 ] || fail "SLEEP without a time: exit $rc: $out"
ok "SLEEP without a time from ssh: VMR015E"
ipl_stop
exit 0
