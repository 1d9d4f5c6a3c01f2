/* SPDX-License-Identifier: MIT */
/*
 * cms/start.S - the first instructions of CMS and its trap entry.
 *
 * _start runs at every IPL (from `vmrv run cms.elf` or from the saved
 * segment): it copies .data/.tdata from their load image in the segment to
 * private storage, points gp, tp, sp and stvec at CMS's own, and calls
 * cms_main(ipl block, 0).  .bss is zero already (CP zeroes it at IPL).  An
 * ABEND IPLs again through cms_reipl, which zeroes .bss and calls
 * cms_main(ipl block, 1).
 *
 * Trap entry (stvec, direct mode).  sscratch tells where a trap came from:
 *   sscratch == 0     we were in S-mode (CMS itself): build a frame on the
 *                     current stack, call cms_trap_kernel(frame), return.
 *   sscratch != 0     we were in U-mode and sscratch is the address of the
 *                     user context (struct cms_uctx, cms/cms.h): save the
 *                     user's registers there, switch to the kernel sp, tp
 *                     and gp kept in it, call cms_trap_user(ctx).  When that
 *                     returns, cms_user_resume(ctx) goes back to U-mode.
 * Frame layout (bytes): x0..x31 at 8*n, sepc 256, sstatus 264, scause 272,
 * stval 280; the user context adds ksp 288, ktp 296, kgp 304.
 */
#include <vmrv/diag.h>

#define F_SEPC 256
#define F_SSTATUS 264
#define F_SCAUSE 272
#define F_STVAL 280
#define F_KSP 288
#define F_KTP 296
#define F_KGP 304
#define FRAME 288
#define SSTATUS_SPP 0x100
#define SSTATUS_SPIE 0x20

    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __cms_stack_top
    csrw sie, zero
    csrci sstatus, 2            /* SIE off: CMS runs disabled in S-mode */
    csrw sscratch, zero
    la t0, cms_trap_entry
    csrw stvec, t0
    mv s0, a1
    mv s1, a0                   /* 0 at IPL; 1 when an ABEND IPLs again */
    /* .data and .tdata: from the segment image to private storage */
    la a0, __data_start
    la a1, __data_source
    la a2, __data_size
    call memcpy
    /* .tbss and .bss: CP hands them over zero at every IPL (docs/ABI.md,
     * "State at IPL"), so only CMS's own re-IPL after an ABEND clears
     * them; clearing at IPL would back all of bss with host frames. */
    beqz s1, 2f
    la a0, __data_end
    la a2, __bss_end
    sub a2, a2, a0
    li a1, 0
    call memset
2:
    la tp, __tls_base
    mv a0, s0
    mv a1, s1
    call cms_main
    /* cms_main does not return; if it did, stop in a disabled wait */
1:  csrw sie, zero
    wfi
    j 1b

    .text
    .balign 4
    .globl cms_trap_entry
cms_trap_entry:
    csrrw sp, sscratch, sp
    bnez sp, from_user
    /* from S-mode: put sp back, sscratch = 0 again */
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    addi t0, sp, FRAME
    sd t0, 16(sp)
    sd zero, 0(sp)
    csrr t0, sepc
    sd t0, F_SEPC(sp)
    csrr t0, sstatus
    sd t0, F_SSTATUS(sp)
    csrr t0, scause
    sd t0, F_SCAUSE(sp)
    csrr t0, stval
    sd t0, F_STVAL(sp)
    mv a0, sp
    call cms_trap_kernel
    ld t0, F_SEPC(sp)
    csrw sepc, t0
    ld t0, F_SSTATUS(sp)
    csrw sstatus, t0
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    addi sp, sp, FRAME
    sret

from_user:
    /* sp = user context, sscratch = the user's sp */
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrr t0, sscratch
    sd t0, 16(sp)
    sd zero, 0(sp)
    csrw sscratch, zero
    csrr t0, sepc
    sd t0, F_SEPC(sp)
    csrr t0, sstatus
    sd t0, F_SSTATUS(sp)
    csrr t0, scause
    sd t0, F_SCAUSE(sp)
    csrr t0, stval
    sd t0, F_STVAL(sp)
    mv a0, sp
    ld tp, F_KTP(a0)
    ld gp, F_KGP(a0)
    ld sp, F_KSP(a0)
    call cms_trap_user
    /* a0 = the context to resume: fall through */

/* void cms_user_resume(struct cms_uctx *ctx): enter U-mode with the
 * registers in ctx (x0..x31, sepc).  Does not return. */
    .globl cms_user_resume
cms_user_resume:
    mv sp, a0
    ld t0, F_SEPC(sp)
    csrw sepc, t0
    li t0, SSTATUS_SPP
    csrc sstatus, t0            /* return to U-mode */
    li t0, SSTATUS_SPIE
    csrs sstatus, t0
    csrw sscratch, sp
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    ld sp, 16(sp)
    sret

/* void cms_reipl(const void *ipl): start CMS afresh (after an ABEND). */
    .globl cms_reipl
cms_reipl:
    mv a1, a0
    li a0, 1
    j _start
