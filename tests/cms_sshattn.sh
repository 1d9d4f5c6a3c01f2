#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_sshattn.sh - Ctrl-C over a real SSH terminal (OpenSSH under
# expect, tests/cms_sshattn.exp) reaches CMS through CP as the attention
# key: a running program is stopped typing by HT and resumed by RT, halted
# by HX (back to Ready), and an attention at the Ready prompt changes
# nothing. The test program CRASH MODULE (its "loop" types LOOP n lines
# forever) is put on DEMO1's A-disk with `vmrv disk put` while the system
# is down.
. "${top_srcdir:-.}/tests/e2e_lib.sh"
MODULE=${top_builddir:-.}/tests/guest/cms_crash.module
[ -f "$MODULE" ] || fail "$MODULE not built"

ipl_start
PW=$(pw_of DEMO1)
[ -n "$PW" ] || fail "no first-start password for DEMO1"
ipl_stop
IMG=$T/data/disks/DEMO1.191.img
"$VMRV" disk put "$IMG" "$MODULE" "CRASH MODULE A1" --binary >"$T/put.out" 2>&1 ||
    fail "vmrv disk put: $(cat "$T/put.out")"
ipl_start
run_exp cms_sshattn "$PW" || fail "attention over ssh: $(tail -n 30 "$T/cms_sshattn.out")"
ok "Ctrl-C over ssh: HT stops the typing, RT resumes it, HX halts the program to Ready"
grep -q 'LOOP 3' "$T/cms_sshattn.out" || fail "the program's output never came"
ipl_stop
