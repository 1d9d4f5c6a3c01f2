/* SPDX-License-Identifier: MIT */
/*
 * tests/guest/asm_cpu_traps.S - exceptions as a bare S-mode guest sees
 * them: misaligned accesses that work (also across a page), access faults
 * at the end of storage, misaligned LR/AMO, ecall/illegal/wfi/counters
 * from U-mode, ebreak, a fetch beyond storage.  Every expected trap names
 * its scause and stval (s10, s9) and where to go on (s8); the handler
 * checks them and returns to S-mode there.  Exit code 0, or the number of
 * the test that failed (in gp).
 */
#include <vmrv/diag.h>

#define SSTATUS_SPP 0x100

/* The next instruction must trap with cause c and stval v; go on at 9f. */
#define EXPECT(c, v)   \
    li s10, c;         \
    li s9, v;          \
    la s8, 9f

/* Enter U-mode at the label 8f (which the test defines). */
#define TO_USER        \
    li t0, SSTATUS_SPP; \
    csrc sstatus, t0;  \
    la t0, 8f;         \
    csrw sepc, t0;     \
    sret

    .section .text.start, "ax"
    .globl _start
_start:
    ld s11, 16(a1)          /* storage size from the IPL block */
    la t0, trap
    csrw stvec, t0
    li s10, -1
    la s7, pagebuf

    /* 1: a misaligned store and load across a page boundary work */
    li gp, 1
    li t1, 0x1122334455667788
    li t2, 4093
    add t2, t2, s7
    sd t1, 0(t2)
    ld t3, 0(t2)
    bne t1, t3, fail
    lhu t3, 2(t2)           /* bytes 2, 3 (0x66, 0x55): across the boundary */
    li t4, 0x5566
    bne t3, t4, fail

    /* 2: a load half beyond storage: stval = the first missing byte */
    li gp, 2
    addi t0, s11, -4
    li s10, 5
    mv s9, s11
    la s8, 9f
    ld t1, 0(t0)
    j fail
9:
    /* 3: a store beyond storage */
    li gp, 3
    addi t0, s11, 8
    li s10, 7
    mv s9, t0
    la s8, 9f
    sd t1, 0(t0)
    j fail
9:
    /* 4: misaligned lr.w */
    li gp, 4
    addi t0, s7, 2
    li s10, 4
    mv s9, t0
    la s8, 9f
    lr.w t1, (t0)
    j fail
9:
    /* 5: misaligned amoadd.d */
    li gp, 5
    addi t0, s7, 4
    li s10, 6
    mv s9, t0
    la s8, 9f
    amoadd.d t1, t1, (t0)
    j fail
9:
    /* 6: ebreak: stval = its address */
    li gp, 6
    li s10, 3
    la s9, 7f
    la s8, 9f
7:  ebreak
    j fail
9:
    /* 7: ecall from U-mode is the guest's own: scause 8 */
    li gp, 7
    EXPECT(8, 0)
    TO_USER
8:  ecall
    j fail
9:
    /* 8: an S-mode CSR from U-mode: illegal, stval = the instruction */
    li gp, 8
    EXPECT(2, 0x10002573)   /* csrr a0, sstatus */
    TO_USER
8:  csrr a0, sstatus
    j fail
9:
    /* 9: rdcycle from U-mode with scounteren = 0 */
    li gp, 9
    csrw scounteren, zero
    EXPECT(2, 0xc0002573)   /* rdcycle a0 */
    TO_USER
8:  rdcycle a0
    j fail
9:
    /* 10: wfi from U-mode */
    li gp, 10
    EXPECT(2, 0x10500073)
    TO_USER
8:  wfi
    j fail
9:
    /* 11: a jump beyond storage: fetch access fault */
    li gp, 11
    li s10, 1
    mv s9, s11
    la s8, 9f
    jr s11
9:
    /* 12: with scounteren.TM, U-mode reads time */
    li gp, 12
    csrwi scounteren, 2
    EXPECT(8, 0)
    TO_USER
8:  rdtime a0
    ecall
9:
    li a0, 0
    j exit

fail:
    mv a0, gp
exit:
    li a6, DIAG_TEST_EXIT
    li a7, DIAG_EID
    ecall
1:  j 1b

    .align 2
trap:
    csrr t5, scause
    bne t5, s10, fail
    csrr t5, stval
    bne t5, s9, fail
    li s10, -1
    li t5, SSTATUS_SPP
    csrs sstatus, t5
    csrw sepc, s8
    sret

    .bss
    .balign 4096
pagebuf:
    .space 8192
