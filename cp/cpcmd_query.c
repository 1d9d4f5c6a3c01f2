// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_query.c - QUERY and INDICATE: reading CP's state.  QUERY
 * TRANSLATION, which reads the CPU's counters, is with the other commands
 * that touch a virtual machine in cp/cpcmd_vm.c.  Responses are plain
 * lines (no message id), as on VM; errors are messages.
 *
 * QUERY LINKS reads the VM layer's index of who holds which minidisk
 * (cp_vm_ops.links; cp/system_dir.c keeps it with the link-mode counts).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cp/cpcmd.h"

/* "SSH", "DSC" or "EXEC"; with u->lock not held. */
static const char *
how_connected(struct cp_user *u)
{
    pthread_mutex_lock(&u->lock);
    const char *s = u->sess ? "SSH" : "DSC";
    pthread_mutex_unlock(&u->lock);
    return s;
}

/* Another user by the operand at c->pos (or NULL = self), for operands that
 * let privileged users name someone else.  NULL after a message. */
static struct cp_user *
target_user(struct cpcmd_ctx *c, const char *others_classes, bool *is_self)
{
    const char *w = cpcmd_next(c);
    char id[CP_USERID_MAX + 1];
    if (!w || (strcasecmp(w, c->u->userid) == 0)) {
        *is_self = true;
        if (c->u->transient) {
            cp_out_msg(c->out, MSG_NOTLOGGEDON, c->u->userid);
            return NULL;
        }
        cp_user_get(c->u);
        return c->u;
    }
    *is_self = false;
    if (!cpcmd_userid(c, w, id)) {
        return NULL;
    }
    if (!cpcmd_allowed(c->u, others_classes)) {
        char have[32], what[48];
        cp_classes_format(c->u->classes, have, sizeof have);
        snprintf(what, sizeof what, "%s %s for another user", c->cmd->name, id);
        cp_out_msg(c->out, MSG_NOPRIV, what, others_classes, have[0] ? have : "none");
        return NULL;
    }
    struct cp_user *t = cp_user_find(c->sys, id, true);
    if (!t) {
        cp_out_msg(c->out, MSG_NOTLOGGEDON, id);
    }
    return t;
}

int
cpcmd_q_userid(struct cpcmd_ctx *c)
{
    const char *w = cpcmd_next(c);
    char id[CP_USERID_MAX + 1];
    if (!cpcmd_userid_ok(w, id)) {
        /* not a userid either: it was a bad operand */
        cp_out_msg(c->out, MSG_INVOPT, w);
        return MSG_INVOPT;
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
    cp_out_line(c->out, "%-8s - %s", t->userid, how_connected(t));
    cp_user_put(t);
    return 0;
}

int
cpcmd_q_myuserid(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    /* as z/VM: EXECs parse it as `userid . system` */
    cp_out_line(c->out, "%-8s AT %s", c->u->userid, c->sys->cfg.system_name);
    return 0;
}

/* ---- QUERY LINKS ------------------------------------------------------------------------ */

/* A device address (1-4 hex digits, up to FFF), without a message. */
static bool
parse_vaddr(const char *w, unsigned *out)
{
    size_t n = strlen(w);
    if (n < 1 || n > 4) {
        return false;
    }
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = toupper((unsigned char)w[i]);
        if (!isxdigit(ch)) {
            return false;
        }
        v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'A' + 10);
    }
    if (v > 0xFFF) {
        return false;
    }
    *out = v;
    return true;
}

#define LINKS_PER_LINE 4

/* The holders of one disk as z/VM shows them, "DEMO1    0190 R/O, DEMO2
 * 0190 R/O", LINKS_PER_LINE to a line. */
static void
links_lines(struct cp_out *out, const struct cp_link_info *v, size_t n)
{
    char line[LINKS_PER_LINE * 24];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%-8s %04X %s",
                                len ? ", " : "", v[i].userid, v[i].vaddr,
                                v[i].write ? "R/W" : "R/O");
        if (i + 1 == n || (i + 1) % LINKS_PER_LINE == 0) {
            cp_out_line(out, "%s%s", line, i + 1 < n ? "," : "");
            len = 0;
        }
    }
}

