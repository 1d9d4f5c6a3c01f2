/* SPDX-License-Identifier: MIT */
/* bench/guest/linux_start.S - start of a benchmark program as a static
 * Linux program (run by qemu-riscv64): argc/argv from the stack, gp,
 * bench_main(argc, argv), then the exit system call with its result.
 * No C library: the two system calls it needs are in linux_main.c. */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    ld a0, 0(sp)
    addi a1, sp, 8
    andi sp, sp, -16
    call bench_main
    li a7, 93 /* exit */
    ecall
1:  j 1b
