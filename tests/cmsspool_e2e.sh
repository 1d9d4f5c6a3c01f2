#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cmsspool_e2e.sh - the CMS spool commands end to end: `vmrv ipl` on
# a free port, DEMO1 and DEMO2 logged on at once with the real OpenSSH
# client (consoles fed through FIFOs a line at a time), OPERATOR's START
# PRINTER over ssh.  SENDFILE of an F file, a V file and a binary MODULE,
# to one and to two users (one not in the directory); the arrival notice at
# the Ready prompt; NOTE; RDRLIST with PEEK and RECEIVE by line number;
# RECEIVE with the name, RECFM and LRECL intact, without and with REPLACE;
# the MODULE back out over ssh byte for byte; DISK DUMP / DISK LOAD;
# PRINT drained by a started printer into DATA/printer; a program built with
# the SDK uploaded over ssh ('PUNCH fn MODULE'), RECEIVEd and run; a full
# disk on RECEIVE keeps the reader file; an arrival while a program runs;
# DISK LOAD without a header; READCARD; RDRLIST of 120 files; error
# messages and return codes.
. "${top_srcdir:-.}/tests/e2e_lib.sh"
HELLO_ELF=${top_builddir:-.}/cms-sdk/examples/hello.elf
[ -f "$HELLO_ELF" ] || { echo "SKIP: no $HELLO_ELF"; exit 77; }

ipl_start
PW1=$(pw_of DEMO1)
PW2=$(pw_of DEMO2)
PWO=$(pw_of OPERATOR)
[ -n "$PW1" ] && [ -n "$PW2" ] && [ -n "$PWO" ] || fail "no initial passwords in $(cat "$OUT")"

# sess NAME USER PW FD: a console on a FIFO, output in $T/NAME.out
sess() {
    mkfifo "$T/$1.in"
    # shellcheck disable=SC2046
    E2E_PW=$3 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
        timeout 300 ssh -T $(ssh_opts) -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
        "$2@127.0.0.1" <"$T/$1.in" >"$T/$1.out" 2>&1 &
    eval "pid_$1=\$! rdy_$1=0 fd_$1=$4"
    eval "exec $4>\"\$T/\$1.in\""
}
# count NAME ERE: lines of NAME's output matching
count() {
    grep -cE -- "$2" "$T/$1.out"
}
# wait_for NAME ERE [N]: until N (1) lines match
wait_for() {
    n=0
    while [ "$(count "$1" "$2")" -lt "${3:-1}" ]; do
        n=$((n + 1))
        [ $n -lt 600 ] || fail "$1: waited in vain for '$2' (${3:-1}): $(tail -n 30 "$T/$1.out")"
        sleep 0.1
    done
}
# put NAME LINE: type a line now
put() {
    eval "fd=\$fd_$1"
    printf '%s\n' "$2" >&"$fd"
}
# say NAME LINE: wait for the next Ready of NAME, then type LINE
say() {
    eval "rdy_$1=\$((rdy_$1 + 1)); r=\$rdy_$1"
    wait_for "$1" '^(Ready|R)[;(]' "$r"
    put "$1" "$2"
}
# settle NAME: wait for the Ready after the last command
settle() {
    eval "r=\$((rdy_$1 + 1))"
    wait_for "$1" '^(Ready|R)[;(]' "$r"
}
# expect_in NAME ERE: the output has a matching line
expect_in() {
    grep -Eq -- "$2" "$T/$1.out" || fail "$1: no line '$2' in: $(cat "$T/$1.out")"
}
# the Ready line after the first line matching ERE
rc_after() {
    awk -v re="$2" 'f && /^Ready/ { print; exit } $0 ~ re { f = 1 }' "$T/$1.out"
}

sess d1 DEMO1 "$PW1" 3
sess d2 DEMO2 "$PW2" 4

# ---- DEMO1 makes an F file (EDIT) and gets a V file over ssh ------------------
say d1 "edit fixed data"
wait_for d1 '^VMC100I'
put d1 "input"
put d1 "line one"
put d1 "line two, with blanks    "
put d1 ""
put d1 "file"
printf 'short\na longer second line of text\n\nlast\n' >"$T/varied.txt"
E2E_PW=$PW1 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 30 ssh $(ssh_opts) -o PubkeyAuthentication=no -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 demo1@127.0.0.1 'PUNCH VARIED DATA' <"$T/varied.txt" \
    >"$T/up1.out" 2>&1 || fail "PUNCH VARIED DATA over ssh: $(cat "$T/up1.out")"
