// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_msg.c - cmocka tests of the message table and formatter
 * (cp/msg.c, cp/msgtab.c): ids, severities, SET EMSG/IMSG rendering,
 * argument substitution, truncation, and the table's own consistency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cp/msg.h"

static void
test_ids(void **state)
{
    char id[MSG_ID_LEN];
    assert_string_equal(msg_id(MSG_INVOPT, id), "VMR003E");
    assert_string_equal(msg_id(MSG_UNKNOWN_CMD, id), "VMR001E");
    assert_string_equal(msg_id(MSG_LOGOFFAT, id), "VMR102R");
    assert_string_equal(msg_id(MSG_FORCED, id), "VMR061I");
    assert_string_equal(msg_id(MSG_MSGOFF, id), "VMR057W");
    assert_string_equal(msg_id(4242, id), "VMR999S");
    assert_int_equal(msg_severity(MSG_INVOPT), 'E');
    assert_true(msg_is_error(MSG_INVOPT));
    assert_false(msg_is_error(MSG_MSGOFF));
    assert_false(msg_is_error(MSG_LOGONAT));
}

static void
test_emsg(void **state)
{
    char buf[200];
    struct msg_opts o = {MSG_EMSG_ON, true};
    msg_format(buf, sizeof buf, MSG_INVOPT, &o, MSG_ARGS("FOO"));
    assert_string_equal(buf, "VMR003E Invalid option: FOO");
    o.emsg = MSG_EMSG_TEXT;
    msg_format(buf, sizeof buf, MSG_INVOPT, &o, MSG_ARGS("FOO"));
    assert_string_equal(buf, "Invalid option: FOO");
    o.emsg = MSG_EMSG_CODE;
    msg_format(buf, sizeof buf, MSG_INVOPT, &o, MSG_ARGS("FOO"));
    assert_string_equal(buf, "VMR003E");
    o.emsg = MSG_EMSG_OFF;
    assert_int_equal(msg_format(buf, sizeof buf, MSG_INVOPT, &o, MSG_ARGS("FOO")), 0);
    assert_string_equal(buf, "");
    /* responses: always text only */
    msg_format(buf, sizeof buf, MSG_STORAGE, &o, MSG_ARGS("32M"));
    assert_string_equal(buf, "STORAGE = 32M");
    o.emsg = MSG_EMSG_ON;
    msg_format(buf, sizeof buf, MSG_STORAGE, &o, MSG_ARGS("32M"));
    assert_string_equal(buf, "STORAGE = 32M");
    /* information: per EMSG, text when OFF, nothing with IMSG OFF */
    msg_format(buf, sizeof buf, MSG_FORCED, &o, MSG_ARGS("BOB"));
    assert_string_equal(buf, "VMR061I BOB is being forced off");
    o.emsg = MSG_EMSG_OFF;
    msg_format(buf, sizeof buf, MSG_FORCED, &o, MSG_ARGS("BOB"));
    assert_string_equal(buf, "BOB is being forced off");
    o.imsg = false;
    assert_int_equal(msg_format(buf, sizeof buf, MSG_FORCED, &o, MSG_ARGS("BOB")), 0);
    /* NULL options are EMSG ON */
    msg_format(buf, sizeof buf, MSG_MSGOFF, NULL, MSG_ARGS("BOB"));
    assert_string_equal(buf, "VMR057W BOB is not receiving messages");
}

static void
test_args(void **state)
{
    char buf[200];
    /* too few arguments: empty, never a crash */
    msg_format(buf, sizeof buf, MSG_NOPRIV, NULL, MSG_ARGS("FORCE"));
    assert_string_equal(buf, "VMR006E FORCE needs privilege class ; you have ");
    msg_format(buf, sizeof buf, MSG_NOPRIV, NULL, MSG_ARGS("FORCE", "A", "G"));
    assert_string_equal(buf, "VMR006E FORCE needs privilege class A; you have G");
    /* no arguments at all */
    msg_format(buf, sizeof buf, MSG_SHUTTING, NULL, MSG_ARGS());
    assert_string_equal(buf, "VMR053E Logon refused: the system is shutting down");
    /* arguments with % in them are not reinterpreted */
    msg_format(buf, sizeof buf, MSG_INVOPND, NULL, MSG_ARGS("%1%s%%"));
    assert_string_equal(buf, "VMR002E Invalid operand: %1%s%%");
    /* unknown numbers still say something */
    msg_format(buf, sizeof buf, 4242, NULL, MSG_ARGS("x"));
    assert_string_equal(buf, "VMR999S Message 4242 is missing from the table");
}

static void
test_truncation(void **state)
{
    char small[12];
    memset(small, 'x', sizeof small);
    size_t need = msg_format(small, sizeof small, MSG_INVOPT, NULL, MSG_ARGS("FOOBAR"));
    assert_int_equal(need, strlen("VMR003E Invalid option: FOOBAR"));
    assert_string_equal(small, "VMR003E Inv");
    char one[1];
    assert_int_equal(msg_format(one, 1, MSG_INVOPT, NULL, MSG_ARGS("FOOBAR")), need);
    assert_string_equal(one, "");
    char t[8];
    assert_int_equal(msg_text(t, sizeof t, MSG_STORAGE, MSG_ARGS("1G")), strlen("STORAGE = 1G"));
    assert_string_equal(t, "STORAGE");
}

static void
test_table_consistent(void **state)
{
    static const char sevs[] = "IWESTRAD";
    for (size_t i = 0; i < msg_table_len; i++) {
        const struct msg_def *d = &msg_table[i];
        assert_true(d->num > 0 && d->num < 1000);
        assert_non_null(strchr(sevs, d->sev));
        assert_non_null(d->text);
        if (i > 0 && msg_table[i - 1].num >= d->num) {
            fail_msg("table not ascending at %d", d->num);
        }
        assert_ptr_equal(msg_lookup(d->num), d);
        /* placeholders are %1..%9 or %% only */
        for (const char *p = d->text; (p = strchr(p, '%')); p += 2) {
            if (!(p[1] == '%' || (p[1] >= '1' && p[1] <= '9'))) {
                fail_msg("message %d: bad placeholder", d->num);
            }
        }
    }
    /* every number the code uses has a row (spot checks across ranges) */
    static const int used[] = {MSG_UNKNOWN_CMD, MSG_INVDEV, MSG_NOTLOGGEDON, MSG_SELF,
                               MSG_LOGONAT, MSG_SHUTDOWNSTART, MSG_NODEV, MSG_LOST,
                               MSG_LOG_LOGON, MSG_LOG_REFUSED};
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
        assert_non_null(msg_lookup(used[i]));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),      cmocka_unit_test(test_emsg),
        cmocka_unit_test(test_args),     cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_table_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
