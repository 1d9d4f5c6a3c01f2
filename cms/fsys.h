/* SPDX-License-Identifier: MIT */
/*
 * cms/fsys.h - CMS's view of its file system: accessed disks by filemode
 * letter, the search order, and files named "fn ft fm".  The commands and
 * the service calls use only this; cms/fsys.c implements it over the CMS
 * file system library (cms/fs/cmsfs.h) on the guest block device
 * (cms/blkdev.c, DIAG 0x250).
 *
 * Names are upper case, NUL terminated, blank free.  A filemode is a
 * letter and an optional number ("A", "A1"); "*" means every accessed disk
 * in search order (A..Z) for lookups.  Errors are the negative CMS_E* codes
 * of vmrv/cmsapi.h plus the few FS_E* below.
 */
#ifndef CMS_FSYS_H
#define CMS_FSYS_H

#include <stddef.h>
#include <stdint.h>

#include <vmrv/cmsapi.h>

#define FS_EEXIST (-17) /* the target file exists */
#define FS_ENOTFMT (-40) /* the disk is not a CMS disk (needs FORMAT) */
#define FS_ENODEV (-41) /* no device at that address / not a disk */
#define FS_EBUSY (-42) /* the disk has open files */

struct fs_fileid {
    char fn[9];
    char ft[9];
    char fm[3]; /* letter [number], or "*" */
};

struct fs_stat {
    struct fs_fileid id; /* fm = the letter and number where it is */
    char recfm; /* 'F' or 'V' */
    uint32_t lrecl; /* F: record length; V: longest record */
    uint32_t records;
    uint64_t bytes;
    uint32_t blocks; /* disk blocks the file uses */
    uint64_t mtime_us; /* microseconds since 1970 UTC */
};

struct fs_diskinfo {
    char letter;
    unsigned vaddr;
    int readonly;
    char label[7];
    uint32_t files;
    uint64_t blocks_total;
    uint64_t blocks_used;
    uint32_t block_size;
};

struct fs_file;

/* Makes the disk at vaddr filemode letter (replacing what had that
 * letter; a disk accessed under another letter moves).  readonly asks for
 * read-only access (a read-only link is read-only anyway).  Returns 0,
 * FS_ENODEV, FS_ENOTFMT, CMS_EIO, FS_EBUSY. */
int fs_access(unsigned vaddr, char letter, int readonly);
/* Drops a letter (its open files must be closed first: FS_EBUSY). */
int fs_release(char letter);
/* Formats the disk at vaddr with label (1-6 characters) and accesses it
 * as letter read/write.  Destroys every file on it. */
int fs_format(unsigned vaddr, char letter, const char *label);
/* Fills *di for an accessed letter; CMS_ENODISK if none. */
int fs_diskinfo(char letter, struct fs_diskinfo *di);
/* The letter that vaddr is accessed as, or 0. */
char fs_letter_of(unsigned vaddr);

/* Looks a file up (fm "*" = search order); fills *st (may be NULL). */
int fs_state(const struct fs_fileid *id, struct fs_stat *st);
/* Calls fn for every file matching the patterns ('*' and '%' wildcards in
 * fn and ft, fm a letter, a letter and number, or "*"), disks in search
 * order, files in name order.  Stops early if fn returns nonzero and
 * returns that value; 0 when all were visited; a CMS_E* code on error. */
int fs_list(const char *fnpat, const char *ftpat, const char *fmpat,
            int (*fn)(const struct fs_stat *st, void *arg), void *arg);

/* Opens a file: CMS_O_READ (fm may be "*"), CMS_O_WRITE (a new version
 * replaces the old one at close), CMS_O_APPEND (create or extend).  recfm
 * and lrecl are for new files (lrecl 0 = default: 80 for F, 65535 for V).
 * *out owns the open file until fs_close or fs_abort. */
int fs_open(const struct fs_fileid *id, int mode, char recfm, uint32_t lrecl,
            struct fs_file **out);
/* Reads the next record into buf (at most cap bytes; a longer record is
 * truncated); *len gets its full length.  CMS_EEOF at the end. */
int fs_read(struct fs_file *f, void *buf, size_t cap, size_t *len);
/* Writes the next record (F files: padded with blanks or cut to LRECL). */
int fs_write(struct fs_file *f, const void *buf, size_t len);
/* Positions at record recno (1-based) for the next read or write. */
int fs_point(struct fs_file *f, uint32_t recno);
/* Commits a written file and closes it; durable on return. */
int fs_close(struct fs_file *f);
/* Closes without committing what was written (the old file stays). */
void fs_abort(struct fs_file *f);
/* The stat of an open file (its recfm, lrecl, records so far). */
void fs_fstat(struct fs_file *f, struct fs_stat *st);

int fs_erase(const struct fs_fileid *id);
/* Renames within one disk; FS_EEXIST if the target exists. */
int fs_rename(const struct fs_fileid *from, const struct fs_fileid *to);

/* A message-friendly text for an error code. */
const char *fs_strerror(int err);
/* Parses "fn ft [fm]" tokens into id with a default filemode; returns 0
 * or CMS_EINVAL.  Any of fn, ft may be "*" or a pattern when allowed. */
int fs_fileid_make(struct fs_fileid *id, const char *fn, const char *ft, const char *fm,
                   const char *dflt_fm);

/* For commands (cmd_file.c): writes the message for error err on file id
 * (NULL if none) and returns the CMS return code (28 not found, 36 disk
 * read-only or not accessed, 13 disk full, 24/20 bad operands, 100 I/O). */
int fs_report(int err, const struct fs_fileid *id);
/* Builds a fileid from the ntok (0-3) tokens of p from argv[first] on; a
 * missing fm is dflt_fm; patterns ('*', '%') only if allowed.  Writes the
 * message and returns its rc (20) on error, else 0. */
struct cms_plist;
int fs_fileid_arg(struct cms_plist *p, int first, int ntok, struct fs_fileid *id,
                  const char *dflt_fm, int patterns);
/* Fills the fields of a target given as "=" from the source's. */
void fs_fileid_equals(struct fs_fileid *to, const struct fs_fileid *from);
/* COMPARE's and SORT's operands (cmd_compare.c): "fileid1 fileid2" in the
 * nopt tokens after the command, as COPYFILE takes them ("fn ft fm fn ft
 * fm", "fn ft fm fn ft", "fn ft fn ft"; fileid2's parts may be "=", its
 * fm defaults to "=").  fileid1 must exist: *st1 gets its stat and *f1
 * the disk it is on; "=" in *f2 is filled from it.  Writes the message and
 * returns the rc (24, 20, 28, 36) on error, else 0. */
int fs_fileid_pair(struct cms_plist *p, int nopt, const char *usage, struct fs_fileid *f1,
                   struct fs_stat *st1, struct fs_fileid *f2);

#endif /* CMS_FSYS_H */