say d1 "receive"
say d1 "listfile * data a (format"
settle d1
expect_in d1 '^VMC243I File VARIED DATA A1 received from DEMO1 \(reader file [0-9]{4,}, 4 records\)'
expect_in d1 '^FIXED +DATA +A1 F +80 +2 '
expect_in d1 '^VARIED +DATA +A1 V +28 +4 '
ok "EDIT made an F 80 file; a text file put in over ssh is RECEIVEd as RECFM V"

# ---- SENDFILE: F, V (to DEMO2 and a user who does not exist), a MODULE -------
say d2 "query disk a"
say d1 "sendfile fixed data a demo2"
settle d1
wait_for d2 '^VMR301I RDR FILE [0-9]+ SENT FROM DEMO1 PUN FIXED DATA RECS 0003'
expect_in d1 '^VMC244I File FIXED DATA A1 sent to DEMO2 \(spool file [0-9]+\)'
ok "SENDFILE of an F file; DEMO2, at the Ready prompt, is told at once"
say d1 "sendfile varied data to demo2 nosuchid"
say d1 "sendfile hello module s demo2"
say d1 "note demo2"
wait_for d1 '^VMC250I'
put d1 "Hello DEMO2,"
put d1 ""
put d1 "the files are in your reader."
put d1 "."
settle d1
expect_in d1 '^VMC245E Cannot send to NOSUCHID'
r=$(rc_after d1 'VMC245E')
case $r in "Ready(00024);"*) ;; *) fail "SENDFILE to a user who does not exist: '$r'" ;; esac
expect_in d1 '^VMC244I File VARIED DATA A1 sent to DEMO2 '
expect_in d1 '^VMC244I File HELLO MODULE S2 sent to DEMO2 '
expect_in d1 '^VMC259I Note sent to DEMO2 \(spool file [0-9]+\)'
wait_for d2 '^VMR301I RDR FILE [0-9]+ SENT FROM DEMO1 PUN DEMO1 NOTE RECS'
ok "SENDFILE of a V file and a MODULE; VMC245E and rc 24 for a user not in the directory; NOTE"

# ---- DEMO2: RDRLIST, PEEK, RECEIVE by line --------------------------------------
say d2 "rdrlist"
wait_for d2 '^VMC253I'
put d2 "1 peek"
put d2 "1 receive"
put d2 "2 receive"
put d2 "9 receive"
put d2 "quit"
say d2 "receive"
say d2 "listfile * * a (format"
say d2 "hello from the reader"
say d2 "peek"
say d2 "receive"
say d2 "type all notebook"
settle d2
expect_in d2 '^  1  [0-9]{4,}   DEMO1    FIXED    DATA     A  PUN 00000003'
expect_in d2 '^  4  [0-9]{4,}   DEMO1    DEMO1    NOTE '
expect_in d2 '^\(header: FIXED DATA A1 RECFM F LRECL 80 RECS 2\)'
expect_in d2 '^line two, with blanks'
expect_in d2 '^VMC243I File FIXED DATA A1 received from DEMO1 '
expect_in d2 '^VMC243I File VARIED DATA A1 received from DEMO1 '
expect_in d2 '^VMC256E No line 9 '
expect_in d2 '^VMC243I File HELLO MODULE A2 received from DEMO1 '
expect_in d2 '^FIXED +DATA +A1 F +80 +2 '
expect_in d2 '^VARIED +DATA +A1 V +28 +4 '
expect_in d2 '^HELLO +MODULE +A2 V '
expect_in d2 '^Hello from HELLO, a CMS program, with 3 argument'
expect_in d2 '^FILE [0-9]+ FROM DEMO1 PUN CLASS A RECS 8 NAME DEMO1 NOTE'
expect_in d2 '^VMC243I File ALL NOTEBOOK A1 received from DEMO1 '
expect_in d2 '^From: DEMO1$'
expect_in d2 '^the files are in your reader\.$'
ok "RDRLIST, PEEK, RECEIVE by line and by order: name, RECFM and LRECL intact; a NOTE goes to ALL NOTEBOOK"

# both listings have the same F and V lines
for f in FIXED VARIED; do
    a=$(grep -E "^$f +DATA +A1 " "$T/d1.out" | head -n 1 | awk '{print $4, $5, $6}')
    b=$(grep -E "^$f +DATA +A1 " "$T/d2.out" | head -n 1 | awk '{print $4, $5, $6}')
    [ "$a" = "$b" ] || fail "$f DATA: DEMO1 '$a', DEMO2 '$b'"
done

