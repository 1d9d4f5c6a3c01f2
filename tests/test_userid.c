// SPDX-License-Identifier: MIT
/*
 * tests/test_userid.c - the one userid rule (vmrv/userid.h) as seen by
 * each of its users: the SSH front end (login_userid_normalize), the
 * directory (dir_userid_norm, which also reserves SYSTEM and ALL) and the
 * VM layer (vm_create). CP's logon is checked in tests/test_cp_system.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "cp/dir.h"
#include "cp/vm.h"
#include "login/login.h"
#include "vmrv/userid.h"

static const struct {
    const char *in;
    const char *norm; /* NULL: refused */
} cases[] = {
    {"alice", "ALICE"},   {"MAINT", "MAINT"},   {"a1@#$", "A1@#$"},   {"12345678", "12345678"},
    {"$", "$"},           {"", NULL},           {"123456789", NULL},  {"a_b", NULL},
    {"a-b", NULL},        {"a b", NULL},        {"a.b", NULL},        {"a*", NULL},
    {"\xc3\xa9t\xc3\xa9", NULL}, {"ab\x7f", NULL}, {"ab\n", NULL},    {"ALL_", NULL},
};

static void
test_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[VMRV_USERID_MAX + 1] = "unset";
        int rc = vmrv_userid_norm(cases[i].in, out);
        if (cases[i].norm) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, cases[i].norm);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(out, "unset"); /* untouched */
        }
    }
    assert_int_equal(vmrv_userid_norm(NULL, NULL), -1);
    assert_int_equal(vmrv_userid_norm("x", NULL), 0);
}

static void
test_all_users_agree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int want = cases[i].norm != NULL;
        char a[LOGIN_USERID_MAX + 1], b[DIR_USERID_MAX + 1];
        assert_int_equal(login_userid_normalize(cases[i].in, a) == 0, want);
        assert_int_equal(dir_userid_norm(cases[i].in, b) == 0, want);
        struct vm *vm = vm_create(1u << 20, cases[i].in);
        assert_int_equal(vm != NULL, want);
        if (want) {
            assert_string_equal(a, cases[i].norm);
            assert_string_equal(b, cases[i].norm);
            assert_string_equal(vm_userid(vm), cases[i].norm);
            vm_destroy(vm);
        }
    }
    /* the directory's own reserved names */
    char b[DIR_USERID_MAX + 1];
    assert_int_equal(dir_userid_norm("system", b), -EINVAL);
    assert_int_equal(dir_userid_norm("All", b), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_all_users_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
