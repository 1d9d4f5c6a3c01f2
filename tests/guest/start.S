/* SPDX-License-Identifier: MIT */
/* Start of a guest test program: stack, gp, main(argc-less), then the DIAG
 * test exit with main's return value.  a1 at entry is the IPL block. */
#include <vmrv/diag.h>
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    mv s0, a1
    call rt_init
    mv a0, s0
    call main
    call rt_flush
    /* a0 = exit code */
    li a6, DIAG_TEST_EXIT
    li a7, DIAG_EID
    ecall
1:  j 1b
