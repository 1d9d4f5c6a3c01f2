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
 * Keys: printable characters (UTF-8 kept whole), Enter (CR, LF or CR LF),
 * Backspace/DEL, Ctrl-U (erase line), Ctrl-W (erase word), Ctrl-L (redraw),
 * Up/Down (recall, CSI and SS3 forms), Ctrl-C = attention (the typed input
 * is dropped; the backend is told). Other control keys and escape
 * sequences are swallowed. Plain consoles (no pty) split input at LF, drop
 * CR, never echo.
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

/* Move to the start of the input area and clear to the end of screen. */
static int
erase_area(struct console *c, struct login_buf *w)
{
    int n = area_cols(c);
    int up = n > 0 ? (n - 1) / c->cols : 0;
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
    memset(c, 0, sizeof *c);
}

void
console_resize(struct console *c, int cols)
{
    if (cols > 0) {
        c->cols = cols;
    }
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

static void
backspace(struct console *c, struct login_buf *w)
{
    if (c->line_len == 0) {
        return;
    }
    int before = area_cols(c);
    size_t n = c->line_len;
    while (n > 0 && is_cont((unsigned char)c->line[n - 1])) {
        n--;
    }
    if (n > 0) {
        n--;
    }
    if (c->masked) {
        c->line_len = n;
        return;
    }
    if ((before - 1) % c->cols == c->cols - 1) {
        /* the character ends a row: the cursor may be in "pending wrap" */
        (void)erase_area(c, w);
        c->line_len = n;
        (void)login_buf_put(w, c->tail, c->tail_len);
        (void)draw_extra(c, w);
    } else {
        c->line_len = n;
        (void)login_buf_puts(w, "\b \b");
    }
}

static void
erase_to(struct console *c, struct login_buf *w, size_t n)
{
    if (c->masked) {
        c->line_len = n;
        return;
    }
    (void)erase_area(c, w);
    c->line_len = n;
    (void)login_buf_put(w, c->tail, c->tail_len);
    (void)draw_extra(c, w);
}

static void
erase_word(struct console *c, struct login_buf *w)
{
    size_t n = c->line_len;
    while (n > 0 && c->line[n - 1] == ' ') {
        n--;
    }
    while (n > 0 && c->line[n - 1] != ' ') {
        n--;
    }
    erase_to(c, w, n);
}

static void
insert(struct console *c, struct login_buf *w, unsigned char ch)
{
    if (c->line_len >= LOGIN_LINE_MAX) {
        if (c->pty && !is_cont(ch)) {
            (void)login_buf_puts(w, "\a");
        }
        return;
    }
    c->line[c->line_len++] = (char)ch;
    if (c->pty && !c->masked) {
        (void)login_buf_put(w, &ch, 1);
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
        erase_to(c, w, 0);
    }
    c->hist_pos = -1;
    return CONSOLE_EV_ATTN;
}

/* Escape sequences: ESC [ params final, ESC O final, ESC other. */
static void
escape(struct console *c, struct login_buf *w, unsigned char ch)
{
    switch (c->esc) {
    case ESC_START:
        c->esc = ch == '[' ? ESC_CSI : ch == 'O' ? ESC_SS3 : ESC_NONE;
        return;
    case ESC_CSI:
        if (ch >= 0x40 && ch <= 0x7E) {
            c->esc = ESC_NONE;
            if (ch == 'A' || ch == 'B') {
                recall(c, w, ch == 'A');
            }
        } else if (ch < 0x20 || ch > 0x3F) {
            c->esc = ESC_NONE; /* malformed: drop it */
        }
        return;
    case ESC_SS3:
        c->esc = ESC_NONE;
        if (ch == 'A' || ch == 'B') {
            recall(c, w, ch == 'A');
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
        erase_to(c, w, 0);
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
        insert(c, w, ch);
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
