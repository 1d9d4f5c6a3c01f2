/* SPDX-License-Identifier: MIT */
/*
 * vmrv/diag.h - the DIAGNOSE ABI: the contract between a guest running in
 * virtual S-mode and CP.  Shared by CP (host C), CMS and the SDK (guest C)
 * and assembly (only the #defines are visible to the assembler).
 *
 * Calling convention (the SBI convention, RISC-V SBI v2.0 chapter 3):
 *   ecall from virtual S-mode
 *   a7 = extension id (EID), a6 = function id (FID), a0..a5 = arguments
 *   on return: a0 = error (0 or a negative DIAG_E* code), a1 = value,
 *   and, for the functions below that say so, a2 = a second value.
 *   Every other register is preserved.  pc advances past the ecall.
 *
 * CP is an SBI implementation (implementation id VMRV_SBI_IMPL_ID) that
 * answers the standard BASE, TIME, DBCN and SRST extensions, so a
 * bare-metal S-mode program using only those runs too.  VM/RV's own
 * functions live in one firmware-specific extension, DIAG_EID, whose low
 * 24 bits equal the implementation id as the SBI specification asks.  Its
 * function ids keep VM/370's DIAGNOSE numbers where VM had a function for
 * the same job; functions VM never had sit in the range 0x1000-0x1FFF.
 *
 * Buffers are guest-physical addresses (there is no guest MMU).  A buffer
 * that is not wholly inside guest storage gives DIAG_EFAULT and CP touches
 * nothing.  Lengths are in bytes unless a function says otherwise.
 *
 * The full text, with every error of every function, is docs/ABI.md.
 */
#ifndef VMRV_DIAG_H
#define VMRV_DIAG_H

/* ---- SBI identification ------------------------------------------------ */
#define VMRV_SBI_IMPL_ID 0x564D52 /* "VMR" */
#define VMRV_SBI_SPEC_VERSION 0x02000000 /* SBI v2.0: major<<24 | minor */

#define SBI_EID_BASE 0x10
#define SBI_EID_TIME 0x54494D45 /* "TIME" */
#define SBI_EID_DBCN 0x4442434E /* "DBCN" */
#define SBI_EID_SRST 0x53525354 /* "SRST" */
#define DIAG_EID 0x0A564D52 /* firmware-specific range, low 24 bits = impl id */

/* BASE functions */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6
/* TIME */
#define SBI_TIME_SET_TIMER 0
/* DBCN: a0 = length, a1 = address low, a2 = address high (0 on RV64) */
#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2
/* SRST: a0 = type, a1 = reason */
#define SBI_SRST_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_SYSFAIL 1

/* ---- error codes (a0) -------------------------------------------------- */
/* The standard SBI codes ... */
#define DIAG_OK 0
#define DIAG_EFAILED (-1) /* SBI_ERR_FAILED */
#define DIAG_ENOTSUP (-2) /* SBI_ERR_NOT_SUPPORTED: unknown EID/FID or subcode */
#define DIAG_EINVAL (-3) /* SBI_ERR_INVALID_PARAM: bad length, flag or value */
#define DIAG_EDENIED (-4) /* SBI_ERR_DENIED: not allowed for this user */
#define DIAG_EFAULT (-5) /* SBI_ERR_INVALID_ADDRESS: buffer not in storage */
/* ... and VM/RV's own, below -100 so they never meet a future SBI code. */
#define DIAG_EIO (-100) /* host I/O error (the operator is told) */
#define DIAG_ENODEV (-101) /* no device at that virtual address / wrong type */
#define DIAG_EOF (-102) /* end of file or no more data */
#define DIAG_EROFS (-103) /* write to a read-only device or link */
#define DIAG_ENOSPC (-104) /* host storage or spool full */
#define DIAG_ERANGE (-105) /* block number or address beyond the device */
#define DIAG_ENOTFOUND (-106) /* named object (segment, spool file, user) absent */
#define DIAG_EAGAIN (-107) /* nothing available now and the caller asked not to wait */
#define DIAG_EINTR (-108) /* a wait was ended by attention */

/* ---- function ids (a6) of DIAG_EID ------------------------------------- */

/* 0x000 IDENTIFY: a0 = buffer, a1 = its length (>= sizeof(diag_identify)
 * is not required: CP writes min(a1, sizeof) bytes).  a1 <- bytes written. */
