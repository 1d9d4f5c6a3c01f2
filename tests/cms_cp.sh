#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_cp.sh - CMS under CP: `vmrv ipl` on a free port, a logon with
# the real OpenSSH client (password through SSH_ASKPASS, console without a
# pty), CMS IPLed by CP with MAINT's 190 and the user's 191; CP commands
# through DIAG 0x008 (CP, implied CP, QUERY passed to CP), TELL (to a user
# not logged on, to the disconnected AUTOLOG1, to oneself), an unknown
# command, IDENTIFY, the S-disk's HELP and HELLO, a CMS ABEND (CP STORE damages the
# nucleus) and the IPL after it, LOGOFF.
. "${top_srcdir:-.}/tests/cms_lib.sh"
. "${top_srcdir:-.}/tests/cms_ssh_lib.sh"
say "q disk" && say "cp q t" && say "q time" && say "nosuchcmd" && say "set impcp off" &&
    say "query cmslevel" && say "hello there" && say "help acc" && say "set impcp on" &&
    say "tell demo2 are you there" && say "tell autolog1 Hello from DEMO1" &&
    say "tell * A note to myself" && say "identify"
# a CMS ABEND: CP STORE puts an illegal instruction at the start of the
# HELP command's code; HELP then faults in CMS itself.  Enter IPLs CMS
# again, and it works (HELP still faults: the nucleus keeps the damage).
NM=${GUEST_NM:-riscv64-unknown-elf-nm}
addr=$("$NM" "$CMS_ELF" 2>/dev/null | awk '$3 == "cmd_help" { print $1 }')
if [ -n "$addr" ]; then
    say "cp store $addr 00000000" && say "help" &&
        wait_for '^VMC039R ' && printf '\n' >&3 && readys=$((readys - 1)) &&
        say "q search" && say "query cmslevel"
    expect cp '^VMC021T CMS ABEND: illegal instruction at 0*'"$(echo "$addr" | tr a-f A-F | sed 's/^0*//')"' '
    [ "$(grep -c '^VM/RV CMS [0-9.]*  ' "$T/cp.out")" = 2 ] ||
        { echo "FAIL: cp: CMS did not IPL again after the ABEND"; fail=1; }
    expect cp '^MNT190 190  S  R/O$'
else
    echo "no $NM: the ABEND part is left out"
    say "query cmslevel"
fi
say "cp logoff"
exec 3>&-
wait $sshpid
kill -TERM $cppid
wait $cppid

expect cp '^VM/RV CMS [0-9]+\.[0-9]+\.[0-9]+  '
# IDENTIFY under CP: the userid and system name from DIAG 0x000, no RSCS
expect cp '^DEMO1    AT VMRV     VIA \*        [0-9][0-9]/[0-9][0-9]/[0-9][0-9] [0-9:]{8} UTC[-+0-9]* [A-Z]+DAY$'
expect cp '^DEMO1  0191 A  R/W '
expect cp '^MNT190 0190 S  R/O '
expect cp '^TIME IS '
expect cp '^VMC001E Unknown CP/CMS command NOSUCHCMD'
expect cp '^VM/RV CMS [0-9.]+$'
expect cp '^Hello from HELLO, a CMS program, with 1 argument'
expect cp '^ACCESS vaddr mode$'
# TELL: CP's MSG; its response and return code are TELL's
expect cp '^VMR045E DEMO2 is not logged on$'
expect cp '^Ready\(00045\);'
expect cp '^VMR058W AUTOLOG1 is disconnected; the message was not shown$'
expect cp '^Ready\(00058\);'
expect cp '^MSG FROM DEMO1 *: A note to myself$'
expect cp '^LOGOFF AT '
cms_done
