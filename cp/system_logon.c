// SPDX-License-Identifier: MIT
/*
 * cp/system_logon.c - logging a user on: a new VM (directory entry,
 * limits on VMs and committed storage, console, the VM layer's machine,
 * the dispatcher, the logon lines and the audit trail, the IPL of the
 * directory's system), a reconnect, or a takeover of a connected session;
 * and AUTOLOG, the same without a terminal.  The rest of the user's life
 * is in cp/system.c (see the diagram in cp/cp.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cp/cpcmd.h"
#include "cp/spool_cp.h"
#include "vmrv/ipl.h"
#include "vmrv/userid.h"

_Static_assert(CP_USERID_MAX == VMRV_USERID_MAX, "one userid length");

/* ---- logon ------------------------------------------------------------------------------------- */

static int
refuse(char *why, size_t whylen, const char *userid, int num, const char *const *args,
       unsigned nargs)
{
    if (why) {
        msg_format(why, whylen, num, NULL, args, nargs);
    }
    /* the log line carries the reason's own id */
    char text[200], id[MSG_ID_LEN];
    msg_text(text, sizeof text, num, args, nargs);
    cplog(CPLOG_WARN, msg_id(num, id), userid, "%s", text);
    return num;
}
#define REFUSE(num, ...) refuse(why, whylen, uid, (num), MSG_ARGS(__VA_ARGS__))

