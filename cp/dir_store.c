// SPDX-License-Identifier: MIT
/*
 * cp/dir_store.c - writing the directory.  One function, dir_store, writes
 * any number of whole entries in one transaction; the text import, the
 * CLI's add and change, and CP's commands all come through it (by way of
 * dir_entry_put and dir_import), so they keep the same rules.
 *
 * Order inside the transaction (BEGIN IMMEDIATE):
 *   1. replace mode: delete the users the input does not name;
 *   2. per entry: upsert the user row (never INSERT OR REPLACE, whose
 *      delete would cascade), replace spool devices and keys, merge the
 *      minidisks by address (new: insert and create the image; grown: grow
 *      the image; smaller: an error; gone: delete, which also drops other
 *      users' LINKs to it), and delete the entry's own LINKs;
 *   3. per entry: insert its LINKs, each checked against the minidisks as
 *      they now are (so a LINK may name a disk defined later in the file);
 *   4. any problem reported -> roll back and undo image changes; else
 *      commit, then delete dropped images if asked, else note them.
 * Image files are created before the commit (so a committed minidisk has
 * its image), and removed only after it (so a failed commit loses nothing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir_int.h"

struct dir_dropped {
    struct dir_mdisk *m;
    size_t n, cap;
};

static int
dir_drop_add(struct dir_dropped *dr, const struct dir_mdisk *m)
{
    if (dr->n == dr->cap) {
        size_t cap = dr->cap ? dr->cap * 2 : 8;
        struct dir_mdisk *p = realloc(dr->m, cap * sizeof *p);
        if (p == NULL) {
            return -ENOMEM;
        }
        dr->m = p;
        dr->cap = cap;
    }
    dr->m[dr->n++] = *m;
    return 0;
}

/* The user's minidisks as stored now (inside the transaction). */
static int
dir_store_old_mdisks(struct dir *d, const char *userid, struct dir_mdisk **old, size_t *n)
{
    int rc = dir_mdisk_list(d, userid, old, n);
    return rc == -ENOENT ? 0 : rc;
}

static int
dir_store_user_row(struct dir *d, const struct dir_entry *e, const char *pw)
{
    const struct dir_user *u = &e->user;
    char opts[128];
    dir_options_format(u->options, opts, sizeof opts);
    char cclass[2] = {u->console_class, '\0'};
    return db_run(d->db,
                  "INSERT INTO users (userid, password, storage, maxstorage, classes, ipl, iplparm, share,"
                  " account, distcode, options, console_vaddr, console_class)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (userid) DO UPDATE SET password = excluded.password,"
                  " storage = excluded.storage, maxstorage = excluded.maxstorage, classes = excluded.classes,"
                  " ipl = excluded.ipl, iplparm = excluded.iplparm, share = excluded.share,"
                  " account = excluded.account, distcode = excluded.distcode, options = excluded.options,"
                  " console_vaddr = excluded.console_vaddr, console_class = excluded.console_class",
                  "ssiisssusssus", u->userid, pw, (int64_t)u->storage, (int64_t)u->maxstorage, u->classes, u->ipl,
                  u->iplparm, u->share, u->account, u->distcode, opts, (unsigned)u->console_vaddr, cclass);
}

static int
dir_store_spool_keys(struct dir *d, const struct dir_entry *e)
{
    const char *id = e->user.userid;
    int rc = db_run(d->db, "DELETE FROM spool WHERE userid = ?", "s", id);
    for (unsigned i = 0; rc == 0 && i < e->user.n_spool; i++) {
        const struct dir_spool *s = &e->user.spool[i];
        char cls[2] = {s->spclass, '\0'};
        rc = db_run(d->db, "INSERT INTO spool (userid, vaddr, kind, class) VALUES (?, ?, ?, ?)", "suss", id,
                    (unsigned)s->vaddr, dir_spool_kind_name(s->kind), cls);
    }
    if (rc == 0) {
        rc = db_run(d->db, "DELETE FROM sshkeys WHERE userid = ?", "s", id);
    }
    for (size_t i = 0; rc == 0 && i < e->n_keys; i++) {
        struct dir_key k;
        if (dir_parse_key(e->keys[i].type, e->keys[i].data, e->keys[i].comment, &k) != NULL) {
            return -EINVAL; /* dir_entry_check has reported it */
        }
        rc = db_run(d->db, "INSERT INTO sshkeys (userid, type, data, comment) VALUES (?, ?, ?, ?)", "ssss", id,
                    k.type, k.data, k.comment);
    }
    return rc;
}

