// SPDX-License-Identifier: MIT
/*
 * login/io.c - what the backend calls from any thread, and how it reaches
 * the client.
 *
 * Each session has an output queue of chunks (output, standard error, prompt
 * changes, close, exec finish) under its mutex. Backend threads append to
 * it (bounded by config.output_limit bytes of output: login_write() then
 * returns -EAGAIN and the writable() callback follows once the queue is half
 * empty) and put the session's connection on its SSH thread's ready list,
 * which wakes the thread through an eventfd. s->conn may be used only while
 * s->linked is seen under s->lock: the owner thread unlinks every channel
 * (under its lock) before it lets go of the connection. The SSH thread (io_flush_output) takes chunks
 * only when what it rendered before has gone out, renders them (console) or
 * copies them (exec) into the session's wire buffers, and writes those into
 * the channel no faster than the client's SSH window allows; the rest stays
 * for the next window adjust. So a slow client stops the backend instead of
 * growing memory.
 *
 * Also here: references, authentication answers, and small helpers (time,
 * log, buffers) used by the whole folder.
 */
#include "login/login_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t
login_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
login_logf(struct login_server *srv, enum login_log_level level, const char *fmt, ...)
{
    if (srv == NULL || srv->be.log == NULL) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv->be.log(srv->be.opaque, level, msg);
}

int
login_buf_put(struct login_buf *b, const void *data, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            return -ENOMEM;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

int
login_buf_puts(struct login_buf *b, const char *s)
{
    return login_buf_put(b, s, strlen(s));
}

void
login_buf_consume(struct login_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->p, b->p + n, b->len - n);
        b->len -= n;
    }
    if (b->len == 0 && b->cap > 65536) {
        free(b->p); /* give back what a burst took */
        b->p = NULL;
        b->cap = 0;
    }
}

void
login_buf_free(struct login_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- references ------------------------------------------------------------ */

void
login_session_hold(struct login_session *s)
{
    atomic_fetch_add(&s->refs, 1);
}

void
login_session_release(struct login_session *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1) {
        return;
    }
    struct login_server *srv = s->srv;
    pthread_mutex_lock(&s->lock);
    io_queue_free(s);
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
    login_server_unref(srv);
}

const char *
login_session_userid(const struct login_session *s)
{
    return s->userid;
}

const char *
login_session_peer(const struct login_session *s)
{
    return s->peer;
}

int
login_session_is_exec(const struct login_session *s)
{
    return s->is_exec;
}

void
login_session_set_data(struct login_session *s, void *data)
{
    atomic_store(&s->data, data);
}

/* The session's output queue limit (lock held). */
static size_t
out_limit(const struct login_session *s)
{
    return s->out_limit ? s->out_limit : s->srv->cfg.output_limit;
}

