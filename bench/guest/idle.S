/* SPDX-License-Identifier: MIT */
/* bench/guest/idle.S - the smallest useful guest: touches one data page,
 * enables the external interrupt and waits in wfi, as an idle VM does.
 * Used for the VM creation + IPL time and the idle VM's host memory. */
    .section .text.start, "ax"
    .globl _start
_start:
    la t0, word
    sd a1, 0(t0)
    li t1, 0x200 /* SEIE */
    csrw sie, t1
1:  wfi
    j 1b
    .data
    .balign 8
word:
    .dword 0
