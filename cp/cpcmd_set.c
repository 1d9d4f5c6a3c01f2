// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_set.c - SET: the user's own settings (MSG, WNG, EMSG, IMSG,
 * SMSG, RUN) and the operators' (LOGMSG for class B, SHARE for class A).
 * A user's settings live under u->lock because other users' MESSAGE
 * commands read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"

/* SET x ON|OFF into one bool of the settings. */
static int
set_flag(struct cpcmd_ctx *c, size_t offset, const char *name)
{
    int v = cpcmd_onoff(c, cpcmd_next(c));
    if (v < 0) {
        return c->out->rc;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    pthread_mutex_lock(&c->u->lock);
    *(bool *)((char *)&c->u->set + offset) = v != 0;
    pthread_mutex_unlock(&c->u->lock);
    (void)name;
    return 0;
}

int
cpcmd_set_msg(struct cpcmd_ctx *c)
{
    return set_flag(c, offsetof(struct cp_settings, msg), "MSG");
}

int
cpcmd_set_wng(struct cpcmd_ctx *c)
{
    return set_flag(c, offsetof(struct cp_settings, wng), "WNG");
}

int
cpcmd_set_smsg(struct cpcmd_ctx *c)
{
    return set_flag(c, offsetof(struct cp_settings, smsg), "SMSG");
}

int
cpcmd_set_imsg(struct cpcmd_ctx *c)
{
    int rc = set_flag(c, offsetof(struct cp_settings, imsg), "IMSG");
    c->out->opts.imsg = cp_user_settings(c->u).imsg;
    return rc;
}

int
cpcmd_set_run(struct cpcmd_ctx *c)
{
    int rc = set_flag(c, offsetof(struct cp_settings, run), "RUN");
    if (rc == 0) {
        /* ON: a VM stopped in CP READ goes on; OFF: it stops there */
        cp_user_nudge(c->u);
    }
    return rc;
}

int
cpcmd_set_emsg(struct cpcmd_ctx *c)
{
    static const struct {
        const char *word;
        enum msg_emsg v;
    } modes[] = {{"ON", MSG_EMSG_ON}, {"TEXT", MSG_EMSG_TEXT}, {"CODE", MSG_EMSG_CODE},
                 {"OFF", MSG_EMSG_OFF}};
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "ON, TEXT, CODE or OFF");
    }
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcasecmp(w, modes[i].word) == 0) {
            int rc = cpcmd_no_more(c);
            if (rc) {
                return rc;
            }
            pthread_mutex_lock(&c->u->lock);
            c->u->set.emsg = modes[i].v;
            pthread_mutex_unlock(&c->u->lock);
            c->out->opts.emsg = modes[i].v;
            return 0;
        }
    }
    cp_out_msg(c->out, MSG_INVOPT, w);
    return MSG_INVOPT;
}

int
cpcmd_set_logmsg(struct cpcmd_ctx *c)
{
    const char *text = cpcmd_rest(c);
    if (!text) {
        return cpcmd_missing(c, "text or OFF");
    }
    struct cp_system *sys = c->sys;
    if (strcasecmp(text, "OFF") == 0) {
        pthread_mutex_lock(&sys->lock);
        sys->logmsg_lines = 0;
        pthread_mutex_unlock(&sys->lock);
        cp_out_msg(c->out, MSG_SET, "LOGMSG", "OFF");
        cplog(CPLOG_INFO, NULL, c->u->userid, "LOGMSG cleared");
        return 0;
    }
    if (strlen(text) >= CP_LOGMSG_LINE_MAX) {
        char max[16];
        snprintf(max, sizeof max, "%d", CP_LOGMSG_LINE_MAX - 1);
        cp_out_msg(c->out, MSG_TOOLONG, max);
        return MSG_TOOLONG;
    }
    pthread_mutex_lock(&sys->lock);
    bool full = sys->logmsg_lines >= CP_LOGMSG_MAX_LINES;
    if (!full) {
        snprintf(sys->logmsg[sys->logmsg_lines++], CP_LOGMSG_LINE_MAX, "%s", text);
    }
    pthread_mutex_unlock(&sys->lock);
    if (full) {
        char max[32];
        snprintf(max, sizeof max, "at most %d lines", CP_LOGMSG_MAX_LINES);
        cp_out_msg(c->out, MSG_RANGE, "LOGMSG", max);
        return MSG_RANGE;
    }
    cplog(CPLOG_INFO, NULL, c->u->userid, "LOGMSG line added: %s", text);
    return 0;
}

int
cpcmd_set_share(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    if (!w) {
        return cpcmd_missing(c, "userid");
    }
    char id[CP_USERID_MAX + 1];
    if (!cpcmd_userid(c, w, id)) {
        return MSG_INVUSER;
    }
    const char *v = cpcmd_next(c);
    if (v && cpcmd_abbrev(v, "RELATIVE", 3)) {
        v = cpcmd_next(c);
    }
    if (!v) {
        return cpcmd_missing(c, "a share from 1 to 10000");
    }
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end || n < SCHED_SHARE_MIN || n > SCHED_SHARE_MAX) {
        cp_out_msg(c->out, MSG_RANGE, v, "1 to 10000");
        return MSG_RANGE;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_user *t = cp_user_find(c->sys, id, false);
    if (!t) {
        cp_out_msg(c->out, MSG_NOTLOGGEDON, id);
        return MSG_NOTLOGGEDON;
    }
    pthread_mutex_lock(&t->lock);
    t->share = (uint32_t)n;
    pthread_mutex_unlock(&t->lock);
    disp_vm_set_share(c->sys->disp, &t->dv, (uint32_t)n);
    cp_user_put(t);
    char what[32];
    snprintf(what, sizeof what, "SHARE of %s", id);
    cp_out_msg(c->out, MSG_SET, what, v);
    cplog(CPLOG_INFO, NULL, c->u->userid, "SET SHARE %s %ld", id, n);
    return 0;
}