int
login_session_set_output_limit(struct login_session *s, size_t limit)
{
    if (!s->is_exec || limit == 0) {
        return -EINVAL;
    }
    pthread_mutex_lock(&s->lock);
    s->out_limit = limit;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void *
login_session_data(const struct login_session *s)
{
    return atomic_load(&((struct login_session *)s)->data);
}

/* ---- authentication answers ------------------------------------------------ */

void
login_auth_done(struct login_auth *a, enum login_auth_result result)
{
    struct login_conn *c = a->c;
    pthread_mutex_lock(&c->lock);
    if (c->linked && c->auth_seq == a->seq && !c->auth_answered) {
        c->auth_answered = 1;
        c->auth_result = result == LOGIN_AUTH_OK;
        login_thread_schedule(c);
    }
    pthread_mutex_unlock(&c->lock);
    free(a);
    conn_release(c);
}

const char *
login_auth_peer(const struct login_auth *a)
{
    return a->c->peer;
}

/* ---- the output queue --------------------------------------------------- */

void
io_queue_free(struct login_session *s)
{
    struct chunk *c = s->qhead;
    while (c != NULL) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    s->qhead = s->qtail = NULL;
    s->qbytes = 0;
}

static void
enqueue(struct login_session *s, struct chunk *c)
{
    c->next = NULL;
    if (s->qtail != NULL) {
        s->qtail->next = c;
    } else {
        s->qhead = c;
    }
    s->qtail = c;
    if (c->kind == CK_OUT || c->kind == CK_ERR) {
        s->qbytes += c->len;
    }
    login_thread_schedule(s->conn);
}

static struct chunk *
new_chunk(enum chunk_kind kind, int arg, const void *data, size_t len)
{
    struct chunk *c = malloc(sizeof *c + len + 1);
    if (c != NULL) {
        c->kind = kind;
        c->arg = arg;
        c->len = len;
        if (len > 0) {
            memcpy(c->data, data, len);
        }
        c->data[len] = '\0';
    }
    return c;
}

static ssize_t
write_stream(struct login_session *s, enum chunk_kind kind, const void *data, size_t len)
{
    if (len == 0) {
        return 0;
    }
    ssize_t rc;
    pthread_mutex_lock(&s->lock);
    size_t limit = out_limit(s);
    if (!s->linked) {
        rc = -ENOTCONN;
    } else if (s->closing) {
        rc = -EPIPE;
    } else if (s->qbytes >= limit) {
        s->want_writable = 1;
        rc = -EAGAIN;
    } else {
        size_t n = len < limit - s->qbytes ? len : limit - s->qbytes;
        struct chunk *c = new_chunk(kind, 0, data, n);
        if (c == NULL) {
            rc = -ENOMEM;
        } else {
            if (n < len) {
                s->want_writable = 1; /* the rest waits for writable() too */
            }
            enqueue(s, c);
            rc = (ssize_t)n;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

ssize_t
login_write(struct login_session *s, const void *data, size_t len)
{
    return write_stream(s, CK_OUT, data, len);
}

ssize_t
login_write_err(struct login_session *s, const void *data, size_t len)
{
    return write_stream(s, CK_ERR, data, len);
}

/* Queue a control chunk; closing ones mark the session closing. */
static int
control(struct login_session *s, enum chunk_kind kind, int arg, const char *text)
{
    int rc = 0;
    size_t len = text ? strlen(text) : 0;
    pthread_mutex_lock(&s->lock);
    if (!s->linked) {
        rc = -ENOTCONN;
    } else if (s->closing) {
        rc = -EPIPE;
    } else if (kind == CK_FINISH && !s->is_exec) {
        rc = -EINVAL;
    } else {
        struct chunk *c = new_chunk(kind, arg, text, len);
        if (c == NULL) {
            rc = -ENOMEM;
        } else {
            if (kind == CK_CLOSE || kind == CK_FINISH) {
                s->closing = 1;
            }
            enqueue(s, c);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int
login_console_prompt(struct login_session *s, const char *prompt, int flags)
{
    return control(s, CK_PROMPT, flags, prompt ? prompt : "");
}

int
login_close(struct login_session *s, const char *message)
{
    return control(s, CK_CLOSE, 0, message);
}

int
login_exec_finish(struct login_session *s, int rc)
{
    return control(s, CK_FINISH, rc, NULL);
}

int
login_input_resume(struct login_session *s)
{
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    if (!s->linked) {
        rc = -ENOTCONN;
    } else {
        s->resume = 1;
        login_thread_schedule(s->conn);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- SSH thread: from the queue into the channel ----------------------------- */

/* Output is gathered up to this many bytes before a channel write. */
#define PACKET_FILL 32768

/* Write as much of b as the window takes. 1 if all went, 0 if some is
 * left, -1 on a channel error. */
static int
drain(struct login_session *s, struct login_buf *b, int err)
{
    while (b->len > 0) {
        uint32_t win = ssh_channel_window_size(s->chan);
        if (win == 0) {
            return 0;
        }
        uint32_t n = b->len < win ? (uint32_t)b->len : win;
        if (n > 32768) {
            n = 32768;
        }
        int w = err ? ssh_channel_write_stderr(s->chan, b->p, n)
                    : ssh_channel_write(s->chan, b->p, n);
        if (w < 0) {
            return -1;
        }
        login_buf_consume(b, (size_t)w);
        if ((uint32_t)w < n) {
            return 0;
        }
    }
    return 1;
}

/* Apply one chunk taken from the queue. */
static int
apply(struct login_session *s, struct chunk *c)
{
    switch (c->kind) {
    case CK_OUT:
    case CK_ERR:
        if (s->is_exec) {
            return login_buf_put(c->kind == CK_ERR ? &s->wire_err : &s->wire, c->data, c->len);
        }
        return console_output(&s->con, &s->wire, c->data, c->len);
    case CK_PROMPT:
        return s->is_exec ? 0 : console_set_prompt(&s->con, &s->wire, c->data, c->arg);
    case CK_CLOSE:
        s->final_pending = 1;
        s->final_code = 0;
        s->final_why = LOGIN_DISC_CLOSED;
        if (s->is_exec) {
            return 0;
        }
        return console_set_prompt(&s->con, &s->wire, "", 0) ||
               console_output(&s->con, &s->wire, c->data, c->len);
    case CK_FINISH:
        s->final_pending = 1;
        s->final_code = c->arg;
        s->final_why = LOGIN_DISC_CLOSED;
        if (c->arg < 0 || c->arg > 255) {
            char msg[32];
            snprintf(msg, sizeof msg, "RC=%d\n", c->arg);
            s->final_code = 255;
            return login_buf_puts(&s->wire_err, msg);
        }
        return 0;
    }
    return 0;
}

/* Render the console text gathered from the queue. */
static int
render_text(struct login_session *s)
{
    int rc = 0;
    if (s->text.len > 0) {
        rc = console_output(&s->con, &s->wire, s->text.p, s->text.len);
        s->text.len = 0;
    }
    return rc;
}

int
io_flush_output(struct login_session *s)
{
    int progress = 0;
    if (s->chan == NULL || s->state != CH_OPEN) {
        return 0;
    }
    for (;;) {
        size_t before = s->wire.len + s->wire_err.len;
        int r1 = drain(s, &s->wire, 0);
        int r2 = r1 < 0 ? -1 : drain(s, &s->wire_err, 1);
        if (s->wire.len + s->wire_err.len != before) {
            progress = 1;
        }
        if (r1 < 0 || r2 < 0) {
            if (ssh_channel_is_closed(s->chan) || !ssh_is_connected(s->conn->ssh)) {
                s->chan_closed = 1;
            } else {
                conn_kill(s->conn, LOGIN_DISC_ERROR);
            }
            return 1;
        }
        if (r1 == 0 || r2 == 0) {
            break; /* window full: continue on the next window adjust */
        }
        if (s->final_pending) {
            s->final_pending = 0;
            chan_close(s, s->final_code, s->final_why);
            return 1;
        }
        /* Everything rendered went out: take chunks until about one full
         * SSH packet is ready (fewer, larger packets), or a close/finish. */
        int took = 0;
        while (s->wire.len + s->wire_err.len + s->text.len < PACKET_FILL && !s->final_pending) {
            int notify = 0;
            pthread_mutex_lock(&s->lock);
            struct chunk *c = s->qhead;
            if (c != NULL) {
                s->qhead = c->next;
                if (s->qhead == NULL) {
                    s->qtail = NULL;
                }
                if (c->kind == CK_OUT || c->kind == CK_ERR) {
                    s->qbytes -= c->len;
                }
                if (s->want_writable && s->qbytes <= out_limit(s) / 2) {
                    s->want_writable = 0;
                    notify = 1;
                }
            }
            pthread_mutex_unlock(&s->lock);
            if (c == NULL) {
                break;
            }
            took = progress = 1;
            int rc;
            if (!s->is_exec && (c->kind == CK_OUT || c->kind == CK_ERR)) {
                /* console text: gathered, rendered at once (one redraw) */
                rc = login_buf_put(&s->text, c->data, c->len);
            } else {
                rc = render_text(s);
                if (rc == 0) {
                    rc = apply(s, c);
                }
            }
            free(c);
            if (rc != 0) {
                conn_kill(s->conn, LOGIN_DISC_ERROR);
                return 1;
            }
            if (notify && s->srv->be.writable != NULL) {
                s->srv->be.writable(s->srv->be.opaque, s);
            }
            if (s->state != CH_OPEN) {
                return 1;
            }
        }
        if (render_text(s) != 0) {
            conn_kill(s->conn, LOGIN_DISC_ERROR);
            return 1;
        }
        if (!took) {
            break;
        }
    }
    return progress;
}
