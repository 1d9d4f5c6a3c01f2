/* SPDX-License-Identifier: MIT */
/*
 * cp/db.h - the one small database interface of CP.  Everything that CP keeps
 * in a database (the user directory now, spool metadata later) goes through
 * these few calls, so that a replicated engine (dqlite) can take sqlite's
 * place without touching the callers.  cp/db.c implements it on sqlite 3.
 *
 * The model: a connection (struct db) runs SQL statements (struct db_stmt)
 * with positional parameters; writers wrap their work in db_begin() /
 * db_commit() (sqlite's BEGIN IMMEDIATE, so a writer waits for the write
 * lock at the start, never half way through); readers may run outside a
 * transaction.  A connection uses WAL, synchronous=FULL (a commit survives
 * power loss), foreign keys on, and a busy timeout.
 *
 * Errors: every function that can fail returns 0 (or DB_ROW) or a negative
 * errno-style code (-EBUSY, -ENOSPC, -EIO, -EEXIST for a constraint,
 * -EBADMSG for a file that is no database, -ENOENT, -EACCES, -ENOMEM,
 * -EINVAL); the text of the last error stays on the connection
 * (db_errmsg).
 *
 * Threads: a connection and its statements belong to one thread at a time.
 * Each thread that needs the database opens its own connection.
 */
#ifndef CP_DB_H
#define CP_DB_H

#include <stdint.h>

struct db;
struct db_stmt;

enum {
    DB_CREATE = 1u << 0,   /* create the file if missing (mode 0600) */
    DB_READONLY = 1u << 1, /* open read-only */
};

#define DB_ROW 1 /* db_step: a row is ready */
#define DB_DONE 0 /* db_step: no more rows */

/*
 * Opens the database file at path.  On success *out is a new connection
 * the caller closes with db_close().  On failure *out is NULL; the reason
 * is returned (its text is not kept, since there is no connection).
 */
int db_open(struct db **out, const char *path, unsigned flags);

/* Closes the connection, finalizing nothing: finalize statements first.
 * A NULL db is ignored. */
void db_close(struct db *db);

/* The text of the last error on this connection; owned by db, valid until
 * the next call on it.  Never NULL. */
const char *db_errmsg(struct db *db);

/* Runs one or more SQL statements that take no parameters and return no
 * rows (schema scripts).  0 or a negative code. */
int db_exec(struct db *db, const char *sql);

/*
 * Prepares one statement and binds its parameters from args, one per
 * character of types: 's' a const char * (NULL binds SQL NULL),
 * 'i' an int64_t, 'u' an unsigned (as integer).  types may be NULL or "".
 * On success *out is a statement the caller finalizes with
 * db_finalize().  On failure *out is NULL.
 */
int db_prepare(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...);

/* Steps a statement: DB_ROW, DB_DONE or a negative code. */
int db_step(struct db_stmt *st);

/* Column accessors for the current row (index from 0).  Text is owned by
 * the statement and valid until the next step; a NULL column gives "". */
const char *db_column_text(struct db_stmt *st, int col);
int64_t db_column_int(struct db_stmt *st, int col);

/* Frees a statement; NULL is ignored. */
void db_finalize(struct db_stmt *st);

/*
 * Runs one statement with parameters (as db_prepare) to completion and
 * ignores any rows.  Convenience for INSERT, UPDATE, DELETE.  Returns 0 or
 * a negative code.
 */
int db_run(struct db *db, const char *sql, const char *types, ...);

/* Rows changed by the last INSERT, UPDATE or DELETE on this connection. */
int64_t db_changes(struct db *db);

/*
 * Transactions for writers.  db_begin() takes the write lock at once
 * (BEGIN IMMEDIATE), waiting at most the busy timeout (-EBUSY then).
 * db_commit() makes the work durable; db_rollback() undoes it and never
 * fails in a way the caller can act on.  Transactions do not nest.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* The schema version kept in the database file (PRAGMA user_version),
 * and the file's application id (PRAGMA application_id). */
int db_user_version(struct db *db, int64_t *version);
int db_set_user_version(struct db *db, int64_t version);
int db_application_id(struct db *db, int64_t *id);
int db_set_application_id(struct db *db, int64_t id);

#endif