# ---- the MODULE back out byte for byte; REPLACE; DISK DUMP / LOAD --------------
say d2 "cp spool punch to *"
say d2 "punch hello module a (noheader"
settle d2
id=$(sed -n 's/^VMC249I File HELLO MODULE A2: PUN FILE \([0-9]*\),.*/\1/p' "$T/d2.out")
[ -n "$id" ] || fail "PUNCH HELLO MODULE: $(tail -n 5 "$T/d2.out")"
xssh DEMO2 "$PW2" "RECEIVE $id BINARY PURGE" >"$T/hello.back" 2>"$T/r.err" ||
    fail "RECEIVE $id over ssh: $(cat "$T/r.err")"
cmp -s "$T/hello.back" "$HELLO_ELF" || fail "HELLO MODULE differs after SENDFILE, RECEIVE, PUNCH"
ok "a binary MODULE sent, received and punched back is byte for byte the SDK's hello.elf"

say d1 "sendfile fixed data demo2"
settle d1
# its arrival (the second FIXED DATA) before DEMO2 receives it
wait_for d2 'VMR301I RDR FILE [0-9]+ SENT FROM DEMO1 +PUN FIXED +DATA' 2
say d2 "receive"
say d2 "receive * (replace"
say d2 "disk dump varied data a"
say d2 "erase varied data a"
say d2 "disk load"
say d2 "type varied data a"
say d2 "sendfile varied data *"
say d2 "disk load"
settle d2
expect_in d2 '^VMC015E File FIXED DATA A1 already exists'
expect_in d2 '^VMC248I Reader file [0-9]+ is kept in your reader'
r=$(rc_after d2 'VMC015E')
case $r in "Ready(00028);"*) ;; *) fail "RECEIVE onto an existing file: '$r'" ;; esac
expect_in d2 '^VMC249I File VARIED DATA A1: PUN FILE [0-9]+, 4 records'
expect_in d2 '^a longer second line of text$'
expect_in d2 '^VMC015E File VARIED DATA A1 already exists'
ok "RECEIVE without REPLACE: VMC015E, rc 28, the file kept; with REPLACE; DISK DUMP and DISK LOAD"

# RDRLIST: TRANSFER the file DISK LOAD refused to DEMO1, who DISCARDs it
say d2 "rdrlist"
wait_for d2 '^VMC253I' 2
put d2 "1 transfer demo1"
put d2 ""
settle d2
expect_in d2 '^VMC255I Reader file [0-9]+ transferred to DEMO1'
say d1 "rdrlist"
wait_for d1 '^VMC253I'
put d1 "1 discard"
put d1 "q"
settle d1
expect_in d1 '^  1  [0-9]{4,}   DEMO2    VARIED   DATA '
expect_in d1 '^VMC254I Reader file [0-9]+ discarded'
ok "RDRLIST: TRANSFER to another user, DISCARD"

# ---- PRINT, drained by the operator's printer ------------------------------------
say d1 "print fixed data"
settle d1
expect_in d1 '^VMC249I File FIXED DATA A1: PRT FILE [0-9]+, 2 records'
xssh OPERATOR "$PWO" 'START PRINTER 1 CLASS A' >"$T/start.out" 2>&1 ||
    fail "START PRINTER: $(cat "$T/start.out")"