static int
dir_store_mdisks(struct dir *d, const struct dir_store_item *it, unsigned flags, struct dir_diag *g,
                 struct dir_imglog *log, struct dir_dropped *dropped)
{
    const struct dir_entry *e = it->e;
    struct dir_mdisk *old = NULL;
    size_t n_old = 0;
    int rc = dir_store_old_mdisks(d, e->user.userid, &old, &n_old);
    for (size_t i = 0; rc == 0 && i < e->n_mdisks; i++) {
        struct dir_mdisk m = e->mdisks[i];
        int line = it->lines && it->lines->mdisk ? it->lines->mdisk[i] : 0;
        snprintf(m.owner, sizeof m.owner, "%s", e->user.userid);
        dir_image_name(m.owner, m.vaddr, m.image);
        const struct dir_mdisk *was = NULL;
        for (size_t j = 0; j < n_old; j++) {
            if (old[j].vaddr == m.vaddr) {
                was = &old[j];
            }
        }
        if (was != NULL && m.blocks < was->blocks) {
            char a[32], b[32];
            dir_format_blocks(was->blocks, a, sizeof a);
            dir_format_blocks(m.blocks, b, sizeof b);
            dir_diag(g, line, "%s %03X: a minidisk cannot be made smaller (%s to %s): its data would be lost; "
                     "remove it and add it again", m.owner, m.vaddr, a, b);
            continue;
        }
        if (was != NULL) {
            rc = db_run(d->db,
                        "UPDATE mdisks SET blocks = ?, mode = ?, readpw = ?, writepw = ?, multipw = ?"
                        " WHERE owner = ? AND vaddr = ?",
                        "isssssu", (int64_t)m.blocks, dir_mode_name(m.mode), m.readpw, m.writepw, m.multipw,
                        m.owner, (unsigned)m.vaddr);
        } else {
            rc = db_run(d->db,
                        "INSERT INTO mdisks (owner, vaddr, blocks, mode, readpw, writepw, multipw, image)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "suisssss", m.owner, (unsigned)m.vaddr, (int64_t)m.blocks, dir_mode_name(m.mode), m.readpw,
                        m.writepw, m.multipw, m.image);
        }
        if (rc != 0) {
            rc = dir_dbfail(d, rc, "writing a minidisk");
        } else if (!(flags & DIR_STORE_DRY) && (was == NULL || m.blocks > was->blocks)) {
            rc = dir_mdisk_image_ensure(d, &m, log);
        }
    }
    for (size_t j = 0; rc == 0 && j < n_old; j++) {
        int kept = 0;
        for (size_t i = 0; i < e->n_mdisks; i++) {
            kept |= e->mdisks[i].vaddr == old[j].vaddr;
        }
        if (!kept) {
            rc = db_run(d->db, "DELETE FROM mdisks WHERE owner = ? AND vaddr = ?", "su", old[j].owner,
                        (unsigned)old[j].vaddr);
            rc = rc != 0 ? dir_dbfail(d, rc, "removing a minidisk") : dir_drop_add(dropped, &old[j]);
        }
    }
    free(old);
    return rc;
}

/* Step 2 for one entry.  Returns 0 or a system error (problems with the
 * input go to g). */
