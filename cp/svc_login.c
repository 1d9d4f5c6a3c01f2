// SPDX-License-Identifier: MIT
/*
 * cp/svc_login.c - the login/ backend (login/login.h) over CP (cp/cp.h):
 * the glue that makes an SSH connection a VM/RV terminal.
 *
 *   auth_password, auth_pubkey   checked against the directory
 *                                (dir_password_check, dir_key_check) on
 *                                a worker thread, never on an SSH thread:
 *                                a yescrypt hash costs about 10 ms.
 *   console_open                 the logo ("<system> VM/RV <version>
 *                                ONLINE"), then a logon job on a worker:
 *                                the user's minidisks are prepared
 *                                (svc_disks_prepare) and cp_logon logs on,
 *                                reconnects or takes over.  Lines typed
 *                                meanwhile wait (-EAGAIN, then
 *                                login_input_resume).
 *   console_line, attention      cp_session_input, cp_session_attention
 *   exec_start                   cp_exec on a worker; its output, then the
 *                                return code as the exit status.
 *   disconnect                   cp_session_close: CP disconnects the user
 *                                (the VM goes on) unless CP ended it.
 *
 * The CP console pushes output from any thread (CON_TERM_ANY_THREAD)
 * straight into login_write.  When login's queue is full, the console
 * keeps the rest in its ring and holds the guest (HOLDING); login's
 * writable() callback pumps again.  When CP ends the attachment (LOGOFF,
 * FORCE, DISCONNECT, takeover) the console says CON_EV_CLOSE and the
 * connection is closed once the output is out (a takeover's notice is
 * the closing message).
 *
 * Locks: term->lock is a leaf (nothing is called while holding it); the
 * console may call term_notify/term_write with its own mutex held, and
 * those take only term->lock and login/'s internal locks (leaves too).
 * A struct term lives until the SSH side is done with it (disconnect) and
 * the worker is done with it: two references.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/dir.h"
#include "cp/spool_cp.h"
#include "cp/svc.h"
#include "login/login.h"

#define PW_MAX 256

enum job_kind { JOB_PASSWORD, JOB_PUBKEY, JOB_LOGON, JOB_EXEC, JOB_PUNCH_EOF };

struct job {
    struct job *next;
    enum job_kind kind;
    struct login_auth *auth; /* PASSWORD, PUBKEY */
    struct term *term; /* LOGON, EXEC: holds a reference */
    char userid[LOGIN_USERID_MAX + 1];
    char *text; /* password, "type base64", or the command (malloc'd) */
};

struct svc_login {
    struct cp_system *sys;
    struct login_server *srv;
    char datadir[1024];
    char sdisk[1024];
    char sysname[16];
    pthread_mutex_t lock; /* the job queue */
    pthread_cond_t cond;
    struct job *head, **tail;
    bool stop;
    unsigned nworkers;
    pthread_t workers[8];
};

struct term {
    struct svc_login *L;
    struct login_session *ls; /* a reference, dropped at free */
    pthread_mutex_t lock;
    int refs; /* under lock */
    struct cp_session *cs; /* set when logged on, NULL after close */
    bool exec;
    bool logon_done; /* cp_logon finished (either way) */
    bool want_resume; /* a line was refused while logging on */
    bool gone; /* disconnect() came */
    bool blocked; /* login's queue refused output: writable() follows */
    bool closing; /* CP ended the session; close when the output is out */
    bool close_sent;
    char reason[200]; /* closing message */
    /* exec output not yet taken by login_write */
    char *xout;
    size_t xlen, xoff;
    int xrc;
    bool xready;
    bool flushing, again; /* one exec_flush at a time; another came meanwhile */
    struct svc_rx *rx; /* RECEIVE: the rest of the file, read as login drains */
    struct svc_spx *spx; /* an SSH PUNCH taking standard input (cp/svc_spool.c) */
};

/* ---- terms ---------------------------------------------------------------------- */

static struct term *
term_new(struct svc_login *L, struct login_session *ls, bool exec)
{
    struct term *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->L = L;
    t->ls = ls;
    t->exec = exec;
    t->refs = 1; /* the SSH side's */
    pthread_mutex_init(&t->lock, NULL);
    login_session_set_data(ls, t);
    return t;
}

static void
term_ref(struct term *t)
{
    pthread_mutex_lock(&t->lock);
    t->refs++;
    pthread_mutex_unlock(&t->lock);
}

