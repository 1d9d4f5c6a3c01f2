#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_filelist.sh - FILELIST in line mode: the numbered list with its
# columns, numbered commands (TYPE, COPYFILE with /, ERASE, STATE and
# COPYFILE with /n /t /m, XEDIT), a CMS command without a number, LIST
# after changes, bad line numbers and a number without a command, a
# command that fails (its rc shown and returned), a read-only disk,
# QUIT and the empty line; /o; FILELIST nested to the limit; bad operands;
# HELP from the built S-disk.
# Then the files on disk.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
SDISK=${top_builddir:-.}/cms/maint-190.img
if [ ! -f "$SDISK" ]; then
    echo "FAIL: $SDISK not built"
    exit 1
fi

cms_format "$T/a.img" 256 USR191
cp "$SDISK" "$T/s.img"
printf 'first line\nsecond line\n' >"$T/alpha.txt"
cms_put "$T/a.img" "$T/alpha.txt" "ALPHA DATA A1"
printf 'beta one\n' >"$T/beta.txt"
"$VMRV" disk put "$T/a.img" "$T/beta.txt" "BETA DATA A1" --recfm V >"$T/disk.log" 2>&1 ||
    { echo "FAIL: disk put BETA DATA"; cat "$T/disk.log"; exit 1; }
printf 'gamma\n' >"$T/gamma.txt"
cms_put "$T/a.img" "$T/gamma.txt" "GAMMA NOTES A1"
cms_put "$T/s.img" "$T/gamma.txt" "SYS FILE S2"

DT='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
cms_run fl --disk 191="$T/a.img" --disk 190="$T/s.img":ro <<'EOS'
filelist
1 type
2 type
2 copyfile / = copy =
list
3 erase
3 type
9 type
0 type
1x type
1
1 state /n /t /m
1 copyfile /n /t /m /n new /M
listfile * * a
1 xedit
c /first/FIRST/
file
quit
filel alpha *
q
filelist * * s
1 erase

filelist
1 state /o nosuch file a
filelist
filelist
filelist
filelist




filelist nosuch
filelist (foo
filelist a b c d
filelist * * 9
help filelist
help xedit
EOS
# the list: a header, then numbered lines with format, LRECL, records,
# blocks, date and time; the prompt
expect_order fl '^  #  FILENAME FILETYPE FM FORMAT LRECL   RECORDS BLOCKS DATE       TIME$' \
    "^  1  ALPHA    DATA     A1 F         80         2      1 $DT" \
    "^  2  BETA     DATA     A1 V          8         1      1 $DT" \
    "^  3  GAMMA    NOTES    A1 F         80         1      1 $DT" \
    '^VMC150I ' '^first line$' '^second line$' '^beta one$'
# "/" became "BETA DATA A1": the copy is in the new list; line 3 is erased
expect_order fl '^beta one$' '^  #  FILENAME' '^  1  ALPHA    DATA ' '^  2  BETA     COPY     A1 V ' \
    '^  3  BETA     DATA ' '^  4  GAMMA    NOTES ' \
    '^VMC002E File BETA DATA A1 not found$' '^VMC118W TYPE ended with return code 28$' \
    '^VMC151E No line 9 in the file list$' '^VMC151E No line 0 in the file list$' \
    '^VMC151E No line 1x in the file list$' '^VMC005E Missing operand: command for line 1$'
# a CMS command without a number; XEDIT by number
expect_order fl '^VMC005E Missing' '^ALPHA +DATA +A1$' '^ALPHA +NEW +A1$' '^BETA +COPY +A1$' \
    '^GAMMA +NOTES +A1$' '^VMC108I XEDIT:$' '^FIRST line$'
expect_not fl '^BETA +DATA +A1$'
# a pattern; a read-only disk: the failure's rc is shown and returned
expect_order fl '^FIRST line$' '^  #  FILENAME' '^  1  ALPHA    DATA ' '^  2  ALPHA    NEW ' \
    '^  1  ' '^VMC006E Disk S \(190\) is accessed read-only' \
    '^VMC118W ERASE ended with return code 36$'
# /o: nothing in its place and nothing added; FILELIST nests four deep
expect_order fl '^VMC118W ERASE ended with return code 36$' '^VMC150I ' \
    '^VMC002E File NOSUCH FILE A not found$' '^VMC118W STATE ended with return code 28$' \
    '^VMC150I ' '^VMC150I ' '^VMC150I ' '^VMC119E FILELIST not run: nested too deeply \(4 at most\)$' \
    '^VMC118W FILELIST ended with return code 104$' '^VMC118W FILELIST ended with return code 104$' \
    '^VMC118W FILELIST ended with return code 104$' '^VMC118W FILELIST ended with return code 104$'
expect fl '^VMC002E File NOSUCH \* A not found$'
expect fl '^VMC003E Invalid option foo$'
expect fl '^VMC004E Invalid parameter d$'
expect fl '^VMC028E Invalid filemode 9$'
expect fl '^FILELIST \[fn \[ft \[fm\]\]\]$'
expect fl '^XEDIT fn ft \[fm\]'
expect_not fl 'VMC021T|VMC000S|VMC104E'
expect_rcs fl "0 0 0 36 104 28 24 24 20 0 0"

# what the commands did, as CMS sees it
cms_run after --disk 191="$T/a.img" <<'EOS'
type alpha data
type alpha new
type beta copy
state beta data
listfile * * a (format
EOS
expect_order after '^FIRST line$' '^second line$' '^first line$' '^second line$' '^beta one$' \
    '^VMC002E File BETA DATA \* not found$'
expect after '^ALPHA +DATA +A1 F +80 +2 '
expect after '^ALPHA +NEW +A1 F +80 +2 '
expect after '^BETA +COPY +A1 V +8 +1 '
expect_rcs after "0 0 0 0 28 0"
"$VMRV" disk check "$T/a.img" >"$T/check.log" 2>&1 ||
    { echo "FAIL: vmrv disk check:"; cat "$T/check.log"; fail=1; }
cms_done
