// SPDX-License-Identifier: MIT
/*
 * login/session.c - one SSH connection, on the SSH thread that owns it.
 *
 * States (enum sess_state in login_int.h):
 *
 *   SS_KEX --key exchange done--> SS_AUTH <--> SS_AUTH_DELAY/BACKEND/FLOOR
 *                                   |            (auth.c)
 *                                   v logged on
 *                                 SS_READY: channel open, pty-req, then
 *                                   | shell (console) or exec
 *                                   v
 *                                 SS_OPEN: the backend has the session
 *                                   | backend close/finish, idle timeout,
 *                                   | client closed the channel
 *                                   v
 *                                 SS_CLOSING: exit status, EOF and close
 *                                   | sent; the client hangs up (or the
 *                                   v grace time ends)
 *                                 SS_DEAD: freed by the thread loop.
 *
 * Any state goes to SS_DEAD on a broken connection, a protocol error, or
 * the logon deadline (config.auth_timeout_ms from connect until SS_OPEN).
 * The backend's disconnect() is called once, when a session it accepted
 * leaves SS_OPEN (or is torn down).
 *
 * The pump (sess_pump) runs when the socket is ready, when another thread
 * queued work (ready list), and after timers. It steps the key exchange,
 * takes the requests libssh queued (ssh_message_get), feeds channel input
 * to the console editor or the exec's standard input, and moves queued
 * output into the channel (io.c). It loops while something moved, at most a
 * few rounds, then yields to other sessions and comes back through the
 * ready list. Channel callbacks only set flags.
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
#include <sys/epoll.h>
#include <unistd.h>

static const char *const reason_names[] = {
    [LOGIN_DISC_HANGUP] = "hang-up", [LOGIN_DISC_IDLE] = "idle timeout",
    [LOGIN_DISC_CLOSED] = "closed",  [LOGIN_DISC_SHUTDOWN] = "shutdown",
    [LOGIN_DISC_ERROR] = "error",
};

static int
pending_state(const struct login_session *s)
{
    return s->state == SS_AUTH_DELAY || s->state == SS_AUTH_BACKEND ||
           s->state == SS_AUTH_FLOOR;
}

/* ---- libssh channel callbacks: flags only ------------------------------------ */