static void
term_unref(struct term *t)
{
    pthread_mutex_lock(&t->lock);
    int left = --t->refs;
    pthread_mutex_unlock(&t->lock);
    if (left == 0) {
        login_session_release(t->ls);
        svc_spx_discard(t->spx);
        svc_spx_receive_close(t->rx);
        free(t->xout);
        pthread_mutex_destroy(&t->lock);
        free(t);
    }
}

/* Writes all of buf unless login's queue fills up.  Returns the bytes
 * taken; sets t->blocked when it stopped on a full queue; a connection
 * that is gone takes (and drops) everything. */
static size_t
write_some(struct term *t, const char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = login_write(t->ls, buf + done, len - done);
        if (n == -EAGAIN) {
            pthread_mutex_lock(&t->lock);
            t->blocked = true;
            pthread_mutex_unlock(&t->lock);
            break;
        }
        if (n <= 0) {
            return len;
        }
        done += (size_t)n;
    }
    return done;
}

/* Closes the connection once, with the closing message. */
static void
term_close_now(struct term *t)
{
    pthread_mutex_lock(&t->lock);
    bool send = !t->close_sent;
    t->close_sent = true;
    char msg[sizeof t->reason + 2];
    snprintf(msg, sizeof msg, "%s%s", t->reason, t->reason[0] ? "\n" : "");
    pthread_mutex_unlock(&t->lock);
    if (send) {
        login_close(t->ls, msg[0] ? msg : NULL);
    }
}

/* ---- the CP console's terminal (struct con_term_ops) ----------------------------- */

/* Console mutex held: takes only t->lock and login/'s locks. */
static size_t
term_write(void *ctx, const void *buf, size_t len)
{
    return write_some(ctx, buf, len);
}

static void
term_notify(void *ctx, unsigned events)
{
    struct term *t = ctx;
    if (!(events & CON_EV_CLOSE)) {
        return; /* output is pushed at once; states are not shown */
    }
    pthread_mutex_lock(&t->lock);
    struct cp_session *cs = t->cs;
    t->closing = true;
    bool blocked = t->blocked;
    pthread_mutex_unlock(&t->lock);
    char why[sizeof t->reason] = "";
    if (cs) {
        cp_session_closed(cs, why, sizeof why); /* session lock: a leaf */
    }
    pthread_mutex_lock(&t->lock);
    snprintf(t->reason, sizeof t->reason, "%s", why);
    pthread_mutex_unlock(&t->lock);
    if (!blocked) {
        term_close_now(t);
    }
}

static const struct con_term_ops term_ops = {term_notify, term_write, CON_TERM_ANY_THREAD};

/* ---- the job queue and its workers ------------------------------------------------ */

static void
post_job(struct svc_login *L, struct job *j)
{
    pthread_mutex_lock(&L->lock);
    j->next = NULL;
    *L->tail = j;
    L->tail = &j->next;
    pthread_cond_signal(&L->cond);
    pthread_mutex_unlock(&L->lock);
}

static void
free_job(struct job *j)
{
    if (j->text) {
        explicit_bzero(j->text, strlen(j->text));
        free(j->text);
    }
    free(j);
}

/* This worker's directory connection (opened on first use). */
static struct dir *
worker_dir(struct svc_login *L, struct dir **d)
{
    if (!*d) {
        char err[256] = "";
        if (dir_open(d, L->datadir, 0, err, sizeof err) != 0) {
            cplog(CPLOG_ERROR, NULL, NULL, "logon service: directory: %s", err);
            *d = NULL;
        }
    }
    return *d;
}

static void
do_password(struct svc_login *L, struct dir *d, struct job *j)
{
    int rc = d ? dir_password_check(d, j->userid, j->text) : -EIO;
    if (rc == 0) {
        login_auth_done(j->auth, LOGIN_AUTH_OK);
        return;
    }
    cp_audit_bad_logon(L->sys, j->userid, login_auth_peer(j->auth),
                       rc == -EACCES ? "password not accepted" : "directory not readable");
    login_auth_done(j->auth, LOGIN_AUTH_DENY);
}

static void
do_pubkey(struct svc_login *L, struct dir *d, struct job *j)
{
    char *sp = strchr(j->text, ' ');
    struct dir_user u;
    bool ok = d && sp;
    if (ok) {
        *sp = '\0';
        ok = dir_user_get(d, j->userid, &u) == 0 && !u.nolog &&
             dir_key_check(d, j->userid, j->text, sp + 1) == 0;
    }
    login_auth_done(j->auth, ok ? LOGIN_AUTH_OK : LOGIN_AUTH_DENY);
}

