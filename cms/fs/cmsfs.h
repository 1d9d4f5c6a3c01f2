/* SPDX-License-Identifier: MIT */
/*
 * cms/fs/cmsfs.h - the CMS file system: the one public header.
 *
 * One body of freestanding C (it needs only <stdint.h>, <stddef.h>,
 * <stdbool.h>, <string.h> and malloc/free) compiled twice: into the CMS
 * guest (cms/libcmsfs-guest.a, which reaches its minidisk through DIAG 0x250)
 * and into the host tool `vmrv disk` (cms/libcmsfs.a, which adds the
 * image-file device declared at the end of this header).
 *
 * What it gives: files named "fn ft" (1-8 characters each, upper case, CMS's
 * characters) with a filemode number 0-6, fixed (F) or variable (V) records
 * up to 65535 bytes, a date and time per file, kept on a disk of 4096-byte
 * blocks with a label.  The filemode *letter* is not on the disk: ACCESS in
 * CMS maps a letter to a mounted disk.
 *
 * Durability: every change becomes visible on disk at once, by a commit:
 * cmsfs_close of a writer, cmsfs_erase and cmsfs_rename commit before they
 * return, and what they committed survives CP being killed at any later
 * moment (the device's write has returned: "acknowledged") and, when the
 * device has a flush callback, the host losing power ("flushed").  A crash
 * at any moment leaves the disk at its last commit.  The on-disk format and
 * the commit protocol are described in cms/fs/ondisk.c and docs/CMSFS.md.
 *
 * Threads: a mounted disk (struct cmsfs) and its open files are used by one
 * thread at a time (CMS is single-threaded; the host tool too).  Nothing is
 * global: several disks may be mounted at once.
 *
 * Errors: functions return 0 (CMSFS_OK) or a negative enum cmsfs_err;
 * cmsfs_err_name/cmsfs_err_text/cmsfs_err_rc describe one.
 */
#ifndef CMS_FS_CMSFS_H
#define CMS_FS_CMSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMSFS_BLOCK_SIZE 4096
#define CMSFS_FORMAT_VERSION 1 /* the on-disk format this code writes */
#define CMSFS_MAX_LRECL 65535
#define CMSFS_NAME_LEN 8 /* fn and ft: 1..8 characters */
#define CMSFS_LABEL_LEN 6 /* disk label: 1..6 characters */
#define CMSFS_MIN_BLOCKS 16 /* smallest disk cmsfs_format accepts */
#define CMSFS_MAX_BLOCKS (495u * 32768u) /* largest (about 61.9 GiB) */

/* ---- errors ------------------------------------------------------------ */
/* Each has a CMS return code (cmsfs_err_rc): the number a CMS command or
 * FSxxxx call reports for it, as CMS did (28 not found, 36 read-only, ...). */
enum cmsfs_err {
    CMSFS_OK = 0,
    CMSFS_E_NOTFOUND = -1, /* file not found (rc 28) */
    CMSFS_E_ROFS = -2, /* disk is read-only (rc 36) */
    CMSFS_E_FULL = -3, /* disk is full (rc 13) */
    CMSFS_E_BADNAME = -4, /* invalid fn or ft (rc 20) */
    CMSFS_E_BADMODE = -5, /* invalid filemode (rc 24) */
    CMSFS_E_EOF = -6, /* end of file (rc 12) */
    CMSFS_E_TRUNC = -7, /* record longer than the buffer: truncated (rc 8) */
    CMSFS_E_RECFM = -8, /* invalid RECFM/LRECL or not the file's (rc 16) */
    CMSFS_E_RECLEN = -9, /* record length not allowed here (rc 15) */
    CMSFS_E_RANGE = -10, /* record number out of range (rc 7) */
    CMSFS_E_EXISTS = -11, /* a file of that name already exists (rc 24) */
    CMSFS_E_BUSY = -12, /* the file is open (rc 70) */
    CMSFS_E_INVAL = -13, /* invalid argument (rc 24) */
    CMSFS_E_NOMEM = -14, /* not enough storage (rc 25) */
    CMSFS_E_IO = -15, /* disk I/O error (rc 100) */
    CMSFS_E_CORRUPT = -16, /* disk structure damaged: checksum (rc 101) */
    CMSFS_E_NOTFMT = -17, /* not a CMS disk: no valid superblock (rc 102) */
    CMSFS_E_VERSION = -18, /* format version not supported (rc 103) */
    CMSFS_E_FAILED = -19, /* a commit failed half-way: mount it again (rc 100) */
};
#define CMSFS_ERR_COUNT 20

