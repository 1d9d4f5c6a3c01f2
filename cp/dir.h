/* SPDX-License-Identifier: MIT */
/*
 * cp/dir.h - the user directory: who may log on, with what storage,
 * privilege classes, minidisks, links, SSH keys and spool devices.  Kept in
 * sqlite (DATA/directory.db, behind cp/db.h) and edited three ways, all
 * through the functions below: by operators with `vmrv directory`
 * (cp/dir_cli.c), by CP commands, and by importing a USER DIRECT-style text
 * file (format in docs/DIRECTORY.md and cp/dir_text.c).  CP reads a user's
 * entry at logon (dir_user_get, dir_mdisk_list, dir_link_list); login/
 * checks passwords and keys (dir_password_check, dir_key_check).
 *
 * Threads: a struct dir is one database connection.  Use it from one
 * thread at a time; every thread that needs the directory (each I/O
 * worker, the CLI) opens its own with dir_open.  Calls block on disk I/O
 * and may wait up to 5 s for another writer (-EBUSY after).  Functions that
 * hash passwords spend about 10 ms of CPU in yescrypt: run them on a
 * worker thread, never on the thread that carries SSH sessions.
 *
 * Errors: functions return 0 (or a count) or a negative errno: -ENOENT no
 * such user or disk, -EEXIST already there, -EINVAL bad input, -EACCES
 * authentication failed, -EBUSY database busy, -EPROTONOSUPPORT database
 * from a newer VM/RV, -EIO and others from the system.  A readable text
 * for the last failure stays on the handle (dir_errmsg).  A failed call
 * changes nothing.
 *
 * Ownership: structs returned by value are plain copies (fixed-size
 * fields, no pointers) the caller keeps as long as it likes.  Arrays
 * returned through `**out` are malloc'd; the caller free()s them.
 * struct dir_entry holds arrays: release it with dir_entry_free.
 */
#ifndef CP_DIR_H
#define CP_DIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DIR_USERID_MAX 8 /* characters in a userid */
#define DIR_IPLPARM_MAX 240 /* = VMRV_IPL_PARM_MAX */
#define DIR_NAME_MAX 8 /* IPL system names, accounts, link passwords */
#define DIR_SPOOL_MAX 8 /* spool devices per user */
#define DIR_HASH_MAX 128 /* a stored password hash, or "NOLOG" */
#define DIR_BLOCK_SIZE 4096 /* bytes in a minidisk block */
#define DIR_MDISK_MAX_BLOCKS (1ull << 28) /* 1 TiB */
#define DIR_SHARE_DEFAULT 100
#define DIR_SHARE_MAX 10000
#define DIR_KEY_TYPE_MAX 48
#define DIR_KEY_DATA_MAX 4096 /* base64 of an SSH public key blob */
#define DIR_KEY_COMMENT_MAX 256
#define DIR_IMAGE_MAX 64 /* relative image file name */

/* OPTION statement bits. */
enum dir_option {
    DIR_OPT_AUTOLOG = 1u << 0,   /* CP logs the user on, disconnected, at system start */
    DIR_OPT_LNKNOPAS = 1u << 1,  /* may LINK any minidisk without its password */
    DIR_OPT_REALTIMER = 1u << 2, /* the virtual timer also runs while the VM waits */
    DIR_OPT_ACCT = 1u << 3,      /* CP writes accounting records for the user */
    DIR_OPT_QUICKDSP = 1u << 4,  /* never held back in the eligible list */
};

/* Link modes, as VM: see VM-REFERENCE and docs/DIRECTORY.md. */
enum dir_mode {
    DIR_MODE_R,  /* read; refused if someone else writes */
    DIR_MODE_RR, /* read even if someone writes */
    DIR_MODE_W,  /* write; refused if anyone else has the disk */
    DIR_MODE_WR, /* write, or read if someone else has it */
    DIR_MODE_M,  /* multi-write unless someone has write */
    DIR_MODE_MR, /* multi-write, or read */
    DIR_MODE_MW, /* write always */
};

enum dir_spool_kind {
    DIR_SPOOL_READER,
    DIR_SPOOL_PUNCH,
    DIR_SPOOL_PRINTER,
};

