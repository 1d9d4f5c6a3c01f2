#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_ipl.sh - CMS IPL: the version line, ACCESS of 191/190/19E,
# the Ready message and its timing fields, an unformatted A-disk, PROFILE
# EXEC, implied CP and unknown commands, QUERY and SET, TELL without CP.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init

cms_format "$T/a.img" 256 USR191
cms_format "$T/s.img" 256 MNT190
cms_format "$T/y.img" 64 MNT19E
printf 'a note\n' >"$T/note.txt"
cms_put "$T/s.img" "$T/note.txt" "SYSNOTE TEXT S2"
cms_put "$T/y.img" "$T/note.txt" "YNOTE TEXT Y2"

cms_run ipl --disk 191="$T/a.img" --disk 190="$T/s.img":ro --disk 19E="$T/y.img":ro <<'EOS'
query disk
q search
query cmslevel
nosuchcmd with words
set impcp off
query impcp
set impcp on
q impcp
set impex off
q impex
set bogus on
set impcp sideways
set rdymsg smsg
q disk a
set rdymsg lmsg
listfile * * *
query
query disk q
cp
help
help type
help nosuch
tell
tell maint
tell maint Hello there
EOS
expect ipl '^VM/RV CMS [0-9]+\.[0-9]+\.[0-9]+  [0-9]{4}-[0-9]{2}-[0-9]{2}$'
expect ipl '^Ready; T=[0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
expect ipl '^USR191 0191 A  R/W '
expect ipl '^MNT190 0190 S  R/O '
expect ipl '^MNT19E 019E Y  R/O '
expect ipl '^USR191 191  A  R/W$'
expect ipl '^VM/RV CMS [0-9.]+$'
expect ipl '^VMC001E Unknown CP/CMS command NOSUCHCMD'
expect ipl '^IMPCP = OFF$'
expect ipl '^IMPCP = ON$'
expect ipl '^IMPEX = OFF$'
expect ipl '^VMC004E Invalid parameter bogus'
expect ipl '^VMC004E Invalid parameter sideways'
expect ipl '^SYSNOTE  TEXT     S2$'
expect ipl '^YNOTE    TEXT     Y2$'
expect ipl '^VMC005E Missing operand'
expect ipl '^VMC007E Filemode Q is not accessed'
expect ipl '^  Listfile '
expect ipl '^TYPE fn ft'
expect ipl '^VMC026E No help for nosuch'
expect ipl '^VMC005E Missing operand: userid$'
expect ipl '^VMC005E Missing operand: message$'
expect ipl '^VMC031E CP command failed: no CP in this virtual machine$'
expect_not ipl 'VMC011W'
expect_rcs ipl "0 0 0 0 -3 0 0 0 0 0 0 24 24 0 0 0 0 24 36 24 0 0 28 24 24 -3"

# no disks at all; then an unformatted A-disk
cms_run nodisk <<'EOS'
q disk
listfile
hx
rt
EOS
expect nodisk '^No disks accessed$'
expect nodisk '^VMC007E Filemode A is not accessed'
expect_rcs nodisk "0 0 36 0 0"

: >"$T/blank.img"
dd if=/dev/zero of="$T/blank.img" bs=4096 count=64 2>/dev/null
cms_run blank --disk 191="$T/blank.img" <<'EOS'
q disk
EOS
expect blank '^VMC011W Disk 191 is not formatted; enter FORMAT 191 A to format it'
expect_rcs blank "0 0"

# PROFILE EXEC runs at IPL, before the first Ready (the EXEC processor,
# cms/exec/); typed as a command it runs again and EXIT gives the rc
printf "/* profile */\nsay 'PROFILE ran'\nexit 3\n" >"$T/profile.exec"
cms_put "$T/a.img" "$T/profile.exec" "PROFILE EXEC A1"
cms_run profile --disk 191="$T/a.img" <<'EOS'
profile
EOS
expect profile '^PROFILE ran$'
expect_not profile '^VMC042I|^VMC030E'
if [ "$(head -3 "$T/profile.out" | sed -n 2p)" != "PROFILE ran" ]; then
    echo "FAIL: profile: PROFILE EXEC did not run before the first Ready"
    fail=1
fi
expect_rcs profile "0 3"

# the S-disk the build makes (cms/maint-190.img): HELP files and HELLO
SDISK=${top_builddir:-.}/cms/maint-190.img
if [ -f "$SDISK" ]; then
    cms_run sdisk --disk 191="$T/a.img" --disk 190="$SDISK":ro <<'EOS'
help
help acc
h listfile
hello from s
EOS
    expect sdisk '^HELP: what CMS can do for you$'
    expect sdisk '^ACCESS vaddr mode$'
    expect sdisk '^LISTFILE \[fn \[ft \[fm\]\]\] \[\( options\]$'
    expect sdisk '^Hello from HELLO, a CMS program, with 2 argument'
    expect_rcs sdisk "0 0 0 0 0"
fi
cms_done
