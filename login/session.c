// SPDX-License-Identifier: MIT
/*
 * login/session.c - one session channel of a connection, on the SSH thread
 * that owns the connection. A channel that got its shell or exec request
 * is the backend's struct login_session; the connection (conn.c) routes
 * requests here and pumps each channel.
 *
 * States (enum chan_state in login_int.h):
 *
 *   CH_SETUP: opened; pty-req, then shell (console) or exec, within
 *     |       config.auth_timeout_ms of the opening
 *     v
 *   CH_OPEN: the backend has the session
 *     |  backend close/finish (after the queued output), idle timeout,
 *     |  the client closed the channel
 *     v
 *   CH_CLOSING: exit status, EOF and close sent; the client's close is
 *     |         awaited (config.close_grace_ms, else the connection goes:
 *     v         a client that keeps channels half-closed is broken)
 *   CH_DEAD: freed by conn_reap; the connection and its other channels
 *            go on.
 *
 * The backend's disconnect() is called once, when a session it accepted
 * leaves CH_OPEN (or its connection is torn down). Channel callbacks only
 * set flags; the work happens in chan_pump.
 */
#include "login/login_int.h"

/* libssh 0.10 marks the ssh_message accessors deprecated in favour of
 * callbacks that must answer at once; keeping the message is the point
 * (see login_int.h), so the warning is silenced here on purpose. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[] = {
    [LOGIN_DISC_HANGUP] = "hang-up", [LOGIN_DISC_IDLE] = "idle timeout",
    [LOGIN_DISC_CLOSED] = "closed",  [LOGIN_DISC_SHUTDOWN] = "shutdown",
    [LOGIN_DISC_ERROR] = "error",
};

/* ---- libssh channel callbacks: flags only ------------------------------------ */

static int
cb_data(ssh_session ssh, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *ud)
{
    struct login_session *s = ud;
    if (is_stderr) {
        return (int)len; /* nothing reads a client's extended data: drop it */
    }
    if (len > LOGIN_STDIN_ABUSE) {
        s->conn->abuse = 1; /* far beyond the window we granted */
    }
    s->in_avail = 1;
    return 0; /* left in libssh's buffer; feed_input() reads it */
}

static void
cb_eof(ssh_session ssh, ssh_channel ch, void *ud)
{
    struct login_session *s = ud;
    s->eof_seen = 1;
    s->in_avail = 1;
}

static void
cb_close(ssh_session ssh, ssh_channel ch, void *ud)
{
    struct login_session *s = ud;
    s->chan_closed = 1;
}

static void
cb_signal(ssh_session ssh, ssh_channel ch, const char *signal, void *ud)
{
    struct login_session *s = ud;
    if (signal != NULL && strcmp(signal, "INT") == 0) {
        s->sigint++;
    }
}

/* ---- opening and freeing ------------------------------------------------------ */

void
chan_open(struct login_conn *c, ssh_message m)
{
    struct login_server *srv = c->srv;
    struct login_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        ssh_message_reply_default(m);
        return;
    }
    s->chan = ssh_message_channel_request_open_reply_accept(m);
    if (s->chan == NULL) {
        free(s);
        conn_kill(c, LOGIN_DISC_ERROR);
        return;
    }
    atomic_init(&s->refs, 1); /* the connection's reference */
    atomic_fetch_add(&srv->refs, 1);
    s->srv = srv;
    s->conn = c;
    snprintf(s->peer, sizeof s->peer, "%s", c->peer);
    memcpy(s->userid, c->userid, sizeof s->userid);
    s->id = ++c->chan_seq;
    pthread_mutex_init(&s->lock, NULL);
    s->linked = 1;
    s->state = CH_SETUP;
    s->t_deadline = login_now_ms() + srv->cfg.auth_timeout_ms;
    login_thread_timer(c->th, s->t_deadline);
    s->chan_cb.userdata = s;
    s->chan_cb.channel_data_function = cb_data;
    s->chan_cb.channel_eof_function = cb_eof;
    s->chan_cb.channel_close_function = cb_close;
    s->chan_cb.channel_signal_function = cb_signal;
    ssh_callbacks_init(&s->chan_cb);
    ssh_set_channel_callbacks(s->chan, &s->chan_cb);
    s->next = c->chans;
    if (c->chans != NULL) {
        c->chans->prev = s;
    }
    c->chans = s;
    c->nchan++;
}

struct login_session *
chan_find(struct login_conn *c, ssh_channel ch)
{
    for (struct login_session *s = c->chans; s != NULL; s = s->next) {
        if (s->chan == ch && ch != NULL && s->state != CH_DEAD) {
            return s;
        }
    }
    return NULL;
}

