// SPDX-License-Identifier: MIT
/*
 * cp/tdisk.c - temporary minidisks: creating the sparse image, the space
 * count of all of them, and the sweep of crash leftovers at start.  The
 * command (DEFINE TDISK) is in cp/cpcmd_vm.c; who holds which T-disk is
 * kept with the VM (cp/system_vm.c).  See cp/tdisk.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cp/blockdev.h"
#include "cp/tdisk.h"
#include "vmrv/diag.h"

void
tdisk_pool_init(struct tdisk_pool *p)
{
    pthread_mutex_init(&p->lock, NULL);
    p->used = 0;
}

void
tdisk_pool_fini(struct tdisk_pool *p)
{
    pthread_mutex_destroy(&p->lock);
}

int
tdisk_pool_reserve(struct tdisk_pool *p, uint64_t bytes, uint64_t total)
{
    int rc = -ENOSPC;
    pthread_mutex_lock(&p->lock);
    if (bytes <= total && p->used <= total - bytes) {
        p->used += bytes;
        rc = 0;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void
tdisk_pool_release(struct tdisk_pool *p, uint64_t bytes)
{
    pthread_mutex_lock(&p->lock);
    p->used -= bytes <= p->used ? bytes : p->used;
    pthread_mutex_unlock(&p->lock);
}

uint64_t
tdisk_pool_used(struct tdisk_pool *p)
{
    pthread_mutex_lock(&p->lock);
    uint64_t u = p->used;
    pthread_mutex_unlock(&p->lock);
    return u;
}

int
tdisk_create(const char *datadir, const char *userid, unsigned vaddr, uint64_t blocks,
             struct blockdev **out, char *err, size_t errlen)
{
    char dir[PATH_MAX], path[PATH_MAX];
    *out = NULL;
    if ((size_t)snprintf(dir, sizeof dir, "%s/%s", datadir, TDISK_DIR) >= sizeof dir ||
        (size_t)snprintf(path, sizeof path, "%s/%s.%03X.XXXXXX", dir, userid, vaddr) >=
            sizeof path) {
        snprintf(err, errlen, "the data folder's name is too long");
        return -ENAMETOOLONG;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        int e = errno;
        snprintf(err, errlen, "cannot create %s: %s", TDISK_DIR, strerror(e));
        return -e;
    }
    uint64_t bytes = blocks * DIAG_BLOCK_SIZE;
    /* a sparse file takes its room only as it is written: refuse one the
     * host could not hold even now */
    struct statvfs vs;
    if (statvfs(dir, &vs) == 0 && (uint64_t)vs.f_bavail * vs.f_frsize < bytes) {
        snprintf(err, errlen, "the host disk has no room for it");
        return -ENOSPC;
    }
    mode_t old = umask(077);
    int fd = mkstemp(path);
    umask(old);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create the image: %s", strerror(e));
        return -e;
    }
    int rc = 0;
    if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)bytes) != 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot size the image: %s", strerror(-rc));
    }
    close(fd);
    if (rc == 0) {
        rc = blockdev_open(path, false, out, err, errlen);
    }
    unlink(path); /* the open descriptor keeps it; nobody else can */
    return rc;
}

int
tdisk_sweep(const char *datadir)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s/%s", datadir, TDISK_DIR) >= sizeof dir) {
        return -ENAMETOOLONG;
    }
    DIR *d = opendir(dir);
    if (!d) {
        return errno == ENOENT ? 0 : -errno;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path &&
            unlink(path) == 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}
