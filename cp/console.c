// SPDX-License-Identifier: MIT
/*
 * cp/console.c - the line-mode virtual console (state machine, output
 * ring, input queue, held messages).  The states, the rules for messages
 * between lines and the locking are described in cp/console.h.
 *
 * The output ring grows on demand (doubling from 4 KiB) up to its hard
 * size, four times the soft size, so an idle console costs little.  The
 * guest may fill it to the soft size; CP's own lines to the hard size.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp/console.h"
#include "cp/msg.h"

#define OPEN_LINE_MAX 256 /* bytes of a partial line kept for re-display */
#define RING_MIN 4096

struct inline_ent {
    char *text;
    size_t len, full;
};

struct console {
    pthread_mutex_t lock;
    /* terminal */
    const struct con_term_ops *ops;
    void *ctx;
    /* state */
    bool guest; /* a guest runs on this console */
    bool cp_mode; /* CP READ shown */
    bool guest_reading; /* the guest waits in con_read */
    bool writer_waiting; /* a guest write got CON_EAGAIN */
    bool attn_unclaimed; /* an attention went to the guest, not yet claimed */
    bool attn_intr; /* ... and no read has reported it yet */
    bool dormant; /* SLEEP: messages are shown at once (con_set_dormant) */
    uint64_t reading_since; /* when it began to wait for input, 0 = not */
    /* output ring */
    char *ring;
    size_t cap, head, used; /* bytes at [head, head+used) mod cap */
    size_t soft, hard;
    bool at_bol; /* the terminal's cursor is at the start of a line */
    char open_line[OPEN_LINE_MAX];
    size_t open_len;
    size_t lost_pending; /* CP bytes lost, not yet reported */
    /* input */
    struct inline_ent inq[CON_INPUT_QUEUE];
    unsigned in_head, in_count;
    /* CP commands handed out by con_input and not yet con_cp_done, and the
     * lines typed meanwhile, held until then (a BEGIN or IPL may change
     * where they belong) */
    unsigned cp_pending;
    struct inline_ent held[CON_INPUT_QUEUE];
    unsigned held_head, held_count;
    uint64_t last_input;
    /* held messages */
    char *msgq[CON_MSG_QUEUE];
    unsigned msg_head, msg_count;
    struct con_stats st;
    /* who to tell when a held writer may go on */
    void (*waker)(void *ctx);
    void *waker_ctx;
    bool wake_pending; /* call the waker at unlock */
    /* the CP-output tap of SPOOL CONSOLE (con_set_tap, con_tap_take) */
    bool tap_on;
    char *tap_buf;
    size_t tap_len, tap_cap;
};

/* A copy of CP output or a message kept for SPOOL CONSOLE (lock held): a
 * line break first if the text does not start a line, the text and a
 * final line end; past CON_TAP_MAX bytes the text is not kept. */
#define CON_TAP_MAX (1u << 20)
static void
tap_put(struct console *con, const char *text, size_t len)
{
    if (!con->tap_on) {
        return;
    }
    size_t need = con->tap_len + len + 1;
    if (need > CON_TAP_MAX) {
        return;
    }
    if (need > con->tap_cap) {
        size_t cap = con->tap_cap ? con->tap_cap : 256;
        while (cap < need) {
            cap *= 2;
        }
        char *b = realloc(con->tap_buf, cap);
        if (!b) {
            return;
        }
        con->tap_buf = b;
        con->tap_cap = cap;
    }
    memcpy(con->tap_buf + con->tap_len, text, len);
    con->tap_len += len;
    if (len == 0 || text[len - 1] != '\n') {
        con->tap_buf[con->tap_len++] = '\n';
    }
}

void
con_set_tap(struct console *con, bool on)
{
    pthread_mutex_lock(&con->lock);
    con->tap_on = on;
    if (!on) {
        con->tap_len = 0;
    }
    pthread_mutex_unlock(&con->lock);
}

