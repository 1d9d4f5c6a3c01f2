// SPDX-License-Identifier: MIT
/*
 * tests/test_login_throttle.c - unit tests of login/throttle.c (failed-logon
 * delays, per-user and per-source limits, the bounded table) and of the
 * small helpers login_userid_normalize() and login_pubkey_equal().
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login/login_int.h"

static void
test_userid(void **state)
{
    char out[LOGIN_USERID_MAX + 1];
    assert_int_equal(login_userid_normalize("alice", out), 0);
    assert_string_equal(out, "ALICE");
    assert_int_equal(login_userid_normalize("Op$r#1@x", out), 0);
    assert_string_equal(out, "OP$R#1@X");
    /* the one rule of vmrv/userid.h: no '_' or '-' */
    const char *bad[] = {"", "toolongid", "a b", "a/b", "a.b", "\xc3\xa9", "x\n", "a_b", "a-b", NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        assert_int_equal(login_userid_normalize(bad[i], out), -EINVAL);
    }
    assert_int_equal(login_userid_normalize(NULL, out), -EINVAL);
}

static void
test_steps(void **state)
{
    struct throttle t;
    assert_int_equal(throttle_init(&t, 100, 100, 1000, 60000), 0);
    unsigned want[] = {0, 100, 200, 400, 800, 1000, 1000};
    for (int n = 0; n < 7; n++) {
        assert_int_equal(throttle_step(&t, n), want[n]);
    }
    assert_int_equal(throttle_step(&t, 1000), 1000);
    throttle_free(&t);
}

static void
test_delays_before_checks(void **state)
{
    struct throttle t;
    assert_int_equal(throttle_init(&t, 100, 100, 1000, 60000), 0);
    uint64_t now = 1000000;
    /* no failures: at once, and parallel attempts are not held */
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.1", now), now);
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.1", now), now);
    /* one failure: the next attempt waits 100 ms, one after it 100 more */
    assert_int_equal(throttle_result(&t, "ALICE", "10.0.0.1", 0, now), 1);
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.1", now), now + 100);
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.1", now), now + 200);
    /* the user's delay holds from another address, the peer's for others */
    assert_true(throttle_attempt(&t, "ALICE", "10.0.0.2", now) >= now + 300);
    assert_true(throttle_attempt(&t, "BOB", "10.0.0.1", now) >= now + 300);
    assert_int_equal(throttle_attempt(&t, "BOB", "10.0.0.3", now), now);
    /* more failures grow the delay */
    now += 10000;
    assert_int_equal(throttle_result(&t, "ALICE", "10.0.0.1", 0, now), 2); /* both: 2 */
    uint64_t s = throttle_attempt(&t, "ALICE", "10.0.0.9", now);
    assert_int_equal(s, now + 200); /* user: 2 failures */
    /* success clears the user, not the peer */
    throttle_result(&t, "ALICE", "10.0.0.9", 1, now);
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.9", now + 5000), now + 5000);
    assert_true(throttle_attempt(&t, "CAROL", "10.0.0.1", now) >= now + 200);
    /* an unknown or malformed name is keyed by the peer alone */
    assert_true(throttle_attempt(&t, NULL, "10.0.0.1", now) > now);
    /* quiet for forget_ms: all forgotten */
    now += 60000 + 5000;
    assert_int_equal(throttle_attempt(&t, "ALICE", "10.0.0.1", now), now);
    assert_int_equal(throttle_result(&t, "ALICE", "10.0.0.1", 0, now), 1);
    throttle_free(&t);
}

static void
test_limits(void **state)
{
    struct throttle t;
    assert_int_equal(throttle_init(&t, 100, 100, 1000, 60000), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(throttle_unauth_add(&t, "10.0.0.1", 3), 0);
    }
    assert_int_equal(throttle_unauth_add(&t, "10.0.0.1", 3), -EAGAIN);
    assert_int_equal(throttle_unauth_add(&t, "10.0.0.2", 3), 0);
    throttle_unauth_del(&t, "10.0.0.1");
    assert_int_equal(throttle_unauth_add(&t, "10.0.0.1", 3), 0);
    assert_int_equal(throttle_user_add(&t, "ALICE", 2), 0);
    assert_int_equal(throttle_user_add(&t, "ALICE", 2), 0);
    assert_int_equal(throttle_user_add(&t, "ALICE", 2), -EAGAIN);
    throttle_user_del(&t, "ALICE");
    assert_int_equal(throttle_user_add(&t, "ALICE", 2), 0);
    throttle_user_del(&t, "NOBODY"); /* harmless */
    throttle_free(&t);
}

static void
test_bounded_table(void **state)
{
    struct throttle t;
    assert_int_equal(throttle_init(&t, 16, 100, 1000, 60000), 0);
    assert_int_equal(throttle_unauth_add(&t, "10.9.9.9", 5), 0); /* live: kept */
    char name[16];
    uint64_t now = 1000;
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "U%d", i);
        throttle_result(&t, name, "10.0.0.1", 0, now + (uint64_t)i);
        assert_true(t.count <= 16 + 2);
    }
    /* the live entry survived every sweep */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(throttle_unauth_add(&t, "10.9.9.9", 5), 0);
    }
    assert_int_equal(throttle_unauth_add(&t, "10.9.9.9", 5), -EAGAIN);
    throttle_free(&t);
}

static void
test_pubkey_equal(void **state)
{
    ssh_key a = NULL, b = NULL;
    char *ba = NULL, *bb = NULL;
    assert_int_equal(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &a), SSH_OK);
    assert_int_equal(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &b), SSH_OK);
    assert_int_equal(ssh_pki_export_pubkey_base64(a, &ba), SSH_OK);
    assert_int_equal(ssh_pki_export_pubkey_base64(b, &bb), SSH_OK);
    assert_int_equal(login_pubkey_equal("ssh-ed25519", ba, "ssh-ed25519", ba), 1);
    assert_int_equal(login_pubkey_equal("ssh-ed25519", ba, "ssh-ed25519", bb), 0);
    assert_int_equal(login_pubkey_equal("ssh-ed25519", ba, "ssh-rsa", ba), 0);
    assert_int_equal(login_pubkey_equal("ssh-ed25519", "garbage!!", "ssh-ed25519", ba), 0);
    assert_int_equal(login_pubkey_equal("nonsense", ba, "ssh-ed25519", ba), 0);
    assert_int_equal(login_pubkey_equal(NULL, ba, "ssh-ed25519", ba), 0);
    ssh_string_free_char(ba);
    ssh_string_free_char(bb);
    ssh_key_free(a);
    ssh_key_free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_userid),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_delays_before_checks),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bounded_table),
        cmocka_unit_test(test_pubkey_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
