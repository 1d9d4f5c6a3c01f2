// SPDX-License-Identifier: MIT
/*
 * cms/fs/imgdev.c - host only: a disk image file as a struct cmsfs_dev, for
 * `vmrv disk` and the tests.  Blocks are read and written with pread and
 * pwrite (a returned pwrite is in the kernel: it survives the process being
 * killed, which is what "acknowledged" means) and flushed with fdatasync.
 * The file is locked with flock so two writers never meet.
 *
 * Not in the guest library: the guest's device is DIAG 0x250, in CMS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cms/fs/cmsfs.h"

struct img {
    int fd;
    bool nosync;
};

static int
img_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    struct img *im = ctx;
    size_t want = (size_t)count * CMSFS_BLOCK_SIZE, done = 0;
    off_t off = (off_t)(block * CMSFS_BLOCK_SIZE);
    while (done < want) {
        ssize_t n = pread(im->fd, (char *)buf + done, want - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return CMSFS_E_IO;
        }
        if (n == 0) {
            memset((char *)buf + done, 0, want - done); /* past the end: zeros */
            break;
        }
        done += (size_t)n;
    }
    return CMSFS_OK;
}

static int
img_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
    struct img *im = ctx;
    size_t want = (size_t)count * CMSFS_BLOCK_SIZE, done = 0;
    off_t off = (off_t)(block * CMSFS_BLOCK_SIZE);
    while (done < want) {
        ssize_t n = pwrite(im->fd, (const char *)buf + done, want - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return (n < 0 && (errno == ENOSPC || errno == EDQUOT)) ? CMSFS_E_FULL : CMSFS_E_IO;
        }
        done += (size_t)n;
    }
    return CMSFS_OK;
}

static int
img_flush(void *ctx)
{
    struct img *im = ctx;
    if (im->nosync) {
        return CMSFS_OK;
    }
    return fdatasync(im->fd) == 0 ? CMSFS_OK : CMSFS_E_IO;
}

/* Locks fd and fills dev; on failure closes fd.  Returns 0 or errno. */
static int
img_attach(int fd, bool rdonly, bool nosync, struct cmsfs_dev *dev)
{
    struct stat st;
    int err = 0;
    if (flock(fd, (rdonly ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        err = errno == EWOULDBLOCK ? EBUSY : errno;
    } else if (fstat(fd, &st) != 0) {
        err = errno;
    } else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        err = EINVAL;
    }
    struct img *im = err ? NULL : malloc(sizeof *im);
    if (err == 0 && im == NULL) {
        err = ENOMEM;
    }
    if (err != 0) {
        close(fd);
        return err;
    }
    im->fd = fd;
    im->nosync = nosync;
    memset(dev, 0, sizeof *dev);
    dev->block_size = CMSFS_BLOCK_SIZE;
    dev->block_count = (uint64_t)st.st_size / CMSFS_BLOCK_SIZE;
    dev->read_only = rdonly;
    dev->ctx = im;
    dev->read = img_read;
    dev->write = rdonly ? NULL : img_write;
    dev->flush = img_flush;
    return 0;
}

int
cmsfs_img_open(const char *path, unsigned flags, struct cmsfs_dev *dev)
{
    bool rdonly = (flags & CMSFS_IMG_RDONLY) != 0;
    int fd = open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_size == 0 || st.st_size % CMSFS_BLOCK_SIZE != 0)) {
        close(fd);
        return EINVAL; /* not an image: its size is not whole blocks */
    }
    return img_attach(fd, rdonly, (flags & CMSFS_IMG_NOSYNC) != 0, dev);
}

int
cmsfs_img_create(const char *path, uint64_t blocks, bool replace, struct cmsfs_dev *dev)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (replace ? 0 : O_EXCL), 0644);
    if (fd < 0) {
        return errno;
    }
    /* Lock before truncating, so an image in use is never cut. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno == EWOULDBLOCK ? EBUSY : errno;
        close(fd);
        return err;
    }
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)(blocks * CMSFS_BLOCK_SIZE)) != 0) {
        int err = errno;
        close(fd);
        return err;
    }
    return img_attach(fd, false, false, dev);
}

void
cmsfs_img_close(struct cmsfs_dev *dev)
{
    struct img *im = dev->ctx;
    if (im != NULL) {
        close(im->fd);
        free(im);
        dev->ctx = NULL;
    }
}
