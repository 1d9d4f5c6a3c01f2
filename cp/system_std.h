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

/* The minidisks one VM has linked, for the link-mode rules between users
 * (cp/system_dir.c keeps how many links, writers and exclusive writers
 * each minidisk has).  Owned by the VM's struct cpvm. */
struct cp_claim {
    char owner[CP_USERID_MAX + 1];
    unsigned owner_vaddr, vaddr;
    bool writer, exclusive;
};
struct cp_claims {
    char userid[CP_USERID_MAX + 1]; /* whose they are (QUERY LINKS) */
    struct cp_claim *v;
    size_t n, cap;
};

/* The VM layer's side (cp/system_vm.c). */
extern const struct cp_vm_ops cp_vm_ops_standard;

/* IPL of device vaddr of vm (cp/system_ipl.c): a minidisk that holds a
 * bootable ELF at its first byte (docs/ABI.md).  0, or a negative errno with
 * a one-line reason in err (the VM is unchanged when the disk is refused). */
int cp_ipl_device(struct vm *vm, unsigned vaddr, const char *parm, char *err, size_t errlen);
/* The same in three steps, so the disk can be read on an I/O worker: open
 * (the VM's thread: finds the disk; NULL + err), read (any thread: reads
 * the ELF image; 0 or -errno + err), start (the VM's thread: resets the VM
 * and IPLs the image; always consumes the handle); free drops a handle. */
void *cp_ipl_device_open(struct vm *vm, unsigned vaddr, char *err, size_t errlen);
int cp_ipl_device_read(void *handle, char *err, size_t errlen);
int cp_ipl_device_start(struct vm *vm, void *handle, const char *parm, char *err, size_t errlen);
void cp_ipl_device_free(void *handle);

/* The directory's side (cp/system_dir.c).  Each thread that asks opens its
 * own connection to the directory, kept until the thread ends. */
int cp_std_dir_lookup(void *ctx, const char *userid, struct cp_dirent *out);
const char *cp_std_datadir(const struct cp_std *std);

/* Attaches userid's own minidisks and its LINK statements' disks to vm,
 * each with the access its mode gets under the link-mode rules (recorded
 * in claims).  Disks that cannot be opened or linked are logged and
 * skipped (the logon goes on). */
void cp_std_attach_disks(struct cp_std *std, struct vm *vm, const char *userid,
                         struct cp_claims *claims);

/* LINK in two steps, so that the directory read and the image open can run
 * on an I/O worker: prepare (any thread; checks the mode, the minidisk and
 * its password, opens the image) returns a handle, or NULL with the error
 * written to out; attach (the VM's thread) claims the disk under the link
 * rules and attaches it at vaddr, and always consumes the handle (0 or a
 * message number, written to out); free drops an unused handle. */
void *cp_std_link_prepare(struct cp_std *std, const char *userid, const char *owner,
                          unsigned owner_vaddr, const char *mode, const char *password,
                          struct cp_out *out);
int cp_std_link_attach(struct cp_std *std, struct vm *vm, struct cp_claims *claims, void *prep,
                       unsigned vaddr, struct cp_out *out);
void cp_std_link_free(void *prep);
/* The LINK command: checks the minidisk, the password and the link-mode
 * rules against the directory and the other links, opens the image and
 * attaches it.  0 or a message number (written to out). */
int cp_std_link(struct cp_std *std, struct vm *vm, struct cp_claims *claims, const char *userid,
                const char *owner, unsigned owner_vaddr, unsigned vaddr, const char *mode,
                const char *password, struct cp_out *out);

/* The VM gave up the disk at vaddr (DETACH) or all of them (logoff,
 * DEFINE STORAGE): other users may now get the access it held. */
void cp_std_release(struct cp_std *std, struct cp_claims *claims, unsigned vaddr);
void cp_std_release_all(struct cp_std *std, struct cp_claims *claims);

/* QUERY LINKS (cp_vm_ops.links; ctx is the struct cp_std): who holds
 * owner's minidisk owner_vaddr (every one of owner's disks in use when
 * owner_vaddr < 0), sorted by disk, userid and address, in an array the
 * caller frees.  Any thread.  0 or -ENOMEM. */
int cp_std_links(void *ctx, const char *owner, int owner_vaddr, struct cp_link_info **out,
                 size_t *n);

/* DEFINE TDISK (cp/tdisk.h): prepare (any thread) reserves blocks' space
 * against total in the system's count and creates the image; a handle or
 * NULL with the error written to out.  The handle's bd is one reference.
 * tdisk_put gives back what a T-disk held (its space, its image
 * reference); it also frees an unused handle. */
struct cp_tdisk {
    struct cp_std *std;
    struct blockdev *bd;
    uint64_t bytes;
    unsigned vaddr;
};
struct cp_tdisk *cp_std_tdisk_prepare(struct cp_std *std, const char *userid, unsigned vaddr,
                                      uint64_t blocks, uint64_t total, struct cp_out *out);
void cp_std_tdisk_put(struct cp_tdisk *t);
/* Bytes of T-disks in use in the whole system (tests, QUERY). */
uint64_t cp_std_tdisk_used(const struct cp_services *svc);

/* The rules themselves: what a link in `mode` (enum dir_mode) gets while a
 * disk has `links` links of which `writers` write and `exclusive` hold it
 * alone.  0 with *write and *exclusive set, or -1 (refused) with a reason. */
int cp_link_rule(int mode, unsigned links, unsigned writers, unsigned exclusive, bool *write,
                 bool *exclusive_out, const char **why);

#endif
