// SPDX-License-Identifier: MIT
/*
 * login/console.c - the line-mode console of an SSH session: line editor
 * for input and renderer for output. Pure byte-in, bytes-out code: it knows
 * nothing of libssh (session.c and io.c feed it and write what it produces
 * into the channel), so tests drive it directly.
 *
 * Screen model (pty consoles). The last screen row(s) hold the *input
 * area*: `tail` (the unfinished last row of output), then the prompt, then
 * the typed input (nothing when masked); the cursor sits at its end. Output
 * from the backend erases the input area (only if a prompt or input is
 * shown), continues after the tail, wraps explicitly at the terminal width,
 * and redraws prompt and input below. Rows are counted with the "pending
 * wrap" rule of VT100-like terminals: after n > 0 columns the cursor is on
 * row (n - 1) / cols of the area.
 *
 * Keys: printable characters (UTF-8 kept whole) inserted at the cursor,
 * Enter (CR, LF or CR LF; the whole line is sent wherever the cursor is),
 * Backspace/DEL (the character before the cursor), Delete (ESC [ 3 ~, the
 * character under it), Left/Right or Ctrl-B/Ctrl-F, Home/End (ESC [ H/F,
 * ESC O H/F, ESC [ 1/7 ~, ESC [ 4/8 ~) or Ctrl-A/Ctrl-E, Ctrl-U (erase the
 * line), Ctrl-K (erase to its end), Ctrl-W (erase the word before the
 * cursor), Ctrl-L (redraw), Up/Down (recall, CSI and SS3 forms), Ctrl-C =
 * attention (the typed input is dropped; the backend is told). Other control
 * keys and escape sequences are swallowed. Plain consoles (no pty) split
 * input at LF, drop CR, never echo.
 *
 * Cursor: `cur` is a byte offset into the line, always at a character
 * boundary. At the end of the line the cursor is where the terminal leaves
 * it after the last character (maybe in pending wrap); inside the line it is
 * placed explicitly: after drawing, CR, up to its row, right to its column.
 * Edits in the middle redraw the input area; typing at the end just echoes.
 *
 * Resize (window-change): the input area is erased as laid out for the old
 * width and drawn again for the new one; output already on the screen is
 * the terminal's business. The tail keeps its characters; if it is now
 * wider than the screen the terminal wraps it and the next output byte
 * starts a new row.
 *
 * Output filtering: every C0 control except LF and TAB, DEL, ESC and the
 * UTF-8 encoded C1 controls (C2 80..C2 9F) are removed, so that nothing a
 * guest prints can drive the user's terminal.
 */
#include "login/login_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

static int
is_cont(unsigned char ch)
{
    return (ch & 0xC0) == 0x80;
}

/* Columns of UTF-8 text: one per character (lead byte or ASCII). */
static int
text_cols(const char *p, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_cont((unsigned char)p[i])) {
            cols++;
        }
    }
    return cols;
}

static const char *
cur_prompt(const struct console *c)
{
    return c->masked ? c->mprompt : c->prompt;
}

/* Columns of prompt + shown input (the part after the tail). */
static int
area_extra_cols(const struct console *c)
{
    if (c->line_ready) {
        return 0; /* nothing shown until the backend takes the line */
    }
    const char *p = cur_prompt(c);
    int n = text_cols(p, strlen(p));
    if (!c->masked) {
        n += text_cols(c->line, c->line_len);
    }
    return n;
}

static int
area_cols(const struct console *c)
{
    return c->tail_cols + area_extra_cols(c);
}

/* Is the cursor after everything shown (the terminal's own position)? */
static int
cursor_at_end(const struct console *c)
{
    return c->line_ready || c->masked || c->cur >= c->line_len;
}

/* Columns of the area before the cursor (valid when not at the end). */
static int
cursor_cols(const struct console *c)
{
    const char *p = cur_prompt(c);
    return c->tail_cols + text_cols(p, strlen(p)) + text_cols(c->line, c->cur);
}

