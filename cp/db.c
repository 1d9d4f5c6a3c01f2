// SPDX-License-Identifier: MIT
/*
 * cp/db.c - cp/db.h on sqlite 3: the only file in CP that includes
 * sqlite3.h.  Opening sets the pragmas every connection needs (WAL,
 * synchronous=FULL, foreign keys, busy timeout); sqlite's result codes
 * become negative errno values here, and the message of the last error is
 * kept on the connection.  What lives in the database (schema, migrations)
 * belongs to the callers, not to this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cp/db.h"

/* How long a connection waits for another writer before -EBUSY. */
#define DB_BUSY_TIMEOUT_MS 5000

/* Prepared statements kept per connection, by SQL text: parsing the same
 * few queries again at every logon was a tenth of a logon's CPU time. */
#define DB_STMT_CACHE 48

struct db {
    sqlite3 *h;
    int in_tx;
    int ncache;
    struct db_stmt *cache[DB_STMT_CACHE];
    char err[256];
};

struct db_stmt {
    struct db *db;
    sqlite3_stmt *st;
    char *sql;   /* cached: the text it was prepared from */
    bool cached; /* in db->cache: db_finalize resets instead */
    bool busy;   /* handed out by db_prepare, not yet finalized */
};

/* sqlite result code -> negative errno. */
static int
db_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_IOERR:
        return -EIO;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return -EBADMSG;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_CONSTRAINT:
        return -EEXIST;
    case SQLITE_TOOBIG:
        return -E2BIG;
    default:
        return -EINVAL;
    }
}

/* Records the connection's current error and returns it as errno. */
static int
db_fail(struct db *db, int rc)
{
    snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->h));
    return db_code(rc);
}

const char *
db_errmsg(struct db *db)
{
    return db->err;
}

int
db_open(struct db **out, const char *path, unsigned flags)
{
    *out = NULL;
    int oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if ((flags & DB_CREATE) && !(flags & DB_READONLY)) {
        /* Create it ourselves so the mode is 0600 whatever the umask. */
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            return -errno;
        }
        close(fd);
    }
    struct db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        return -ENOMEM;
    }
    int rc = sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int err = db_code(rc);
        if (rc == SQLITE_CANTOPEN && access(path, F_OK) == 0) {
            err = -EACCES;
        }
        sqlite3_close(db->h);
        free(db);
        return err;
    }
    sqlite3_extended_result_codes(db->h, 0);
    sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
    /* The first read tells a database from any other file. */
    rc = db_exec(db, "PRAGMA foreign_keys=ON; PRAGMA schema_version;");
    if (rc == 0 && !(flags & DB_READONLY)) {
        rc = db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    }
    if (rc != 0) {
        db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void
db_close(struct db *db)
{
    if (db == NULL) {
        return;
    }
    if (db->in_tx) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int i = 0; i < db->ncache; i++) {
        sqlite3_finalize(db->cache[i]->st);
        free(db->cache[i]->sql);
        free(db->cache[i]);
    }
    sqlite3_close(db->h);
    free(db);
}

int
db_exec(struct db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return db_code(rc);
    }
    return 0;
}

static int
db_bind(struct db_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types != NULL && types[i] != '\0'; i++) {
        int rc;
        switch (types[i]) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st->st, i + 1, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st->st, i + 1);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(st->st, i + 1, va_arg(ap, int64_t));
            break;
        case 'u':
            rc = sqlite3_bind_int64(st->st, i + 1, (int64_t)va_arg(ap, unsigned));
            break;
        default:
            snprintf(st->db->err, sizeof st->db->err, "bad parameter type '%c'", types[i]);
            return -EINVAL;
        }
        if (rc != SQLITE_OK) {
            return db_fail(st->db, rc);
        }
    }
    return 0;
}

static int
db_vprepare(struct db *db, struct db_stmt **out, const char *sql, const char *types, va_list ap)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    for (int i = 0; i < db->ncache && st == NULL; i++) {
        struct db_stmt *c = db->cache[i];
        if (!c->busy && strcmp(c->sql, sql) == 0) {
            st = c;
        }
    }
    int rc;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL) {
            return -ENOMEM;
        }
        st->db = db;
        rc = sqlite3_prepare_v2(db->h, sql, -1, &st->st, NULL);
        if (rc != SQLITE_OK) {
            rc = db_fail(db, rc);
            free(st);
            return rc;
        }
        if (db->ncache < DB_STMT_CACHE && (st->sql = strdup(sql)) != NULL) {
            st->cached = true;
            db->cache[db->ncache++] = st;
        }
    }
    st->busy = true;
    rc = db_bind(st, types, ap);
    if (rc != 0) {
        db_finalize(st);
        return rc;
    }
    *out = st;
    return 0;
}

int
db_prepare(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = db_vprepare(db, out, sql, types, ap);
    va_end(ap);
    return rc;
}

int
db_step(struct db_stmt *st)
{
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) {
        return DB_ROW;
    }
    if (rc == SQLITE_DONE) {
        return DB_DONE;
    }
    return db_fail(st->db, rc);
}

const char *
db_column_text(struct db_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st->st, col);
    return s ? (const char *)s : "";
}

int64_t
db_column_int(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

void
db_finalize(struct db_stmt *st)
{
    if (st == NULL) {
        return;
    }
    if (st->cached) {
        /* back to the cache: no rows held, no read transaction kept open */
        sqlite3_reset(st->st);
        sqlite3_clear_bindings(st->st);
        st->busy = false;
        return;
    }
    sqlite3_finalize(st->st);
    free(st);
}

int
db_run(struct db *db, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = db_vprepare(db, &st, sql, types, ap);
    va_end(ap);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int64_t
db_changes(struct db *db)
{
    return sqlite3_changes64(db->h);
}

int
db_begin(struct db *db)
{
    if (db->in_tx) {
        snprintf(db->err, sizeof db->err, "a transaction is already open");
        return -EINVAL;
    }
    int rc = db_exec(db, "BEGIN IMMEDIATE");
    if (rc == 0) {
        db->in_tx = 1;
    }
    return rc;
}

int
db_commit(struct db *db)
{
    int rc = db_exec(db, "COMMIT");
    if (rc != 0) {
        /* A failed COMMIT may leave the transaction open: end it. */
        if (!sqlite3_get_autocommit(db->h)) {
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    db->in_tx = 0;
    return rc;
}

void
db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->h)) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    }
    db->in_tx = 0;
}

static int
db_pragma_get(struct db *db, const char *sql, int64_t *value)
{
    struct db_stmt *st;
    int rc = db_prepare(db, &st, sql, NULL);
    if (rc == 0) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *value = db_column_int(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = -EINVAL;
        }
    }
    db_finalize(st);
    return rc;
}

int
db_user_version(struct db *db, int64_t *version)
{
    return db_pragma_get(db, "PRAGMA user_version", version);
}

int
db_application_id(struct db *db, int64_t *id)
{
    return db_pragma_get(db, "PRAGMA application_id", id);
}

/* PRAGMA takes no parameters: the value is formatted from an integer. */
int
db_set_user_version(struct db *db, int64_t version)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%lld", (long long)version);
    return db_exec(db, sql);
}

int
db_set_application_id(struct db *db, int64_t id)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%lld", (long long)id);
    return db_exec(db, sql);
}
