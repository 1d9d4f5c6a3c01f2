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
#include <stdio.h>
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
    assert_int_equal(console_resize(&f->c, &f->w, 80), 0);
    (void)wire(f); /* nothing shown yet: only a clear */
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
    assert_int_equal(console_resize(&f->c, &f->w, 80), 0);
    (void)wire(f); /* nothing shown yet: only a clear */
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
    assert_int_equal(console_resize(&f->c, &f->w, 80), 0);
    (void)wire(f); /* nothing shown yet: only a clear */
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
    assert_int_equal(console_resize(&f->c, &f->w, 80), 0);
    (void)wire(f); /* nothing shown yet: only a clear */
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
    assert_int_equal(console_resize(&f->c, &f->w, 80), 0);
    (void)wire(f); /* nothing shown yet: only a clear */
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

/* ---- a small VT100 model: replays the wire onto a screen ------------------ */

#define SCR_ROWS 24

struct screen {
    char cell[SCR_ROWS][128];
    int rows, cols, row, col, pending;
};

static void
scr_init(struct screen *s, int cols)
{
    memset(s, 0, sizeof *s);
    memset(s->cell, ' ', sizeof s->cell);
    s->rows = SCR_ROWS;
    s->cols = cols;
}

static void
scr_down(struct screen *s)
{
    if (s->row + 1 < s->rows) {
        s->row++;
        return;
    }
    memmove(s->cell[0], s->cell[1], sizeof s->cell[0] * (size_t)(s->rows - 1));
    memset(s->cell[s->rows - 1], ' ', sizeof s->cell[0]);
}

static int
scr_num(const char **p)
{
    int n = 0, any = 0;
    while (**p >= '0' && **p <= '9') {
        n = n * 10 + (*(*p)++ - '0');
        any = 1;
    }
    return any ? n : 1;
}

/* Apply wire bytes; fails the test on anything the model does not know. */
static void
scr_feed(struct screen *s, const char *p)
{
    while (*p) {
        unsigned char ch = (unsigned char)*p++;
        if (ch == '\r') {
            s->col = 0;
            s->pending = 0;
        } else if (ch == '\n') {
            scr_down(s);
            s->pending = 0;
        } else if (ch == '\b') {
            s->col -= s->col > 0;
            s->pending = 0;
        } else if (ch == '\a') {
            continue;
        } else if (ch == 0x1b) {
            assert_int_equal(*p++, '[');
            int n = scr_num(&p);
            char fin = *p++;
            s->pending = 0;
            if (fin == 'A') {
                s->row = s->row - n < 0 ? 0 : s->row - n;
            } else if (fin == 'B') {
                s->row = s->row + n >= s->rows ? s->rows - 1 : s->row + n;
            } else if (fin == 'C') {
                s->col = s->col + n >= s->cols ? s->cols - 1 : s->col + n;
            } else if (fin == 'J') {
                memset(&s->cell[s->row][s->col], ' ', (size_t)(128 - s->col));
                for (int r = s->row + 1; r < s->rows; r++) {
                    memset(s->cell[r], ' ', sizeof s->cell[r]);
                }
            } else {
                fail_msg("escape sequence ending in %c", fin);
            }
        } else {
            assert_true(ch >= 0x20 && ch < 0x7F);
            if (s->pending) {
                s->col = 0;
                scr_down(s);
                s->pending = 0;
            }
            s->cell[s->row][s->col] = (char)ch;
            if (s->col == s->cols - 1) {
                s->pending = 1;
            } else {
                s->col++;
            }
        }
    }
}

/* Row r of the screen without trailing blanks. */
static const char *
scr_row(const struct screen *s, int r)
{
    static char row[129];
    memcpy(row, s->cell[r], (size_t)s->cols);
    int n = s->cols;
    while (n > 0 && row[n - 1] == ' ') {
        n--;
    }
    row[n] = '\0';
    return row;
}

/* The screen shows text (wrapped at the width) from row top, nothing after,
 * and the cursor is after k of its characters. */
static void
scr_expect(const struct screen *s, int top, const char *text, size_t k)
{
    int n = (int)strlen(text);
    int r = top;
    for (int i = 0; i < n || r == top; i += s->cols, r++) {
        char want[129];
        int m = n - i < s->cols ? n - i : s->cols;
        memcpy(want, text + i, (size_t)(m > 0 ? m : 0));
        want[m > 0 ? m : 0] = '\0';
        while (m > 0 && want[m - 1] == ' ') {
            want[--m] = '\0';
        }
        assert_string_equal(scr_row(s, r), want);
    }
    for (; r < s->rows; r++) {
        assert_string_equal(scr_row(s, r), "");
    }
    if ((int)k == n && n > 0 && n % s->cols == 0) {
        assert_int_equal(s->row, top + (n - 1) / s->cols); /* pending wrap */
        assert_int_equal(s->col, s->cols - 1);
        assert_true(s->pending);
    } else {
        assert_int_equal(s->row, top + (int)k / s->cols);
        assert_int_equal(s->col, (int)k % s->cols);
        assert_false(s->pending);
    }
}