struct dir_spool {
    uint16_t vaddr;
    uint8_t kind; /* enum dir_spool_kind */
    char spclass; /* A-Z, 0-9, or '*' (any; readers only) */
};

/* One user's own settings: what CP copies at logon. */
struct dir_user {
    char userid[DIR_USERID_MAX + 1]; /* upper case */
    int nolog;                       /* password NOLOG: cannot log on */
    uint64_t storage;                /* bytes at logon */
    uint64_t maxstorage;             /* bytes DEFINE STORAGE may reach */
    char classes[27];                /* privilege classes, sorted: "ABCDEFG" */
    char ipl[DIR_NAME_MAX + 1];      /* "CMS", a device "190", or "" */
    char iplparm[DIR_IPLPARM_MAX + 1];
    unsigned share;                  /* relative share, 1..10000 */
    char account[DIR_NAME_MAX + 1];  /* "" when none */
    char distcode[DIR_NAME_MAX + 1];
    unsigned options;                /* enum dir_option bits */
    uint16_t console_vaddr;          /* normally 0x009 */
    char console_class;              /* normally 'T' */
    unsigned n_spool;
    struct dir_spool spool[DIR_SPOOL_MAX];
};

/* A minidisk a user owns. */
struct dir_mdisk {
    char owner[DIR_USERID_MAX + 1];
    uint16_t vaddr;
    uint64_t blocks;              /* of DIR_BLOCK_SIZE bytes */
    int mode;                     /* enum dir_mode: the owner's access at logon */
    char readpw[DIR_NAME_MAX + 1]; /* "" none (nobody links R), "ALL" no password */
    char writepw[DIR_NAME_MAX + 1];
    char multipw[DIR_NAME_MAX + 1];
    char image[DIR_IMAGE_MAX];    /* relative to the data folder: disks/MAINT.190.img */
};

/* A LINK statement: at logon `userid` gets target's disk at vaddr. */
struct dir_link {
    char userid[DIR_USERID_MAX + 1];
    char target[DIR_USERID_MAX + 1];
    uint16_t target_vaddr;
    uint16_t vaddr;
    int mode; /* enum dir_mode */
};

/* An SSH public key that may log the user on. */
struct dir_key {
    int n; /* 1, 2, ... in the user's list (dir_key_remove takes it) */
    char type[DIR_KEY_TYPE_MAX];     /* "ssh-ed25519" */
    char data[DIR_KEY_DATA_MAX];     /* base64 of the key blob */
    char comment[DIR_KEY_COMMENT_MAX];
};

/* A whole entry, for dir_entry_get / dir_entry_put. */
struct dir_entry {
    struct dir_user user;
    /* For put: a yescrypt hash, "NOLOG", or "" to keep the present
     * password of an existing user.  get fills in the stored value. */
    char password[DIR_HASH_MAX];
    struct dir_mdisk *mdisks;
    size_t n_mdisks;
    struct dir_link *links;
    size_t n_links;
    struct dir_key *keys;
    size_t n_keys;
};

struct dir;

/* ---- opening ------------------------------------------------------------ */

enum {
    DIR_OPEN_CREATE = 1u << 0,   /* create the data folder and database if missing */
    DIR_OPEN_READONLY = 1u << 1, /* no writes (and no migration) */
};

/*
 * Opens the directory in the data folder datadir (DATA/directory.db),
 * bringing an older schema up to date.  On success *out is a handle the
 * caller closes with dir_close.  On failure *out is NULL and, if errmsg
 * is not NULL, a reason is written there (errlen bytes).  Refuses a
 * database made by a newer VM/RV (-EPROTONOSUPPORT) and a file that is not
 * a VM/RV directory (-EBADMSG).
 */
int dir_open(struct dir **out, const char *datadir, unsigned flags, char *errmsg, size_t errlen);
void dir_close(struct dir *d); /* NULL is ignored */
const char *dir_errmsg(struct dir *d);
const char *dir_datadir(struct dir *d); /* owned by d */

/* The schema version this build writes, and the one in an open database. */
int dir_schema_version(void);
int dir_db_version(struct dir *d);