char *
con_tap_take(struct console *con, size_t *len)
{
    pthread_mutex_lock(&con->lock);
    char *b = NULL;
    *len = 0;
    if (con->tap_len) {
        b = con->tap_buf;
        *len = con->tap_len;
        con->tap_buf = NULL;
        con->tap_len = con->tap_cap = 0;
    }
    pthread_mutex_unlock(&con->lock);
    return b;
}

static void con_unlock(struct console *con);

uint64_t
con_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t
con_strip_controls(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f) {
            s[o++] = (char)c;
        }
    }
    if (o < len) {
        s[o] = '\0';
    }
    return o;
}

struct console *
con_create(size_t ring_bytes)
{
    struct console *con = calloc(1, sizeof *con);
    if (!con) {
        return NULL;
    }
    if (ring_bytes < RING_MIN) {
        ring_bytes = RING_MIN;
    }
    con->soft = ring_bytes;
    con->hard = ring_bytes * 4;
    con->cap = RING_MIN;
    con->ring = malloc(con->cap);
    if (!con->ring) {
        free(con);
        return NULL;
    }
    pthread_mutex_init(&con->lock, NULL);
    con->cp_mode = true;
    con->at_bol = true;
    con->last_input = con_now_ns();
    con->reading_since = con->last_input;
    return con;
}

void
con_destroy(struct console *con)
{
    if (!con) {
        return;
    }
    for (unsigned i = 0; i < con->in_count; i++) {
        free(con->inq[(con->in_head + i) % CON_INPUT_QUEUE].text);
    }
    for (unsigned i = 0; i < con->msg_count; i++) {
        free(con->msgq[(con->msg_head + i) % CON_MSG_QUEUE]);
    }
    for (unsigned i = 0; i < con->held_count; i++) {
        free(con->held[(con->held_head + i) % CON_INPUT_QUEUE].text);
    }
    pthread_mutex_destroy(&con->lock);
    free(con->tap_buf);
    free(con->ring);
    free(con);
}

/* ---- the ring (lock held) ---------------------------------------------- */

static void track_reading(struct console *con);

static void
notify(struct console *con, unsigned ev)
{
    if (ev & CON_EV_STATE) {
        track_reading(con);
    }
    if (con->ops && con->ops->notify) {
        con->ops->notify(con->ctx, ev);
    }
}

/* Room for more bytes below `limit` used bytes, growing the buffer (by
 * doubling) only as far as `want` more bytes need: growing to the limit at
 * once would give every console its largest ring with its first line. */
static size_t
ring_room(struct console *con, size_t limit, size_t want)
{
    if (con->used >= limit) {
        return 0;
    }
    size_t most = limit - con->used;
    if (want > most) {
        want = most;
    }
    while (con->cap - con->used < want && con->cap < con->hard) {
        size_t ncap = con->cap * 2 > con->hard ? con->hard : con->cap * 2;
        char *n = malloc(ncap);
        if (!n) {
            break; /* keep what we have: only less room */
        }
        for (size_t i = 0; i < con->used; i++) {
            n[i] = con->ring[(con->head + i) % con->cap];
        }
        free(con->ring);
        con->ring = n;
        con->head = 0;
        con->cap = ncap;
    }
    size_t room = con->cap - con->used;
    return room < most ? room : most;
}

/* Appends n bytes (the caller checked the room), tracking the open line. */
static void
ring_put(struct console *con, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        con->ring[(con->head + con->used) % con->cap] = s[i];
        con->used++;
        if (s[i] == '\n') {
            con->at_bol = true;
            con->open_len = 0;
        } else {
            con->at_bol = false;
            if (con->open_len < OPEN_LINE_MAX) {
                con->open_line[con->open_len++] = s[i];
            }
        }
    }
}

/* Unlocks, then tells the waker if a held writer may go on. */
static void
con_unlock(struct console *con)
{
    bool wake = con->wake_pending;
    con->wake_pending = false;
    void (*fn)(void *) = con->waker;
    void *ctx = con->waker_ctx;
    pthread_mutex_unlock(&con->lock);
    if (wake && fn) {
        fn(ctx);
    }
}

/* Moves ring bytes to the terminal (lock held).  Returns true (and
 * remembers to call the waker) if a held writer may go on. */