/* QUERY LINKS [vaddr] | userid [vaddr]: who holds a minidisk.  vaddr alone
 * is a device of your virtual machine (for a user not logged on: your own
 * minidisk at that address); a userid names the owner (another user's
 * disks: class B or E); without an address, every disk of the owner that
 * is linked. */
int
cpcmd_q_links(struct cpcmd_ctx *c)
{
    const char *a = cpcmd_next(c);
    const char *b = cpcmd_next(c);
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (!vo || !vo->links) {
        cp_out_msg(c->out, MSG_NOTAVAIL, "QUERY LINKS", "not in this system");
        return MSG_NOTAVAIL;
    }
    char owner[CP_USERID_MAX + 1];
    snprintf(owner, sizeof owner, "%s", c->u->userid);
    int disk = -1; /* every disk of the owner */
    unsigned va;
    if (a && !b && parse_vaddr(a, &va)) {
        /* one operand that can be an address is one, as on z/VM */
        disk = (int)va;
        if (!c->u->transient && c->u->vm && vo->disk_at) {
            unsigned ov = 0;
            rc = vo->disk_at(c->u->vm, va, owner, &ov);
            if (rc) {
                char s[8];
                snprintf(s, sizeof s, "%03X", va);
                cp_out_msg(c->out, rc, s);
                return rc;
            }
            disk = (int)ov;
        }
    } else if (a) {
        if (!cpcmd_userid(c, a, owner)) {
            return MSG_INVUSER;
        }
        if (b) {
            if (!parse_vaddr(b, &va)) {
                cp_out_msg(c->out, MSG_INVDEV, b);
                return MSG_INVDEV;
            }
            disk = (int)va;
        }
        if (strcmp(owner, c->u->userid) != 0 && !cpcmd_allowed(c->u, "BE")) {
            char have[32], what[48];
            cp_classes_format(c->u->classes, have, sizeof have);
            snprintf(what, sizeof what, "QUERY LINKS of %s's minidisks", owner);
            cp_out_msg(c->out, MSG_NOPRIV, what, "B or E", have[0] ? have : "none");
            return MSG_NOPRIV;
        }
    }
    struct cp_link_info *v = NULL;
    size_t n = 0;
    if (vo->links(c->sys->svc.ctx, owner, disk, &v, &n) < 0) {
        cp_out_msg(c->out, MSG_FAILED, "QUERY LINKS", "out of memory");
        return MSG_FAILED;
    }
    if (disk >= 0) {
        if (n == 0) {
            cp_out_line(c->out, "%s %04X is not linked", owner, (unsigned)disk);
        }
        links_lines(c->out, v, n);
    } else if (n == 0) {
        cp_out_line(c->out, "No minidisk of %s is linked", owner);
    }
    /* every disk: a heading for each, then its holders */
    for (size_t i = 0; disk < 0 && i < n;) {
        size_t j = i;
        while (j < n && v[j].owner_vaddr == v[i].owner_vaddr) {
            j++;
        }
        cp_out_line(c->out, "LINKS TO %s %04X:", owner, v[i].owner_vaddr);
        links_lines(c->out, v + i, j - i);
        i = j;
    }
    free(v);
    return 0;
}

int
cpcmd_q_time(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    char hms[16], zone[16], date[40];
    cp_time_parts(time(NULL), hms, sizeof hms, zone, sizeof zone, date, sizeof date);
    cp_out_line(c->out, "TIME IS %s %s %s", hms, zone, date);
    if (!c->u->transient) {
        uint64_t v, t;
        cp_user_cpu_times(c->u, &v, &t);
        char conn[24], vs[24], ts[24];
        cp_fmt_connect(disp_now() - c->u->logon_mono, conn, sizeof conn);
        cp_fmt_cpu(v * 1000, vs, sizeof vs);
        cp_fmt_cpu(t * 1000, ts, sizeof ts);
        cp_out_line(c->out, "CONNECT= %s VIRTCPU= %s TOTCPU= %s", conn, vs, ts);
    }
    return 0;
}

