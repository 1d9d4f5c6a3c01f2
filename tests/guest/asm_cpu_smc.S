/* SPDX-License-Identifier: MIT */
/*
 * tests/guest/asm_cpu_smc.S - self-modifying code and program loading as a
 * bare S-mode guest: a store that rewrites the next instruction of the
 * running block, a routine copied elsewhere and called after fence.i, a
 * patch of that routine without fence.i (VM/RV drops the translation on
 * the store itself), and a loop that rewrites its own body while it runs.
 * Exit code 0, or the number of the failing test (gp).
 */
#include <vmrv/diag.h>

    .option norvc           /* whole words are patched below */
    .section .text.start, "ax"
    .globl _start
_start:
    la t0, fail_trap
    csrw stvec, t0

    /* 1: rewrite the very next instructions of this block */
    li gp, 1
    la t1, 1f
    lw t0, newinsn          /* addi a0, zero, 42 */
    sw t0, 0(t1)
1:  addi a0, zero, 7
    li t2, 42
    bne a0, t2, fail

    /* 2: load a routine (copy + fence.i), call it */
    li gp, 2
    la t0, routine
    la t1, loadbuf
    ld t2, 0(t0)
    sd t2, 0(t1)
    ld t2, 8(t0)
    sd t2, 8(t1)
    fence.i
    li a0, 1
    jalr ra, t1             /* a0 *= 3 */
    li t2, 3
    bne a0, t2, fail

    /* 3: patch its first instruction, no fence.i: still seen.  Now
     * a0 = (3 << 4) + t3, and t3 is still 2 from the first call. */
    li gp, 3
    lw t2, newinsn2         /* slli a0, a0, 4 */
    sw t2, 0(t1)
    jalr ra, t1
    li t2, 50
    bne a0, t2, fail

    /* 4: a loop that rewrites its body after 100 iterations */
    li gp, 4
    li s2, 0                /* iterations */
    li s3, 0                /* sum */
    la s4, 2f
    lw s5, newinsn3         /* addi s3, s3, 100 */
3:  addi s2, s2, 1
    li t0, 100
    bne s2, t0, 2f
    sw s5, 0(s4)
2:  addi s3, s3, 1
    li t0, 200
    bne s2, t0, 3b
    /* 99 iterations add 1; the 100th adds 100 (the store precedes it in
     * the same block); 100 more add 100 each */
    li t0, 99 + 100 * 101
    bne s3, t0, fail

    li a0, 0
    j exit
fail_trap:
    li gp, 99
fail:
    mv a0, gp
exit:
    li a6, DIAG_TEST_EXIT
    li a7, DIAG_EID
    ecall
1:  j 1b

    .align 3
routine:
    slli t3, a0, 1
    add a0, a0, t3
    ret
    nop
    .align 2
newinsn:
    addi a0, zero, 42
newinsn2:
    slli a0, a0, 4
newinsn3:
    addi s3, s3, 100

    .data
    .balign 4096
loadbuf:
    .space 64