static bool
pump_locked(struct console *con)
{
    bool wake = false;
    while (con->ops && con->ops->write && con->used > 0) {
        size_t chunk = con->cap - con->head;
        if (chunk > con->used) {
            chunk = con->used;
        }
        size_t n = con->ops->write(con->ctx, con->ring + con->head, chunk);
        if (n > chunk) {
            n = chunk;
        }
        con->head = (con->head + n) % con->cap;
        con->used -= n;
        con->st.bytes_out += n;
        if (n < chunk) {
            break;
        }
    }
    if (con->used == 0) {
        con->head = 0;
    }
    if (con->lost_pending && con->ops) {
        char note[160], n[24];
        snprintf(n, sizeof n, "%zu", con->lost_pending);
        size_t m = con->at_bol ? 0 : 1;
        note[0] = '\n';
        m += msg_format(note + m, sizeof note - m - 1, MSG_LOST, NULL, MSG_ARGS(n));
        note[m++] = '\n';
        int k = (int)m;
        if (k > 0 && ring_room(con, con->hard, (size_t)k) >= (size_t)k) {
            ring_put(con, note, (size_t)k);
            con->lost_pending = 0;
            if (con->ops->flags & CON_TERM_ANY_THREAD) {
                return pump_locked(con) || wake;
            }
            notify(con, CON_EV_OUTPUT);
        }
    }
    if (con->writer_waiting && con->used < con->soft) {
        con->writer_waiting = false;
        wake = true;
        con->wake_pending = true;
        notify(con, CON_EV_STATE);
    }
    return wake;
}

/* Output was added to the ring (lock held): a terminal that takes writes
 * from any thread gets it now; another is told to come and pump. */
static void
output_added(struct console *con)
{
    if (con->ops && (con->ops->flags & CON_TERM_ANY_THREAD)) {
        pump_locked(con);
    } else {
        notify(con, CON_EV_OUTPUT);
    }
}

/* CP output: all or nothing up to the hard limit; counts losses. */
static void
cp_put(struct console *con, const char *s, size_t n)
{
    if (!con->ops) {
        con->st.bytes_discarded += n;
        return;
    }
    if (ring_room(con, con->hard, n) < n) {
        con->st.bytes_lost += n;
        con->lost_pending += n;
        return;
    }
    ring_put(con, s, n);
}

static void
flush_messages(struct console *con, bool force_break);

/* Keeps reading_since in step with the state (lock held). */
static void
track_reading(struct console *con)
{
    bool reading = con->cp_mode || con->guest_reading;
    if (!reading) {
        con->reading_since = 0;
    } else if (con->reading_since == 0) {
        con->reading_since = con_now_ns();
    }
}

/* ---- terminal side -------------------------------------------------------- */

void
con_attach(struct console *con, const struct con_term_ops *ops, void *ctx)
{
    pthread_mutex_lock(&con->lock);
    con->ops = ops;
    con->ctx = ctx;
    con->head = con->used = 0;
    con->at_bol = true;
    con->open_len = 0;
    con->last_input = con_now_ns();
    con_unlock(con);
}

bool
con_detach(struct console *con, void *ctx)
{
    pthread_mutex_lock(&con->lock);
    if (ctx && con->ctx != ctx) {
        con_unlock(con);
        return false;
    }
    con->ops = NULL;
    con->ctx = NULL;
    con->st.bytes_discarded += con->used;
    con->head = con->used = 0;
    con->at_bol = true;
    con->open_len = 0;
    bool wake = con->writer_waiting;
    con->writer_waiting = false;
    con->wake_pending = wake;
    /* held messages are not shown to anyone now */
    for (unsigned i = 0; i < con->msg_count; i++) {
        free(con->msgq[(con->msg_head + i) % CON_MSG_QUEUE]);
    }
    con->msg_count = 0;
    con_unlock(con);
    return wake;
}

bool
con_attached(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool a = con->ops != NULL;
    con_unlock(con);
    return a;
}

