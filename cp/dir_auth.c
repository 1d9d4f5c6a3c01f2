// SPDX-License-Identifier: MIT
/*
 * cp/dir_auth.c - who may log on: password checks (constant time, the
 * same cost for unknown users), setting and changing passwords, SSH
 * public keys (check, add, remove), and whether the first start's
 * generated passwords are still in use.  The hashing itself is in
 * cp/passwd.c; this file knows where the hashes live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"

/* The stored password of a user: 1 found, 0 unknown, or a negative code. */
static int
dir_auth_hash(struct dir *d, const char *id, char *hash, size_t len)
{
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st, "SELECT password FROM users WHERE userid = ?", "s", id);
    if (rc == 0) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            snprintf(hash, len, "%s", db_column_text(st, 0));
            rc = 1;
        }
    }
    db_finalize(st);
    return rc < 0 ? dir_dbfail(d, rc, "reading the directory") : rc;
}

int
dir_password_check(struct dir *d, const char *userid, const char *password)
{
    char id[DIR_USERID_MAX + 1];
    char hash[DIR_HASH_MAX] = "";
    int rc = dir_parse_userid(userid, id) == NULL ? dir_auth_hash(d, id, hash, sizeof hash) : 0;
    if (rc == 1 && strcmp(hash, "NOLOG") != 0) {
        rc = passwd_check(hash, password);
    } else {
        /* Unknown user, NOLOG, or a database failure: spend the same
         * time as a real check, then refuse. */
        passwd_burn(password);
        rc = rc < 0 ? rc : -EACCES;
    }
    explicit_bzero(hash, sizeof hash);
    if (rc == -EACCES) {
        dir_fail(d, rc, "logon refused");
    }
    return rc;
}

/* Stores hash (or NOLOG) as the user's password.  0 or -ENOENT. */
static int
dir_auth_store(struct dir *d, const char *id, const char *hash)
{
    int rc = db_run(d->db, "UPDATE users SET password = ? WHERE userid = ?", "ss", hash, id);
    if (rc != 0) {
        return dir_dbfail(d, rc, "writing the directory");
    }
    return db_changes(d->db) == 0 ? dir_fail(d, -ENOENT, "no user %s in the directory", id) : 0;
}

int
dir_password_set(struct dir *d, const char *userid, const char *password)
{
    char id[DIR_USERID_MAX + 1];
    if (dir_parse_userid(userid, id) != NULL) {
        return dir_fail(d, -ENOENT, "no user %.16s in the directory", userid);
    }
    if (strcmp(password, "NOLOG") == 0) {
        return dir_auth_store(d, id, "NOLOG");
    }
    const char *why = passwd_policy(password);
    if (why != NULL) {
        return dir_fail(d, -EINVAL, "%s", why);
    }
    char hash[PASSWD_HASH_MAX];
    int rc = passwd_hash(password, hash, sizeof hash);
    if (rc != 0) {
        return dir_fail(d, rc, "cannot hash the password");
    }
    return dir_auth_store(d, id, hash);
}

int
dir_password_change(struct dir *d, const char *userid, const char *old, const char *newpw)
{
    const char *why = strcmp(newpw, "NOLOG") == 0 ? NULL : passwd_policy(newpw);
    if (why != NULL) {
        return dir_fail(d, -EINVAL, "%s", why);
    }
    int rc = dir_password_check(d, userid, old);
    if (rc != 0) {
        return rc == -EACCES ? dir_fail(d, rc, "the old password is not right") : rc;
    }
    return dir_password_set(d, userid, newpw);
}