static struct cp_session *
session_new(struct cp_user *u, const struct con_term_ops *ops, void *ctx)
{
    struct cp_session *s = calloc(1, sizeof *s);
    if (!s) {
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->u = u;
    s->ops = ops;
    s->ctx = ctx;
    return s;
}

/* An existing user: reconnect it, or take its session over. */
static int
reconnect(struct cp_user *u, const char *source, const struct con_term_ops *ops, void *ctx,
          struct cp_session **out)
{
    struct cp_session *s = session_new(u, ops, ctx);
    if (!s) {
        cp_user_put(u);
        return MSG_LOGONFAIL;
    }
    pthread_mutex_lock(&u->lock);
    struct cp_session *old = u->sess;
    u->sess = s;
    u->disc_mono = 0;
    snprintf(u->source, sizeof u->source, "%s", source ? source : "");
    if (old) {
        /* under u->lock: once u->sess no longer names it, its terminal's
         * cp_session_close may free it at any moment */
        char why[sizeof old->reason];
        msg_format(why, sizeof why, MSG_TAKENOVER, NULL,
                   MSG_ARGS(source ? source : "another terminal"));
        session_mark_closed(old, why);
    }
    pthread_mutex_unlock(&u->lock);
    if (old) {
        con_close_terminal(u->con); /* to the old terminal, still attached */
    }
    con_attach(u->con, ops, ctx);
    con_enter_cp_read(u->con);
    char hms[16], zone[16], date[40];
    cp_now_parts(hms, zone, date);
    cp_user_msg(u, MSG_RECONNAT, hms, zone, date);
    char id[MSG_ID_LEN];
    cplog(CPLOG_INFO, msg_id(MSG_LOG_RECONN, id), u->userid, "%s reconnected from %s", u->userid,
          source ? source : "-");
    cplog_audit(old ? "TAKEOVER" : "RECONN", u->userid, "from %s", source ? source : "-");
    cp_user_timer_update(u);
    cp_user_nudge(u); /* it stops in CP READ unless RUN ON */
    *out = s;
    return 0;
}

static void
autoipl(struct cp_user *u, const char *arg)
{
    struct cp_out o;
    cp_out_init(&o, u);
    char line[400];
    if (u->dir.ipl_parm[0]) {
        snprintf(line, sizeof line, "IPL %s PARM %s", u->dir.ipl, u->dir.ipl_parm);
    } else {
        snprintf(line, sizeof line, "IPL %s", u->dir.ipl);
    }
    cpcmd_run(u, line, strlen(line), CPCMD_CONSOLE, &o);
    if (o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
}

/* The one logon path: with a terminal (ops) or without (AUTOLOG). */
static int
logon(struct cp_system *sys, const char *userid, const char *source, const char *by,
      const struct con_term_ops *ops, void *ctx, struct cp_session **out, char *why,
      size_t whylen)
{
    char uid[VMRV_USERID_MAX + 1];
    if (vmrv_userid_norm(userid, uid) != 0) { /* the one rule: vmrv/userid.h */
        snprintf(uid, sizeof uid, "?");
        return REFUSE(MSG_INVUSER, "?");
    }
    struct cp_dirent de;
    memset(&de, 0, sizeof de);
    int drc = sys->svc.dir_lookup ? sys->svc.dir_lookup(sys->svc.ctx, uid, &de) : -ENOENT;
    if (drc == -ENOENT) {
        return REFUSE(MSG_NOTINDIR, uid);
    }
    if (drc < 0) {
        return REFUSE(MSG_LOGONFAIL, uid, strerror(-drc));
    }
    snprintf(de.userid, sizeof de.userid, "%s", uid);
    if (de.nolog) {
        return REFUSE(MSG_NOLOG, uid);
    }

    pthread_mutex_lock(&sys->lock);
    if (sys->shutting_down) {
        pthread_mutex_unlock(&sys->lock);
        return REFUSE(MSG_SHUTTING);
    }
    struct cp_user *u = cp_user_find_locked(sys, uid);
    if (u) {
        pthread_mutex_lock(&u->lock);
        enum user_state st = u->state;
        bool starting = !u->dv_added;
        pthread_mutex_unlock(&u->lock);
        if (st != USER_ACTIVE || starting) {
            pthread_mutex_unlock(&sys->lock);
            return REFUSE(MSG_LOGONFAIL, uid, st != USER_ACTIVE ? "it is logging off; try again"
                                                               : "another logon is under way");
        }
        if (!ops) {
            pthread_mutex_unlock(&sys->lock);
            if (why) {
                msg_format(why, whylen, MSG_ALREADY, NULL, MSG_ARGS(uid));
            }
            return MSG_ALREADY;
        }
        u->refs++;
        pthread_mutex_unlock(&sys->lock);
        return reconnect(u, source, ops, ctx, out);
    }
    if (sys->nusers >= sys->cfg.max_vms) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%u", sys->nusers);
        snprintf(b, sizeof b, "%u", sys->cfg.max_vms);
        pthread_mutex_unlock(&sys->lock);
        return REFUSE(MSG_TOOMANY, a, b);
    }
    u = cp_user_alloc(sys, &de, false);
    if (!u) {
        pthread_mutex_unlock(&sys->lock);
        return REFUSE(MSG_LOGONFAIL, uid, "out of memory");
    }
    if (sys->committed + u->storage > sys->cfg.committed_storage) {
        char a[16], b[16];
        cp_format_size(u->storage, a, sizeof a);
        cp_format_size(sys->cfg.committed_storage, b, sizeof b);
        pthread_mutex_unlock(&sys->lock);
        cp_user_put(u);
        return REFUSE(MSG_COMMITTED, a, b);
    }
    /* reserve: in the table (starting until dv_added), counted, committed */
    sys->committed += u->storage;
    sys->nusers++;
    u->next = sys->users;
    sys->users = u;
    u->refs = 2; /* the system's, and the caller's below */
    pthread_mutex_unlock(&sys->lock);

    char err[200] = "";
    u->con = con_create((size_t)sys->cfg.console_ring_kib * 1024);
    if (u->con) {
        con_set_waker(u->con, cp_user_waker, u);
    }
    u->logon_time = time(NULL);
    u->logon_mono = disp_now();
    u->timer.fn = cp_user_timer_fn;
    u->timer.arg = u;
    snprintf(u->source, sizeof u->source, "%s", source ? source : "");
    u->autologged = ops == NULL;
    if (!u->con) {
        snprintf(err, sizeof err, "out of memory");
    } else if (sys->svc.vm && sys->svc.vm->create) {
        u->vm = sys->svc.vm->create(sys->svc.ctx, u, &de, err, sizeof err);
        if (!u->vm && !err[0]) {
            snprintf(err, sizeof err, "the virtual machine could not be made");
        }
    }
    struct cp_session *s = NULL;
    if (!err[0] && ops) {
        s = session_new(u, ops, ctx);
        if (!s) {
            snprintf(err, sizeof err, "out of memory");
        }
    }
    if (!err[0] && disp_vm_add(sys->disp, &u->dv, &cp_user_disp_ops, u, u->share) < 0) {
        snprintf(err, sizeof err, "out of memory");
    }
    if (err[0]) {
        pthread_mutex_lock(&sys->lock);
        struct cp_user **pp = &sys->users;
        while (*pp != u) {
            pp = &(*pp)->next;
        }
        *pp = u->next;
        sys->nusers--;
        sys->committed -= u->storage;
        pthread_mutex_unlock(&sys->lock);
        if (u->vm && sys->svc.vm->destroy) {
            sys->svc.vm->destroy(u->vm);
        }
        free(s);
        u->refs = 1;
        cp_user_put(u);
        return REFUSE(MSG_LOGONFAIL, uid, err);
    }
    pthread_mutex_lock(&sys->lock);
    u->dv_added = true; /* no longer starting */
    pthread_mutex_unlock(&sys->lock);
    if (s) {
        pthread_mutex_lock(&u->lock);
        u->sess = s;
        pthread_mutex_unlock(&u->lock);
        con_attach(u->con, ops, ctx);
        *out = s; /* the session holds the caller's reference */
    } else {
        pthread_mutex_lock(&u->lock);
        u->disc_mono = disp_now();
        pthread_mutex_unlock(&u->lock);
    }
    /* the logon lines */
    pthread_mutex_lock(&sys->lock);
    unsigned nlog = sys->logmsg_lines;
    char logmsg[CP_LOGMSG_MAX_LINES][CP_LOGMSG_LINE_MAX];
    memcpy(logmsg, sys->logmsg, sizeof logmsg);
    pthread_mutex_unlock(&sys->lock);
    for (unsigned i = 0; i < nlog; i++) {
        con_cp_output(u->con, logmsg[i], strlen(logmsg[i]));
    }
    char hms[16], zone[16], date[40];
    cp_now_parts(hms, zone, date);
    cp_user_msg(u, MSG_LOGONAT, hms, zone, date);
    cpsp_logon_notice(sys->svc.spool, u); /* files waiting in the spool */
    char id[MSG_ID_LEN];
    if (by) {
        cplog(CPLOG_INFO, msg_id(MSG_LOG_AUTOLOG, id), uid, "%s logged on by %s", uid, by);
        cplog_audit("AUTOLOG", uid, "by %s", by);
    } else {
        cplog(CPLOG_INFO, msg_id(MSG_LOG_LOGON, id), uid, "%s logged on from %s", uid,
              source ? source : "-");
        cplog_audit("LOGON", uid, "from %s", source ? source : "-");
    }
    cp_user_timer_update(u);
    if (u->vm && de.ipl[0] && sys->svc.vm->ipl) {
        cp_user_post(u, autoipl, NULL, false);
    }
    if (!s) {
        cp_user_put(u); /* no session keeps the caller's reference */
    }
    return 0;
}

int
cp_logon(struct cp_system *sys, const char *userid, const char *source,
         const struct con_term_ops *ops, void *ctx, struct cp_session **out, char *why,
         size_t whylen)
{
    if (why && whylen) {
        why[0] = '\0';
    }
    *out = NULL;
    if (!ops) {
        return MSG_LOGONFAIL;
    }
    return logon(sys, userid, source, NULL, ops, ctx, out, why, whylen);
}

int
cp_system_autolog(struct cp_system *sys, const char *userid, const char *by, char *why,
                  size_t whylen)
{
    if (why && whylen) {
        why[0] = '\0';
    }
    return logon(sys, userid, "AUTOLOG", by, NULL, NULL, NULL, why, whylen);
}

int
cp_autolog(struct cp_system *sys, const char *userid, const char *by, struct cp_out *out)
{
    char why[256] = "";
    int rc = logon(sys, userid, "AUTOLOG", by, NULL, NULL, NULL, why, sizeof why);
    if (rc == 0) {
        cp_out_msg(out, MSG_AUTOLOGGED, userid);
    } else if (why[0]) {
        /* the reason as a message of this user's command */
        const char *text = why;
        cp_out_line(out, "%s", text);
        if (out->rc == 0) {
            out->rc = rc;
        }
    }
    return rc;
}
