/* SPDX-License-Identifier: MIT */
/* bench/guest/vm_start.S - start of a benchmark program under VM/RV (bare
 * S-mode): stack, gp, bench_main(IPL block), then the DIAG test exit with
 * the kernel's 64-bit checksum in a0 (the runner reads it there). */
#include <vmrv/diag.h>
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    mv a0, a1
    call bench_main
    li a6, DIAG_TEST_EXIT
    li a7, DIAG_EID
    ecall
1:  j 1b
