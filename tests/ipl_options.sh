#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/ipl_options.sh - vmrv ipl's options and the exit statuses of the
# start (no SSH needed): --help, usage errors (2), configuration errors (3,
# with the line), --show-config with --listen and --data applied, an
# unusable data folder (4), a configured CMS nucleus that is not there (5).
set -u
VMRV=${VMRV:-${top_builddir:-.}/vmrv}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-ipl.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok - $*"; }

# st WANT ARGS...: run vmrv ipl ARGS, require exit status WANT; output in $T/o
st() {
    want=$1
    shift
    "$VMRV" ipl "$@" >"$T/o" 2>&1 </dev/null
    got=$?
    [ "$got" -eq "$want" ] || fail "vmrv ipl $*: status $got, want $want: $(cat "$T/o")"
}

st 0 --help
grep -q '^Exit status:' "$T/o" || fail "--help has no exit statuses"
for n in 0 1 2 3 4 5 6; do
    grep -q "^  $n  " "$T/o" || fail "--help does not explain exit status $n"
done
ok "--help lists the options and every exit status"
st 2 --no-such-option
st 2 extra-argument
st 2 --listen 127.0.0.1:99999
st 2 --listen nowhere:22
st 2 --listen
ok "usage errors give 2"

st 3 -c "$T/missing.conf"
printf 'listen_port = 2222\nno_such_key = 1\n' >"$T/bad.conf"
st 3 -c "$T/bad.conf"
grep -q 'bad.conf:2' "$T/o" || fail "the bad line is not named: $(cat "$T/o")"
ok "configuration errors give 3 and name the line"

printf 'listen_port = 2345\nsystem_name = TESTSYS\n' >"$T/good.conf"
st 0 -c "$T/good.conf" --listen '[::1]:0' --data "$T/d" --show-config
grep -q '^listen_address = ::1$' "$T/o" || fail "--listen address not applied: $(cat "$T/o")"
grep -q '^listen_port = 0$' "$T/o" || fail "--listen port not applied"
grep -q '^system_name = TESTSYS$' "$T/o" || fail "the file's setting is lost"
grep -q "^data_dir = $T/d\$" "$T/o" || fail "--data not applied"
[ -e "$T/d" ] && fail "--show-config made the data folder"
ok "--show-config: the file, then --listen and --data"

: >"$T/afile"
st 4 --listen 127.0.0.1:0 --data "$T/afile"
ok "a data folder that is a file gives 4"

printf 'cms_nucleus = %s\n' "$T/no-such-cms.elf" >"$T/nocms.conf"
st 5 -c "$T/nocms.conf" --listen 127.0.0.1:0 --data "$T/d2"
grep -q 'no-such-cms.elf' "$T/o" || fail "the missing nucleus is not named: $(cat "$T/o")"
grep -q '^First start' "$T/o" || fail "the passwords made before the failure were not shown"
ok "a configured CMS nucleus that is missing gives 5 (and the new passwords are still shown)"
exit 0
