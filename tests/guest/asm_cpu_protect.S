/* SPDX-License-Identifier: MIT */
/*
 * tests/guest/asm_cpu_protect.S - storage protection from U-mode (DIAG
 * PROTECT, the part storage keys played): a page made read-only for U-mode
 * can be read but not written (store access fault 7, also for an AMO and a
 * misaligned store reaching into it), a page made inaccessible can be
 * neither read (5) nor executed (1), while S-mode is never restricted.
 * Exit code 0, or the number of the failing test (gp).
 */
#include <vmrv/diag.h>

#define SSTATUS_SPP 0x100

#define EXPECT(c)      \
    li s10, c;         \
    la s8, 9f

#define TO_USER        \
    li t0, SSTATUS_SPP; \
    csrc sstatus, t0;  \
    la t0, 8f;         \
    csrw sepc, t0;     \
    sret

/* DIAG PROTECT: a0 = address, a1 = length, a2 = mode */
#define PROTECT(addr, mode) \
    mv a0, addr;       \
    li a1, 4096;       \
    li a2, mode;       \
    li a6, DIAG_PROTECT; \
    li a7, DIAG_EID;   \
    ecall;             \
    bnez a0, fail

    .section .text.start, "ax"
    .globl _start
_start:
    la t0, trap
    csrw stvec, t0
    li s10, -1
    la s6, ro_page
    la s7, none_page
    li t1, 0x5a
    sb t1, 0(s6)
    PROTECT(s6, DIAG_PROT_USER_RO)
    PROTECT(s7, DIAG_PROT_USER_NONE)

    /* 1: S-mode still writes both pages */
    li gp, 1
    sd t1, 8(s6)
    sd t1, 8(s7)

    /* 2: U-mode reads the read-only page, then a store faults there */
    li gp, 2
    EXPECT(7)
    mv s9, s6
    TO_USER
8:  lbu t2, 0(s6)
    li t3, 0x5a
    bne t2, t3, fail_u
    sb t2, 0(s6)
    j fail_u
9:
    /* 3: an AMO on the read-only page */
    li gp, 3
    EXPECT(7)
    addi s9, s6, 16
    TO_USER
8:  addi t0, s6, 16
    amoadd.d t1, t1, (t0)
    j fail_u
9:
    /* 4: a misaligned store from the page before into the read-only one */
    li gp, 4
    EXPECT(7)
    mv s9, s6
    TO_USER
8:  sd t1, -4(s6)
    j fail_u
9:
    /* 5: a load from the inaccessible page */
    li gp, 5
    EXPECT(5)
    addi s9, s7, 3
    TO_USER
8:  lb t1, 3(s7)
    j fail_u
9:
    /* 6: a jump into the inaccessible page */
    li gp, 6
    EXPECT(1)
    mv s9, s7
    TO_USER
8:  jr s7
9:
    /* 7: open the page again: U-mode reads it */
    li gp, 7
    PROTECT(s7, DIAG_PROT_USER_RW)
    EXPECT(8)
    li s9, 0
    TO_USER
8:  ld t1, 8(s7)
    ecall
9:
    li a0, 0
    j exit
fail_u:
    /* from U-mode: come back to S-mode through an ecall */
    li s10, 8
    li s9, 0
    la s8, fail
    ecall
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

    .data
    .balign 4096
rw_page:
    .space 4096
ro_page:
    .space 4096
none_page:
    .space 4096
