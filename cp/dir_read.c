// SPDX-License-Identifier: MIT
/*
 * cp/dir_read.c - reading the directory: one user's settings (what CP
 * copies at logon), the list of users, minidisks, LINK statements, SSH
 * keys and whole entries.  Rows become the fixed-size structs of
 * cp/dir.h; text columns longer than their field (only possible in a
 * database edited by hand) are cut, never overflowed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"

#define DIR_USER_COLS                                                                              \
    "userid, password, storage, maxstorage, classes, ipl, iplparm, share, account, distcode, "     \
    "options, console_vaddr, console_class"

static void
dir_copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
}

/* Normalizes a userid for a lookup; an impossible one is simply absent. */
static int
dir_lookup_id(struct dir *d, const char *userid, char out[DIR_USERID_MAX + 1])
{
    if (dir_parse_userid(userid, out) != NULL) {
        return dir_fail(d, -ENOENT, "no user %.16s in the directory", userid);
    }
    return 0;
}

static int
dir_read_spool(struct dir *d, struct dir_user *u)
{
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st, "SELECT vaddr, kind, class FROM spool WHERE userid = ? ORDER BY vaddr", "s",
                        u->userid);
    u->n_spool = 0;
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        rc = 0;
        if (u->n_spool >= DIR_SPOOL_MAX) {
            continue;
        }
        struct dir_spool *s = &u->spool[u->n_spool++];
        s->vaddr = (uint16_t)db_column_int(st, 0);
        int kind = dir_spool_kind_parse(db_column_text(st, 1));
        s->kind = (uint8_t)(kind < 0 ? DIR_SPOOL_PRINTER : kind);
        s->spclass = db_column_text(st, 2)[0];
    }
    db_finalize(st);
    return rc < 0 ? dir_dbfail(d, rc, "reading spool devices") : 0;
}

/* Fills u (and the hash, if pw) from a row of DIR_USER_COLS. */
static void
dir_row_user(struct db_stmt *st, struct dir_user *u, char *pw, size_t pwlen)
{
    memset(u, 0, sizeof *u);
    dir_copy(u->userid, sizeof u->userid, db_column_text(st, 0));
    const char *hash = db_column_text(st, 1);
    u->nolog = strcmp(hash, "NOLOG") == 0;
    if (pw != NULL) {
        dir_copy(pw, pwlen, hash);
    }
    u->storage = (uint64_t)db_column_int(st, 2);
    u->maxstorage = (uint64_t)db_column_int(st, 3);
    dir_copy(u->classes, sizeof u->classes, db_column_text(st, 4));
    dir_copy(u->ipl, sizeof u->ipl, db_column_text(st, 5));
    dir_copy(u->iplparm, sizeof u->iplparm, db_column_text(st, 6));
    u->share = (unsigned)db_column_int(st, 7);
    dir_copy(u->account, sizeof u->account, db_column_text(st, 8));
    dir_copy(u->distcode, sizeof u->distcode, db_column_text(st, 9));
    u->options = dir_options_parse_list(db_column_text(st, 10));
    u->console_vaddr = (uint16_t)db_column_int(st, 11);
    u->console_class = db_column_text(st, 12)[0];
}

/* One user row; pw (may be NULL) receives the stored hash or NOLOG. */
static int
dir_read_user(struct dir *d, const char *userid, struct dir_user *u, char *pw, size_t pwlen)
{
    char id[DIR_USERID_MAX + 1];
    int rc = dir_lookup_id(d, userid, id);
    if (rc != 0) {
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(d->db, &st, "SELECT " DIR_USER_COLS " FROM users WHERE userid = ?", "s", id);
    if (rc == 0) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            dir_row_user(st, u, pw, pwlen);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = 1;
        }
    }
    db_finalize(st);
    if (rc == 1) {
        return dir_fail(d, -ENOENT, "no user %s in the directory", id);
    }
    if (rc < 0) {
        return dir_dbfail(d, rc, "reading the directory");
    }
    return dir_read_spool(d, u);
}

int
dir_user_get(struct dir *d, const char *userid, struct dir_user *out)
{
    return dir_read_user(d, userid, out, NULL, 0);
}

/* Grows *arr (of size elem) to hold one more; returns the new slot. */
static void *
dir_grow(void **arr, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        void *p = realloc(*arr, ncap * elem);
        if (p == NULL) {
            return NULL;
        }
        *arr = p;
        *cap = ncap;
    }
    void *slot = (char *)*arr + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

int
dir_user_list(struct dir *d, struct dir_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st, "SELECT " DIR_USER_COLS " FROM users ORDER BY userid", NULL);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        struct dir_user *u = dir_grow((void **)out, n, &cap, sizeof **out);
        if (u == NULL) {
            rc = -ENOMEM;
            break;
        }
        dir_row_user(st, u, NULL, 0);
        rc = 0;
    }
    db_finalize(st);
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        rc = dir_read_spool(d, &(*out)[i]);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc == -ENOMEM ? dir_fail(d, rc, "out of memory") : dir_dbfail(d, rc, "listing users");
    }
    return 0;
}

/* Checks that the user exists (for the list functions). */
static int
dir_user_exists(struct dir *d, const char *userid, char id[DIR_USERID_MAX + 1])
{
    int rc = dir_lookup_id(d, userid, id);
    struct db_stmt *st = NULL;
    if (rc == 0) {
        rc = db_prepare(d->db, &st, "SELECT 1 FROM users WHERE userid = ?", "s", id);
    }
    if (rc == 0) {
        rc = db_step(st);
        rc = rc == DB_ROW ? 0 : rc == DB_DONE ? dir_fail(d, -ENOENT, "no user %s in the directory", id)
                                              : dir_dbfail(d, rc, "reading the directory");
    }
    db_finalize(st);
    return rc;
}

