#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/dir_cli.sh - `vmrv directory` list, show, add, change, passwd,
# delete, init and the usage errors: normal paths and error paths with
# their exit codes (0 done, 1 refused, 2 usage, 3 data folder unusable).
. "${top_srcdir:-.}/tests/dir_lib.sh"

# Nothing there yet.
expect 3 vd list
has err "no directory"
expect 3 vd show MAINT

# First start: the defaults and their passwords, once.
expect 0 vd init
has out "MAINT"
has out "DEMO1"
[ "$(stat -c %a "$D/initial-passwords")" = 600 ] || fail "initial-passwords is not mode 600"
grep -q MAINT "$D/initial-passwords" || fail "no MAINT in initial-passwords"
expect 0 vd init
has out "already has users"

expect 0 vd list
has out "^MAINT "
has out "^OPERATOR "
has out "^AUTOLOG1 "
expect 0 vd show demo1
has out "Link:       MAINT 190 as 190 RR"
has out "Link:       MAINT 19E as 19E RR"
has out "Minidisk:   191 16M"
expect 1 vd show NOBODY
has err "no user NOBODY"

# add
expect 0 vd add newu --password newpass12 --storage 16M --maxstorage 32M --classes GB \
    --add-mdisk 191 10M --add-link MAINT 190 190 RR
has out "User NEWU added"
check_size "$D/disks/NEWU.191.img" 10485760
expect 0 vd show NEWU
has out "Storage:    16M (maximum 32M)"
has out "Classes:    BG"
has out "Logon:      password"
expect 1 vd add NEWU
has err "already exists"
expect 1 vd add 'bad!id'
expect 1 vd add X1 --storage 10
has err "unit"
expect 1 vd add X1 --add-mdisk 191 5K
expect 1 vd add X1 --password short
has err "at least 8"
expect 2 vd add X1 --bogus
expect 2 vd add
expect 1 vd show X1
expect 0 vd add X2
has out "NOLOG"

# change
expect 0 vd change NEWU --storage 24M --share 200 --option ACCT --ipl 190 --ipl-parm "A B" --account ACC1
expect 0 vd show NEWU
has out "Storage:    24M (maximum 32M)"
has out "Share:      relative 200"
has out "Options:    ACCT"
has out "IPL:        190 PARM A B"
has out "Account:    ACC1"
has out "Logon:      password"
expect 1 vd change NEWU --storage 64M --maxstorage 48M
expect 1 vd change NOBODY --share 5
expect 2 vd change NEWU
expect 2 vd change NEWU --frobnicate
expect 1 vd change NEWU --classes 'G!'
expect 1 vd change NEWU --ipl none --ipl-parm X
has err "IPL PARM needs an IPL"
expect 1 vd change NEWU --account none --distcode D1
has err "needs an account"

# keys
KEY=AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
printf '# my keys\n\nssh-ed25519 %s me@laptop\n' "$KEY" >"$T/keys"
expect 0 vd change NEWU --add-key "$T/keys"
expect 0 vd show NEWU
has out "1 SSH key"
has out "me@laptop"
expect 1 vd change NEWU --add-key "$T/keys"
has err "same SSH key"
expect_input 1 "not a key" vd change NEWU --add-key -
expect 1 vd change NEWU --remove-key 5
expect 0 vd change NEWU --remove-key 1
expect 0 vd show NEWU
has out "0 SSH keys"

# minidisks and links
expect 0 vd change NEWU --resize-mdisk 191 20M
check_size "$D/disks/NEWU.191.img" 20971520
expect 1 vd change NEWU --resize-mdisk 191 1M
has err "smaller"
check_size "$D/disks/NEWU.191.img" 20971520
expect 1 vd change NEWU --add-link MAINT 999 999
has err "no minidisk 999"
expect 1 vd change NEWU --add-mdisk 190 1M
has err "used twice"
expect 0 vd change NEWU --add-mdisk 192 8 RR RPW
check_size "$D/disks/NEWU.192.img" 32768
expect 1 vd change NEWU --remove-mdisk 192
has err "without --yes"
check_size "$D/disks/NEWU.192.img" 32768
expect 0 vd change NEWU --remove-mdisk 192 --yes
check_size "$D/disks/NEWU.192.img" none
expect 0 vd change NEWU --remove-link 190
expect 0 vd show NEWU
hasnt out "Link:"
expect 1 vd change NEWU --remove-link 190

