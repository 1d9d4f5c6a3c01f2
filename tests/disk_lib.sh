# SPDX-License-Identifier: MIT
# tests/disk_lib.sh - sourced by the tests of `vmrv disk`: a temporary
# folder removed at exit, and checks that name the line that failed.
VMRV=${VMRV:-./vmrv}
work=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-disk.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect RC COMMAND...: runs COMMAND, output in $work/out and $work/err.
expect() {
    want=$1
    shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit $got, not $want: $*"
        sed 's/^/  stderr: /' "$work/err" >&2
    fi
}

# contains FILE TEXT
contains() {
    grep -F -q -- "$2" "$1" || fail "$1 lacks '$2'"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}
