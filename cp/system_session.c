// SPDX-License-Identifier: MIT
/*
 * cp/system_session.c - the edges of the system (cp/cp.h): terminal
 * sessions (input, attention, output, close), exec requests, DIAG 0x008,
 * message delivery between users, and the small calls the VM layer makes
 * on a user.  The user table and the logon/logoff life cycle are in
 * cp/system.c.
 *
 * A terminal's calls (cp_session_*) never run CP commands themselves: a
 * command line goes to the user's mailbox and runs on the dispatcher
 * thread that runs the VM, so it may look at the VM's registers and
 * storage; the terminal thread only moves bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"

/* ---- sessions ---------------------------------------------------------------------------- */

static bool
session_closed(struct cp_session *s)
{
    pthread_mutex_lock(&s->lock);
    bool c = s->closed;
    pthread_mutex_unlock(&s->lock);
    return c;
}

static void guest_console_ready(struct cp_user *u, const char *arg);

static void console_after(struct cp_user *u);

/* A console command that completed later (LINK, AUTOLOG): its response,
 * then the lines typed meanwhile, which waited for it. */
static void
console_done(struct cp_user *u, void *ctx, int rc, struct cp_out *out)
{
    (void)ctx;
    (void)rc;
    if (out->len) {
        con_cp_output(u->con, out->buf, out->len);
    }
    console_after(u);
}

/* Runs one console command; false if it goes on asynchronously (then
 * console_done finishes it). */
