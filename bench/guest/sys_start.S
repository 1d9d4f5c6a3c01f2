/* SPDX-License-Identifier: MIT */
/* bench/guest/sys_start.S - start of a benchmark program under
 * qemu-system-riscv64 (virt machine, OpenSBI firmware, S-mode at
 * 0x80200000): stack, gp, sys_main(), which ends with an SBI shutdown. */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    call sys_main
1:  wfi
    j 1b