static int
dir_store_entry(struct dir *d, const struct dir_store_item *it, unsigned flags, struct dir_diag *g,
                struct dir_imglog *log, struct dir_dropped *dropped, struct dir_report *rep)
{
    const struct dir_entry *e = it->e;
    const char *id = e->user.userid;
    int line = it->lines ? it->lines->user : 0;
    char oldpw[DIR_HASH_MAX] = "";
    int exists = 0;
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st, "SELECT password FROM users WHERE userid = ?", "s", id);
    if (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        exists = 1;
        snprintf(oldpw, sizeof oldpw, "%s", db_column_text(st, 0));
    }
    db_finalize(st);
    if (rc < 0) {
        return dir_dbfail(d, rc, "reading the directory");
    }
    if ((flags & DIR_STORE_CREATE) && exists) {
        dir_diag(g, line, "user %s already exists", id);
        return 0;
    }
    if ((flags & DIR_STORE_UPDATE) && !exists) {
        dir_diag(g, line, "no user %s in the directory", id);
        return 0;
    }
    const char *pw = e->password[0] != '\0' ? e->password : oldpw;
    if (pw[0] == '\0') {
        dir_diag(g, line, "%s: a new user needs a password (or NOLOG)", id);
        return 0;
    }
    rc = dir_store_user_row(d, e, pw);
    if (rc == 0) {
        rc = dir_store_spool_keys(d, e);
    }
    if (rc == 0 && it->initial) {
        rc = db_run(d->db, "INSERT OR REPLACE INTO initial_passwords (userid, hash) VALUES (?, ?)", "ss", id, pw);
    }
    if (rc == 0) {
        rc = db_run(d->db, "DELETE FROM links WHERE userid = ?", "s", id);
    }
    if (rc != 0) {
        return rc == -EINVAL ? 0 : dir_dbfail(d, rc, "writing the directory");
    }
    if (rep != NULL) {
        if (exists) {
            rep->changed++;
        } else {
            rep->added++;
        }
    }
    return dir_store_mdisks(d, it, flags, g, log, dropped);
}

/* Step 3: one entry's LINK statements. */
static int
dir_store_links(struct dir *d, const struct dir_store_item *it, struct dir_diag *g)
{
    const struct dir_entry *e = it->e;
    for (size_t i = 0; i < e->n_links; i++) {
        const struct dir_link *l = &e->links[i];
        int line = it->lines && it->lines->link ? it->lines->link[i] : 0;
        struct db_stmt *st;
        int rc = db_prepare(d->db, &st, "SELECT 1 FROM mdisks WHERE owner = ? AND vaddr = ?", "su", l->target,
                            (unsigned)l->target_vaddr);
        int found = rc == 0 && db_step(st) == DB_ROW;
        db_finalize(st);
        if (rc != 0) {
            return dir_dbfail(d, rc, "reading minidisks");
        }
        if (!found) {
            dir_diag(g, line, "%s: LINK %s %03X: %s has no minidisk %03X", e->user.userid, l->target,
                     l->target_vaddr, l->target, l->target_vaddr);
            continue;
        }
        rc = db_run(d->db, "INSERT INTO links (userid, vaddr, target, target_vaddr, mode) VALUES (?, ?, ?, ?, ?)",
                    "susus", e->user.userid, (unsigned)l->vaddr, l->target, (unsigned)l->target_vaddr,
                    dir_mode_name(l->mode));
        if (rc != 0) {
            return dir_dbfail(d, rc, "writing a LINK statement");
        }
    }
    return 0;
}