/* ---- reading ------------------------------------------------------------ */

/* Copies one user's settings into *out.  0 or -ENOENT. */
int dir_user_get(struct dir *d, const char *userid, struct dir_user *out);

/* All users sorted by userid: *out malloc'd (caller frees), *n entries. */
int dir_user_list(struct dir *d, struct dir_user **out, size_t *n);

/* A user's minidisks by address, LINK statements, SSH keys: arrays the
 * caller frees.  A user without any gives *out NULL and *n 0; an unknown
 * user gives -ENOENT. */
int dir_mdisk_list(struct dir *d, const char *userid, struct dir_mdisk **out, size_t *n);
int dir_link_list(struct dir *d, const char *userid, struct dir_link **out, size_t *n);
int dir_key_list(struct dir *d, const char *userid, struct dir_key **out, size_t *n);

/* One minidisk (for CP's LINK command).  0 or -ENOENT. */
int dir_mdisk_get(struct dir *d, const char *owner, uint16_t vaddr, struct dir_mdisk *out);

/* The absolute path of a minidisk's image file.  0 or -ENAMETOOLONG. */
int dir_mdisk_path(struct dir *d, const struct dir_mdisk *m, char *out, size_t outlen);

/* A whole entry; release with dir_entry_free.  0 or -ENOENT. */
int dir_entry_get(struct dir *d, const char *userid, struct dir_entry *out);
void dir_entry_free(struct dir_entry *e);

/* ---- changing ----------------------------------------------------------- */

enum {
    DIR_PUT_CREATE = 1u << 0,        /* the user must not exist yet */
    DIR_PUT_UPDATE = 1u << 1,        /* the user must exist */
    DIR_PUT_REMOVE_IMAGES = 1u << 2, /* delete images of minidisks it drops */
};

/*
 * Writes a whole entry in one transaction: the user row, minidisks, links,
 * keys and spool devices become exactly what e says.  Validates first
 * (userid, sizes, addresses used twice, LINK targets that do not exist,
 * a minidisk made smaller).  Image files of new minidisks are created
 * (sparse, never truncating an existing file); a dropped minidisk's image
 * is deleted only with DIR_PUT_REMOVE_IMAGES, after the commit.  Dropping
 * a minidisk also drops other users' LINK statements to it.  With neither
 * CREATE nor UPDATE, adds or replaces.  0 or a negative errno.
 */
int dir_entry_put(struct dir *d, const struct dir_entry *e, unsigned flags);

/* A new entry with the defaults of `vmrv directory add`: 32M/64M, class
 * G, IPL CMS, console 009, reader 00C, punch 00D, printer 00E, password
 * NOLOG.  0 or -EINVAL for a bad userid. */
int dir_entry_init(struct dir_entry *e, const char *userid);

enum {
    DIR_DELETE_IMAGES = 1u << 0, /* also delete the user's minidisk images */
};

/* Deletes a user with its minidisks, links, keys and the LINK statements
 * of others to its disks.  Images go only with DIR_DELETE_IMAGES, after
 * the commit.  0 or -ENOENT. */
int dir_user_delete(struct dir *d, const char *userid, unsigned flags);

/* ---- authentication (login/ and CP) -------------------------------------- */

/*
 * Checks a logon password.  0 when it matches, -EACCES otherwise: unknown
 * user, NOLOG, wrong password or a broken hash cost the same yescrypt
 * computation and give the same answer.  Other negative codes are
 * database failures (log them; still refuse the logon).
 */
int dir_password_check(struct dir *d, const char *userid, const char *password);

/* Sets a user's password (plain text, hashed here; or "NOLOG").
 * 0, -ENOENT, or -EINVAL when the password breaks the rules. */
int dir_password_set(struct dir *d, const char *userid, const char *password);

/* A user changes their own password: old must match (-EACCES if not). */
int dir_password_change(struct dir *d, const char *userid, const char *old, const char *newpw);

/*
 * Checks whether (type, base64 blob) is one of the user's keys.  0 when it
 * is, -EACCES when not (unknown user too).  Compares the decoded blobs, so
 * line wrapping or padding differences do not matter.
 */
