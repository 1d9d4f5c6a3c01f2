// SPDX-License-Identifier: MIT
/*
 * login/conn.c - one SSH connection, on the SSH thread that owns it.
 *
 * States (enum conn_state in login_int.h):
 *
 *   CS_KEX --key exchange done--> CS_AUTH <--> CS_AUTH_DELAY/BACKEND/FLOOR
 *                                   |            (auth.c)
 *                                   v logged on
 *                                 CS_READY: session channels come and go
 *                                   | (session.c), 0..max_channels at once
 *                                   v client hang-up, error, empty timeout
 *                                 CS_DEAD: freed by the thread loop.
 *
 * Before CS_READY the connection has config.auth_timeout_ms from connect.
 * In CS_READY it stays while the client keeps it, also with no channel
 * (an OpenSSH ControlMaster with ControlPersist holds an idle connection
 * for later commands), until config.empty_timeout_ms without a channel.
 * Channels are refused (SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, as sshd does
 * at MaxSessions, so OpenSSH falls back to a connection of its own) beyond
 * config.max_channels. Per-user limits count connections (auth.c).
 *
 * The pump (conn_pump) runs when the socket is ready, when another thread
 * queued work (ready list), and after timers. It steps the key exchange,
 * takes the requests libssh queued (ssh_message_get) and routes them (to
 * auth.c, or to the channel they name), and pumps every open channel
 * (input to the backend, output into the channel). It loops while
 * something moved, at most a few rounds, then yields to other connections
 * and comes back through the ready list. Channel callbacks only set flags.
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

static int
pending_state(const struct login_conn *c)
{
    return c->state == CS_AUTH_DELAY || c->state == CS_AUTH_BACKEND ||
           c->state == CS_AUTH_FLOOR;
}

/* ---- creation and references --------------------------------------------------- */

void
conn_release(struct login_conn *c)
{
    if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1) {
        return;
    }
    struct login_server *srv = c->srv;
    pthread_mutex_destroy(&c->lock);
    free(c);
    login_server_unref(srv);
}