static int
cb_data(ssh_session ssh, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *ud)
{
    struct login_session *s = ud;
    if (is_stderr) {
        return (int)len; /* nothing reads a client's extended data: drop it */
    }
    if (len > LOGIN_STDIN_ABUSE) {
        s->abuse = 1; /* far beyond the window we granted */
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

/* ---- creation ------------------------------------------------------------------ */

struct login_session *
sess_create(struct login_thread *th, int fd, const char *peer)
{
    struct login_server *srv = th->srv;
    struct login_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        close(fd);
        return NULL;
    }
    atomic_init(&s->refs, 1); /* the thread's reference */
    atomic_fetch_add(&srv->refs, 1);
    s->srv = srv;
    s->th = th;
    s->fd = -1;
    snprintf(s->peer, sizeof s->peer, "%s", peer);
    pthread_mutex_init(&s->lock, NULL);
    s->linked = 1;
    s->ssh = ssh_new();
    if (s->ssh == NULL || ssh_bind_accept_fd(th->bind, s->ssh, fd) != SSH_OK) {
        login_logf(srv, LOGIN_LOG_ERROR, "cannot start SSH for %s: %s", peer,
                   ssh_get_error(th->bind));
        int owned = s->ssh != NULL && ssh_get_fd(s->ssh) == fd;
        if (s->ssh != NULL) {
            ssh_free(s->ssh);
        }
        if (!owned) {
            close(fd);
        }
        s->linked = 0;
        login_session_release(s);
        return NULL;
    }
    s->fd = fd;
    ssh_set_blocking(s->ssh, 0);
    ssh_set_auth_methods(s->ssh, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE |
                                     (srv->be.auth_pubkey ? SSH_AUTH_METHOD_PUBLICKEY : 0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = s};
    if (epoll_ctl(th->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        login_logf(srv, LOGIN_LOG_ERROR, "epoll: %s", strerror(errno));
        ssh_free(s->ssh);
        s->linked = 0;
        login_session_release(s);
        return NULL;
    }
    s->ev_mask = ev.events;
    s->next = th->sessions;
    if (th->sessions != NULL) {
        th->sessions->prev = s;
    }
    th->sessions = s;
    th->nsess++;
    atomic_fetch_add(&srv->n_conn, 1);
    atomic_fetch_add(&srv->n_unauth, 1);
    s->counted_unauth = 1;
    uint64_t now = login_now_ms();
    s->t_deadline = now + srv->cfg.auth_timeout_ms;
    s->t_input = now;
    login_thread_timer(th, s->t_deadline);
    s->state = SS_KEX;
    return s;
}

/* ---- ending ------------------------------------------------------------------ */

void
sess_notify_disconnect(struct login_session *s, enum login_disc_reason why)
{
    if (!s->backend_open || s->disc_sent) {
        return;
    }
    s->disc_sent = 1;
    login_logf(s->srv, LOGIN_LOG_INFO, "%s of %s from %s ended: %s",
               s->is_exec ? "command" : "console", s->userid, s->peer, reason_names[why]);
    if (s->srv->be.disconnect != NULL) {
        s->srv->be.disconnect(s->srv->be.opaque, s, why);
    }
}

void
sess_kill(struct login_session *s, enum login_disc_reason why)
{
    if (s->state == SS_DEAD) {
        return;
    }
    if (s->state != SS_CLOSING || s->why == 0) {
        s->why = why;
    }
    s->state = SS_DEAD;
}

void
sess_close_channel(struct login_session *s, int code, enum login_disc_reason why)
{
    if (s->state == SS_DEAD || s->state == SS_CLOSING) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    pthread_mutex_unlock(&s->lock);
    sess_notify_disconnect(s, why);
    if (s->chan != NULL && !ssh_channel_is_closed(s->chan)) {
        ssh_channel_request_send_exit_status(s->chan, (uint32_t)code);
        ssh_channel_send_eof(s->chan);
        ssh_channel_close(s->chan);
    }
    s->state = SS_CLOSING;
    s->why = why;
    s->t_wait = login_now_ms() + s->srv->cfg.close_grace_ms;
    login_thread_timer(s->th, s->t_wait);
}

void
sess_teardown(struct login_session *s)
{
    struct login_server *srv = s->srv;
    struct login_thread *th = s->th;
    sess_notify_disconnect(s, s->why ? s->why : LOGIN_DISC_ERROR);
    auth_release_pending(s);
    if (s->fd >= 0 && ssh_get_fd(s->ssh) == s->fd) {
        epoll_ctl(th->epfd, EPOLL_CTL_DEL, s->fd, NULL);
    }
    if (ssh_is_connected(s->ssh)) {
        if (s->state == SS_KEX) {
            ssh_silent_disconnect(s->ssh);
        } else {
            ssh_disconnect(s->ssh);
        }
    }
    ssh_free(s->ssh); /* also frees the channel and closes the socket */
    s->ssh = NULL;
    s->chan = NULL;
    s->fd = -1;
    pthread_mutex_lock(&s->lock);
    s->linked = 0;
    io_queue_free(s);
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_sub(&srv->n_conn, 1);
    if (s->counted_unauth) {
        atomic_fetch_sub(&srv->n_unauth, 1);
        throttle_unauth_del(&srv->thr, s->peer);
    }
    if (s->counted_user) {
        throttle_user_del(&srv->thr, s->userid);
    }
    if (s->counted_session) {
        atomic_fetch_sub(&srv->n_sessions, 1);
    }
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        th->sessions = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    th->nsess--;
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

/* ---- channel requests ---------------------------------------------------------- */

static void
open_channel(struct login_session *s, ssh_message m)
{
    s->chan = ssh_message_channel_request_open_reply_accept(m);
    if (s->chan == NULL) {
        sess_kill(s, LOGIN_DISC_ERROR);
        return;
    }
    memset(&s->chan_cb, 0, sizeof s->chan_cb);
    s->chan_cb.userdata = s;
    s->chan_cb.channel_data_function = cb_data;
    s->chan_cb.channel_eof_function = cb_eof;
    s->chan_cb.channel_close_function = cb_close;
    s->chan_cb.channel_signal_function = cb_signal;
    ssh_callbacks_init(&s->chan_cb);
    ssh_set_channel_callbacks(s->chan, &s->chan_cb);
}

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
    ssh_message_channel_request_reply_success(m);
    s->state = SS_OPEN;
    s->t_input = login_now_ms();
    login_thread_timer(s->th, sess_next_time(s)); /* the idle timeout */
    s->counted_session = 1;
    atomic_fetch_add(&srv->n_sessions, 1);
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

static void
channel_request(struct login_session *s, ssh_message m)
{
    struct login_server *srv = s->srv;
    switch (ssh_message_subtype(m)) {
    case SSH_CHANNEL_REQUEST_PTY:
        if (s->state == SS_READY) {
            s->pty = 1;
            s->cols = ssh_message_channel_request_pty_width(m);
            s->rows = ssh_message_channel_request_pty_height(m);
            snprintf(s->term, sizeof s->term, "%s",
                     ssh_message_channel_request_pty_term(m) ? ssh_message_channel_request_pty_term(m)
                                                             : "");
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
            if (s->state == SS_OPEN && !s->is_exec && s->backend_open) {
                console_resize(&s->con, cols);
                if (srv->be.window != NULL) {
                    srv->be.window(srv->be.opaque, s, cols, rows);
                }
            }
        }
        return; /* no reply wanted */
    }
    case SSH_CHANNEL_REQUEST_SHELL:
        if (s->state == SS_READY) {
            start_session(s, m, NULL);
            return;
        }
        break;
    case SSH_CHANNEL_REQUEST_EXEC:
        if (s->state == SS_READY && ssh_message_channel_request_command(m) != NULL) {
            start_session(s, m, ssh_message_channel_request_command(m));
            return;
        }
        break;
    default:
        break;
    }
    ssh_message_reply_default(m); /* env, subsystem, x11, agent...: no */
}

static void
handle_message(struct login_session *s, ssh_message m)
{
    switch (ssh_message_type(m)) {
    case SSH_REQUEST_AUTH:
        if (s->state == SS_AUTH) {
            auth_request(s, m);
            return;
        }
        break;
    case SSH_REQUEST_SERVICE: {
        const char *svc = ssh_message_service_service(m);
        if (svc == NULL || strcmp(svc, "ssh-userauth") != 0) {
            sess_kill(s, LOGIN_DISC_ERROR);
            ssh_message_free(m);
            return;
        }
        break; /* the default reply accepts it */
    }
    case SSH_REQUEST_CHANNEL_OPEN:
        if (s->state == SS_READY && s->chan == NULL &&
            ssh_message_subtype(m) == SSH_CHANNEL_SESSION) {
            open_channel(s, m);
            ssh_message_free(m);
            return;
        }
        break;
    case SSH_REQUEST_CHANNEL:
        if (s->chan != NULL && ssh_message_channel_request_channel(m) == s->chan) {
            channel_request(s, m);
            ssh_message_free(m);
            return;
        }
        break;
    default:
        break;
    }
    ssh_message_reply_default(m);
    ssh_message_free(m);
}

/* ---- input --------------------------------------------------------------------- */

/* Give buffered input to the backend. 0 if it refused (pause). */
static int
deliver(struct login_session *s)
{
    struct login_server *srv = s->srv;
    const struct login_backend *be = &srv->be;
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
        if (s->inpend.len == 0 || s->state != SS_OPEN) {
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
        login_thread_timer(s->th, s->t_eof_close);
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
    for (int i = 0; i < 32 && s->state == SS_OPEN; i++) {
        if (s->wire.len > s->srv->cfg.output_limit) {
            return progress; /* echo is not going out: stop reading */
        }
        if (s->inpend.len == 0 && !s->con.line_ready) {
            if (!s->in_avail) {
                break;
            }
            char buf[4096];
            int n = ssh_channel_read_nonblocking(s->chan, buf, sizeof buf, 0);
            if (n <= 0) {
                s->in_avail = 0;
                break;
            }
            if (login_buf_put(&s->inpend, buf, (size_t)n) != 0) {
                sess_kill(s, LOGIN_DISC_ERROR);
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
        !s->eof_done && s->state == SS_OPEN) {
        input_ended(s);
        progress = 1;
    }
    return progress;
}

/* ---- the pump ------------------------------------------------------------------ */

static int
take_messages(struct login_session *s)
{
    int progress = 0;
    for (int n = 0; n < 64 && (s->state == SS_AUTH || s->state == SS_READY ||
                               s->state == SS_OPEN || s->state == SS_CLOSING);
         n++) { /* bounded: a flood of requests must not starve the others */
        ssh_message m = ssh_message_get(s->ssh);
        if (m == NULL) {
            break;
        }
        progress = 1;
        handle_message(s, m);
    }
    return progress;
}

static void
check_alive(struct login_session *s)
{
    if (s->state == SS_DEAD) {
        return;
    }
    if (s->fd >= 0 && ssh_get_fd(s->ssh) != s->fd) {
        s->fd = -1; /* libssh closed it (and so left our epoll) */
    }
    if (s->abuse) {
        login_logf(s->srv, LOGIN_LOG_NOTICE, "%s ignored flow control: disconnected", s->peer);
        sess_kill(s, LOGIN_DISC_ERROR);
        return;
    }
    if (s->fd < 0 || !ssh_is_connected(s->ssh) ||
        (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
        sess_kill(s, s->state == SS_OPEN ? LOGIN_DISC_HANGUP : LOGIN_DISC_ERROR);
        return;
    }
    if (s->state == SS_OPEN && s->chan_closed) {
        sess_close_channel(s, 0, LOGIN_DISC_HANGUP);
    }
}

static void
update_interest(struct login_session *s)
{
    if (s->state == SS_DEAD || s->fd < 0) {
        return;
    }
    uint32_t ev = EPOLLRDHUP;
    if (!pending_state(s)) {
        ev |= EPOLLIN;
    }
    if (ssh_get_poll_flags(s->ssh) & SSH_WRITE_PENDING) {
        ev |= EPOLLOUT;
    }
    login_session_set_interest(s, ev);
}

void
sess_pump(struct login_session *s)
{
    if (s->state == SS_DEAD) {
        return;
    }
    if (ssh_get_poll_flags(s->ssh) & SSH_WRITE_PENDING) {
        ssh_blocking_flush(s->ssh, 0);
    }
    for (int round = 0;; round++) {
        int progress = 0;
        if (s->state == SS_KEX) {
            int rc = ssh_handle_key_exchange(s->ssh);
            if (rc == SSH_OK) {
                s->state = SS_AUTH;
                progress = 1;
            } else if (rc == SSH_ERROR) {
                login_logf(s->srv, LOGIN_LOG_DEBUG, "key exchange with %s failed: %s", s->peer,
                           ssh_get_error(s->ssh));
                sess_kill(s, LOGIN_DISC_ERROR);
                break;
            } else {
                break;
            }
        }
        progress |= take_messages(s);
        if (s->state == SS_OPEN) {
            progress |= feed_input(s);
        }
        if (s->state == SS_OPEN) {
            int out = io_flush_output(s);
            if (out && s->is_exec) {
                s->t_input = login_now_ms(); /* a running command is not idle */
            }
            progress |= out;
        }
        if (s->state == SS_DEAD || !progress) {
            break;
        }
        check_alive(s);
        if (round == 8) {
            pthread_mutex_lock(&s->lock);
            login_thread_schedule(s); /* more to do: after the others */
            pthread_mutex_unlock(&s->lock);
            break;
        }
    }
    check_alive(s);
    update_interest(s);
}

void
sess_event(struct login_session *s, uint32_t events)
{
    if (pending_state(s) && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        sess_kill(s, LOGIN_DISC_ERROR); /* gave up while we were checking */
        return;
    }
    if (s->state == SS_CLOSING) {
        /* The client is still taking what we sent before the close: the
         * grace time counts from its last sign of life. */
        s->t_wait = login_now_ms() + s->srv->cfg.close_grace_ms;
    }
    sess_pump(s);
}

void
sess_ready(struct login_session *s)
{
    pthread_mutex_lock(&s->lock);
    int answered = s->auth_answered;
    int result = s->auth_result;
    if (answered) {
        s->auth_answered = 0;
        s->auth_seq++; /* a second answer to the same request is ignored */
    }
    pthread_mutex_unlock(&s->lock);
    if (answered && s->state == SS_AUTH_BACKEND) {
        auth_answer(s, result);
    }
    sess_pump(s);
}

/* ---- timers -------------------------------------------------------------------- */

uint64_t
sess_next_time(const struct login_session *s)
{
    uint64_t t = 0;
    switch (s->state) {
    case SS_KEX:
    case SS_AUTH:
    case SS_AUTH_BACKEND:
    case SS_READY:
        return s->t_deadline;
    case SS_AUTH_DELAY:
    case SS_AUTH_FLOOR:
        return s->t_wait < s->t_deadline ? s->t_wait : s->t_deadline;
    case SS_OPEN:
        if (s->srv->cfg.idle_timeout_ms > 0) {
            t = s->t_input + s->srv->cfg.idle_timeout_ms;
        }
        if (s->t_eof_close != 0 && (t == 0 || s->t_eof_close < t)) {
            t = s->t_eof_close;
        }
        return t;
    case SS_CLOSING:
        return s->t_wait;
    case SS_DEAD:
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
    sess_pump(s);
}

void
sess_timer(struct login_session *s, uint64_t now)
{
    switch (s->state) {
    case SS_KEX:
    case SS_AUTH:
    case SS_AUTH_DELAY:
    case SS_AUTH_BACKEND:
    case SS_AUTH_FLOOR:
    case SS_READY:
        if (now >= s->t_deadline) {
            login_logf(s->srv, LOGIN_LOG_NOTICE, "logon from %s timed out", s->peer);
            ssh_session_set_disconnect_message(s->ssh, "Logon timed out");
            sess_kill(s, LOGIN_DISC_ERROR);
        } else if (s->state == SS_AUTH_DELAY || s->state == SS_AUTH_FLOOR) {
            auth_timer(s, now);
            sess_pump(s);
        }
        return;
    case SS_OPEN:
        if (s->t_eof_close != 0 && now >= s->t_eof_close) {
            sess_close_channel(s, 0, s->final_pending ? s->final_why : LOGIN_DISC_HANGUP);
        } else if (s->srv->cfg.idle_timeout_ms > 0 && !s->final_pending &&
                   now >= s->t_input + s->srv->cfg.idle_timeout_ms) {
            idle_close(s);
        }
        return;
    case SS_CLOSING:
        if (now >= s->t_wait) {
            sess_kill(s, s->why);
        }
        return;
    case SS_DEAD:
        return;
    }
}