int
dir_key_check(struct dir *d, const char *userid, const char *type, const char *base64)
{
    char id[DIR_USERID_MAX + 1];
    struct dir_key *k = malloc(sizeof *k);
    if (k == NULL) {
        return dir_fail(d, -ENOMEM, "out of memory");
    }
    int rc = -EACCES;
    if (dir_parse_userid(userid, id) == NULL && dir_parse_key(type, base64, "", k) == NULL) {
        struct db_stmt *st;
        rc = db_prepare(d->db, &st, "SELECT 1 FROM sshkeys WHERE userid = ? AND type = ? AND data = ?", "sss", id,
                        k->type, k->data);
        if (rc == 0) {
            rc = db_step(st);
            rc = rc == DB_ROW ? 0 : rc == DB_DONE ? -EACCES : dir_dbfail(d, rc, "reading SSH keys");
        }
        db_finalize(st);
    }
    free(k);
    return rc == -EACCES ? dir_fail(d, rc, "key not known for this user") : rc;
}

int
dir_key_add(struct dir *d, const char *userid, const char *line)
{
    char id[DIR_USERID_MAX + 1];
    if (dir_parse_userid(userid, id) != NULL) {
        return dir_fail(d, -ENOENT, "no user %.16s in the directory", userid);
    }
    struct dir_key *k = malloc(sizeof *k);
    if (k == NULL) {
        return dir_fail(d, -ENOMEM, "out of memory");
    }
    const char *why = dir_parse_key_line(line, k);
    int rc = 0;
    if (why != NULL) {
        rc = dir_fail(d, -EINVAL, "%s", why);
    } else {
        char hash[DIR_HASH_MAX];
        rc = dir_auth_hash(d, id, hash, sizeof hash);
        if (rc == 0) {
            rc = dir_fail(d, -ENOENT, "no user %s in the directory", id);
        } else if (rc == 1) {
            rc = db_run(d->db, "INSERT INTO sshkeys (userid, type, data, comment) VALUES (?, ?, ?, ?)", "ssss", id,
                        k->type, k->data, k->comment);
            if (rc == -EEXIST) {
                rc = dir_fail(d, rc, "%s already has this key", id);
            } else if (rc != 0) {
                rc = dir_dbfail(d, rc, "writing the directory");
            }
        }
    }
    free(k);
    return rc;
}

int
dir_key_remove(struct dir *d, const char *userid, int n)
{
    char id[DIR_USERID_MAX + 1];
    if (dir_parse_userid(userid, id) != NULL) {
        return dir_fail(d, -ENOENT, "no user %.16s in the directory", userid);
    }
    if (n < 1) {
        return dir_fail(d, -ENOENT, "%s has no key number %d", id, n);
    }
    int rc = db_begin(d->db);
    if (rc != 0) {
        return dir_dbfail(d, rc, "cannot start writing the directory");
    }
    struct db_stmt *st;
    int64_t rowid = -1;
    rc = db_prepare(d->db, &st, "SELECT id FROM sshkeys WHERE userid = ? ORDER BY id LIMIT 1 OFFSET ?", "si", id,
                    (int64_t)(n - 1));
    if (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        rowid = db_column_int(st, 0);
        rc = 0;
    }
    db_finalize(st);
    if (rc == 0 && rowid < 0) {
        rc = dir_fail(d, -ENOENT, "%s has no key number %d", id, n);
    } else if (rc == 0) {
        rc = db_run(d->db, "DELETE FROM sshkeys WHERE id = ?", "i", rowid);
        if (rc == 0) {
            rc = db_commit(d->db);
        }
        if (rc != 0) {
            rc = dir_dbfail(d, rc, "writing the directory");
        }
    } else {
        rc = dir_dbfail(d, rc, "reading SSH keys");
    }
    if (rc != 0) {
        db_rollback(d->db);
    }
    return rc;
}

int
dir_defaults_unchanged(struct dir *d)
{
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st,
                        "SELECT count(*) FROM users u JOIN initial_passwords i"
                        " ON u.userid = i.userid AND u.password = i.hash",
                        NULL);
    if (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        rc = db_column_int(st, 0) > 0;
    }
    db_finalize(st);
    return rc < 0 ? dir_dbfail(d, rc, "reading the directory") : rc;
}
