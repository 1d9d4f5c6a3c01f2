// SPDX-License-Identifier: MIT
/*
 * cms/blkdev.c - the guest block device: a minidisk at a virtual address,
 * read and written in DIAG_BLOCK_SIZE blocks through DIAG 0x250.  The CMS
 * file system library reaches its disks only through this.
 */
#include <string.h>

#include "cms/blkdev.h"

int
blkdev_open(struct blkdev *d, unsigned vaddr)
{
    struct diag_geometry g;
    memset(d, 0, sizeof *d);
    long rc = cms_disk_geometry(vaddr, &g);
    if (rc != DIAG_OK) {
        return (int)rc;
    }
    if (g.block_size != DIAG_BLOCK_SIZE || g.block_count == 0) {
        return DIAG_EINVAL;
    }
    d->vaddr = vaddr;
    d->blocks = g.block_count;
    d->readonly = (g.flags & DIAG_DEVF_READONLY) != 0;
    return DIAG_OK;
}

int
blkdev_read(struct blkdev *d, uint64_t block, void *buf, unsigned count)
{
    if (block >= d->blocks || count > d->blocks - block) {
        return DIAG_ERANGE;
    }
    return (int)cms_disk_io(0, d->vaddr, block, buf, count);
}

int
blkdev_write(struct blkdev *d, uint64_t block, const void *buf, unsigned count)
{
    if (d->readonly) {
        return DIAG_EROFS;
    }
    if (block >= d->blocks || count > d->blocks - block) {
        return DIAG_ERANGE;
    }
    return (int)cms_disk_io(1, d->vaddr, block, (void *)buf, count);
}

int
blkdev_flush(struct blkdev *d)
{
    if (d->readonly) {
        return DIAG_OK;
    }
    return (int)cms_disk_flush(d->vaddr);
}