# passwd: from stdin (not a terminal here)
before=$(vd export | grep '^USER NEWU')
expect_input 0 "a-brand-new-pw
" vd passwd NEWU
has out "Password of NEWU changed"
after=$(vd export | grep '^USER NEWU')
[ "$before" != "$after" ] || fail "passwd did not change the hash"
expect_input 1 "short
" vd passwd NEWU
expect_input 1 "" vd passwd NEWU
expect_input 1 "whatever-pass
" vd passwd NOBODY
expect 2 vd passwd

# On a terminal: asked twice, without echo; a mismatch changes nothing.
if env expect -v >/dev/null 2>&1; then
    cat >"$T/pw.exp" <<'EOT'
set timeout 20
log_user 1
spawn $env(VMRV) directory --data $env(D) passwd NEWU
expect "New password for NEWU: " { send "typed-secret-1\r" } timeout { exit 2 }
expect "Again: " { send "typed-secret-1\r" } timeout { exit 3 }
expect "Password of NEWU changed" {} timeout { exit 4 }
expect eof
spawn $env(VMRV) directory --data $env(D) passwd NEWU
expect "New password for NEWU: " { send "typed-secret-2\r" } timeout { exit 5 }
expect "Again: " { send "typed-secret-3\r" } timeout { exit 6 }
expect "differ" {} timeout { exit 7 }
expect eof
spawn $env(VMRV) directory --data $env(D) delete NEWU
expect "Delete user NEWU" { send "n\r" } timeout { exit 8 }
expect eof
EOT
    before=$(vd export | grep '^USER NEWU')
    env D="$D" VMRV="$VMRV" expect "$T/pw.exp" >"$T/out" 2>"$T/err" </dev/null || fail "interactive passwd (expect exit $?)"
    hasnt out "typed-secret"
    after=$(vd export | grep '^USER NEWU')
    [ "$before" != "$after" ] || fail "the interactive passwd did not change the hash"
    expect 0 vd show NEWU
fi

# delete
expect 1 vd delete NEWU
has err "without --yes"
expect 0 vd show NEWU
expect 0 vd delete NEWU --yes
check_size "$D/disks/NEWU.191.img" none
expect 1 vd delete NEWU --yes
expect 0 vd delete DEMO2 --yes --keep-images
check_size "$D/disks/DEMO2.191.img" 16777216
expect 2 vd delete
# Deleting MAINT takes the LINKs to its disks with it.
expect 0 vd delete MAINT --yes
expect 0 vd show DEMO1
hasnt out "Link:"

# usage and the database's own errors
expect 2 vd frob
expect 2 "$VMRV" directory
expect 0 vd --help
has out "Exit status"
expect 0 vd change --help
expect 2 "$VMRV" directory --nodata list
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$D/directory.db" 'PRAGMA user_version=99' || fail "sqlite3 failed"
    expect 3 vd list
    has err "newer VM/RV"
fi
printf 'not a database\n%.0s' $(seq 1 100) >"$T/junk.db"
mkdir -p "$T/junk"
cp "$T/junk.db" "$T/junk/directory.db"
expect 3 "$VMRV" directory --data "$T/junk" list
has err "not a database"

# VMRV_DATA picks the folder.
expect 0 env VMRV_DATA="$T/envdata" "$VMRV" directory init
[ -f "$T/envdata/directory.db" ] || fail "VMRV_DATA was not used"

finish