#define DIAG_IDENTIFY 0x000

/* 0x008 CP COMMAND: run a CP command as this VM's user.
 * a0 = command text, a1 = its length (1..240),
 * a2 = response buffer or 0, a3 = buffer length, a4 = flags.
 * With a2 = 0 (or DIAG_CPCMD_CONSOLE) the response goes to the console.
 * a1 <- CP's return code (0 = success), a2 <- full response length (it may
 * exceed a3: the response was then truncated to a3 bytes).  Lines of the
 * response are separated by '\n'. */
#define DIAG_CP_COMMAND 0x008
#define DIAG_CPCMD_CONSOLE 0x1 /* write the response to the console too */

/* 0x00C PSEUDO-TIMER: a0 = buffer for struct diag_timer, a1 = its length.
 * a1 <- bytes written. */
#define DIAG_TIMER 0x00C

/* 0x010 RELEASE PAGES: a0 = first byte (page aligned), a1 = length (a
 * multiple of DIAG_PAGE_SIZE).  The pages read back as zeros afterwards and
 * cost no host storage until touched again.  Page 0 and shared segment
 * pages are refused with DIAG_EINVAL. */
#define DIAG_RELEASE_PAGES 0x010

/* 0x014 READER: reader spool file input.  a0 = subcode, others below.
 * Reads whole records: one record per call. */
#define DIAG_READER 0x014
#define DIAG_RDR_NEXT 0 /* a1 = buffer, a2 = length: read the next record of
                           the current file (opening the first eligible
                           file if none is open).  a1 <- record length (the
                           record was truncated if it exceeds a2),
                           a2 <- spoolid.  DIAG_EOF at the file's end,
                           DIAG_ENOTFOUND when the reader holds no file. */
#define DIAG_RDR_SELECT 1 /* a1 = spoolid: make it the current file */
#define DIAG_RDR_RESTART 2 /* back to the first record of the current file */
#define DIAG_RDR_DESCRIBE 3 /* a1 = spoolid (0 = next eligible), a2 = buffer
                               for struct diag_spool_desc, a3 = length */
#define DIAG_RDR_CLOSE 4 /* a1 = 0 keep, 1 purge the current file */

/* 0x024 DEVICE INFORMATION: a0 = virtual device address (0x000-0xFFF),
 * a1 = buffer for struct diag_devinfo, a2 = its length.
 * DIAG_ENODEV if the VM has no device there. */
#define DIAG_DEVINFO 0x024

/* 0x058 CONSOLE: a0 = subcode, a1 = buffer, a2 = length.
 * WRITE_LINE writes the bytes and ends the line; WRITE writes them with no
 * line end (a prompt).  CP strips nothing from guest output except that a
 * '\n' inside the buffer ends a line.  a1 <- bytes accepted (always all).
 * READ waits (VM READ state, no host CPU) until the user enters a line,
 * then copies it without its line end; a1 <- line length (a longer line is
 * truncated to a2 and a2 <- its full length).  READ with DIAG_CON_NOWAIT in
 * a3 returns DIAG_EAGAIN instead of waiting.  A pending attention ends a
 * READ with DIAG_EINTR. */
#define DIAG_CONSOLE 0x058
#define DIAG_CON_WRITE_LINE 0
#define DIAG_CON_WRITE 1
#define DIAG_CON_READ 2
#define DIAG_CON_NOWAIT 0x1

/* 0x060 STORAGE SIZE: a1 <- storage size in bytes. */
#define DIAG_STORAGE_SIZE 0x060

/* 0x064 NAMED SAVED SEGMENT: a0 = subcode, a1 = name (1..8 characters,
 * upper case, blank or NUL padded), a2 = name length.
 * FIND: a1 <- start address, a2 <- length, without attaching.
 * ATTACH: map it read-only into this VM at its address; a1, a2 as FIND.
 * DETACH: drop it from this VM (the range reads as zeros afterwards). */
#define DIAG_SEGMENT 0x064
#define DIAG_SEG_FIND 0
#define DIAG_SEG_ATTACH 1
#define DIAG_SEG_DETACH 2

/* 0x068 MESSAGES between VMs (VMCF; SMSG rides on it).
 * SEND: a1 = target userid (8 chars, blank padded), a2 = text, a3 = length
 * (1..240).  RECEIVE: a1 = buffer for struct diag_message, a2 = length;
 * DIAG_EAGAIN when no message waits.  Arriving messages raise
 * DIAG_EVENT_MESSAGE when SET SMSG ON (or this VM asked: AUTHORIZE). */