/* "CMSFS_E_NOTFOUND"; "CMSFS_E_?" for an unknown code.  Never NULL. */
const char *cmsfs_err_name(int err);
/* A short English text: "file not found".  Never NULL. */
const char *cmsfs_err_text(int err);
/* The CMS return code (0 for CMSFS_OK, 100 for unknown codes). */
int cmsfs_err_rc(int err);

/* ---- the device -------------------------------------------------------- */
/* The file system reaches its disk only through this.  block_size must be
 * CMSFS_BLOCK_SIZE.  read/write transfer `count` blocks starting at
 * `block`; they return 0 or a negative cmsfs_err (CMSFS_E_IO, or
 * CMSFS_E_FULL when the host's own storage is full; anything else is
 * taken as CMSFS_E_IO).  Today the file system passes count 1 only.
 * A write has returned 0 only when its data is
 * acknowledged: it survives the caller's process being killed.  flush
 * (may be NULL) returns when everything acknowledged survives power loss.
 * write may be NULL for a read-only device.  A mount keeps a copy of the
 * struct; ctx must outlive the mount, and the file system never frees it. */
struct cmsfs_dev {
    uint32_t block_size;
    uint64_t block_count;
    bool read_only;
    void *ctx;
    int (*read)(void *ctx, uint64_t block, uint32_t count, void *buf);
    int (*write)(void *ctx, uint64_t block, uint32_t count, const void *buf);
    int (*flush)(void *ctx);
};

/* ---- names, times ------------------------------------------------------ */
/* A file's name: fn and ft, each blank padded to 8 bytes, no NUL. */
struct cmsfs_name {
    char fn[CMSFS_NAME_LEN];
    char ft[CMSFS_NAME_LEN];
};

/* Builds a name from two C strings, upper-casing them.  CMSFS_E_BADNAME if
 * either is empty, longer than 8 or has a character other than A-Z 0-9
 * $ # @ + - : _ (after upper-casing). */
int cmsfs_name_set(struct cmsfs_name *name, const char *fn, const char *ft);

/* Parses "fn ft [fm]" (blank separated, case folded).  fm is a letter
 * optionally followed by a digit 0-6 ("A1", "B"), or a digit alone; the
 * letter, if any, goes to *fmletter (0 if none) and the number to *fmnum
 * (default_num if none).  fmletter and fmnum may be NULL.
 * CMSFS_E_BADNAME / CMSFS_E_BADMODE / CMSFS_E_INVAL (missing parts or
 * extra words). */
int cmsfs_fileid_parse(const char *text, struct cmsfs_name *name, char *fmletter, int *fmnum,
                       int default_num);

/* Writes "FN FT" (blanks trimmed, one blank between) into out, which must
 * have room for 18 bytes; returns out. */
char *cmsfs_name_str(const struct cmsfs_name *name, char *out);

/* Does the 8-byte blank-padded field match pattern?  Patterns as LISTFILE
 * uses: '*' matches any string (also empty), '%' any one character, other
 * characters themselves; "*" alone matches everything. */
bool cmsfs_match(const char *pattern, const char field[CMSFS_NAME_LEN]);

/* A point in time as the caller's clock gives it: microseconds since
 * 1970-01-01 00:00 UTC and the offset of local time from UTC then. */
struct cmsfs_time {
    int64_t us;
    int32_t utc_offset_s; /* local = UTC + offset */
};

/* The local calendar date and time of t (proleptic Gregorian). */
struct cmsfs_tm {
    int year, month, day; /* 1..12, 1..31 */
    int hour, minute, second;
};
void cmsfs_time_split(const struct cmsfs_time *t, struct cmsfs_tm *tm);

/* ---- format, mount ----------------------------------------------------- */
#define CMSFS_MOUNT_RDONLY 0x1 /* no changes (also forced by dev->read_only) */
#define CMSFS_MOUNT_NOFLUSH 0x2 /* never call dev->flush: commits are only
                                   acknowledged, not flushed (bulk loads) */

struct cmsfs_opts {
    unsigned flags; /* CMSFS_MOUNT_* */
    unsigned cache_blocks; /* metadata cache size in blocks; 0 = 64 */
    /* The clock for file dates; NULL = all dates are 0 (1970). */
    void (*clock)(void *ctx, struct cmsfs_time *now);
    void *clock_ctx;
};

/* Makes an empty file system on dev (every earlier file is lost) with the
 * given label (1-6 characters of the name set, upper-cased; NULL or "" =
 * "CMS").  opts may be NULL (only its clock is used).  The device must hold
 * CMSFS_MIN_BLOCKS..CMSFS_MAX_BLOCKS blocks (more are left unused: see
 * cmsfs_stats).  Flushes before it returns. */
int cmsfs_format(const struct cmsfs_dev *dev, const char *label, const struct cmsfs_opts *opts);

struct cmsfs;

