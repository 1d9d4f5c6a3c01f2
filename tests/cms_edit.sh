#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_edit.sh - EDIT sessions: input mode, the current line pointer
# (TOP, BOTTOM, NEXT, UP, LOCATE), CHANGE with counts and G, DELETE,
# REPLACE, TYPE, FILE, SAVE, QUIT (with its warning), QQUIT, a read-only
# file filed elsewhere, and errors; then the files as they are on disk.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init

cms_format "$T/a.img" 256 USR191
cms_format "$T/s.img" 64 MNT190
printf 'hello world\nline two\n' >"$T/t.txt"
cms_put "$T/s.img" "$T/t.txt" "SYS FILE S2"

cms_run edit --disk 191="$T/a.img" --disk 190="$T/s.img":ro <<'EOS'
edit new file a
input first line
input second line
i third line
top
next
type *
top
next 2
change /line/LINE/
up 1
locate /third/
c/third/3rd/
bottom
input
inserted one
inserted two

top
n
change /e/E/ * g
top
delete 1
type *
file
type new file a
listfile new file a (format
edit new file a
n 3
replace replaced line
quit
quit
type new file a
edit new file
delete *
qquit
edit new file a
bottom
input last line
save
quit
type new file a
edit sys file s
change /hello/bye/
file
file sys file a
type sys file a
type sys file s
edit x y
frobnicate
locate /nothing/
change /a/b/ 3 x
next 0
quit
edit
edit onlyname
edit a b c d
EOS
expect edit '^VMC100I NEW FILE:$'
expect edit '^VMC108I EDIT:$'
expect edit '^VMC102I TOF:$'
expect edit '^VMC101I EOF:$'
expect edit '^second LINE$'
expect edit '^3rd line$'
expect edit '^VMC107I INPUT:$'
expect edit '^insErtEd onE$'
expect edit '^VMC112I 8 occurrence\(s\) changed in 5 line\(s\)$'
expect edit '^NEW      FILE     A1 F    80          4      1$'
expect edit '^VMC106W File changed'
expect edit '^VMC105I File NEW FILE A1 saved, 5 records$'
expect edit '^last line$'
expect edit '^bye world$'
expect edit '^VMC006E Disk S \(190\) is accessed read-only'
expect edit '^hello world$'
expect edit '^VMC104E Invalid EDIT subcommand FROBNICATE'
expect edit '^VMC103E Not found: nothing'
expect edit '^VMC109E Invalid operand X'
expect edit '^VMC109E Invalid operand 0'
expect edit '^VMC005E Missing operand: EDIT filename'
expect edit '^VMC005E Missing operand: EDIT filetype'
expect edit '^VMC004E Invalid parameter d'
expect_not edit '^replaced line'
expect_rcs edit "0 0 0 0 0 0 0 0 0 0 0 0 0 24 24 24"

# what EDIT filed is on the disk
cms_run after --disk 191="$T/a.img" <<'EOS'
type new file a
type sys file a
EOS
expect after '^sEcond LINE$'
expect after '^3rd linE$'
expect after '^insErtEd two$'
expect after '^last line$'
expect after '^bye world$'
expect_rcs after "0 0 0"
cms_done
