// SPDX-License-Identifier: MIT
/*
 * cms/fsys.c - see fsys.h.  The accessed-disk table (one slot per filemode
 * letter), fileid parsing, and the file operations.
 *
 * Each accessed disk is a mount of the CMS file system library
 * (cms/fs/cmsfs.h) on a guest block device (cms/blkdev.c, DIAG 0x250),
 * kept in a heap record so the device the library points to never moves.
 * The filemode letter is CMS's; the number (1 if none) is the library's.
 * Lookups with filemode "*" go through the letters in order A..Z.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/blkdev.h"
#include "cms/cms.h"
#include "cms/fs/cmsfs.h"
#include "cms/fsys.h"

/* The library's text for the last error mapped to CMS_EIO (for messages). */
static char last_detail[64];

int
fs_fileid_make(struct fs_fileid *id, const char *fn, const char *ft, const char *fm,
               const char *dflt_fm)
{
    memset(id, 0, sizeof *id);
    if (fn == NULL || ft == NULL || cms_field(id->fn, fn, 8) != 0 || cms_field(id->ft, ft, 8) != 0) {
        return CMS_EINVAL;
    }
    if (fm == NULL || fm[0] == '\0') {
        fm = dflt_fm;
    }
    if (fm == NULL) {
        return CMS_EINVAL;
    }
    if (strcmp(fm, "*") == 0 || strcmp(fm, "=") == 0) {
        strcpy(id->fm, fm);
        return 0;
    }
    char l = fm[0];
    if (l >= 'a' && l <= 'z') {
        l = (char)(l - 32);
    }
    if (l < 'A' || l > 'Z' || strlen(fm) > 2 || (fm[1] != '\0' && (fm[1] < '0' || fm[1] > '6'))) {
        return CMS_EINVAL;
    }
    id->fm[0] = l;
    id->fm[1] = fm[1];
    return 0;
}

const char *
fs_strerror(int err)
{
    switch (err) {
    case 0:
        return "no error";
    case CMS_ENOTFOUND:
        return "file not found";
    case CMS_EROFS:
        return "disk is read-only";
    case CMS_ENODISK:
        return "filemode not accessed";
    case CMS_ENOSPC:
        return "disk full";
    case CMS_EIO:
        return "disk I/O error";
    case CMS_EINVAL:
        return "invalid request";
    case CMS_EEOF:
        return "end of file";
    case CMS_EMFILE:
        return "too many open files";
    case FS_EEXIST:
        return "file exists";
    case FS_ENOTFMT:
        return "not a CMS disk";
    case FS_ENODEV:
        return "no such disk";
    case FS_EBUSY:
        return "disk has open files";
    default:
        return last_detail[0] ? last_detail : "file system error";
    }
}


struct fs_disk {
    unsigned vaddr;
    char letter;
    struct blkdev bd;
    struct cmsfs_dev dev;
    struct cmsfs *fs;
    unsigned open_files;
};

struct fs_file {
    struct cmsfs_file *f;
    struct fs_disk *d;
    struct fs_fileid id;
};

static struct fs_disk *disks[26];

static int
map_err(int err)
{
    switch (err) {
    case CMSFS_OK:
        return 0;
    case CMSFS_E_NOTFOUND:
        return CMS_ENOTFOUND;
    case CMSFS_E_ROFS:
        return CMS_EROFS;
    case CMSFS_E_FULL:
    case CMSFS_E_NOMEM:
        return CMS_ENOSPC;
    case CMSFS_E_EOF:
        return CMS_EEOF;
    case CMSFS_E_EXISTS:
        return FS_EEXIST;
    case CMSFS_E_BUSY:
        return FS_EBUSY;
    case CMSFS_E_NOTFMT:
    case CMSFS_E_VERSION:
        return FS_ENOTFMT;
    case CMSFS_E_BADNAME:
    case CMSFS_E_BADMODE:
    case CMSFS_E_INVAL:
    case CMSFS_E_RECFM:
    case CMSFS_E_RECLEN:
    case CMSFS_E_RANGE:
        return CMS_EINVAL;
    default:
        strncpy(last_detail, cmsfs_err_text(err), sizeof last_detail - 1);
        return CMS_EIO;
    }
}

static int
dev_err(int drc)
{
    return drc == DIAG_ENOSPC ? CMSFS_E_FULL : CMSFS_E_IO;
}

