/* SPDX-License-Identifier: MIT */
/*
 * sdk/crt0.S - start of a CMS user program.  CMS enters it in U-mode with
 * a0 = argc, a1 = argv, sp = the stack top (vmrv/cmsapi.h).  Sets gp and
 * tp (thread-local storage: picolibc's errno), runs constructors, calls
 * main(argc, argv) and ends with exit(its return value), which flushes
 * stdio and issues CMS_EXIT.  CMS has zeroed .bss already (it loads the
 * ELF's memory size), so crt0 does not.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la tp, __tls_base
    mv s0, a0
    mv s1, a1
    call __cms_sdk_init
    mv a0, s0
    mv a1, s1
    call main
    call exit
1:  j 1b
