// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_user.c - CP commands about users and sessions: LOGON, LOGOFF,
 * DISCONNECT, BEGIN, MESSAGE/MSG, WARNING, SMSG, FORCE, SHUTDOWN,
 * AUTOLOG/XAUTOLOG.  They act through the system (cp/system.h); none
 * touches a VM's CPU, so they also work for an exec of a user who is not
 * logged on where that makes sense.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"

int
cpcmd_logon(struct cpcmd_ctx *c)
{
    if (c->u->transient) {
        cp_out_msg(c->out, MSG_NOTHERE, "LOGON", "an exec request: connect with SSH to log on");
        return MSG_NOTHERE;
    }
    cp_out_msg(c->out, MSG_ALREADY, c->u->userid);
    return MSG_ALREADY;
}

int
cpcmd_logoff(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (w && !cpcmd_abbrev(w, "HOLD", 4)) {
        cp_out_msg(c->out, MSG_INVOPT, w);
        return MSG_INVOPT;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    if (!cp_user_request_logoff(c->u, 0, NULL, "LOGOFF")) {
        cp_out_msg(c->out, MSG_LOGOFFPEND, c->u->userid);
        return MSG_LOGOFFPEND;
    }
    return 0;
}

int
cpcmd_disconnect(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (w && !cpcmd_abbrev(w, "HOLD", 4)) {
        cp_out_msg(c->out, MSG_INVOPT, w);
        return MSG_INVOPT;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    /* the virtual machine goes on running while disconnected */
    if (c->u->guest) {
        con_begin(c->u->con);
    }
    if (!cp_user_disconnect(c->u, 0, NULL, "DISCONNECT")) {
        cp_out_msg(c->out, MSG_DISCONNECTED, c->u->userid);
        return MSG_DISCONNECTED;
    }
    cp_user_wake(c->u);
    return 0;
}

int
cpcmd_begin(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    if (!c->u->guest || !con_begin(c->u->con)) {
        cp_out_msg(c->out, MSG_NOVM, "nothing has been IPLed (use IPL)");
        return MSG_NOVM;
    }
    cp_user_wake(c->u);
    return 0;
}

/* MESSAGE, WARNING and SMSG to one user (or ALL for MESSAGE and WARNING). */
static int
send_to(struct cpcmd_ctx *c, int kind, const char *all_classes)
{
    const char *to = cpcmd_next(c);
    if (!to) {
        return cpcmd_missing(c, "userid");
    }
    const char *text = cpcmd_rest(c);
    if (!text) {
        return cpcmd_missing(c, "message text");
    }
    if (all_classes && strcasecmp(to, "ALL") == 0) {
        if (!cpcmd_allowed(c->u, all_classes)) {
            char have[32], what[32];
            cp_classes_format(c->u->classes, have, sizeof have);
            snprintf(what, sizeof what, "%s ALL", c->cmd->name);
            cp_out_msg(c->out, MSG_NOPRIV, what, all_classes, have[0] ? have : "none");
            return MSG_NOPRIV;
        }
        struct cp_system *sys = c->sys;
        pthread_mutex_lock(&sys->lock);
        size_t n = sys->nusers, k = 0;
        struct cp_user **list = calloc(n ? n : 1, sizeof *list);
        for (struct cp_user *u = sys->users; u && list && k < n; u = u->next) {
            u->refs++;
            list[k++] = u;
        }
        pthread_mutex_unlock(&sys->lock);
        unsigned sent = 0;
        for (size_t i = 0; i < k; i++) {
            if (list[i] != c->u && cp_user_deliver(list[i], kind, c->u->userid, text) == 0) {
                sent++;
            }
            cp_user_put(list[i]);
        }
        free(list);
        char num[16];
        snprintf(num, sizeof num, "%u", sent);
        cp_out_msg(c->out, MSG_SENT, num);
        return 0;
    }
    char id[CP_USERID_MAX + 1];
    if (strcmp(to, "*") == 0) {
        snprintf(id, sizeof id, "%s", c->u->userid);
    } else if (!cpcmd_userid(c, to, id)) {
        return MSG_INVUSER;
    }
    struct cp_user *t = cp_user_find(c->sys, id, false);
    if (!t) {
        cp_out_msg(c->out, MSG_NOTLOGGEDON, id);
        return MSG_NOTLOGGEDON;
    }
    int rc = cp_user_deliver(t, kind, c->u->userid, text);
    cp_user_put(t);
    if (rc) {
        cp_out_msg(c->out, rc, id);
    }
    return rc;
}

int
cpcmd_message(struct cpcmd_ctx *c)
{
    return send_to(c, MSG_FROM_MSG, "AB");
}

int
cpcmd_warning(struct cpcmd_ctx *c)
{
    return send_to(c, MSG_FROM_WNG, "AB");
}

int
cpcmd_smsg(struct cpcmd_ctx *c)
{
    return send_to(c, MSG_FROM_SMSG, NULL);
}

int
cpcmd_force(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "userid");
    }
    char id[CP_USERID_MAX + 1];
    if (!cpcmd_userid(c, w, id)) {
        return MSG_INVUSER;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_user *t = cp_user_find(c->sys, id, true);
    if (!t) {
        cp_out_msg(c->out, MSG_NOTLOGGEDON, id);
        return MSG_NOTLOGGEDON;
    }
    char reason[64];
    snprintf(reason, sizeof reason, "FORCE by %s", c->u->userid);
    bool ok = cp_user_request_logoff(t, MSG_FORCEDBY, c->u->userid, reason);
    cp_user_put(t);
    if (!ok) {
        cp_out_msg(c->out, MSG_LOGOFFPEND, id);
        return MSG_LOGOFFPEND;
    }
    char mid[MSG_ID_LEN];
    cplog(CPLOG_INFO, msg_id(MSG_LOG_FORCE, mid), id, "%s forced off by %s", id, c->u->userid);
    cplog_audit("FORCE", id, "by %s", c->u->userid);
    cp_out_msg(c->out, MSG_FORCED, id);
    return 0;
}

int
cpcmd_shutdown(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    cp_out_msg(c->out, MSG_SHUTDOWNSTART, c->u->userid);
    cp_system_begin_shutdown(c->sys, c->u->userid);
    return 0;
}

/* AUTOLOG run asynchronously (cpcmd_run_async): the logon (directory read,
 * minidisk images, the new VM) runs on an I/O worker; the issuer's done
 * callback gets the response on its own thread. */
struct autolog_job {
    struct cp_io_job j;
    struct cp_system *sys;
    struct cp_user *u; /* the issuer (a reference) */
    struct cp_out out;
    cpcmd_done_fn done;
    void *done_ctx;
    int rc;
    char id[CP_USERID_MAX + 1];
};

static void
autolog_reply(struct cp_user *u, void *p)
{
    struct autolog_job *a = p;
    a->done(u, a->done_ctx, a->rc, &a->out);
    cp_out_fini(&a->out);
    cp_user_put(a->u);
    free(a);
}

static void
autolog_work(struct cp_io_job *j)
{
    struct autolog_job *a = (struct autolog_job *)j;
    a->rc = cp_autolog(a->sys, a->id, a->u->userid, &a->out);
    if (cp_user_post_ptr(a->u, autolog_reply, a, true) != 0) {
        cp_out_fini(&a->out); /* the issuer is gone */
        cp_user_put(a->u);
        free(a);
    }
}

int
cpcmd_autolog(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "userid");
    }
    char id[CP_USERID_MAX + 1];
    if (!cpcmd_userid(c, w, id)) {
        return MSG_INVUSER;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct autolog_job *a = NULL;
    if (c->done && !c->u->transient && c->sys->io) {
        a = calloc(1, sizeof *a);
    }
    if (!a) { /* the caller wants the answer now */
        return cp_autolog(c->sys, id, c->u->userid, c->out);
    }
    a->done = c->done;
    a->done_ctx = c->done_ctx;
    a->sys = c->sys;
    a->u = c->u;
    cp_user_get(c->u);
    cp_out_init(&a->out, c->u);
    snprintf(a->id, sizeof a->id, "%s", id);
    cp_io_submit(c->sys, &a->j, autolog_work);
    return CPCMD_ASYNC;
}
