#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_suite.sh - the EXEC (REXX) test suite: every tests/exec/*.exec
# goes on an A-disk, one CMS IPL runs the tests listed in tests/exec/SUITE
# (each after "MARK name", which writes a separator line), and each test's
# output, up to and including its Ready line without the timing, must equal
# tests/exec/NAME.out.  Set EXEC_SUITE_UPDATE=1 to write the .out files.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
D=${top_srcdir:-.}/tests/exec
cms_format "$T/a.img" 512 EXEC91
for f in "$D"/*.exec; do
    n=$(basename "$f" .exec | tr a-z A-Z)
    "$VMRV" disk put "$T/a.img" "$f" "$n EXEC A1" --recfm V >"$T/disk.log" 2>&1 ||
        { echo "FAIL: vmrv disk put $f"; cat "$T/disk.log"; exit 1; }
done
# the console script
names=
grep -v '^#' "$D/SUITE" | while read -r name args; do
    [ -n "$name" ] || continue
    echo "mark $name"
    echo "$name${args:+ $args}"
    [ -f "$D/$name.in" ] && cat "$D/$name.in"
done >"$T/script"
cms_run suite --disk 191="$T/a.img" <"$T/script"
sed -E 's/^(Ready(\([-0-9]+\))?;).*/\1/' "$T/suite.out" >"$T/suite.norm"
for name in $(grep -v '^#' "$D/SUITE" | awk '{ print $1 }'); do
    awk -v n="$name" '
        $0 == "===== " n { on = 1; next }
        on == 1 && /^Ready/ { on = 2; next }
        on == 2 && /^===== / { exit }
        on == 2 && /^Ready/ { print; exit }
        on == 2
' "$T/suite.norm" >"$T/$name.got"
    if [ "${EXEC_SUITE_UPDATE:-0}" = 1 ]; then
        cp "$T/$name.got" "$D/$name.out"
    elif ! cmp -s "$T/$name.got" "$D/$name.out"; then
        echo "FAIL: $name:"
        diff "$D/$name.out" "$T/$name.got" | head -20
        fail=1
    fi
done
# every test ran and CMS reached its last Ready
expect suite '^===== ecall$'
expect_not suite 'VMC021T|VMC017E|ABEND'
cms_done
