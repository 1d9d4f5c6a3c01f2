// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_spool.c - the CP commands on a VM's own spool devices: SPOOL
 * (where and how the punch, printer and console spool; the reader's
 * class) and CLOSE (end a spool file and queue it), and the helpers every
 * spool command shares (device and queue words, file selections, errors).
 *
 *   SPOOL PUNCH|PRINTER|CONSOLE [TO userid|*|SYSTEM] [OFF] [CLASS c]
 *         [CONT|NOCONT] [HOLD|NOHOLD] [COPY n] [FORM f] [DIST d] [CLOSE|PURGE]
 *   SPOOL READER [CLASS c|*]
 *   CLOSE PUNCH|PRINTER|CONSOLE [NAME fn [ft]] [DIST d] [HOLD|NOHOLD] [PURGE]
 *   CLOSE READER [PURGE|KEEP]
 *
 * With no options SPOOL shows the device's settings.  CLOSE of an output
 * unit and CLOSE READER PURGE answer once the change is durable; from a
 * caller with a done callback (console, exec, DIAG 0x008) they do so
 * asynchronously, so the dispatcher thread never waits for the sync.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd_spool.h"

static const struct {
    const char *name;
    unsigned min;
    const char *alias, *vaddr;
    int unit;
} unit_words[] = {
    {"READER", 1, "RDR", "00C", CPSP_RDR},
    {"PUNCH", 2, "PUN", "00D", CPSP_PUN},
    {"PRINTER", 2, "PRT", "00E", CPSP_PRT},
    {"CONSOLE", 4, "CONS", "009", CPSP_CON},
};

int
cpsp_unit_word(const char *w)
{
    if (!w) {
        return -1;
    }
    for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++) {
        if (cpcmd_abbrev(w, unit_words[i].name, unit_words[i].min) ||
            strcasecmp(w, unit_words[i].alias) == 0 || strcasecmp(w, unit_words[i].vaddr) == 0 ||
            strcasecmp(w, unit_words[i].vaddr + 1) == 0) {
            return unit_words[i].unit;
        }
    }
    return -1;
}

enum spool_queue
cpsp_queue_word(const char *w)
{
    static const enum spool_queue q[] = {SPOOL_Q_RDR, SPOOL_Q_PUN, SPOOL_Q_PRT, SPOOL_Q_ANY};
    int u = cpsp_unit_word(w);
    return u >= 0 ? q[u] : SPOOL_Q_ANY;
}

bool
cpsp_is_operator(const struct cpcmd_ctx *c)
{
    return cpcmd_allowed(c->u, "D");
}

bool
cpsp_cmd_spool(struct cpcmd_ctx *c, struct cpsp **s, struct cpsp_user **p)
{
    *s = cpsp_of(c->sys);
    *p = NULL;
    if (!*s) {
        cp_out_msg(c->out, MSG_SPNOSPOOL);
        return false;
    }
    *p = cpsp_user_find(*s, c->u->userid);
    return true;
}

bool
cpsp_parse_class(struct cpcmd_ctx *c, const char *w, bool star, char *out)
{
    if (!w) {
        cpcmd_missing(c, "a class");
        return false;
    }
    if (strlen(w) == 1 && (isalnum((unsigned char)w[0]) || (star && w[0] == '*'))) {
        *out = (char)toupper((unsigned char)w[0]);
        return true;
    }
    cp_out_msg(c->out, MSG_SPINVCLASS, w, star ? ", or * for any" : "");
    return false;
}

int
cpsp_errmsg(struct cpcmd_ctx *c, int rc, const char *what)
{
    switch (rc) {
    case -ENOENT:
        cp_out_msg(c->out, MSG_SPNOFILE, what);
        return MSG_SPNOFILE;
    case -ENOSPC:
        cp_out_msg(c->out, MSG_SPFULL, what);
        return MSG_SPFULL;
    case -EBUSY:
        cp_out_msg(c->out, MSG_SPHELD, what);
        return MSG_SPHELD;
    case -EINVAL:
        cp_out_msg(c->out, MSG_INVOPND, what);
        return MSG_INVOPND;
    default:
        cp_out_msg(c->out, MSG_SPERROR, what, strerror(-rc));
        return MSG_SPERROR;
    }
}

