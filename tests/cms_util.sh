#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_util.sh - COMPARE and SORT under `vmrv run`: equal and
# differing files, different lengths, the COL option, missing files and
# bad operands; SORT by one and several fields, stable order, F and V
# files, an existing target and REPLACE, bad fields, an empty file, the
# fields from the program stack (an EXEC), a file of thousands of records
# checked on the host against sort(1), and a file too large for free
# storage or the disk (a clear error, the first file intact, no partial
# second file).
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init

cms_format "$T/a.img" 4096 USR191
cms_format "$T/s.img" 128 MNT190
printf 'zeta 3\nalpha 2\nbeta 1\nalpha 1\n' >"$T/names.txt"
printf 'zeta 3\nalpha 9\nbeta 1\n' >"$T/short.txt"
printf 'zeta 3\nalpha 2\nbeta 1\nalpha 1\n' >"$T/same.txt"
printf 'zeta 3\nALPHA 2\nbeta 1\nalpha 1\n' >"$T/col.txt"
printf 'b 2 x\na 2 y\nb 1 z\na 1 w\na 2 v\n' >"$T/keys.txt"
cms_put "$T/a.img" "$T/names.txt" "NAMES DATA A1"
cms_put "$T/a.img" "$T/col.txt" "COL DATA A1"
cms_put "$T/a.img" "$T/keys.txt" "KEYS DATA A1"
cms_put "$T/s.img" "$T/names.txt" "NAMES DATA S2"
"$VMRV" disk put "$T/a.img" "$T/short.txt" "SHORT DATA A1" --recfm V >/dev/null &&
    "$VMRV" disk put "$T/a.img" "$T/same.txt" "SAMEV DATA A1" --recfm V >/dev/null &&
    "$VMRV" disk put "$T/a.img" "$T/keys.txt" "KEYSV DATA A1" --recfm V >/dev/null &&
    "$VMRV" disk put "$T/a.img" /dev/null "EMPTY DATA A1" --recfm V >/dev/null || {
    echo "FAIL: vmrv disk put"
    exit 1
}
printf "/* sort with the fields from the stack */\nqueue '3 3 1 1'\n'SORT KEYS DATA A BYSTACK = ='\nexit rc\n" \
    >"$T/stk.exec"
"$VMRV" disk put "$T/a.img" "$T/stk.exec" "STKSORT EXEC A1" --recfm V >/dev/null || exit 1
DISKS="--disk 191=$T/a.img --disk 190=$T/s.img:ro"

