// SPDX-License-Identifier: MIT
/*
 * cp/svc_files.c - the files `vmrv ipl` puts in place before CP starts
 * (cp/svc.h): where the CMS nucleus and MAINT's S-disk image are, the copy
 * of the nucleus in DATA/systems/CMS.elf that IPL CMS loads, and the
 * minidisk images.
 *
 * A minidisk image is "never written" when the file has no data blocks
 * allocated (it was made sparse and nothing wrote it) or, on a file system
 * without holes, when its first 64 KiB (both superblocks) are zeros.  Only
 * such disks are formatted or filled, so nothing a user wrote is ever
 * touched; an unformatted disk that someone wrote to stays as it is.
 *
 * What a never-written disk gets:
 *   any user's 191   an empty CMS file system labelled with the userid
 *   MAINT's 190      the files of the S-disk image the build made
 *                    (cms/maint-190.img), with their dates, label MNT190
 *   MAINT's 19E      an empty CMS file system labelled MNT19E
 * Other disks are left for their owners to FORMAT.
 *
 * Runs at start (every user) and before each logon (that user, so users
 * added while the system runs get their A-disk too), on a worker thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cms/fs/cmsfs.h"
#include "cp/datadir.h"
#include "cp/dir.h"
#include "cp/log.h"
#include "cp/svc.h"

#ifndef VMRV_PKGDATADIR
#define VMRV_PKGDATADIR "/usr/local/share/vmrv"
#endif

#define NUCLEUS_NAME "cms/cms.elf"
#define SDISK_NAME "cms/maint-190.img"
#define SYSTEMS_DIR "systems"
#define HEAD_BYTES (64 * 1024) /* both superblocks and then some */

/* ---- finding the system files --------------------------------------------- */

/* The folder of this program, "" if unknown. */
static void
exe_dir(char *out, size_t len)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    out[0] = '\0';
    if (n <= 0) {
        return;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        snprintf(out, len, "%s", path[0] ? path : "/");
    }
}

static void
find_one(const char *configured, const char *name, char *out, size_t len)
{
    if (configured[0]) {
        snprintf(out, len, "%s", configured);
        return;
    }
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    const char *bases[] = {dir, VMRV_PKGDATADIR};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (!bases[i][0]) {
            continue;
        }
        snprintf(out, len, "%s/%s", bases[i], name);
        if (access(out, R_OK) == 0) {
            return;
        }
    }
    out[0] = '\0';
}

void
svc_files_find(const struct cp_config *cfg, struct svc_files *out)
{
    find_one(cfg->cms_nucleus, NUCLEUS_NAME, out->nucleus, sizeof out->nucleus);
    find_one(cfg->sdisk_image, SDISK_NAME, out->sdisk, sizeof out->sdisk);
}

/* ---- DATA/systems/CMS.elf --------------------------------------------------- */

/* The whole file in malloc'd memory; NULL (errno set) on failure. */
static char *
slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (64 << 20)) {
        buf = malloc((size_t)st.st_size + 1);
    } else if (errno == 0) {
        errno = EINVAL;
    }
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) {
            free(buf);
            buf = NULL;
            errno = n == 0 ? EIO : errno;
            break;
        }
        got += (size_t)n;
    }
    int e = errno;
    close(fd);
    errno = e;
    *len = got;
    return buf;
}

