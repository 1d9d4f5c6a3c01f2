// SPDX-License-Identifier: MIT
/*
 * tests/test_db.c - cp/db.c's prepared-statement cache: a statement used
 * again gives fresh results with new parameters, the same SQL prepared twice
 * at once gives two independent statements, a cached statement keeps no
 * read transaction open (another connection can write), a schema change
 * under a cached statement is followed, and more distinct statements than
 * the cache holds still work.
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
#include <unistd.h>

#include "cp/db.h"

struct fix {
    char dir[64];
    char path[96];
    struct db *db;
};

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", "/tmp/vmrv-testdb.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    if (db_open(&f->db, f->path, DB_CREATE) != 0 ||
        db_exec(f->db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)") != 0) {
        return -1;
    }
    for (int i = 1; i <= 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%d", i);
        if (db_run(f->db, "INSERT INTO t (k, v) VALUES (?, ?)", "is", (int64_t)i, v) != 0) {
            return -1;
        }
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;
    db_close(f->db);
    char p[128];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static const char *const Q = "SELECT v FROM t WHERE k = ?";

static void
check_value(struct db *db, int64_t k, const char *want)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, &st, Q, "i", k), 0);
    if (want) {
        assert_int_equal(db_step(st), DB_ROW);
        assert_string_equal(db_column_text(st, 0), want);
    }
    assert_int_equal(db_step(st), DB_DONE);
    db_finalize(st);
}

static void
test_reuse_with_new_parameters(void **state)
{
    struct fix *f = *state;
    for (int round = 0; round < 3; round++) {
        check_value(f->db, 1, "v1");
        check_value(f->db, 4, "v4");
        check_value(f->db, 9, NULL);
    }
}

static void
test_same_sql_twice_at_once(void **state)
{
    struct fix *f = *state;
    struct db_stmt *a, *b;
    assert_int_equal(db_prepare(f->db, &a, Q, "i", (int64_t)2), 0);
    assert_int_equal(db_prepare(f->db, &b, Q, "i", (int64_t)3), 0);
    assert_ptr_not_equal(a, b);
    assert_int_equal(db_step(a), DB_ROW);
    assert_int_equal(db_step(b), DB_ROW);
    assert_string_equal(db_column_text(a, 0), "v2");
    assert_string_equal(db_column_text(b, 0), "v3");
    db_finalize(a);
    db_finalize(b);
}

static void
test_finalized_statement_holds_no_transaction(void **state)
{
    struct fix *f = *state;
    struct db_stmt *st;
    /* stopped half way through its rows, then handed back */
    assert_int_equal(db_prepare(f->db, &st, "SELECT k FROM t ORDER BY k", ""), 0);
    assert_int_equal(db_step(st), DB_ROW);
    db_finalize(st);
    struct db *other;
    assert_int_equal(db_open(&other, f->path, 0), 0);
    assert_int_equal(db_run(other, "UPDATE t SET v = 'new' WHERE k = 1", ""), 0);
    /* a checkpoint needs every reader gone */
    assert_int_equal(db_prepare(other, &st, "PRAGMA wal_checkpoint(TRUNCATE)", ""), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int(st, 0), 0); /* not blocked */
    db_finalize(st);
    db_close(other);
    check_value(f->db, 1, "new");
}

static void
test_schema_change_under_cached_statement(void **state)
{
    struct fix *f = *state;
    check_value(f->db, 5, "v5");
    assert_int_equal(db_exec(f->db, "ALTER TABLE t ADD COLUMN extra TEXT"), 0);
    assert_int_equal(db_run(f->db, "UPDATE t SET v = 'after' WHERE k = 5", ""), 0);
    check_value(f->db, 5, "after");
}

static void
test_more_statements_than_the_cache(void **state)
{
    struct fix *f = *state;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 100; i++) {
            char sql[64];
            snprintf(sql, sizeof sql, "SELECT v, %d FROM t WHERE k = ?", i);
            struct db_stmt *st;
            assert_int_equal(db_prepare(f->db, &st, sql, "i", (int64_t)(i % 5 + 1)), 0);
            assert_int_equal(db_step(st), DB_ROW);
            assert_int_equal(db_column_int(st, 1), i);
            db_finalize(st);
        }
    }
}

static void
test_bad_sql_is_an_error_every_time(void **state)
{
    struct fix *f = *state;
    for (int i = 0; i < 2; i++) {
        struct db_stmt *st = (struct db_stmt *)1;
        assert_int_equal(db_prepare(f->db, &st, "SELECT nothing FROM nowhere", ""), -EINVAL);
        assert_null(st);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reuse_with_new_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_sql_twice_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finalized_statement_holds_no_transaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_schema_change_under_cached_statement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_more_statements_than_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_sql_is_an_error_every_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
