// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_auth.c - logging on: password checks (right, wrong,
 * unknown user, NOLOG, broken hash: all but the first refused, each at the
 * cost of one yescrypt hash), setting and changing passwords, SSH keys,
 * and the first start's default passwords.
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
#include <sys/stat.h>
#include <time.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static const char users[] = "USER ALICE alice-pass1\n"
                            "USER NOLOGGER NOLOG\n"
                            "USER BROKEN bad-hash-soon\n";

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_password_paths_cost_one_hash(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, users);
    /* Break BROKEN's hash behind the directory's back. */
    assert_int_equal(db_run(t->d->db, "UPDATE users SET password = '*0' WHERE userid = 'BROKEN'", NULL), 0);
    struct {
        const char *user, *pw;
        int want;
    } cases[] = {
        {"ALICE", "alice-pass1", 0},     {"alice", "alice-pass1", 0},  {"ALICE", "alice-pass2", -EACCES},
        {"ALICE", "", -EACCES},          {"NOBODY", "alice-pass1", -EACCES},
        {"NOLOGGER", "NOLOG", -EACCES},  {"NOLOGGER", "", -EACCES},    {"BROKEN", "bad-hash-soon", -EACCES},
        {"BROKEN", "*0", -EACCES},       {"not a userid", "x", -EACCES},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned long before = passwd_hash_count();
        assert_int_equal(dir_password_check(t->d, cases[i].user, cases[i].pw), cases[i].want);
        /* Exactly one yescrypt computation, found or not. */
        assert_int_equal(passwd_hash_count() - before, 1);
    }
}

static void
test_unknown_user_takes_as_long(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, users);
    double wrong = 1e9, unknown = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = now();
        dir_password_check(t->d, "ALICE", "wrong-password");
        double t1 = now();
        dir_password_check(t->d, "NOSUCHID", "wrong-password");
        double t2 = now();
        wrong = t1 - t0 < wrong ? t1 - t0 : wrong;
        unknown = t2 - t1 < unknown ? t2 - t1 : unknown;
    }
    /* Same work, so the same order of time (loose: the machine is shared). */
    assert_true(unknown > wrong * 0.25);
    assert_true(wrong > unknown * 0.25);
}

static void
test_set_and_change(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, users);
    assert_int_equal(dir_password_set(t->d, "ALICE", "short"), -EINVAL);
    assert_int_equal(dir_password_set(t->d, "NOBODY", "long-enough"), -ENOENT);
    assert_int_equal(dir_password_set(t->d, "alice", "second-pass"), 0);
    assert_int_equal(dir_password_check(t->d, "ALICE", "alice-pass1"), -EACCES);
    assert_int_equal(dir_password_check(t->d, "ALICE", "second-pass"), 0);
    assert_int_equal(dir_password_change(t->d, "ALICE", "wrong-old", "third-pass"), -EACCES);
    assert_int_equal(dir_password_change(t->d, "ALICE", "second-pass", "tiny"), -EINVAL);
    assert_int_equal(dir_password_change(t->d, "ALICE", "second-pass", "third-pass"), 0);
    assert_int_equal(dir_password_check(t->d, "ALICE", "third-pass"), 0);
    assert_int_equal(dir_password_set(t->d, "ALICE", "NOLOG"), 0);
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "ALICE", &u), 0);
    assert_true(u.nolog);
    assert_int_equal(dir_password_check(t->d, "ALICE", "third-pass"), -EACCES);
    assert_int_equal(dir_password_set(t->d, "NOLOGGER", "now-allowed"), 0);
    assert_int_equal(dir_password_check(t->d, "NOLOGGER", "now-allowed"), 0);
}