static int
dev_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    int rc = blkdev_read(ctx, block, buf, count);
    return rc == DIAG_OK ? 0 : dev_err(rc);
}

static int
dev_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
    int rc = blkdev_write(ctx, block, buf, count);
    return rc == DIAG_OK ? 0 : dev_err(rc);
}

static int
dev_flush(void *ctx)
{
    int rc = blkdev_flush(ctx);
    return rc == DIAG_OK ? 0 : dev_err(rc);
}

static void
fs_clock(void *ctx, struct cmsfs_time *now)
{
    (void)ctx;
    struct diag_timer t;
    cms_timer(&t);
    now->us = (int64_t)t.tod_us;
    now->utc_offset_s = (int32_t)t.utc_offset_s;
}

static const struct cmsfs_opts base_opts = {0, 32, fs_clock, NULL};

static struct fs_disk *
disk_of(char letter)
{
    if (letter < 'A' || letter > 'Z') {
        return NULL;
    }
    return disks[letter - 'A'];
}

/* Opens the device of vaddr into a new record (not mounted). */
static int
disk_new(unsigned vaddr, char letter, struct fs_disk **out)
{
    struct fs_disk *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return CMS_ENOSPC;
    }
    int rc = blkdev_open(&d->bd, vaddr);
    if (rc != DIAG_OK) {
        free(d);
        return rc == DIAG_ENODEV ? FS_ENODEV : CMS_EIO;
    }
    d->vaddr = vaddr;
    d->letter = letter;
    d->dev.block_size = CMSFS_BLOCK_SIZE;
    d->dev.block_count = d->bd.blocks;
    d->dev.read_only = d->bd.readonly != 0;
    d->dev.ctx = &d->bd;
    d->dev.read = dev_read;
    d->dev.write = dev_write;
    d->dev.flush = dev_flush;
    *out = d;
    return 0;
}

static void
disk_drop(struct fs_disk *d)
{
    if (d != NULL) {
        cmsfs_unmount(d->fs);
        free(d);
    }
}

/* Finds where vaddr is accessed. */
static char
letter_of(unsigned vaddr)
{
    for (int i = 0; i < 26; i++) {
        if (disks[i] != NULL && disks[i]->vaddr == vaddr) {
            return (char)('A' + i);
        }
    }
    return 0;
}

char
fs_letter_of(unsigned vaddr)
{
    return letter_of(vaddr);
}

int
fs_access(unsigned vaddr, char letter, int readonly)
{
    struct fs_disk *old = disk_of(letter);
    char other = letter_of(vaddr);
    if (letter < 'A' || letter > 'Z') {
        return CMS_EINVAL;
    }
    if ((old != NULL && old->open_files > 0) ||
        (other && disks[other - 'A']->open_files > 0)) {
        return FS_EBUSY;
    }
    struct fs_disk *d;
    int rc = disk_new(vaddr, letter, &d);
    if (rc != 0) {
        return rc;
    }
    struct cmsfs_opts opts = base_opts;
    if (readonly) {
        opts.flags |= CMSFS_MOUNT_RDONLY;
    }
    /* a disk accessed under another letter (or this one) is mounted once:
     * drop the old mount before the new one reads the disk */
    if (other) {
        disk_drop(disks[other - 'A']);
        disks[other - 'A'] = NULL;
        if (other == letter) {
            old = NULL;
        }
    }
    rc = cmsfs_mount(&d->dev, &opts, &d->fs);
    if (rc != CMSFS_OK) {
        free(d);
        return map_err(rc);
    }
    disk_drop(old);
    disks[letter - 'A'] = d;
    return 0;
}

int
fs_release(char letter)
{
    struct fs_disk *d = disk_of(letter);
    if (d == NULL) {
        return CMS_ENODISK;
    }
    if (d->open_files > 0) {
        return FS_EBUSY;
    }
    disk_drop(d);
    disks[letter - 'A'] = NULL;
    return 0;
}

int
fs_format(unsigned vaddr, char letter, const char *label)
{
    char other = letter_of(vaddr);
    struct fs_disk *old = disk_of(letter);
    if ((other && disks[other - 'A']->open_files > 0) || (old && old->open_files > 0)) {
        return FS_EBUSY;
    }
    struct fs_disk *d;
    int rc = disk_new(vaddr, letter, &d);
    if (rc != 0) {
        return rc;
    }
    if (d->dev.read_only) {
        free(d);
        return CMS_EROFS;
    }
    if (other) {
        disk_drop(disks[other - 'A']);
        disks[other - 'A'] = NULL;
    }
    rc = cmsfs_format(&d->dev, label, &base_opts);
    free(d);
    if (rc != CMSFS_OK) {
        return map_err(rc);
    }
    return fs_access(vaddr, letter, 0);
}