/* Step 1: delete users the input does not name. */
static int
dir_store_remove_others(struct dir *d, struct dir_store_item *items, size_t n, struct dir_dropped *dropped,
                        struct dir_report *rep)
{
    struct dir_user *all = NULL;
    size_t n_all = 0;
    int rc = dir_user_list(d, &all, &n_all);
    for (size_t i = 0; rc == 0 && i < n_all; i++) {
        int named = 0;
        for (size_t j = 0; j < n && !named; j++) {
            named = strcmp(items[j].e->user.userid, all[i].userid) == 0;
        }
        if (named) {
            continue;
        }
        struct dir_mdisk *m = NULL;
        size_t nm = 0;
        rc = dir_mdisk_list(d, all[i].userid, &m, &nm);
        for (size_t k = 0; rc == 0 && k < nm; k++) {
            rc = dir_drop_add(dropped, &m[k]);
        }
        free(m);
        if (rc == 0) {
            rc = db_run(d->db, "DELETE FROM users WHERE userid = ?", "s", all[i].userid);
            if (rc != 0) {
                rc = dir_dbfail(d, rc, "deleting a user");
            } else if (rep != NULL) {
                rep->removed++;
            }
        }
    }
    free(all);
    return rc;
}

/* After the commit: delete or report the images of dropped minidisks. */
static void
dir_store_finish_dropped(struct dir *d, const struct dir_dropped *dr, unsigned flags, struct dir_report *rep)
{
    for (size_t i = 0; i < dr->n; i++) {
        char path[4096], msg[4200];
        if (flags & DIR_STORE_REMOVE_IMAGES) {
            int rc = dir_mdisk_image_remove(d, &dr->m[i]);
            if (rc != 0 && rep != NULL && rep->note != NULL) {
                snprintf(msg, sizeof msg, "could not delete an image: %s", dir_errmsg(d));
                rep->note(rep->arg, msg);
            }
        } else if (rep != NULL && rep->note != NULL && dir_mdisk_path(d, &dr->m[i], path, sizeof path) == 0) {
            snprintf(msg, sizeof msg, "minidisk %s %03X left the directory; its image %s is kept", dr->m[i].owner,
                     dr->m[i].vaddr, path);
            rep->note(rep->arg, msg);
        }
    }
}

int
dir_store(struct dir *d, struct dir_store_item *items, size_t n, unsigned flags, struct dir_diag *g,
          struct dir_report *rep)
{
    unsigned errors_before = g->n;
    struct dir_imglog log = {0};
    struct dir_dropped dropped = {0};
    d->err[0] = '\0';
    int rc = db_begin(d->db);
    if (rc != 0) {
        return dir_dbfail(d, rc, "cannot start writing the directory");
    }
    if (flags & DIR_STORE_REPLACE_ALL) {
        rc = dir_store_remove_others(d, items, n, &dropped, rep);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = dir_store_entry(d, &items[i], flags, g, &log, &dropped, rep);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = dir_store_links(d, &items[i], g);
    }
    if (rc == 0 && g->n != errors_before) {
        /* Keep a first problem already on d as its message. */
        rc = d->err[0] != '\0' ? -EINVAL : dir_fail(d, -EINVAL, "the input has errors; nothing was changed");
    }
    if (rc == 0 && (flags & DIR_STORE_DRY)) {
        db_rollback(d->db);
    } else if (rc == 0) {
        rc = db_commit(d->db);
        if (rc != 0) {
            rc = dir_dbfail(d, rc, "cannot commit the directory");
            dir_imglog_undo(&log);
        }
    } else {
        db_rollback(d->db);
        dir_imglog_undo(&log);
    }
    if (rc == 0 && !(flags & DIR_STORE_DRY)) {
        dir_store_finish_dropped(d, &dropped, flags, rep);
    }
    dir_imglog_free(&log);
    free(dropped.m);
    return rc;
}

/* ---- the public writers ---------------------------------------------- */

/* dir_entry_put's diagnostics: the first problem becomes the error text. */
static void
dir_put_diag(void *arg, int line, const char *msg)
{
    struct dir *d = arg;
    if (d->err[0] == '\0') {
        snprintf(d->err, sizeof d->err, "%s", msg);
    }
}