# ---- COMPARE
# shellcheck disable=SC2086
cms_run compare $DISKS <<'EOS'
compare names data a samev data a
compare names data a names data s
compare names data a short data a
compare short data a names data a
compare names data a col data a
compare names data a col data a (col 6 7
compare names data a col data a (col 1 2
compare names data a col = = (col 6 *
compare names data a col data a (col 6
comp names data a = = s
compare names data a nosuch data a
compare nosuch data a names data a
compare names data a
compare names data a col data a (col 0 3
compare names data a col data a (col 5 3
compare names data a col data a (col
compare names data a col data a (bogus
compare names data a col data a b c
compare na*es data a col data a
EOS
expect compare '^VMC060I Comparing NAMES DATA A1 with SAMEV DATA A1$'
expect compare '^VMC060I Comparing NAMES DATA A1 with NAMES DATA S2$'
expect compare '^VMC061W Files do not compare: 1 of 3 records differ$'
expect compare '^VMC062W File SHORT DATA A1 has only 3 records, NAMES DATA A1 has 4$'
expect compare '^VMC061W Files do not compare: 1 of 4 records differ$'
expect compare '^VMC002E File NOSUCH DATA A not found$'
expect compare '^VMC005E Missing operand: COMPARE fn ft fm fn ft fm$'
expect compare '^VMC004E Invalid parameter 0$'
expect compare '^VMC004E Invalid parameter 3$'
expect compare '^VMC005E Missing operand: COL start column$'
expect compare '^VMC003E Invalid option bogus$'
expect compare '^VMC004E Invalid parameter b$'
expect compare '^VMC016E Invalid file identifier na\*es$'
# both records of a differing pair, the first file's first
if ! grep -A1 -x 'alpha 2' "$T/compare.out" | grep -qx 'alpha 9'; then
    echo "FAIL: compare: the pair alpha 2 / alpha 9 is not typed"
    fail=1
fi
if ! grep -A1 -x 'alpha 2' "$T/compare.out" | grep -qx 'ALPHA 2'; then
    echo "FAIL: compare: the pair alpha 2 / ALPHA 2 is not typed"
    fail=1
fi
expect_rcs compare "0 0 0 1 1 1 0 1 0 0 0 28 28 24 24 24 24 24 24 20"

# ---- SORT
# shellcheck disable=SC2086
cms_run sort $DISKS <<'EOS'
sort names data a byname data a
1 5
type byname data
sort keys data a bytwo data a
3 3 1 1
type bytwo data
sort keysv data a = = b
sort keysv data a bythird = a
5 5
type bythird data
listfile by* data a (format
sort names data a byname data a
sort names data a byname data a (replace
7 7
type byname data
sort names data a = = a (replace
1 1
type names data
sort empty data a empty2 data a
1 10
listfile empty* data a (format
sort names data a bad data a
1
sort names data a bad data a
5 1
sort names data a bad data a
1 x
sort names data a bad data a
0 5
sort names data a bad data a

sort names data a bad data a
1 70000
sort names data a bad data s
sort names data a bad data *
sort nosuch data a bad data a
sort names data a
sort names data a bad data a (bogus
stksort
type bystack data
listfile bad data *
EOS
expect sort '^VMC063R ENTER SORT FIELDS:$'
expect sort '^VMC015E File BYNAME DATA A1 already exists$'
expect sort '^VMC064E Invalid sort field 1: '
expect sort '^VMC064E Invalid sort field x: '
expect sort '^VMC064E Invalid sort field 0: '
expect sort '^VMC064E Invalid sort field 70000: '
expect sort '^VMC005E Missing operand: sort fields$'
expect sort '^VMC006E Disk S \(190\) is accessed read-only$'
expect sort '^VMC007E Filemode B is not accessed$'
expect sort '^VMC028E Invalid filemode \*$'
expect sort '^VMC002E File NOSUCH DATA A not found$'
expect sort '^VMC005E Missing operand: SORT fn ft fm fn ft fm$'
expect sort '^VMC003E Invalid option bogus$'
# RECFM and LRECL as the first file's: F 80 and V
expect sort '^BYNAME   DATA     A1 F    80          4 '
expect sort '^BYTWO    DATA     A1 F    80          5 '
expect sort '^BYTHIRD  DATA     A1 V     5          5 '
expect sort '^EMPTY2   DATA     A1 V     0          0 '
expect_not sort '^BAD '
expect_rcs sort "0 0 0 0 0 36 0 0 0 28 0 0 0 0 0 0 24 24 24 24 24 24 36 20 28 24 24 0 0 28"
# check_output N WANT: what command N of the script typed (the lines
# between the Nth and the next Ready), joined by |
check_output() {
    got=$(awk -v n="$1" '/^Ready/ { k++; if (k > n) exit; next } k == n' "$T/sort.out" |
        tr '\n' '|')
    [ "$got" = "$2" ] || {
        echo "FAIL: sort: command $1 typed: $got (expected $2)"
        fail=1
    }
}
# one field: stable among the equal "alpha" keys (alpha 2 stays first)
check_output 2 "alpha 2|alpha 1|beta 1|zeta 3|"
# two fields, major first; equal keys keep their order (a 2 y before a 2 v)
check_output 4 "a 1 w|b 1 z|a 2 y|a 2 v|b 2 x|"
check_output 7 "a 2 v|a 1 w|b 2 x|a 2 y|b 1 z|"
# REPLACE: by column 7 (a blank past "zeta 3" and "beta 1"); in place by column 1
check_output 11 "zeta 3|beta 1|alpha 1|alpha 2|"
check_output 13 "alpha 2|alpha 1|beta 1|zeta 3|"
# the fields from the stack: the prompt, then nothing more
check_output 27 "VMC063R ENTER SORT FIELDS:|"
check_output 28 "a 1 w|b 1 z|a 2 y|a 2 v|b 2 x|"

# ---- a few thousand records, checked on the host with sort(1): two
# fields, many equal keys (the sequence number shows the order kept)
awk 'BEGIN { srand(11); for (i = 0; i < 4000; i++)
    printf "%02d %-6s %05d\n", int(rand() * 20), substr("qwertyuiopasdfgh", 1 + int(rand() * 10), 6), i }' \
    >"$T/many.txt"
cms_put "$T/a.img" "$T/many.txt" "MANY DATA A1"
# shellcheck disable=SC2086
cms_run many $DISKS <<'EOS'
sort many data a many2 data a
4 9 1 2
listfile many* data a (format
EOS
expect many '^MANY2    DATA     A1 F    80       4000 '
expect_rcs many "0 0 0"
"$VMRV" disk get "$T/a.img" "MANY2 DATA" "$T/many2.txt" >/dev/null 2>&1 || {
    echo "FAIL: vmrv disk get MANY2 DATA"
    fail=1
}
LC_ALL=C sort -s -t '|' -k1.4,1.9 -k1.1,1.2 "$T/many.txt" >"$T/many.want"
cmp -s "$T/many.want" "$T/many2.txt" || {
    echo "FAIL: many: MANY2 DATA differs from sort(1)"
    diff "$T/many.want" "$T/many2.txt" | head -5
    fail=1
}

# ---- larger than private free storage (about 3 MB): sorts in 32M, using
# high free storage; in a 16M machine it does not fit: VMC065E, rc 104,
# the first file intact, no second file, and CMS goes on working
awk 'BEGIN { srand(5); for (i = 0; i < 30000; i++) printf "%08d %089d\n", int(rand() * 1e8), i }' \
    >"$T/big.txt"
"$VMRV" disk put "$T/a.img" "$T/big.txt" "BIG DATA A1" --recfm V >/dev/null || exit 1
# a second disk too small for it: VMC014E, rc 13, and the old BIG2 DATA B
# it was to REPLACE is still there as it was
cms_format "$T/b.img" 128 SMALL
printf 'old contents\n' >"$T/old.txt"
cms_put "$T/b.img" "$T/old.txt" "BIG2 DATA B1"
# shellcheck disable=SC2086
cms_run big $DISKS --disk 192="$T/b.img" <<'EOS'
sort big data a big2 data a
1 8
access 192 b
sort big data a big2 data b (replace
1 8
type big2 data b
EOS
expect big '^VMC014E Disk B \(192\) is full$'
expect big '^old contents$'
expect_rcs big "0 0 0 13 0"
"$VMRV" disk check "$T/b.img" >"$T/check.log" 2>&1 || {
    echo "FAIL: vmrv disk check of the full disk"
    cat "$T/check.log"
    fail=1
}
"$VMRV" disk get "$T/a.img" "BIG2 DATA" "$T/big2.txt" >/dev/null 2>&1
LC_ALL=C sort -s -t '|' -k1.1,1.8 "$T/big.txt" | cmp -s - "$T/big2.txt" || {
    echo "FAIL: big: BIG2 DATA is not the file sorted by columns 1-8"
    fail=1
}
"$VMRV" disk erase "$T/a.img" "BIG2 DATA" >/dev/null
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "%08d %089d\n", 50000 - i, i }' >"$T/huge.txt"
"$VMRV" disk put "$T/a.img" "$T/huge.txt" "HUGE DATA A1" --recfm V >/dev/null || exit 1
# shellcheck disable=SC2086
"$VMRV" run --storage 16M --timeout 60 $DISKS "$CMS_ELF" >"$T/huge.out" 2>&1 <<'EOS'
sort huge data a huge2 data a
1 8
sort names data a after data a
1 5
type after data
EOS
expect huge '^VMC065E Not enough free storage to sort HUGE DATA A1 \(50000 records, '
expect huge '^alpha 2$'
expect_rcs huge "0 104 0 0"
"$VMRV" disk get "$T/a.img" "HUGE DATA" "$T/huge.back" >/dev/null 2>&1
cmp -s "$T/huge.txt" "$T/huge.back" || {
    echo "FAIL: huge: HUGE DATA changed"
    fail=1
}
if "$VMRV" disk list "$T/a.img" "HUGE2 DATA" 2>/dev/null | grep -q HUGE2; then
    echo "FAIL: huge: a HUGE2 DATA was left"
    fail=1
fi
"$VMRV" disk check "$T/a.img" >"$T/check.log" 2>&1 || {
    echo "FAIL: vmrv disk check"
    cat "$T/check.log"
    fail=1
}

# HELP from the S-disk the build makes (cms/maint-190.img)
SDISK=${top_builddir:-.}/cms/maint-190.img
if [ -f "$SDISK" ]; then
    cms_run help --disk 191="$T/a.img" --disk 190="$SDISK":ro <<'EOS'
help
help comp
help sort
EOS
    expect help '^  COMPare   compare two files record by record'
    expect help '^  SORT      sort the records of a file'
    expect help '^COMPARE fn1 ft1 fm1 fn2 ft2 fm2 \[\( COL m \[n\|\*\]\]$'
    expect help '^SORT fn1 ft1 fm1 fn2 ft2 fm2 \[\( REPLACE\]$'
    expect_rcs help "0 0 0 0"
fi
cms_done
