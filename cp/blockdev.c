// SPDX-License-Identifier: MIT
/*
 * cp/blockdev.c - minidisk image files (cp/blockdev.h): open once, shared
 * by reference count, blocks moved with pread/pwrite (retried on EINTR and
 * short transfers), FLUSH with fdatasync.  Knows nothing of VMs: the DIAG
 * side is cp/diag_block.c, the device side cp/vdev.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "vmrv/diag.h"

struct blockdev {
    int fd;
    bool readonly;
    uint64_t blocks;
    unsigned refs; /* atomic */
    int fault_err; /* fault injection: errno to return, 0 = off */
    unsigned fault_after; /* atomic: successful operations before it */
    char path[];
};

int
blockdev_open(const char *path, bool readonly, struct blockdev **out, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open disk image %s: %s", path, strerror(e));
        return -e;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot stat disk image %s: %s", path, strerror(e));
        close(fd);
        return -e;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "disk image %s is not a regular file", path);
        close(fd);
        return -EINVAL;
    }
    size_t plen = strlen(path);
    struct blockdev *bd = calloc(1, sizeof *bd + plen + 1);
    if (bd == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory opening %s", path);
        return -ENOMEM;
    }
    bd->fd = fd;
    bd->readonly = readonly;
    bd->blocks = (uint64_t)sb.st_size / DIAG_BLOCK_SIZE;
    bd->refs = 1;
    memcpy(bd->path, path, plen + 1);
    *out = bd;
    return 0;
}

struct blockdev *
blockdev_ref(struct blockdev *bd)
{
    __atomic_add_fetch(&bd->refs, 1, __ATOMIC_RELAXED);
    return bd;
}

void
blockdev_unref(struct blockdev *bd)
{
    if (bd == NULL || __atomic_sub_fetch(&bd->refs, 1, __ATOMIC_ACQ_REL) != 0) {
        return;
    }
    close(bd->fd);
    free(bd);
}

uint64_t
blockdev_blocks(const struct blockdev *bd)
{
    return bd->blocks;
}

bool
blockdev_readonly(const struct blockdev *bd)
{
    return bd->readonly;
}

const char *
blockdev_path(const struct blockdev *bd)
{
    return bd->path;
}

void
blockdev_inject_fault(struct blockdev *bd, int err, unsigned after)
{
    __atomic_store_n(&bd->fault_after, after, __ATOMIC_RELAXED);
    __atomic_store_n(&bd->fault_err, err, __ATOMIC_RELAXED);
}

/* Fault injection: true (and *rc set) if this operation must fail. */
static bool
fault(struct blockdev *bd, int *rc)
{
    int e = __atomic_load_n(&bd->fault_err, __ATOMIC_RELAXED);
    if (e == 0) {
        return false;
    }
    unsigned left = __atomic_load_n(&bd->fault_after, __ATOMIC_RELAXED);
    while (left > 0) {
        if (__atomic_compare_exchange_n(&bd->fault_after, &left, left - 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
            return false;
        }
    }
    *rc = -e;
    return true;
}

static int
check_range(const struct blockdev *bd, uint64_t first, uint32_t count)
{
    if (count == 0 || first >= bd->blocks || count > bd->blocks - first) {
        return -ERANGE;
    }
    return 0;
}

static int
io_error(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EFBIG ? -ENOSPC : -EIO;
}

int
blockdev_read(struct blockdev *bd, uint64_t first, void *buf, uint32_t count)
{
    int rc = check_range(bd, first, count);
    if (rc != 0 || fault(bd, &rc)) {
        return rc;
    }
    size_t len = (size_t)count * DIAG_BLOCK_SIZE, done = 0;
    off_t off = (off_t)(first * DIAG_BLOCK_SIZE);
    while (done < len) {
        ssize_t n = pread(bd->fd, (char *)buf + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* The image shrank under us, or the host disk failed. */
            return -EIO;
        }
        done += (size_t)n;
    }
    return 0;
}

int
blockdev_write(struct blockdev *bd, uint64_t first, const void *buf, uint32_t count)
{
    if (bd->readonly) {
        return -EROFS;
    }
    int rc = check_range(bd, first, count);
    if (rc != 0 || fault(bd, &rc)) {
        return rc;
    }
    size_t len = (size_t)count * DIAG_BLOCK_SIZE, done = 0;
    off_t off = (off_t)(first * DIAG_BLOCK_SIZE);
    while (done < len) {
        ssize_t n = pwrite(bd->fd, (const char *)buf + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return io_error(errno);
        }
        if (n == 0) {
            return -ENOSPC;
        }
        done += (size_t)n;
    }
    return 0;
}

int
blockdev_flush(struct blockdev *bd)
{
    int rc = 0;
    if (fault(bd, &rc)) {
        return rc;
    }
    if (bd->readonly) {
        return 0;
    }
    while (fdatasync(bd->fd) != 0) {
        if (errno != EINTR) {
            return -EIO;
        }
    }
    return 0;
}