static void
notify_disconnect(struct login_session *s, enum login_disc_reason why)
{
    if (!s->backend_open || s->disc_sent) {
        return;
    }
    s->disc_sent = 1;
    if (s->counted_session) {
        s->counted_session = 0; /* over for the counters before the backend hears it */
        atomic_fetch_sub(&s->srv->n_sessions, 1);
    }
    login_logf(s->srv, LOGIN_LOG_INFO, "%s of %s from %s ended: %s",
               s->is_exec ? "command" : "console", s->userid, s->peer, reason_names[why]);
    if (s->srv->be.disconnect != NULL) {
        s->srv->be.disconnect(s->srv->be.opaque, s, why);
    }
}

void
chan_teardown(struct login_session *s, enum login_disc_reason why)
{
    struct login_conn *c = s->conn;
    notify_disconnect(s, s->why ? s->why : why);
    if (s->chan != NULL) {
        ssh_remove_channel_callbacks(s->chan, &s->chan_cb);
        if (c->ssh != NULL && c->state != CS_DEAD) {
            ssh_channel_free(s->chan); /* sends our close if not yet sent */
        } /* else ssh_free() of the connection frees it */
        s->chan = NULL;
    }
    pthread_mutex_lock(&s->lock);
    s->linked = 0;
    io_queue_free(s);
    pthread_mutex_unlock(&s->lock);
    if (s->counted_session) {
        atomic_fetch_sub(&s->srv->n_sessions, 1);
    }
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        c->chans = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    c->nchan--;
    console_free(&s->con);
    if (s->inpend.p != NULL) {
        explicit_bzero(s->inpend.p, s->inpend.cap); /* may hold a typed password */
    }
    login_buf_free(&s->inpend);
    login_buf_free(&s->wire);
    login_buf_free(&s->wire_err);
    login_buf_free(&s->text);
    login_session_release(s);
}

void
chan_close(struct login_session *s, int code, enum login_disc_reason why)
{
    if (s->state == CH_DEAD || s->state == CH_CLOSING) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    pthread_mutex_unlock(&s->lock);
    notify_disconnect(s, why);
    if (!s->chan_closed) {
        ssh_channel_request_send_exit_status(s->chan, (uint32_t)code);
    }
    ssh_channel_close(s->chan); /* EOF and close, unless sent already */
    s->why = why;
    if (s->chan_closed) {
        s->state = CH_DEAD; /* the client closed first: nothing to wait for */
        return;
    }
    s->state = CH_CLOSING;
    s->t_wait = login_now_ms() + s->srv->cfg.close_grace_ms;
    login_thread_timer(s->conn->th, s->t_wait);
}

/* ---- channel requests ---------------------------------------------------------- */

/* Hand the session to the backend (console or exec). */
static void
start_session(struct login_session *s, ssh_message m, const char *command)
{
    struct login_server *srv = s->srv;
    s->is_exec = command != NULL;
    if (s->cols <= 0 || s->cols > 1000) {
        s->cols = 80;
    }
    if (s->rows <= 0 || s->rows > 1000) {
        s->rows = 24;
    }
    console_init(&s->con, s->pty, s->cols);
    s->counted_session = 1; /* before the client can hear of it */
    atomic_fetch_add(&srv->n_sessions, 1);
    ssh_message_channel_request_reply_success(m);
    s->state = CH_OPEN;
    s->t_input = login_now_ms();
    login_thread_timer(s->conn->th, chan_next_time(s)); /* the idle timeout */
    login_session_hold(s); /* the backend's reference, if it accepts */
    s->backend_open = 1;
    int rc;
    if (s->is_exec) {
        rc = srv->be.exec_start ? srv->be.exec_start(srv->be.opaque, s, command) : -ENOSYS;
    } else {
        struct login_term t = {s->pty, s->cols, s->rows, s->term};
        rc = srv->be.console_open ? srv->be.console_open(srv->be.opaque, s, &t) : -ENOSYS;
    }
    if (rc != 0) {
        s->backend_open = 0;
        login_session_release(s);
        login_logf(srv, LOGIN_LOG_NOTICE, "%s of %s from %s refused by the system",
                   s->is_exec ? "command" : "console", s->userid, s->peer);
        pthread_mutex_lock(&s->lock);
        s->closing = 1;
        pthread_mutex_unlock(&s->lock);
        login_buf_puts(s->is_exec ? &s->wire_err : &s->wire,
                       s->is_exec ? "Command refused.\n" : "Logon refused.\r\n");
        s->final_pending = 1;
        s->final_code = 255;
        s->final_why = LOGIN_DISC_CLOSED;
    }
}