/* Row of the cursor within the area (0 = the area's first row). */
static int
cursor_row(const struct console *c)
{
    if (cursor_at_end(c)) {
        int n = area_cols(c);
        return n > 0 ? (n - 1) / c->cols : 0;
    }
    return cursor_cols(c) / c->cols;
}

/* Move the cursor from row `from` of the area to column k of the area
 * (k counted from the area's start, k < area_cols). */
static int
place_cursor(struct console *c, struct login_buf *w, int from, int k)
{
    char seq[40];
    int row = k / c->cols, col = k % c->cols;
    int n = 0;
    seq[0] = '\0';
    if (row < from) {
        n = snprintf(seq, sizeof seq, "\r\x1b[%dA", from - row);
    } else if (row > from) {
        n = snprintf(seq, sizeof seq, "\r\x1b[%dB", row - from);
    } else {
        n = snprintf(seq, sizeof seq, "\r");
    }
    if (col > 0) {
        snprintf(seq + n, sizeof seq - (size_t)n, "\x1b[%dC", col);
    }
    return login_buf_puts(w, seq);
}

/* Move to the start of the input area and clear to the end of screen. */
static int
erase_area(struct console *c, struct login_buf *w)
{
    int up = cursor_row(c);
    int rc = login_buf_puts(w, "\r");
    if (rc == 0 && up > 0) {
        char seq[16];
        snprintf(seq, sizeof seq, "\x1b[%dA", up);
        rc = login_buf_puts(w, seq);
    }
    if (rc == 0) {
        rc = login_buf_puts(w, "\x1b[J");
    }
    return rc;
}

/* Draw prompt and input after the tail (cursor is after the tail). */
static int
draw_extra(struct console *c, struct login_buf *w)
{
    if (c->line_ready) {
        return 0;
    }
    int rc = login_buf_puts(w, cur_prompt(c));
    if (rc == 0 && !c->masked) {
        rc = login_buf_put(w, c->line, c->line_len);
    }
    if (rc == 0 && !cursor_at_end(c)) {
        int n = area_cols(c);
        rc = place_cursor(c, w, (n - 1) / c->cols, cursor_cols(c));
    }
    return rc;
}

static int
redraw(struct console *c, struct login_buf *w)
{
    int rc = erase_area(c, w);
    if (rc == 0) {
        rc = login_buf_put(w, c->tail, c->tail_len);
    }
    if (rc == 0) {
        rc = draw_extra(c, w);
    }
    return rc;
}

void
console_init(struct console *c, int pty, int cols)
{
    memset(c, 0, sizeof *c);
    c->pty = pty;
    c->cols = cols > 0 ? cols : 80;
    c->hist_pos = -1;
}

void
console_free(struct console *c)
{
    for (int i = 0; i < c->hist_n; i++) {
        free(c->hist[i]);
    }
    free(c->draft);
    explicit_bzero(c->line, sizeof c->line);
    explicit_bzero(c->ubuf, sizeof c->ubuf);
    memset(c, 0, sizeof *c);
}

int
console_resize(struct console *c, struct login_buf *w, int cols)
{
    if (cols <= 0 || cols == c->cols) {
        return 0;
    }
    if (!c->pty) {
        c->cols = cols;
        return 0;
    }
    /* Back to the area's start as laid out for the old width (exact on
     * terminals that do not reflow their rows, and whenever the area fits
     * one row), clear below, then draw it again for the new width. */
    int rc = erase_area(c, w);
    c->cols = cols;
    if (rc == 0) {
        rc = login_buf_put(w, c->tail, c->tail_len);
    }
    if (rc == 0) {
        rc = draw_extra(c, w);
    }
    return rc;
}

/* One output character (already filtered) on a pty console. */
static int
out_char(struct console *c, struct login_buf *w, unsigned char ch)
{
    int rc = 0;
    if (ch == '\n') {
        c->tail_len = 0;
        c->tail_cols = 0;
        return login_buf_puts(w, "\r\n");
    }
    if (!is_cont(ch)) {
        if (c->tail_cols >= c->cols) {
            rc = login_buf_puts(w, "\r\n");
            c->tail_len = 0;
            c->tail_cols = 0;
        }
        c->tail_cols++;
    }
    if (rc == 0) {
        rc = login_buf_put(w, &ch, 1);
    }
    if (c->tail_len < sizeof c->tail) {
        c->tail[c->tail_len++] = (char)ch;
    }
    return rc;
}