bool
con_pump(struct console *con, void *ctx)
{
    pthread_mutex_lock(&con->lock);
    if (ctx && con->ctx != ctx) {
        con_unlock(con);
        return false;
    }
    bool wake = pump_locked(con);
    con_unlock(con);
    return wake;
}

/* Is this line "#CP", "#CP cmd"?  Sets *rest to what follows. */
static bool
is_hash_cp(const char *line, size_t len, const char **rest, size_t *restlen)
{
    if (len < 3 || line[0] != '#' || (line[1] | 0x20) != 'c' || (line[2] | 0x20) != 'p') {
        return false;
    }
    if (len > 3 && line[3] != ' ' && line[3] != '\t') {
        return false;
    }
    size_t i = 3;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    *rest = line + i;
    *restlen = len - i;
    return true;
}

/* The input queue is full (lock held): the notice. */
static void
input_full_notice(struct console *con, unsigned count)
{
    char note[160], n[16];
    snprintf(n, sizeof n, "%u", count);
    size_t k = msg_format(note, sizeof note - 1, MSG_INPUTFULL, NULL, MSG_ARGS(n));
    note[k++] = '\n';
    if (!con->at_bol) {
        cp_put(con, "\n", 1);
    }
    cp_put(con, note, k);
    output_added(con);
}

/* Appends a copy of line (cut to CON_LINE_MAX, full length kept) to q. */
static bool
queue_line(struct inline_ent *q, unsigned head, unsigned *count, const char *line, size_t len,
           size_t full)
{
    size_t keep = len > CON_LINE_MAX ? CON_LINE_MAX : len;
    char *copy = malloc(keep + 1);
    if (!copy) {
        return false;
    }
    memcpy(copy, line, keep);
    copy[keep] = '\0';
    struct inline_ent *e = &q[(head + *count) % CON_INPUT_QUEUE];
    e->text = copy;
    e->len = keep;
    e->full = full;
    (*count)++;
    return true;
}

/* A line that is not "#CP...": a CP command in CP READ (no guest), else
 * the guest's (lock held, nothing held before it). */
static enum con_input
classify_locked(struct console *con, const char *line, size_t len, size_t full,
                const char **cmd, size_t *cmdlen)
{
    if (con->cp_mode || !con->guest) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i == len) {
            return CON_IN_NONE;
        }
        *cmd = line + i;
        *cmdlen = len - i;
        con->cp_pending++;
        return CON_IN_CP;
    }
    if (con->in_count >= CON_INPUT_QUEUE) {
        input_full_notice(con, con->in_count);
        return CON_IN_FULL;
    }
    if (!queue_line(con->inq, con->in_head, &con->in_count, line, len, full)) {
        return CON_IN_FULL;
    }
    return con->guest_reading ? CON_IN_WAKE : CON_IN_QUEUED;
}

enum con_input
con_input(struct console *con, const char *line, size_t len, const char **cmd, size_t *cmdlen)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        len--;
    }
    enum con_input r;
    pthread_mutex_lock(&con->lock);
    con->last_input = con_now_ns();
    con->st.lines_in++;
    /* the user's line end moved the cursor to a new line; the prompt is used */
    con->at_bol = true;
    con->open_len = 0;
    const char *rest;
    size_t restlen;
    if (is_hash_cp(line, len, &rest, &restlen)) {
        if (restlen == 0) {
            bool was = con->cp_mode;
            con->cp_mode = true;
            if (!was) {
                notify(con, CON_EV_STATE);
            }
            r = CON_IN_CPREAD;
        } else {
            *cmd = rest;
            *cmdlen = restlen;
            con->cp_pending++;
            r = CON_IN_CP;
        }
    } else if (con->cp_pending > 0 || con->held_count > 0) {
        /* a command still runs: where this line belongs is known after it */
        if (con->held_count >= CON_INPUT_QUEUE) {
            input_full_notice(con, con->held_count);
            r = CON_IN_FULL;
        } else if (!queue_line(con->held, con->held_head, &con->held_count, line, len, len)) {
            r = CON_IN_FULL;
        } else {
            r = CON_IN_HELD;
        }
    } else {
        r = classify_locked(con, line, len, len, cmd, cmdlen);
    }
    flush_messages(con, false);
    con_unlock(con);
    return r;
}

