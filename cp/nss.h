/* SPDX-License-Identifier: MIT */
/*
 * cp/nss.h - named saved systems: CP's registry of shared saved segments
 * (cp/stor.h struct stor_seg) by name, built from the ELF files of the data
 * folder's systems/ (IPL CMS: systems/CMS.elf), and DIAG 0x064.
 *
 * A named system whose every PT_LOAD with file bytes lies in the
 * saved-segment window of vmrv/ipl.h (VMRV_SEG_CMS_BASE, VMRV_SEG_CMS_MAX:
 * the CMS nucleus's code, read-only data and the load image of its .data;
 * bss-only PT_LOADs below the window are zeroed privately at IPL) is loaded
 * once into a
 * sealed segment and attached by every VM that IPLs it: one copy of its
 * frames in host memory however many users run it.  The first IPL after
 * the file changed (another inode, size or modification time) builds a new
 * segment that serves new IPLs; VMs still running the old one keep it until
 * they IPL again, CLEAR or log off (reference counting in cp/stor_seg.c).
 *
 * Threads: every function may be called from any thread (one mutex guards
 * the registry; building a segment happens under it).
 */
#ifndef CP_NSS_H
#define CP_NSS_H

#include <stddef.h>
#include <stdint.h>

#include "cp/vm.h"

struct stor;

#define NSS_NAME_MAX 8
#define NSS_MAX 16 /* names the registry holds */
#define NSS_ZERO_MAX 4

struct nss_info {
    char name[NSS_NAME_MAX + 1]; /* upper case */
    uint64_t base; /* guest address */
    uint64_t size; /* bytes, a page multiple */
    uint64_t entry; /* IPL entry point */
    unsigned users; /* stors attached to the current image now */
    /* bss outside the window (PT_LOADs with no file bytes, below it): the
     * IPL zeroes them in the VM's private storage */
    unsigned nzero;
    struct {
        uint64_t base, len;
    } zero[NSS_ZERO_MAX];
};

/* Attaches the named saved system `name` (1-8 characters, kept upper case)
 * to st, building it from the ELF file `path` when the registry has no
 * image of that name or the file changed since.  0 with *info; 1 when the
 * ELF is valid but not shaped as a saved system (a PT_LOAD outside the
 * window): the caller IPLs it privately; or a negative errno with a
 * one-line reason in err (the file unreadable or not an ELF we run:
 * -ENOEXEC; -ENOMEM; the segment does not fit in st: -EFAULT). */
int nss_attach_file(struct stor *st, const char *name, const char *path, struct nss_info *info,
                    char *err, size_t errlen);

/* The registry's current image of `name`: 0 with *info, or -ENOENT. */
int nss_find(const char *name, struct nss_info *info);

/* Attaches the registry's current image of `name` to st: 0 with *info,
 * -ENOENT, or stor_attach's errors. */
int nss_attach(struct stor *st, const char *name, struct nss_info *info);

/* Drops every name from the registry (segments still attached live on
 * until detached).  For tests and CP shutdown. */
void nss_forget_all(void);

/* DIAG 0x064 for struct vm_cp_ops.segment: FIND, ATTACH, DETACH of the
 * registry's segments (vmrv/diag.h).  ctx is unused. */
enum rv_hcall nss_diag_segment(void *ctx, struct vm *vm, struct diag_call *c);

#endif /* CP_NSS_H */