int
svc_install_nucleus(const char *datadir, const char *nucleus, bool *changed, char *err,
                    size_t errlen)
{
    *changed = false;
    size_t len = 0, oldlen = 0;
    char *img = slurp(nucleus, &len);
    if (!img) {
        int e = errno;
        snprintf(err, errlen, "cannot read the CMS nucleus %s: %s", nucleus, strerror(e));
        return -e;
    }
    char dir[PATH_MAX], path[PATH_MAX + 16], tmp[PATH_MAX + 32];
    int rc = datadir_path(dir, sizeof dir, datadir, SYSTEMS_DIR);
    if (rc == 0 && mkdir(dir, 0755) != 0 && errno != EEXIST) {
        rc = -errno;
    }
    if (rc < 0) {
        snprintf(err, errlen, "cannot make %s/%s: %s", datadir, SYSTEMS_DIR, strerror(-rc));
        free(img);
        return rc;
    }
    snprintf(path, sizeof path, "%s/CMS.elf", dir);
    char *old = slurp(path, &oldlen);
    bool same = old && oldlen == len && memcmp(old, img, len) == 0;
    free(old);
    if (same) {
        free(img);
        return 0;
    }
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t n = write(fd, img + done, len - done);
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    rc = fd >= 0 && done == len && fsync(fd) == 0 ? 0 : -(errno ? errno : EIO);
    if (fd >= 0) {
        close(fd);
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -errno;
    }
    free(img);
    if (rc < 0) {
        unlink(tmp);
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
        return rc;
    }
    *changed = true;
    return 0;
}

/* ---- minidisk images ---------------------------------------------------------- */

/* The clock for file dates: now, or a fixed time while copying a file. */
struct fs_clock {
    bool fixed;
    struct cmsfs_time t;
};

static void
fs_clock_now(void *ctx, struct cmsfs_time *now)
{
    struct fs_clock *c = ctx;
    if (c && c->fixed) {
        *now = c->t;
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    now->us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    now->utc_offset_s = (int32_t)tm.tm_gmtoff;
}

static bool
never_written(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return false;
    }
    if (st.st_blocks == 0) {
        return true;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    static const char zeros[4096];
    char buf[4096];
    bool zero = true;
    for (off_t off = 0; zero && off < HEAD_BYTES; off += (off_t)sizeof buf) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n < 0) {
            zero = false;
        } else if (n == 0) {
            break;
        } else {
            zero = memcmp(buf, zeros, (size_t)n) == 0;
        }
    }
    close(fd);
    return zero;
}

/* Makes a missing image (sparse).  1 made, 0 was there, -errno. */
static int
create_image(const char *path, uint64_t blocks)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno == EEXIST ? 0 : -errno;
    }
    int rc = ftruncate(fd, (off_t)(blocks * DIR_BLOCK_SIZE)) == 0 ? 1 : -errno;
    close(fd);
    if (rc < 0) {
        unlink(path);
    }
    return rc;
}

static int
format_image(const char *path, const char *label, char *err, size_t errlen)
{
    struct cmsfs_dev dev;
    int e = cmsfs_img_open(path, 0, &dev);
    if (e != 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(e));
        return -e;
    }
    struct fs_clock clk = {false, {0, 0}};
    struct cmsfs_opts opts = {0, 0, fs_clock_now, &clk};
    int rc = cmsfs_format(&dev, label, &opts);
    cmsfs_img_close(&dev);
    if (rc != CMSFS_OK) {
        snprintf(err, errlen, "FORMAT failed: %s", cmsfs_err_text(rc));
        return -EIO;
    }
    return 0;
}

/* Copies one file from src to dst with its records, format and date. */
static int
copy_file(struct cmsfs *src, struct cmsfs *dst, const struct cmsfs_stat *st, struct fs_clock *clk,
          char *buf, size_t cap)
{
    struct cmsfs_file *in = NULL, *out = NULL;
    struct cmsfs_create cr = {st->recfm, st->recfm == 'F' ? st->lrecl : 0, st->fmnum};
    clk->fixed = true;
    clk->t = st->mtime;
    int rc = cmsfs_open(src, &st->name, CMSFS_READ, NULL, &in);
    if (rc == CMSFS_OK) {
        rc = cmsfs_open(dst, &st->name, CMSFS_WRITE, &cr, &out);
    }
    size_t len;
    while (rc == CMSFS_OK && (rc = cmsfs_read(in, buf, cap, &len)) == CMSFS_OK) {
        rc = cmsfs_write(out, buf, len);
    }
    if (rc == CMSFS_E_EOF) {
        rc = cmsfs_close(out);
        out = NULL;
    }
    if (out) {
        cmsfs_discard(out);
    }
    if (in) {
        cmsfs_close(in);
    }
    clk->fixed = false;
    return rc;
}

