/* SPDX-License-Identifier: MIT */
/*
 * cp/dir_int.h - shared inside the directory (cp/dir*.c) and its tests;
 * everyone else includes cp/dir.h only.
 *
 *   dir.c          open/close, errors, schema and migrations
 *   dir_valid.c    parsing single fields; tables of names
 *   dir_key.c      SSH public keys and base64
 *   dir_check.c    checking a whole entry (dir_entry_check)
 *   dir_read.c     the getters (users, minidisks, links, keys)
 *   dir_store.c    writing entries in transactions (put, delete, import)
 *   dir_auth.c     passwords and SSH keys for logons
 *   dir_text.c     USER DIRECT text: the import
 *   dir_export.c   USER DIRECT text: the export
 *   dir_mdisk.c    minidisk image files
 *   dir_defaults.c the built-in default directory and the first start
 *   dir_cli*.c     vmrv directory (private header cp/dir_cli.h)
 */
#ifndef CP_DIR_INT_H
#define CP_DIR_INT_H

#include <stdarg.h>

#include "cp/db.h"
#include "cp/dir.h"

struct dir {
    struct db *db;
    char *datadir;
    char err[512];
};

/* Records an error on d (printf-style) and returns rc. */
int dir_fail(struct dir *d, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records the database's error text on d, prefixed by what, returns rc. */
int dir_dbfail(struct dir *d, int rc, const char *what);

/* The application id in every VM/RV directory database ("VMRD"). */
#define DIR_APPLICATION_ID 0x564D5244
/* Brings db to schema version target (a test seam; dir_open uses the
 * current version).  Each step is one transaction. */
int dir_schema_migrate(struct db *db, int target, char *err, size_t errlen);

/* ---- diagnostics: where validation reports ---- */
struct dir_diag {
    void (*fn)(void *arg, int line, const char *msg);
    void *arg;
    unsigned n; /* errors so far */
};
void dir_diag(struct dir_diag *g, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Line numbers of an entry's statements, for messages (text import). */
struct dir_lines {
    int user;
    int console;
    int spool[DIR_SPOOL_MAX];
    int *mdisk; /* one per e->mdisks[i] */
    int *link;
    int *key;
};

/* ---- single fields (dir_valid.c): NULL when fine, else the reason ---- */
const char *dir_parse_userid(const char *s, char out[DIR_USERID_MAX + 1]);
const char *dir_parse_vaddr(const char *s, uint16_t *out);
const char *dir_parse_storage(const char *s, uint64_t *out);
const char *dir_parse_blocks(const char *s, uint64_t *out);
const char *dir_parse_classes(const char *s, char out[27]);
const char *dir_parse_ipl(const char *s, char out[DIR_NAME_MAX + 1]);
const char *dir_parse_name(const char *s, char out[DIR_NAME_MAX + 1]);
const char *dir_parse_linkpw(const char *s, char out[DIR_NAME_MAX + 1]);
const char *dir_parse_share(const char *s, unsigned *out);
const char *dir_parse_option(const char *s, unsigned *bit);
const char *dir_parse_spclass(const char *s, char *out);
const char *dir_parse_key(const char *type, const char *b64, const char *comment, struct dir_key *out);
const char *dir_parse_key_line(const char *line, struct dir_key *out);

/* Decodes base64 (padding optional) into out: bytes, or -1 if malformed. */
long dir_b64_decode(const char *s, unsigned char *out, size_t outlen);

/* Names for tables. */
const char *dir_option_name(unsigned bit); /* NULL when not one option */
unsigned dir_options_parse_list(const char *s); /* "AUTOLOG ACCT" -> bits */
void dir_options_format(unsigned bits, char *out, size_t outlen);
const char *dir_spool_kind_name(int kind); /* "READER" */
int dir_spool_kind_parse(const char *s); /* -1 when unknown */
void dir_format_storage(uint64_t bytes, char *out, size_t outlen); /* "32M" */
void dir_format_blocks(uint64_t blocks, char *out, size_t outlen); /* "10M" */
void dir_image_name(const char *owner, uint16_t vaddr, char out[DIR_IMAGE_MAX]);
int dir_ipl_is_device(const char *ipl);

/*
 * Checks one entry on its own: every field in range, no address used twice
 * (console, spool, minidisks, links), storage <= maxstorage.  Reports each
 * problem through g with the line from lines (NULL: line 0).
 */
void dir_entry_check(const struct dir_entry *e, const struct dir_lines *lines, struct dir_diag *g);

/* ---- writing (dir_store.c) ---- */

/* What the writer does with one entry of an import or a put. */
struct dir_store_item {
    struct dir_entry *e;
    const struct dir_lines *lines; /* NULL when not from text */
    int initial;                   /* record the password as an initial default */
};

enum {
    DIR_STORE_DRY = 1u << 8,           /* roll back at the end, touch no file */
    DIR_STORE_REPLACE_ALL = 1u << 9,   /* delete users not in items */
    DIR_STORE_CREATE = DIR_PUT_CREATE, /* (same bits as dir_entry_put) */
    DIR_STORE_UPDATE = DIR_PUT_UPDATE,
    DIR_STORE_REMOVE_IMAGES = DIR_PUT_REMOVE_IMAGES,
};

/*
 * Writes items in one transaction (see dir_entry_put).  Problems tied to
 * the input go to g (then -EINVAL and nothing changed); system failures
 * return their code with the text on d.  Counts land in rep if not NULL.
 */
int dir_store(struct dir *d, struct dir_store_item *items, size_t n, unsigned flags, struct dir_diag *g,
              struct dir_report *rep);

/* ---- minidisk images (dir_mdisk.c) ---- */

/* A record of image files changed in a transaction, to undo or finish. */
struct dir_imgop {
    char path[4096];
    uint64_t old_size; /* bytes before; 0 with created */
    int created;
};
struct dir_imglog {
    struct dir_imgop *ops;
    size_t n, cap;
};

/* Makes the image for m exist with at least its size: creates a sparse
 * file (and calls dir_mdisk_format_new on it) or grows a smaller one.  Logs
 * what it did to log.  0 or a negative errno (text on d). */
int dir_mdisk_image_ensure(struct dir *d, const struct dir_mdisk *m, struct dir_imglog *log);
/* Undoes the log (removes created files, shrinks grown ones back). */
void dir_imglog_undo(struct dir_imglog *log);
void dir_imglog_free(struct dir_imglog *log);
/* Deletes the image file of m; a missing file is fine.  0 or -errno. */
int dir_mdisk_image_remove(struct dir *d, const struct dir_mdisk *m);

/*
 * THE HOOK for a new, empty minidisk image just created at path (fd open
 * for writing).  Today it does nothing and returns 0.  When the CMS file
 * system can be written from the host (cms/, `vmrv disk format`), this is
 * where a new A-disk (191) gets formatted.  A failure undoes the creation.
 */
int dir_mdisk_format_new(struct dir *d, const struct dir_mdisk *m, int fd, const char *path);

#endif