static int
dir_exists(struct dir *d, const char *userid)
{
    struct db_stmt *st;
    int rc = db_prepare(d->db, &st, "SELECT 1 FROM users WHERE userid = ?", "s", userid);
    if (rc == 0) {
        rc = db_step(st);
        rc = rc == DB_ROW ? 1 : rc;
    }
    db_finalize(st);
    return rc < 0 ? dir_dbfail(d, rc, "reading the directory") : rc;
}

int
dir_entry_put(struct dir *d, const struct dir_entry *e, unsigned flags)
{
    d->err[0] = '\0';
    struct dir_diag g = {dir_put_diag, d, 0};
    dir_entry_check(e, NULL, &g);
    if (g.n != 0) {
        return -EINVAL;
    }
    int exists = dir_exists(d, e->user.userid);
    if (exists < 0) {
        return exists;
    }
    if ((flags & DIR_PUT_CREATE) && exists) {
        return dir_fail(d, -EEXIST, "user %s already exists", e->user.userid);
    }
    if ((flags & DIR_PUT_UPDATE) && !exists) {
        return dir_fail(d, -ENOENT, "no user %s in the directory", e->user.userid);
    }
    struct dir_store_item item = {(struct dir_entry *)e, NULL, 0};
    unsigned sflags = flags & (DIR_PUT_CREATE | DIR_PUT_UPDATE | DIR_PUT_REMOVE_IMAGES);
    return dir_store(d, &item, 1, sflags, &g, NULL);
}

int
dir_entry_init(struct dir_entry *e, const char *userid)
{
    memset(e, 0, sizeof *e);
    struct dir_user *u = &e->user;
    if (dir_parse_userid(userid, u->userid) != NULL) {
        return -EINVAL;
    }
    snprintf(e->password, sizeof e->password, "NOLOG");
    u->nolog = 1;
    u->storage = 32ull << 20;
    u->maxstorage = 64ull << 20;
    snprintf(u->classes, sizeof u->classes, "G");
    snprintf(u->ipl, sizeof u->ipl, "CMS");
    u->share = DIR_SHARE_DEFAULT;
    u->console_vaddr = 0x009;
    u->console_class = 'T';
    u->n_spool = 3;
    u->spool[0] = (struct dir_spool){0x00C, DIR_SPOOL_READER, '*'};
    u->spool[1] = (struct dir_spool){0x00D, DIR_SPOOL_PUNCH, 'A'};
    u->spool[2] = (struct dir_spool){0x00E, DIR_SPOOL_PRINTER, 'A'};
    return 0;
}

int
dir_user_delete(struct dir *d, const char *userid, unsigned flags)
{
    char id[DIR_USERID_MAX + 1];
    if (dir_parse_userid(userid, id) != NULL) {
        return dir_fail(d, -ENOENT, "no user %.16s in the directory", userid);
    }
    struct dir_mdisk *m = NULL;
    size_t nm = 0;
    int rc = db_begin(d->db);
    if (rc != 0) {
        return dir_dbfail(d, rc, "cannot start writing the directory");
    }
    rc = dir_mdisk_list(d, id, &m, &nm);
    if (rc == 0) {
        rc = db_run(d->db, "DELETE FROM users WHERE userid = ?", "s", id);
        if (rc != 0) {
            rc = dir_dbfail(d, rc, "deleting a user");
        }
    }
    if (rc == 0) {
        rc = db_commit(d->db);
        if (rc != 0) {
            rc = dir_dbfail(d, rc, "cannot commit the directory");
        }
    } else {
        db_rollback(d->db);
    }
    for (size_t i = 0; rc == 0 && (flags & DIR_DELETE_IMAGES) && i < nm; i++) {
        int r = dir_mdisk_image_remove(d, &m[i]);
        if (r != 0) {
            rc = r; /* the user is gone; d says which image stayed */
        }
    }
    free(m);
    return rc;
}
