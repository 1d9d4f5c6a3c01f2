// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_spoolq.c - the CP commands on closed spool files: QUERY
 * READER/PUNCH/PRINTER/FILES, PURGE, TRANSFER, CHANGE, ORDER, HOLD, FREE.
 * Each is a thin layer over the store (spool/spool.h) with a filter that
 * keeps a general user to their own files; class D reaches anyone's.
 *
 *   QUERY RDR|PUN|PRT [ALL|userid]   (ALL and another userid: class D)
 *   QUERY FILES
 *   PURGE    [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL
 *   TRANSFER [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL [TO] userid|*
 *   CHANGE   [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL option...
 *            options: CLASS c, NAME fn [ft], DIST d, FORM f, COPY n, HOLD, NOHOLD
 *   ORDER    [userid] RDR|PRT|PUN spoolid...
 *   HOLD|FREE [userid] [RDR|PRT|PUN] spoolid...|CLASS c|ALL   (class D)
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cp/cpcmd_spool.h"

/* ---- QUERY ---------------------------------------------------------------------------- */

static const char *
hold_word(unsigned h)
{
    return h & SPOOL_HOLD_SYSTEM ? (h & SPOOL_HOLD_USER ? "USYS" : "SYS") : h ? "USER" : "NONE";
}

/* One line per file in VM's columns. */
static void
list_files(struct cpcmd_ctx *c, const struct spool_info *v, size_t n, bool by_owner)
{
    cp_out_line(c->out, "%-8s FILE   CLASS RECORDS  CPY HOLD DATE  TIME     NAME     TYPE     DIST",
                by_owner ? "OWNERID" : "ORIGINID");
    for (size_t i = 0; i < n; i++) {
        const struct spool_info *f = &v[i];
        time_t t = (time_t)(f->created_us / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        char id[16];
        snprintf(id, sizeof id, "%04u", f->spoolid);
        cp_out_line(c->out, "%-8s %-6s %c %s %08llu %03u %-4s %02d/%02d %02d:%02d:%02d %-8s %-8s %s",
                    by_owner ? f->owner : f->origin, id, f->spclass, cpsp_dev_name(f->dev),
                    (unsigned long long)f->records, f->copies, hold_word(f->hold), tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, f->fname, f->ftype,
                    f->dist[0] ? f->dist : f->origin);
    }
}

static int
query_queue(struct cpcmd_ctx *c, enum spool_queue q)
{
    struct cpsp *s = cpsp_of(c->sys);
    if (!s) {
        cp_out_msg(c->out, MSG_SPNOSPOOL);
        return MSG_SPNOSPOOL;
    }
    char owner[SPOOL_USERID_MAX + 1];
    snprintf(owner, sizeof owner, "%s", c->u->userid);
    struct spool_filter f = {.owner = owner, .queue = q};
    bool all = false;
    const char *w = cpcmd_next(c);
    if (w) {
        if (strcasecmp(w, "ALL") == 0) {
            all = true;
            f.owner = NULL;
        } else if (!cpcmd_userid(c, w, owner)) {
            return MSG_INVUSER;
        }
        if ((all || strcmp(owner, c->u->userid) != 0) && !cpsp_is_operator(c)) {
            char have[32];
            cp_classes_format(c->u->classes, have, sizeof have);
            cp_out_msg(c->out, MSG_NOPRIV, all ? "QUERY ... ALL" : "Another user's spool files",
                       "D", have);
            return MSG_NOPRIV;
        }
        int rc = cpcmd_no_more(c);
        if (rc) {
            return rc;
        }
    }
    struct spool_info *v = NULL;
    size_t n = 0;
    int rc = spool_list(cpsp_store(s), &f, &v, &n);
    if (rc < 0) {
        return cpsp_errmsg(c, rc, cpsp_queue_name(q));
    }
    if (n == 0) {
        cp_out_msg(c->out, MSG_SPNOFILES, cpsp_queue_name(q));
    } else {
        list_files(c, v, n, all || q != SPOOL_Q_RDR);
    }
    free(v);
    return 0;
}

int
cpcmd_q_reader(struct cpcmd_ctx *c)
{
    return query_queue(c, SPOOL_Q_RDR);
}

int
cpcmd_q_punch(struct cpcmd_ctx *c)
{
    return query_queue(c, SPOOL_Q_PUN);
}

int
cpcmd_q_printer(struct cpcmd_ctx *c)
{
    return query_queue(c, SPOOL_Q_PRT);
}

int
cpcmd_q_files(struct cpcmd_ctx *c)
{
    struct cpsp *s = cpsp_of(c->sys);
    if (!s) {
        cp_out_msg(c->out, MSG_SPNOSPOOL);
        return MSG_SPNOSPOOL;
    }
    int rc = cpcmd_no_more(c);
    if (rc) {
        return rc;
    }
    struct spool_filter f = {.owner = c->u->userid};
    struct spool_info *v = NULL;
    size_t n = 0;
    rc = spool_list(cpsp_store(s), &f, &v, &n);
    if (rc < 0) {
        return cpsp_errmsg(c, rc, "FILES");
    }
    size_t cnt[4] = {0};
    for (size_t i = 0; i < n; i++) {
        cnt[v[i].queue & 3]++;
    }
    free(v);
    char r[3][24];
    const size_t q[3] = {cnt[SPOOL_Q_RDR], cnt[SPOOL_Q_PRT], cnt[SPOOL_Q_PUN]};
    for (int i = 0; i < 3; i++) {
        snprintf(r[i], sizeof r[i], q[i] ? "%04zu" : "NO", q[i]);
    }
    cp_out_msg(c->out, MSG_SPFILES, r[0], r[1], r[2]);
    return 0;
}

/* ---- commands on a selection ------------------------------------------------------ */

/* Parses the selection; an operator naming no userid but spoolids
 * reaches any owner's files. */
static int
selection(struct cpcmd_ctx *c, struct cpsp **s, struct cpsp_sel *sel)
{
    struct cpsp_user *p;
    if (!cpsp_cmd_spool(c, s, &p)) {
        return MSG_SPNOSPOOL;
    }
    int rc = cpsp_parse_sel(c, sel);
    if (rc) {
        return rc;
    }
    if (sel->nids && cpsp_is_operator(c) && strcmp(sel->owner, c->u->userid) == 0) {
        sel->f.owner = NULL;
    }
    return 0;
}

/* Runs op for each spoolid of the selection, or once for a class/ALL. */
typedef int (*sel_op)(struct spool *sp, const struct spool_filter *f, void *arg, size_t *n);

static int
for_each(struct cpcmd_ctx *c, struct cpsp *s, struct cpsp_sel *sel, sel_op op, void *arg,
         const char *verb)
{
    size_t total = 0;
    int first = 0;
    if (sel->nids == 0) {
        int rc = op(cpsp_store(s), &sel->f, arg, &total);
        if (rc < 0) {
            return cpsp_errmsg(c, rc, verb);
        }
    }
    for (size_t i = 0; i < sel->nids; i++) {
        struct spool_filter f = sel->f;
        f.spoolid = sel->ids[i];
        size_t n = 0;
        int rc = op(cpsp_store(s), &f, arg, &n);
        if (rc < 0) {
            char id[16];
            snprintf(id, sizeof id, "%u", sel->ids[i]);
            int m = MSG_SPNOFILE;
            if (rc == -ENOENT) {
                cp_out_msg(c->out, MSG_SPNOFILE, id);
            } else {
                m = cpsp_errmsg(c, rc, id);
            }
            if (!first) {
                first = m;
            }
            continue;
        }
        total += n;
    }
    if (total || !first) {
        char cnt[16];
        snprintf(cnt, sizeof cnt, "%04zu", total);
        cp_out_msg(c->out, MSG_SPCOUNT, cnt, verb);
    }
    return first;
}

static int
op_purge(struct spool *sp, const struct spool_filter *f, void *arg, size_t *n)
{
    return spool_purge(sp, f, n);
}

/* A command on a selection run asynchronously (cpcmd_run_async, as from
 * the console): each change is made at once (files leave or move between
 * queues, later commands see them), and the answer follows on the user's
 * thread once every change is durable, so nobody is told of a change a
 * crash could undo, and the dispatcher thread runs other VMs meanwhile. */
typedef int (*sel_start_fn)(struct spool *sp, const struct spool_filter *f, const void *arg,
                            spool_done_fn done, void *darg);

struct sel_cmd {
    struct cp_user *u; /* a reference */
    cpcmd_done_fn done;
    void *done_ctx;
    const char *what, *verb; /* "PURGE" for errors, "PURGED" for the count */
    struct cp_out out; /* messages given while starting (the user's thread) */
    int first; /* the first error message's number */
    pthread_mutex_t lock; /* the fields below */
    unsigned pending; /* changes in flight, + 1 while they are being started */
    size_t total; /* files changed durably */
    int err; /* a change that failed (-EIO) */
};

static void
sel_cmd_free(struct sel_cmd *sc)
{
    cp_out_fini(&sc->out);
    cp_user_put(sc->u);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}

/* Every change is durable (or failed): the answer, on the user's thread. */
static void
sel_reply(struct cp_user *u, void *arg)
{
    struct sel_cmd *sc = arg;
    if (sc->err) {
        struct cpcmd_ctx ec = {.out = &sc->out};
        int m = cpsp_errmsg(&ec, sc->err, sc->what);
        sc->first = sc->first ? sc->first : m;
    }
    if (sc->total || !sc->first) {
        char cnt[16];
        snprintf(cnt, sizeof cnt, "%04zu", sc->total);
        cp_out_msg(&sc->out, MSG_SPCOUNT, cnt, sc->verb);
    }
    sc->done(u, sc->done_ctx, sc->first ? sc->first : sc->out.rc, &sc->out);
    sel_cmd_free(sc);
}

/* One change (or the start) is over: the last one posts the answer.  Any
 * thread. */
static void
sel_release(struct sel_cmd *sc)
{
    pthread_mutex_lock(&sc->lock);
    bool last = --sc->pending == 0;
    pthread_mutex_unlock(&sc->lock);
    if (last && cp_user_post_ptr(sc->u, sel_reply, sc, true) < 0) {
        sel_cmd_free(sc); /* the user is gone: nobody waits for the answer */
    }
}

/* The store's callback (its committer thread). */
static void
sel_durable(void *arg, int rc, uint32_t count)
{
    struct sel_cmd *sc = arg;
    pthread_mutex_lock(&sc->lock);
    if (rc == 0) {
        sc->total += count;
    } else if (!sc->err) {
        sc->err = rc;
    }
    pthread_mutex_unlock(&sc->lock);
    sel_release(sc);
}

/* Counts a change in flight before it starts (its callback may come
 * first); a refusal (rc < 0) becomes a message, `name` saying of what. */
static void
sel_started(struct sel_cmd *sc, int rc, const char *name)
{
    if (rc == 0) {
        return;
    }
    if (rc < 0) {
        int m = MSG_SPNOFILE;
        if (rc == -ENOENT) {
            cp_out_msg(&sc->out, MSG_SPNOFILE, name);
        } else {
            struct cpcmd_ctx ec = {.out = &sc->out};
            m = cpsp_errmsg(&ec, rc, name);
        }
        sc->first = sc->first ? sc->first : m;
    }
    sel_release(sc); /* never the last: the start holds one */
}

static void
sel_pending_add(struct sel_cmd *sc)
{
    pthread_mutex_lock(&sc->lock);
    sc->pending++;
    pthread_mutex_unlock(&sc->lock);
}

static struct sel_cmd *
sel_cmd_new(struct cpcmd_ctx *c, const char *what, const char *verb)
{
    struct sel_cmd *sc = calloc(1, sizeof *sc);
    if (!sc) {
        return NULL;
    }
    sc->u = c->u;
    sc->done = c->done;
    sc->done_ctx = c->done_ctx;
    sc->what = what;
    sc->verb = verb;
    cp_out_init(&sc->out, c->u);
    pthread_mutex_init(&sc->lock, NULL);
    sc->pending = 1;
    cp_user_get(c->u);
    return sc;
}

/* Starts `start` for each spoolid of the selection, or once for a class or
 * ALL; the answer is posted when the last is durable. */
static int
sel_async(struct cpcmd_ctx *c, struct cpsp *s, const struct cpsp_sel *sel, sel_start_fn start,
          const void *arg, const char *what, const char *verb)
{
    struct sel_cmd *sc = sel_cmd_new(c, what, verb);
    if (!sc) {
        return cpsp_errmsg(c, -ENOMEM, what);
    }
    if (sel->nids == 0) {
        sel_pending_add(sc);
        sel_started(sc, start(cpsp_store(s), &sel->f, arg, sel_durable, sc), what);
    }
    for (size_t i = 0; i < sel->nids; i++) {
        struct spool_filter f = sel->f;
        f.spoolid = sel->ids[i];
        char id[16];
        snprintf(id, sizeof id, "%u", sel->ids[i]);
        sel_pending_add(sc);
        sel_started(sc, start(cpsp_store(s), &f, arg, sel_durable, sc), id);
    }
    sel_release(sc); /* the answer is posted, even when nothing waited */
    return CPCMD_ASYNC;
}

static int
start_purge(struct spool *sp, const struct spool_filter *f, const void *arg, spool_done_fn done,
            void *darg)
{
    (void)arg;
    return spool_purge_async(sp, f, done, darg);
}

int
cpcmd_purge(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_sel sel;
    int rc = selection(c, &s, &sel);
    if (rc || (rc = cpcmd_no_more(c))) {
        return rc;
    }
    if (c->done) {
        return sel_async(c, s, &sel, start_purge, NULL, "PURGE", "PURGED");
    }
    return for_each(c, s, &sel, op_purge, NULL, "PURGED");
}

static int
op_transfer(struct spool *sp, const struct spool_filter *f, void *arg, size_t *n)
{
    return spool_transfer(sp, f, arg, n);
}

static int
start_transfer(struct spool *sp, const struct spool_filter *f, const void *arg,
               spool_done_fn done, void *darg)
{
    return spool_transfer_async(sp, f, arg, done, darg);
}

int
cpcmd_transfer(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_sel sel;
    int rc = selection(c, &s, &sel);
    if (rc) {
        return rc;
    }
    const char *w = cpcmd_next(c);
    if (w && cpcmd_abbrev(w, "TO", 2)) {
        w = cpcmd_next(c);
    }
    if (!w) {
        return cpcmd_missing(c, "the userid to transfer to");
    }
    char to[SPOOL_USERID_MAX + 1];
    if (strcmp(w, "*") == 0) {
        snprintf(to, sizeof to, "%s", c->u->userid);
    } else if (!cpcmd_userid(c, w, to)) {
        return MSG_INVUSER;
    }
    if ((rc = cpcmd_no_more(c))) {
        return rc;
    }
    struct cp_dirent de;
    if (!c->sys->svc.dir_lookup || c->sys->svc.dir_lookup(c->sys->svc.ctx, to, &de) != 0) {
        cp_out_msg(c->out, MSG_NOTINDIR, to);
        return MSG_NOTINDIR;
    }
    if (c->done) {
        return sel_async(c, s, &sel, start_transfer, to, "TRANSFER", "TRANSFERRED");
    }
    return for_each(c, s, &sel, op_transfer, to, "TRANSFERRED");
}

static int
op_change(struct spool *sp, const struct spool_filter *f, void *arg, size_t *n)
{
    return spool_change(sp, f, arg, n);
}

static int
start_change(struct spool *sp, const struct spool_filter *f, const void *arg, spool_done_fn done,
             void *darg)
{
    return spool_change_async(sp, f, arg, done, darg);
}

int
cpcmd_change(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_sel sel;
    int rc = selection(c, &s, &sel);
    if (rc) {
        return rc;
    }
    struct spool_change ch = {0};
    char fn[SPOOL_NAME_MAX + 1] = "", ft[SPOOL_NAME_MAX + 1] = "";
    char dist[SPOOL_NAME_MAX + 1] = "", form[SPOOL_NAME_MAX + 1] = "";
    const char *w;
    while ((w = cpcmd_next(c))) {
        if (cpcmd_abbrev(w, "CLASS", 2)) {
            if (!cpsp_parse_class(c, cpcmd_next(c), false, &ch.spclass)) {
                return MSG_SPINVCLASS;
            }
            ch.what |= SPOOL_CH_CLASS;
        } else if (cpcmd_abbrev(w, "NAME", 2)) {
            const char *a = cpcmd_next(c), *b = cpcmd_peek(c);
            if (!a || strlen(a) > SPOOL_NAME_MAX) {
                cp_out_msg(c->out, MSG_INVOPND, a ? a : "NAME");
                return MSG_INVOPND;
            }
            snprintf(fn, sizeof fn, "%s", a);
            if (b && strlen(b) <= SPOOL_NAME_MAX && !cpcmd_abbrev(b, "CLASS", 2) &&
                !cpcmd_abbrev(b, "DIST", 4) && !cpcmd_abbrev(b, "FORM", 4) &&
                !cpcmd_abbrev(b, "COPY", 3) && !cpcmd_abbrev(b, "HOLD", 2) &&
                !cpcmd_abbrev(b, "NOHOLD", 3)) {
                snprintf(ft, sizeof ft, "%s", cpcmd_next(c));
            }
            ch.what |= SPOOL_CH_NAME;
        } else if (cpcmd_abbrev(w, "DIST", 4) || cpcmd_abbrev(w, "FORM", 4)) {
            bool d = cpcmd_abbrev(w, "DIST", 4);
            const char *a = cpcmd_next(c);
            if (!a || strlen(a) > SPOOL_NAME_MAX) {
                cp_out_msg(c->out, MSG_INVOPND, a ? a : w);
                return MSG_INVOPND;
            }
            snprintf(d ? dist : form, SPOOL_NAME_MAX + 1, "%s", a);
            ch.what |= d ? SPOOL_CH_DIST : SPOOL_CH_FORM;
        } else if (cpcmd_abbrev(w, "COPY", 3)) {
            const char *a = cpcmd_next(c);
            char *end = NULL;
            unsigned long v = a ? strtoul(a, &end, 10) : 0;
            if (!a || *end || v < 1 || v > SPOOL_COPIES_MAX) {
                cp_out_msg(c->out, MSG_RANGE, a ? a : "COPY", "1-255");
                return MSG_RANGE;
            }
            ch.copies = (uint16_t)v;
            ch.what |= SPOOL_CH_COPIES;
        } else if (cpcmd_abbrev(w, "HOLD", 2) || cpcmd_abbrev(w, "NOHOLD", 3)) {
            ch.hold = cpcmd_abbrev(w, "HOLD", 2);
            ch.what |= SPOOL_CH_HOLD;
        } else {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
    }
    if (!ch.what) {
        return cpcmd_missing(c, "CLASS, NAME, DIST, FORM, COPY, HOLD or NOHOLD");
    }
    for (char *q = fn; *q; q++) {
        *q = (char)toupper((unsigned char)*q);
    }
    for (char *q = ft; *q; q++) {
        *q = (char)toupper((unsigned char)*q);
    }
    ch.fname = fn;
    ch.ftype = ft;
    ch.dist = dist;
    ch.form = form;
    if (c->done) {
        return sel_async(c, s, &sel, start_change, &ch, "CHANGE", "CHANGED");
    }
    return for_each(c, s, &sel, op_change, &ch, "CHANGED");
}

int
cpcmd_order(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_sel sel;
    int rc = selection(c, &s, &sel);
    if (rc || (rc = cpcmd_no_more(c))) {
        return rc;
    }
    if (sel.nids == 0) {
        return cpcmd_missing(c, "spoolids");
    }
    enum spool_queue q = sel.f.queue ? sel.f.queue : SPOOL_Q_RDR;
    if (c->done) {
        struct sel_cmd *sc = sel_cmd_new(c, "ORDER", "ORDERED");
        if (!sc) {
            return cpsp_errmsg(c, -ENOMEM, "ORDER");
        }
        sel_pending_add(sc);
        sel_started(sc,
                    spool_order_async(cpsp_store(s), sel.owner, q, sel.ids, sel.nids, sel_durable,
                                      sc),
                    cpsp_queue_name(q));
        sel_release(sc);
        return CPCMD_ASYNC;
    }
    rc = spool_order(cpsp_store(s), sel.owner, q, sel.ids, sel.nids);
    if (rc < 0) {
        return cpsp_errmsg(c, rc, cpsp_queue_name(q));
    }
    char cnt[16];
    snprintf(cnt, sizeof cnt, "%04zu", sel.nids);
    cp_out_msg(c->out, MSG_SPCOUNT, cnt, "ORDERED");
    return 0;
}

struct hold_arg {
    bool on;
};

static int
op_hold(struct spool *sp, const struct spool_filter *f, void *arg, size_t *n)
{
    return spool_hold(sp, f, SPOOL_HOLD_SYSTEM, ((struct hold_arg *)arg)->on, n);
}

static int
start_hold(struct spool *sp, const struct spool_filter *f, const void *arg, spool_done_fn done,
           void *darg)
{
    return spool_hold_async(sp, f, SPOOL_HOLD_SYSTEM, ((const struct hold_arg *)arg)->on, done,
                            darg);
}

static int
hold_free(struct cpcmd_ctx *c, bool on)
{
    struct cpsp *s;
    struct cpsp_sel sel;
    int rc = selection(c, &s, &sel);
    if (rc || (rc = cpcmd_no_more(c))) {
        return rc;
    }
    struct hold_arg a = {on};
    if (c->done) {
        return sel_async(c, s, &sel, start_hold, &a, on ? "HOLD" : "FREE", on ? "HELD" : "FREED");
    }
    return for_each(c, s, &sel, op_hold, &a, on ? "HELD" : "FREED");
}

int
cpcmd_hold(struct cpcmd_ctx *c)
{
    return hold_free(c, true);
}

int
cpcmd_free(struct cpcmd_ctx *c)
{
    return hold_free(c, false);
}
