// SPDX-License-Identifier: MIT
/*
 * cp/dir.c - opening the user directory, its errors, and its schema with
 * the migrations that bring an older database up to date.  The tables are
 * read in dir_read.c and written in dir_store.c; all SQL runs through
 * cp/db.h.
 *
 * The schema (version 2).  All tables STRICT; foreign keys on; userids
 * upper case; addresses and sizes are integers; sizes of storage in bytes,
 * of minidisks in 4096-byte blocks.
 *
 *   users(userid PK, password, storage, maxstorage, classes, ipl, iplparm,
 *         share, account, distcode, options, console_vaddr, console_class)
 *       password is a yescrypt hash "$y$..." or "NOLOG"; options is a
 *       space-separated list of OPTION names ("AUTOLOG ACCT").
 *   spool(userid FK, vaddr, kind READER|PUNCH|PRINTER, class)  PK(userid, vaddr)
 *   mdisks(owner FK, vaddr, blocks, mode, readpw, writepw, multipw, image)
 *       PK(owner, vaddr); image is relative to the data folder, unique.
 *   links(userid FK, vaddr, target, target_vaddr, mode)  PK(userid, vaddr)
 *       FK(target, target_vaddr) -> mdisks ON DELETE CASCADE: a LINK
 *       statement never outlives the minidisk it names.
 *   sshkeys(id PK, userid FK, type, data, comment)  UNIQUE(userid, type, data)   [v2]
 *   initial_passwords(userid PK FK, hash)   the first start's hashes   [v2]
 *
 * Versions (PRAGMA user_version): 0 an empty file; 1 the VM directory
 * proper; 2 adds SSH keys and the record of initial passwords.  A database
 * newer than this program is refused, never touched.  The file's
 * application_id is DIR_APPLICATION_ID, so a stray sqlite file is refused
 * too.  Each migration step runs in its own transaction with the
 * user_version bump, so a crash leaves a database at one version or the
 * next, never between.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cp/datadir.h"
#include "cp/dir_int.h"

static const char *const dir_migrations[] = {
    /* 0 -> 1: the directory as VM has it. */
    "CREATE TABLE users ("
    " userid TEXT PRIMARY KEY NOT NULL CHECK (length(userid) BETWEEN 1 AND 8),"
    " password TEXT NOT NULL,"
    " storage INTEGER NOT NULL CHECK (storage > 0),"
    " maxstorage INTEGER NOT NULL CHECK (maxstorage >= storage),"
    " classes TEXT NOT NULL,"
    " ipl TEXT NOT NULL DEFAULT '',"
    " iplparm TEXT NOT NULL DEFAULT '',"
    " share INTEGER NOT NULL DEFAULT 100 CHECK (share BETWEEN 1 AND 10000),"
    " account TEXT NOT NULL DEFAULT '',"
    " distcode TEXT NOT NULL DEFAULT '',"
    " options TEXT NOT NULL DEFAULT '',"
    " console_vaddr INTEGER NOT NULL DEFAULT 9,"
    " console_class TEXT NOT NULL DEFAULT 'T'"
    ") STRICT;"
    "CREATE TABLE spool ("
    " userid TEXT NOT NULL REFERENCES users(userid) ON DELETE CASCADE,"
    " vaddr INTEGER NOT NULL CHECK (vaddr BETWEEN 0 AND 65535),"
    " kind TEXT NOT NULL CHECK (kind IN ('READER', 'PUNCH', 'PRINTER')),"
    " class TEXT NOT NULL,"
    " PRIMARY KEY (userid, vaddr)"
    ") STRICT;"
    "CREATE TABLE mdisks ("
    " owner TEXT NOT NULL REFERENCES users(userid) ON DELETE CASCADE,"
    " vaddr INTEGER NOT NULL CHECK (vaddr BETWEEN 0 AND 65535),"
    " blocks INTEGER NOT NULL CHECK (blocks > 0),"
    " mode TEXT NOT NULL,"
    " readpw TEXT NOT NULL DEFAULT '',"
    " writepw TEXT NOT NULL DEFAULT '',"
    " multipw TEXT NOT NULL DEFAULT '',"
    " image TEXT NOT NULL UNIQUE,"
    " PRIMARY KEY (owner, vaddr)"
    ") STRICT;"
    "CREATE TABLE links ("
    " userid TEXT NOT NULL REFERENCES users(userid) ON DELETE CASCADE,"
    " vaddr INTEGER NOT NULL CHECK (vaddr BETWEEN 0 AND 65535),"
    " target TEXT NOT NULL,"
    " target_vaddr INTEGER NOT NULL,"
    " mode TEXT NOT NULL,"
    " PRIMARY KEY (userid, vaddr),"
    " FOREIGN KEY (target, target_vaddr) REFERENCES mdisks(owner, vaddr) ON DELETE CASCADE"
    ") STRICT;"
    "CREATE INDEX links_target ON links(target, target_vaddr);",

    /* 1 -> 2: SSH keys and the initial passwords of the first start. */
    "CREATE TABLE sshkeys ("
    " id INTEGER PRIMARY KEY,"
    " userid TEXT NOT NULL REFERENCES users(userid) ON DELETE CASCADE,"
    " type TEXT NOT NULL,"
    " data TEXT NOT NULL,"
    " comment TEXT NOT NULL DEFAULT '',"
    " UNIQUE (userid, type, data)"
    ") STRICT;"
    "CREATE INDEX sshkeys_user ON sshkeys(userid);"
    "CREATE TABLE initial_passwords ("
    " userid TEXT PRIMARY KEY NOT NULL REFERENCES users(userid) ON DELETE CASCADE,"
    " hash TEXT NOT NULL"
    ") STRICT;",
};