static bool
console_run(struct cp_user *u, const char *line)
{
    struct cp_out o;
    cp_out_init(&o, u);
    int rc = cpcmd_run_async(u, line, strlen(line), CPCMD_CONSOLE, &o, console_done, NULL);
    if (rc != CPCMD_ASYNC && o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
    return rc != CPCMD_ASYNC;
}

/* A console command is done: lines typed while it ran were held by the
 * console (a BEGIN or IPL decides whether they are the guest's, and a
 * command's response comes before the next command's): place them now; a
 * held CP command runs here in turn, as the user typed them. */
static void
console_after(struct cp_user *u)
{
    char next[CPCMD_LINE_MAX + 2];
    for (;;) {
        size_t n = 0;
        enum con_input r = con_cp_done(u->con, next, sizeof next, &n);
        if (r == CON_IN_CP) {
            /* cut to CPCMD_LINE_MAX + 1: cpcmd_run says too long */
            if (!console_run(u, next)) {
                return; /* that one goes on asynchronously */
            }
            continue;
        }
        if (r == CON_IN_WAKE || r == CON_IN_QUEUED) {
            guest_console_ready(u, NULL);
        }
        return;
    }
}

/* On the user's thread: a command typed at the console. */
static void
console_command(struct cp_user *u, const char *line)
{
    if (console_run(u, line)) {
        console_after(u);
    }
}

/* The second attention (or #CP alone): CP READ, and say so. */
static void
enter_cp_read(struct cp_user *u)
{
    con_enter_cp_read(u->con);
    struct cp_out o;
    cp_out_init(&o, u);
    cp_out_msg(&o, MSG_CPREAD);
    if (o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
    cp_user_nudge(u);
}

/* On the user's thread: the VM layer keeps the attention state (whether
 * the guest claimed the last one). */
static void
guest_attention(struct cp_user *u, const char *arg)
{
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (u->vm && u->guest && vo && vo->attention && !con_in_cp_read(u->con)) {
        if (vo->attention(u->vm)) {
            enter_cp_read(u);
        }
    }
}

static void
guest_console_ready(struct cp_user *u, const char *arg)
{
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (u->vm && u->guest && vo && vo->console_ready) {
        vo->console_ready(u->vm);
    }
}

void
cp_session_input(struct cp_session *s, const char *line, size_t len)
{
    if (session_closed(s)) {
        return;
    }
    struct cp_user *u = s->u;
    if (__atomic_load_n(&u->dormant, __ATOMIC_ACQUIRE)) {
        /* SLEEP: any line ends it, and is then taken as usual; the wake is
         * mailed first, so a #CP command on this line runs after it */
        cp_user_post(u, cpcmd_sleep_wake, NULL, true);
    }
    const char *cmd = NULL;
    size_t cmdlen = 0;
    switch (con_input(u->con, line, len, &cmd, &cmdlen)) {
    case CON_IN_CP: {
        char buf[CPCMD_LINE_MAX + 2];
        if (cmdlen > CPCMD_LINE_MAX + 1) {
            cmdlen = CPCMD_LINE_MAX + 1; /* cpcmd_run says it is too long */
        }
        memcpy(buf, cmd, cmdlen);
        buf[cmdlen] = '\0';
        if (cp_user_post(u, console_command, buf, true) < 0) {
            con_cp_output(u->con, "CP is not taking commands now", 29);
            char drop[8];
            size_t n;
            while (con_cp_done(u->con, drop, sizeof drop, &n) == CON_IN_CP) {
            }
        }
        break;
    }
    case CON_IN_CPREAD:
        cp_user_nudge(u);
        break;
    case CON_IN_WAKE:
    case CON_IN_QUEUED:
        /* tell the VM layer (a reading guest becomes runnable, a polling
         * one gets DIAG_EVENT_CONSOLE); the mail wakes it, in Q1 */
        cp_user_post(u, guest_console_ready, NULL, true);
        break;
    case CON_IN_HELD: /* placed when the command before it is done */
    case CON_IN_FULL:
    case CON_IN_NONE:
        break;
    }
}

void
cp_session_attention(struct cp_session *s)
{
    if (session_closed(s)) {
        return;
    }
    struct cp_user *u = s->u;
    if (__atomic_load_n(&u->dormant, __ATOMIC_ACQUIRE)) {
        /* SLEEP: the attention only wakes the console */
        cp_user_post(u, cpcmd_sleep_wake, NULL, true);
        return;
    }
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (vo && vo->attention) {
        if (__atomic_load_n(&u->guest, __ATOMIC_RELAXED) && !con_in_cp_read(u->con)) {
            cp_user_post(u, guest_attention, NULL, true);
        }
        return;
    }
    /* without a VM layer that keeps it, the console's own protocol */
    if (con_attention(u->con) == CON_ATTN_CPREAD) {
        con_enter_cp_read(u->con);
        struct cp_out o;
        cp_out_init(&o, u);
        cp_out_msg(&o, MSG_CPREAD);
        if (o.len) {
            con_cp_output(u->con, o.buf, o.len);
        }
        cp_out_fini(&o);
        cp_user_nudge(u);
    }
}

void
cp_session_pump(struct cp_session *s)
{
    struct cp_user *u = s->u;
    if (con_pump(u->con, s->ctx)) {
        cp_user_wake(u);
    }
}

const char *
cp_session_state(struct cp_session *s)
{
    return con_state_name(s->u->con);
}

bool
cp_session_closed(struct cp_session *s, char *reason, size_t len)
{
    pthread_mutex_lock(&s->lock);
    bool c = s->closed;
    if (reason && len) {
        snprintf(reason, len, "%s", s->reason);
    }
    pthread_mutex_unlock(&s->lock);
    return c;
}

const char *
cp_session_userid(const struct cp_session *s)
{
    return s->u->userid;
}

void
cp_session_close(struct cp_session *s)
{
    struct cp_user *u = s->u;
    bool wake = con_detach(u->con, s->ctx);
    pthread_mutex_lock(&u->lock);
    bool lost = u->sess == s && u->state == USER_ACTIVE;
    if (u->sess == s) {
        u->sess = NULL;
        u->disc_mono = disp_now();
    }
    pthread_mutex_unlock(&u->lock);
    if (wake) {
        cp_user_wake(u);
    }
    if (lost) {
        /* the terminal went away: the VM goes on, disconnected */
        char id[MSG_ID_LEN];
        cplog(CPLOG_INFO, msg_id(MSG_LOG_DISC, id), u->userid, "%s disconnected: %s", u->userid,
              "connection closed");
        cplog_audit("DISCONN", u->userid, "connection closed");
        cp_user_timer_update(u);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
    cp_user_put(u);
}

/* ---- exec ------------------------------------------------------------------------------------- */

struct exec_req {
    void (*done)(void *ctx, int rc, const char *out, size_t len);
    void *ctx;
    size_t len;
    char cmd[];
};

static void
exec_finish(const struct exec_req *r, int rc, struct cp_out *o)
{
    r->done(r->ctx, rc, o->buf ? o->buf : "", cp_out_text_len(o));
}

/* An exec whose command completed later (LINK, AUTOLOG): on u's thread. */
static void
exec_done(struct cp_user *u, void *p, int rc, struct cp_out *o)
{
    struct exec_req *r = p;
    exec_finish(r, rc, o);
    free(r);
}

/* On the user's thread. */
static void
exec_on_thread(struct cp_user *u, void *p)
{
    struct exec_req *r = p;
    struct cp_out o;
    cp_out_init(&o, u);
    int rc = cpcmd_run_async(u, r->cmd, r->len, CPCMD_EXEC, &o, exec_done, r);
    if (rc != CPCMD_ASYNC) {
        exec_finish(r, rc, &o);
        free(r);
    }
    cp_out_fini(&o);
}

int
cp_exec(struct cp_system *sys, const char *userid, const char *cmd, size_t len,
        void (*done)(void *ctx, int rc, const char *out, size_t len), void *ctx)
{
    if (len > CPCMD_LINE_MAX) {
        len = CPCMD_LINE_MAX + 1; /* cpcmd_run reports it */
    }
    struct cp_user *u = cp_user_find(sys, userid, false);
    if (u) {
        struct exec_req *r = malloc(sizeof *r + len + 1);
        int rc = -ENOMEM;
        if (r) {
            r->done = done;
            r->ctx = ctx;
            r->len = len;
            memcpy(r->cmd, cmd, len);
            r->cmd[len] = '\0';
            rc = cp_user_post_ptr(u, exec_on_thread, r, false);
        }
        cp_user_put(u);
        if (rc == 0) {
            return 0;
        }
        free(r);
        /* it logged off meanwhile: run it as for a user who is not logged on */
    }
    struct cp_dirent de;
    memset(&de, 0, sizeof de);
    int drc = sys->svc.dir_lookup ? sys->svc.dir_lookup(sys->svc.ctx, userid, &de) : -ENOENT;
    if (drc < 0) {
        return drc == -ENOENT ? MSG_NOTINDIR : MSG_FAILED;
    }
    snprintf(de.userid, sizeof de.userid, "%s", userid);
    struct cp_user *t = cp_user_alloc(sys, &de, true);
    if (!t) {
        return MSG_FAILED;
    }
    struct cp_out o;
    cp_out_init(&o, t);
    int rc = cpcmd_run(t, cmd, len, CPCMD_EXEC, &o);
    struct exec_req r = {done, ctx, 0};
    exec_finish(&r, rc, &o);
    cp_out_fini(&o);
    cp_user_put(t);
    return 0;
}

struct exec_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int rc;
    char *out;
};

static void
exec_wait_done(void *ctx, int rc, const char *out, size_t len)
{
    struct exec_wait *w = ctx;
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, out, len);
        copy[len] = '\0';
    }
    pthread_mutex_lock(&w->lock);
    w->rc = rc;
    w->out = copy;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int
cp_exec_wait(struct cp_system *sys, const char *userid, const char *cmd, char **out)
{
    struct exec_wait w = {.done = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    int rc = cp_exec(sys, userid, cmd, strlen(cmd), exec_wait_done, &w);
    if (rc == 0) {
        pthread_mutex_lock(&w.lock);
        while (!w.done) {
            pthread_cond_wait(&w.cond, &w.lock);
        }
        pthread_mutex_unlock(&w.lock);
        rc = w.rc;
    } else {
        char text[200];
        msg_format(text, sizeof text, rc, NULL, MSG_ARGS(userid));
        w.out = strdup(text);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    if (out) {
        *out = w.out;
    } else {
        free(w.out);
    }
    return rc;
}

/* ---- DIAG 0x008 and the other calls of the VM layer -------------------------------------- */

int
cp_diag_command(struct cp_user *u, const char *cmd, size_t len, char *resp, size_t cap,
                size_t *full, bool to_console)
{
    struct cp_out o;
    cp_out_init(&o, u);
    int rc = cpcmd_run(u, cmd, len, CPCMD_DIAG, &o);
    size_t n = cp_out_text_len(&o);
    if (resp && cap) {
        memcpy(resp, o.buf ? o.buf : "", n < cap ? n : cap);
    }
    if (full) {
        *full = n;
    }
    if ((to_console || !resp) && o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
    return rc;
}

struct console *
cp_user_console(struct cp_user *u)
{
    return u->con;
}

void
cp_user_cpu_times(struct cp_user *u, uint64_t *virt_us, uint64_t *total_us)
{
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (u->vm && vo && vo->cpu_times) {
        uint64_t v = 0, t = 0;
        vo->cpu_times(u->vm, &v, &t);
        if (virt_us) {
            *virt_us = v;
        }
        if (total_us) {
            *total_us = t;
        }
        return;
    }
    struct disp_vm_info info = {0};
    if (u->dv_added) {
        disp_vm_info(u->sys->disp, &u->dv, &info);
    }
    if (virt_us) {
        *virt_us = info.vcpu_ns / 1000;
    }
    if (total_us) {
        *total_us = info.tcpu_ns / 1000;
    }
}

void
cp_user_stopped(struct cp_user *u, const char *why)
{
    __atomic_store_n(&u->guest, false, __ATOMIC_RELAXED);
    con_set_guest(u->con, false);
    struct cp_out o;
    cp_out_init(&o, u);
    cp_out_msg(&o, MSG_DISWAIT, why);
    if (o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
    char id[MSG_ID_LEN];
    cplog(CPLOG_WARN, msg_id(MSG_LOG_DISWAIT, id), u->userid, "%s stopped: %s", u->userid, why);
}

const char *
cp_user_userid(const struct cp_user *u)
{
    return u->userid;
}

uint32_t
cp_user_classes(const struct cp_user *u)
{
    return u->classes;
}

struct cp_system *
cp_user_system(const struct cp_user *u)
{
    return u->sys;
}

unsigned
cp_user_trace(const struct cp_user *u)
{
    return __atomic_load_n(&u->trace, __ATOMIC_RELAXED);
}

void
cp_user_trace_line(struct cp_user *u, const char *text)
{
    struct cp_out o;
    cp_out_init(&o, u);
    cp_out_msg(&o, MSG_TRACE, text);
    con_cp_output(u->con, o.buf ? o.buf : "", o.len);
    cp_out_fini(&o);
}

/* ---- messages between users ---------------------------------------------------------------- */

int
cp_user_deliver(struct cp_user *u, int kind, const char *from, const char *text)
{
    if (u->transient) {
        return MSG_NOTLOGGEDON;
    }
    struct cp_settings s = cp_user_settings(u);
    pthread_mutex_lock(&u->lock);
    bool connected = u->sess != NULL;
    pthread_mutex_unlock(&u->lock);
    int off = 0;
    switch (kind) {
    case MSG_FROM_MSG: off = s.msg ? 0 : MSG_MSGOFF; break;
    case MSG_FROM_WNG: off = s.wng ? 0 : MSG_MSGOFF; break;
    case MSG_FROM_SMSG: off = s.smsg ? 0 : MSG_SMSGOFF; break;
    default: return MSG_FAILED;
    }
    if (off) {
        return off;
    }
    if (kind == MSG_FROM_SMSG) {
        const struct cp_vm_ops *vo = u->sys->svc.vm;
        if (u->vm && vo && vo->smsg && vo->smsg(u->vm, from, text)) {
            return 0; /* the program in the VM takes it */
        }
    }
    if (!connected) {
        return MSG_DISCONNECTED;
    }
    char padded[CP_USERID_MAX + 1];
    snprintf(padded, sizeof padded, "%-8s", from);
    char line[1100];
    msg_text(line, sizeof line, kind, MSG_ARGS(padded, text));
    int rc = con_message(u->con, line);
    if (rc == -1) {
        return MSG_QFULL;
    }
    if (rc == -2) {
        return MSG_DISCONNECTED;
    }
    return 0;
}

int
cp_send_smsg(struct cp_user *from, const char *to, const char *text)
{
    struct cp_user *t = cp_user_find(from->sys, to, false);
    if (!t) {
        return MSG_NOTLOGGEDON;
    }
    int rc = cp_user_deliver(t, MSG_FROM_SMSG, from->userid, text);
    cp_user_put(t);
    return rc;
}

void
cp_audit_bad_logon(struct cp_system *sys, const char *userid, const char *source, const char *why)
{
    char id[MSG_ID_LEN];
    cplog(CPLOG_WARN, msg_id(MSG_LOG_BADLOGON, id), userid, "Failed logon for %s from %s: %s",
          userid, source ? source : "-", why ? why : "");
    cplog_audit("BADLOGON", userid, "from %s: %s", source ? source : "-", why ? why : "");
}