/* Keys, then the wire replayed onto the screen. */
static void
type(struct fix *f, struct screen *s, const char *k)
{
    size_t used;
    assert_int_equal(keys(f, k, &used), CONSOLE_EV_NONE);
    assert_int_equal(used, strlen(k));
    scr_feed(s, wire(f));
}

static void
test_cursor_editing(void **state)
{
    struct fix *f = *state; /* 10 columns */
    struct screen s;
    scr_init(&s, 10);
    console_set_prompt(&f->c, &f->w, "> ", 0);
    scr_feed(&s, wire(f));
    type(f, &s, "abcdefghijklmn");
    scr_expect(&s, 0, "> abcdefghijklmn", 16);
    type(f, &s, "\x1b[H"); /* Home */
    scr_expect(&s, 0, "> abcdefghijklmn", 2);
    type(f, &s, "X");
    scr_expect(&s, 0, "> Xabcdefghijklmn", 3);
    type(f, &s, "\x1b[C\x1b[C\x06\x06\x06\x06\x06\x06"); /* Right x2, Ctrl-F x6 */
    scr_expect(&s, 0, "> Xabcdefghijklmn", 11);
    type(f, &s, "\x1b[3~"); /* Delete: the i */
    scr_expect(&s, 0, "> Xabcdefghjklmn", 11);
    type(f, &s, "\x7f\x7f"); /* Backspace: g, h */
    scr_expect(&s, 0, "> Xabcdefjklmn", 9);
    type(f, &s, "\x05"); /* Ctrl-E: end, 14 columns */
    scr_expect(&s, 0, "> Xabcdefjklmn", 14);
    type(f, &s, "\x01\x1b[D"); /* Ctrl-A, Left at the start: stays */
    scr_expect(&s, 0, "> Xabcdefjklmn", 2);
    type(f, &s, "\x1bOF\x1b[D\x1b[D\x0b"); /* End (SS3), Left x2, Ctrl-K */
    scr_expect(&s, 0, "> Xabcdefjkl", 12);
    type(f, &s, "\x02\x02\x02\x02 \x17"); /* "Xabcde |fjkl", Ctrl-W: the word */
    scr_expect(&s, 0, "> fjkl", 2);
    /* end of a full row: the terminal's pending-wrap position */
    type(f, &s, "\x1b[Fwxyzab\x7f\x7f");
    scr_expect(&s, 0, "> fjklwxyz", 10);
    type(f, &s, "\x1b[D");
    scr_expect(&s, 0, "> fjklwxyz", 9);
    type(f, &s, "\x1b[4~");
    scr_expect(&s, 0, "> fjklwxyz", 10);
    expect_line(f, "\x01\x1b[C!\r", "f!jklwxyz"); /* Enter sends the whole line */ /* Enter sends the whole line */
}

static void
test_cursor_output_redraw(void **state)
{
    struct fix *f = *state;
    struct screen s;
    scr_init(&s, 10);
    console_set_prompt(&f->c, &f->w, "> ", 0);
    scr_feed(&s, wire(f));
    type(f, &s, "hello world\x1b[1~\x1b[C");
    scr_expect(&s, 0, "> hello world", 3);
    out(f, "message\n");
    scr_feed(&s, wire(f));
    assert_string_equal(scr_row(&s, 0), "message");
    scr_expect(&s, 1, "> hello world", 3);
    assert_int_equal(console_resize(&f->c, &f->w, 20), 0);
    s.cols = 20;
    (void)keys(f, "\x0c", NULL); /* Ctrl-L */
    scr_feed(&s, wire(f));
    scr_expect(&s, 1, "> hello world", 3);
    /* a character typed in pieces (UTF-8) goes in whole */
    keys(f, "\xc3", NULL);
    keys(f, "\xa9", NULL);
    (void)wire(f);
    f->c.line[f->c.line_len] = '\0';
    assert_string_equal(f->c.line, "h\xc3\xa9" "ello world");
    assert_int_equal(f->c.cur, 3);
    keys(f, "\x1b[D\x1b[3~", NULL); /* Delete removes both bytes */
    f->c.line[f->c.line_len] = '\0';
    assert_string_equal(f->c.line, "hello world");
}