static void
do_logon(struct svc_login *L, struct dir *d, struct job *j)
{
    struct term *t = j->term;
    struct svc_disk_report rep;
    if (d) {
        svc_disks_prepare_dir(d, j->userid, L->sdisk, &rep);
    }
    struct cp_session *cs = NULL;
    char why[256] = "";
    int rc = cp_logon(L->sys, j->userid, login_session_peer(t->ls), &term_ops, t, &cs, why,
                      sizeof why);
    pthread_mutex_lock(&t->lock);
    t->logon_done = true;
    bool gone = t->gone, resume = t->want_resume;
    if (rc == 0 && !gone) {
        t->cs = cs;
    }
    if (rc != 0) {
        snprintf(t->reason, sizeof t->reason, "%s", why[0] ? why : "LOGON failed");
    }
    pthread_mutex_unlock(&t->lock);
    if (rc != 0) {
        term_close_now(t);
    } else if (gone) {
        cp_session_close(cs); /* the client left while we logged on: disconnected */
    } else if (resume) {
        login_input_resume(t->ls);
    }
}

/* RECEIVE's pieces (read from the spool as login's queue drains) and the
 * output window of an exec session (a console keeps login's default). */
#define RX_PIECE (256u << 10)
#define EXEC_OUTPUT_LIMIT (1u << 20)

/* The next piece of a RECEIVE into xout (the flusher only). */
static void
exec_refill(struct term *t)
{
    size_t n = 0;
    int r = svc_spx_receive_read(t->rx, t->xout, RX_PIECE, &n);
    t->xoff = 0;
    t->xlen = n;
    if (r < 0) {
        char *m = svc_spx_receive_error(t->rx, r);
        if (m) {
            (void)login_write_err(t->ls, m, strlen(m));
            (void)login_write_err(t->ls, "\n", 1);
            free(m);
        }
        t->xrc = MSG_SPERROR;
    }
    if (r < 0 || n == 0) {
        svc_spx_receive_close(t->rx);
        t->rx = NULL;
    }
}

/* Moves exec output to login (refilling from a RECEIVE's file); finishes
 * when all of it is out.  One thread at a time does it: a call meanwhile
 * (writable() while the worker writes) makes that one go on. */
static void
exec_flush(struct term *t)
{
    pthread_mutex_lock(&t->lock);
    if (!t->xready || t->close_sent) {
        t->blocked = false;
        pthread_mutex_unlock(&t->lock);
        return;
    }
    if (t->flushing) {
        t->again = true;
        pthread_mutex_unlock(&t->lock);
        return;
    }
    t->flushing = true;
    t->blocked = false;
    pthread_mutex_unlock(&t->lock);
    bool finish = false;
    int rc = 0;
    for (;;) {
        if (t->xoff == t->xlen && t->rx) {
            exec_refill(t);
        }
        t->xoff += write_some(t, t->xout + t->xoff, t->xlen - t->xoff);
        pthread_mutex_lock(&t->lock);
        if (t->gone && t->rx) {
            svc_spx_receive_close(t->rx); /* nobody reads the rest */
            t->rx = NULL;
            t->xoff = t->xlen;
        }
        bool out = t->xoff == t->xlen && !t->rx;
        if (out || (t->blocked && !t->again)) {
            if (out && !t->close_sent) {
                t->close_sent = finish = true;
                rc = t->xrc;
            }
            t->flushing = false;
            pthread_mutex_unlock(&t->lock);
            break;
        }
        t->again = t->blocked = false;
        pthread_mutex_unlock(&t->lock);
    }
    if (finish) {
        login_exec_finish(t->ls, rc < 0 ? 255 : rc);
    }
}

/* The answer of an exec; raw output gets no line end added. */
static void
exec_answer(struct term *t, int rc, const char *out, size_t len, bool raw)
{
    bool nl = !raw && len > 0 && out[len - 1] != '\n';
    char *copy = malloc(len + 2);
    pthread_mutex_lock(&t->lock);
    if (copy) {
        memcpy(copy, out, len);
        if (nl) {
            copy[len++] = '\n';
        }
        t->xout = copy;
        t->xlen = len;
    }
    t->xrc = rc;
    t->xready = true;
    pthread_mutex_unlock(&t->lock);
    exec_flush(t);
    term_unref(t); /* the job's reference */
}

/* cp_exec's answer: any thread. */
static void
exec_done(void *ctx, int rc, const char *out, size_t len)
{
    exec_answer(ctx, rc, out, len, false);
}

