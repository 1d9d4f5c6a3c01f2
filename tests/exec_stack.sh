#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_stack.sh - the program stack's buffers and the commands that
# stack: MAKEBUF, DROPBUF, SENTRIES, DESBUF with QUEUE, PUSH, PULL,
# QUEUED() and EXECIO's FIFO and LIFO; the lines an EXEC leaves on the
# stack, which CMS runs as commands; LISTFILE (STACK FIFO/LIFO read back
# with PULL, LISTFILE (EXEC's CMS EXEC checked on the host; IDENTIFY
# (STACK; the errors with their message ids and return codes; DESBUF
# dropping a line typed after an attention; HELP for each command.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
cms_format "$T/a.img" 256 STK191

# ---- buffers: exact output and return codes -------------------------------
cat >"$T/bufs.exec" <<'EOF'
/* BUFS EXEC: buffers on the program stack */
queue 'base one'
'MAKEBUF'; say 'makebuf' rc
queue 'b1 q1'
push 'b1 p1'
'MAKEBUF'; say 'makebuf' rc
queue 'b2 q1'
queue 'b2 q2'
'SENTRIES'; say 'sentries' rc queued()
'DROPBUF'; say 'dropbuf' rc queued()
parse pull x; say 'pulled' x
'MAKEBUF'; say 'makebuf again' rc
'DROPBUF 1'; say 'dropbuf 1' rc queued()
'DROPBUF 1'; say 'no buffer 1' rc
'DROPBUF X1'; say 'bad number' rc
'DROPBUF 1 2'; say 'two operands' rc
'SENTRIES NOW'; say 'sentries operand' rc
'MAKEBUF 3'; say 'makebuf operand' rc
/* a read passes empty buffers and drops them */
'MAKEBUF'; 'MAKEBUF'; say 'two buffers' rc
push 'top'
parse pull a; parse pull b; say 'read' a '/' b queued()
'MAKEBUF'; say 'after the read' rc
'DROPBUF'
/* QUEUE goes to the end of the newest buffer, before older lines */
queue 'old'
'MAKEBUF'
queue 'new1'; queue 'new2'; push 'new0'
do while queued() > 0; parse pull l; say 'fifo' l; end
/* EXECIO's FIFO and LIFO stack into the newest buffer too */
'EXECIO 1 DISKW DATA FILE A (STRING rec one'
'EXECIO 1 DISKW DATA FILE A (FINIS STRING rec two'
queue 'below'
'MAKEBUF'; b = rc
'EXECIO * DISKR DATA FILE A (FIFO FINIS'
'EXECIO 1 DISKR DATA FILE A 2 (LIFO FINIS'
say 'execio' queued()
'DROPBUF' b; say 'dropped' rc queued()
parse pull l; say 'left' l
'MAKEBUF'; 'MAKEBUF'
'EXECIO * DISKR DATA FILE A (LIFO FINIS'
do while queued() > 0; parse pull l; say 'lifo' l; end
/* emptied by reading, the buffers stay until a read passes them */
'MAKEBUF'; say 'buffers left by reading' rc
/* DESBUF: every line, every buffer */
queue 'x'; 'MAKEBUF'; queue 'y'; 'MAKEBUF'
'DESBUF'; say 'desbuf' rc queued()
'MAKEBUF'; say 'first again' rc
'DROPBUF 0'; say 'dropbuf 0' rc
'DESBUF NOW'; say 'desbuf operand' rc
/* left for CMS: run as commands after the EXEC, top first */
'MAKEBUF'
queue 'query cmslevel'
push 'SENTRIES'
exit 7
EOF
cms_put "$T/a.img" "$T/bufs.exec" "BUFS EXEC A1"
cms_run bufs --disk 191="$T/a.img" <<'EOS'
bufs
makebuf
makebuf
sentries
dropbuf
dropbuf 5
desbuf
sentries
EOS
sed -n '/^makebuf 1$/,/^desbuf operand/p' "$T/bufs.out" | grep -v '^VMC' >"$T/bufs.got"
cat >"$T/bufs.want" <<'EOF'
makebuf 1
makebuf 2
sentries 5 5
dropbuf 0 3
pulled b1 p1
makebuf again 2
dropbuf 1 0 1
no buffer 1 2
bad number 1
two operands 24
sentries operand 24
makebuf operand 24
two buffers 2
read top / base one 0
after the read 1
fifo new0
fifo new1
fifo new2
fifo old
execio 4
dropped 0 1
left below
lifo rec two
lifo rec one
buffers left by reading 3
desbuf 0 0
first again 1
dropbuf 0 0
desbuf operand 24
EOF
if ! diff "$T/bufs.want" "$T/bufs.got" >"$T/bufs.diff"; then
    echo "FAIL: bufs: output differs (want, got):"
    cat "$T/bufs.diff"
    fail=1