int
cpcmd_q_users(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_system *sys = c->sys;
    unsigned n = 0, dsc = 0;
    pthread_mutex_lock(&sys->lock);
    for (struct cp_user *u = sys->users; u; u = u->next) {
        n++;
        pthread_mutex_lock(&u->lock);
        dsc += u->sess == NULL;
        pthread_mutex_unlock(&u->lock);
    }
    pthread_mutex_unlock(&sys->lock);
    cp_out_line(c->out, "%u USERS, %u DISCONNECTED", n, dsc);
    return 0;
}

int
cpcmd_q_names(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_system *sys = c->sys;
    char line[128];
    size_t len = 0;
    unsigned col = 0, n = 0;
    pthread_mutex_lock(&sys->lock);
    /* the list is newest first; VM lists in no particular order either */
    for (struct cp_user *u = sys->users; u; u = u->next) {
        pthread_mutex_lock(&u->lock);
        const char *how = u->sess ? "SSH" : "DSC";
        pthread_mutex_unlock(&u->lock);
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%-8s - %s", col ? " , " : "",
                                u->userid, how);
        n++;
        if (++col == 4) {
            cp_out_line(c->out, "%s", line);
            col = 0;
            len = 0;
        }
    }
    pthread_mutex_unlock(&sys->lock);
    if (col) {
        cp_out_line(c->out, "%s", line);
    }
    if (n == 0) {
        cp_out_line(c->out, "No users are logged on");
    }
    return 0;
}

int
cpcmd_q_storage(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    char sz[32];
    pthread_mutex_lock(&c->u->lock);
    cp_format_size(c->u->storage, sz, sizeof sz);
    pthread_mutex_unlock(&c->u->lock);
    cp_out_msg(c->out, MSG_STORAGE, sz);
    return 0;
}

int
cpcmd_q_virtual(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_user *u = c->u;
    char sz[32], src[64];
    pthread_mutex_lock(&u->lock);
    cp_format_size(u->storage, sz, sizeof sz);
    bool on = u->sess != NULL;
    snprintf(src, sizeof src, "%s", u->source);
    pthread_mutex_unlock(&u->lock);
    cp_out_msg(c->out, MSG_STORAGE, sz);
    if (on) {
        cp_out_line(c->out, "CONS 009 ON SSH %s  %s", src[0] ? src : "-", con_state_name(u->con));
    } else {
        cp_out_line(c->out, "CONS 009 DISCONNECTED  %s", con_state_name(u->con));
    }
    const struct cp_vm_ops *vo = c->sys->svc.vm;
    if (u->vm && vo && vo->query_virtual) {
        vo->query_virtual(u->vm, c->out);
    }
    return 0;
}

int
cpcmd_q_logmsg(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_system *sys = c->sys;
    pthread_mutex_lock(&sys->lock);
    for (unsigned i = 0; i < sys->logmsg_lines; i++) {
        cp_out_line(c->out, "%s", sys->logmsg[i]);
    }
    unsigned n = sys->logmsg_lines;
    pthread_mutex_unlock(&sys->lock);
    if (n == 0) {
        cp_out_line(c->out, "No log message is set");
    }
    return 0;
}

int
cpcmd_q_cplevel(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    char hms[16], zone[16], date[40];
    cp_time_parts(c->sys->ipl_time, hms, sizeof hms, zone, sizeof zone, date, sizeof date);
    cp_out_line(c->out, "VM/RV version %s, system %s", PACKAGE_VERSION, c->sys->cfg.system_name);
    cp_out_line(c->out, "Started at %s %s %s", hms, zone, date);
    return 0;
}

int
cpcmd_q_privclas(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    char now[32], dir[32];
    cp_classes_format(c->u->classes, now, sizeof now);
    cp_classes_format(c->u->dir.classes, dir, sizeof dir);
    cp_out_line(c->out, "Privilege classes: current %s, directory %s", now[0] ? now : "none",
                dir[0] ? dir : "none");
    return 0;
}

int
cpcmd_q_set(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    static const char *const emsg[] = {"ON", "TEXT", "CODE", "OFF"};
    struct cp_settings s = cp_user_settings(c->u);
    cp_out_line(c->out, "MSG %s, WNG %s, EMSG %s, IMSG %s, SMSG %s, RUN %s", s.msg ? "ON" : "OFF",
                s.wng ? "ON" : "OFF", emsg[s.emsg], s.imsg ? "ON" : "OFF", s.smsg ? "ON" : "OFF",
                s.run ? "ON" : "OFF");
    return 0;
}

