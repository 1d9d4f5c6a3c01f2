#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_xedit.sh - XEDIT sessions in line mode: :n, =, ?, DOWN and D,
# -/str/ and LOCATE -/str/, QUERY, SET VERIFY/NUMBER/CASE, DUPLICAT, ALL,
# GET, CMS (and XEDIT nested in it, up to the limit), CHANGE with a count
# per line, QUIT refused while changed, QQUIT, SAVE and FILE; EDIT's
# subcommands in XEDIT; a read-only file filed elsewhere; bad input; an
# EXEC that queues subcommands and calls XEDIT.
# Then the files on disk: their records, RECFM and LRECL, and a file
# XEDIT wrote byte for byte equal to the one EDIT wrote.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init

cms_format "$T/a.img" 256 USR191
cms_format "$T/s.img" 64 MNT190
printf 'alpha one\nBeta two\ngamma three\ndelta four\n' >"$T/t.txt"
cms_put "$T/a.img" "$T/t.txt" "T FILE A1"
cms_put "$T/a.img" "$T/t.txt" "KEEP FILE A1"
printf 'included 1\nincluded 2\n' >"$T/inc.txt"
cms_put "$T/a.img" "$T/inc.txt" "INC FILE A1"
printf 'v one\nv two\n' >"$T/v.txt"
"$VMRV" disk put "$T/a.img" "$T/v.txt" "V DATA A1" --recfm V >"$T/disk.log" 2>&1 ||
    { echo "FAIL: disk put V DATA"; cat "$T/disk.log"; exit 1; }
printf 'a banana\nsalad bar\n' >"$T/w.txt"
for f in "W1 DATA A1" "W2 DATA A1"; do
    "$VMRV" disk put "$T/a.img" "$T/w.txt" "$f" --recfm F --lrecl 40 >"$T/disk.log" 2>&1 ||
        { echo "FAIL: disk put $f"; cat "$T/disk.log"; exit 1; }
done
printf 'hello world\n' >"$T/sys.txt"
cms_put "$T/s.img" "$T/sys.txt" "SYS FILE S2"

cms_run xedit --disk 191="$T/a.img" --disk 190="$T/s.img":ro <<'EOS'
xedit t file
=
?
:3
=
?
:0
:7
:x
down 2
d
-/alpha/
l -/nothing/
type
frobnicate
query size line recfm lrecl fname ftype fmode
q bogus
query
set number on
n
set verify off
n
q verify number
set verify on
set number off
set case upper
i added line
q case
set case mixed ignore
top
/BETA/
c /TWO/2/
set case mixed respect
top
/BETA/
set case sideways
set verify maybe
set zoom on
:4
dup 2
dup 0
:0
dup
all /a/
all /zzz/
:7
get inc file
get nosuch file
get
cms listfile t file a
cms erase nosuch file a
cms
:3
c /m/M/ 1 1
c /e/E/ 1 2
c /x/y/ 1 q
quit
save
quit
xedit v data
bottom
input
typed one
typed two

up 1
replace typed ONE
top
next
delete 1
change /t/T/ * g
file
x keep file
delete *
quit
qquit
x sys file s
c /hello/bye/
file
file sys file a
xedit w1 data
c /a/A/ * *
file
edit w2 data
c /a/A/ * *
file
xedit inc file
cms xedit t file
cms xedit v data
cms xedit keep file
cms xedit w1 data
:1
qquit
qquit
qquit
qquit
xedit
xedit onlyname
xedit a b c d
xedit * file
EOS

# the :n line pointer, = and ?
expect_order xedit '^VMC108I XEDIT:$' '^VMC115E .*repeat' '^VMC115E .*show' \
    '^gamma three$' '^gamma three$' '^:3$' '^VMC102I TOF:$' \
    '^VMC114E Line 7 is not in the file \(4 lines\)$' '^VMC109E Invalid operand :x$'
# DOWN, D, -/str/, a target not found leaves the pointer
expect_order xedit '^VMC109E Invalid operand :x$' '^Beta two$' '^gamma three$' '^alpha one$' \
    '^VMC103E Not found: nothing$' '^alpha one$' '^VMC104E Invalid XEDIT subcommand FROBNICATE$'
# QUERY
expect_order xedit '^SIZE 4$' '^LINE 1$' '^RECFM F$' '^LRECL 80$' '^FNAME T$' '^FTYPE FILE$' \
    '^FMODE A1$' '^VMC109E Invalid operand bogus$' '^VMC109E Invalid operand \(none\)$'
# SET NUMBER, VERIFY, CASE
expect_order xedit '^FMODE A1$' '^00002 Beta two$' '^VERIFY OFF$' '^NUMBER ON$' \
    '^CASE UPPER RESPECT$' '^Beta two$' '^Beta 2$' '^VMC103E Not found: BETA$' \
    '^VMC109E Invalid operand sideways$' '^VMC109E Invalid operand maybe$' \
    '^VMC109E Invalid operand zoom$'
# VERIFY OFF: the NEXT after it types nothing
if [ "$(grep -A1 '^00002 Beta two$' "$T/xedit.out" | tail -n 1)" != "VERIFY OFF" ]; then
    echo "FAIL: xedit: NEXT typed a line with VERIFY OFF"
    fail=1