/* RECEIVE (a file to standard output) and the end of a PUNCH. */
static void
do_spool_exec(struct svc_login *L, struct job *j)
{
    struct term *t = j->term;
    char *out = NULL;
    size_t len = 0;
    bool raw = false;
    int rc;
    if (j->kind == JOB_PUNCH_EOF) {
        pthread_mutex_lock(&t->lock);
        struct svc_spx *x = t->spx;
        t->spx = NULL;
        pthread_mutex_unlock(&t->lock);
        rc = x ? svc_spx_punch_close(x, &out) : MSG_FAILED;
        len = out ? strlen(out) : 0;
    } else {
        /* RECEIVE: the file goes out piece by piece as login drains */
        struct svc_rx *rx = NULL;
        rc = svc_spx_receive_open(L->sys, j->userid, j->text, &rx, &out, &len);
        char *piece = rx ? malloc(RX_PIECE) : NULL;
        if (rx && piece) {
            pthread_mutex_lock(&t->lock);
            t->rx = rx;
            t->xout = piece;
            t->xlen = t->xoff = 0;
            t->xrc = 0;
            t->xready = true;
            pthread_mutex_unlock(&t->lock);
            exec_flush(t);
            term_unref(t); /* the job's reference */
            j->term = NULL;
            return;
        }
        if (rx) {
            svc_spx_receive_close(rx);
            rc = MSG_SPERROR;
            out = strdup("RECEIVE: out of memory");
            len = out ? strlen(out) : 0;
        }
        raw = false;
    }
    exec_answer(t, rc, out ? out : "", len, raw);
    free(out);
    j->term = NULL; /* exec_answer dropped the reference */
}

static void
do_exec(struct svc_login *L, struct job *j)
{
    struct term *t = j->term;
    if (svc_spx_kind(j->text) == 2) {
        do_spool_exec(L, j);
        return;
    }
    int rc = cp_exec(L->sys, j->userid, j->text, strlen(j->text), exec_done, t);
    if (rc != 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "the command could not be started (%d)", rc);
        exec_done(t, rc, msg, strlen(msg));
    }
    j->term = NULL; /* exec_done dropped the reference */
}

static void *
worker_main(void *arg)
{
    struct svc_login *L = arg;
    struct dir *d = NULL;
    for (;;) {
        pthread_mutex_lock(&L->lock);
        while (!L->head && !L->stop) {
            pthread_cond_wait(&L->cond, &L->lock);
        }
        struct job *j = L->head;
        if (j) {
            L->head = j->next;
            if (!L->head) {
                L->tail = &L->head;
            }
        }
        pthread_mutex_unlock(&L->lock);
        if (!j) {
            break;
        }
        switch (j->kind) {
        case JOB_PASSWORD: do_password(L, worker_dir(L, &d), j); break;
        case JOB_PUBKEY: do_pubkey(L, worker_dir(L, &d), j); break;
        case JOB_LOGON: do_logon(L, worker_dir(L, &d), j); break;
        case JOB_EXEC: do_exec(L, j); break;
        case JOB_PUNCH_EOF: do_spool_exec(L, j); break;
        }
        if (j->term) {
            term_unref(j->term);
        }
        free_job(j);
    }
    dir_close(d);
    return NULL;
}

/* ---- login/ callbacks (on the SSH thread of the session) ---------------------------- */

static void
be_log(void *opaque, enum login_log_level level, const char *message)
{
    static const enum cplog_level map[] = {
        [LOGIN_LOG_DEBUG] = CPLOG_DEBUG,  [LOGIN_LOG_INFO] = CPLOG_INFO,
        [LOGIN_LOG_NOTICE] = CPLOG_WARN,  [LOGIN_LOG_WARNING] = CPLOG_WARN,
        [LOGIN_LOG_ERROR] = CPLOG_ERROR,
    };
    cplog(map[level], NULL, NULL, "ssh: %s", message);
}

static struct job *
new_job(enum job_kind kind, const char *userid, const char *text)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        return NULL;
    }
    j->kind = kind;
    snprintf(j->userid, sizeof j->userid, "%s", userid);
    if (text && !(j->text = strdup(text))) {
        free(j);
        return NULL;
    }
    return j;
}

static void
be_auth_password(void *opaque, struct login_auth *auth, const char *userid, const char *password)
{
    struct job *j = strlen(password) < PW_MAX ? new_job(JOB_PASSWORD, userid, password) : NULL;
    if (!j) {
        login_auth_done(auth, LOGIN_AUTH_DENY);
        return;
    }
    j->auth = auth;
    post_job(opaque, j);
}