static void
test_keys(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, users);
    char k1[128], k2[128], line[300];
    tkey_ed25519(k1, sizeof k1, 1);
    tkey_ed25519(k2, sizeof k2, 2);
    snprintf(line, sizeof line, "ssh-ed25519 %s alice@one\n", k1);
    assert_int_equal(dir_key_add(t->d, "ALICE", line), 0);
    assert_int_equal(dir_key_add(t->d, "ALICE", line), -EEXIST);
    assert_int_equal(dir_key_add(t->d, "NOBODY", line), -ENOENT);
    snprintf(line, sizeof line, "  ssh-ed25519   %s", k2);
    assert_int_equal(dir_key_add(t->d, "alice", line), 0);

    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-ed25519", k1), 0);
    assert_int_equal(dir_key_check(t->d, "alice", "ssh-ed25519", k2), 0);
    /* The same blob without its '=' padding is the same key. */
    char unpadded[128];
    snprintf(unpadded, sizeof unpadded, "%s", k1);
    unpadded[strcspn(unpadded, "=")] = '\0';
    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-ed25519", unpadded), 0);
    assert_int_equal(dir_key_check(t->d, "NOLOGGER", "ssh-ed25519", k1), -EACCES);
    assert_int_equal(dir_key_check(t->d, "NOBODY", "ssh-ed25519", k1), -EACCES);
    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-rsa", k1), -EACCES);
    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-ed25519", "not base64!"), -EACCES);

    const char *bad[] = {
        "",
        "ssh-ed25519",
        "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIA==",
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIA==",    /* the blob says ed25519 */
        "ssh-ed25519 AAAA$$$$",
        "from=\"10.0.0.1\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dir_key_add(t->d, "ALICE", bad[i]), -EINVAL);
    }

    struct dir_key *k;
    size_t n;
    assert_int_equal(dir_key_list(t->d, "ALICE", &k, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(k[0].n, 1);
    assert_string_equal(k[0].comment, "alice@one");
    assert_int_equal(k[1].n, 2);
    assert_string_equal(k[1].comment, "");
    free(k);
    assert_int_equal(dir_key_remove(t->d, "ALICE", 3), -ENOENT);
    assert_int_equal(dir_key_remove(t->d, "ALICE", 0), -ENOENT);
    assert_int_equal(dir_key_remove(t->d, "ALICE", 1), 0);
    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-ed25519", k1), -EACCES);
    assert_int_equal(dir_key_check(t->d, "ALICE", "ssh-ed25519", k2), 0);
    assert_int_equal(dir_key_list(t->d, "ALICE", &k, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(k[0].n, 1);
    free(k);
}

static void
test_first_start_defaults(void **state)
{
    struct tdir *t = *state;
    assert_int_equal(dir_defaults_unchanged(t->d), 0);
    struct dir_genpw *pw;
    size_t n;
    assert_int_equal(dir_init_defaults(t->d, &pw, &n), 1);
    assert_true(n >= 5);
    const char *names[] = {"MAINT", "OPERATOR", "AUTOLOG1"};
    for (size_t k = 0; k < 3; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            found |= strcmp(pw[i].userid, names[k]) == 0;
        }
        assert_true(found);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(dir_password_check(t->d, pw[i].userid, pw[i].password), 0);
    }
    assert_int_equal(dir_defaults_unchanged(t->d), 1);

    /* The file for root: mode 0600, every password in it. */
    char path[700];
    snprintf(path, sizeof path, "%s/initial-passwords", t->path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(strstr(buf, pw[i].password));
    }

    /* MAINT has its system disks, a demo user links them. */
    struct dir_user u;
    assert_int_equal(dir_user_get(t->d, "MAINT", &u), 0);
    assert_int_equal(strlen(u.classes), 26);
    assert_int_equal(dir_user_get(t->d, "AUTOLOG1", &u), 0);
    assert_true(u.options & DIR_OPT_AUTOLOG);
    struct dir_mdisk m;
    assert_int_equal(dir_mdisk_get(t->d, "MAINT", 0x190, &m), 0);
    assert_int_equal(dir_mdisk_get(t->d, "MAINT", 0x19E, &m), 0);
    assert_int_equal(dir_mdisk_get(t->d, "MAINT", 0x191, &m), 0);
    struct dir_link *l;
    size_t nl;
    assert_int_equal(dir_link_list(t->d, "DEMO1", &l, &nl), 0);
    assert_int_equal(nl, 2);
    assert_int_equal(l[0].mode, DIR_MODE_RR);
    free(l);

    /* A second start does nothing. */
    struct dir_genpw *again;
    size_t n2;
    assert_int_equal(dir_init_defaults(t->d, &again, &n2), 0);
    assert_null(again);

    /* An export imported again keeps the same hashes: still unchanged. */
    char *text;
    size_t tlen;
    assert_int_equal(dir_export(t->d, &text, &tlen), 0);
    tdir_import_ok(t->d, text);
    free(text);
    assert_int_equal(dir_defaults_unchanged(t->d), 1);

    /* Still "unchanged" until the last one changes. */
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(dir_password_set(t->d, pw[i].userid, "changed-pass"), 0);
        assert_int_equal(dir_defaults_unchanged(t->d), 1);
    }
    assert_int_equal(dir_password_set(t->d, pw[n - 1].userid, "NOLOG"), 0);
    assert_int_equal(dir_defaults_unchanged(t->d), 0);
    free(pw);
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_password_paths_cost_one_hash), T(test_unknown_user_takes_as_long), T(test_set_and_change),
        T(test_keys), T(test_first_start_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
