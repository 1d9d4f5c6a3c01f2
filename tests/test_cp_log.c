// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_log.c - cmocka tests of cp/log.c: line format, levels,
 * control characters, the separate audit trail, and reopening after the
 * files were moved away (what logrotate + SIGHUP does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/log.h"
#include "tests/test_cp_harness.h"

static char *
read_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return harness_slurp(path);
}

static void
test_lines(void **state)
{
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    assert_int_equal(cplog_open(dir, CPLOG_INFO, false), 0);
    cplog(CPLOG_INFO, "VMR201I", "MAINT", "MAINT logged on from %s", "127.0.0.1");
    cplog(CPLOG_DEBUG, NULL, NULL, "not shown at level info");
    cplog(CPLOG_ERROR, NULL, NULL, "bad\nthing\x1b[2J");
    cplog_audit("FORCE", "BOB", "by %s", "OPERATOR");
    char *log = read_in(dir, "vmrv.log");
    char *audit = read_in(dir, "audit.log");
    assert_non_null(log);
    assert_non_null(audit);
    /* time, level, id, userid, text */
    assert_non_null(strstr(log, " INFO  VMR201I  MAINT    MAINT logged on from 127.0.0.1\n"));
    assert_null(strstr(log, "not shown"));
    assert_non_null(strstr(log, " ERROR -        -        bad?thing?[2J\n"));
    assert_non_null(strstr(log, "FORCE by OPERATOR"));
    assert_non_null(strstr(audit, " FORCE    BOB      by OPERATOR\n"));
    assert_null(strstr(audit, "logged on"));
    /* one line per call: 3 in the log (with the audit copy), 1 in the audit trail */
    int lines = 0;
    for (char *p = log; (p = strchr(p, '\n')); p++) {
        lines++;
    }
    assert_int_equal(lines, 3);
    /* ISO date at the start of a line */
    assert_true(log[4] == '-' && log[7] == '-' && log[10] == 'T');
    free(log);
    free(audit);

    cplog_set_level(CPLOG_DEBUG);
    cplog(CPLOG_DEBUG, NULL, NULL, "now shown");
    log = read_in(dir, "vmrv.log");
    assert_non_null(strstr(log, "DEBUG -        -        now shown"));
    free(log);
    cplog_close();
    harness_rmtree(dir);
}

static void
test_reopen(void **state)
{
    char dir[256], from[300], to[300];
    harness_tmpdir(dir, sizeof dir);
    assert_int_equal(cplog_open(dir, CPLOG_INFO, false), 0);
    cplog(CPLOG_INFO, NULL, NULL, "before");
    snprintf(from, sizeof from, "%s/vmrv.log", dir);
    snprintf(to, sizeof to, "%s/vmrv.log.1", dir);
    assert_int_equal(rename(from, to), 0);
    cplog_request_reopen(); /* what the SIGHUP handler does */
    cplog(CPLOG_INFO, NULL, NULL, "after");
    char *old = read_in(dir, "vmrv.log.1");
    char *cur = read_in(dir, "vmrv.log");
    assert_non_null(old);
    assert_non_null(cur);
    assert_non_null(strstr(old, "before"));
    assert_null(strstr(old, "after"));
    assert_non_null(strstr(cur, "after"));
    free(old);
    free(cur);
    /* a folder that is gone: reopen fails, the old files stay in use */
    cplog_close();
    assert_true(cplog_open("/nonexistent/folder", CPLOG_INFO, false) < 0);
    harness_rmtree(dir);
}

static void
test_levels(void **state)
{
    assert_int_equal(cplog_level_parse("Warning"), CPLOG_WARN);
    assert_int_equal(cplog_level_parse("warn"), CPLOG_WARN);
    assert_int_equal(cplog_level_parse("debug"), CPLOG_DEBUG);
    assert_int_equal(cplog_level_parse("chatty"), -1);
    assert_string_equal(cplog_level_name(CPLOG_ERROR), "error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
