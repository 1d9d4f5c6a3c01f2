// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_devjob.c - device commands completed asynchronously
 * (cp/cpcmd_devjob.h): prepare on an I/O worker, attach and answer on the
 * VM's thread, give the prepared device back if the user left meanwhile.
 */
#include "config.h"

#include <stdlib.h>

#include "cp/cpcmd_devjob.h"

static void
devjob_free(struct cpcmd_devjob *j)
{
    cp_out_fini(&j->out);
    cp_user_put(j->u);
    free(j);
}

/* The VM's thread. */
static void
devjob_reply(struct cp_user *u, void *p)
{
    struct cpcmd_devjob *j = p;
    int rc = j->out.rc ? j->out.rc : j->ops->fail_msg;
    if (j->prep && u->vm) {
        rc = j->ops->attach(j, u->vm, j->prep);
        if (rc != 0 && j->out.rc) {
            rc = j->out.rc;
        }
    } else if (j->prep) {
        j->ops->release(j, j->prep);
    }
    j->done(u, j->done_ctx, rc, &j->out);
    devjob_free(j);
}

/* An I/O worker. */
static void
devjob_work(struct cp_io_job *io)
{
    struct cpcmd_devjob *j = (struct cpcmd_devjob *)io;
    j->prep = j->ops->prepare(j);
    if (cp_user_post_ptr(j->u, devjob_reply, j, true) != 0) {
        if (j->prep) {
            j->ops->release(j, j->prep); /* the user is gone */
        }
        devjob_free(j);
    }
}

void *
cpcmd_devjob_new(struct cpcmd_ctx *c, size_t size, const struct cpcmd_devjob_ops *ops)
{
    if (!c->done || c->u->transient || !c->sys->io) {
        return NULL;
    }
    struct cpcmd_devjob *j = calloc(1, size);
    if (!j) {
        return NULL;
    }
    j->ops = ops;
    j->sys = c->sys;
    j->u = c->u;
    cp_user_get(c->u);
    cp_out_init(&j->out, c->u);
    j->done = c->done;
    j->done_ctx = c->done_ctx;
    return j;
}

int
cpcmd_devjob_submit(struct cpcmd_devjob *j)
{
    cp_io_submit(j->sys, &j->io, devjob_work);
    return CPCMD_ASYNC;
}