fi
expect_order bufs '^VMC071E Buffer 1 does not exist: the stack has 0 buffer\(s\)$' '^no buffer 1 2$'
expect bufs '^VMC070E Invalid buffer number X1$'
expect bufs '^VMC004E Invalid parameter 2$'
expect bufs '^VMC004E Invalid parameter NOW$'
expect bufs '^VMC004E Invalid parameter 3$'
# the EXEC's rc 7, then its stacked lines: SENTRIES (1 line left: rc 1),
# QUERY CMSLEVEL; then typed: MAKEBUF twice (1 each time: CMS reads the
# next command from the stack, and that read drops the empty buffer),
# SENTRIES 0, DROPBUF, DROPBUF 5 (no buffer 5), DESBUF, SENTRIES
expect_order bufs '^Ready\(00007\)' '^Ready\(00001\)' '^VM/RV CMS [0-9.]+$'
expect bufs '^VMC071E Buffer 5 does not exist: the stack has 0 buffer\(s\)$'
expect_rcs bufs "0 7 1 0 1 1 0 0 2 0 0"

# ---- LISTFILE (STACK and (EXEC, IDENTIFY ---------------------------------
printf 'a\n' >"$T/one.txt"
for f in ALPHA BETA GAMMA; do
    cms_put "$T/a.img" "$T/one.txt" "$f LIST A1"
done
cat >"$T/lf.exec" <<'EOF'
/* LF EXEC: LISTFILE and IDENTIFY onto the stack */
queue 'mine'
'LISTFILE * LIST A (STACK'
say 'stack' rc queued()
pull l; say 'first' l
do queued(); parse pull l; say '['l']'; end
'LISTFILE * LIST A (LIFO'
do while queued() > 0; parse pull l; say 'lifo ['l']'; end
'LISTFILE BETA LIST A (STACK FIFO LABEL'
parse pull l; say 'label ['l']'
'MAKEBUF'
'LISTFILE * LIST A (STACK LIFO'
say 'in a buffer' queued()
'DROPBUF'; say 'dropped' rc queued()
'LISTFILE NOSUCH LIST A (STACK'; say 'none' rc queued()
'LISTFILE * LIST A (STACK EXEC'; say 'conflict' rc
'LISTFILE * LIST A (STACK BOGUS'; say 'bogus' rc
'LISTFILE * LIST A (EXEC'; say 'exec' rc queued()
'IDENTIFY (STACK'; say 'identify' rc queued()
parse pull l; say 'id ['l']'
parse var l user at node via rscs date time zone day rest
say 'words' words(l) at via rscs '['rest']'
'IDENTIFY (LIFO'; say 'lifo' rc queued()
pull; 
'IDENTIFY (STACK TYPE'; say 'conflict' rc
'IDENTIFY (BOGUS'; say 'bogus' rc
'IDENTIFY NOW'; say 'operand' rc
EOF
cms_put "$T/a.img" "$T/lf.exec" "LF EXEC A1"
day1=$(LC_ALL=C date '+%m/%d/%y %A' | tr '[:lower:]' '[:upper:]')
cms_run lf --disk 191="$T/a.img" <<'EOS'
lf
identify
EOS
day2=$(LC_ALL=C date '+%m/%d/%y %A' | tr '[:lower:]' '[:upper:]')
expect lf '^stack 0 4$'
expect_order lf '^first MINE$' '^\[ALPHA    LIST     A1\]$' '^\[BETA     LIST     A1\]$' \
    '^\[GAMMA    LIST     A1\]$'
expect_order lf '^lifo \[GAMMA    LIST     A1\]$' '^lifo \[BETA     LIST     A1\]$' \
    '^lifo \[ALPHA    LIST     A1\]$'
