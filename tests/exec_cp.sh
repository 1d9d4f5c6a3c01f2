#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_cp.sh - EXEC under CP: a logon with the real OpenSSH client
# (as tests/cms_cp.sh), an EXEC written with EDIT on the user's A-disk,
# then run: ADDRESS CP commands go to CP through DIAG 0x008 and their
# return codes come back in RC; CP commands from ADDRESS CMS too; USERID().
# Then an EXEC written line by line with EXECIO DISKW at Ready captures CP
# responses with EXECIO CP into a stem, a variable and the stack.
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
    say "cpt" &&
    w() { say "EXECIO 1 DISKW CPIO EXEC A (STRING $1"; } &&
    w "/* CPIO EXEC: CP responses into variables and the stack */" &&
    w "'EXECIO * CP (STEM Q. STRING QUERY TIME'" &&
    w "say 'stem rc' rc 'lines' q.0 'first' q.1" &&
    w "'EXECIO * CP (STRING NOSUCHCPCMD'" &&
    w "say 'bad rc' rc 'stacked' queued()" &&
    w "do queued(); pull; end" &&
    w "'EXECIO 1 CP (VAR T SKIP STRING QUERY TIME'" &&
    w "say 'conflict rc' rc" &&
    w "'EXECIO * CP (VAR T STRING QUERY TIME'" &&
    w "parse var t w1 w2 .; say 'var rc' rc w1 w2" &&
    w "'EXECIO * CP (LIFO STRING QUERY TIME'" &&
    w "parse pull l1; parse pull l2; say 'pulled' word(l1, 1) word(l2, 1) 'left' queued()" &&
    say "cpio" && say "cp logoff"
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
# EXECIO CP (the EXEC written by EXECIO DISKW STRING at Ready)
expect cp '^stem rc 0 lines [1-9][0-9]* first TIME IS '
expect cp '^bad rc [1-9][0-9]* stacked [1-9]'
expect cp '^VMC205E EXECIO option SKIP '
expect cp '^conflict rc 20$'
expect cp '^var rc 0 TIME IS$'
expect cp '^pulled CONNECT= TIME left 0$'
[ "$(grep -c '^TIME IS ' "$T/cp.out")" = 2 ] ||
    { echo "FAIL: cp: expected two TIME IS responses"; fail=1; }
cms_done