/* A window change draws the input area again for the new width (the
 * model is a terminal that does not reflow: rows stay as they were). */
static void
test_resize_redraw(void **state)
{
    struct fix *f = *state; /* 10 columns */
    struct screen s;
    scr_init(&s, 10);
    out(f, "ab\n");
    console_set_prompt(&f->c, &f->w, "> ", 0);
    scr_feed(&s, wire(f));
    type(f, &s, "hello world");
    scr_expect(&s, 1, "> hello world", 13); /* two rows at 10 */
    assert_int_equal(console_resize(&f->c, &f->w, 20), 0);
    s.cols = 20;
    scr_feed(&s, wire(f));
    assert_string_equal(scr_row(&s, 0), "ab");
    scr_expect(&s, 1, "> hello world", 13); /* one row at 20 */
    type(f, &s, "\x1b[H\x1b[C"); /* the cursor inside the line */
    assert_int_equal(console_resize(&f->c, &f->w, 6), 0);
    s.cols = 6;
    scr_feed(&s, wire(f));
    scr_expect(&s, 1, "> hello world", 3); /* three rows at 6 */
    type(f, &s, "X");
    scr_expect(&s, 1, "> hXello world", 4);
    /* output now wraps at 6, the input area follows it */
    out(f, "0123456789\n");
    scr_feed(&s, wire(f));
    assert_string_equal(scr_row(&s, 1), "012345");
    assert_string_equal(scr_row(&s, 2), "6789");
    scr_expect(&s, 3, "> hXello world", 4);
    /* the same width again, or a bad one: nothing to draw */
    assert_int_equal(console_resize(&f->c, &f->w, 6), 0);
    assert_int_equal(console_resize(&f->c, &f->w, 0), 0);
    assert_string_equal(wire(f), "");
    expect_line(f, "\r", "hXello world");
}

/* Random editing against a model string: the screen always shows the line
 * and the cursor where the model says. */
static void
test_cursor_random(void **state)
{
    struct fix *f = *state;
    static const char *const keyset[] = {
        "a", "b", " ", "\x7f", "\x1b[3~", "\x1b[D", "\x1b[C", "\x01", "\x05",
        "\x02", "\x06", "\x0b", "\x17", "\x1bOH", "\x1b[8~", "\x0c",
    };
    struct screen s;
    scr_init(&s, 7);
    assert_int_equal(console_resize(&f->c, &f->w, 7), 0);
    console_set_prompt(&f->c, &f->w, "R; ", 0);
    scr_feed(&s, wire(f));
    char model[64] = "";
    size_t cur = 0;
    unsigned seed = 12345;
    for (int step = 0; step < 3000; step++) {
        seed = seed * 1103515245u + 12345u;
        size_t k = (seed >> 16) % (sizeof keyset / sizeof keyset[0]);
        size_t len = strlen(model);
        if (len >= 40 && k < 3) {
            k = 3; /* keep it within a few rows */
        }
        const char *key = keyset[k];
        switch (k) {
        case 0: case 1: case 2:
            memmove(model + cur + 1, model + cur, len - cur + 1);
            model[cur++] = key[0];
            break;
        case 3:
            if (cur > 0) {
                memmove(model + cur - 1, model + cur, len - cur + 1);
                cur--;
            }
            break;
        case 4:
            if (cur < len) {
                memmove(model + cur, model + cur + 1, len - cur);
            }
            break;
        case 5: case 9: cur -= cur > 0; break;
        case 6: case 10: cur += cur < len; break;
        case 7: case 13: cur = 0; break;
        case 8: case 14: cur = len; break;
        case 11: model[cur] = '\0'; break;
        case 12: {
            size_t n = cur;
            while (n > 0 && model[n - 1] == ' ') {
                n--;
            }
            while (n > 0 && model[n - 1] != ' ') {
                n--;
            }
            memmove(model + n, model + cur, len - cur + 1);
            cur = n;
            break;
        }
        default: break;
        }
        type(f, &s, key);
        char text[80];
        snprintf(text, sizeof text, "R; %s", model);
        scr_expect(&s, 0, text, 3 + cur);
        f->c.line[f->c.line_len] = '\0';
        assert_string_equal(f->c.line, model);
    }
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
        cmocka_unit_test_setup_teardown(test_cursor_editing, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_output_redraw, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_random, setup_pty, teardown),
        cmocka_unit_test_setup_teardown(test_resize_redraw, setup_pty, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
