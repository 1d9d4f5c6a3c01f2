#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_cp.sh - EXEC under CP: a logon with the real OpenSSH client
# (as tests/cms_cp.sh), an EXEC written with EDIT on the user's A-disk,
# then run: ADDRESS CP commands go to CP through DIAG 0x008 and their
# return codes come back in RC; CP commands from ADDRESS CMS too; USERID().
. "${top_srcdir:-.}/tests/cms_lib.sh"
. "${top_srcdir:-.}/tests/cms_ssh_lib.sh"
# EDIT input lines and FILE: no Ready in between, so wait a little
edit_line() { printf '%s\n' "$1" >&3; sleep 0.2; }
say "edit cpt exec a" && sleep 0.5 &&
    edit_line "input /* CPT EXEC */" &&
    edit_line "input say 'user' userid()" &&
    edit_line "input address cp 'QUERY TIME'" &&
    edit_line "input say 'cp rc' rc" &&
    edit_line "input address cp 'NOSUCHCPCMD'" &&
    edit_line "input say 'bad cp rc' rc" &&
    edit_line "input 'CP QUERY TIME'" &&
    edit_line "input say 'cms cp rc' rc" &&
    edit_line "input exit 5" &&
    printf 'file\n' >&3 &&
    say "cpt" && say "cp logoff"
exec 3>&-
wait $sshpid
kill -TERM $cppid
wait $cppid

expect cp '^user DEMO1$'
expect cp '^TIME IS '
expect cp '^cp rc 0$'
expect cp '^bad cp rc [1-9][0-9]*$'
expect cp '^cms cp rc 0$'
expect cp '^Ready\(00005\);'
[ "$(grep -c '^TIME IS ' "$T/cp.out")" = 2 ] ||
    { echo "FAIL: cp: expected two TIME IS responses"; fail=1; }
cms_done