struct login_conn *
conn_create(struct login_thread *th, int fd, const char *peer)
{
    struct login_server *srv = th->srv;
    struct login_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return NULL;
    }
    atomic_init(&c->refs, 1); /* the thread's reference */
    atomic_fetch_add(&srv->refs, 1);
    c->srv = srv;
    c->th = th;
    c->fd = -1;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    pthread_mutex_init(&c->lock, NULL);
    c->ssh = ssh_new();
    if (c->ssh == NULL || ssh_bind_accept_fd(th->bind, c->ssh, fd) != SSH_OK) {
        login_logf(srv, LOGIN_LOG_ERROR, "cannot start SSH for %s: %s", peer,
                   ssh_get_error(th->bind));
        int owned = c->ssh != NULL && ssh_get_fd(c->ssh) == fd;
        if (c->ssh != NULL) {
            ssh_free(c->ssh);
        }
        if (!owned) {
            close(fd);
        }
        conn_release(c);
        return NULL;
    }
    c->fd = fd;
    ssh_set_blocking(c->ssh, 0);
    ssh_set_auth_methods(c->ssh, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE |
                                     (srv->be.auth_pubkey ? SSH_AUTH_METHOD_PUBLICKEY : 0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(th->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        login_logf(srv, LOGIN_LOG_ERROR, "epoll: %s", strerror(errno));
        ssh_free(c->ssh);
        conn_release(c);
        return NULL;
    }
    c->linked = 1;
    c->ev_mask = ev.events;
    c->next = th->conns;
    if (th->conns != NULL) {
        th->conns->prev = c;
    }
    th->conns = c;
    th->nconn++;
    atomic_fetch_add(&srv->n_conn, 1);
    atomic_fetch_add(&srv->n_unauth, 1);
    c->counted_unauth = 1;
    c->t_deadline = login_now_ms() + srv->cfg.auth_timeout_ms;
    login_thread_timer(th, c->t_deadline);
    c->state = CS_KEX;
    return c;
}

/* ---- ending -------------------------------------------------------------------- */

void
conn_kill(struct login_conn *c, enum login_disc_reason why)
{
    if (c->state == CS_DEAD) {
        return;
    }
    c->why = why;
    c->state = CS_DEAD;
}

/* Free the dead channels; the whole connection when it is dead. */
void
conn_reap(struct login_conn *c)
{
    struct login_session *s = c->chans;
    while (s != NULL) {
        struct login_session *next = s->next;
        if (s->state == CH_DEAD || c->state == CS_DEAD) {
            chan_teardown(s, c->why ? c->why : LOGIN_DISC_ERROR);
            if (c->nchan == 0 && c->state == CS_READY) {
                c->t_empty = login_now_ms();
                login_thread_timer(c->th, conn_next_time(c));
            }
        }
        s = next;
    }
    if (c->state != CS_DEAD) {
        return;
    }
    struct login_server *srv = c->srv;
    struct login_thread *th = c->th;
    auth_release_pending(c);
    if (c->fd >= 0 && ssh_get_fd(c->ssh) == c->fd) {
        epoll_ctl(th->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    }
    if (ssh_is_connected(c->ssh)) {
        if (c->state == CS_KEX) {
            ssh_silent_disconnect(c->ssh);
        } else {
            ssh_disconnect(c->ssh);
        }
    }
    ssh_free(c->ssh); /* also closes the socket */
    c->ssh = NULL;
    c->fd = -1;
    pthread_mutex_lock(&c->lock);
    c->linked = 0;
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_sub(&srv->n_conn, 1);
    if (c->counted_unauth) {
        atomic_fetch_sub(&srv->n_unauth, 1);
        throttle_unauth_del(&srv->thr, c->peer);
    }
    if (c->counted_user) {
        throttle_user_del(&srv->thr, c->userid);
    }
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        th->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    th->nconn--;
    conn_release(c);
}

/* ---- requests ------------------------------------------------------------------ */

static void
handle_message(struct login_conn *c, ssh_message m)
{
    switch (ssh_message_type(m)) {
    case SSH_REQUEST_AUTH:
        if (c->state == CS_AUTH) {
            auth_request(c, m);
            return;
        }
        break;
    case SSH_REQUEST_SERVICE: {
        const char *svc = ssh_message_service_service(m);
        if (svc == NULL || strcmp(svc, "ssh-userauth") != 0) {
            conn_kill(c, LOGIN_DISC_ERROR);
            ssh_message_free(m);
            return;
        }
        break; /* the default reply accepts it */
    }
    case SSH_REQUEST_CHANNEL_OPEN:
        if (c->state == CS_READY && ssh_message_subtype(m) == SSH_CHANNEL_SESSION) {
            if (c->nchan >= c->srv->cfg.max_channels) {
                /* libssh 0.10 can only say "administratively prohibited"
                 * (no text): the same answer as sshd's MaxSessions, on
                 * which OpenSSH opens a connection of its own */
                login_logf(c->srv, LOGIN_LOG_NOTICE,
                           "channel refused for %s from %s: %d channels open (limit)",
                           c->userid, c->peer, c->nchan);
                break;
            }
            chan_open(c, m);
            ssh_message_free(m);
            return;
        }
        break; /* port forwarding, X11, agent...: no */
    case SSH_REQUEST_CHANNEL: {
        struct login_session *s =
            c->state == CS_READY ? chan_find(c, ssh_message_channel_request_channel(m)) : NULL;
        if (s != NULL) {
            chan_request(s, m);
            ssh_message_free(m);
            return;
        }
        break;
    }
    default:
        break;
    }
    ssh_message_reply_default(m);
    ssh_message_free(m);
}

static int
take_messages(struct login_conn *c)
{
    int progress = 0;
    for (int n = 0; n < 64 && (c->state == CS_AUTH || c->state == CS_READY);
         n++) { /* bounded: a flood of requests must not starve the others */
        ssh_message m = ssh_message_get(c->ssh);
        if (m == NULL) {
            break;
        }
        progress = 1;
        handle_message(c, m);
    }
    return progress;
}

/* ---- the pump ------------------------------------------------------------------ */

static void
check_alive(struct login_conn *c)
{
    if (c->state == CS_DEAD) {
        return;
    }
    if (c->fd >= 0 && ssh_get_fd(c->ssh) != c->fd) {
        c->fd = -1; /* libssh closed it (and so left our epoll) */
    }
    if (c->abuse) {
        login_logf(c->srv, LOGIN_LOG_NOTICE, "%s ignored flow control: disconnected", c->peer);
        conn_kill(c, LOGIN_DISC_ERROR);
        return;
    }
    if (c->fd < 0 || !ssh_is_connected(c->ssh) ||
        (ssh_get_status(c->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
        conn_kill(c, c->state == CS_READY ? LOGIN_DISC_HANGUP : LOGIN_DISC_ERROR);
        return;
    }
    for (struct login_session *s = c->chans; s != NULL; s = s->next) {
        chan_check(s);
    }
}

static void
update_interest(struct login_conn *c)
{
    if (c->state == CS_DEAD || c->fd < 0) {
        return;
    }
    uint32_t ev = EPOLLRDHUP;
    if (!pending_state(c)) {
        ev |= EPOLLIN;
    }
    if (ssh_get_poll_flags(c->ssh) & SSH_WRITE_PENDING) {
        ev |= EPOLLOUT;
    }
    login_conn_set_interest(c, ev);
}

void
conn_pump(struct login_conn *c)
{
    if (c->state == CS_DEAD) {
        return;
    }
    if (ssh_get_poll_flags(c->ssh) & SSH_WRITE_PENDING) {
        ssh_blocking_flush(c->ssh, 0);
    }
    for (int round = 0;; round++) {
        int progress = 0;
        if (c->state == CS_KEX) {
            int rc = ssh_handle_key_exchange(c->ssh);
            if (rc == SSH_OK) {
                c->state = CS_AUTH;
                progress = 1;
            } else if (rc == SSH_ERROR) {
                login_logf(c->srv, LOGIN_LOG_DEBUG, "key exchange with %s failed: %s", c->peer,
                           ssh_get_error(c->ssh));
                conn_kill(c, LOGIN_DISC_ERROR);
                break;
            } else {
                break;
            }
        }
        progress |= take_messages(c);
        for (struct login_session *s = c->chans; s != NULL && c->state != CS_DEAD; s = s->next) {
            progress |= chan_pump(s);
        }
        if (c->state == CS_DEAD || !progress) {
            break;
        }
        check_alive(c);
        if (round == 8) {
            login_thread_schedule(c); /* more to do: after the others */
            break;
        }
    }
    check_alive(c);
    update_interest(c);
}

void
conn_event(struct login_conn *c, uint32_t events)
{
    if (pending_state(c) && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        conn_kill(c, LOGIN_DISC_ERROR); /* gave up while we were checking */
        return;
    }
    for (struct login_session *s = c->chans; s != NULL; s = s->next) {
        if (s->state == CH_CLOSING) {
            /* The client is still taking what we sent before the close:
             * the grace time counts from its last sign of life. */
            s->t_wait = login_now_ms() + c->srv->cfg.close_grace_ms;
        }
    }
    conn_pump(c);
}

void
conn_ready(struct login_conn *c)
{
    pthread_mutex_lock(&c->lock);
    int answered = c->auth_answered;
    int result = c->auth_result;
    if (answered) {
        c->auth_answered = 0;
        c->auth_seq++; /* a second answer to the same request is ignored */
    }
    pthread_mutex_unlock(&c->lock);
    if (answered && c->state == CS_AUTH_BACKEND) {
        auth_answer(c, result);
    }
    conn_pump(c);
}

/* ---- timers -------------------------------------------------------------------- */

static uint64_t
earlier(uint64_t a, uint64_t b)
{
    return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

uint64_t
conn_next_time(const struct login_conn *c)
{
    switch (c->state) {
    case CS_KEX:
    case CS_AUTH:
    case CS_AUTH_BACKEND:
        return c->t_deadline;
    case CS_AUTH_DELAY:
    case CS_AUTH_FLOOR:
        return earlier(c->t_wait, c->t_deadline);
    case CS_READY: {
        uint64_t t = 0;
        if (c->nchan == 0 && c->srv->cfg.empty_timeout_ms > 0) {
            t = c->t_empty + c->srv->cfg.empty_timeout_ms;
        }
        for (const struct login_session *s = c->chans; s != NULL; s = s->next) {
            t = earlier(t, chan_next_time(s));
        }
        return t;
    }
    case CS_DEAD:
        return 0;
    }
    return 0;
}

void
conn_timer(struct login_conn *c, uint64_t now)
{
    switch (c->state) {
    case CS_KEX:
    case CS_AUTH:
    case CS_AUTH_DELAY:
    case CS_AUTH_BACKEND:
    case CS_AUTH_FLOOR:
        if (now >= c->t_deadline) {
            login_logf(c->srv, LOGIN_LOG_NOTICE, "logon from %s timed out", c->peer);
            ssh_session_set_disconnect_message(c->ssh, "Logon timed out");
            conn_kill(c, LOGIN_DISC_ERROR);
        } else if (c->state == CS_AUTH_DELAY || c->state == CS_AUTH_FLOOR) {
            auth_timer(c, now);
            conn_pump(c);
        }
        return;
    case CS_READY:
        if (c->nchan == 0 && c->srv->cfg.empty_timeout_ms > 0 &&
            now >= c->t_empty + c->srv->cfg.empty_timeout_ms) {
            login_logf(c->srv, LOGIN_LOG_INFO, "connection of %s from %s: idle without a channel",
                       c->userid, c->peer);
            ssh_session_set_disconnect_message(c->ssh, "Idle timeout");
            conn_kill(c, LOGIN_DISC_IDLE);
            return;
        }
        for (struct login_session *s = c->chans; s != NULL && c->state != CS_DEAD; s = s->next) {
            chan_timer(s, now);
        }
        return;
    case CS_DEAD:
        return;
    }
}
