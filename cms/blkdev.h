/* SPDX-License-Identifier: MIT */
/*
 * cms/blkdev.h - the guest block device over DIAG 0x250 (cms/blkdev.c).
 * Functions return DIAG_OK or a DIAG_E* code.
 */
#ifndef CMS_BLKDEV_H
#define CMS_BLKDEV_H

#include "cms/cms.h"

struct blkdev {
    unsigned vaddr;
    uint64_t blocks;
    int readonly;
};

/* Asks CP for the disk's geometry; fills *d. */
int blkdev_open(struct blkdev *d, unsigned vaddr);
/* count blocks from block into / out of buf (any count; split for CP). */
int blkdev_read(struct blkdev *d, uint64_t block, void *buf, unsigned count);
int blkdev_write(struct blkdev *d, uint64_t block, const void *buf, unsigned count);
/* Everything written is flushed (survives a host power loss). */
int blkdev_flush(struct blkdev *d);

#endif /* CMS_BLKDEV_H */
