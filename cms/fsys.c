// SPDX-License-Identifier: MIT
/*
 * cms/fsys.c - see fsys.h.  The accessed-disk table (one slot per filemode
 * letter), fileid parsing, and the file operations.
 *
 * TEMPORARY: the CMS file system library (cms/fs/cmsfs.h) is not on main
 * yet; until it is, every disk operation answers "no file system in this
 * build" and the nucleus runs without disks.
 */
#include <string.h>

#include "cms/cms.h"
#include "cms/fsys.h"

#define FS_ENOFS (-99)

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
    case FS_ENOFS:
        return "no file system in this build";
    default:
        return "file system error";
    }
}

int
fs_access(unsigned vaddr, char letter, int readonly)
{
    (void)vaddr;
    (void)letter;
    (void)readonly;
    return FS_ENOFS;
}

int
fs_release(char letter)
{
    (void)letter;
    return CMS_ENODISK;
}

int
fs_format(unsigned vaddr, char letter, const char *label)
{
    (void)vaddr;
    (void)letter;
    (void)label;
    return FS_ENOFS;
}

int
fs_diskinfo(char letter, struct fs_diskinfo *di)
{
    (void)letter;
    (void)di;
    return CMS_ENODISK;
}

char
fs_letter_of(unsigned vaddr)
{
    (void)vaddr;
    return 0;
}

int
fs_state(const struct fs_fileid *id, struct fs_stat *st)
{
    (void)id;
    (void)st;
    return CMS_ENOTFOUND;
}

int
fs_list(const char *fnpat, const char *ftpat, const char *fmpat,
        int (*fn)(const struct fs_stat *st, void *arg), void *arg)
{
    (void)fnpat;
    (void)ftpat;
    (void)fmpat;
    (void)fn;
    (void)arg;
    return 0;
}

int
fs_open(const struct fs_fileid *id, int mode, char recfm, uint32_t lrecl, struct fs_file **out)
{
    (void)id;
    (void)recfm;
    (void)lrecl;
    *out = NULL;
    return mode == CMS_O_READ ? CMS_ENOTFOUND : CMS_ENODISK;
}

int
fs_read(struct fs_file *f, void *buf, size_t cap, size_t *len)
{
    (void)f;
    (void)buf;
    (void)cap;
    *len = 0;
    return CMS_EEOF;
}

int
fs_write(struct fs_file *f, const void *buf, size_t len)
{
    (void)f;
    (void)buf;
    (void)len;
    return CMS_EIO;
}

int
fs_point(struct fs_file *f, uint32_t recno)
{
    (void)f;
    (void)recno;
    return CMS_EINVAL;
}

int
fs_close(struct fs_file *f)
{
    (void)f;
    return 0;
}

void
fs_abort(struct fs_file *f)
{
    (void)f;
}

void
fs_fstat(struct fs_file *f, struct fs_stat *st)
{
    (void)f;
    memset(st, 0, sizeof *st);
}

int
fs_erase(const struct fs_fileid *id)
{
    (void)id;
    return CMS_ENOTFOUND;
}

int
fs_rename(const struct fs_fileid *from, const struct fs_fileid *to)
{
    (void)from;
    (void)to;
    return CMS_ENOTFOUND;
}