int
fs_diskinfo(char letter, struct fs_diskinfo *di)
{
    struct fs_disk *d = disk_of(letter);
    if (d == NULL) {
        return CMS_ENODISK;
    }
    struct cmsfs_stats st;
    cmsfs_stats(d->fs, &st);
    memset(di, 0, sizeof *di);
    di->letter = letter;
    di->vaddr = d->vaddr;
    di->readonly = st.read_only;
    memcpy(di->label, st.label, sizeof di->label - 1);
    di->files = (uint32_t)st.files;
    di->blocks_total = st.blocks_total;
    di->blocks_used = st.blocks_used;
    di->block_size = st.block_size;
    return 0;
}

static int
make_name(const struct fs_fileid *id, struct cmsfs_name *name)
{
    return cmsfs_name_set(name, id->fn, id->ft) == CMSFS_OK ? 0 : CMS_EINVAL;
}

static int
fmnum_of(const struct fs_fileid *id)
{
    return (id->fm[0] != '*' && id->fm[1] >= '0' && id->fm[1] <= '6') ? id->fm[1] - '0' : -1;
}

static void
stat_from(struct fs_stat *out, const struct cmsfs_stat *st, char letter)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 8 && st->name.fn[i] != ' '; i++) {
        out->id.fn[i] = st->name.fn[i];
    }
    for (int i = 0; i < 8 && st->name.ft[i] != ' '; i++) {
        out->id.ft[i] = st->name.ft[i];
    }
    out->id.fm[0] = letter;
    out->id.fm[1] = (char)('0' + st->fmnum);
    out->recfm = st->recfm;
    out->lrecl = st->lrecl;
    out->records = st->records;
    out->bytes = st->bytes;
    out->blocks = st->blocks;
    out->mtime_us = st->mtime.us > 0 ? (uint64_t)st->mtime.us : 0;
}

/* Finds a file: the disk it is on (search order for "*"). */
static int
find(const struct fs_fileid *id, struct fs_disk **dout, struct cmsfs_stat *st)
{
    struct cmsfs_name name;
    if (make_name(id, &name) != 0) {
        return CMS_EINVAL;
    }
    if (strcmp(id->fm, "*") != 0) {
        struct fs_disk *d = disk_of(id->fm[0]);
        if (d == NULL) {
            return CMS_ENODISK;
        }
        int rc = cmsfs_state(d->fs, &name, st);
        if (rc != CMSFS_OK) {
            return map_err(rc);
        }
        *dout = d;
        return 0;
    }
    for (int i = 0; i < 26; i++) {
        if (disks[i] != NULL && cmsfs_state(disks[i]->fs, &name, st) == CMSFS_OK) {
            *dout = disks[i];
            return 0;
        }
    }
    return CMS_ENOTFOUND;
}

int
fs_state(const struct fs_fileid *id, struct fs_stat *st)
{
    struct fs_disk *d;
    struct cmsfs_stat cst;
    int rc = find(id, &d, &cst);
    if (rc == 0 && st != NULL) {
        stat_from(st, &cst, d->letter);
    }
    return rc;
}

int
fs_list(const char *fnpat, const char *ftpat, const char *fmpat,
        int (*fn)(const struct fs_stat *st, void *arg), void *arg)
{
    int all = strcmp(fmpat, "*") == 0;
    int fmnum = -1;
    if (!all) {
        if (disk_of(fmpat[0]) == NULL) {
            return CMS_ENODISK;
        }
        if (fmpat[1] >= '0' && fmpat[1] <= '6') {
            fmnum = fmpat[1] - '0';
        }
    }
    for (int i = 0; i < 26; i++) {
        struct fs_disk *d = disks[i];
        if (d == NULL || (!all && d->letter != fmpat[0])) {
            continue;
        }
        struct cmsfs_iter *it;
        int rc = cmsfs_iter_open(d->fs, fnpat, ftpat, fmnum, &it);
        if (rc != CMSFS_OK) {
            return map_err(rc);
        }
        struct cmsfs_stat cst;
        while ((rc = cmsfs_iter_next(it, &cst)) == CMSFS_OK) {
            struct fs_stat st;
            stat_from(&st, &cst, d->letter);
            int stop = fn(&st, arg);
            if (stop != 0) {
                cmsfs_iter_close(it);
                return stop;
            }
        }
        cmsfs_iter_close(it);
        if (rc != CMSFS_E_EOF) {
            return map_err(rc);
        }
    }
    return 0;
}

