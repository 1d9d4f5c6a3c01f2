#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_tdisk.sh - a temporary minidisk from CMS under `vmrv ipl`, over
# the real OpenSSH client: CP DEFINE TDISK, CMS FORMATs it, a file is
# written with XEDIT and listed and typed back, QUERY VIRTUAL shows it as
# a temporary disk; a second DEFINE at 192 gives its error code to CMS;
# after LOGOFF and a new logon it is gone, and nothing
# is left in the data folder.
. "${top_srcdir:-.}/tests/cms_lib.sh"
. "${top_srcdir:-.}/tests/cms_ssh_lib.sh"
say "cp define tdisk 192 2m"
# from a program (CMS's CP command: DIAG 0x008) the answer and its return
# code come back to the program, not after the slice
say "cp define tdisk 192 1m"
say "format 192 b tmp (noask"
say "xedit tdisk data b"
sleep 1
printf 'input\nwritten on a t-disk\n\nfile\n' >&3
say "listfile * * b"
say "type tdisk data b"
say "cp query virtual"
say "cp logoff"
exec 3>&-
wait $sshpid
left=$(ls -A "$D/tdisk" 2>/dev/null)
[ -z "$left" ] || { echo "FAIL: files left in the data folder's tdisk: $left"; fail=1; }

# log on again: the disk is gone
mkfifo "$T/in2"
SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 60 ssh -T -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o PubkeyAuthentication=no -p "$PORT" DEMO1@127.0.0.1 \
    <"$T/in2" >"$T/again.out" 2>&1 &
sshpid=$!
exec 3>"$T/in2"
n=0
until grep -qE '^(Ready|R)[;(]' "$T/again.out"; do
    n=$((n + 1))
    [ $n -gt 300 ] && { echo "FAIL: no Ready at the second logon"; fail=1; break; }
    sleep 0.1
done
printf 'cp query virtual\n' >&3
n=0
until grep -qE '^DASD 191' "$T/again.out"; do
    n=$((n + 1))
    [ $n -gt 300 ] && { echo "FAIL: no QUERY VIRTUAL at the second logon"; fail=1; break; }
    sleep 0.1
done
printf 'cp logoff\n' >&3
exec 3>&-
wait $sshpid
kill -TERM $cppid
wait $cppid

expect cp '^VMR154I TDSK 0192 DEFINED, 512 blocks \(2M\), temporary$'
expect_order cp '^VMR154I' '^VMC025I Disk B \(192\) formatted: label TMP, 512 blocks$' '^TDISK +DATA +B' '^written on a t-disk$' \
    '^DASD 192 +512 BLK R/W  TEMP DISK$' '^LOGOFF AT '
expect_order cp '^VMR154I' '^VMR141E' '^Ready\(00141\);'
[ "$(grep -c 'VMR141E' "$T/cp.out")" = 1 ] || { echo "FAIL: VMR141E not once"; fail=1; }
expect_not cp '^VMC[0-9]+E'
expect again '^DASD 191'
expect_not again '^DASD 192'
expect_not again 'TEMP DISK'
cms_done