#define DIR_SCHEMA_VERSION ((int)(sizeof dir_migrations / sizeof dir_migrations[0]))

int
dir_schema_version(void)
{
    return DIR_SCHEMA_VERSION;
}

int
dir_fail(struct dir *d, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
    return rc;
}

int
dir_dbfail(struct dir *d, int rc, const char *what)
{
    const char *why = db_errmsg(d->db);
    if (rc == -EBUSY) {
        why = "the directory is busy (another writer holds it); try again";
    }
    return dir_fail(d, rc, "%s: %s", what, why);
}

const char *
dir_errmsg(struct dir *d)
{
    return d->err;
}

const char *
dir_datadir(struct dir *d)
{
    return d->datadir;
}

static void
dir_seterr(char *err, size_t errlen, const char *msg, const char *detail)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s%s%s", msg, detail ? ": " : "", detail ? detail : "");
    }
}

/* Does a version-0 file hold anything?  An empty file is ours to fill;
 * a file with tables of someone else's is not. */
static int
dir_db_is_empty(struct db *db, int *empty)
{
    struct db_stmt *st;
    int rc = db_prepare(db, &st, "SELECT count(*) FROM sqlite_schema", NULL);
    if (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        *empty = db_column_int(st, 0) == 0;
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int
dir_schema_migrate(struct db *db, int target, char *err, size_t errlen)
{
    int64_t version = 0, appid = 0;
    int rc = db_user_version(db, &version);
    if (rc == 0) {
        rc = db_application_id(db, &appid);
    }
    if (rc != 0) {
        dir_seterr(err, errlen, "cannot read the schema version", db_errmsg(db));
        return rc;
    }
    if (version == 0) {
        int empty = 0;
        rc = dir_db_is_empty(db, &empty);
        if (rc != 0 || !empty || (appid != 0 && appid != DIR_APPLICATION_ID)) {
            dir_seterr(err, errlen, "not a VM/RV directory database (it has other tables)", NULL);
            return rc != 0 ? rc : -EBADMSG;
        }
    } else if (appid != DIR_APPLICATION_ID) {
        dir_seterr(err, errlen, "not a VM/RV directory database (wrong application id)", NULL);
        return -EBADMSG;
    }
    if (version > DIR_SCHEMA_VERSION) {
        char detail[96];
        snprintf(detail, sizeof detail, "it has schema version %lld, this program knows up to %d",
                 (long long)version, DIR_SCHEMA_VERSION);
        dir_seterr(err, errlen, "the directory was written by a newer VM/RV", detail);
        return -EPROTONOSUPPORT;
    }
    while (version < target) {
        /* Read the version again under the write lock: another process
         * may have migrated while we waited for it. */
        rc = db_begin(db);
        if (rc == 0) {
            rc = db_user_version(db, &version);
        }
        if (rc == 0 && version >= target) {
            db_rollback(db);
            break;
        }
        if (rc == 0 && version == 0) {
            rc = db_set_application_id(db, DIR_APPLICATION_ID);
        }
        if (rc == 0) {
            rc = db_exec(db, dir_migrations[version]);
        }
        if (rc == 0) {
            rc = db_set_user_version(db, version + 1);
        }
        if (rc == 0) {
            rc = db_commit(db);
        } else {
            db_rollback(db);
        }
        if (rc != 0) {
            char what[64];
            snprintf(what, sizeof what, "migration to schema version %lld failed", (long long)version + 1);
            dir_seterr(err, errlen, what, db_errmsg(db));
            return rc;
        }
        version++;
    }
    return 0;
}

int
dir_open(struct dir **out, const char *datadir, unsigned flags, char *err, size_t errlen)
{
    *out = NULL;
    char path[4096];
    int rc = datadir_path(path, sizeof path, datadir, DATADIR_DB);
    if (rc != 0) {
        dir_seterr(err, errlen, "data folder name too long", NULL);
        return rc;
    }
    if ((flags & DIR_OPEN_CREATE) && !(flags & DIR_OPEN_READONLY)) {
        rc = datadir_create(datadir);
        if (rc != 0) {
            dir_seterr(err, errlen, "cannot create the data folder", strerror(-rc));
            return rc;
        }
    }
    struct dir *d = calloc(1, sizeof *d);
    if (d == NULL || (d->datadir = strdup(datadir)) == NULL) {
        free(d);
        return -ENOMEM;
    }
    unsigned dbflags = 0;
    if (flags & DIR_OPEN_READONLY) {
        dbflags |= DB_READONLY;
    } else if (flags & DIR_OPEN_CREATE) {
        dbflags |= DB_CREATE;
    }
    rc = db_open(&d->db, path, dbflags);
    if (rc != 0) {
        dir_seterr(err, errlen, rc == -EBADMSG ? "not a database" : "cannot open the directory",
                   rc == -EBADMSG ? path : strerror(-rc));
        dir_close(d);
        return rc;
    }
    if (flags & DIR_OPEN_READONLY) {
        int64_t version = 0;
        rc = db_user_version(d->db, &version);
        if (rc == 0 && version != DIR_SCHEMA_VERSION) {
            dir_seterr(err, errlen, "the directory has another schema version; open it read-write once",
                       NULL);
            rc = version > DIR_SCHEMA_VERSION ? -EPROTONOSUPPORT : -EBADMSG;
        }
    } else {
        rc = dir_schema_migrate(d->db, DIR_SCHEMA_VERSION, err, errlen);
    }
    if (rc != 0) {
        dir_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void
dir_close(struct dir *d)
{
    if (d == NULL) {
        return;
    }
    db_close(d->db);
    free(d->datadir);
    free(d);
}

int
dir_db_version(struct dir *d)
{
    int64_t v = 0;
    int rc = db_user_version(d->db, &v);
    return rc != 0 ? rc : (int)v;
}

void
dir_diag(struct dir_diag *g, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g->n++;
    if (g->fn != NULL) {
        g->fn(g->arg, line, msg);
    }
}