/* Formats path like the image sdisk and copies every file of it. */
static int
fill_image(const char *path, const char *sdisk, char *err, size_t errlen)
{
    struct cmsfs_dev sdev, ddev;
    struct cmsfs *src = NULL, *dst = NULL;
    struct fs_clock clk = {false, {0, 0}};
    struct cmsfs_opts ropts = {CMSFS_MOUNT_RDONLY, 0, fs_clock_now, &clk};
    struct cmsfs_opts wopts = {CMSFS_MOUNT_NOFLUSH, 0, fs_clock_now, &clk};
    int e = cmsfs_img_open(sdisk, CMSFS_IMG_RDONLY, &sdev);
    if (e != 0) {
        snprintf(err, errlen, "cannot open the S-disk image %s: %s", sdisk, strerror(e));
        return -e;
    }
    int rc = cmsfs_mount(&sdev, &ropts, &src);
    if (rc != CMSFS_OK) {
        snprintf(err, errlen, "the S-disk image %s: %s", sdisk, cmsfs_err_text(rc));
        cmsfs_img_close(&sdev);
        return -EINVAL;
    }
    struct cmsfs_stats sst;
    cmsfs_stats(src, &sst);
    e = cmsfs_img_open(path, 0, &ddev);
    if (e != 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(e));
        cmsfs_unmount(src);
        cmsfs_img_close(&sdev);
        return -e;
    }
    rc = cmsfs_format(&ddev, sst.label, &wopts);
    if (rc == CMSFS_OK) {
        rc = cmsfs_mount(&ddev, &wopts, &dst);
    }
    unsigned files = 0;
    char *buf = malloc(CMSFS_MAX_LRECL + 1);
    struct cmsfs_iter *it = NULL;
    if (rc == CMSFS_OK && !buf) {
        rc = CMSFS_E_NOMEM;
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_iter_open(src, NULL, NULL, -1, &it);
    }
    struct cmsfs_stat st;
    while (rc == CMSFS_OK && (rc = cmsfs_iter_next(it, &st)) == CMSFS_OK) {
        rc = copy_file(src, dst, &st, &clk, buf, CMSFS_MAX_LRECL + 1);
        files++;
    }
    if (rc == CMSFS_E_EOF) {
        rc = CMSFS_OK;
    }
    if (it) {
        cmsfs_iter_close(it);
    }
    free(buf);
    if (dst && cmsfs_unmount(dst) != CMSFS_OK && rc == CMSFS_OK) {
        rc = CMSFS_E_IO;
    }
    if (rc == CMSFS_OK && ddev.flush && ddev.flush(ddev.ctx) != CMSFS_OK) {
        rc = CMSFS_E_IO;
    }
    cmsfs_img_close(&ddev);
    cmsfs_unmount(src);
    cmsfs_img_close(&sdev);
    if (rc != CMSFS_OK) {
        snprintf(err, errlen, "copying the S-disk image: %s", cmsfs_err_text(rc));
        return -EIO;
    }
    snprintf(err, errlen, "%u files", files);
    return 0;
}

enum disk_role { ROLE_NONE, ROLE_FORMAT, ROLE_SDISK };

/* What a never-written disk of owner at vaddr gets, and its label. */
static enum disk_role
disk_role(const char *owner, unsigned vaddr, char *label, size_t len)
{
    bool maint = strcasecmp(owner, "MAINT") == 0;
    if (vaddr == 0x191) {
        snprintf(label, len, "%.6s", owner);
        return ROLE_FORMAT;
    }
    if (maint && vaddr == 0x19E) {
        snprintf(label, len, "MNT19E");
        return ROLE_FORMAT;
    }
    if (maint && vaddr == 0x190) {
        return ROLE_SDISK;
    }
    return ROLE_NONE;
}

