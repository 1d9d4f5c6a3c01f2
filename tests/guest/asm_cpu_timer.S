/* SPDX-License-Identifier: MIT */
/*
 * tests/guest/asm_cpu_timer.S - interrupts as a bare S-mode guest sees
 * them, with a vectored stvec: a software interrupt raised by the guest
 * itself, wfi that goes on while an enabled interrupt is pending even with
 * SIE off, timer ticks through SBI set_timer and wfi, and the clock
 * comparator DIAG set in the past.  Exit code 0, or the failing test (gp).
 */
#include <vmrv/diag.h>

#define SIE_SSIE 0x2
#define SIE_STIE 0x20

    .section .text.start, "ax"
    .globl _start
_start:
    la t0, vectors
    ori t0, t0, 1           /* vectored */
    csrw stvec, t0
    li s2, 0                /* software interrupts taken */
    li s3, 0                /* timer interrupts taken */

    /* 1: a software interrupt, taken right after csrs sip */
    li gp, 1
    csrsi sie, SIE_SSIE
    csrsi sstatus, 2
    csrsi sip, SIE_SSIE
    nop
    li t0, 1
    bne s2, t0, fail

    /* 2: wfi with SSIP pending and enabled but SIE off: goes on */
    li gp, 2
    csrci sstatus, 2
    csrsi sip, SIE_SSIE
    wfi
    csrci sip, SIE_SSIE
    li t0, 1
    bne s2, t0, fail

    /* 3: three timer ticks 200 us apart */
    li gp, 3
    li t0, SIE_STIE
    csrs sie, t0
    csrsi sstatus, 2
    rdtime s4
    li s5, 3
1:  rdtime a0
    addi a0, a0, 2000
    li a6, SBI_TIME_SET_TIMER
    li a7, SBI_EID_TIME
    ecall
    mv t1, s3
2:  wfi
    beq s3, t1, 2b          /* not yet: wait again */
    addi s5, s5, -1
    bnez s5, 1b
    li t0, 3
    bne s3, t0, fail
    rdtime t0
    sub t0, t0, s4
    li t1, 6000
    bltu t0, t1, fail       /* time went on by at least 3 x 2000 */

    /* 4: the clock comparator DIAG with a time in the past */
    li gp, 4
    li a0, 0
    li a6, DIAG_CLOCK_COMPARATOR
    li a7, DIAG_EID
    ecall
    nop
    li t0, 4
    bne s3, t0, fail

    li a0, 0
    j exit
fail:
    mv a0, gp
exit:
    li a6, DIAG_TEST_EXIT
    li a7, DIAG_EID
    ecall
1:  j 1b

    /* Vectored: exceptions at the base, interrupt n at base + 4n (so
     * 4-byte jumps only). */
    .option push
    .option norvc
    .balign 64
vectors:
    j fail                  /* 0: exceptions */
    j ssi                   /* 1: supervisor software */
    j fail
    j fail
    j fail
    j sti                   /* 5: supervisor timer */
    j fail
    j fail
    j fail
    j fail                  /* 9: supervisor external */
    .option pop

ssi:
    addi s2, s2, 1
    csrci sip, SIE_SSIE
    sret

sti:
    addi s3, s3, 1
    mv t3, a0
    mv t4, a6
    mv t5, a7
    li a0, -1               /* no more ticks: STIP clears */
    li a6, SBI_TIME_SET_TIMER
    li a7, SBI_EID_TIME
    ecall
    mv a0, t3
    mv a6, t4
    mv a7, t5
    sret
