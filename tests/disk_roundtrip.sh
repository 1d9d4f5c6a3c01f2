#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/disk_roundtrip.sh - `vmrv disk put` then `get` gives back exactly
# what went in: binary files byte for byte (as MODULE files are stored),
# text files line for line, from files and through standard input/output.
. "$(dirname "$0")/disk_lib.sh"
img=$work/disk.img
expect 0 "$VMRV" disk format "$img" --size 16M --label MNT190

# Binary: odd sizes, exact multiples of 4096, empty, larger than 1 MiB.
for size in 1 4095 4096 12288 100001 1500000; do
    head -c "$size" /dev/urandom >"$work/in.bin"
    expect 0 "$VMRV" disk put "$img" "$work/in.bin" "B$size MODULE" --binary
    expect 0 "$VMRV" disk get "$img" "B$size MODULE" "$work/out.bin" --binary
    cmp -s "$work/in.bin" "$work/out.bin" || fail "binary round trip of $size bytes"
done
: >"$work/empty"
expect 0 "$VMRV" disk put "$img" "$work/empty" "EMPTY MODULE" --binary
expect 0 "$VMRV" disk get "$img" "EMPTY MODULE" "$work/out.bin" --binary
cmp -s "$work/empty" "$work/out.bin" || fail "empty binary file"
# Other record lengths, and RECFM F when the size allows it.
head -c 30000 /dev/urandom >"$work/in.bin"
expect 0 "$VMRV" disk put "$img" "$work/in.bin" "SMALL RECS" --binary --lrecl 7
expect 0 "$VMRV" disk get "$img" "SMALL RECS" "$work/out.bin" --binary
cmp -s "$work/in.bin" "$work/out.bin" || fail "binary with LRECL 7"
expect 0 "$VMRV" disk put "$img" "$work/in.bin" "FIXED RECS" --binary --recfm F --lrecl 1000
expect 0 "$VMRV" disk get "$img" "FIXED RECS" - --binary
cmp -s "$work/in.bin" "$work/out" || fail "binary RECFM F to standard output"
expect 0 "$VMRV" disk list "$img" "FIXED RECS"
contains "$work/out" "FIXED    RECS     A1 F  1000         30          9 "
# A size that is not whole records: refused, the old file kept.
head -c 30001 /dev/urandom >"$work/odd.bin"
expect 15 "$VMRV" disk put "$img" "$work/odd.bin" "FIXED RECS" --binary --recfm F --lrecl 1000
contains "$work/err" "not a multiple of LRECL 1000"
expect 0 "$VMRV" disk get "$img" "FIXED RECS" "$work/out.bin" --binary
cmp -s "$work/in.bin" "$work/out.bin" || fail "old file changed by a failed put"

# Text: empty lines, a long line, no newline at the end (get adds it).
{
    echo "/* PROFILE EXEC */"
    echo ""
    awk 'BEGIN { s = ""; for (i = 0; i < 5000; i++) s = s "x"; print s }'
    printf '  indented with trailing blanks   \n'
    printf 'last line'
} >"$work/in.txt"
expect 0 "$VMRV" disk put "$img" "$work/in.txt" "profile exec"
expect 0 "$VMRV" disk get "$img" "PROFILE EXEC" "$work/out.txt"
{ cat "$work/in.txt"; echo; } | cmp -s - "$work/out.txt" || fail "text round trip"
expect 0 "$VMRV" disk list "$img" "PROFILE EXEC"
contains "$work/out" "PROFILE  EXEC     A1 V  5000          5          3 "
# RECFM F pads with blanks; get takes the padding off again.
printf 'ONE\nTWO 2\n\nFOUR\n' >"$work/cards.txt"
expect 0 "$VMRV" disk put "$img" "$work/cards.txt" "CARDS DATA A2" --recfm F --lrecl 80
expect 0 "$VMRV" disk get "$img" "CARDS DATA" "$work/out.txt"
cmp -s "$work/cards.txt" "$work/out.txt" || fail "RECFM F text round trip"
expect 0 "$VMRV" disk list "$img" "CARDS"
contains "$work/out" "CARDS    DATA     A2 F    80          4          1 "
# Standard input in, standard output out.
printf 'from\nstdin\n' | "$VMRV" disk put "$img" - "PIPE TEXT" || fail "put from standard input"
expect 0 "$VMRV" disk get "$img" "pipe text" -
printf 'from\nstdin\n' | cmp -s - "$work/out" || fail "get to standard output"
# A line longer than LRECL: refused with its line number.
printf 'short\n%s\n' "$(awk 'BEGIN { for (i = 0; i < 90; i++) printf "y" }')" >"$work/long.txt"
expect 15 "$VMRV" disk put "$img" "$work/long.txt" "LONG TEXT" --recfm F --lrecl 80
contains "$work/err" "line 2 is 90 bytes, longer than LRECL 80"
expect 28 "$VMRV" disk get "$img" "LONG TEXT" -

expect 0 "$VMRV" disk check "$img"
contains "$work/out" "consistent"
finish
