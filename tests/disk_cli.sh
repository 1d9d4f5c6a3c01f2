#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/disk_cli.sh - `vmrv disk`: help, format, list, info, erase, rename,
# check, and the errors and exit codes of each (2 usage, 1 host trouble,
# else the CMS return code: 28 not found, 20 bad name, ...).
. "$(dirname "$0")/disk_lib.sh"
img=$work/disk.img

# Help and usage.
expect 0 "$VMRV" disk --help
for c in format list put get erase rename info check; do
    contains "$work/out" "vmrv disk $c"
done
expect 2 "$VMRV" disk
expect 2 "$VMRV" disk frobnicate
contains "$work/err" "unknown command 'frobnicate'"
expect 0 "$VMRV" disk put --help
contains "$work/out" "--binary"
expect 2 "$VMRV" disk list
expect 2 "$VMRV" disk list "$img" a b
expect 2 "$VMRV" disk list "$img" --size 1M
contains "$work/err" "unknown option '--size'"

# FORMAT.
expect 2 "$VMRV" disk format "$img"
contains "$work/err" "--size is required"
expect 2 "$VMRV" disk format "$img" --size 12Q
expect 2 "$VMRV" disk format "$img" --size 5000
expect 2 "$VMRV" disk format "$img" --size 8k
expect 2 "$VMRV" disk format "$img" --size 4M --label TOOLONG
[ -e "$img" ] && fail "a failed format left $img"
expect 0 "$VMRV" disk format "$img" --size=4M --label=MNT19E
contains "$work/out" "label MNT19E, 1024 blocks"
[ "$(wc -c <"$img")" -eq 4194304 ] || fail "image size"
used=$(du -k "$img" | cut -f1)
[ "$used" -lt 1024 ] || fail "image is not sparse ($used KiB)"
expect 1 "$VMRV" disk format "$img" --size 4M
contains "$work/err" "use --force"
expect 0 "$VMRV" disk format "$img" --size 4M --label MNT190 --force

# INFO, LIST of an empty disk.
expect 0 "$VMRV" disk info "$img"
contains "$work/out" "label       MNT190"
contains "$work/out" "1024 total, 3 used, 1021 free"
contains "$work/out" "files       0"
expect 28 "$VMRV" disk list "$img"

# Files, and LIST with patterns.
printf 'say hi\n' >"$work/a"
for f in "PROFILE EXEC" "HELLO EXEC A2" "HELLO MODULE" "README TEXT"; do
    expect 0 "$VMRV" disk put "$img" "$work/a" "$f"
done
expect 0 "$VMRV" disk list "$img"
[ "$(wc -l <"$work/out")" -eq 4 ] || fail "list shows $(wc -l <"$work/out") files"
head -1 "$work/out" | grep -q '^HELLO    EXEC     A2 V     6          1          1 [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' ||
    fail "list line: $(head -1 "$work/out")"
expect 0 "$VMRV" disk list "$img" "* EXEC"
[ "$(wc -l <"$work/out")" -eq 2 ] || fail "* EXEC"
expect 0 "$VMRV" disk list "$img" "hel* *"
[ "$(wc -l <"$work/out")" -eq 2 ] || fail "hel* *"
expect 0 "$VMRV" disk list "$img" "* * A2"
[ "$(wc -l <"$work/out")" -eq 1 ] || fail "* * A2"
expect 0 "$VMRV" disk list "$img" "%%%%%% *" --mode s
contains "$work/out" "README   TEXT     S1"
expect 28 "$VMRV" disk list "$img" "NOPE*"
expect 20 "$VMRV" disk list "$img" "A.B"
expect 24 "$VMRV" disk list "$img" "* * A9"

# Bad names and missing files.
expect 20 "$VMRV" disk put "$img" "$work/a" "TOOLONGNAME EXEC"
contains "$work/err" "invalid file name or type"
expect 20 "$VMRV" disk put "$img" "$work/a" "A.B EXEC"
expect 24 "$VMRV" disk put "$img" "$work/a" "A EXEC A9"
expect 24 "$VMRV" disk put "$img" "$work/a" "JUSTONE"
expect 1 "$VMRV" disk put "$img" "$work/missing" "X EXEC"
contains "$work/err" "cannot open"
expect 28 "$VMRV" disk get "$img" "NOSUCH FILE" -
contains "$work/err" "file not found"
expect 2 "$VMRV" disk put "$img" "$work/a" "X EXEC" --recfm U
expect 2 "$VMRV" disk put "$img" "$work/a" "X EXEC" --lrecl 70000

# ERASE, RENAME.
expect 0 "$VMRV" disk erase "$img" "readme text"
expect 28 "$VMRV" disk erase "$img" "README TEXT"
expect 0 "$VMRV" disk rename "$img" "HELLO MODULE" "HI MODULE A5"
expect 0 "$VMRV" disk list "$img" "HI MODULE"
contains "$work/out" "HI       MODULE   A5"
expect 24 "$VMRV" disk rename "$img" "HI MODULE" "PROFILE EXEC"
contains "$work/err" "already exists"
expect 0 "$VMRV" disk info "$img"
contains "$work/out" "files       3"

# Not a disk; an image in use; damage.
printf 'hello\n' >"$work/notdisk"
expect 1 "$VMRV" disk list "$work/notdisk"
contains "$work/err" "not a disk image"
head -c 65536 /dev/zero >"$work/zeros.img"
expect 102 "$VMRV" disk info "$work/zeros.img"
contains "$work/err" "not a formatted CMS disk"
expect 1 "$VMRV" disk list "$work/nonexistent.img"
if command -v flock >/dev/null 2>&1; then
    expect 1 flock -x "$img" "$VMRV" disk erase "$img" "PROFILE EXEC"
    contains "$work/err" "in use"
fi
expect 0 "$VMRV" disk check "$img"
contains "$work/out" "consistent, 3 files"
# Damage one superblock: the disk still mounts, whole; damage both: a
# clear error.
printf 'XXXX' | dd of="$img" bs=1 seek=100 conv=notrunc 2>/dev/null
expect 0 "$VMRV" disk check "$img"
printf 'XXXX' | dd of="$img" bs=1 seek=4196 conv=notrunc 2>/dev/null
expect 101 "$VMRV" disk check "$img"
contains "$work/err" "damaged"
finish