#define DIAG_MESSAGE 0x068
#define DIAG_MSG_SEND 0
#define DIAG_MSG_RECEIVE 1
#define DIAG_MSG_AUTHORIZE 2 /* a1 = 1 accept SMSG as events, 0 stop */

/* 0x250 BLOCK I/O on a minidisk: a0 = subcode, a1 = virtual address,
 * GEOMETRY: a2 = buffer for struct diag_geometry, a3 = its length.
 * READ/WRITE: a2 = first block, a3 = guest buffer, a4 = block count
 *   (1..DIAG_BLOCK_MAX_COUNT); a1 <- blocks transferred (all or error).
 *   A WRITE returns when the data is *acknowledged*: it survives CP being
 *   killed.
 * FLUSH: returns when everything acknowledged is *flushed*: it survives the
 *   host losing power.
 * Errors: DIAG_ENODEV (no disk there), DIAG_ERANGE (beyond the disk),
 * DIAG_EROFS (read-only link), DIAG_EIO, DIAG_ENOSPC (host disk full). */
#define DIAG_BLOCK_IO 0x250
#define DIAG_BIO_GEOMETRY 0
#define DIAG_BIO_READ 1
#define DIAG_BIO_WRITE 2
#define DIAG_BIO_FLUSH 3
#define DIAG_BLOCK_SIZE 4096
#define DIAG_BLOCK_MAX_COUNT 256

/* 0x258 is reserved (VM's pseudo page fault handshake). */
#define DIAG_PAGEX_RESERVED 0x258

/* ---- VM/RV's own functions: 0x1000-0x1FFF -------------------------------- */

/* UNIT RECORD OUTPUT to the punch (00D) or printer (00E):
 * a0 = virtual address, a1 = record, a2 = length (0..DIAG_UR_MAX_RECORD),
 * a3 = flags.  DIAG_UR_CLOSE closes the file after this record (a2 may be
 * 0 to close only); a4 = name, a5 = length of "fn ft" for the spool file
 * when closing (0 = none).  a1 <- spoolid when a file was closed. */
#define DIAG_UR_WRITE 0x1000
#define DIAG_UR_CLOSE 0x1
#define DIAG_UR_MAX_RECORD 65535

/* CLOCK COMPARATOR: a0 = absolute `time` value at which STIP becomes
 * pending; DIAG_CLOCK_OFF disables it.  The same as SBI TIME set_timer. */
#define DIAG_CLOCK_COMPARATOR 0x1004
#define DIAG_CLOCK_OFF 0xFFFFFFFFFFFFFFFFull

/* EVENT CLAIM: claims the oldest pending external event.  a1 <- event type
 * (DIAG_EVENT_*), a2 <- detail.  DIAG_EAGAIN when none is pending.  SEIP
 * stays pending in sip while any event is pending, like a PLIC claim. */
#define DIAG_EVENT_CLAIM 0x1008
#define DIAG_EVENT_ATTENTION 1 /* the user pressed attention; detail 0 */
#define DIAG_EVENT_MESSAGE 2 /* an SMSG/VMCF message waits (DIAG 0x068) */
#define DIAG_EVENT_SPOOL 3 /* a file arrived in the reader; detail = spoolid */
#define DIAG_EVENT_CONSOLE 4 /* a console line is ready for READ */

/* STORAGE PROTECTION from U-mode: a0 = first byte (page aligned),
 * a1 = length (page multiple), a2 = mode.  S-mode is never restricted.
 * A U-mode access the mode forbids takes a load/store/fetch access fault
 * (scause 5, 7 or 1) reflected to the guest's stvec. */
#define DIAG_PROTECT 0x100C
#define DIAG_PROT_USER_RW 0 /* default: U-mode may read, write, execute */
#define DIAG_PROT_USER_RO 1 /* U-mode may read and execute, not write */
#define DIAG_PROT_USER_NONE 2 /* U-mode may not touch it */

/* TEST EXIT: ends the VM with a0 as its exit code (vmrv run exits with
 * it; under CP the VM is reset and the code is logged).  Does not return. */
#define DIAG_TEST_EXIT 0x1010