int
console_output(struct console *c, struct login_buf *w, const char *data, size_t len)
{
    int rc = 0;
    int extra = c->pty && area_extra_cols(c) > 0;
    if (extra) {
        rc = erase_area(c, w);
        if (rc == 0) {
            rc = login_buf_put(w, c->tail, c->tail_len);
        }
    }
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char ch = (unsigned char)data[i];
        if (c->out_c2) {
            c->out_c2 = 0;
            if (ch >= 0x80 && ch <= 0x9F) {
                continue; /* a C1 control: drop both bytes */
            }
            rc = c->pty ? out_char(c, w, 0xC2) : login_buf_put(w, "\xC2", 1);
            if (rc != 0) {
                break;
            }
        }
        if (ch == 0xC2) {
            c->out_c2 = 1;
            continue;
        }
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F) {
            continue;
        }
        if (!c->pty) {
            rc = login_buf_put(w, &ch, 1);
        } else if (ch == '\t') {
            do {
                rc = out_char(c, w, ' ');
            } while (rc == 0 && c->tail_cols % 8 != 0 && c->tail_cols < c->cols);
        } else {
            rc = out_char(c, w, ch);
        }
    }
    if (rc == 0 && extra) {
        rc = draw_extra(c, w);
    }
    return rc;
}

int
console_set_prompt(struct console *c, struct login_buf *w, const char *prompt, int flags)
{
    int rc = 0;
    char clean[LOGIN_PROMPT_MAX];
    size_t n = 0;
    /* A prompt is text on one row: no controls at all. */
    for (const char *p = prompt ? prompt : ""; *p && n + 1 < sizeof clean; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != 0x7F) {
            clean[n++] = (char)ch;
        }
    }
    clean[n] = '\0';
    if (c->pty) {
        rc = erase_area(c, w);
        if (rc == 0) {
            rc = login_buf_put(w, c->tail, c->tail_len);
        }
    }
    if (flags & LOGIN_INPUT_MASKED) {
        memcpy(c->mprompt, clean, n + 1);
        if (!c->line_ready && !c->masked) {
            explicit_bzero(c->line, c->line_len); /* typed before the request */
            c->line_len = 0;
            c->cur = 0;
        }
        c->masked = 1;
    } else {
        memcpy(c->prompt, clean, n + 1);
    }
    if (rc == 0 && c->pty) {
        rc = draw_extra(c, w);
    }
    return rc;
}

static void
hist_add(struct console *c)
{
    if (c->line_len == 0) {
        return;
    }
    if (c->hist_n > 0 && strlen(c->hist[0]) == c->line_len &&
        memcmp(c->hist[0], c->line, c->line_len) == 0) {
        return;
    }
    char *copy = strndup(c->line, c->line_len);
    if (copy == NULL) {
        return; /* recall is a convenience: skip it under memory pressure */
    }
    if (c->hist_n == CONSOLE_HISTORY) {
        free(c->hist[--c->hist_n]);
    }
    memmove(&c->hist[1], &c->hist[0], (size_t)c->hist_n * sizeof c->hist[0]);
    c->hist[0] = copy;
    c->hist_n++;
}

void
console_take_line(struct console *c, struct login_buf *w)
{
    if (!c->line_ready) {
        return;
    }
    if (!c->masked) {
        hist_add(c);
    }
    explicit_bzero(c->line, c->line_len);
    c->line_len = 0;
    c->cur = 0;
    c->utf8_more = 0;
    c->ubuf_len = 0;
    explicit_bzero(c->ubuf, sizeof c->ubuf);
    c->line[0] = '\0';
    c->line_ready = 0;
    c->masked = 0;
    c->hist_pos = -1;
    free(c->draft);
    c->draft = NULL;
    if (c->pty) {
        (void)draw_extra(c, w);
    }
}

