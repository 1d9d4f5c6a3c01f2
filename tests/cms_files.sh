#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_files.sh - the file and disk commands of CMS, normal and error
# paths: LISTFILE, TYPE, COPYFILE, RENAME, ERASE, STATE, ACCESS, RELEASE,
# FORMAT, QUERY DISK; and that the files are really on the disk image
# afterwards (a second IPL sees them).
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init

cms_format "$T/a.img" 512 USR191
cms_format "$T/s.img" 128 MNT190
printf 'hello world\nline two\n' >"$T/t.txt"
cms_put "$T/a.img" "$T/t.txt" "TEST DATA A1"
cms_put "$T/s.img" "$T/t.txt" "SYS FILE S2"
dd if=/dev/zero of="$T/b.img" bs=4096 count=128 2>/dev/null
DISKS="--disk 191=$T/a.img --disk 190=$T/s.img:ro --disk 192=$T/b.img"

# shellcheck disable=SC2086
cms_run files $DISKS <<'EOS'
listfile
listfile * * * (format header
type test data
type test data a 2
type test data a 1 1
type test data * 3
type test data a x
type sys file
type nosuch file
type
type test
copyfile test data a copy data a
copyfile test data a copy data a
copyfile test data a copy data a (replace
copyfile test data a copy data a (append
type copy data
copyfile test data a = data2 =
listfile * data* a
copyfile * data a = old =
listfile * old a
copyfile test data a x y s
copyfile nosuch data a x y a
copyfile test data a test data a
copyfile test data a f5 data a (recfm f lrecl 5
type f5 data
copyfile test data a z z (bogus
rename test data a t2 data a
rename t2 data a copy data a
rename nosuch data a x y a
rename t2 data a x y s
rename t2 data
state t2 data
state t2 data s
state nosuch data
state * old a
erase * old a
listfile * old a
erase nosuch file a
erase sys file s
erase t2
access 192 b
format 192 b
yes
q disk b
copyfile t2 data a = = b
listfile * * b (label
release b
listfile * * b
release 192
format 190 s
format 191 a
no
access 191 z
q search
access 191 a
access 999 c
access xyz a
access 191 1
access 191
EOS
expect files '^TEST     DATA     A1$'
expect files '^FILENAME FILETYPE FM F LRECL'
expect files '^SYS      FILE     S2 F    80          2'
expect files '^hello world$'
expect files '^line two$'
expect files '^VMC004E Invalid parameter x'
expect files '^VMC002E File NOSUCH FILE \* not found'
expect files '^VMC005E Missing operand: TYPE filename'
expect files '^VMC005E Missing operand: TYPE filetype'
expect files '^VMC015E File COPY DATA A1 already exists'
expect files '^TEST     DATA2    A1$'
expect files '^COPY     OLD      A1$'
expect files '^VMC006E Disk S \(190\) is accessed read-only'
expect files '^VMC029E Source and target are the same file'
expect files '^VMC034W Record 2 of F5 DATA A1 truncated to 5 bytes'
expect files '^hello$'
expect files '^VMC003E Invalid option bogus'
expect files '^VMC015E File COPY DATA A already exists'
expect files '^VMC011W Disk 192 is not formatted'
expect files '^VMC024R FORMAT will erase all files on disk B \(192\)'
expect files '^VMC025I Disk B \(192\) formatted: label VMR192, 128 blocks'
expect files '^T2       DATA     B1 VMR192$'
expect files '^VMC007E Filemode B is not accessed'
expect files '^VMC043E Disk 192 is not accessed'
expect files '^VMC038I FORMAT cancelled'
expect files '^USR191 191  Z  R/W$'
expect files '^VMC009E Device 999 does not exist'
expect files '^VMC008E Invalid device address xyz'
expect files '^VMC028E Invalid filemode 1'
expect_rcs files "0 0 0 0 0 0 0 24 0 28 24 24 0 28 0 0 0 0 0 0 0 36 28 24 0 0 24 0 28 28 24 24 0 28 28 0 0 28 28 36 24 100 0 0 0 0 0 36 36 36 0 0 0 0 100 24 24 24"

# the files are on the image: a second IPL sees them
# shellcheck disable=SC2086
cms_run again $DISKS <<'EOS'
listfile * * a
type copy data
EOS
expect again '^COPY     DATA     A1$'
expect again '^T2       DATA     A1$'
expect_not again 'OLD '
expect_rcs again "0 0 0"
cms_done