static void
be_auth_pubkey(void *opaque, struct login_auth *auth, const char *userid, const char *keytype,
               const char *key_b64)
{
    char *text = NULL;
    struct job *j = NULL;
    if (asprintf(&text, "%s %s", keytype, key_b64) >= 0) {
        j = new_job(JOB_PUBKEY, userid, NULL);
    }
    if (!j) {
        free(text);
        login_auth_done(auth, LOGIN_AUTH_DENY);
        return;
    }
    j->text = text;
    j->auth = auth;
    post_job(opaque, j);
}

static int
be_console_open(void *opaque, struct login_session *s, const struct login_term *term)
{
    struct svc_login *L = opaque;
    struct term *t = term_new(L, s, false);
    struct job *j = t ? new_job(JOB_LOGON, login_session_userid(s), NULL) : NULL;
    if (!j) {
        if (t) {
            login_session_set_data(s, NULL);
            pthread_mutex_destroy(&t->lock);
            free(t);
        }
        return -ENOMEM;
    }
    char logo[128];
    int n = snprintf(logo, sizeof logo, "%s  VM/RV %s  ONLINE\n\n", L->sysname, PACKAGE_VERSION);
    login_write(s, logo, (size_t)n);
    term_ref(t);
    j->term = t;
    post_job(L, j);
    return 0;
}

static int
be_console_line(void *opaque, struct login_session *s, const char *line, size_t len)
{
    struct term *t = login_session_data(s);
    pthread_mutex_lock(&t->lock);
    struct cp_session *cs = t->cs;
    bool wait = !t->logon_done;
    if (wait) {
        t->want_resume = true;
    }
    pthread_mutex_unlock(&t->lock);
    if (wait) {
        return -EAGAIN;
    }
    if (cs) {
        cp_session_input(cs, line, len);
    }
    return 0;
}

static void
be_attention(void *opaque, struct login_session *s)
{
    struct term *t = login_session_data(s);
    pthread_mutex_lock(&t->lock);
    struct cp_session *cs = t->cs;
    pthread_mutex_unlock(&t->lock);
    if (cs) {
        cp_session_attention(cs);
    }
}

static int
be_exec_start(void *opaque, struct login_session *s, const char *command)
{
    struct svc_login *L = opaque;
    (void)login_session_set_output_limit(s, EXEC_OUTPUT_LIMIT); /* a bulk window */
    struct term *t = term_new(L, s, true);
    struct job *j = t ? new_job(JOB_EXEC, login_session_userid(s), command) : NULL;
    if (!j) {
        if (t) {
            login_session_set_data(s, NULL);
            pthread_mutex_destroy(&t->lock);
            free(t);
        }
        return -ENOMEM;
    }
    if (svc_spx_kind(command) == 1) {
        /* PUNCH: standard input goes into the reader; the end of input
         * closes the file on a worker */
        int rc = 0;
        char *msg = NULL;
        t->spx = svc_spx_punch_open(L->sys, login_session_userid(s), command, &rc, &msg);
        free_job(j);
        if (!t->spx) {
            term_ref(t); /* exec_answer drops one */
            exec_answer(t, rc, msg ? msg : "", msg ? strlen(msg) : 0, false);
            free(msg);
        }
        return 0;
    }
    term_ref(t);
    j->term = t;
    post_job(L, j);
    return 0;
}

static size_t
be_exec_input(void *opaque, struct login_session *s, const void *data, size_t len)
{
    struct term *t = login_session_data(s);
    pthread_mutex_lock(&t->lock);
    struct svc_spx *x = t->spx;
    pthread_mutex_unlock(&t->lock);
    if (x) {
        svc_spx_input(x, data, len);
    }
    return len; /* other commands ignore their input */
}

static void
be_exec_eof(void *opaque, struct login_session *s)
{
    struct svc_login *L = opaque;
    struct term *t = login_session_data(s);
    pthread_mutex_lock(&t->lock);
    bool punch = t->spx != NULL;
    pthread_mutex_unlock(&t->lock);
    if (!punch) {
        return;
    }
    struct job *j = new_job(JOB_PUNCH_EOF, login_session_userid(s), NULL);
    if (!j) {
        return;
    }
    term_ref(t);
    j->term = t;
    post_job(L, j);
}

