// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_tdisk.c - DEFINE TDISK (and VM's spellings DEFINE T3390 and
 * DEFINE TEMPDASD): a temporary minidisk for the caller's VM.
 *
 *   DEFINE TDISK    [AS] vaddr size        size: 512K, 64M, 1G or blocks
 *   DEFINE TDISK    [AS] vaddr n BLK|CYL
 *   DEFINE T3390    [AS] vaddr [CYL|BLK] n  (a bare number is cylinders)
 *
 * Our disks are 4K blocks, not tracks: a 3390 cylinder is counted as the
 * 180 blocks CMS gets from it when formatted at 4K (15 tracks of 12).
 *
 * The image is created on an I/O worker (cp_vm_ops.tdisk_prepare) as LINK
 * opens its image, and attached on the VM's thread; a caller that wants
 * the answer at once (no done callback) gets all of it on this thread:
 * creating a sparse file is a few system calls.  The image itself and
 * its space count are cp/tdisk.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"
#include "cp/cpcmd_devjob.h"
#include "cp/tdisk.h"
#include "vmrv/diag.h"

#define TDISK_MIN_BLOCKS 16u /* 64K: room for a CMS file system */

/* A T-disk size: a number with K, M or G (bytes, whole blocks), or a plain
 * number of 4K blocks.  0 with *blocks set, or -EINVAL. */
static int
parse_size(const char *s, uint64_t *blocks)
{
    size_t n = strlen(s);
    if (n == 0) {
        return -EINVAL;
    }
    if (strspn(s, "0123456789") == n) {
        /* a plain number counts blocks, as VM's BLK does */
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || v == 0 || v > (UINT64_MAX / DIAG_BLOCK_SIZE)) {
            return -EINVAL;
        }
        *blocks = v;
        return 0;
    }
    uint64_t bytes;
    if (cp_parse_size(s, &bytes) < 0 || bytes == 0 || bytes % DIAG_BLOCK_SIZE) {
        return -EINVAL;
    }
    *blocks = bytes / DIAG_BLOCK_SIZE;
    return 0;
}

/* The image created on an I/O worker, attached on the VM's thread
 * (cp/cpcmd_devjob.h). */
struct tdisk_job {
    struct cpcmd_devjob dj; /* first */
    unsigned vaddr;
    uint64_t blocks, total;
};

static void
defined(struct cp_out *out, unsigned vaddr, uint64_t blocks)
{
    char a[8], n[24], sz[24];
    snprintf(a, sizeof a, "%04X", vaddr);
    snprintf(n, sizeof n, "%llu", (unsigned long long)blocks);
    cp_format_size(blocks * DIAG_BLOCK_SIZE, sz, sizeof sz);
    cp_out_msg(out, MSG_TDISKDEF, a, n, sz);
}

static void *
tdisk_job_prepare(struct cpcmd_devjob *j)
{
    struct tdisk_job *tj = (struct tdisk_job *)j;
    return j->sys->svc.vm->tdisk_prepare(j->sys->svc.ctx, j->u->userid, tj->vaddr, tj->blocks,
                                         tj->total, &j->out);
}

static int
tdisk_job_attach(struct cpcmd_devjob *j, void *vm, void *prep)
{
    struct tdisk_job *tj = (struct tdisk_job *)j;
    int rc = j->sys->svc.vm->tdisk_attach(vm, prep, tj->vaddr, &j->out);
    if (rc == 0) {
        defined(&j->out, tj->vaddr, tj->blocks);
    }
    return rc;
}

static void
tdisk_job_release(struct cpcmd_devjob *j, void *prep)
{
    j->sys->svc.vm->tdisk_free(prep);
}

static const struct cpcmd_devjob_ops tdisk_job_ops = {
    .prepare = tdisk_job_prepare,
    .attach = tdisk_job_attach,
    .release = tdisk_job_release,
    .fail_msg = MSG_TDISKFAIL,
};

/* n as a count of `unit` (BLK or CYL); 0 or MSG_TDISKSIZE. */
static int
count_of(struct cpcmd_ctx *c, const char *n, const char *unit, uint64_t *blocks)
{
    size_t len = strlen(n);
    unsigned long long v = 0;
    if (len == 0 || len > 12 || strspn(n, "0123456789") != len ||
        (v = strtoull(n, NULL, 10)) == 0) {
        cp_out_msg(c->out, MSG_TDISKSIZE, n, "not a count");
        return MSG_TDISKSIZE;
    }
    *blocks = strcasecmp(unit, "CYL") == 0 ? v * TDISK_CYL_BLOCKS : v;
    return 0;
}