int
cpcmd_q_share(struct cpcmd_ctx *c)
{
    bool self;
    struct cp_user *t = target_user(c, "AE", &self);
    if (!t) {
        return c->out->rc;
    }
    int rc = cpcmd_no_more(c);
    if (rc == 0) {
        struct disp_vm_info info;
        disp_vm_info(c->sys->disp, &t->dv, &info);
        cp_out_line(c->out, "%-8s : SHARE RELATIVE %u", t->userid, info.share);
    }
    cp_user_put(t);
    return rc;
}

int
cpcmd_q_trace(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    unsigned f = cp_user_trace(c->u);
    if (!f) {
        cp_out_line(c->out, "No trace is active");
        return 0;
    }
    cp_out_line(c->out, "TRACE%s%s%s%s", (f & CP_TRACE_INSN) ? " INSTRUCTIONS" : "",
                (f & CP_TRACE_ECALL) ? " DIAGNOSE" : "", (f & CP_TRACE_PROG) ? " TRAPS" : "",
                (f & CP_TRACE_EXT) ? " INTERRUPTS" : "");
    return 0;
}

/* ---- INDICATE ----------------------------------------------------------------------------- */

static const char *const state_names[] = {"WAITING", "DISPATCH", "RUNNING", "TIMED WAIT", "GONE"};

int
cpcmd_ind_load(struct cpcmd_ctx *c)
{
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct cp_system *sys = c->sys;
    struct disp_info di;
    disp_info(sys->disp, &di);
    unsigned users = 0, dsc = 0;
    uint64_t committed;
    pthread_mutex_lock(&sys->lock);
    for (struct cp_user *u = sys->users; u; u = u->next) {
        users++;
        pthread_mutex_lock(&u->lock);
        dsc += u->sess == NULL;
        pthread_mutex_unlock(&u->lock);
    }
    committed = sys->committed;
    pthread_mutex_unlock(&sys->lock);
    uint64_t up = di.started_ns ? disp_now() - di.started_ns : 0;
    unsigned busy = up ? (unsigned)(di.busy_ns * 100 / (up * (di.threads ? di.threads : 1))) : 0;
    char cm[32], lim[32];
    cp_format_size(committed, cm, sizeof cm);
    cp_format_size(sys->cfg.committed_storage, lim, sizeof lim);
    cp_out_line(c->out, "USERS %u, DISCONNECTED %u, RUNNING %u, Q1 %zu, Q2 %zu", users, dsc,
                di.running, di.q1, di.q2);
    cp_out_line(c->out, "DISPATCHERS %u, BUSY %u%%, SLICE %ums, TIMERS %zu", di.threads, busy,
                sys->cfg.slice_ms, di.timers);
    cp_out_line(c->out, "STORAGE COMMITTED %s OF %s", cm, lim);
    return 0;
}

int
cpcmd_ind_user(struct cpcmd_ctx *c)
{
    bool self;
    struct cp_user *t = target_user(c, "E", &self);
    if (!t) {
        return c->out->rc;
    }
    int rc = cpcmd_no_more(c);
    if (rc == 0) {
        struct disp_vm_info info;
        disp_vm_info(c->sys->disp, &t->dv, &info);
        char sz[32], v[24], tt[24];
        pthread_mutex_lock(&t->lock);
        cp_format_size(t->storage, sz, sizeof sz);
        pthread_mutex_unlock(&t->lock);
        cp_fmt_cpu(info.vcpu_ns, v, sizeof v);
        cp_fmt_cpu(info.tcpu_ns, tt, sizeof tt);
        cp_out_line(c->out, "USERID=%s STORAGE=%s SHARE=%u DISPATCH=%s CONSOLE=%s", t->userid, sz,
                    info.share, state_names[info.state], con_state_name(t->con));
        cp_out_line(c->out, "VTIME=%s TTIME=%s SLICES=%llu Q1=%llu Q2=%llu WAITS=%llu", v, tt,
                    (unsigned long long)info.slices, (unsigned long long)info.q1_picks,
                    (unsigned long long)info.q2_picks, (unsigned long long)info.waits);
    }
    cp_user_put(t);
    return rc;
}