/* ---- constants of the virtual machine ---------------------------------- */
#define DIAG_PAGE_SIZE 4096
#define VMRV_TIMEBASE_HZ 10000000ull /* `time` counts at 10 MHz */

/* ---- structures (not visible to the assembler) ------------------------- */
#ifndef __ASSEMBLER__
#include <stdint.h>

/* DIAG 0x000 */
struct diag_identify {
    char system[8]; /* system name, blank padded: "VMRV    " */
    char userid[8]; /* this VM's user, upper case, blank padded */
    char cplevel[16]; /* "VM/RV 0.1.0", NUL padded */
    uint64_t storage_size; /* bytes */
    uint64_t timebase_hz; /* VMRV_TIMEBASE_HZ */
    uint32_t cp_version; /* major << 16 | minor << 8 | patch */
    uint32_t privclasses; /* bit n set = class 'A'+n (n < 26) */
};

/* DIAG 0x00C */
struct diag_timer {
    char date[8]; /* "MM/DD/YY" local time */
    char time[8]; /* "HH:MM:SS" local time */
    uint64_t tod_us; /* microseconds since 1970-01-01 00:00 UTC */
    int64_t utc_offset_s; /* local time = UTC + this */
    uint64_t virtual_cpu_us; /* guest instructions' CPU time */
    uint64_t total_cpu_us; /* virtual plus CP's work for this VM */
    char date_iso[10]; /* "YYYY-MM-DD" local time */
    char pad[6];
};

/* DIAG 0x024: device classes */
#define DIAG_DEV_CONSOLE 1
#define DIAG_DEV_READER 2
#define DIAG_DEV_PUNCH 3
#define DIAG_DEV_PRINTER 4
#define DIAG_DEV_DISK 5
#define DIAG_DEVF_READONLY 0x1
struct diag_devinfo {
    uint32_t vaddr;
    uint32_t devclass; /* DIAG_DEV_* */
    uint32_t flags; /* DIAG_DEVF_* */
    uint32_t reserved;
    uint64_t blocks; /* disks: size in DIAG_BLOCK_SIZE blocks */
    char owner[8]; /* disks: owning userid, blank padded */
    uint32_t owner_vaddr; /* disks: the owner's address for it */
    uint32_t reserved2;
};

/* DIAG 0x250 GEOMETRY */
struct diag_geometry {
    uint32_t block_size; /* DIAG_BLOCK_SIZE */
    uint32_t flags; /* DIAG_DEVF_READONLY */
    uint64_t block_count;
};

/* DIAG 0x014 DESCRIBE */
struct diag_spool_desc {
    uint32_t spoolid;
    uint32_t records;
    char origin[8]; /* sending userid */
    char fname[8];
    char ftype[8];
    char devtype[4]; /* "PUN ", "PRT ", "CON " */
    char spclass; /* A-Z, 0-9 */
    char hold; /* ' ' none, 'U' user, 'S' system */
    uint16_t copies;
    uint64_t created_us; /* microseconds since 1970 UTC */
    char dist[8];
    char form[8];
};

/* DIAG 0x068 RECEIVE */
struct diag_message {
    char from[8]; /* sender userid, blank padded */
    uint32_t kind; /* 1 = SMSG, 2 = MSG copy */
    uint32_t length; /* text length */
    char text[240];
};

#if defined(__riscv)
/* Guest side: one DIAG call.  Returns a0 (the error); stores a1 and a2 in
 * *v1 and *v2 when they are not NULL. */
struct diag_result {
    long error;
    unsigned long value;
    unsigned long value2;
};

static inline struct diag_result
diag_call(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2,
          unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r_a0 __asm__("a0") = a0;
    register unsigned long r_a1 __asm__("a1") = a1;
    register unsigned long r_a2 __asm__("a2") = a2;
    register unsigned long r_a3 __asm__("a3") = a3;
    register unsigned long r_a4 __asm__("a4") = a4;
    register unsigned long r_a5 __asm__("a5") = a5;
    register unsigned long r_a6 __asm__("a6") = fid;
    register unsigned long r_a7 __asm__("a7") = DIAG_EID;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1), "+r"(r_a2)
                     : "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a6), "r"(r_a7)
                     : "memory");
    struct diag_result r = {(long)r_a0, r_a1, r_a2};
    return r;
}
#endif /* __riscv */
#endif /* !__ASSEMBLER__ */
#endif /* VMRV_DIAG_H */