static bool
is_unit(const char *w)
{
    return w && (strcasecmp(w, "CYL") == 0 || strcasecmp(w, "BLK") == 0);
}

int
cpcmd_define_tdisk(struct cpcmd_ctx *c, bool t3390)
{
    const char *w = cpcmd_next(c);
    if (w && strcasecmp(w, "AS") == 0) {
        w = cpcmd_next(c);
    }
    if (!w) {
        return cpcmd_missing(c, "a device address");
    }
    size_t wl = strlen(w);
    unsigned long va = 0;
    if (wl < 1 || wl > 4 || strspn(w, "0123456789ABCDEFabcdef") != wl ||
        (va = strtoul(w, NULL, 16)) > 0xFFF) {
        cp_out_msg(c->out, MSG_INVDEV, w);
        return MSG_INVDEV;
    }
    const char *s = cpcmd_next(c);
    if (!s) {
        return cpcmd_missing(c, t3390 ? "a number of cylinders" : "a size such as 64M");
    }
    uint64_t blocks = 0;
    int rc = 0;
    if (is_unit(s)) { /* CYL n, BLK n */
        const char *n = cpcmd_next(c);
        if (!n) {
            return cpcmd_missing(c, "a count");
        }
        rc = count_of(c, n, s, &blocks);
    } else if (is_unit(cpcmd_peek(c))) { /* n CYL, n BLK */
        rc = count_of(c, s, cpcmd_next(c), &blocks);
    } else if (t3390) {
        rc = count_of(c, s, "CYL", &blocks);
    } else if (parse_size(s, &blocks) < 0) {
        cp_out_msg(c->out, MSG_TDISKSIZE, s, "a size such as 64M, or a number of 4K blocks");
        rc = MSG_TDISKSIZE;
    }
    if (rc) {
        return rc;
    }
    rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    uint64_t max = c->sys->cfg.tdisk_max;
    if (blocks < TDISK_MIN_BLOCKS) {
        cp_out_msg(c->out, MSG_TDISKSIZE, s, "64K (16 blocks) at least");
        return MSG_TDISKSIZE;
    }
    if (blocks > max / DIAG_BLOCK_SIZE) {
        char a[40], m[24];
        snprintf(a, sizeof a, "%llu blocks", (unsigned long long)blocks);
        cp_format_size(max, m, sizeof m);
        cp_out_msg(c->out, MSG_TDISKMAX, a, m);
        return MSG_TDISKMAX;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->tdisk_prepare || !vo->tdisk_attach || !vo->tdisk_free || !c->u->vm) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "DEFINE TDISK", "not in this system");
        return MSG_NOTAVAIL;
    }
    char a[8], owner[CP_USERID_MAX + 1];
    unsigned ov;
    snprintf(a, sizeof a, "%03lX", va);
    if (vo->disk_at && vo->disk_at(c->u->vm, (unsigned)va, owner, &ov) != MSG_NODEV) {
        cp_out_msg(c->out, MSG_DEVEXISTS, a);
        return MSG_DEVEXISTS;
    }
    struct tdisk_job *tj = cpcmd_devjob_new(c, sizeof *tj, &tdisk_job_ops);
    if (tj) {
        tj->vaddr = (unsigned)va;
        tj->blocks = blocks;
        tj->total = c->sys->cfg.tdisk_total;
        return cpcmd_devjob_submit(&tj->dj);
    }
    /* the caller wants the answer now: all on this thread */
    void *prep = vo->tdisk_prepare(c->sys->svc.ctx, c->u->userid, (unsigned)va, blocks,
                                   c->sys->cfg.tdisk_total, c->out);
    if (!prep) {
        return c->out->rc ? c->out->rc : MSG_TDISKFAIL;
    }
    rc = vo->tdisk_attach(c->u->vm, prep, (unsigned)va, c->out);
    if (rc == 0) {
        defined(c->out, (unsigned)va, blocks);
    }
    return rc ? (c->out->rc ? c->out->rc : rc) : 0;
}
