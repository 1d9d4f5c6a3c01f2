# SPDX-License-Identifier: MIT
# tests/dir_lib.sh - helpers for the shell tests of `vmrv directory`
# (sourced by tests/dir_*.sh): a temp folder removed at exit, `vd` to run
# the command on its data folder, and checks that count failures.
set -u
: "${VMRV:?VMRV must name the vmrv program}"
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-dirtest-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
D="$T/data"
fails=0

vd() {
    "$VMRV" directory --data "$D" "$@"
}

fail() {
    echo "FAIL: $*"
    echo "--- stdout"; cat "$T/out"
    echo "--- stderr"; cat "$T/err"
    fails=$((fails + 1))
}

# expect CODE COMMAND...: runs COMMAND with no input, wants exit CODE.
expect() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err" </dev/null
    got=$?
    [ "$got" -eq "$want" ] || fail "$* exited $got, wanted $want"
}

# expect_input CODE INPUT COMMAND...: the same with INPUT on stdin.
expect_input() {
    want=$1
    input=$2
    shift 2
    printf '%s' "$input" | "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$* (with input) exited $got, wanted $want"
}

# has out|err TEXT: the last command's output holds TEXT.
has() {
    grep -q -- "$2" "$T/$1" || fail "'$2' not in std$1"
}

hasnt() {
    if grep -q -- "$2" "$T/$1"; then fail "'$2' unexpectedly in std$1"; fi
}

size_of() {
    if [ -e "$1" ]; then wc -c <"$1" | tr -d ' '; else echo none; fi
}

check_size() {
    got=$(size_of "$1")
    [ "$got" = "$2" ] || { fails=$((fails + 1)); echo "FAIL: $1 has size $got, wanted $2"; }
}

finish() {
    if [ "$fails" -ne 0 ]; then
        echo "$fails check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