enum con_input
con_cp_done(struct console *con, char *cmd, size_t cap, size_t *cmdlen)
{
    enum con_input r = CON_IN_NONE;
    pthread_mutex_lock(&con->lock);
    if (con->cp_pending > 0) {
        con->cp_pending--;
    }
    while (con->cp_pending == 0 && con->held_count > 0) {
        struct inline_ent e = con->held[con->held_head];
        con->held_head = (con->held_head + 1) % CON_INPUT_QUEUE;
        con->held_count--;
        const char *c = NULL;
        size_t cl = 0;
        enum con_input one = classify_locked(con, e.text, e.len, e.full, &c, &cl);
        if (one == CON_IN_CP) {
            size_t n = cl < cap ? cl : (cap ? cap - 1 : 0);
            if (cap) {
                memcpy(cmd, c, n);
                cmd[n] = '\0';
            }
            *cmdlen = cl;
            r = CON_IN_CP;
        } else if (one == CON_IN_WAKE || (one == CON_IN_QUEUED && r != CON_IN_WAKE)) {
            r = one;
        }
        free(e.text);
        if (r == CON_IN_CP) {
            break;
        }
    }
    flush_messages(con, false);
    con_unlock(con);
    return r;
}

enum con_attn
con_attention(struct console *con)
{
    enum con_attn r;
    pthread_mutex_lock(&con->lock);
    if (con->cp_mode || !con->guest) {
        r = CON_ATTN_NONE;
    } else if (con->attn_unclaimed) {
        con->cp_mode = true;
        notify(con, CON_EV_STATE);
        flush_messages(con, false);
        r = CON_ATTN_CPREAD;
    } else {
        con->attn_unclaimed = true;
        con->attn_intr = true;
        r = CON_ATTN_GUEST;
    }
    con_unlock(con);
    return r;
}

/* ---- guest side ------------------------------------------------------------ */

int
con_write(struct console *con, const void *buf, size_t len, bool end_line, size_t *taken)
{
    const char *s = buf;
    int rc = CON_OK;
    pthread_mutex_lock(&con->lock);
    *taken = 0;
    if (!con->ops) {
        con->st.bytes_discarded += len + (end_line ? 1 : 0);
        *taken = len;
        con_unlock(con);
        return CON_OK;
    }
    size_t room = ring_room(con, con->soft, len + (end_line ? 1 : 0));
    size_t n = len < room ? len : room;
    ring_put(con, s, n);
    *taken = n;
    if (n < len) {
        rc = CON_EAGAIN;
    } else if (end_line) {
        if (room - n >= 1) {
            ring_put(con, "\n", 1);
        } else {
            rc = CON_EAGAIN;
        }
    }
    if (n > 0 || (end_line && rc == CON_OK)) {
        output_added(con);
    }
    if (rc == CON_EAGAIN && !con->writer_waiting) {
        con->writer_waiting = true;
        notify(con, CON_EV_STATE);
    }
    if (con->at_bol || con->msg_count >= CON_MSG_QUEUE) {
        flush_messages(con, false);
    }
    con_unlock(con);
    return rc;
}

int
con_read(struct console *con, void *buf, size_t cap, size_t *len, size_t *full)
{
    int rc;
    pthread_mutex_lock(&con->lock);
    *len = *full = 0;
    if (con->attn_intr) {
        con->attn_intr = false;
        if (con->guest_reading) {
            con->guest_reading = false;
            notify(con, CON_EV_STATE);
        }
        rc = CON_EINTR;
    } else if (con->in_count > 0) {
        struct inline_ent *e = &con->inq[con->in_head];
        size_t n = e->len < cap ? e->len : cap;
        memcpy(buf, e->text, n);
        *len = n;
        *full = e->full;
        free(e->text);
        e->text = NULL;
        con->in_head = (con->in_head + 1) % CON_INPUT_QUEUE;
        con->in_count--;
        if (con->guest_reading) {
            con->guest_reading = false;
            notify(con, CON_EV_STATE);
        }
        rc = CON_OK;
    } else {
        if (!con->guest_reading) {
            con->guest_reading = true;
            notify(con, CON_EV_STATE);
        }
        /* waiting for input is a line boundary for held messages */
        flush_messages(con, false);
        rc = CON_EAGAIN;
    }
    con_unlock(con);
    return rc;
}