/* Mounts the file system on dev: reads both superblocks and takes the newest
 * one that is whole (falling back to the other one if the newest is
 * damaged).  opts may be NULL.  On success *out owns the mount until
 * cmsfs_unmount.  A read-only device, or CMSFS_MOUNT_RDONLY, gives a
 * read-only mount (cmsfs_stats tells which).  Errors: CMSFS_E_NOTFMT,
 * CMSFS_E_VERSION, CMSFS_E_CORRUPT, CMSFS_E_IO, CMSFS_E_NOMEM, CMSFS_E_INVAL. */
int cmsfs_mount(const struct cmsfs_dev *dev, const struct cmsfs_opts *opts, struct cmsfs **out);

/* Ends the mount and frees it.  Files still open are closed without
 * committing (an unclosed writer's records are lost; the old file stays),
 * and their handles become invalid; close iterators first.  Returns CMSFS_OK, or CMSFS_E_BUSY if
 * any file was still open (the mount is freed anyway).  NULL is a no-op. */
int cmsfs_unmount(struct cmsfs *fs);

/* ---- disk statistics (QUERY DISK) -------------------------------------- */
struct cmsfs_stats {
    char label[CMSFS_LABEL_LEN + 1]; /* NUL terminated */
    uint32_t version; /* on-disk format version */
    uint32_t block_size;
    uint64_t blocks_total; /* blocks the file system covers */
    uint64_t blocks_used; /* including its own metadata */
    uint64_t blocks_free;
    uint64_t device_blocks; /* the device's size (may exceed blocks_total) */
    uint64_t files;
    uint64_t generation; /* commits since FORMAT (plus 2) */
    bool read_only;
    struct cmsfs_time formatted, committed;
};
void cmsfs_stats(const struct cmsfs *fs, struct cmsfs_stats *st);

/* ---- files ------------------------------------------------------------- */
struct cmsfs_stat {
    struct cmsfs_name name;
    int fmnum; /* filemode number 0-6 */
    char recfm; /* 'F' or 'V' */
    uint32_t lrecl; /* F: the record length; V: the longest record */
    uint32_t records;
    uint32_t blocks; /* data and map blocks the file occupies */
    uint64_t bytes; /* sum of the records' lengths */
    struct cmsfs_time mtime; /* when it was last written */
};

/* STATE: CMSFS_E_NOTFOUND, CMSFS_E_BADNAME, or CMSFS_OK with *st filled
 * (st may be NULL to test existence). */
int cmsfs_state(struct cmsfs *fs, const struct cmsfs_name *name, struct cmsfs_stat *st);

/* Erases a file and commits.  CMSFS_E_NOTFOUND, CMSFS_E_ROFS, CMSFS_E_BUSY
 * (it is open), CMSFS_E_FULL (no room even for the metadata: very rare;
 * nothing changed). */
int cmsfs_erase(struct cmsfs *fs, const struct cmsfs_name *name);

/* Renames a file and/or changes its filemode number (new_fmnum -1 keeps
 * it), keeping its records and date, and commits.  CMSFS_E_NOTFOUND,
 * CMSFS_E_EXISTS (another file has the new name), CMSFS_E_BUSY (either name
 * is open), CMSFS_E_ROFS, CMSFS_E_BADMODE. */
int cmsfs_rename(struct cmsfs *fs, const struct cmsfs_name *from, const struct cmsfs_name *to,
                 int new_fmnum);

/* ---- open files -------------------------------------------------------- */
enum cmsfs_mode {
    CMSFS_READ = 0, /* an existing file */
    CMSFS_WRITE = 1, /* a new file; replaces an old one of that name at close */
    CMSFS_APPEND = 2, /* extends an existing file (created if absent) */
};

/* What a new file is made with (CMSFS_WRITE, or CMSFS_APPEND of a file
 * that does not exist).  recfm 'F' needs lrecl 1..65535; recfm 'V' takes
 * lrecl 0 (any record up to 65535) or a limit.  fmnum 0-6. */
struct cmsfs_create {
    char recfm;
    uint32_t lrecl;
    int fmnum;
};

struct cmsfs_file;

/* Opens a file.  CMSFS_READ: the file must exist (CMSFS_E_NOTFOUND).
 * CMSFS_WRITE: makes a new, empty file; an existing file of that name stays
 * as it is, visible to STATE and LISTFILE, until cmsfs_close commits the
 * new one in its place (create may not be NULL).  CMSFS_APPEND: positions
 * after the last record of an existing file; create (may be NULL, meaning
 * 'V', 0, 1) is used only if the file does not exist, and an existing file
 * of another RECFM gives CMSFS_E_RECFM.  A file may be open for reading any
 * number of times, or once for writing, not both (CMSFS_E_BUSY).
 * CMSFS_E_ROFS for writing on a read-only mount.  On success *out is the
 * handle until cmsfs_close or cmsfs_discard. */
