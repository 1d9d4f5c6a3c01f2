/* SPDX-License-Identifier: MIT */
/*
 * cp/cpcmd_devjob.h - a command that gets a device ready on an I/O worker
 * (directory reads, opening or creating an image) and attaches it on the
 * VM's own thread, answering then (cpcmd_run_async): LINK and DEFINE
 * TDISK.  The command embeds struct cpcmd_devjob first in its own job.
 */
#ifndef CP_CPCMD_DEVJOB_H
#define CP_CPCMD_DEVJOB_H

#include "cp/cpcmd.h"

struct cpcmd_devjob;

struct cpcmd_devjob_ops {
    /* I/O worker: the prepared device, or NULL with the reason in j->out. */
    void *(*prepare)(struct cpcmd_devjob *j);
    /* The VM's thread: attaches prep to vm (the user's VM, as in
     * cp_vm_ops; prep is then the VM's) and writes the answer to j->out;
     * 0 or CP's return code. */
    int (*attach)(struct cpcmd_devjob *j, void *vm, void *prep);
    /* Gives back a prepared device nobody attached (the user left). */
    void (*release)(struct cpcmd_devjob *j, void *prep);
    int fail_msg; /* the return code of a failure that gave no message */
};

struct cpcmd_devjob {
    struct cp_io_job io;
    const struct cpcmd_devjob_ops *ops;
    struct cp_system *sys;
    struct cp_user *u; /* a reference */
    struct cp_out out;
    cpcmd_done_fn done;
    void *done_ctx;
    void *prep;
};

/* A zeroed job of `size` bytes (the command's struct, this one first) for
 * c's user, or NULL when c cannot complete later (no done callback, a
 * transient user, no I/O workers) or memory is short: the command then
 * does the work on this thread. */
void *cpcmd_devjob_new(struct cpcmd_ctx *c, size_t size, const struct cpcmd_devjob_ops *ops);

/* Hands the filled job to an I/O worker; returns CPCMD_ASYNC. */
int cpcmd_devjob_submit(struct cpcmd_devjob *j);

#endif
