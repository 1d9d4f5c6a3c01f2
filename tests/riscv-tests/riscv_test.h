/* SPDX-License-Identifier: MIT */
/*
 * tests/riscv-tests/riscv_test.h - VM/RV's own test environment for the
 * official RISC-V ISA tests (riscv-software-src/riscv-tests, isa/), written
 * for VM/RV: each test runs bare in virtual S-mode under CP, linked at
 * 0x10000 (tests/riscv-tests/link.ld), and reports through the DIAG test
 * exit: a0 = 0 pass, else (TESTNUM << 1) | 1 as the suite's convention.
 *
 * Supported: the U tests (rv64ui, rv64um, rv64ua, rv64uc) run directly in
 * S-mode; the S tests (rv64si) get stvec pointed at their stvec_handler, and
 * a pass reached in U-mode comes back through that handler.  Machine-mode
 * tests are not supported (the virtual hart has no M-mode).
 *
 * The constants below are the values of the RISC-V privileged
 * specification that the supported tests name.
 */
#ifndef VMRV_RISCV_TEST_H
#define VMRV_RISCV_TEST_H

#include "vmrv/diag.h"

/* ---- architectural constants used by the tests ---- */
#define SSTATUS_SIE 0x00000002
#define SSTATUS_SPIE 0x00000020
#define SSTATUS_SPP 0x00000100
#define SSTATUS_UXL 0x0000000300000000
#define MSTATUS_MPP 0x00001800
#define MSTATUS_FS 0x00006000
#define SIP_SSIP 0x00000002
#define SIP_STIP 0x00000020
#define CAUSE_MISALIGNED_FETCH 0x0
#define CAUSE_FETCH_ACCESS 0x1
#define CAUSE_ILLEGAL_INSTRUCTION 0x2
#define CAUSE_BREAKPOINT 0x3
#define CAUSE_MISALIGNED_LOAD 0x4
#define CAUSE_LOAD_ACCESS 0x5
#define CAUSE_MISALIGNED_STORE 0x6
#define CAUSE_STORE_ACCESS 0x7
#define CAUSE_USER_ECALL 0x8
#define CAUSE_SUPERVISOR_ECALL 0x9
#define CAUSE_MACHINE_ECALL 0xb

/* ---- test kinds: nothing to prepare beyond the common start ---- */
#define RVTEST_RV64U .macro init; .endm
#define RVTEST_RV32U .macro init; .endm
#define RVTEST_RV64S .macro init; .endm
#define RVTEST_RV32S .macro init; .endm

#define TESTNUM gp

/* Report through CP: a0 = result, the DIAG test exit. */
#define VMRV_TEST_EXIT \
        li a6, DIAG_TEST_EXIT; \
        li a7, DIAG_EID; \
        ecall; \
        j .

#define RVTEST_PASS \
        fence; \
        li TESTNUM, 1; \
        li a0, 0; \
        VMRV_TEST_EXIT

#define RVTEST_FAIL \
        fence; \
1:      beqz TESTNUM, 1b; \
        sll TESTNUM, TESTNUM, 1; \
        or TESTNUM, TESTNUM, 1; \
        mv a0, TESTNUM; \
        VMRV_TEST_EXIT

/*
 * Start: a jump over the default trap handler, then clear the registers,
 * point stvec at the test's stvec_handler (if it has one) or at the default
 * handler, which fails the test with TESTNUM | 0x400 and scause in a1.
 */
#define RVTEST_CODE_BEGIN \
        .section .text.init, "ax"; \
        .align 6; \
        .weak stvec_handler; \
        .globl _start; \
_start: \
        j vmrv_reset; \
        .align 2; \
vmrv_trap: \
        csrr a1, scause; \
        ori a0, TESTNUM, 0x400; \
        sll a0, a0, 1; \
        or a0, a0, 1; \
        VMRV_TEST_EXIT; \
vmrv_reset: \
        .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31; \
        li x\r, 0; \
        .endr; \
        la t0, vmrv_trap; \
        csrw stvec, t0; \
        la t0, stvec_handler; \
        beqz t0, 1f; \
        csrw stvec, t0; \
1:      csrwi sstatus, 0; \
        init; \
        j vmrv_body; \
        .section .text, "ax"; \
vmrv_body:

#define RVTEST_CODE_END unimp

#define EXTRA_DATA
#define RVTEST_DATA_BEGIN \
        EXTRA_DATA; \
        .align 4; .global begin_signature; begin_signature:
#define RVTEST_DATA_END .align 4; .global end_signature; end_signature:

#endif