int dir_key_check(struct dir *d, const char *userid, const char *type, const char *base64);

/* Adds a key given as an authorized_keys line "type base64 [comment]".
 * 0, -EEXIST (already there), -EINVAL (malformed), -ENOENT. */
int dir_key_add(struct dir *d, const char *userid, const char *line);

/* Removes key number n (as dir_key_list numbers them).  0 or -ENOENT. */
int dir_key_remove(struct dir *d, const char *userid, int n);

/* ---- import and export ---------------------------------------------------- */

/* Where dir_import reports.  Any callback may be NULL. */
struct dir_report {
    /* Each error, in line order; line 0 when tied to no line. */
    void (*error)(void *arg, int line, const char *msg);
    /* Each password made for a GENERATE statement, after the commit. */
    void (*password)(void *arg, const char *userid, const char *password);
    /* Notes for the operator (images kept on disk, ...). */
    void (*note)(void *arg, const char *msg);
    void *arg;
    /* Filled in by dir_import. */
    unsigned errors;
    unsigned users;   /* entries in the text */
    unsigned added;   /* users created */
    unsigned changed; /* users replaced */
    unsigned removed; /* users deleted (replace mode) */
};

enum {
    DIR_IMPORT_CHECK = 1u << 0,   /* validate only: write nothing */
    DIR_IMPORT_MERGE = 1u << 1,   /* keep users the text does not name */
    DIR_IMPORT_INITIAL = 1u << 2, /* GENERATE'd passwords are the initial defaults */
};

/*
 * Imports a USER DIRECT text (len bytes; it need not end in NUL).  By
 * default the directory becomes exactly the text: users it does not name
 * are deleted (their images stay on disk and are reported as notes).
 * Everything is validated before anything is written, and all is one
 * transaction: with any error, nothing changes.  Plain passwords are
 * hashed; GENERATE makes a random one (reported through rep->password).
 * Returns 0, -EINVAL when the text has errors (each went to rep->error,
 * rep->errors counts them), or another negative errno.
 */
int dir_import(struct dir *d, const char *text, size_t len, unsigned flags, struct dir_report *rep);

/* Reads all of f, then dir_import.  -EIO when f cannot be read. */
int dir_import_file(struct dir *d, FILE *f, unsigned flags, struct dir_report *rep);

/* The whole directory as USER DIRECT text (hashes only, never plain
 * passwords) in a malloc'd NUL-terminated string the caller frees. */
int dir_export(struct dir *d, char **out, size_t *len);
int dir_export_file(struct dir *d, FILE *f);

/* ---- first start ---------------------------------------------------------- */

/* The default directory (etc/USER.DIRECT) built into this program. */
const char *dir_default_text(void);

/* One generated password of the defaults. */
struct dir_genpw {
    char userid[DIR_USERID_MAX + 1];
    char password[64];
};

/*
 * On an empty directory: imports the built-in defaults with fresh random
 * passwords, writes them to DATA/initial-passwords (mode 0600, for root
 * to read later) and returns them in *out (malloc'd array of *n, caller
 * frees; wipe it after showing it once).  Returns 1 when it did so, 0 when
 * the directory already had users (*out NULL), or a negative errno.  When
 * only the file could not be written, the error is returned but *out still
 * holds the passwords: they are in effect, so show them.
 */
int dir_init_defaults(struct dir *d, struct dir_genpw **out, size_t *n);

/* 1 while any of the initial default passwords is still in use (CP then
 * listens on loopback only), 0 when all were changed, or a negative errno. */
int dir_defaults_unchanged(struct dir *d);

/* ---- names ----------------------------------------------------------------- */

/* "RR" for DIR_MODE_RR ...; parse gives the mode or -EINVAL. */
const char *dir_mode_name(int mode);
int dir_mode_parse(const char *s);

/* Upper-cases and checks a userid (1-8 of A-Z 0-9 @ # $, not SYSTEM or
 * ALL) into out.  0 or -EINVAL. */
int dir_userid_norm(const char *in, char out[DIR_USERID_MAX + 1]);

#endif