expect lf '^label \[BETA     LIST     A1 STK191\]$'
expect lf '^in a buffer 3$'
expect lf '^dropped 0 0$'
expect lf '^VMC002E File NOSUCH LIST A not found$'
expect lf '^none 28 0$'
expect lf '^VMC072E Options EXEC and STACK conflict$'
expect lf '^conflict 24$'
expect lf '^VMC003E Invalid option BOGUS$'
expect lf '^bogus 24$'
expect lf '^exec 0 0$'
expect lf '^identify 0 1$'
re_id='[A-Z0-9$#@]{1,8} +AT VMRV +VIA \* +[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC([+-][0-9]{2,4})? [A-Z]+DAY'
expect lf "^id \\[$re_id\\]\$"
expect lf '^words 9 AT VIA \* \[\]$'
expect lf '^lifo 0 1$'
expect lf '^VMC072E Options STACK and TYPE conflict$'
expect lf '^VMC004E Invalid parameter NOW$'
expect lf "^$re_id\$"
# the date and weekday are today's (as the host sees it, before or after)
d=$(grep -E "^$re_id\$" "$T/lf.out" | head -1 | awk '{print $6, $NF}')
if [ "$d" != "$day1" ] && [ "$d" != "$day2" ]; then
    echo "FAIL: lf: IDENTIFY says '$d', the host '$day1'"
    fail=1
fi
expect_rcs lf "0 0 0"
# CMS EXEC A1: RECFM F 80, one "&1 &2 fn ft fm" line per file
"$VMRV" disk list "$T/a.img" "CMS EXEC" >"$T/cmsexec.list" 2>&1
if ! grep -Eq '^CMS +EXEC +A1 +F +80 +3 ' "$T/cmsexec.list"; then
    echo "FAIL: CMS EXEC is not RECFM F 80 with 3 records:"
    cat "$T/cmsexec.list"
    fail=1
fi
"$VMRV" disk get "$T/a.img" "CMS EXEC" "$T/cmsexec.txt" >"$T/disk.log" 2>&1 || {
    echo "FAIL: vmrv disk get CMS EXEC"
    cat "$T/disk.log"
    fail=1
}
printf '%s\n' '&1 &2 ALPHA    LIST     A1' '&1 &2 BETA     LIST     A1' \
    '&1 &2 GAMMA    LIST     A1' >"$T/cmsexec.want"
if ! cmp -s "$T/cmsexec.want" "$T/cmsexec.txt"; then
    echo "FAIL: CMS EXEC content:"
    cat "$T/cmsexec.txt"
    fail=1
fi
# ---- DESBUF and the terminal input buffer ---------------------------------
# A line typed after an attention that is no immediate command waits for
# the next read (VMC040W); DESBUF drops it, so PULL reads the terminal.
# The console is a FIFO fed step by step, as in tests/cms_attn.sh.
cat >"$T/keep.exec" <<'EOF'
/* KEEP EXEC: spin while a line is typed after an attention */
say 'spinning'
call time 'R'
do while time('E') < 3; end
'DESBUF'; say 'desbuf' rc queued()
parse pull x; say 'got' x
EOF
cms_put "$T/a.img" "$T/keep.exec" "KEEP EXEC A1"
mkfifo "$T/in"
"$VMRV" run --storage 32M --timeout 60 --disk 191="$T/a.img" "$CMS_ELF" <"$T/in" >"$T/keep.out" 2>&1 &
pid=$!
exec 3>"$T/in"
wait_for() {
    n=0
    while ! grep -Eq -- "$1" "$T/keep.out"; do
        n=$((n + 1))
        if [ $n -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
            echo "FAIL: keep: waited in vain for: $1"
            fail=1
            return 1
        fi
        sleep 0.1
    done
}
wait_for '^Ready;' && printf 'keep\n' >&3 && wait_for '^spinning$' &&
    kill -INT $pid && sleep 0.3 && printf 'kept line\n' >&3 &&
    wait_for '^VMC040W ' && wait_for '^desbuf 0 0$' &&
    printf 'fresh line\n' >&3 && wait_for '^got fresh line$'
exec 3>&-
wait $pid
expect_order keep '^VMC040W KEPT is not an immediate command' '^desbuf 0 0$' '^got fresh line$'
expect_not keep '^got kept'
# ---- HELP for the new commands, from the S-disk the build makes ----------
SDISK=${top_builddir:-.}/cms/maint-190.img
if [ -f "$SDISK" ]; then
    cms_run helps --disk 190="$SDISK:ro" <<'EOS'
help makebuf
help dropbuf
help sentries
help desbuf
help ident
help
EOS
    expect_order helps '^MAKEBUF: a new buffer' '^DROPBUF: drop program stack buffers' \
        '^SENTRIES: how many lines' '^DESBUF: empty the program stack' \
        '^IDENTIFY: who and where' '^  IDENTify  '
    expect helps '^  MAKEBUF   a new buffer on the program stack'
    expect_rcs helps "0 0 0 0 0 0 0"
fi
cms_done