static void
set_line(struct console *c, const char *text)
{
    size_t n = strlen(text);
    if (n > LOGIN_LINE_MAX) {
        n = LOGIN_LINE_MAX;
    }
    memcpy(c->line, text, n);
    c->line_len = n;
    c->cur = n;
    c->line[n] = '\0';
}

static void
recall(struct console *c, struct login_buf *w, int older)
{
    if (c->masked) {
        return;
    }
    if (older) {
        if (c->hist_pos + 1 >= c->hist_n) {
            return;
        }
        if (c->hist_pos == -1) {
            free(c->draft);
            c->draft = strndup(c->line, c->line_len);
        }
        (void)erase_area(c, w);
        c->hist_pos++;
        set_line(c, c->hist[c->hist_pos]);
    } else {
        if (c->hist_pos == -1) {
            return;
        }
        (void)erase_area(c, w);
        c->hist_pos--;
        set_line(c, c->hist_pos >= 0 ? c->hist[c->hist_pos] : (c->draft ? c->draft : ""));
    }
    (void)login_buf_put(w, c->tail, c->tail_len);
    (void)draw_extra(c, w);
}

/* Start of the character before byte offset i. */
static size_t
char_prev(const struct console *c, size_t i)
{
    if (i > 0) {
        i--;
    }
    while (i > 0 && is_cont((unsigned char)c->line[i])) {
        i--;
    }
    return i;
}

/* Start of the character after the one at byte offset i. */
static size_t
char_next(const struct console *c, size_t i)
{
    if (i < c->line_len) {
        i++;
    }
    while (i < c->line_len && is_cont((unsigned char)c->line[i])) {
        i++;
    }
    return i;
}

/* Remove line[from, to) (from <= cur <= to), leave the cursor at from and
 * redraw the input area. */
static void
cut(struct console *c, struct login_buf *w, size_t from, size_t to)
{
    if (!c->masked) {
        (void)erase_area(c, w);
    }
    memmove(c->line + from, c->line + to, c->line_len - to);
    explicit_bzero(c->line + c->line_len - (to - from), to - from);
    c->line_len -= to - from;
    c->cur = from;
    if (!c->masked) {
        (void)login_buf_put(w, c->tail, c->tail_len);
        (void)draw_extra(c, w);
    }
}

/* Move the cursor to byte offset to (a character start). */
static void
move_to(struct console *c, struct login_buf *w, size_t to)
{
    if (c->masked || c->line_ready || to == c->cur) {
        return;
    }
    int from = cursor_row(c);
    size_t old = c->cur;
    c->cur = to;
    if (!cursor_at_end(c)) {
        (void)place_cursor(c, w, from, cursor_cols(c));
        return;
    }
    int n = area_cols(c);
    if (n % c->cols != 0) {
        (void)place_cursor(c, w, from, n);
        return;
    }
    /* the end of a full row is the pending-wrap state: only drawing the
     * last character gets the terminal there */
    c->cur = old;
    (void)erase_area(c, w);
    c->cur = to;
    (void)login_buf_put(w, c->tail, c->tail_len);
    (void)draw_extra(c, w);
}

static void
backspace(struct console *c, struct login_buf *w)
{
    if (c->cur == 0) {
        return;
    }
    size_t n = char_prev(c, c->cur);
    int before = area_cols(c);
    if (c->masked || c->cur < c->line_len || (before - 1) % c->cols == c->cols - 1 ||
        (before - 1) % c->cols == 0) {
        /* in the middle, or the character ends a row (the cursor may be in
         * pending wrap), or starts one (the new end is a full row, the
         * pending-wrap state only drawing reaches): redraw, not "\b \b" */
        cut(c, w, n, c->cur);
    } else {
        c->line_len = n;
        c->cur = n;
        (void)login_buf_puts(w, "\b \b");
    }
}