static bool
is_number(const char *w)
{
    if (!w || !*w || strlen(w) > 9) {
        return false;
    }
    for (const char *p = w; *p; p++) {
        if (!isdigit((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}


static const char *const unit_names[] = {"RDR", "PUN", "PRT", "CON"};

/* VMR303I-style answer of a durable close: where the file went. */
static void
closed_answer(struct cp_out *out, struct cpsp *s, enum cpsp_unit unit, uint32_t id)
{
    struct spool_info fi;
    char sid[16], cp[8];
    snprintf(sid, sizeof sid, "%04u", id);
    if (spool_query(cpsp_store(s), id, &fi) == 0) {
        snprintf(cp, sizeof cp, "%03u", fi.copies);
        cp_out_msg(out, MSG_SPCLOSED, unit_names[unit], sid,
                   fi.queue == SPOOL_Q_RDR ? fi.owner : "SYSTEM", cp, fi.hold ? "HOLD" : "NOHOLD");
    }
}

/* CLOSE run asynchronously (cpcmd_run_async): the store's group commit
 * makes the file durable on its committer thread; the answer and the
 * done callback follow on the user's own thread. */
struct close_cmd {
    struct cp_user *u; /* a reference */
    struct cpsp *s;
    cpcmd_done_fn done;
    void *done_ctx;
    enum cpsp_unit unit;
    int rc;
    uint32_t id;
};

static void
close_reply(struct cp_user *u, void *arg)
{
    struct close_cmd *cc = arg;
    struct cp_out out;
    cp_out_init(&out, u);
    int rc = 0;
    if (cc->rc < 0) {
        struct cpcmd_ctx ec = {.out = &out};
        rc = cpsp_errmsg(&ec, cc->rc, unit_names[cc->unit]);
    } else if (cc->unit != CPSP_RDR) {
        closed_answer(&out, cc->s, cc->unit, cc->id);
    }
    cc->done(u, cc->done_ctx, rc, &out);
    cp_out_fini(&out);
    cp_user_put(cc->u);
    free(cc);
}

/* The store's callback (its committer thread): on to the user's thread. */
static void
close_durable(void *arg, int rc, uint32_t spoolid)
{
    struct close_cmd *cc = arg;
    cc->rc = rc;
    cc->id = spoolid;
    if (cp_user_post_ptr(cc->u, close_reply, cc, true) < 0) {
        cp_user_put(cc->u); /* the user is gone: nobody waits for the answer */
        free(cc);
    }
}

/* Starts an asynchronous CLOSE (of the reader: CLOSE READER PURGE):
 * CPCMD_ASYNC, 1 (no open file; the reader's had gone already), or CP's
 * return code of a refused close (its message in c->out). */
static int
close_async(struct cpcmd_ctx *c, struct cpsp *s, struct cpsp_user *p, enum cpsp_unit unit,
            const char *fn, const char *ft, const char *dist, int hold)
{
    struct close_cmd *cc = calloc(1, sizeof *cc);
    if (!cc) {
        return cpsp_errmsg(c, -ENOMEM, unit_names[unit]);
    }
    *cc = (struct close_cmd){.u = c->u, .s = s, .done = c->done, .done_ctx = c->done_ctx,
                             .unit = unit};
    cp_user_get(c->u);
    uint32_t id;
    int rc = unit == CPSP_RDR ? cpsp_user_purge_reader_async(p, &id, close_durable, cc)
                              : cpsp_user_close_async(p, unit, fn, ft, dist, hold, close_durable,
                                                      cc);
    if (rc == 0) {
        return CPCMD_ASYNC;
    }
    cp_user_put(c->u);
    free(cc);
    return rc == 1 ? 1 : cpsp_errmsg(c, rc, unit_names[unit]);
}

int
cpsp_parse_sel(struct cpcmd_ctx *c, struct cpsp_sel *sel)
{
    memset(sel, 0, sizeof *sel);
    snprintf(sel->owner, sizeof sel->owner, "%s", c->u->userid);
    const char *w = cpcmd_peek(c);
    /* an explicit userid (not a queue, a number, CLASS or ALL) */
    if (w && cpsp_unit_word(w) < 0 && !is_number(w) && !cpcmd_abbrev(w, "CLASS", 2) &&
        strcasecmp(w, "ALL") != 0) {
        char id[SPOOL_USERID_MAX + 1];
        if (!cpcmd_userid(c, w, id)) {
            return MSG_INVUSER;
        }
        cpcmd_next(c);
        if (strcmp(id, c->u->userid) != 0 && !cpsp_is_operator(c)) {
            char have[32];
            cp_classes_format(c->u->classes, have, sizeof have);
            cp_out_msg(c->out, MSG_NOPRIV, "Another user's spool files", "D", have);
            return MSG_NOPRIV;
        }
        snprintf(sel->owner, sizeof sel->owner, "%s", id);
        w = cpcmd_peek(c);
    }
    if (w && cpsp_unit_word(w) >= 0) {
        if (cpsp_unit_word(w) == CPSP_CON) {
            cp_out_msg(c->out, MSG_INVOPND, w);
            return MSG_INVOPND;
        }
        sel->f.queue = cpsp_queue_word(w);
        cpcmd_next(c);
        w = cpcmd_peek(c);
    }
    if (!w) {
        return cpcmd_missing(c, "spoolid, CLASS c or ALL");
    }
    if (strcasecmp(w, "ALL") == 0) {
        cpcmd_next(c);
        sel->all = true;
    } else if (cpcmd_abbrev(w, "CLASS", 2)) {
        cpcmd_next(c);
        if (!cpsp_parse_class(c, cpcmd_next(c), false, &sel->f.spclass)) {
            return MSG_SPINVCLASS;
        }
    } else {
        while ((w = cpcmd_peek(c)) && is_number(w)) {
            unsigned long v = strtoul(w, NULL, 10);
            if (v == 0 || v > UINT32_MAX) {
                cp_out_msg(c->out, MSG_SPINVID, w);
                return MSG_SPINVID;
            }
            if (sel->nids == sizeof sel->ids / sizeof sel->ids[0]) {
                cp_out_msg(c->out, MSG_RANGE, w, "at most 64 spoolids");
                return MSG_RANGE;
            }
            sel->ids[sel->nids++] = (uint32_t)v;
            cpcmd_next(c);
        }
        if (sel->nids == 0) {
            cp_out_msg(c->out, MSG_SPINVID, w);
            return MSG_SPINVID;
        }
    }
    sel->f.owner = sel->owner;
    return 0;
}

/* ---- SPOOL ------------------------------------------------------------------------- */

static void
show_settings(struct cpcmd_ctx *c, struct cpsp_user *p, int unit)
{
    static const char *const names[] = {"RDR", "PUN", "PRT", "CON"};
    static const char *const vaddrs[] = {"00C", "00D", "00E", "009"};
    if (unit == CPSP_RDR) {
        cp_out_line(c->out, "RDR  00C CL %c", cpsp_user_reader_getclass(p));
        return;
    }
    const struct cpsp_out_set *st = cpsp_user_settings(p, unit);
    uint64_t recs = 0;
    uint32_t id = cpsp_user_open_id(p, unit, &recs);
    cp_out_line(c->out, "%s  %s CL %c %s %s COPY %03u FORM %-8s TO %-8s%s", names[unit],
                vaddrs[unit], st->spclass, st->cont ? "CONT" : "NOCONT",
                st->hold ? "HOLD" : "NOHOLD", st->copies, st->form[0] ? st->form : "STANDARD",
                st->to[0] ? st->to : "SYSTEM",
                unit == CPSP_CON ? (cpsp_console_on(p) ? " START" : " STOP") : "");
    if (id) {
        cp_out_line(c->out, "     FILE %04u RECS %llu", id, (unsigned long long)recs);
    }
}

/* A name operand: 1-8 printable characters. */
static bool
name_word(struct cpcmd_ctx *c, const char *w, const char *what, char *out)
{
    if (!w) {
        cpcmd_missing(c, what);
        return false;
    }
    size_t n = strlen(w);
    if (n == 0 || n > SPOOL_NAME_MAX) {
        cp_out_msg(c->out, MSG_INVOPND, w);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)toupper((unsigned char)w[i]);
    }
    out[n] = '\0';
    return true;
}


/* The start of SPOOL and CLOSE: the spool, the user's devices and the
 * unit named by the first operand (*word).  0, or the message id already
 * given. */
static int
unit_operand(struct cpcmd_ctx *c, const char *cmd, struct cpsp **s, struct cpsp_user **p,
             int *unit, const char **word)
{
    if (!cpsp_cmd_spool(c, s, p)) {
        return MSG_SPNOSPOOL;
    }
    const char *dw = *word = cpcmd_next(c);
    if (!dw) {
        return cpcmd_missing(c, "READER, PUNCH, PRINTER or CONSOLE");
    }
    *unit = cpsp_unit_word(dw);
    if (*unit < 0) {
        cp_out_msg(c->out, MSG_INVDEV, dw);
        return MSG_INVDEV;
    }
    if (!*p) {
        char why[64];
        snprintf(why, sizeof why, "%s needs your virtual machine", cmd);
        cp_out_msg(c->out, MSG_NOVM, why);
        return MSG_NOVM;
    }
    return 0;
}

int
cpcmd_spool(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_user *p;
    int unit;
    const char *dw;
    int bad = unit_operand(c, "SPOOL", &s, &p, &unit, &dw);
    if (bad != 0) {
        return bad;
    }
    if (!cpcmd_peek(c)) {
        show_settings(c, p, unit);
        return 0;
    }
    if (unit == CPSP_RDR) {
        const char *w = cpcmd_next(c);
        char cls;
        if (!cpcmd_abbrev(w, "CLASS", 2)) {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
        if (!cpsp_parse_class(c, cpcmd_next(c), true, &cls)) {
            return MSG_SPINVCLASS;
        }
        int rc = cpcmd_no_more(c);
        if (rc) {
            return rc;
        }
        cpsp_user_reader_class(p, cls);
        return 0;
    }
    /* parse everything into a copy; apply only if all is well */
    struct cpsp_out_set st = *cpsp_user_settings(p, unit);
    bool close_now = false, purge_now = false;
    int con = -1; /* SPOOL CONSOLE START (1) / STOP (0) */
    const char *w;
    while ((w = cpcmd_next(c))) {
        if (cpcmd_abbrev(w, "TO", 2) || strcmp(w, "*") == 0) {
            const char *t = strcmp(w, "*") == 0 ? w : cpcmd_next(c);
            if (!t) {
                return cpcmd_missing(c, "userid, * or SYSTEM");
            }
            if (strcmp(t, "*") == 0) {
                snprintf(st.to, sizeof st.to, "%s", c->u->userid);
            } else if (cpcmd_abbrev(t, "SYSTEM", 6)) {
                st.to[0] = '\0';
            } else {
                char id[SPOOL_USERID_MAX + 1];
                struct cp_dirent de;
                if (!cpcmd_userid(c, t, id)) {
                    return MSG_INVUSER;
                }
                if (!c->sys->svc.dir_lookup ||
                    c->sys->svc.dir_lookup(c->sys->svc.ctx, id, &de) != 0) {
                    cp_out_msg(c->out, MSG_NOTINDIR, id);
                    return MSG_NOTINDIR;
                }
                snprintf(st.to, sizeof st.to, "%s", id);
            }
        } else if (cpcmd_abbrev(w, "OFF", 3)) {
            st.to[0] = '\0';
        } else if (cpcmd_abbrev(w, "CLASS", 2)) {
            if (!cpsp_parse_class(c, cpcmd_next(c), false, &st.spclass)) {
                return MSG_SPINVCLASS;
            }
        } else if (cpcmd_abbrev(w, "CONT", 4)) {
            st.cont = true;
        } else if (cpcmd_abbrev(w, "NOCONT", 6)) {
            st.cont = false;
        } else if (cpcmd_abbrev(w, "HOLD", 2)) {
            st.hold = SPOOL_HOLD_USER;
        } else if (cpcmd_abbrev(w, "NOHOLD", 3)) {
            st.hold = 0;
        } else if (cpcmd_abbrev(w, "COPY", 3)) {
            const char *n = cpcmd_next(c);
            char *end = NULL;
            unsigned long v = n ? strtoul(n, &end, 10) : 0;
            if (!n || *end || v < 1 || v > SPOOL_COPIES_MAX) {
                cp_out_msg(c->out, MSG_RANGE, n ? n : "COPY", "1-255");
                return MSG_RANGE;
            }
            st.copies = (uint16_t)v;
        } else if (cpcmd_abbrev(w, "FORM", 4)) {
            if (!name_word(c, cpcmd_next(c), "a form name", st.form)) {
                return MSG_INVOPND;
            }
        } else if (cpcmd_abbrev(w, "DIST", 4)) {
            if (!name_word(c, cpcmd_next(c), "a distribution code", st.dist)) {
                return MSG_INVOPND;
            }
        } else if (cpcmd_abbrev(w, "CLOSE", 1)) {
            close_now = true;
        } else if (cpcmd_abbrev(w, "PURGE", 2)) {
            purge_now = true;
        } else if (unit == CPSP_CON && cpcmd_abbrev(w, "START", 3)) {
            con = 1;
        } else if (unit == CPSP_CON && cpcmd_abbrev(w, "STOP", 3)) {
            con = 0;
        } else {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
    }
    *cpsp_user_settings(p, unit) = st;
    if (con == 1) {
        cpsp_console_set(p, true);
    } else if (con == 0) {
        /* STOP: the console file is closed and queued */
        cpsp_console_flush(p);
        cpsp_console_set(p, false);
        close_now = true;
    }
    if (purge_now) {
        if (unit == CPSP_CON) {
            cpsp_console_flush(p); /* CP's lines kept so far go with the file */
        }
        uint32_t id = 0;
        cpsp_user_close(p, unit, NULL, NULL, NULL, true, -1, &id); /* never fails */
        close_now = false;
    }
    if (close_now) {
        if (unit == CPSP_CON) {
            cpsp_console_flush(p);
        }
        uint32_t id = 0;
        int rc = cpsp_user_close(p, unit, NULL, NULL, NULL, false, -1, &id);
        if (rc < 0) {
            return cpsp_errmsg(c, rc, dw);
        }
    }
    return 0;
}

/* ---- CLOSE ------------------------------------------------------------------------- */

int
cpcmd_close(struct cpcmd_ctx *c)
{
    struct cpsp *s;
    struct cpsp_user *p;
    int unit;
    const char *dw;
    int bad = unit_operand(c, "CLOSE", &s, &p, &unit, &dw);
    if (bad != 0) {
        return bad;
    }
    char fn[SPOOL_NAME_MAX + 1] = "", ft[SPOOL_NAME_MAX + 1] = "", dist[SPOOL_NAME_MAX + 1] = "";
    bool named = false, purge = false;
    int hold = -1;
    const char *w;
    while ((w = cpcmd_next(c))) {
        if (unit != CPSP_RDR && cpcmd_abbrev(w, "NAME", 2)) {
            if (!name_word(c, cpcmd_next(c), "a file name", fn)) {
                return MSG_INVOPND;
            }
            const char *t = cpcmd_peek(c);
            if (t && !cpcmd_abbrev(t, "DIST", 4) && !cpcmd_abbrev(t, "HOLD", 2) &&
                !cpcmd_abbrev(t, "NOHOLD", 3) && !cpcmd_abbrev(t, "PURGE", 2)) {
                if (!name_word(c, cpcmd_next(c), "a file type", ft)) {
                    return MSG_INVOPND;
                }
            }
            named = true;
        } else if (unit != CPSP_RDR && cpcmd_abbrev(w, "DIST", 4)) {
            if (!name_word(c, cpcmd_next(c), "a distribution code", dist)) {
                return MSG_INVOPND;
            }
        } else if (unit != CPSP_RDR && cpcmd_abbrev(w, "HOLD", 2)) {
            hold = 1;
        } else if (unit != CPSP_RDR && cpcmd_abbrev(w, "NOHOLD", 3)) {
            hold = 0;
        } else if (cpcmd_abbrev(w, "PURGE", 2)) {
            purge = true;
        } else if (unit == CPSP_RDR && cpcmd_abbrev(w, "KEEP", 4)) {
            purge = false;
        } else {
            cp_out_msg(c->out, MSG_INVOPT, w);
            return MSG_INVOPT;
        }
    }
    uint32_t id = 0;
    int rc;
    static const char *const names[] = {"RDR", "PUN", "PRT", "CON"};
    if (unit == CPSP_RDR) {
        unsigned char *buf;
        if (spool_reader_current(cpsp_user_reader(p, &buf)) == 0) {
            cp_out_msg(c->out, MSG_SPNOOPEN, "RDR");
            return 0;
        }
        if (purge && c->done) {
            /* answered once the purge is durable; the dispatcher goes on */
            rc = close_async(c, s, p, unit, NULL, NULL, NULL, -1);
            return rc == 1 ? 0 : rc;
        }
        rc = cpsp_user_close_reader(p, purge, &id);
        return rc < 0 ? cpsp_errmsg(c, rc, "RDR") : 0;
    }
    if (unit == CPSP_CON) {
        cpsp_console_flush(p);
    }
    if (c->done && !purge) {
        rc = close_async(c, s, p, unit, named ? fn : NULL, named ? ft : NULL,
                         dist[0] ? dist : NULL, hold);
        if (rc != 1) {
            return rc;
        }
        cp_out_msg(c->out, MSG_SPNOOPEN, names[unit]);
        return 0;
    }
    rc = cpsp_user_close(p, unit, named ? fn : NULL, named ? ft : NULL, dist[0] ? dist : NULL,
                         purge, hold, &id);
    if (rc < 0) {
        return cpsp_errmsg(c, rc, names[unit]);
    }
    if (id == 0) {
        cp_out_msg(c->out, MSG_SPNOOPEN, names[unit]);
        return 0;
    }
    if (!purge) {
        closed_answer(c->out, s, unit, id);
    }
    return 0;
}
