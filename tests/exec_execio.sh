#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/exec_execio.sh - EXECIO typed at Ready (no EXEC): it works through
# the program stack, whose lines CMS then runs as commands; each command
# closes (and commits) what it opened; STEM and VAR are refused; errors
# and their return codes; HELP EXECIO from the S-disk the build makes;
# a full disk, which leaves the file as it was.
. "${top_srcdir:-.}/tests/cms_lib.sh"
cms_init
cms_format "$T/a.img" 256 EIO191
SDISK=${top_builddir:-.}/cms/maint-190.img
sdisk=
[ -f "$SDISK" ] && sdisk="--disk 190=$SDISK:ro"
# shellcheck disable=SC2086
cms_run cmdline --disk 191="$T/a.img" $sdisk <<'EOS'
EXECIO 1 DISKW CMDS FILE A (STRING query cmslevel
EXECIO 1 DISKW CMDS FILE A (STRING type cmds file a
listfile cmds file a (format
EXECIO * DISKR CMDS FILE A
EXECIO 1 DISKR CMDS FILE A (SKIP
EXECIO 2 DISKR CMDS FILE A (LIFO
EXECIO 1 DISKR CMDS FILE A (STEM X.
EXECIO 1 DISKW CMDS FILE A (VAR X
EXECIO 1 DISKR NOSUCH FILE A
EXECIO 1 DISKW CMDS FILE A 0 F (STRING x
EXECIO 1 DISKR CMDS FILE A (NOSUCHOPT
EXECIO * CP (STRING QUERY TIME
EXECIO 0 DISKW CMDS FILE A (FINIS
help execio
EOS
expect cmdline '^CMDS +FILE +A1 V +16 +2 '
# the two stacked lines ran: QUERY CMSLEVEL, then TYPE of the file
expect cmdline '^VM/RV CMS [0-9.]+$'
expect cmdline '^query cmslevel$'
expect cmdline '^type cmds file a$'
expect cmdline '^VMC203E EXECIO option STEM '
expect cmdline '^VMC203E EXECIO option VAR '
expect cmdline '^VMC002E File NOSUCH FILE A not found$'
expect cmdline '^VMC023E Invalid record format or length F '
expect cmdline '^VMC003E Invalid option NOSUCHOPT$'
expect cmdline '^VMC031E CP command failed: no CP in this virtual machine$'
# every command a Ready: the IPL, two writes, LISTFILE, the DISKR and the
# two commands it stacked, SKIP (the file is closed after each command,
# so it starts at line 1 again), LIFO and its two commands (TYPE first),
# then the errors, FINIS of a file not open, HELP
if [ -n "$sdisk" ]; then
    expect cmdline '^EXECIO: read and write file records'
    expect_rcs cmdline "0 0 0 0 0 0 0 0 0 0 0 24 24 28 24 20 -3 0 0"
else
    expect_rcs cmdline "0 0 0 0 0 0 0 0 0 0 0 24 24 28 24 20 -3 0 28"
fi

# a full disk: DISKW fails with rc 13 and the file stays as it was (here:
# the one record a first EXECIO wrote and closed); CMS goes on
cms_format "$T/small.img" 32 SMALL
cat >"$T/full.exec" <<'EOF2'
/* FULL EXEC: write until the disk is full */
'EXECIO 1 DISKW BIG FILE A (FINIS STRING the first record'
say 'first rc' rc
do i = 1 to 20
  r.i = copies(d2c(64 + i), 4000)
end
do n = 1 to 100 until rc <> 0
  'EXECIO 20 DISKW BIG FILE A (STEM R.'
end
say 'full rc' rc
'EXECIO 0 DISKW BIG FILE A (FINIS'
say 'finis rc' rc
'EXECIO * DISKR BIG FILE A (STEM B. FINIS'
say 'kept' rc b.0 b.1
EOF2
cms_put "$T/small.img" "$T/full.exec" "FULL EXEC A1"
cms_run full --disk 191="$T/small.img" <<'EOS'
full
listfile * * a (format
EOS
expect full '^first rc 0$'
expect full '^VMC014E Disk A \(191\) is full$'
expect full '^full rc 13$'
expect full '^finis rc 0$'
expect full '^kept 0 1 the first record$'
expect full '^BIG +FILE +A1 V +16 +1 '
expect_rcs full "0 0 0"
cms_done