static void
delete_char(struct console *c, struct login_buf *w)
{
    if (!c->masked && c->cur < c->line_len) {
        cut(c, w, c->cur, char_next(c, c->cur));
    }
}

static void
erase_word(struct console *c, struct login_buf *w)
{
    size_t n = c->cur;
    while (n > 0 && c->line[n - 1] == ' ') {
        n--;
    }
    while (n > 0 && c->line[n - 1] != ' ') {
        n--;
    }
    cut(c, w, n, c->cur);
}

/* Insert one whole character (1-4 bytes) at the cursor. */
static void
insert_char(struct console *c, struct login_buf *w, const char *ch, size_t n)
{
    if (c->line_len + n > LOGIN_LINE_MAX) {
        if (c->pty) {
            (void)login_buf_puts(w, "\a");
        }
        return;
    }
    if (c->masked || c->cur >= c->line_len) {
        memcpy(c->line + c->line_len, ch, n);
        c->line_len += n;
        c->cur = c->line_len;
        if (c->pty && !c->masked) {
            (void)login_buf_put(w, ch, n);
        }
        return;
    }
    (void)erase_area(c, w);
    memmove(c->line + c->cur + n, c->line + c->cur, c->line_len - c->cur);
    memcpy(c->line + c->cur, ch, n);
    c->line_len += n;
    c->cur += n;
    (void)login_buf_put(w, c->tail, c->tail_len);
    (void)draw_extra(c, w);
}

/* One typed byte: UTF-8 sequences are collected and inserted whole; stray
 * or broken sequences are dropped. */
static void
insert(struct console *c, struct login_buf *w, unsigned char ch)
{
    if (is_cont(ch)) {
        if (c->utf8_more == 0) {
            return;
        }
        c->ubuf[c->ubuf_len++] = (char)ch;
        if (--c->utf8_more == 0) {
            insert_char(c, w, c->ubuf, (size_t)c->ubuf_len);
            c->ubuf_len = 0;
        }
        return;
    }
    c->utf8_more = 0;
    c->ubuf_len = 0;
    if (ch < 0x80) {
        char one = (char)ch;
        insert_char(c, w, &one, 1);
        return;
    }
    int more = ch >= 0xF8 ? -1 : ch >= 0xF0 ? 3 : ch >= 0xE0 ? 2 : ch >= 0xC0 ? 1 : -1;
    if (more > 0) {
        c->ubuf[0] = (char)ch;
        c->ubuf_len = 1;
        c->utf8_more = more;
    }
}

static enum console_event
submit(struct console *c, struct login_buf *w)
{
    c->line[c->line_len] = '\0';
    if (c->pty) {
        (void)login_buf_puts(w, "\r\n");
    }
    c->tail_len = 0;
    c->tail_cols = 0;
    c->line_ready = 1;
    return CONSOLE_EV_LINE;
}

static enum console_event
attention(struct console *c, struct login_buf *w)
{
    if (c->line_len > 0) {
        cut(c, w, 0, c->line_len);
    }
    c->hist_pos = -1;
    return CONSOLE_EV_ATTN;
}

/* A cursor key or editing key named by an escape sequence's final byte
 * (and, for '~', its parameter). */
static void
key_seq(struct console *c, struct login_buf *w, unsigned char final, int param)
{
    if (final == '~') {
        final = param == 1 || param == 7 ? 'H' : param == 4 || param == 8 ? 'F'
                : param == 3 ? 'P' : 0;
    }
    switch (final) {
    case 'A':
    case 'B':
        recall(c, w, final == 'A');
        break;
    case 'C':
        move_to(c, w, char_next(c, c->cur));
        break;
    case 'D':
        move_to(c, w, char_prev(c, c->cur));
        break;
    case 'H':
        move_to(c, w, 0);
        break;
    case 'F':
        move_to(c, w, c->line_len);
        break;
    case 'P': /* Delete */
        delete_char(c, w);
        break;
    default:
        break;
    }
}

