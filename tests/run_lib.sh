# SPDX-License-Identifier: MIT
# tests/run_lib.sh - sourced by the tests/run_*.sh tests of `vmrv run`:
# where things are, a temporary folder removed at exit, and checks that
# print what went wrong.  Needs VMRV and top_builddir from the test
# environment (tests/Makefile.inc sets them).
set -u
: "${VMRV:?VMRV not set (run through make check)}"
GUEST="${top_builddir:-.}/tests/guest"
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-run-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_status WANT NAME CMD...: runs CMD with stdin from /dev/null unless
# redirected by the caller, output in $T/out and $T/err.
expect_status() {
    want=$1
    name=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err" </dev/null
    got=$?
    if [ "$got" != "$want" ]; then
        fail "$name: exit status $got, want $want"
        echo "--- stdout"; head -c 2000 "$T/out"; echo "--- stderr"; cat "$T/err"
        return 1
    fi
    return 0
}

# expect_in FILE TEXT NAME: FILE contains the fixed string TEXT.
expect_in() {
    if ! grep -qF -- "$2" "$1"; then
        fail "$3: '$2' not in $1:"
        head -c 2000 "$1"
        return 1
    fi
    return 0
}

# One line on stderr: the non-zero statuses that are not the guest's.
expect_one_line() {
    n=$(wc -l <"$T/err")
    if [ "$n" -ne 1 ]; then
        fail "$1: $n lines on stderr, want 1:"
        cat "$T/err"
    fi
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)"
        exit 1
    fi
    echo "all passed"
    exit 0
}

# wait_for FILE TEXT: up to 20 s for FILE to contain TEXT.
wait_for() {
    i=0
    while ! grep -qF -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt 200 ]; then
            fail "timed out waiting for '$2' in $1"
            return 1
        fi
        sleep 0.1
    done
    return 0
}