static void
prepare_one(struct dir *d, const struct dir_mdisk *m, const char *sdisk,
            struct svc_disk_report *rep)
{
    char path[PATH_MAX], err[256] = "";
    if (dir_mdisk_path(d, m, path, sizeof path) != 0) {
        cplog(CPLOG_ERROR, NULL, m->owner, "minidisk %03X: image path too long", m->vaddr);
        rep->failed++;
        return;
    }
    int rc = create_image(path, m->blocks);
    if (rc < 0) {
        cplog(CPLOG_ERROR, NULL, m->owner, "minidisk %03X: cannot create %s: %s", m->vaddr, path,
              strerror(-rc));
        rep->failed++;
        return;
    }
    if (rc == 1) {
        cplog(CPLOG_INFO, NULL, m->owner, "minidisk %03X: image %s created", m->vaddr, path);
        rep->created++;
    }
    char label[CMSFS_LABEL_LEN + 1];
    enum disk_role role = disk_role(m->owner, m->vaddr, label, sizeof label);
    if (role == ROLE_NONE || !never_written(path)) {
        return;
    }
    if (role == ROLE_SDISK && (!sdisk || !sdisk[0])) {
        cplog(CPLOG_WARN, NULL, m->owner,
              "minidisk %03X: no S-disk image was found; left unformatted", m->vaddr);
        return;
    }
    if (role == ROLE_FORMAT) {
        rc = format_image(path, label, err, sizeof err);
    } else {
        rc = fill_image(path, sdisk, err, sizeof err);
    }
    if (rc == -EBUSY) {
        return; /* another logon of this user is preparing it right now */
    }
    if (rc < 0) {
        cplog(CPLOG_ERROR, NULL, m->owner, "minidisk %03X: %s", m->vaddr, err);
        rep->failed++;
    } else if (role == ROLE_FORMAT) {
        cplog(CPLOG_INFO, NULL, m->owner, "minidisk %03X formatted for CMS, label %s", m->vaddr,
              label);
        rep->formatted++;
    } else {
        cplog(CPLOG_INFO, NULL, m->owner, "minidisk %03X filled from %s (%s)", m->vaddr, sdisk,
              err);
        rep->filled++;
    }
}

int
svc_disks_prepare(const char *datadir, const char *userid, const char *sdisk,
                  struct svc_disk_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct dir *d = NULL;
    char err[256] = "";
    int rc = dir_open(&d, datadir, 0, err, sizeof err);
    if (rc < 0) {
        cplog(CPLOG_ERROR, NULL, userid, "directory: %s", err);
        return rc;
    }
    rc = svc_disks_prepare_dir(d, userid, sdisk, rep);
    dir_close(d);
    return rc;
}

int
svc_disks_prepare_dir(struct dir *d, const char *userid, const char *sdisk,
                      struct svc_disk_report *rep)
{
    memset(rep, 0, sizeof *rep);
    int rc;
    struct dir_user one, *users = NULL;
    size_t nusers = 0;
    if (userid) {
        rc = dir_user_get(d, userid, &one);
        users = &one;
        nusers = rc == 0 ? 1 : 0;
    } else {
        rc = dir_user_list(d, &users, &nusers);
    }
    for (size_t i = 0; rc == 0 && i < nusers; i++) {
        struct dir_mdisk *md = NULL;
        size_t n = 0;
        if (dir_mdisk_list(d, users[i].userid, &md, &n) != 0) {
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            prepare_one(d, &md[k], sdisk, rep);
        }
        free(md);
    }
    if (!userid) {
        free(users);
    }
    return rc == -ENOENT ? 0 : rc;
}
