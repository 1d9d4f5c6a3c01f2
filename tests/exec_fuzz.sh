#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_fuzz.sh - broken EXECs never bring down CMS: the suite's
# programs (tests/exec/*.exec) with random damage (tokens inserted, bytes
# deleted, stray characters; awk with fixed seeds), run in one CMS IPL.
# Every one must end with a Ready (an error message is fine), and CMS must
# neither ABEND nor take a program check, and must reach the last command.
#   EXEC_FUZZ_SEED (default 1), EXEC_FUZZ_N programs (default 40)
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
D=${top_srcdir:-.}/tests/exec
SEED=${EXEC_FUZZ_SEED:-1}
N=${EXEC_FUZZ_N:-40}
cms_format "$T/a.img" 1024 FUZZ91
ls "$D"/*.exec | sort >"$T/list"
nfiles=$(wc -l <"$T/list")
i=0
while [ $i -lt "$N" ]; do
    src=$(sed -n "$((i % nfiles + 1))p" "$T/list")
    awk -v seed=$((SEED * 1000 + i)) '
        BEGIN {
            srand(seed)
            nt = split("( ) , '"'"' \" /* */ do end if then else select when otherwise " \
                "call return signal interpret parse arg pull ; x a.b.c 1e999999 ** // % = == " \
                "\\ || substr( copies(\"x\",99999) 99999999 -1 0 procedure expose leave iterate " \
                "trace_i numeric_digits_200 x2c( d2c( format( trunc( 1e999999 \x27ff\x27x " \
                "label: signal_on_syntax exit push queue drop value( address_cp", tok, " ")
        }
        { text = text $0 "\n" }
        END {
            n = 1 + int(rand() * 8)
            for (k = 0; k < n; k++) {
                pos = int(rand() * (length(text) + 1))
                r = rand()
                if (r < 0.7) {
                    t = tok[1 + int(rand() * nt)]
                    gsub("_", " ", t)
                    text = substr(text, 1, pos) t substr(text, pos + 1)
                } else if (r < 0.95) {
                    text = substr(text, 1, pos) substr(text, pos + 1 + int(rand() * 10))
                } else {
                    text = substr(text, 1, pos) sprintf("%c", 33 + int(rand() * 90)) substr(text, pos + 1)
                }
            }
            printf "%s", text
        }' "$src" >"$T/f$i.exec"
    "$VMRV" disk put "$T/a.img" "$T/f$i.exec" "F$i EXEC A1" --recfm V >"$T/disk.log" 2>&1 ||
        { echo "FAIL: vmrv disk put f$i"; cat "$T/disk.log"; exit 1; }
    i=$((i + 1))
done
for f in helper memx extfn; do
    cms_put "$T/a.img" "$D/$f.exec" "$(echo $f | tr a-z A-Z) EXEC A1"
done
i=0
while [ $i -lt "$N" ]; do
    echo "f$i"
    echo "a line for PULL"
    echo "another line"
    i=$((i + 1))
done >"$T/script"
echo "query cmslevel" >>"$T/script"
cms_run fuzz --disk 191="$T/a.img" <"$T/script"
expect fuzz '^VM/RV CMS [0-9.]+$'
expect_not fuzz '^VMC021T|^VMC017E|^VMC039R|disabled wait'
cms_done
