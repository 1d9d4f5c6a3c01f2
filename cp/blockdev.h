/* SPDX-License-Identifier: MIT */
/*
 * cp/blockdev.h - a minidisk image file: fixed-size blocks of
 * DIAG_BLOCK_SIZE bytes read and written with pread/pwrite.
 *
 * Two promises, kept apart:
 *   acknowledged: blockdev_write() returned 0.  The bytes are in the host
 *     kernel (pwrite completed), so they survive CP being killed.
 *   flushed: blockdev_flush() returned 0.  Everything acknowledged before
 *     it is on stable storage (fdatasync), so it survives power loss.
 *
 * An image is opened once and shared by every link to it (reference
 * counted).  A file whose size is not a multiple of the block size has a
 * partial last block that is never read or written.
 *
 * Threads: pread/pwrite are safe to call from several dispatcher threads on
 * the same image; the reference count is atomic.
 */
#ifndef CP_BLOCKDEV_H
#define CP_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blockdev;

/* Opens an existing image (read-only when readonly is set, or when the
 * file cannot be opened for writing and readonly is set).  On success
 * *out holds one reference.  0, or a negative errno with a one-line
 * reason in err. */
int blockdev_open(const char *path, bool readonly, struct blockdev **out, char *err,
                  size_t errlen);

/* Takes and drops references; the file is closed with the last one. */
struct blockdev *blockdev_ref(struct blockdev *bd);
void blockdev_unref(struct blockdev *bd);

uint64_t blockdev_blocks(const struct blockdev *bd);
bool blockdev_readonly(const struct blockdev *bd);
const char *blockdev_path(const struct blockdev *bd);

/* Reads or writes count blocks starting at block `first` (count >= 1).
 * 0, -ERANGE (beyond the image), -EROFS (write on a read-only image),
 * -ENOSPC (host disk full), -EIO.  A write that fails part-way may have
 * written some of its blocks. */
int blockdev_read(struct blockdev *bd, uint64_t first, void *buf, uint32_t count);
int blockdev_write(struct blockdev *bd, uint64_t first, const void *buf, uint32_t count);

/* fdatasync: 0 or -EIO. */
int blockdev_flush(struct blockdev *bd);

/* Fault injection for tests: after `after` more successful operations
 * (reads, writes, flushes), the next one fails with -err (a positive errno
 * such as EIO or ENOSPC) and nothing is transferred.  err 0 turns it off. */
void blockdev_inject_fault(struct blockdev *bd, int err, unsigned after);

#endif /* CP_BLOCKDEV_H */