void
con_attention_claimed(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    con->attn_unclaimed = false;
    con->attn_intr = false;
    con_unlock(con);
}

unsigned
con_input_queued(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    unsigned n = con->in_count;
    con_unlock(con);
    return n;
}

unsigned
con_held_lines(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    unsigned n = con->held_count;
    con_unlock(con);
    return n;
}

/* ---- CP side --------------------------------------------------------------- */

void
con_set_dormant(struct console *con, bool on)
{
    pthread_mutex_lock(&con->lock);
    con->dormant = on;
    if (on) {
        flush_messages(con, false);
    }
    con_unlock(con);
}

void
con_set_guest(struct console *con, bool present)
{
    pthread_mutex_lock(&con->lock);
    con->guest = present;
    con->attn_unclaimed = con->attn_intr = false;
    if (present) {
        con->cp_mode = false;
    } else {
        con->cp_mode = true;
        con->guest_reading = false;
    }
    notify(con, CON_EV_STATE);
    con_unlock(con);
}

bool
con_begin(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool ok = con->guest;
    if (ok && con->cp_mode) {
        con->cp_mode = false;
        notify(con, CON_EV_STATE);
    }
    con_unlock(con);
    return ok;
}

bool
con_enter_cp_read(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool was = con->cp_mode;
    con->cp_mode = true;
    if (!was) {
        notify(con, CON_EV_STATE);
    }
    flush_messages(con, false);
    con_unlock(con);
    return !was;
}

bool
con_in_cp_read(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool r = con->cp_mode;
    con_unlock(con);
    return r;
}

bool
con_guest_reading(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool r = con->guest_reading;
    con_unlock(con);
    return r;
}

const char *
con_state_name(struct console *con)
{
    const char *s;
    pthread_mutex_lock(&con->lock);
    if (con->cp_mode) {
        s = "CP READ";
    } else if (con->writer_waiting && con->ops) {
        s = "HOLDING";
    } else if (con->guest_reading) {
        s = "VM READ";
    } else {
        s = "RUNNING";
    }
    con_unlock(con);
    return s;
}

void
con_cp_output(struct console *con, const char *text, size_t len)
{
    pthread_mutex_lock(&con->lock);
    tap_put(con, text, len);
    if (!con->ops) {
        con->st.bytes_discarded += len + 1;
        con_unlock(con);
        return;
    }
    /* one all-or-nothing piece: a line break first if needed, the text,
     * and a final line end */
    bool brk = !con->at_bol;
    bool nl = len == 0 || text[len - 1] != '\n';
    size_t need = (brk ? 1 : 0) + len + (nl ? 1 : 0);
    if (ring_room(con, con->hard, need) < need) {
        con->st.bytes_lost += len;
        con->lost_pending += len;
    } else {
        if (brk) {
            ring_put(con, "\n", 1);
        }
        ring_put(con, text, len);
        if (nl) {
            ring_put(con, "\n", 1);
        }
    }
    flush_messages(con, false);
    output_added(con);
    con_unlock(con);
}

/* Shows held messages where the rules of cp/console.h allow (lock held). */
static void
flush_messages(struct console *con, bool force_break)
{
    if (con->msg_count == 0 || !con->ops) {
        return;
    }
    bool reading = con->cp_mode || con->guest_reading || !con->guest || con->dormant;
    bool full = con->msg_count >= CON_MSG_QUEUE;
    if (!con->at_bol && !reading && !full && !force_break) {
        return; /* the guest is in the middle of a line: wait for its end */
    }
    char reshow[OPEN_LINE_MAX];
    size_t reshow_len = 0;
    if (!con->at_bol) {
        memcpy(reshow, con->open_line, con->open_len);
        reshow_len = con->open_len;
        cp_put(con, "\n", 1);
    }
    while (con->msg_count > 0) {
        char *m = con->msgq[con->msg_head];
        cp_put(con, m, strlen(m));
        cp_put(con, "\n", 1);
        free(m);
        con->msg_head = (con->msg_head + 1) % CON_MSG_QUEUE;
        con->msg_count--;
    }
    if (reshow_len) {
        cp_put(con, reshow, reshow_len); /* the prompt again */
    }
    output_added(con);
}

