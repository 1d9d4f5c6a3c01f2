# SPDX-License-Identifier: MIT
# tests/cms_lib.sh - shared by the CMS guest-level tests (tests/cms_*.sh):
# make disk images with `vmrv disk`, run CMS under `vmrv run` with console
# input from a script, and check what it wrote.
#
#   cms_init                    temp folder, skip (77) while vmrv run or
#                               vmrv disk are not in the build
#   cms_format IMG BLOCKS LABEL an empty CMS disk image
#   cms_put IMG FILE "FN FT FM" [--binary]   a host file onto it (text:
#                               RECFM F 80, as CMS keeps text)
#   cms_run NAME DISKARGS...    CMS with stdin as the console script;
#                               output in $T/NAME.out
#   expect NAME ERE / expect_not NAME ERE   a line matches / none does
#   expect_order NAME ERE...    lines match the EREs in this order (others
#                               may lie between them)
#   expect_rcs NAME "0 28 ..."  the return codes of every Ready message, in
#                               order (the IPL's Ready included)
#   cms_done                    exit 0, or 1 if any check failed
# CMS_TEST_VMRV may name another program with vmrv's run/disk interface.
set -u
VMRV=${CMS_TEST_VMRV:-${VMRV:-vmrv}}
CMS_ELF=${top_builddir:-.}/cms/cms.elf
fail=0
T=

cms_init() {
    T=$(mktemp -d -t cmstest.XXXXXX) || exit 99
    trap 'rm -rf "$T"' EXIT
    if [ ! -f "$CMS_ELF" ]; then
        echo "FAIL: $CMS_ELF not built"
        exit 1
    fi
    case $("$VMRV" run --help 2>&1) in
    *"not available"*) echo "SKIP: vmrv run is not in this build yet"; exit 77 ;;
    esac
    if ! "$VMRV" disk format "$T/probe.img" --size 256K --label PROBE >"$T/probe.log" 2>&1; then
        if grep -q "not available" "$T/probe.log"; then
            echo "SKIP: vmrv disk is not in this build yet"
            exit 77
        fi
        echo "FAIL: vmrv disk format:"; cat "$T/probe.log"
        exit 1
    fi
}

cms_format() {
    "$VMRV" disk format "$1" --size $(($2 * 4096)) --label "$3" >"$T/disk.log" 2>&1 || {
        echo "FAIL: vmrv disk format $*"; cat "$T/disk.log"; exit 1
    }
}

cms_put() {
    if [ "${4:-}" = --binary ]; then
        "$VMRV" disk put "$1" "$2" "$3" --binary >"$T/disk.log" 2>&1
    else
        "$VMRV" disk put "$1" "$2" "$3" --recfm F >"$T/disk.log" 2>&1
    fi || { echo "FAIL: vmrv disk put $*"; cat "$T/disk.log"; exit 1; }
}

# cms_run NAME [--disk VADDR=IMG[:ro]]... ; the console script on stdin.
# CMS ends the virtual machine at the end of the script: status 0 or 128.
cms_run() {
    name=$1
    shift
    "$VMRV" run --storage 32M --timeout 60 "$@" "$CMS_ELF" >"$T/$name.out" 2>&1
    st=$?
    if [ $st -ne 0 ] && [ $st -ne 128 ]; then
        echo "FAIL: $name: vmrv run ended with status $st"
        fail=1
    fi
    return 0
}

show() {
    echo "---- output of $1:"
    cat "$T/$1.out"
    echo "----"
}

expect() {
    if ! grep -Eq -- "$2" "$T/$1.out"; then
        echo "FAIL: $1: no line matches: $2"
        fail=1
    fi
}

expect_not() {
    if grep -Eq -- "$2" "$T/$1.out"; then
        echo "FAIL: $1: a line matches: $2"
        grep -E -- "$2" "$T/$1.out" | head -3
        fail=1
    fi
}

expect_order() {
    name=$1
    shift
    from=0
    for re in "$@"; do
        at=$(tail -n +$((from + 1)) "$T/$name.out" | grep -nE -m 1 -- "$re" | cut -d: -f1)
        if [ -z "$at" ]; then
            echo "FAIL: $name: after line $from, no line matches: $re"
            fail=1
            return 0
        fi
        from=$((from + at))
    done
}

expect_rcs() {
    got=$(grep -oE '^(> )?(Ready(\((-?[0-9]+)\))?;|R(\((-?[0-9]+)\))?;)' "$T/$1.out" |
        sed -E 's/^(> )?//; s/^Ready;|^R;/0/; s/^(Ready|R)\((-?)0*([0-9]+)\);/\2\3/' | tr '\n' ' ')
    if [ "$got" != "$2 " ]; then
        echo "FAIL: $1: return codes"
        echo "  expected: $2"
        echo "  got:      $got"
        fail=1
    fi
}

cms_done() {
    if [ $fail -ne 0 ]; then
        for f in "$T"/*.out; do
            [ -f "$f" ] && show "$(basename "$f" .out)"
        done
        exit 1
    fi
    echo "PASS"
    exit 0
}
