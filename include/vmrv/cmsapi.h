/* SPDX-License-Identifier: MIT */
/*
 * vmrv/cmsapi.h - the CMS program ABI: how a user program running in
 * U-mode calls CMS.  Shipped in the SDK.
 *
 * A program is an ELF (stored as "fn MODULE" on a CMS disk) linked at or
 * above VMRV_USER_BASE.  CMS loads it into the user program area, and enters
 * it in U-mode at e_entry with:
 *   a0 = argc, a1 = argv (pointer array in the user area, argv[0] = the
 *   program name in upper case), sp = 16-byte aligned top of the program's
 *   stack, gp/tp = 0.
 * The program ends with CMS_EXIT (its return code becomes the command's
 * return code: `Ready(rc);`) or by returning from main through crt0.
 *
 * A service call is `ecall` from U-mode, which CP reflects to CMS as an
 * environment call from U-mode (scause 8):
 *   a7 = service number (CMS_*), a0..a5 = arguments
 *   a0 <- result: >= 0 success, < 0 a negative CMS_E* error
 * Other registers are preserved.  Pointers must lie in the user program
 * area; CMS checks every buffer and answers CMS_EFAULT otherwise.
 *
 * Files are named by fn, ft, fm strings (1..8 characters each; fm is a
 * letter and an optional number, "*" means the first in search order for
 * reading, "A1" for writing).  Names are upper-cased by CMS.
 *
 * Storage CMS owns is protected from U-mode (DIAG_PROTECT): a program that
 * touches it, or executes an illegal instruction, gets a program check
 * message and CMS returns to the Ready prompt with return code
 * CMS_RC_PROGRAM_CHECK; the file system stays intact.
 */
#ifndef VMRV_CMSAPI_H
#define VMRV_CMSAPI_H

/* ---- services (a7) ----------------------------------------------------- */
#define CMS_EXIT 0 /* a0 = return code; does not return */
#define CMS_CONWRITE 1 /* a0 = buf, a1 = len, a2 = 1: end the line */
#define CMS_CONREAD 2 /* a0 = buf, a1 = cap; a0 <- line length (truncated
                         to cap); reads the program stack first */
#define CMS_FSOPEN 3 /* a0 = struct cms_fileid *, a1 = mode (CMS_O_*),
                        a2 = recfm ('F' or 'V', for new files), a3 = lrecl;
                        a0 <- handle (>= 0) */
#define CMS_FSREAD 4 /* a0 = handle, a1 = buf, a2 = cap; reads one record;
                        a0 <- its length, CMS_EEOF at the end */
#define CMS_FSWRITE 5 /* a0 = handle, a1 = buf, a2 = len; writes one record
                         (F files: padded with blanks/truncated to LRECL) */
#define CMS_FSCLOSE 6 /* a0 = handle; the file is durable on return */
#define CMS_FSSTATE 7 /* a0 = struct cms_fileid *, a1 = struct cms_fstat *
                         or 0; CMS_ENOTFOUND if absent */
#define CMS_FSERASE 8 /* a0 = struct cms_fileid * */
#define CMS_CMSCALL 9 /* a0 = command line, a1 = len; runs a CMS command;
                         a0 <- its return code */
#define CMS_CPCALL 10 /* a0 = command, a1 = len, a2 = response buf or 0,
                         a3 = cap; a0 <- CP return code */
#define CMS_GETTIME 11 /* a0 = struct diag_timer * (vmrv/diag.h) */
#define CMS_MEMINFO 12 /* a0 = struct cms_meminfo * */
#define CMS_STACK 13 /* a0 = line, a1 = len, a2 = 0 QUEUE (FIFO) 1 PUSH */
#define CMS_QUEUED 14 /* a0 <- number of lines in the program stack */
#define CMS_FSPOINT 15 /* a0 = handle, a1 = record number (1-based) for the
                          next FSREAD/FSWRITE */

/* open modes */
#define CMS_O_READ 0 /* existing file */
#define CMS_O_WRITE 1 /* create or replace (the old file stays until CLOSE) */
#define CMS_O_APPEND 2 /* create or extend */

/* ---- errors (negative a0) ---------------------------------------------- */
#define CMS_EFAULT (-1) /* a buffer outside the user program area */
#define CMS_EINVAL (-2) /* bad name, mode, handle or length */
#define CMS_ENOTFOUND (-28) /* file not found (CMS's return code 28) */
#define CMS_EEOF (-12) /* end of file */
#define CMS_EROFS (-36) /* disk is read-only (as CMS rc 36) */
#define CMS_ENOSPC (-13) /* disk full */
#define CMS_EIO (-100) /* disk I/O error */
#define CMS_EMFILE (-24) /* too many open files */
#define CMS_ENOSYS (-38) /* unknown service */
#define CMS_ENODISK (-37) /* filemode not accessed */

#define CMS_RC_PROGRAM_CHECK 256 /* return code after a program check */
#define CMS_RC_NOT_FOUND 28
#define CMS_RC_UNKNOWN_COMMAND (-3) /* as CMS: Ready(-0003); */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cms_fileid {
    char fn[8]; /* blank padded */
    char ft[8];
    char fm[2]; /* letter, number ('1' if blank) */
};

struct cms_fstat {
    char recfm; /* 'F' or 'V' */
    char fm[2]; /* where it was found */
    char pad[5];
    uint32_t lrecl; /* F: record length, V: longest record */
    uint32_t records;
    uint64_t bytes;
    uint64_t mtime_us; /* microseconds since 1970 UTC */
};

struct cms_meminfo {
    uint64_t user_base; /* VMRV_USER_BASE */
    uint64_t user_end; /* first byte the program may not use */
    uint64_t storage_size;
};

#if defined(__riscv)
/* One inline for all services; the SDK's C library builds on it. */
static inline long
cms_svc(long n, long a0, long a1, long a2, long a3)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a7)
                     : "memory");
    return r_a0;
}
#endif /* __riscv */
#endif /* !__ASSEMBLER__ */
#endif /* VMRV_CMSAPI_H */