static void
dir_row_mdisk(struct db_stmt *st, struct dir_mdisk *m)
{
    dir_copy(m->owner, sizeof m->owner, db_column_text(st, 0));
    m->vaddr = (uint16_t)db_column_int(st, 1);
    m->blocks = (uint64_t)db_column_int(st, 2);
    m->mode = dir_mode_parse(db_column_text(st, 3));
    dir_copy(m->readpw, sizeof m->readpw, db_column_text(st, 4));
    dir_copy(m->writepw, sizeof m->writepw, db_column_text(st, 5));
    dir_copy(m->multipw, sizeof m->multipw, db_column_text(st, 6));
    dir_copy(m->image, sizeof m->image, db_column_text(st, 7));
}

#define DIR_MDISK_COLS "owner, vaddr, blocks, mode, readpw, writepw, multipw, image"

int
dir_mdisk_list(struct dir *d, const char *userid, struct dir_mdisk **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    char id[DIR_USERID_MAX + 1];
    int rc = dir_user_exists(d, userid, id);
    if (rc != 0) {
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(d->db, &st, "SELECT " DIR_MDISK_COLS " FROM mdisks WHERE owner = ? ORDER BY vaddr", "s", id);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        struct dir_mdisk *m = dir_grow((void **)out, n, &cap, sizeof **out);
        if (m == NULL) {
            rc = -ENOMEM;
            break;
        }
        dir_row_mdisk(st, m);
        rc = 0;
    }
    db_finalize(st);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return dir_dbfail(d, rc, "reading minidisks");
    }
    return 0;
}

int
dir_mdisk_get(struct dir *d, const char *owner, uint16_t vaddr, struct dir_mdisk *out)
{
    char id[DIR_USERID_MAX + 1];
    int rc = dir_lookup_id(d, owner, id);
    if (rc != 0) {
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(d->db, &st, "SELECT " DIR_MDISK_COLS " FROM mdisks WHERE owner = ? AND vaddr = ?", "si", id,
                    (int64_t)vaddr);
    if (rc == 0) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            memset(out, 0, sizeof *out);
            dir_row_mdisk(st, out);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = dir_fail(d, -ENOENT, "%s has no minidisk %03X", id, vaddr);
        } else {
            rc = dir_dbfail(d, rc, "reading minidisks");
        }
    }
    db_finalize(st);
    return rc;
}

int
dir_link_list(struct dir *d, const char *userid, struct dir_link **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    char id[DIR_USERID_MAX + 1];
    int rc = dir_user_exists(d, userid, id);
    if (rc != 0) {
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(d->db, &st,
                    "SELECT userid, target, target_vaddr, vaddr, mode FROM links WHERE userid = ? ORDER BY vaddr", "s",
                    id);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        struct dir_link *l = dir_grow((void **)out, n, &cap, sizeof **out);
        if (l == NULL) {
            rc = -ENOMEM;
            break;
        }
        dir_copy(l->userid, sizeof l->userid, db_column_text(st, 0));
        dir_copy(l->target, sizeof l->target, db_column_text(st, 1));
        l->target_vaddr = (uint16_t)db_column_int(st, 2);
        l->vaddr = (uint16_t)db_column_int(st, 3);
        l->mode = dir_mode_parse(db_column_text(st, 4));
        rc = 0;
    }
    db_finalize(st);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return dir_dbfail(d, rc, "reading LINK statements");
    }
    return 0;
}

int
dir_key_list(struct dir *d, const char *userid, struct dir_key **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    char id[DIR_USERID_MAX + 1];
    int rc = dir_user_exists(d, userid, id);
    if (rc != 0) {
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(d->db, &st, "SELECT type, data, comment FROM sshkeys WHERE userid = ? ORDER BY id", "s", id);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        struct dir_key *k = dir_grow((void **)out, n, &cap, sizeof **out);
        if (k == NULL) {
            rc = -ENOMEM;
            break;
        }
        k->n = (int)*n;
        dir_copy(k->type, sizeof k->type, db_column_text(st, 0));
        dir_copy(k->data, sizeof k->data, db_column_text(st, 1));
        dir_copy(k->comment, sizeof k->comment, db_column_text(st, 2));
        rc = 0;
    }
    db_finalize(st);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return dir_dbfail(d, rc, "reading SSH keys");
    }
    return 0;
}

int
dir_entry_get(struct dir *d, const char *userid, struct dir_entry *out)
{
    memset(out, 0, sizeof *out);
    int rc = dir_read_user(d, userid, &out->user, out->password, sizeof out->password);
    if (rc == 0) {
        rc = dir_mdisk_list(d, out->user.userid, &out->mdisks, &out->n_mdisks);
    }
    if (rc == 0) {
        rc = dir_link_list(d, out->user.userid, &out->links, &out->n_links);
    }
    if (rc == 0) {
        rc = dir_key_list(d, out->user.userid, &out->keys, &out->n_keys);
    }
    if (rc != 0) {
        dir_entry_free(out);
    }
    return rc;
}

void
dir_entry_free(struct dir_entry *e)
{
    free(e->mdisks);
    free(e->links);
    free(e->keys);
    memset(e, 0, sizeof *e);
}

