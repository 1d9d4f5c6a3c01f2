#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_cpsleep.sh - CP SLEEP from CMS under `vmrv ipl`, over the real
# OpenSSH client: `cp sleep 2 sec` holds CMS in its DIAG 0x008 for two
# seconds (the next Ready comes after it); `cp sleep` with no time waits
# until a line is typed, shows a message that arrives meanwhile, and the
# line that woke it is then CMS's next command; QUERY USERID through CMS.
. "${top_srcdir:-.}/tests/cms_lib.sh"
. "${top_srcdir:-.}/tests/cms_ssh_lib.sh"
MPW=$(awk '$1 == "MAINT" { print $2 }' "$D/initial-passwords")
ms() { echo $(($(date +%s%N) / 1000000)); }
say "cp sleep 2 sec" && t0=$(ms) && say "cp query userid" && t1=$(ms)
[ $((t1 - t0)) -ge 2000 ] ||
    { echo "FAIL: cp sleep 2 sec: the next Ready came after $((t1 - t0)) ms"; fail=1; }
echo "cp sleep 2 sec: Ready after $((t1 - t0)) ms"
say "cp sleep"
sleep 1
n=$(grep -cE '^(Ready|R)[;(]' "$T/cp.out")
[ "$n" -eq $readys ] || { echo "FAIL: cp sleep with no time ended by itself"; fail=1; }
printf '#!/bin/sh\necho %s\n' "$MPW" >"$T/askpass2" && chmod +x "$T/askpass2"
SSH_ASKPASS="$T/askpass2" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 30 ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o PubkeyAuthentication=no -p "$PORT" MAINT@127.0.0.1 \
    'MSG DEMO1 time to get up' </dev/null >"$T/msg.out" 2>&1 ||
    { echo "FAIL: MSG DEMO1: $(cat "$T/msg.out")"; fail=1; }
wait_for '^MSG FROM MAINT *: time to get up$'
n=$(grep -cE '^(Ready|R)[;(]' "$T/cp.out")
[ "$n" -eq $readys ] || { echo "FAIL: the message ended the sleep"; fail=1; }
# the line wakes it and is then CMS's command
printf 'cp query userid\n' >&3
readys=$((readys + 1))
say "cp logoff"
exec 3>&-
wait $sshpid
kill -TERM $cppid
wait $cppid

expect cp '^DEMO1    AT VMRV$'
[ "$(grep -c '^DEMO1    AT VMRV$' "$T/cp.out")" = 2 ] ||
    { echo "FAIL: cp: QUERY USERID did not answer twice"; fail=1; }
expect_not cp '^VMR[0-9]+E'
expect cp '^LOGOFF AT '
cms_done