int cmsfs_open(struct cmsfs *fs, const struct cmsfs_name *name, enum cmsfs_mode mode,
               const struct cmsfs_create *create, struct cmsfs_file **out);

/* Reads the next record into buf (cap bytes): CMSFS_OK with *len its
 * length; CMSFS_E_TRUNC if it was longer than cap (buf holds the first cap
 * bytes, *len the full length, and the position still moves past it);
 * CMSFS_E_EOF after the last record.  Works on handles of every mode. */
int cmsfs_read(struct cmsfs_file *f, void *buf, size_t cap, size_t *len);

/* Writes a record at the current position: after the last record it is
 * added; on an earlier record (after cmsfs_point) it replaces that record,
 * which for RECFM V must have the same length.  RECFM F: a shorter record
 * is padded with blanks, a longer one is CMSFS_E_RECLEN.  RECFM V: up to
 * 65535 bytes (or the create limit), CMSFS_E_RECLEN beyond.  CMSFS_E_FULL
 * when the disk is full.  After an error other than CMSFS_E_RECLEN the
 * handle is failed: later writes and cmsfs_close return the same error and
 * the disk keeps the file as it was before cmsfs_open. */
int cmsfs_write(struct cmsfs_file *f, const void *buf, size_t len);

/* Moves to record number recno (1-based) for the next read or write;
 * recno = records + 1 is the end.  CMSFS_E_RANGE beyond that or for 0. */
int cmsfs_point(struct cmsfs_file *f, uint32_t recno);

/* The current state of an open file (a writer's records so far). */
void cmsfs_file_stat(const struct cmsfs_file *f, struct cmsfs_stat *st);

/* Closes the file and frees the handle (always).  For a writer this
 * commits: when it returns CMSFS_OK the file is on the disk and survives a
 * crash; on any error nothing of this writer reached the disk and the old
 * file (if any) is intact.  For a reader it returns CMSFS_OK. */
int cmsfs_close(struct cmsfs_file *f);

/* Closes the file without committing anything and frees the handle. */
void cmsfs_discard(struct cmsfs_file *f);

/* ---- listing (LISTFILE) ------------------------------------------------ */
struct cmsfs_iter;

/* Iterates over the files whose fn and ft match the patterns (see
 * cmsfs_match; NULL = "*") and whose filemode number is fmnum (-1 = any),
 * in order of fn then ft.  The iterator sees changes made while it is open
 * (it continues after the last name it returned).  CMSFS_E_BADNAME for a
 * pattern with characters a name cannot have. */
int cmsfs_iter_open(struct cmsfs *fs, const char *fn_pattern, const char *ft_pattern, int fmnum,
                    struct cmsfs_iter **out);
/* CMSFS_OK with the next file in *st, or CMSFS_E_EOF at the end. */
int cmsfs_iter_next(struct cmsfs_iter *it, struct cmsfs_stat *st);
void cmsfs_iter_close(struct cmsfs_iter *it);

/* ---- consistency check ------------------------------------------------- */
struct cmsfs_check_report {
    uint64_t files, blocks_referenced, blocks_marked;
    char message[160]; /* the first problem found, "" if none */
};
/* Walks every structure of a mounted disk: checksums, the order of names,
 * every file's records, and that the allocation bitmap marks exactly the
 * blocks in use (none lost, none shared).  CMSFS_OK, or CMSFS_E_CORRUPT
 * with report->message naming the first problem (or an I/O error).
 * Committed state only: call it with no file open for writing. */
int cmsfs_check(struct cmsfs *fs, struct cmsfs_check_report *report);

/* ---- host only: a disk image file as the device ------------------------ */
#if !defined(__riscv)
/* These live in cms/fs/imgdev.c, in the host library only. */
#define CMSFS_IMG_RDONLY 0x1 /* open read-only */
#define CMSFS_IMG_NOSYNC 0x2 /* flush does nothing (tests) */

/* Opens an existing image file (its size must be a non-zero multiple of
 * 4096) and fills *dev.  Takes a shared (read-only) or exclusive lock on the
 * file: EBUSY if someone else holds one.  Returns 0 or an errno value. */
int cmsfs_img_open(const char *path, unsigned flags, struct cmsfs_dev *dev);
/* Creates a new sparse image file of `blocks` blocks and opens it for
 * writing; EEXIST if it exists and !replace.  Returns 0 or an errno value. */
int cmsfs_img_create(const char *path, uint64_t blocks, bool replace, struct cmsfs_dev *dev);
/* Closes the image behind dev (from either function above). */
void cmsfs_img_close(struct cmsfs_dev *dev);
#endif

#endif /* CMS_FS_CMSFS_H */