/* Escape sequences: ESC [ params final, ESC O final, ESC other. */
static void
escape(struct console *c, struct login_buf *w, unsigned char ch)
{
    switch (c->esc) {
    case ESC_START:
        c->esc = ch == '[' ? ESC_CSI : ch == 'O' ? ESC_SS3 : ESC_NONE;
        c->esc_param = 0;
        return;
    case ESC_CSI:
        if (ch >= 0x40 && ch <= 0x7E) {
            c->esc = ESC_NONE;
            key_seq(c, w, ch, c->esc_param);
        } else if (ch < 0x20 || ch > 0x3F) {
            c->esc = ESC_NONE; /* malformed: drop it */
        } else if (ch >= '0' && ch <= '9' && c->esc_param >= 0) {
            c->esc_param = c->esc_param < 1000 ? c->esc_param * 10 + (ch - '0') : 1000;
        } else {
            c->esc_param = -1; /* a second parameter: not a key we edit with */
        }
        return;
    case ESC_SS3:
        c->esc = ESC_NONE;
        if (ch != '~' && ch != 'P') {
            key_seq(c, w, ch, 0);
        }
        return;
    }
}

static enum console_event
pty_key(struct console *c, struct login_buf *w, unsigned char ch)
{
    int was_cr = c->last_cr;
    c->last_cr = 0;
    if (c->esc != ESC_NONE) {
        escape(c, w, ch);
        return CONSOLE_EV_NONE;
    }
    switch (ch) {
    case '\r':
        c->last_cr = 1;
        return submit(c, w);
    case '\n':
        return was_cr ? CONSOLE_EV_NONE : submit(c, w);
    case 0x7F:
    case 0x08:
        backspace(c, w);
        return CONSOLE_EV_NONE;
    case 0x15: /* Ctrl-U */
        cut(c, w, 0, c->line_len);
        return CONSOLE_EV_NONE;
    case 0x0B: /* Ctrl-K */
        cut(c, w, c->cur, c->line_len);
        return CONSOLE_EV_NONE;
    case 0x01: /* Ctrl-A */
        move_to(c, w, 0);
        return CONSOLE_EV_NONE;
    case 0x05: /* Ctrl-E */
        move_to(c, w, c->line_len);
        return CONSOLE_EV_NONE;
    case 0x02: /* Ctrl-B */
        move_to(c, w, char_prev(c, c->cur));
        return CONSOLE_EV_NONE;
    case 0x06: /* Ctrl-F */
        move_to(c, w, char_next(c, c->cur));
        return CONSOLE_EV_NONE;
    case 0x17: /* Ctrl-W */
        erase_word(c, w);
        return CONSOLE_EV_NONE;
    case 0x0C: /* Ctrl-L */
        (void)redraw(c, w);
        return CONSOLE_EV_NONE;
    case 0x03: /* Ctrl-C */
        return attention(c, w);
    case 0x1B:
        c->esc = ESC_START;
        return CONSOLE_EV_NONE;
    case '\t':
        insert(c, w, ' ');
        return CONSOLE_EV_NONE;
    default:
        if (ch >= 0x20) {
            insert(c, w, ch);
        }
        return CONSOLE_EV_NONE;
    }
}

static enum console_event
plain_key(struct console *c, struct login_buf *w, unsigned char ch)
{
    if (ch == '\n') {
        return submit(c, w);
    }
    if (ch == 0x03) {
        return attention(c, w);
    }
    if (ch != '\r') {
        char one = (char)ch;
        insert_char(c, w, &one, 1); /* bytes as they come: no editing */
    }
    return CONSOLE_EV_NONE;
}

enum console_event
console_input(struct console *c, struct login_buf *w, const char *data, size_t len,
              size_t *used)
{
    size_t i = 0;
    enum console_event ev = CONSOLE_EV_NONE;
    if (!c->line_ready) {
        while (i < len && ev == CONSOLE_EV_NONE) {
            unsigned char ch = (unsigned char)data[i++];
            ev = c->pty ? pty_key(c, w, ch) : plain_key(c, w, ch);
        }
    }
    *used = i;
    return ev;
}
