/* SPDX-License-Identifier: MIT */
/*
 * vmrv/ipl.h - the guest memory map and the machine state at IPL.
 * Part of the DIAG ABI (see vmrv/diag.h and docs/ABI.md).
 *
 * Guest-physical storage (satp stays Bare; there is no guest MMU):
 *
 *   0x0000_0000  page 0: reserved.  CP never writes it; CMS makes it
 *                inaccessible to U-mode so a NULL dereference faults.
 *   0x0000_1000  page 1: the IPL parameter block, written by CP at IPL.
 *   0x0000_2000  CMS private storage: nucleus data, bss, stacks, nucleus
 *   ...          free storage.  Private to each VM.
 *   0x0020_0000  the CMS saved segment (VMRV_SEG_CMS_BASE): nucleus code and
 *   ...          read-only data, shared read-only by every VM that IPLs CMS.
 *   0x0080_0000  the user program area (VMRV_USER_BASE): programs load
 *   ...          here.  It ends where CMS's high free storage begins (a
 *                quarter of the storage above VMRV_USER_BASE, at most
 *                8 MiB, up to the end of storage; CMS_MEMINFO tells
 *                programs the end of their area).
 *
 * An access at or beyond the storage size is an access fault in the guest.
 * VMRV_MIN_CMS_STORAGE is the smallest storage that can IPL CMS.
 *
 * Register state at IPL of an ELF or a named saved system:
 *   pc = entry point, privilege = S, a0 = 0 (hart id), a1 = VMRV_IPL_BLOCK,
 *   sp and every other x register = 0, sstatus = 0 (SIE off), sie = 0,
 *   stvec = 0, time = 0 at IPL.
 */
#ifndef VMRV_IPL_H
#define VMRV_IPL_H

#define VMRV_PAGE0 0x00000000ull
#define VMRV_IPL_BLOCK 0x00001000ull
#define VMRV_CMS_PRIVATE_BASE 0x00002000ull
#define VMRV_CMS_PRIVATE_END 0x00200000ull
#define VMRV_SEG_CMS_BASE 0x00200000ull
#define VMRV_SEG_CMS_MAX 0x00600000ull /* 6 MiB window */
#define VMRV_USER_BASE 0x00800000ull
#define VMRV_MIN_CMS_STORAGE (16ull << 20)
#define VMRV_DEFAULT_STORAGE (32ull << 20)
#define VMRV_MAX_STORAGE (4ull << 30)

#define VMRV_IPL_MAGIC 0x4C50495652564D56ull /* "VMRVIPL" little endian + 'L' */
#define VMRV_IPL_VERSION 1
#define VMRV_IPL_PARM_MAX 240

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Written by CP at VMRV_IPL_BLOCK before the first instruction. */
struct vmrv_iplblock {
    uint64_t magic; /* VMRV_IPL_MAGIC */
    uint32_t version; /* VMRV_IPL_VERSION */
    uint32_t flags; /* VMRV_IPLF_* */
    uint64_t storage_size; /* bytes */
    uint64_t timebase_hz; /* VMRV_TIMEBASE_HZ */
    char userid[8]; /* blank padded, upper case */
    char system[8]; /* what was IPLed: "CMS     " or the ELF's name */
    uint64_t seg_base; /* the IPLed saved segment, 0 for an ELF */
    uint64_t seg_size;
    uint32_t parm_len; /* bytes in parm */
    uint32_t reserved;
    char parm[VMRV_IPL_PARM_MAX]; /* IPL PARM string / vmrv run ARGS,
                                     blank separated, not NUL terminated */
};

#define VMRV_IPLF_RECONNECT 0x1 /* reserved */
#define VMRV_IPLF_AUTOLOG 0x2 /* logged on disconnected by AUTOLOG */
#endif

#endif /* VMRV_IPL_H */
