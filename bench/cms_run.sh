#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/cms_run.sh - make bench-cms. Part 1: disk images in a temporary
# folder (a small A-disk, and one of 10,000 files), then bench/cms_bench:
# IPL to Ready, LISTFILE on 10,000 files, 1,000 VMs at Ready (in-process,
# VM layer). Part 2: the whole system: `vmrv ipl` with 1,000 users that CP
# logs on by itself at start (OPTION AUTOLOG), each IPLing CMS to Ready;
# the RSS of vmrv is compared with the same system without them.
set -u
VMRV=${VMRV:-./vmrv}
CMS_BENCH=${CMS_BENCH:-bench/cms_bench}
CMS_MKDISK=${CMS_MKDISK:-bench/cms_mkdisk}
ELF=cms/cms.elf
SDISK=cms/maint-190.img
NVMS=${CMS_BENCH_VMS:-1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmrv-bench.XXXXXX") || exit 1
IPID=
cleanup() {
    [ -n "$IPID" ] && kill -TERM "$IPID" 2>/dev/null && wait "$IPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
"$VMRV" disk format "$T/a.img" --size 1M --label BENCHA >/dev/null || exit 1
"$VMRV" disk format "$T/big.img" --size 64M --label BIG10K >/dev/null || exit 1
"$CMS_MKDISK" "$T/big.img" 10000 || exit 1
"$VMRV" disk info "$T/big.img" | grep -i files
"$CMS_BENCH" "$ELF" "$SDISK" "$T/a.img" "$T/big.img" "$NVMS" || exit 1

# ---- part 2: the whole system ------------------------------------------
D=$T/data
"$VMRV" directory --data "$D" init >"$T/init.out" 2>&1 || { cat "$T/init.out"; exit 1; }
"$VMRV" directory --data "$D" add BTMPL --password 'Bench-pw-7' >/dev/null 2>&1 || exit 1
HASH=$("$VMRV" directory --data "$D" export | sed -n 's/^USER BTMPL \([^ ]*\) .*/\1/p')
printf 'max_vms = 2000\nreal_storage = 8G\n' >"$T/vmrv.conf"

# ipl_rss: start vmrv ipl, wait until ready and until its CPU time stops
# growing (every AUTOLOG user at Ready), print "RSS_KIB USERS", stop it.
ipl_rss() {
    "$VMRV" ipl -c "$T/vmrv.conf" --listen 127.0.0.1:0 --data "$D" >"$T/ipl.out" 2>"$T/ipl.err" </dev/null &
    IPID=$!
    n=0
    while ! grep -q '^vmrv ipl: ready' "$T/ipl.out" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 1200 ] || ! kill -0 "$IPID" 2>/dev/null; then
            echo "bench-cms: vmrv ipl did not get ready" >&2; cat "$T/ipl.err" >&2; return 1
        fi
        sleep 0.05
    done
    last=-1
    while :; do
        sleep 0.5
        cpu=$(awk '{print $14 + $15}' "/proc/$IPID/stat")
        [ "$cpu" = "$last" ] && break
        last=$cpu
    done
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$IPID/status")
    kill -TERM "$IPID"
    wait "$IPID"
    IPID=
    echo "$rss"
}
rss0=$(ipl_rss) || exit 1
# users IPL WHAT: the directory's NVMS AUTOLOG users, IPLing WHAT (CMS or none)
users() {
    i=1
    while [ $i -le "$NVMS" ]; do
        printf 'USER A%d %s 32M 32M G\n IPL %s\n OPTION AUTOLOG\n CONSOLE 009 T\n' "$i" "$HASH" "$1"
        printf ' LINK MAINT 190 190 RR\n LINK MAINT 19E 19E RR\n MDISK 191 256K W\n*\n'
        i=$((i + 1))
    done >"$T/users.txt"
    "$VMRV" directory --data "$D" import "$T/users.txt" --merge --yes >"$T/import.out" 2>&1 ||
        { tail "$T/import.out"; exit 1; }
}
users none
: >"$D/vmrv.log"
rssn=$(ipl_rss) || exit 1
users CMS
: >"$D/vmrv.log"
rss1=$(ipl_rss) || exit 1
logons=$(grep -c ' A[0-9][0-9]* logged on by' "$D/vmrv.log")
per=$(( (rss1 - rss0) / NVMS ))
pern=$(( (rssn - rss0) / NVMS ))
echo "Whole system: vmrv ipl RSS $rss0 KiB; with $NVMS users logged on by AUTOLOG:"
echo "  IPL none (CP's user, console, VM and its minidisks, no guest run): $rssn KiB, $pern KiB each"
echo "  IPL CMS, idle at Ready ($logons logons in vmrv.log): $rss1 KiB, $per KiB each"
echo "BENCH cms_user_density $per KiB"
echo "BENCH cms_user_density_cp_only $pern KiB"
[ "$logons" -eq "$NVMS" ] || { echo "bench-cms: only $logons of $NVMS users logged on"; exit 1; }
