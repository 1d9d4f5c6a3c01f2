// SPDX-License-Identifier: MIT
/*
 * tests/test_passwd.c - yescrypt hashing and checking (cp/passwd.h):
 * hashes are $y$ and salted, checks accept the right password only, bad
 * hashes and '*' failure tokens never match, every check costs one hash,
 * the policy, generated passwords, constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cp/passwd.h"

static void
test_hash_and_check(void **state)
{
    (void)state;
    char h1[PASSWD_HASH_MAX], h2[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash("correct horse", h1, sizeof h1), 0);
    assert_int_equal(passwd_hash("correct horse", h2, sizeof h2), 0);
    assert_memory_equal(h1, "$y$", 3);
    assert_true(passwd_is_hash(h1));
    assert_string_not_equal(h1, h2); /* fresh salt each time */
    assert_int_equal(passwd_check(h1, "correct horse"), 0);
    assert_int_equal(passwd_check(h2, "correct horse"), 0);
    assert_int_equal(passwd_check(h1, "correct horsE"), -EACCES);
    assert_int_equal(passwd_check(h1, ""), -EACCES);
}

static void
test_bad_hashes_never_match(void **state)
{
    (void)state;
    char h[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash("password1", h, sizeof h), 0);
    const char *bad[] = {
        "",          "*",    "*0",       "NOLOG", "$6$abc$def", "$y$", "$y$j9T$", "$y$j9T$salt$short",
        "password1", "$y$j9T$AAAAAAAAAAAAAAAAAAAAAA$",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(passwd_is_hash(bad[i]));
        unsigned long before = passwd_hash_count();
        assert_int_equal(passwd_check(bad[i], "password1"), -EACCES);
        /* Even a hopeless hash costs a yescrypt computation. */
        assert_int_equal(passwd_hash_count(), before + 1);
    }
    /* A hash with one character changed in the digest does not match. */
    char t[PASSWD_HASH_MAX];
    strcpy(t, h);
    size_t n = strlen(t);
    t[n - 1] = t[n - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(passwd_check(t, "password1"), -EACCES);
}

static void
test_every_check_costs_one_hash(void **state)
{
    (void)state;
    char h[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash("password1", h, sizeof h), 0);
    unsigned long before = passwd_hash_count();
    passwd_check(h, "password1");
    passwd_check(h, "wrong-password");
    passwd_burn("anything at all");
    assert_int_equal(passwd_hash_count(), before + 3);
}

static void
test_policy(void **state)
{
    (void)state;
    assert_null(passwd_policy("12345678"));
    assert_null(passwd_policy("with blanks inside"));
    assert_non_null(passwd_policy("short"));
    assert_non_null(passwd_policy("NOLOG"));
    assert_non_null(passwd_policy("GENERATE"));
    assert_non_null(passwd_policy("tab\there12"));
    char longpw[PASSWD_MAX_LEN + 2];
    memset(longpw, 'x', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    assert_non_null(passwd_policy(longpw));
    char h[PASSWD_HASH_MAX];
    assert_int_equal(passwd_hash("short", h, sizeof h), -EINVAL);
    assert_int_equal(passwd_check("$y$j9T$x$y", longpw), -EACCES);
}

static void
test_generate(void **state)
{
    (void)state;
    char a[PASSWD_GEN_LEN + 1], b[PASSWD_GEN_LEN + 1];
    assert_int_equal(passwd_generate(a, sizeof a), 0);
    assert_int_equal(passwd_generate(b, sizeof b), 0);
    assert_int_equal(strlen(a), PASSWD_GEN_LEN);
    assert_string_not_equal(a, b);
    assert_null(passwd_policy(a));
    for (size_t i = 0; i < PASSWD_GEN_LEN; i++) {
        assert_null(strchr("0O1lI", a[i]));
    }
    char small[PASSWD_GEN_LEN];
    assert_int_equal(passwd_generate(small, sizeof small), -EINVAL);
}

static void
test_default_cost(void **state)
{
    (void)state;
    /* Production hashes use libxcrypt's default cost; tests run cheaper. */
    char h[PASSWD_HASH_MAX];
    passwd_set_cost(0);
    assert_int_equal(passwd_hash("default-cost", h, sizeof h), 0);
    passwd_set_cost(1);
    assert_memory_equal(h, "$y$j9T$", 7);
    assert_int_equal(passwd_check(h, "default-cost"), 0);
    assert_int_equal(passwd_hash("cheap-cost", h, sizeof h), 0);
    assert_memory_not_equal(h, "$y$j9T$", 7);
}

static void
test_ct_equal(void **state)
{
    (void)state;
    assert_true(passwd_ct_equal("abcdef", "abcdef", 6));
    assert_false(passwd_ct_equal("abcdef", "abcdeg", 6));
    assert_false(passwd_ct_equal("xbcdef", "abcdef", 6));
    assert_true(passwd_ct_equal("", "", 0));
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_check),  cmocka_unit_test(test_bad_hashes_never_match),
        cmocka_unit_test(test_every_check_costs_one_hash), cmocka_unit_test(test_policy),
        cmocka_unit_test(test_generate),        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_default_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