int
fs_open(const struct fs_fileid *id, int mode, char recfm, uint32_t lrecl, struct fs_file **out)
{
    struct fs_disk *d = NULL;
    struct cmsfs_stat cst;
    struct cmsfs_name name;
    int rc;
    *out = NULL;
    if (make_name(id, &name) != 0) {
        return CMS_EINVAL;
    }
    if (mode == CMS_O_READ) {
        rc = find(id, &d, &cst);
        if (rc != 0) {
            return rc;
        }
    } else {
        if (strcmp(id->fm, "*") == 0) {
            return CMS_EINVAL;
        }
        d = disk_of(id->fm[0]);
        if (d == NULL) {
            return CMS_ENODISK;
        }
    }
    struct fs_file *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return CMS_ENOSPC;
    }
    struct cmsfs_create cr;
    cr.recfm = recfm == 'F' ? 'F' : 'V';
    cr.lrecl = cr.recfm == 'F' ? (lrecl ? lrecl : 80) : lrecl;
    cr.fmnum = fmnum_of(id) >= 0 ? fmnum_of(id) : 1;
    enum cmsfs_mode m = mode == CMS_O_READ ? CMSFS_READ
                        : mode == CMS_O_WRITE ? CMSFS_WRITE
                                              : CMSFS_APPEND;
    rc = cmsfs_open(d->fs, &name, m, mode == CMS_O_READ ? NULL : &cr, &f->f);
    if (rc != CMSFS_OK) {
        free(f);
        return map_err(rc);
    }
    f->d = d;
    f->id = *id;
    f->id.fm[0] = d->letter;
    d->open_files++;
    *out = f;
    return 0;
}

int
fs_read(struct fs_file *f, void *buf, size_t cap, size_t *len)
{
    int rc = cmsfs_read(f->f, buf, cap, len);
    if (rc == CMSFS_E_TRUNC) {
        return 0; /* *len is the full length; the caller sees it */
    }
    return map_err(rc);
}

int
fs_write(struct fs_file *f, const void *buf, size_t len)
{
    struct cmsfs_stat st;
    cmsfs_file_stat(f->f, &st);
    if (st.recfm == 'F' && len > st.lrecl) {
        len = st.lrecl; /* the ABI: F records are cut to LRECL */
    }
    return map_err(cmsfs_write(f->f, buf, len));
}

int
fs_point(struct fs_file *f, uint32_t recno)
{
    return map_err(cmsfs_point(f->f, recno));
}

int
fs_close(struct fs_file *f)
{
    int rc = cmsfs_close(f->f);
    f->d->open_files--;
    free(f);
    return map_err(rc);
}

void
fs_abort(struct fs_file *f)
{
    if (f != NULL) {
        cmsfs_discard(f->f);
        f->d->open_files--;
        free(f);
    }
}

void
fs_fstat(struct fs_file *f, struct fs_stat *st)
{
    struct cmsfs_stat cst;
    cmsfs_file_stat(f->f, &cst);
    stat_from(st, &cst, f->d->letter);
}

int
fs_erase(const struct fs_fileid *id)
{
    struct cmsfs_name name;
    if (make_name(id, &name) != 0 || strcmp(id->fm, "*") == 0) {
        return CMS_EINVAL;
    }
    struct fs_disk *d = disk_of(id->fm[0]);
    if (d == NULL) {
        return CMS_ENODISK;
    }
    return map_err(cmsfs_erase(d->fs, &name));
}

int
fs_rename(const struct fs_fileid *from, const struct fs_fileid *to)
{
    struct cmsfs_name a, b;
    if (make_name(from, &a) != 0 || make_name(to, &b) != 0 || strcmp(from->fm, "*") == 0 ||
        to->fm[0] != from->fm[0]) {
        return CMS_EINVAL;
    }
    struct fs_disk *d = disk_of(from->fm[0]);
    if (d == NULL) {
        return CMS_ENODISK;
    }
    return map_err(cmsfs_rename(d->fs, &a, &b, fmnum_of(to)));
}
