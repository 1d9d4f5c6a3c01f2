#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cms_program.sh - MODULE programs: the SDK's HELLO with arguments
# and a return code; SVCTEST, which calls every CMS service with good and
# bad arguments; programs that crash in every way (each followed by
# commands that still work, and the files intact); storage given back
# between programs; MODULE files that are not programs; a program built
# with the SDK's Makefile.example from the build tree.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
B=${top_builddir:-.}

cms_format "$T/a.img" 1024 USR191
cms_format "$T/s.img" 64 MNT190
printf 'precious data\nsecond record\n' >"$T/t.txt"
cms_put "$T/a.img" "$T/t.txt" "KEEP DATA A1"
cms_put "$T/a.img" "$B/cms-sdk/examples/hello.elf" "HELLO MODULE A1" --binary
cms_put "$T/a.img" "$B/tests/guest/cms_svc.module" "SVCTEST MODULE A1" --binary
cms_put "$T/a.img" "$B/tests/guest/cms_crash.module" "CRASH MODULE A1" --binary
cms_put "$T/a.img" "$T/t.txt" "TEXT MODULE A1"
cms_put "$T/a.img" "$B/cms/cms.elf" "LOW MODULE A1" --binary
cms_put "$T/a.img" "$B/tests/guest/cms_big.module" "BIG MODULE A1" --binary
# an EXEC that needs more free storage than CMS's private area: CMS goes on
# into high free storage (and protects it from programs)
printf '%s\n' '/* FILL */' 'do i = 1 to 12000; v.i = copies("x", 100); end' \
    'say "FILL" i - 1' 'drop v.' >"$T/fill.exec"
cms_put "$T/a.img" "$T/fill.exec" "FILL EXEC A1"

cms_run prog --disk 191="$T/a.img" --disk 190="$T/s.img":ro <<'EOS'
hello
hello one Two 3 rc 5
hello rc -7
svctest
type svctest open
crash null
type keep data
crash illegal
crash ebreak
crash writecms
type keep data
crash writepriv
fill
crash writehigh
type keep data
crash readipl
crash jump0
crash beyond
crash amo
crash csr
listfile * * a
type keep data
crash scribble
crash clean
crash cmd state keep data
crash cmd listfile nosuch * a
text
low
big
type keep data
EOS
expect prog '^Hello from HELLO, a CMS program, with 0 argument\(s\)$'
expect prog '^Hello from HELLO, a CMS program, with 5 argument\(s\)$'
expect prog '^argv\[2\] = Two$'
expect prog '^SVCTEST PASS [0-9]+$'
expect_not prog 'SVCTEST FAIL'
expect prog '^written before exit$'
expect prog '^VMC017E Program check: .* in CRASH$'
expect_not prog 'CRASH did not crash'
expect_not prog 'VMC021T'
expect prog '^CRASH storage clean$'
expect prog '^FILL 12000$'
expect prog '^CRASH cmd rc=0$'
expect prog '^CRASH cmd rc=28$'
expect prog '^VMC018E File TEXT MODULE A1 is not a program: not an ELF file$'
expect prog '^VMC018E File LOW MODULE A1 is not a program: segment below the user program area$'
expect prog '^KEEP     DATA     A1$'
expect prog '^VMC019E Program BIG does not fit in storage'
expect_not prog '^BIG loaded'
[ "$(grep -c '^precious data$' "$T/prog.out")" = 5 ] || { echo "FAIL: KEEP DATA not typed 5 times"; fail=1; }
[ "$(grep -c '^VMC017E Program check' "$T/prog.out")" = 11 ] || { echo "FAIL: not 11 program checks"; fail=1; }
expect_rcs prog "0 0 5 -7 0 0 256 0 256 256 256 0 256 0 256 0 256 256 256 256 256 0 0 0 0 0 0 32 32 104 0"

# the SDK as a user uses it: Makefile.example against the staged tree
SDK=$(cd "$B/cms-sdk" && pwd)
if (cd "$T" && make -s -f "$SDK/Makefile.example" SDK="$SDK" >"$T/sdk.log" 2>&1); then
    cms_put "$T/a.img" "$T/hello.elf" "USERPROG MODULE A1" --binary
    cms_run sdk --disk 191="$T/a.img" <<'EOS'
userprog x y rc 9
EOS
    expect sdk '^Hello from USERPROG, a CMS program, with 4 argument\(s\)$'
    expect_rcs sdk "0 9"
else
    echo "FAIL: the SDK's Makefile.example did not build:"
    cat "$T/sdk.log"
    fail=1
fi
cms_done