static void
be_writable(void *opaque, struct login_session *s)
{
    struct term *t = login_session_data(s);
    if (t->exec) {
        exec_flush(t);
        return;
    }
    pthread_mutex_lock(&t->lock);
    t->blocked = false;
    struct cp_session *cs = t->cs;
    pthread_mutex_unlock(&t->lock);
    if (cs) {
        cp_session_pump(cs);
    }
    pthread_mutex_lock(&t->lock);
    bool close = t->closing && !t->blocked;
    pthread_mutex_unlock(&t->lock);
    if (close) {
        term_close_now(t);
    }
}

static void
be_disconnect(void *opaque, struct login_session *s, enum login_disc_reason why)
{
    struct term *t = login_session_data(s);
    pthread_mutex_lock(&t->lock);
    t->gone = true;
    struct cp_session *cs = t->cs;
    t->cs = NULL;
    pthread_mutex_unlock(&t->lock);
    if (cs) {
        cp_session_close(cs); /* disconnects the user unless CP ended it */
    }
    term_unref(t); /* the SSH side's reference (the login reference goes with t) */
}

/* ---- start and stop ---------------------------------------------------------------------- */

int
svc_login_start(struct cp_system *sys, const struct svc_login_opts *o, struct svc_login **out,
                char *err, size_t errlen)
{
    *out = NULL;
    struct svc_login *L = calloc(1, sizeof *L);
    if (!L) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    L->sys = sys;
    snprintf(L->datadir, sizeof L->datadir, "%s", o->datadir);
    snprintf(L->sdisk, sizeof L->sdisk, "%s", o->sdisk ? o->sdisk : "");
    snprintf(L->sysname, sizeof L->sysname, "%s", cp_system_config(sys)->system_name);
    pthread_mutex_init(&L->lock, NULL);
    pthread_cond_init(&L->cond, NULL);
    L->tail = &L->head;
    unsigned n = o->workers ? o->workers : 2;
    if (n > sizeof L->workers / sizeof L->workers[0]) {
        n = sizeof L->workers / sizeof L->workers[0];
    }
    for (; L->nworkers < n; L->nworkers++) {
        if (pthread_create(&L->workers[L->nworkers], NULL, worker_main, L) != 0) {
            break;
        }
    }
    char keydir[1100];
    snprintf(keydir, sizeof keydir, "%s/ssh", o->datadir);
    struct login_config cfg;
    login_config_init(&cfg);
    cfg.address = o->address;
    cfg.port = o->port;
    cfg.hostkey_dir = keydir;
    cfg.idle_timeout_ms = 0; /* CP disconnects idle users itself (idle_disconnect) */
    const struct cp_config *cc = cp_system_config(sys);
    cfg.max_channels = (int)cc->ssh_channels;
    cfg.empty_timeout_ms = cc->ssh_empty_timeout_s * 1000u; /* 0 = never, in both */
    char version[32];
    snprintf(version, sizeof version, "VMRV_%s", PACKAGE_VERSION);
    cfg.version = version;
    struct login_backend be = {
        .opaque = L,
        .log = be_log,
        .auth_password = be_auth_password,
        .auth_pubkey = be_auth_pubkey,
        .console_open = be_console_open,
        .console_line = be_console_line,
        .attention = be_attention,
        .exec_start = be_exec_start,
        .exec_input = be_exec_input,
        .exec_eof = be_exec_eof,
        .writable = be_writable,
        .disconnect = be_disconnect,
    };
    int rc = L->nworkers ? login_server_start(&cfg, &be, &L->srv, err, errlen) : -EAGAIN;
    if (rc != 0) {
        if (!L->nworkers) {
            snprintf(err, errlen, "cannot start worker threads");
        }
        L->srv = NULL;
        svc_login_stop(L);
        return rc;
    }
    *out = L;
    return 0;
}

int
svc_login_port(const struct svc_login *l)
{
    return login_server_port(l->srv);
}

void
svc_login_drain(struct svc_login *l, unsigned ms)
{
    for (unsigned waited = 0; waited < ms; waited += 20) {
        struct login_stats st;
        login_server_stats(l->srv, &st);
        if (st.sessions == 0) {
            return;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void
svc_login_stop(struct svc_login *l)
{
    if (!l) {
        return;
    }
    if (l->srv) {
        login_server_stop(l->srv); /* no callback after this */
    }
    pthread_mutex_lock(&l->lock);
    l->stop = true;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
    /* the workers finish the jobs already queued (answers to a stopped
     * server are harmless), then end */
    for (unsigned i = 0; i < l->nworkers; i++) {
        pthread_join(l->workers[i], NULL);
    }
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l);
}
