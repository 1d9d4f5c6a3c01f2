#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e_opcon.sh - the system console: when standard input is a
# terminal, each line typed at vmrv ipl is a CP command run as OPERATOR,
# and SHUTDOWN there stops the system with exit status 0.  (With standard
# input not a terminal, as in the other e2e tests, nothing is read.)
. "${top_srcdir:-.}/tests/e2e_lib.sh"

cat >"$T/opcon.exp" <<'EXP'
set timeout 60
lassign $argv vmrv data
spawn $vmrv ipl --listen 127.0.0.1:0 --data $data
expect {
    "This terminal is the system console" {}
    timeout { puts "EXPECT FAIL: no console notice"; exit 1 }
}
expect "ready: listening"
send "query names\r"
expect {
    -re {AUTOLOG1 +- DSC} {}
    timeout { puts "EXPECT FAIL: QUERY NAMES"; exit 1 }
}
send "query privclas\r"
expect {
    -re {[Cc]lass.*A} {}
    timeout { puts "EXPECT FAIL: OPERATOR's classes"; exit 1 }
}
send "shutdown\r"
expect {
    eof {}
    timeout { puts "EXPECT FAIL: SHUTDOWN did not stop the system"; exit 1 }
}
catch wait result
puts "\nEXIT [lindex $result 3]"
exit [lindex $result 3]
EXP
expect "$T/opcon.exp" "$VMRV" "$T/data" >"$T/opcon.out" 2>&1 ||
    fail "the system console: $(tail -n 20 "$T/opcon.out")"
ok "commands typed at the system console run as OPERATOR; SHUTDOWN exits 0"
grep -Eq 'SHUTDOWN +- +by OPERATOR' "$T/data/audit.log" || fail "no SHUTDOWN by OPERATOR in the audit trail"
ok "the audit trail says who shut down"
exit 0
