#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/stor_e2e.sh - CMS as a shared saved system under CP paging, end to
# end: vmrv ipl with a real storage limit of 64 pages (256 KiB, less than
# one CMS user's private storage at Ready); DEMO1 logs on, EDITs, TYPEs
# and LISTFILEs (tests/e2e_session.exp), logs on again and finds the file,
# then runs an EXEC whose 1 MB of variables must go out and come back.
# The paging file got pages written; a too small limit is refused at start.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

cat >"$T/paging.conf" <<EOC
real_storage = 256K
paging_file = paging.dat
paging_size = 64M
EOC
ipl_start "$T/data" --config "$T/paging.conf"
PW=$(pw_of DEMO1)
run_exp e2e_session "$PW" first || fail "first logon: $(tail -n 30 "$T/e2e_session.out")"
ok "CMS to Ready, EDIT, TYPE, LISTFILE with 64 pages of real storage"
run_exp e2e_session "$PW" reconnect || fail "reconnect: $(tail -n 30 "$T/e2e_session.out")"
ok "reconnect and LOGOFF under paging"
run_exp e2e_session "$PW" bigexec || fail "big EXEC: $(tail -n 30 "$T/e2e_session.out")"
ok "an EXEC's 1 MB of variables intact under 64 pages of real storage"
used=$(du -k "$T/data/paging.dat" | cut -f1)
[ "$used" -gt 0 ] || fail "nothing was paged out (paging.dat uses $used KiB)"
ok "pages went to the paging file ($used KiB)"
ipl_stop
[ ! -e "$T/data/paging.dat" ] || fail "paging.dat left behind after a clean shutdown"
ok "the paging file is removed at shutdown"

printf 'real_storage = 16K\n' >"$T/small.conf"
"$VMRV" ipl --listen 127.0.0.1:0 --data "$T/data" --config "$T/small.conf" \
    >"$T/small.out" 2>&1 </dev/null
[ $? -ne 0 ] || fail "a 4-page real storage limit was accepted"
grep -q 'out of range' "$T/small.out" || fail "no reason given: $(cat "$T/small.out")"
ok "a real storage limit under 64 pages is refused with a reason"
exit 0