void
chan_request(struct login_session *s, ssh_message m)
{
    struct login_server *srv = s->srv;
    switch (ssh_message_subtype(m)) {
    case SSH_CHANNEL_REQUEST_PTY:
        if (s->state == CH_SETUP) {
            s->pty = 1;
            s->cols = ssh_message_channel_request_pty_width(m);
            s->rows = ssh_message_channel_request_pty_height(m);
            const char *term = ssh_message_channel_request_pty_term(m);
            snprintf(s->term, sizeof s->term, "%s", term ? term : "");
            ssh_message_channel_request_reply_success(m);
            return;
        }
        break;
    case SSH_CHANNEL_REQUEST_WINDOW_CHANGE: {
        int cols = ssh_message_channel_request_pty_width(m);
        int rows = ssh_message_channel_request_pty_height(m);
        if (cols > 0 && cols <= 1000 && rows >= 0 && rows <= 1000) {
            s->cols = cols;
            s->rows = rows;
            if (s->state == CH_OPEN && !s->is_exec && s->backend_open) {
                if (console_resize(&s->con, &s->wire, cols) != 0) {
                    conn_kill(s->conn, LOGIN_DISC_ERROR);
                    return;
                }
                if (srv->be.window != NULL) {
                    srv->be.window(srv->be.opaque, s, cols, rows);
                }
            }
        }
        return; /* no reply wanted */
    }
    case SSH_CHANNEL_REQUEST_SHELL:
        if (s->state == CH_SETUP) {
            start_session(s, m, NULL);
            return;
        }
        break;
    case SSH_CHANNEL_REQUEST_EXEC:
        if (s->state == CH_SETUP && ssh_message_channel_request_command(m) != NULL) {
            start_session(s, m, ssh_message_channel_request_command(m));
            return;
        }
        break;
    default:
        break;
    }
    ssh_message_reply_default(m); /* env, subsystem, x11, agent...: no */
}

/* ---- input --------------------------------------------------------------------- */

/* Give buffered input to the backend. 0 if it refused (pause). */
static int
deliver(struct login_session *s)
{
    const struct login_backend *be = &s->srv->be;
    if (s->is_exec) {
        size_t n = s->inpend.len;
        if (be->exec_input != NULL) {
            n = be->exec_input(be->opaque, s, s->inpend.p, s->inpend.len);
            if (n > s->inpend.len) {
                n = s->inpend.len;
            }
        }
        int all = n == s->inpend.len;
        login_buf_consume(&s->inpend, n);
        return all;
    }
    for (;;) {
        if (s->con.line_ready) {
            if (be->console_line != NULL &&
                be->console_line(be->opaque, s, s->con.line, s->con.line_len) == -EAGAIN) {
                return 0;
            }
            console_take_line(&s->con, &s->wire);
        }
        if (s->inpend.len == 0 || s->state != CH_OPEN) {
            return 1;
        }
        size_t used = 0;
        enum console_event ev =
            console_input(&s->con, &s->wire, s->inpend.p, s->inpend.len, &used);
        login_buf_consume(&s->inpend, used);
        if (ev == CONSOLE_EV_ATTN && be->attention != NULL) {
            be->attention(be->opaque, s);
        }
    }
}

static void
input_ended(struct login_session *s)
{
    const struct login_backend *be = &s->srv->be;
    s->eof_done = 1;
    if (s->is_exec) {
        if (be->exec_eof != NULL) {
            be->exec_eof(be->opaque, s);
        }
    } else {
        /* A console without input: let the last answers out, then close. */
        s->t_eof_close = login_now_ms() + s->srv->cfg.close_grace_ms;
        login_thread_timer(s->conn->th, s->t_eof_close);
    }
}