n=0
until grep -qs '^line two, with blanks$' "$T"/data/printer/*FIXED-DATA*; do
    n=$((n + 1))
    [ $n -lt 100 ] || fail "PRINT: nothing printed in $(ls "$T/data/printer" 2>&1)"
    sleep 0.1
done
grep -qs 'line one$' "$T"/data/printer/*FIXED-DATA* || fail "PRINT: line one missing: $(cat "$T"/data/printer/*)"
ok "PRINT: the operator's started printer writes the file into DATA/printer"

# ---- a program built with the SDK, uploaded over ssh, received and run ----------
E2E_PW=$PW2 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 30 ssh $(ssh_opts) -o PubkeyAuthentication=no -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 demo2@127.0.0.1 'PUNCH MYPROG MODULE' <"$HELLO_ELF" \
    >"$T/up2.out" 2>&1 || fail "PUNCH MYPROG MODULE over ssh: $(cat "$T/up2.out")"
say d2 "receive"
say d2 "myprog one two"
settle d2
expect_in d2 '^VMC243I File MYPROG MODULE A1 received from DEMO2 '
expect_in d2 '^Hello from MYPROG, a CMS program, with 2 argument'
ok "an SDK program put in over ssh is RECEIVEd and runs"

# ---- a program that runs is not disturbed by an arrival -------------------------
CRASH=${top_builddir:-.}/tests/guest/cms_crash.module
if [ -f "$CRASH" ]; then
    E2E_PW=$PW2 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
        timeout 30 ssh $(ssh_opts) -o PubkeyAuthentication=no -o PreferredAuthentications=password \
        -o NumberOfPasswordPrompts=1 demo2@127.0.0.1 'PUNCH CRASH MODULE' <"$CRASH" \
        >"$T/up4.out" 2>&1 || fail "PUNCH CRASH MODULE over ssh: $(cat "$T/up4.out")"
    say d2 "receive"
    say d2 "crash read"
    n1=$(count d2 '^VMR301I RDR FILE')
    say d1 "sendfile fixed data demo2"
    wait_for d2 '^VMR301I RDR FILE' $((n1 + 1))
    put d2 "still here"
    put d2 "end"
    settle d2
    expect_in d2 '^READ still here$'
    r=$(rc_after d2 '^READ end$')
    case $r in "Ready(00007);"*) ;; *) fail "the program after an arrival: '$r'" ;; esac
    ok "a file that arrives while a program reads the console does not disturb it"
fi

# ---- errors ------------------------------------------------------------------------
say d1 "receive"
say d1 "peek 999999"
say d1 "sendfile nosuch file demo2"
say d1 "punch"
say d1 "receive 12x"
say d1 "rdrlist"
settle d1
expect_in d1 '^VMC241E No files in your reader'
expect_in d1 '^VMC242E No file 999999 in your reader'
expect_in d1 '^VMC002E File NOSUCH FILE \* not found'
expect_in d1 '^VMC005E Missing operand'
expect_in d1 '^VMC004E Invalid parameter 12x'
for m in 'VMC241E:28' 'VMC242E:28' 'VMC002E:28' 'VMC005E:24' 'VMC004E:24'; do
    r=$(rc_after d1 "^${m%%:*} ")
    case $r in "Ready(000${m#*:});"*) ;; *) fail "${m%%:*}: '$r'" ;; esac
done
ok "errors: empty reader, no such file, no such CMS file, missing and bad operands"

# a full disk on RECEIVE keeps the reader file
head -c 20000000 /dev/urandom >"$T/big.bin"
E2E_PW=$PW1 SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 60 ssh $(ssh_opts) -o PubkeyAuthentication=no -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 demo1@127.0.0.1 'PUNCH BIG DATA BINARY' <"$T/big.bin" \
    >"$T/up3.out" 2>&1 || fail "PUNCH BIG DATA over ssh: $(cat "$T/up3.out")"
say d1 "receive"
say d1 "query reader"
say d1 "state big data a"
settle d1
expect_in d1 '^VMC014E Disk A'
expect_in d1 '^VMC248I Reader file [0-9]+ is kept in your reader'
expect_in d1 '^DEMO1 +[0-9]+ +A RDR .* BIG +DATA'
expect_in d1 '^VMC002E File BIG DATA A not found'
ok "a full disk on RECEIVE: VMC014E, the reader file kept, no partial file"

# DISK LOAD refuses a file without a header; READCARD takes what comes
say d1 "disk load"
say d1 "cp purge rdr all"
say d1 "cp spool punch to *"
say d1 "punch fixed data"
say d1 "readcard copy data"
say d1 "listfile copy data a (format"
say d1 "readcard *"
settle d1
expect_in d1 '^VMC252E Reader file [0-9]+ was not made by DISK DUMP, PUNCH or SENDFILE'
r=$(rc_after d1 '^VMC252E ')
case $r in "Ready(00032);"*) ;; *) fail "DISK LOAD of a file without a header: '$r'" ;; esac
expect_in d1 '^VMC243I File COPY DATA A1 received from DEMO1 '
expect_in d1 '^COPY +DATA +A1 F +80 +2 '
r=$(rc_after d1 '^COPY +DATA +A1 F')
case $r in Ready\;*) ;; *) fail "LISTFILE COPY DATA: '$r'" ;; esac
expect_in d1 '^VMC241E No files in your reader' 
ok "DISK LOAD: VMC252E and rc 32 without a header; READCARD into a file of your naming"

# RDRLIST of a reader longer than one CP response buffer (120 files)
i=0
while [ $i -lt 120 ]; do
    say d1 "punch fixed data"
    i=$((i + 1))
done
say d1 "rdrlist"
wait_for d1 '^VMC253I' 2
put d1 "120 peek"
put d1 "quit"
say d1 "cp purge rdr all"
settle d1
expect_in d1 '^120  [0-9]{4,}   DEMO1    FIXED    DATA '
ok "RDRLIST of 120 files"

say d1 "cp logoff"
say d2 "cp logoff"
exec 3>&- 4>&-
wait "$pid_d1" "$pid_d2"
ipl_stop
