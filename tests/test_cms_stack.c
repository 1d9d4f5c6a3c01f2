// SPDX-License-Identifier: MIT
/*
 * tests/test_cms_stack.c - the CMS program stack (cms/stack.c) on the
 * host: PUSH and QUEUE within buffers, reads through empty buffers,
 * DROPBUF and DESBUF, growth to many lines, and every allocation failing
 * in turn (the call reports CMS_ENOSPC and the stack keeps every line it
 * had).  stack.c is compiled into this program with its allocations
 * routed through cmocka's, which also reports any block left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Allocations fail once fail_at reaches 0 (counting down; -1 never). */
static long fail_at = -1;

static void *
fi_malloc(size_t n, const char *file, int line)
{
    if (fail_at == 0) {
        return NULL;
    }
    if (fail_at > 0) {
        fail_at--;
    }
    return _test_malloc(n, file, line);
}

static void *
fi_realloc(void *p, size_t n, const char *file, int line)
{
    if (fail_at == 0) {
        return NULL;
    }
    if (fail_at > 0) {
        fail_at--;
    }
    return _test_realloc(p, n, file, line);
}

#define malloc(n) fi_malloc((n), __FILE__, __LINE__)
#define realloc(p, n) fi_realloc((p), (n), __FILE__, __LINE__)
#define free(p) _test_free((p), __FILE__, __LINE__)
#include "cms/stack.c"
#undef malloc
#undef realloc
#undef free

static void
add(const char *s, int lifo)
{
    assert_int_equal(cms_stack_add(s, strlen(s), lifo), 0);
}

static void
expect_take(const char *want)
{
    char buf[CMS_LINE_MAX + 1];
    int n = cms_stack_take(buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void
expect_empty(void)
{
    char buf[8];
    assert_int_equal(cms_stack_take(buf, sizeof buf), -1);
    assert_int_equal(cms_stack_count(), 0);
    assert_int_equal(cms_stack_buffers(), 0);
}

static void
test_buffers_order(void **state)
{
    (void)state;
    add("old", 0);
    assert_int_equal(cms_stack_makebuf(), 1);
    add("new1", 0);
    add("new2", 0);
    add("new0", 1);
    assert_int_equal(cms_stack_count(), 4);
    expect_take("new0");
    expect_take("new1");
    expect_take("new2");
    /* buffer 1 is empty but stays until a read passes it */
    assert_int_equal(cms_stack_buffers(), 1);
    expect_take("old");
    assert_int_equal(cms_stack_buffers(), 0);
    expect_empty();
}

static void
test_dropbuf(void **state)
{
    (void)state;
    add("base", 0);
    assert_int_equal(cms_stack_makebuf(), 1);
    add("one", 0);
    assert_int_equal(cms_stack_makebuf(), 2);
    add("two", 0);
    assert_int_equal(cms_stack_makebuf(), 3);
    add("three", 1);
    assert_int_equal(cms_stack_dropbuf(4), -1);
    assert_int_equal(cms_stack_count(), 4);
    assert_int_equal(cms_stack_dropbuf(3), 0);
    assert_int_equal(cms_stack_count(), 3);
    assert_int_equal(cms_stack_dropbuf(2), 0);
    assert_int_equal(cms_stack_buffers(), 1);
    expect_take("one");
    assert_int_equal(cms_stack_makebuf(), 2);
    assert_int_equal(cms_stack_dropbuf(0), 0);
    expect_empty();
    /* DESBUF */
    add("x", 0);
    cms_stack_makebuf();
    add("y", 1);
    cms_stack_clear();
    expect_empty();
}

static void
test_empty_buffers_dropped_by_read(void **state)
{
    (void)state;
    cms_stack_makebuf();
    cms_stack_makebuf();
    cms_stack_makebuf();
    char buf[8];
    assert_int_equal(cms_stack_take(buf, sizeof buf), -1);
    assert_int_equal(cms_stack_buffers(), 0);
    assert_int_equal(cms_stack_makebuf(), 1);
    cms_stack_clear();
}

static void
test_long_line_truncated(void **state)
{
    (void)state;
    char big[400], buf[CMS_LINE_MAX + 1];
    memset(big, 'a', sizeof big);
    assert_int_equal(cms_stack_add(big, sizeof big, 0), 0);
    assert_int_equal(cms_stack_take(buf, sizeof buf), CMS_LINE_MAX);
    /* a smaller reader gets a cut line, the line is gone */
    add("abcdef", 0);
    assert_int_equal(cms_stack_take(buf, 4), 3);
    assert_string_equal(buf, "abc");
    expect_empty();
}

static void
test_many_lines(void **state)
{
    (void)state;
    char s[32], buf[CMS_LINE_MAX + 1];
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "base %d", i);
        add(s, 0);
    }
    cms_stack_makebuf();
    for (int i = 0; i < 10000; i++) {
        snprintf(s, sizeof s, "buf %d", i);
        add(s, i % 2);
    }
    assert_int_equal(cms_stack_count(), 15000);
    /* pushed (odd) lines on top, newest first; then queued (even) ones */
    for (int i = 9999; i >= 1; i -= 2) {
        snprintf(s, sizeof s, "buf %d", i);
        expect_take(s);
    }
    for (int i = 0; i < 10000; i += 2) {
        snprintf(s, sizeof s, "buf %d", i);
        expect_take(s);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "base %d", i);
        assert_int_equal(cms_stack_take(buf, sizeof buf), (int)strlen(s));
        assert_string_equal(buf, s);
    }
    expect_empty();
}

/* A sequence of adds and buffers; with allocation k failing, the failing
 * call says CMS_ENOSPC and the stack holds exactly what it held before. */
static void
test_allocation_failures(void **state)
{
    (void)state;
    for (long k = 0; k < 200; k++) {
        int failed = 0;
        unsigned added = 0;
        fail_at = k;
        for (int i = 0; i < 150 && !failed; i++) {
            char s[16];
            snprintf(s, sizeof s, "l%d", i);
            int before = cms_stack_count(), nb = cms_stack_buffers();
            int rc = (i % 50 == 49) ? cms_stack_makebuf() : cms_stack_add(s, strlen(s), i % 3 == 0);
            if (rc == CMS_ENOSPC) {
                failed = 1;
                assert_int_equal(cms_stack_count(), before);
                assert_int_equal(cms_stack_buffers(), nb);
            } else {
                assert_true(rc >= 0);
                added += (i % 50 == 49) ? 0 : 1;
            }
        }
        fail_at = -1;
        assert_int_equal(cms_stack_count(), (int)added);
        /* every line that was added can be read back */
        char buf[16];
        unsigned got = 0;
        while (cms_stack_take(buf, sizeof buf) >= 0) {
            got++;
        }
        assert_int_equal(got, added);
        expect_empty();
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffers_order),
        cmocka_unit_test(test_dropbuf),
        cmocka_unit_test(test_empty_buffers_dropped_by_read),
        cmocka_unit_test(test_long_line_truncated),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
