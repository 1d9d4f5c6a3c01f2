#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/dir_import.sh - `vmrv directory` import, export and check: a good
# file goes in, export -> import -> export is stable, a bad file is
# reported line by line and changes nothing, replacing needs --yes or
# --merge, GENERATE prints passwords, check writes nothing.
. "${top_srcdir:-.}/tests/dir_lib.sh"

cat >"$T/good.direct" <<'EOT'
* a small directory
USER OWNER owner-secret1 32M 64M BG
 ACCOUNT A1
 IPL CMS PARM FAST
 MDISK 190 8M MR ALL
 MDISK 191 1M W
USER ALICE alice-secret 16M 32M G
 CONSOLE 009 T
 SPOOL 00C READER *
 SPOOL 00E PRINTER A
 LINK OWNER 190 190 RR
 MDISK 191 256 W
 SSHKEY ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@home
EOT

# check on a folder that does not exist creates nothing.
expect 0 vd check "$T/good.direct"
has out "no errors, 2 users"
[ ! -e "$D" ] || fail "check created the data folder"

expect 0 vd import "$T/good.direct"
has out "Imported 2 users: 2 added, 0 changed, 0 deleted"
check_size "$D/disks/OWNER.190.img" 8388608
check_size "$D/disks/ALICE.191.img" 1048576

# export: hashes only, 0600 when written to a file, stable round trip.
expect 0 vd export "$T/one.direct"
[ "$(stat -c %a "$T/one.direct")" = 600 ] || fail "export file is not mode 600"
grep -q 'owner-secret1\|alice-secret' "$T/one.direct" && fail "a plain password was exported"
grep -q '^USER ALICE \$y\$' "$T/one.direct" || fail "no hash for ALICE"
expect 0 vd import "$T/one.direct"
has out "0 added, 2 changed, 0 deleted"
expect 0 vd export
cp "$T/out" "$T/two.direct"
cmp -s "$T/one.direct" "$T/two.direct" || fail "export -> import -> export differs"

# A bad file: every error with its line, nothing changed.
cat >"$T/bad.direct" <<'EOT'
USER OWNER owner-secret1 32M 64M BG
 MDISK 190 4M MR ALL
USER ALICE short 16M 32M G
 LINK OWNER 19F 19F RR
 MDISK 191 256 Q
USER BOB bob-secret-1 16M
 SPOOL 00C READER *
 SPOOL 00C PUNCH A
 WHAT IS THIS
EOT
expect 1 vd check "$T/bad.direct"
has err "bad.direct:3: ALICE: a password needs at least 8 characters"
has err "bad.direct:4: ALICE: LINK OWNER 19F: OWNER has no minidisk 19F"
has err "bad.direct:5: MDISK 191: bad mode 'Q'"
has err "bad.direct:8: BOB: address 00C is used twice"
has err "bad.direct:9: unknown statement 'WHAT'"
has err "5 errors; nothing was changed"
expect 1 vd import "$T/bad.direct"
has err "bad.direct:9:"
# The smaller OWNER 190 shows only once the syntax is right.
sed -e '3,9d' "$T/bad.direct" >"$T/shrink.direct"
echo "USER ALICE NOLOG" >>"$T/shrink.direct"
expect 1 vd import "$T/shrink.direct"
has err "shrink.direct:2: OWNER 190: a minidisk cannot be made smaller"
expect 0 vd export
cmp -s "$T/one.direct" "$T/out" || fail "a failed import changed the directory"
check_size "$D/disks/OWNER.190.img" 8388608

# Replacing would delete ALICE: refused without --yes; --merge keeps her.
cat >"$T/owner-only.direct" <<'EOT'
USER OWNER owner-secret1 32M 64M BG
 MDISK 190 8M MR ALL
 MDISK 191 1M W
USER NEWBIE GENERATE
EOT
expect 1 vd import "$T/owner-only.direct"
has err "refused without --yes"
expect 0 vd show ALICE
expect 1 vd show NEWBIE
expect 0 vd import --merge "$T/owner-only.direct"
has out "Password of NEWBIE"
has out "1 added, 1 changed, 0 deleted"
expect 0 vd show ALICE
expect 0 vd import "$T/owner-only.direct" --yes
has out "0 added, 2 changed, 1 deleted"
has out "Note: minidisk ALICE 191 left the directory"
expect 1 vd show ALICE
check_size "$D/disks/ALICE.191.img" 1048576

# From standard input; a missing file.
expect_input 0 "USER STDIN NOLOG
" vd import --merge -
has out "1 added"
expect 1 vd import "$T/no-such-file"
has err "cannot read"
expect 2 vd import
expect 2 vd check
expect 2 vd export a b

finish
