#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run_block.sh - minidisks under `vmrv run --disk`: the guest's
# DIAG 0x250 test on a writable and a read-only image (then the images are
# checked from outside), and the acknowledged-write promise: a guest writes
# blocks, vmrv run is killed with SIGKILL, and every block the guest was
# told was written is in the image.
. "${top_srcdir:-.}/tests/run_lib.sh"
B="$GUEST/diag_block.elf"
BLOCKS=300

# 190: every block "RO-DISK!" repeated; 191: zeros.
printf 'RO-DISK!%.0s' $(seq 1 512) >"$T/blk"
: >"$T/ro.img"
for i in $(seq 1 8); do cat "$T/blk" >>"$T/ro.img"; done
dd if=/dev/zero of="$T/rw.img" bs=4096 count=$BLOCKS 2>/dev/null
cp "$T/ro.img" "$T/ro.orig"

if expect_status 0 "block test" "$VMRV" run --disk "191=$T/rw.img" --disk "190=$T/ro.img:ro" \
    "$B" test $BLOCKS; then
    expect_in "$T/out" "diag_block: 0 failures" "block test result"
fi
for b in 0 1 2 3; do
    got=$(dd if="$T/rw.img" bs=4096 skip=$b count=1 2>/dev/null | head -c 12)
    [ "$got" = "VMRV block $b" ] || fail "block $b of the image holds '$got'"
done
cmp -s "$T/ro.img" "$T/ro.orig" || fail "the read-only image changed"
size=$(wc -c <"$T/rw.img")
[ "$size" -eq $((BLOCKS * 4096)) ] || fail "the image size changed to $size"
# A read-only image file (no write permission) works with :ro.
chmod 444 "$T/ro.img"
expect_status 0 "read-only file" "$VMRV" run --disk "191=$T/rw.img" --disk "190=$T/ro.img:ro" \
    "$B" test $BLOCKS

# Acknowledged writes survive SIGKILL.
dd if=/dev/zero of="$T/ack.img" bs=4096 count=256 2>/dev/null
"$VMRV" run --timeout 60 --disk "191=$T/ack.img" "$B" ack 256 >"$T/ack.out" 2>&1 </dev/null &
pid=$!
wait_for "$T/ack.out" "acked 40"
kill -9 "$pid"
wait "$pid" 2>/dev/null
n=$(grep -c '^acked ' "$T/ack.out")
[ "$n" -ge 41 ] || fail "only $n writes acknowledged before the kill"
for b in $(grep '^acked ' "$T/ack.out" | cut -d' ' -f2); do
    got=$(dd if="$T/ack.img" bs=4096 skip="$b" count=1 2>/dev/null | head -c 12 | tr -d '\0')
    [ "$got" = "ACK $b" ] || fail "acknowledged block $b holds '$got' after SIGKILL"
done
finish
