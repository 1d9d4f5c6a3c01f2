/* SPDX-License-Identifier: MIT */
/*
 * cp/system_std.h - private to CP proper: the standard services behind
 * cp_services_standard() (cp/cp.h): the directory in sqlite
 * (cp/system_dir.c) and the real VM layer (cp/system_vm.c).
 */
#ifndef CP_SYSTEM_STD_H
#define CP_SYSTEM_STD_H

#include "cp/cp.h"

struct vm;
struct cp_std;

/* The VM layer's side (cp/system_vm.c). */
extern const struct cp_vm_ops cp_vm_ops_standard;

/* The directory's side (cp/system_dir.c).  Each thread that asks opens its
 * own connection to the directory, kept until the thread ends. */
int cp_std_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out);
const char *cp_std_datadir(const struct cp_std *std);

/* Attaches userid's own minidisks and its LINK statements' disks to vm.
 * Disks that cannot be opened are logged and skipped (the logon goes on). */
void cp_std_attach_disks(struct cp_std *std, struct vm *vm, const char *userid);

/* The LINK command: checks the minidisk, the mode and the password against
 * the directory, opens the image and attaches it.  0 or a message number
 * (written to out). */
int cp_std_link(struct cp_std *std, struct vm *vm, const char *userid, const char *owner,
                unsigned owner_vaddr, unsigned vaddr, const char *mode, const char *password,
                struct cp_out *out);

#endif
