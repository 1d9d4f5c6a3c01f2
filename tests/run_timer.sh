#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run_timer.sh - DIAG 0x00C gives the date and time of day in the
# host's local time zone (TZ), with the matching UTC offset.
. "${top_srcdir:-.}/tests/run_lib.sh"
E="$GUEST/diag_exit.elf"

check_zone() {
    zone=$1
    offset=$2
    for attempt in 1 2 3; do
        want_date=$(TZ=$zone date +%m/%d/%y)
        want_iso=$(TZ=$zone date +%Y-%m-%d)
        want_hm=$(TZ=$zone date +%H:%M)
        TZ=$zone "$VMRV" run "$E" timer >"$T/out" 2>"$T/err" </dev/null || fail "timer run in $zone"
        after_hm=$(TZ=$zone date +%H:%M)
        [ "$want_hm" = "$after_hm" ] && break # retry if a minute turned
    done
    expect_in "$T/out" "DATE $want_date TIME $want_hm:" "date and time in $zone"
    expect_in "$T/out" "ISO $want_iso" "ISO date in $zone"
    expect_in "$T/out" "OFFSET $offset" "UTC offset in $zone"
}

check_zone UTC0 0
check_zone 'XYZ-05:30' 19800
check_zone 'ABC+08' -28800
finish
