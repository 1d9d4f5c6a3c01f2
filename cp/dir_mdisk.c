// SPDX-License-Identifier: MIT
/*
 * cp/dir_mdisk.c - the image files behind minidisks.  Each minidisk is a
 * sparse file DATA/disks/OWNER.VADDR.img of blocks * 4096 bytes, made with
 * ftruncate when the minidisk enters the directory, grown when it grows,
 * and deleted only when the caller asks (dir_user_delete with
 * DIR_DELETE_IMAGES, dir_entry_put with DIR_PUT_REMOVE_IMAGES).  An
 * existing file is never truncated or replaced: a prebuilt S-disk put into
 * disks/ before the first start is kept as it is.  The writer
 * (cp/dir_store.c) logs every change here so a failed transaction can
 * undo it.  Reading and writing blocks is CP's business (DIAG 250), not
 * this file's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/dir_int.h"

int
dir_mdisk_path(struct dir *d, const struct dir_mdisk *m, char *out, size_t outlen)
{
    char image[DIR_IMAGE_MAX];
    /* Only names inside disks/ are taken from the database as they are. */
    if (strncmp(m->image, "disks/", 6) == 0 && strstr(m->image, "..") == NULL) {
        snprintf(image, sizeof image, "%s", m->image);
    } else {
        dir_image_name(m->owner, m->vaddr, image);
    }
    return datadir_path(out, outlen, d->datadir, image);
}

int
dir_mdisk_format_new(struct dir *d, const struct dir_mdisk *m, int fd, const char *path)
{
    /* Nothing yet: a new image reads as zeros.  Today `vmrv ipl`
     * (cp/svc_files.c) formats never-written images when the system starts
     * and at logon; formatting at creation, for every caller of the
     * directory, would go here. */
    (void)d;
    (void)m;
    (void)fd;
    (void)path;
    return 0;
}

static int
dir_imglog_add(struct dir_imglog *log, const char *path, uint64_t old_size, int created)
{
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 4;
        struct dir_imgop *p = realloc(log->ops, cap * sizeof *p);
        if (p == NULL) {
            return -ENOMEM;
        }
        log->ops = p;
        log->cap = cap;
    }
    struct dir_imgop *op = &log->ops[log->n++];
    snprintf(op->path, sizeof op->path, "%s", path);
    op->old_size = old_size;
    op->created = created;
    return 0;
}

/* Makes a new directory entry in disks/ durable. */
static void
dir_sync_disks_folder(struct dir *d)
{
    char path[4096];
    if (datadir_path(path, sizeof path, d->datadir, DATADIR_DISKS) == 0) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
}

int
dir_mdisk_image_ensure(struct dir *d, const struct dir_mdisk *m, struct dir_imglog *log)
{
    char path[4096], folder[4096];
    int rc = dir_mdisk_path(d, m, path, sizeof path);
    if (rc == 0) {
        rc = datadir_path(folder, sizeof folder, d->datadir, DATADIR_DISKS);
    }
    if (rc != 0) {
        return dir_fail(d, rc, "the data folder's name is too long");
    }
    if (mkdir(folder, 0700) != 0 && errno != EEXIST) {
        return dir_fail(d, -errno, "cannot create %s: %s", folder, strerror(errno));
    }
    off_t want = (off_t)(m->blocks * DIR_BLOCK_SIZE);
    int created = 1;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        created = 0;
        fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (fd < 0) {
        return dir_fail(d, -errno, "cannot create the image %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return dir_fail(d, -EINVAL, "the image %s exists and is not a plain file", path);
    }
    if (!created && st.st_size >= want) {
        close(fd);
        return 0; /* an existing, big enough image: keep it as it is */
    }
    rc = dir_imglog_add(log, path, created ? 0 : (uint64_t)st.st_size, created);
    if (rc != 0) {
        if (created) {
            unlink(path);
        }
        close(fd);
        return dir_fail(d, rc, "out of memory");
    }
    if (ftruncate(fd, want) != 0) {
        rc = dir_fail(d, -errno, "cannot size the image %s: %s", path, strerror(errno));
    } else if (created) {
        rc = dir_mdisk_format_new(d, m, fd, path);
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = dir_fail(d, -errno, "cannot write the image %s: %s", path, strerror(errno));
    }
    close(fd);
    if (rc == 0 && created) {
        dir_sync_disks_folder(d);
    }
    return rc; /* on failure the caller undoes the log, this file too */
}

void
dir_imglog_undo(struct dir_imglog *log)
{
    for (size_t i = log->n; i-- > 0;) {
        const struct dir_imgop *op = &log->ops[i];
        if (op->created) {
            unlink(op->path);
        } else if (truncate(op->path, (off_t)op->old_size) != 0) {
            /* The grown part held only zeros; leaving it is harmless. */
        }
    }
    log->n = 0;
}

void
dir_imglog_free(struct dir_imglog *log)
{
    free(log->ops);
    memset(log, 0, sizeof *log);
}

int
dir_mdisk_image_remove(struct dir *d, const struct dir_mdisk *m)
{
    char path[4096];
    int rc = dir_mdisk_path(d, m, path, sizeof path);
    if (rc != 0) {
        return dir_fail(d, rc, "the data folder's name is too long");
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        return dir_fail(d, -errno, "cannot delete the image %s: %s", path, strerror(errno));
    }
    return 0;
}