int
con_message(struct console *con, const char *text)
{
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (!copy) {
        return -1;
    }
    memcpy(copy, text, len + 1);
    con_strip_controls(copy, len);
    pthread_mutex_lock(&con->lock);
    int rc = 0;
    if (!con->ops) {
        tap_put(con, copy, len); /* SPOOL CONSOLE keeps it for the disconnected user */
        free(copy);
        rc = -2;
    } else if (con->msg_count >= CON_MSG_QUEUE) {
        /* refused (the sender is told): not kept either, so a message sent
         * again is not in the console file twice */
        free(copy);
        rc = -1;
    } else {
        tap_put(con, copy, len);
        con->msgq[(con->msg_head + con->msg_count) % CON_MSG_QUEUE] = copy;
        con->msg_count++;
        flush_messages(con, false);
    }
    con_unlock(con);
    return rc;
}

void
con_close_terminal(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    notify(con, CON_EV_CLOSE);
    con_unlock(con);
}

uint64_t
con_reading_since(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    track_reading(con);
    uint64_t t = con->reading_since;
    con_unlock(con);
    return t;
}

uint64_t
con_last_input(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    uint64_t t = con->last_input;
    con_unlock(con);
    return t;
}

void
con_get_stats(struct console *con, struct con_stats *st)
{
    pthread_mutex_lock(&con->lock);
    *st = con->st;
    st->ring_used = con->used;
    st->ring_soft = con->soft;
    con_unlock(con);
}

size_t
con_footprint(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    size_t n = sizeof *con + con->cap;
    for (unsigned i = 0; i < con->in_count; i++) {
        n += con->inq[(con->in_head + i) % CON_INPUT_QUEUE].len + 1;
    }
    for (unsigned i = 0; i < con->held_count; i++) {
        n += con->held[(con->held_head + i) % CON_INPUT_QUEUE].len + 1;
    }
    con_unlock(con);
    return n;
}

void
con_set_waker(struct console *con, void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&con->lock);
    con->waker = fn;
    con->waker_ctx = ctx;
    pthread_mutex_unlock(&con->lock);
}

bool
con_output_full(struct console *con)
{
    pthread_mutex_lock(&con->lock);
    bool full = con->ops != NULL && con->used >= con->soft;
    if (full && !con->writer_waiting) {
        con->writer_waiting = true;
        notify(con, CON_EV_STATE);
    }
    con_unlock(con);
    return full;
}

int
con_write_all(struct console *con, const void *buf, size_t len, bool end_line)
{
    pthread_mutex_lock(&con->lock);
    if (!con->ops) {
        con->st.bytes_discarded += len + (end_line ? 1 : 0);
        con_unlock(con);
        return CON_OK;
    }
    size_t need = len + (end_line ? 1 : 0);
    /* it fits below the soft size, or the ring is empty and it fits at all */
    size_t room = ring_room(con, con->soft, need);
    if (room < need && !(con->used == 0 && ring_room(con, con->hard, need) >= need)) {
        if (!con->writer_waiting) {
            con->writer_waiting = true;
            notify(con, CON_EV_STATE);
        }
        con_unlock(con);
        return CON_EAGAIN;
    }
    ring_put(con, buf, len);
    if (end_line) {
        ring_put(con, "\n", 1);
    }
    if (need) {
        output_added(con);
    }
    if (con->at_bol || con->msg_count >= CON_MSG_QUEUE) {
        flush_messages(con, false);
    }
    con_unlock(con);
    return CON_OK;
}
