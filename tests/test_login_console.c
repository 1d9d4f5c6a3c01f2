// SPDX-License-Identifier: MIT
/*
 * tests/test_login_console.c - unit tests of login/console.c, the line
 * editor and terminal renderer of SSH consoles: bytes in, bytes out, no
 * sockets. The end-to-end view is in tests/login_console.exp.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "login/login_int.h"

struct fix {
    struct console c;
    struct login_buf w;
};

static int
setup_pty(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    console_init(&f->c, 1, 10);
    *state = f;
    return 0;
}

static int
setup_plain(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    console_init(&f->c, 0, 80);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;
    console_free(&f->c);
    login_buf_free(&f->w);
    free(f);
    return 0;
}

/* The wire as a string (and clear it). */
static const char *
wire(struct fix *f)
{
    static char out[8192];
    size_t n = f->w.len < sizeof out - 1 ? f->w.len : sizeof out - 1;
    memcpy(out, f->w.p ? f->w.p : "", n);
    out[n] = '\0';
    f->w.len = 0;
    return out;
}

static void
out(struct fix *f, const char *s)
{
    assert_int_equal(console_output(&f->c, &f->w, s, strlen(s)), 0);
}

/* Feed keys; returns the first event; *line gets the line if any. */
static enum console_event
keys(struct fix *f, const char *s, size_t *used)
{
    size_t u = 0;
    enum console_event ev = console_input(&f->c, &f->w, s, strlen(s), &u);
    if (used != NULL) {
        *used = u;
    }
    return ev;
}

static void
expect_line(struct fix *f, const char *s, const char *want)
{
    size_t used;
    assert_int_equal(keys(f, s, &used), CONSOLE_EV_LINE);
    assert_int_equal(used, strlen(s));
    assert_true(f->c.line_ready);
    assert_string_equal(f->c.line, want);
    console_take_line(&f->c, &f->w);
}

static void
test_output_crlf_and_wrap(void **state)
{
    struct fix *f = *state;
    out(f, "hello\n");
    assert_string_equal(wire(f), "hello\r\n");
    out(f, "0123456789abc\n");
    assert_string_equal(wire(f), "0123456789\r\nabc\r\n");
    /* exactly the width: no empty row */
    out(f, "0123456789\nx\n");
    assert_string_equal(wire(f), "0123456789\r\nx\r\n");
    /* a line may come in pieces */
    out(f, "01234");
    out(f, "56789ab\n");
    assert_string_equal(wire(f), "0123456789\r\nab\r\n");
    /* tabs to the next multiple of 8 */
    out(f, "a\tb\n");
    assert_string_equal(wire(f), "a       b\r\n");
}

static void
test_output_filter(void **state)
{
    struct fix *f = *state;
    console_resize(&f->c, 80);
    /* ESC, BEL, DEL, CR and the C1 control CSI (C2 9B) never reach the
     * terminal; UTF-8 text does */
    out(f, "a\x1b[31mb\x07" "c\x7f" "d\r\xc2\x9b" "e\xc3\xa9\xc2\xa0z\n");
    assert_string_equal(wire(f), "a[31mbcde\xc3\xa9\xc2\xa0z\r\n");
    /* a C2 split across two writes */
    out(f, "x\xc2");
    out(f, "\x9b" "y\n");
    assert_string_equal(wire(f), "xy\r\n");
}

static void
test_plain_console(void **state)
{
    struct fix *f = *state;
    out(f, "one\ntwo\x1b\n");
    assert_string_equal(wire(f), "one\ntwo\n");
    expect_line(f, "abc\r\n", "abc");
    assert_string_equal(wire(f), ""); /* no echo */
    expect_line(f, "x\x7fy\n", "x\x7fy");
    size_t used;
    assert_int_equal(keys(f, "ab\x03" "cd", &used), CONSOLE_EV_ATTN);
    assert_int_equal(used, 3);
    expect_line(f, "z\n", "z");
}

static void
test_echo_and_editing(void **state)
{
    struct fix *f = *state;
    console_resize(&f->c, 80);
    expect_line(f, "ab\r", "ab");
    assert_string_equal(wire(f), "ab\r\n");
    expect_line(f, "abc\x7f\r", "ab");
    assert_string_equal(wire(f), "abc\b \b\r\n");
    expect_line(f, "a\xc3\xa9\x7f\r", "a"); /* backspace removes a whole character */
    expect_line(f, "junk\x15ok\r", "ok");
    expect_line(f, "one two  \x17three\r", "one three");
    expect_line(f, "\x1b[1;5Cx\x1bOCy\x1b[15~z\x1bq\r", "xyz"); /* sequences swallowed */
    expect_line(f, "a\tb\r", "a b");
    /* CR LF is one Enter */
    expect_line(f, "p\r", "p");
    size_t used;
    assert_int_equal(keys(f, "\n", &used), CONSOLE_EV_NONE);
    assert_int_equal(used, 1);
    expect_line(f, "q\n", "q");
}

