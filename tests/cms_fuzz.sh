#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_fuzz.sh - random command lines and EDIT and XEDIT sessions (from a fixed
# vocabulary of CMS words, plus lines of random characters) against one
# CMS session per seed: CMS must never ABEND (a fault in CMS itself),
# must answer every command with a Ready, and the disks must pass `vmrv
# disk check` afterwards.  Then a program calls CMS services with random
# arguments (tests/guest/cms_svcfuzz.c).  CMS_FUZZ_SEEDS, CMS_FUZZ_LINES
# and CMS_FUZZ_CALLS make it longer.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
SEEDS=${CMS_FUZZ_SEEDS:-"1 2 3"}
LINES=${CMS_FUZZ_LINES:-400}
SDISK=${top_builddir:-.}/cms/maint-190.img

gen() {
    awk -v seed="$1" -v lines="$2" 'BEGIN {
        srand(seed)
        nw = split("access acc release rel format listfile l type t copyfile copy erase er " \
            "rename ren state sta query q set cp help h edit e exec hx ht rt hello disk search " \
            "impcp impex rdymsg cmslevel stack on off lmsg smsg * = a b s y z 191 190 192 19e " \
            "fff 0 -1 99999999999 ( ( ) replace append recfm lrecl f v label date header " \
            "format hex noask yes no test data file % a1 a7 *1 x*y %%%%%%%%% toolongname123 " \
            "module helpcms f0 f1 t xedit x filelist filel", w, " ")
        ns = split("i|input|r|replace|top|b|bottom|n|next|u|up|l|locate|c|change|de|delete|t|" \
            "type|save|file|quit|qq|/x/|c/a/b/|c /e/E/ * g|c//x/|c/a/|change ///|n 0|n *|" \
            "u 99999|de *|t *|l /|r|file a b c|save x y z|file * * *|i xx|n 3|de 2|t 5|" \
            ":0|:1|:99999999999|:|=|?|d 2|-/x/|l -/|all /e/|all|dup 3|dup *|get test data|" \
            "get f1 t a|get|set verify off|set number on|set case u i|set case|q size line|" \
            "query|cms state test data a|cms|c /e/E/ * 2", s, "|")
        for (i = 0; i < lines; i++) {
            r = rand()
            if (r < 0.12) {
                printf "%s f%d t a\n", rand() < 0.5 ? "edit" : "xedit", int(rand() * 3)
                k = int(rand() * 16)
                for (j = 0; j < k; j++) {
                    line = s[1 + int(rand() * ns)]
                    if (rand() < 0.3) line = line " " w[1 + int(rand() * nw)]
                    print line
                }
                print ""; print "qquit"; print "qquit"
            } else if (r < 0.17) {
                line = ""; k = int(rand() * 120)
                for (j = 0; j < k; j++) line = line sprintf("%c", 32 + int(rand() * 95))
                print line
            } else {
                line = w[1 + int(rand() * nw)]; k = int(rand() * 8)
                for (j = 0; j < k; j++) line = line " " w[1 + int(rand() * nw)]
                print line
            }
        }
        print ""; print "qquit"; print "qquit"; print "no"
        print "set rdymsg lmsg"
        print "query cmslevel"
    }'
}

for seed in $SEEDS; do
    cms_format "$T/a$seed.img" 512 USR191
    cms_format "$T/b$seed.img" 256 WORK
    printf 'some text\n' >"$T/t.txt"
    cms_put "$T/a$seed.img" "$T/t.txt" "TEST DATA A1"
    gen "$seed" "$LINES" >"$T/in$seed.txt"
    sargs=""
    [ -f "$SDISK" ] && sargs="--disk 190=$SDISK:ro"
    # shellcheck disable=SC2086
    cms_run "fuzz$seed" --disk 191="$T/a$seed.img" --disk 192="$T/b$seed.img" $sargs <"$T/in$seed.txt"
    expect_not "fuzz$seed" 'VMC021T|VMC000S'
    expect "fuzz$seed" '^VM/RV CMS [0-9.]+$'
    for img in "$T/a$seed.img" "$T/b$seed.img"; do
        "$VMRV" disk check "$img" >"$T/check.log" 2>&1 ||
            { echo "FAIL: seed $seed: vmrv disk check $img:"; cat "$T/check.log"; fail=1; }
    done
    if [ $fail -ne 0 ]; then
        echo "seed $seed failed; its input:"; cat "$T/in$seed.txt"
        break
    fi
    rm -f "$T/fuzz$seed.out"
done

# random service calls from a program
cms_format "$T/p.img" 256 USR191
cms_put "$T/p.img" "${top_builddir:-.}/tests/guest/cms_svcfuzz.module" "SVCFUZZ MODULE A1" --binary
cms_run svcfuzz --disk 191="$T/p.img" <<EOS
svcfuzz 1 ${CMS_FUZZ_CALLS:-3000}
svcfuzz 2 ${CMS_FUZZ_CALLS:-3000}
svcfuzz 3 ${CMS_FUZZ_CALLS:-3000}
query cmslevel
EOS
expect_not svcfuzz 'VMC021T|VMC000S|VMC017E'
[ "$(grep -c '^SVCFUZZ done' "$T/svcfuzz.out")" = 3 ] || { echo "FAIL: svcfuzz did not finish"; fail=1; }
"$VMRV" disk check "$T/p.img" >"$T/check.log" 2>&1 ||
    { echo "FAIL: svcfuzz: vmrv disk check:"; cat "$T/check.log"; fail=1; }
cms_done
