// SPDX-License-Identifier: MIT
/*
 * cp/diag_block.c - DIAG 0x250, block I/O on a minidisk: geometry, read,
 * write, flush.  The disk is a device in the VM's table (cp/vdev.h) on an
 * image file (cp/blockdev.h).
 *
 * Every argument is checked before any I/O: the subcode, the device, the
 * count (1..DIAG_BLOCK_MAX_COUNT), the link mode for a write, the block
 * range, and the whole guest buffer.  Data moves through a bounce buffer in
 * chunks, guest side only through stor_read/stor_write.  A WRITE returns
 * when pwrite completed (acknowledged: survives CP being killed); FLUSH
 * returns after fdatasync (flushed: survives power loss).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cp/blockdev.h"
#include "cp/diag.h"
#include "cp/stor.h"
#include "cp/vdev.h"
#include "vmrv/diag.h"

#define CHUNK_BLOCKS 16u

static int64_t
bio_error(struct vm *vm, struct blockdev *bd, int rc, const char *op)
{
    switch (rc) {
    case -ERANGE:
        return DIAG_ERANGE;
    case -EROFS:
        return DIAG_EROFS;
    case -ENOSPC:
        vm_log(vm, "%s: host disk full writing %s", vm_userid(vm), blockdev_path(bd));
        return DIAG_ENOSPC;
    default:
        vm_log(vm, "%s: I/O error (%s) on %s", vm_userid(vm), op, blockdev_path(bd));
        return DIAG_EIO;
    }
}

static enum rv_hcall
bio_transfer(struct vm *vm, struct diag_call *c, struct blockdev *bd, bool readonly, bool write)
{
    uint64_t first = c->a[2], gpa = c->a[3], count = c->a[4];
    if (count == 0 || count > DIAG_BLOCK_MAX_COUNT) {
        return diag_fail(c, DIAG_EINVAL);
    }
    if (write && readonly) {
        return diag_fail(c, DIAG_EROFS);
    }
    uint64_t blocks = blockdev_blocks(bd);
    if (first >= blocks || count > blocks - first) {
        return diag_fail(c, DIAG_ERANGE);
    }
    if (!diag_range_ok(vm, gpa, count * DIAG_BLOCK_SIZE)) {
        return diag_fail(c, DIAG_EFAULT);
    }
    if (diag_paged_out(vm, gpa, count * DIAG_BLOCK_SIZE)) {
        return RV_HCALL_WAIT; /* the transfer runs whole once its pages are in */
    }
    char *buf = malloc((size_t)CHUNK_BLOCKS * DIAG_BLOCK_SIZE);
    if (buf == NULL) {
        return diag_fail(c, DIAG_ENOSPC);
    }
    struct stor *st = vm_stor(vm);
    int64_t err = DIAG_OK;
    for (uint64_t done = 0; done < count && err == DIAG_OK;) {
        uint32_t k = (uint32_t)(count - done < CHUNK_BLOCKS ? count - done : CHUNK_BLOCKS);
        uint64_t at = gpa + done * DIAG_BLOCK_SIZE;
        size_t bytes = (size_t)k * DIAG_BLOCK_SIZE;
        int rc;
        if (write) {
            rc = stor_read(st, at, buf, bytes) != 0 ? -EFAULT : blockdev_write(bd, first + done, buf, k);
        } else {
            rc = blockdev_read(bd, first + done, buf, k);
            if (rc == 0 && stor_write(st, at, buf, bytes) != 0) {
                rc = -EFAULT;
            }
        }
        if (rc == -EFAULT) {
            err = DIAG_EFAULT; /* not reached: the range was checked */
        } else if (rc != 0) {
            err = bio_error(vm, bd, rc, write ? "write" : "read");
        }
        done += k;
    }
    free(buf);
    if (err != DIAG_OK) {
        return diag_fail(c, err);
    }
    c->value = count;
    return RV_HCALL_CONTINUE;
}

/* a0 = subcode, a1 = virtual address, a2.. as include/vmrv/diag.h. */
enum rv_hcall
diag_block_io(struct vm *vm, struct diag_call *c)
{
    uint64_t sub = c->a[0];
    if (sub > DIAG_BIO_FLUSH) {
        return diag_fail(c, DIAG_ENOTSUP);
    }
    if (c->a[1] > VDEV_ADDR_MAX) {
        return diag_fail(c, DIAG_EINVAL);
    }
    struct vdev *d = vdev_find(vm_devices(vm), (unsigned)c->a[1]);
    bool readonly = false;
    struct blockdev *bd = d ? vdev_disk_blockdev(d, &readonly) : NULL;
    if (bd == NULL) {
        return diag_fail(c, DIAG_ENODEV);
    }
    switch (sub) {
    case DIAG_BIO_GEOMETRY: {
        struct diag_geometry g = {
            .block_size = DIAG_BLOCK_SIZE,
            .flags = readonly ? DIAG_DEVF_READONLY : 0,
            .block_count = blockdev_blocks(bd),
        };
        return diag_put(vm, c, c->a[2], c->a[3], &g, sizeof g);
    }
    case DIAG_BIO_READ:
        return bio_transfer(vm, c, bd, readonly, false);
    case DIAG_BIO_WRITE:
        return bio_transfer(vm, c, bd, readonly, true);
    default: {
        int rc = blockdev_flush(bd);
        return rc == 0 ? RV_HCALL_CONTINUE : diag_fail(c, bio_error(vm, bd, rc, "flush"));
    }
    }
}
