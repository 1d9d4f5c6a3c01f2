#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cmsspool_run.sh - the CMS spool commands without CP (`vmrv run`,
# no spool devices: DIAG 0x014 and 0x1000 answer ENOTSUP): every operand
# error with its message id and return code, a missing file before any
# spool I/O, VMC240E and return code 100 for everything that needs the
# spool, NOTE's input and .QUIT, and the HELP files on the S-disk.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
SDISK=${top_builddir:-.}/cms/maint-190.img
[ -f "$SDISK" ] || { echo "FAIL: $SDISK not built"; exit 1; }
cms_format "$T/a.img" 256 USR191
printf 'one\ntwo\n' >"$T/x.txt"
cms_put "$T/a.img" "$T/x.txt" "X DATA A1"

cms_run sp --disk 191="$T/a.img" --disk 190="$SDISK":ro <<'EOS'
punch
punch x
punch nosuch file
punch x data a (bogus
punch x data
print x data a1
print x data b
sendfile x data
sendfile x data a
sendfile nosuch file bob
sendfile x data averyverylonguserid
sendfile x data bob
receive 12x
receive 1 a
receive 1 a b c d
receive (nope
receive
receive * new file a (replace
readcard
readcard x
readcard *
peek 0
peek (for x
peek
rdrlist extra
rdrlist
disk
disk frob
disk dump
disk load x
disk load (bogus
disk dump x data
note
note bob
first line

.QUIT
note bob
text
.
help sendfile
help receive
help rdrlist
EOS
expect_rcs sp "0 24 24 28 24 100 100 36 24 100 28 24 100 24 24 24 24 100 100 24 24 100 24 24 100 24 100 24 24 24 24 24 100 24 0 100 0 0 0"
expect sp '^VMC005E Missing operand: fn ft \[fm\]'
expect sp '^VMC002E File NOSUCH FILE \* not found'
expect sp '^VMC003E Invalid option bogus'
expect sp '^VMC240E No spool devices in this virtual machine \(no CP\)'
expect sp '^VMC007E Filemode B is not accessed'
expect sp '^VMC245E Cannot send to AVERYVERYLONGUSERID'
expect sp '^VMC004E Invalid parameter 12x'
expect sp '^VMC250I Type the note'
expect sp '^VMC251I Note cancelled, nothing sent'
expect sp '^SENDFILE fn ft \[fm\] \[TO\] userid'
expect sp '^RECEIVE \[spoolid\|\*\]'
expect sp '^  n TRANSFER userid'
expect_not sp 'VMC021T'
cms_done