static void
test_backspace_at_row_end(void **state)
{
    struct fix *f = *state; /* 10 columns */
    (void)wire(f);
    size_t used;
    assert_int_equal(keys(f, "0123456789", &used), CONSOLE_EV_NONE);
    assert_string_equal(wire(f), "0123456789");
    /* the cursor may be in pending wrap: redraw instead of "\b \b" */
    assert_int_equal(keys(f, "\x7f", &used), CONSOLE_EV_NONE);
    assert_string_equal(wire(f), "\r\x1b[J012345678");
    /* input over two rows: erase goes up one row */
    assert_int_equal(keys(f, "9ab\x15", &used), CONSOLE_EV_NONE);
    assert_string_equal(wire(f), "9ab\r\x1b[1A\x1b[J");
}

static void
test_attention_drops_input(void **state)
{
    struct fix *f = *state;
    size_t used;
    assert_int_equal(keys(f, "abc\x03xyz", &used), CONSOLE_EV_ATTN);
    assert_int_equal(used, 4);
    assert_int_equal(f->c.line_len, 0);
    expect_line(f, "xyz\r", "xyz");
}

static void
test_masked_input(void **state)
{
    struct fix *f = *state;
    console_resize(&f->c, 80);
    assert_int_equal(console_set_prompt(&f->c, &f->w, "> ", 0), 0);
    assert_string_equal(wire(f), "\r\x1b[J> ");
    size_t used;
    keys(f, "typed", &used); /* typed before the password request: dropped */
    (void)wire(f);
    assert_int_equal(console_set_prompt(&f->c, &f->w, "Password:", LOGIN_INPUT_MASKED), 0);
    assert_string_equal(wire(f), "\r\x1b[JPassword:");
    expect_line(f, "s3cret\r", "s3cret");
    const char *w = wire(f);
    assert_null(strstr(w, "s3cret"));
    assert_string_equal(w, "\r\n> "); /* the normal prompt is back */
    /* masked lines are not recalled */
    expect_line(f, "visible\r", "visible");
    (void)wire(f);
    assert_int_equal(keys(f, "\x1b[A", &used), CONSOLE_EV_NONE);
    assert_string_equal(f->c.line, "visible");
    assert_int_equal(keys(f, "\x1b[A", &used), CONSOLE_EV_NONE);
    assert_int_equal(f->c.line_len, strlen("visible"));
}

static void
test_recall(void **state)
{
    struct fix *f = *state;
    console_resize(&f->c, 80);
    expect_line(f, "one\r", "one");
    expect_line(f, "two\r", "two");
    expect_line(f, "two\r", "two"); /* no repeats */
    size_t used;
    keys(f, "dra", &used);
    keys(f, "\x1b[A", &used);
    assert_string_equal(f->c.line, "two");
    keys(f, "\x1b[A", &used);
    f->c.line[f->c.line_len] = '\0';
    assert_string_equal(f->c.line, "one");
    keys(f, "\x1b[A", &used); /* no older one */
    f->c.line[f->c.line_len] = '\0';
    assert_string_equal(f->c.line, "one");
    keys(f, "\x1b[B\x1b[B", &used);
    f->c.line[f->c.line_len] = '\0';
    assert_string_equal(f->c.line, "dra"); /* the draft is back */
    expect_line(f, "ft\r", "draft");
}

static void
test_output_while_typing(void **state)
{
    struct fix *f = *state;
    console_resize(&f->c, 80);
    console_set_prompt(&f->c, &f->w, "> ", 0);
    size_t used;
    keys(f, "ab", &used);
    (void)wire(f);
    out(f, "msg\n");
    assert_string_equal(wire(f), "\r\x1b[Jmsg\r\n> ab");
    /* an unfinished output line stays in front of the input */
    out(f, "Q? ");
    assert_string_equal(wire(f), "\r\x1b[JQ? > ab");
    expect_line(f, "c\r", "abc");
    assert_string_equal(wire(f), "c\r\n> ");
    /* no prompt, no input: output is written as is */
    console_set_prompt(&f->c, &f->w, "", 0);
    (void)wire(f);
    out(f, "plain\n");
    assert_string_equal(wire(f), "plain\r\n");
}

static void
test_line_limit_and_pending(void **state)
{
    struct fix *f = *state;
    char big[LOGIN_LINE_MAX + 100];
    memset(big, 'x', sizeof big - 2);
    big[sizeof big - 2] = '\r';
    big[sizeof big - 1] = '\0';
    size_t used;
    assert_int_equal(keys(f, big, &used), CONSOLE_EV_LINE);
    assert_int_equal(f->c.line_len, LOGIN_LINE_MAX);
    assert_non_null(strchr(wire(f), '\a'));
    /* a line waiting for the backend: nothing more is taken */
    assert_int_equal(keys(f, "more\r", &used), CONSOLE_EV_NONE);
    assert_int_equal(used, 0);
    console_take_line(&f->c, &f->w);
    expect_line(f, "more\r", "more");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_output_crlf_and_wrap, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_output_filter, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_plain_console, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_echo_and_editing, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_backspace_at_row_end, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_attention_drops_input, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_masked_input, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_recall, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_output_while_typing, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_line_limit_and_pending, setup_pty, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