fi
expect_not xedit '^added line$'
# DUPLICAT, ALL, GET, CMS
expect_order xedit '^VMC109E Invalid operand zoom$' '^ADDED LINE$' '^ADDED LINE$' \
    '^VMC109E Invalid operand 0$' '^VMC117E ' '^00001 alpha one$' '^00002 Beta 2$' \
    '^00003 gamma three$' '^00007 delta four$' '^VMC116I 4 line\(s\) contain a$' '^VMC103E Not found: zzz$' \
    '^VMC120I 2 line\(s\) added from INC FILE A1$' '^included 2$' \
    '^VMC002E File NOSUCH FILE \* not found$' '^VMC109E Invalid operand \(none\)$' \
    '^T +FILE +A1$' '^VMC002E File NOSUCH FILE A not found$' \
    '^VMC118W ERASE ended with return code 28$' '^VMC109E Invalid operand \(none\)$'
# CHANGE with a count per line; QUIT refused; SAVE; QUIT
expect_order xedit '^VMC118W ERASE' '^gaMma three$' '^gaMma thrEE$' '^VMC109E Invalid operand Q$' \
    '^VMC113E ' '^VMC105I File T FILE A1 saved, 9 records$'
# EDIT's subcommands in XEDIT, on a RECFM V file
expect_order xedit '^VMC105I File T FILE A1' '^v two$' '^VMC107I INPUT:$' '^VMC108I XEDIT:$' \
    '^typed one$' '^v one$' '^v two$' '^v Two$' '^Typed ONE$' '^Typed Two$' \
    '^VMC112I 4 occurrence\(s\) changed in 3 line\(s\)$'
# QUIT after DELETE * is refused; a read-only file is filed elsewhere
expect_order xedit '^VMC112I 4 occurrence' '^VMC101I EOF:$' '^VMC113E ' '^bye world$' \
    '^VMC006E Disk S \(190\) is accessed read-only'
# nested XEDITs through CMS, up to the limit of 4
expect_order xedit '^VMC006E' '^VMC108I XEDIT:$' '^VMC108I XEDIT:$' '^VMC108I XEDIT:$' \
    '^VMC108I XEDIT:$' '^VMC119E XEDIT not run: nested too deeply \(4 at most\)$' \
    '^VMC118W XEDIT ended with return code 104$' '^alpha one$'
expect xedit '^VMC005E Missing operand: XEDIT filename$'
expect xedit '^VMC005E Missing operand: XEDIT filetype$'
expect xedit '^VMC004E Invalid parameter d$'
expect xedit '^VMC016E Invalid file identifier \*$'
expect_not xedit 'VMC021T|VMC000S'
expect_rcs xedit "0 0 0 0 0 0 0 0 24 24 24 20"

# what XEDIT filed, as CMS sees it
# and an EXEC that stacks subcommands for XEDIT, as EXECs do
printf "/* */\nqueue ':2'\nqueue 'c /2/two/'\nqueue 'file'\n'XEDIT INC FILE A'\nsay 'rc' rc\n" \
    >"$T/mac.txt"
"$VMRV" disk put "$T/a.img" "$T/mac.txt" "MAC EXEC A1" --recfm V >"$T/disk.log" 2>&1 ||
    { echo "FAIL: disk put MAC EXEC"; cat "$T/disk.log"; exit 1; }
cms_run after --disk 191="$T/a.img" <<'EOS'
type t file
type v data
type keep file
type sys file a
listfile * * a (format
mac
type inc file
EOS
expect_order after '^alpha one$' '^Beta 2$' '^gaMma thrEE$' '^ADDED LINE$' '^ADDED LINE$' \
    '^ADDED LINE$' '^delta four$' '^included 1$' '^included 2$' \
    '^v Two$' '^Typed ONE$' '^Typed Two$' \
    '^alpha one$' '^Beta two$' '^gamma three$' '^delta four$' '^bye world$'
expect after '^T +FILE +A1 F +80 +9 '
expect after '^V +DATA +A1 V +9 +3 '
expect after '^W1 +DATA +A1 F +40 +2 '
expect after '^W2 +DATA +A1 F +40 +2 '
expect_order after '^MAC +EXEC' '^VMC108I XEDIT:$' '^included two$' '^rc 0$' '^included 1$' \
    '^included two$'
expect_rcs after "0 0 0 0 0 0 0 0"

# XEDIT writes a file exactly as EDIT does: the same change, the same bytes
"$VMRV" disk get "$T/a.img" "W1 DATA" "$T/w1.bin" --binary >"$T/disk.log" 2>&1 &&
    "$VMRV" disk get "$T/a.img" "W2 DATA" "$T/w2.bin" --binary >>"$T/disk.log" 2>&1 ||
    { echo "FAIL: disk get"; cat "$T/disk.log"; fail=1; }
if ! cmp -s "$T/w1.bin" "$T/w2.bin"; then
    echo "FAIL: W1 DATA (XEDIT) and W2 DATA (EDIT) differ"
    fail=1
fi
if [ "$(wc -c <"$T/w1.bin")" -ne 80 ] ||
    [ "$(head -c 40 "$T/w1.bin")" != "$(printf '%-40s' 'A bAnAnA')" ]; then
    echo "FAIL: W1 DATA is not two F 40 records:"; od -c "$T/w1.bin" | head
    fail=1
fi
"$VMRV" disk check "$T/a.img" >"$T/check.log" 2>&1 ||
    { echo "FAIL: vmrv disk check:"; cat "$T/check.log"; fail=1; }
cms_done
