// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_schema.c - the directory database itself: a new one is at
 * the current schema version, an older one is migrated step by step with
 * its data kept, one from a newer VM/RV or of another program is refused
 * untouched, and the tables enforce STRICT types and foreign keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/datadir.h"
#include "cp/db.h"
#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static void
db_path(const struct tdir *t, char *out, size_t len)
{
    assert_int_equal(datadir_path(out, len, t->path, DATADIR_DB), 0);
}

static void
test_new_database_is_current(void **state)
{
    struct tdir *t = *state;
    assert_int_equal(dir_db_version(t->d), dir_schema_version());
    assert_true(dir_schema_version() >= 2);
    int64_t appid = 0;
    assert_int_equal(db_application_id(t->d->db, &appid), 0);
    assert_int_equal(appid, DIR_APPLICATION_ID);
    /* WAL and full sync are on. */
    struct db_stmt *st;
    assert_int_equal(db_prepare(t->d->db, &st, "PRAGMA journal_mode", NULL), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "wal");
    db_finalize(st);
    assert_int_equal(db_prepare(t->d->db, &st, "PRAGMA synchronous", NULL), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int(st, 0), 2); /* FULL */
    db_finalize(st);
}

static void
test_migrate_from_zero_and_one(void **state)
{
    struct tdir *t = *state;
    dir_close(t->d);
    t->d = NULL;
    char path[600];
    db_path(t, path, sizeof path);
    remove(path);
    /* Version 0 -> 1 only, with a user in it, as an old VM/RV left it. */
    struct db *db;
    char err[256] = "";
    assert_int_equal(db_open(&db, path, DB_CREATE), 0);
    int64_t v = -1;
    assert_int_equal(db_user_version(db, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(dir_schema_migrate(db, 1, err, sizeof err), 0);
    assert_int_equal(db_user_version(db, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(db_run(db,
                            "INSERT INTO users (userid, password, storage, maxstorage, classes, ipl)"
                            " VALUES ('OLDUSER', 'NOLOG', 33554432, 67108864, 'G', 'CMS')",
                            NULL),
                     0);
    assert_int_equal(db_run(db, "INSERT INTO mdisks (owner, vaddr, blocks, mode, image)"
                                " VALUES ('OLDUSER', 401, 256, 'W', 'disks/OLDUSER.191.img')",
                            NULL),
                     0);
    /* Version 1 has no sshkeys table yet. */
    assert_int_not_equal(db_run(db, "SELECT * FROM sshkeys", NULL), 0);
    db_close(db);

    assert_int_equal(dir_open(&t->d, t->path, 0, err, sizeof err), 0);
    assert_int_equal(dir_db_version(t->d), dir_schema_version());
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "olduser", &u), 0);
    assert_string_equal(u.userid, "OLDUSER");
    assert_int_equal(u.storage, 32u << 20);
    assert_true(u.nolog);
    struct dir_mdisk m;
    assert_int_equal(dir_mdisk_get(t->d, "OLDUSER", 0x191, &m), 0);
    assert_int_equal(m.blocks, 256);
    /* The new tables work. */
    char key[128], line[200];
    tkey_ed25519(key, sizeof key, 1);
    snprintf(line, sizeof line, "ssh-ed25519 %s old@host", key);
    assert_int_equal(dir_key_add(t->d, "OLDUSER", line), 0);
}

static void
test_newer_version_refused_untouched(void **state)
{
    struct tdir *t = *state;
    assert_int_equal(db_set_user_version(t->d->db, dir_schema_version() + 5), 0);
    dir_close(t->d);
    t->d = NULL;
    char err[256] = "";
    struct dir *d = (struct dir *)1;
    assert_int_equal(dir_open(&d, t->path, DIR_OPEN_CREATE, err, sizeof err), -EPROTONOSUPPORT);
    assert_null(d);
    assert_non_null(strstr(err, "newer"));
    char path[600];
    db_path(t, path, sizeof path);
    struct db *db;
    assert_int_equal(db_open(&db, path, 0), 0);
    int64_t v = 0;
    assert_int_equal(db_user_version(db, &v), 0);
    assert_int_equal(v, dir_schema_version() + 5);
    db_close(db);
}

static void
test_foreign_database_refused(void **state)
{
    struct tdir *t = *state;
    dir_close(t->d);
    t->d = NULL;
    char path[600], err[256] = "";
    db_path(t, path, sizeof path);
    remove(path);
    struct db *db;
    assert_int_equal(db_open(&db, path, DB_CREATE), 0);
    assert_int_equal(db_exec(db, "CREATE TABLE notes (x TEXT)"), 0);
    db_close(db);
    struct dir *d;
    assert_int_equal(dir_open(&d, t->path, 0, err, sizeof err), -EBADMSG);
    assert_non_null(strstr(err, "not a VM/RV directory"));

    /* Right version, wrong application id. */
    remove(path);
    assert_int_equal(db_open(&db, path, DB_CREATE), 0);
    assert_int_equal(db_set_user_version(db, 2), 0);
    assert_int_equal(db_exec(db, "CREATE TABLE users (x TEXT)"), 0);
    db_close(db);
    assert_int_equal(dir_open(&d, t->path, 0, err, sizeof err), -EBADMSG);
}

static void
test_not_a_database(void **state)
{
    struct tdir *t = *state;
    dir_close(t->d);
    t->d = NULL;
    char path[600], err[256] = "";
    db_path(t, path, sizeof path);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", path);
    remove(wal);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++) {
        fputs("this is not a database file at all\n", f);
    }
    fclose(f);
    struct dir *d;
    assert_int_equal(dir_open(&d, t->path, 0, err, sizeof err), -EBADMSG);
    assert_null(d);
}

static void
test_missing_without_create(void **state)
{
    (void)state;
    char path[512], err[256] = "";
    assert_int_equal(tdir_mkdtemp(path, sizeof path), 0);
    struct dir *d;
    assert_int_equal(dir_open(&d, path, 0, err, sizeof err), -ENOENT);
    assert_int_equal(dir_open(&d, path, DIR_OPEN_READONLY, err, sizeof err), -ENOENT);
    tdir_rmtree(path);
}

static void
test_strict_and_foreign_keys(void **state)
{
    struct tdir *t = *state;
    struct db *db = t->d->db;
    /* A minidisk of a user who does not exist. */
    assert_int_equal(db_run(db, "INSERT INTO mdisks (owner, vaddr, blocks, mode, image)"
                                " VALUES ('NOBODY', 401, 1, 'W', 'x')",
                            NULL),
                     -EEXIST);
    /* STRICT: text in an integer column. */
    assert_int_not_equal(db_run(db, "INSERT INTO users (userid, password, storage, maxstorage, classes)"
                                    " VALUES ('X', 'NOLOG', 'lots', 1, 'G')",
                                NULL),
                         0);
    /* userid longer than 8. */
    assert_int_not_equal(db_run(db, "INSERT INTO users (userid, password, storage, maxstorage, classes)"
                                    " VALUES ('TOOLONGID', 'NOLOG', 1, 1, 'G')",
                                NULL),
                         0);
}

static void
test_readonly_open(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "USER RO NOLOG 32M 32M G\n");
    struct dir *d;
    char err[256];
    assert_int_equal(dir_open(&d, t->path, DIR_OPEN_READONLY, err, sizeof err), 0);
    struct dir_user u;
    assert_int_equal(dir_user_get(d, "RO", &u), 0);
    assert_int_not_equal(dir_password_set(d, "RO", "password1"), 0);
    dir_close(d);
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_database_is_current, tdir_setup, tdir_teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_zero_and_one, tdir_setup, tdir_teardown),
        cmocka_unit_test_setup_teardown(test_newer_version_refused_untouched, tdir_setup, tdir_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_database_refused, tdir_setup, tdir_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database, tdir_setup, tdir_teardown),
        cmocka_unit_test(test_missing_without_create),
        cmocka_unit_test_setup_teardown(test_strict_and_foreign_keys, tdir_setup, tdir_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_open, tdir_setup, tdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