/* Read channel input and hand it on. Returns 1 if anything moved. */
static int
feed_input(struct login_session *s)
{
    const struct login_backend *be = &s->srv->be;
    int progress = 0;
    if (!s->backend_open) {
        return 0;
    }
    while (s->sigint > 0) {
        s->sigint--;
        if (!s->is_exec && be->attention != NULL) {
            be->attention(be->opaque, s);
        }
        progress = 1;
    }
    if (s->paused) {
        pthread_mutex_lock(&s->lock);
        int resume = s->resume;
        s->resume = 0;
        pthread_mutex_unlock(&s->lock);
        if (!resume) {
            return progress;
        }
        s->paused = 0;
    }
    for (int i = 0; i < 32 && s->state == CH_OPEN; i++) {
        if (s->wire.len > s->srv->cfg.output_limit) {
            return progress; /* echo is not going out: stop reading */
        }
        if (s->inpend.len == 0 && !s->con.line_ready) {
            if (!s->in_avail) {
                break;
            }
            char buf[32768];
            int n = ssh_channel_read_nonblocking(s->chan, buf, sizeof buf, 0);
            if (n <= 0) {
                s->in_avail = 0;
                break;
            }
            if (login_buf_put(&s->inpend, buf, (size_t)n) != 0) {
                conn_kill(s->conn, LOGIN_DISC_ERROR);
                return 1;
            }
            s->t_input = login_now_ms();
            progress = 1;
        }
        if (!deliver(s)) {
            s->paused = 1;
            return 1;
        }
        progress = 1;
    }
    if (s->inpend.len == 0 && !s->con.line_ready && !s->in_avail && s->eof_seen &&
        !s->eof_done && s->state == CH_OPEN) {
        input_ended(s);
        progress = 1;
    }
    return progress;
}

int
chan_pump(struct login_session *s)
{
    int progress = 0;
    if (s->state == CH_OPEN) {
        progress |= feed_input(s);
    }
    if (s->state == CH_OPEN) {
        int out = io_flush_output(s);
        if (out && s->is_exec) {
            s->t_input = login_now_ms(); /* a running command is not idle */
        }
        progress |= out;
    }
    return progress;
}

void
chan_check(struct login_session *s)
{
    if (!s->chan_closed) {
        return;
    }
    if (s->state == CH_OPEN) {
        chan_close(s, 0, LOGIN_DISC_HANGUP);
    } else if (s->state == CH_SETUP || s->state == CH_CLOSING) {
        s->state = CH_DEAD; /* conn_reap frees it */
    }
}

/* ---- timers -------------------------------------------------------------------- */

uint64_t
chan_next_time(const struct login_session *s)
{
    uint64_t t = 0;
    switch (s->state) {
    case CH_SETUP:
        return s->t_deadline;
    case CH_OPEN:
        if (s->srv->cfg.idle_timeout_ms > 0) {
            t = s->t_input + s->srv->cfg.idle_timeout_ms;
        }
        if (s->t_eof_close != 0 && (t == 0 || s->t_eof_close < t)) {
            t = s->t_eof_close;
        }
        return t;
    case CH_CLOSING:
        return s->t_wait;
    case CH_DEAD:
        return 0;
    }
    return 0;
}

static void
idle_close(struct login_session *s)
{
    login_logf(s->srv, LOGIN_LOG_INFO, "%s of %s from %s: idle timeout",
               s->is_exec ? "command" : "console", s->userid, s->peer);
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    pthread_mutex_unlock(&s->lock);
    if (!s->is_exec) {
        static const char msg[] = "\nIdle timeout: disconnected.\n";
        console_set_prompt(&s->con, &s->wire, "", 0);
        console_output(&s->con, &s->wire, msg, sizeof msg - 1);
    }
    s->final_pending = 1;
    s->final_code = 0;
    s->final_why = LOGIN_DISC_IDLE;
    /* If the client does not read even that, close anyway after the grace. */
    s->t_eof_close = login_now_ms() + s->srv->cfg.close_grace_ms;
    s->t_input = s->t_eof_close;
    login_thread_schedule(s->conn);
}

void
chan_timer(struct login_session *s, uint64_t now)
{
    switch (s->state) {
    case CH_SETUP:
        if (now >= s->t_deadline) {
            login_logf(s->srv, LOGIN_LOG_NOTICE,
                       "channel of %s from %s: no shell or command in time", s->userid, s->peer);
            ssh_channel_close(s->chan);
            s->state = CH_DEAD;
        }
        return;
    case CH_OPEN:
        if (s->t_eof_close != 0 && now >= s->t_eof_close) {
            chan_close(s, 0, s->final_pending ? s->final_why : LOGIN_DISC_HANGUP);
        } else if (s->srv->cfg.idle_timeout_ms > 0 && !s->final_pending &&
                   now >= s->t_input + s->srv->cfg.idle_timeout_ms) {
            idle_close(s);
        }
        return;
    case CH_CLOSING:
        if (now >= s->t_wait) {
            /* our close stays unanswered: the client is broken */
            conn_kill(s->conn, s->why);
        }
        return;
    case CH_DEAD:
        return;
    }
}
