// SPDX-License-Identifier: MIT
/*
 * cp/spool_dev.c - CP's spool (cp/spool_cp.h): the system's store, every
 * VM's reader, punch and printer state, SPOOL CONSOLE and arrival notices
 * (the feed from SSH into a reader is cp/spool_feed.c, the guest's DIAGs
 * cp/spool_diag.c, the printers cp/spool_prt.c).
 *
 * A VM's output units open a spool writer at their first record, with the
 * unit's SPOOL settings at that moment; CLOSE (the command, or DIAG 0x1000
 * with DIAG_UR_CLOSE) queues the file: to the reader of the unit's TO
 * user, or to the system queue.  The guest's close is asynchronous
 * (spool_writer_close_async): the VM waits in SERVICE_WAIT, the dispatcher
 * does not; the store's callback records the result and wakes the VM.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/cpcmd.h"
#include "cp/spool_cp.h"
#include "vmrv/diag.h"

struct cpsp {
    struct spool *sp;
    char datadir[PATH_MAX];
    pthread_mutex_t lock; /* users, sys, fault */
    struct cp_system *sys;
    int (*fault)(void *arg, enum spool_fault point); /* tests: cpsp_set_fault */
    void *fault_arg;
    struct cpsp_user *users;
    struct cpsp_prt_tab *prt; /* system printers */
};

/* An asynchronous close from DIAG 0x1000 in flight. */
struct cpsp_pending {
    uint64_t gen; /* of the close this waits for */
    bool busy, done;
    int rc;
    uint32_t spoolid;
};

struct cpsp_user {
    struct cpsp *s;
    struct cp_user *u;
    struct cpsp_user *next; /* in s->users */
    char userid[SPOOL_USERID_MAX + 1];
    struct vm *vm;
    void (*spool_event)(struct vm *vm, uint32_t spoolid); /* DIAG_EVENT_SPOOL */
    struct spool_reader *rdr;
    char rdr_class;
    struct cpsp_out_set set[CPSP_UNITS];
    struct spool_writer *w[CPSP_UNITS];
    pthread_mutex_t lock; /* pend */
    pthread_cond_t cond;
    struct cpsp_pending pend[CPSP_UNITS];
    uint64_t gen; /* closes started (under lock) */
    unsigned inflight; /* closes whose callback has not run (under lock) */
    unsigned char *buf; /* a reader record (SPOOL_RECORD_MAX) */
    bool con_on; /* SPOOL CONSOLE START */
    int con_err; /* the last append error of the console file (0) */
    char *con_line; /* the console's partial line */
    size_t con_len;
};

struct spool *
cpsp_store(struct cpsp *s)
{
    return s->sp;
}

const char *
cpsp_datadir(const struct cpsp *s)
{
    return s->datadir;
}

struct cpsp *
cpsp_of(struct cp_system *sys)
{
    return sys ? sys->svc.spool : NULL;
}

void
cpsp_bind(struct cpsp *s, struct cp_system *sys)
{
    pthread_mutex_lock(&s->lock);
    s->sys = sys;
    pthread_mutex_unlock(&s->lock);
}

static void
store_log(void *arg, enum spool_log_level level, const char *msg)
{
    static const enum cplog_level map[] = {CPLOG_ERROR, CPLOG_WARN, CPLOG_INFO};
    cplog(map[level], NULL, NULL, "spool: %s", msg);
}

/* The store's fault callback: the test's, when one is set. */
static int
store_fault(void *arg, enum spool_fault point)
{
    struct cpsp *s = arg;
    pthread_mutex_lock(&s->lock);
    int (*fn)(void *, enum spool_fault) = s->fault;
    void *fa = s->fault_arg;
    pthread_mutex_unlock(&s->lock);
    return fn ? fn(fa, point) : 0;
}

void
cpsp_set_fault(struct cpsp *s, int (*fault)(void *arg, enum spool_fault point), void *arg)
{
    pthread_mutex_lock(&s->lock);
    s->fault = fault;
    s->fault_arg = arg;
    pthread_mutex_unlock(&s->lock);
}

int
cpsp_open(const char *datadir, bool cold, uint64_t limit_bytes, struct cpsp **out, char *err,
          size_t errlen)
{
    struct cpsp *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(s->datadir, sizeof s->datadir, "%s", datadir);
    pthread_mutex_init(&s->lock, NULL);
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/%s", datadir, CPSP_DIR);
    struct spool_config cfg = {
        .flags = cold ? SPOOL_OPEN_COLD : 0,
        .limit_bytes = limit_bytes,
        .log = store_log,
        .arrival = cpsp_arrival,
        .fault = store_fault,
        .cb_arg = s,
    };
    int rc = spool_open(dir, &cfg, &s->sp);
    if (rc < 0) {
        snprintf(err, errlen, "spool %s: %s", dir,
                 rc == -EUCLEAN ? "damaged metadata (see the log; a COLD start empties it)"
                                : strerror(-rc));
        pthread_mutex_destroy(&s->lock);
        free(s);
        return rc;
    }
    s->prt = cpsp_prt_new(s);
    if (!s->prt) {
        spool_close(s->sp);
        pthread_mutex_destroy(&s->lock);
        free(s);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

struct cpsp_prt_tab *
cpsp_printers(struct cpsp *s)
{
    return s->prt;
}

void
cpsp_close(struct cpsp *s)
{
    if (!s) {
        return;
    }
    cpsp_prt_free(s->prt);
    int rc = spool_close(s->sp);
    if (rc < 0) {
        cplog(CPLOG_ERROR, NULL, NULL, "spool: close: %s", strerror(-rc));
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *
cpsp_dev_name(enum spool_dev dev)
{
    switch (dev) {
    case SPOOL_DEV_RDR:
        return "RDR";
    case SPOOL_DEV_PUN:
        return "PUN";
    case SPOOL_DEV_PRT:
        return "PRT";
    case SPOOL_DEV_CON:
        return "CON";
    }
    return "???";
}

const char *
cpsp_queue_name(enum spool_queue q)
{
    static const char *const names[] = {"ALL", "RDR", "PRT", "PUN"};
    return q <= SPOOL_Q_PUN ? names[q] : "???";
}

void
cpsp_user_set_vm(struct cpsp_user *p, struct vm *vm, void (*spool_event)(struct vm *, uint32_t))
{
    p->vm = vm;
    p->spool_event = spool_event;
}

/* ---- per-user state ------------------------------------------------------------------ */

void
cpsp_logon_notice(struct cpsp *s, struct cp_user *u)
{
    if (!s) {
        return;
    }
    const struct spool_filter f = {.owner = cp_user_userid(u), .queue = SPOOL_Q_ANY};
    struct spool_info *v = NULL;
    size_t n = 0;
    if (spool_list(s->sp, &f, &v, &n) < 0 || n == 0) {
        free(v);
        return;
    }
    size_t cnt[4] = {0};
    for (size_t i = 0; i < n; i++) {
        cnt[v[i].queue & 3]++;
    }
    free(v);
    char r[3][24];
    size_t q[3] = {cnt[SPOOL_Q_RDR], cnt[SPOOL_Q_PRT], cnt[SPOOL_Q_PUN]};
    for (int i = 0; i < 3; i++) {
        if (q[i]) {
            snprintf(r[i], sizeof r[i], "%04zu", q[i]);
        } else {
            snprintf(r[i], sizeof r[i], "NO");
        }
    }
    cp_user_msg(u, MSG_SPFILES, r[0], r[1], r[2]);
}

struct cpsp_user *
cpsp_user_new(struct cpsp *s, struct cp_user *u, const char *userid)
{
    struct cpsp_user *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->buf = malloc(SPOOL_RECORD_MAX);
    if (!p->buf || spool_reader_open(s->sp, userid, '*', &p->rdr) < 0) {
        free(p->buf);
        free(p);
        return NULL;
    }
    p->s = s;
    p->u = u;
    snprintf(p->userid, sizeof p->userid, "%s", userid);
    p->rdr_class = '*';
    for (int i = CPSP_PUN; i < CPSP_UNITS; i++) {
        p->set[i].spclass = i == CPSP_CON ? 'T' : 'A';
        p->set[i].copies = 1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    pthread_mutex_lock(&s->lock);
    p->next = s->users;
    s->users = p;
    pthread_mutex_unlock(&s->lock);
    cpsp_bind(s, cp_user_system(u));
    return p;
}

void
cpsp_user_free(struct cpsp_user *p)
{
    if (!p) {
        return;
    }
    /* a guest's close in flight finishes first (its callback uses p) */
    pthread_mutex_lock(&p->lock);
    while (p->inflight) {
        pthread_cond_wait(&p->cond, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    cpsp_console_flush(p);
    for (int i = CPSP_PUN; i < CPSP_UNITS; i++) {
        if (p->w[i]) {
            uint32_t id = 0;
            if (cpsp_user_close(p, i, NULL, NULL, NULL, false, -1, &id) < 0 && p->w[i]) {
                spool_writer_discard(p->w[i]);
                p->w[i] = NULL;
            }
        }
    }
    free(p->con_line);
    struct cpsp *s = p->s;
    pthread_mutex_lock(&s->lock);
    for (struct cpsp_user **pp = &s->users; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    spool_reader_free(p->rdr);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p->buf);
    free(p);
}

struct cpsp_user *
cpsp_user_find(struct cpsp *s, const char *userid)
{
    pthread_mutex_lock(&s->lock);
    struct cpsp_user *p = s->users;
    while (p && strcasecmp(p->userid, userid) != 0) {
        p = p->next;
    }
    pthread_mutex_unlock(&s->lock);
    return p;
}

struct cpsp_out_set *
cpsp_user_settings(struct cpsp_user *p, enum cpsp_unit unit)
{
    return unit > CPSP_RDR && unit < CPSP_UNITS ? &p->set[unit] : NULL;
}

int
cpsp_user_reader_class(struct cpsp_user *p, char spclass)
{
    int rc = spool_reader_set_class(p->rdr, spclass);
    if (rc == 0) {
        p->rdr_class = (char)toupper((unsigned char)spclass);
    }
    return rc;
}

char
cpsp_user_reader_getclass(const struct cpsp_user *p)
{
    return p->rdr_class;
}

static const enum spool_dev unit_dev[CPSP_UNITS] = {SPOOL_DEV_RDR, SPOOL_DEV_PUN, SPOOL_DEV_PRT,
                                                    SPOOL_DEV_CON};

int
cpsp_user_append(struct cpsp_user *p, enum cpsp_unit unit, const void *rec, size_t len)
{
    if (unit <= CPSP_RDR || unit >= CPSP_UNITS) {
        return -EINVAL;
    }
    if (!p->w[unit]) {
        const struct cpsp_out_set *st = &p->set[unit];
        struct spool_create c = {
            .origin = p->userid,
            .dev = unit_dev[unit],
            .spclass = st->spclass,
            .copies = st->copies,
            .hold = st->hold,
            .dist = st->dist[0] ? st->dist : NULL,
            .form = st->form[0] ? st->form : NULL,
        };
        int rc = spool_writer_open(p->s->sp, &c, &p->w[unit]);
        if (rc < 0) {
            return rc;
        }
    }
    return spool_writer_append(p->w[unit], rec, len);
}

uint32_t
cpsp_user_open_id(const struct cpsp_user *p, enum cpsp_unit unit, uint64_t *records)
{
    if (unit <= CPSP_RDR || unit >= CPSP_UNITS || !p->w[unit]) {
        if (records) {
            *records = 0;
        }
        return 0;
    }
    if (records) {
        *records = spool_writer_records(p->w[unit]);
    }
    return spool_writer_spoolid(p->w[unit]);
}

/* Name, dist and hold on an open writer before its close. */
static int
prepare_close(struct spool_writer *w, const char *fname, const char *ftype, const char *dist,
              int hold)
{
    int rc = 0;
    if (fname || ftype) {
        rc = spool_writer_set_name(w, fname ? fname : "", ftype ? ftype : "");
    }
    if (rc == 0 && dist) {
        rc = spool_writer_set_dist(w, dist);
    }
    if (rc == 0 && hold >= 0) {
        rc = spool_writer_set_hold(w, hold ? SPOOL_HOLD_USER : SPOOL_HOLD_NONE);
    }
    return rc;
}

int
cpsp_user_close(struct cpsp_user *p, enum cpsp_unit unit, const char *fname, const char *ftype,
                const char *dist, bool purge, int hold, uint32_t *spoolid)
{
    *spoolid = 0;
    if (unit <= CPSP_RDR || unit >= CPSP_UNITS) {
        return -EINVAL;
    }
    struct spool_writer *w = p->w[unit];
    if (!w) {
        return 0;
    }
    if (purge) {
        *spoolid = spool_writer_spoolid(w);
        spool_writer_discard(w);
        p->w[unit] = NULL;
        return 0;
    }
    int rc = prepare_close(w, fname, ftype, dist, hold);
    if (rc < 0) {
        return rc;
    }
    const char *to = p->set[unit].to[0] ? p->set[unit].to : NULL;
    rc = spool_writer_close(w, to, spoolid);
    if (rc == 0 || rc == -EIO) {
        p->w[unit] = NULL;
    }
    return rc;
}

int
cpsp_user_close_async(struct cpsp_user *p, enum cpsp_unit unit, const char *fname,
                      const char *ftype, const char *dist, int hold,
                      void (*done)(void *arg, int rc, uint32_t spoolid), void *arg)
{
    if (unit <= CPSP_RDR || unit >= CPSP_UNITS) {
        return -EINVAL;
    }
    struct spool_writer *w = p->w[unit];
    if (!w) {
        return 1;
    }
    int rc = prepare_close(w, fname, ftype, dist, hold);
    if (rc < 0) {
        return rc;
    }
    const char *to = p->set[unit].to[0] ? p->set[unit].to : NULL;
    rc = spool_writer_close_async(w, to, done, arg);
    if (rc == 0 || rc == -EIO) {
        p->w[unit] = NULL;
    }
    return rc;
}

int
cpsp_user_close_reader(struct cpsp_user *p, bool purge, uint32_t *spoolid)
{
    *spoolid = spool_reader_current(p->rdr);
    return spool_reader_close_file(p->rdr, purge);
}

int
cpsp_user_purge_reader_async(struct cpsp_user *p, uint32_t *spoolid,
                             void (*done)(void *arg, int rc, uint32_t spoolid), void *arg)
{
    *spoolid = spool_reader_current(p->rdr);
    return spool_reader_purge_async(p->rdr, done, arg);
}

/* ---- SPOOL CONSOLE ---------------------------------------------------------------- */

/* One console line as a record; a spool error stops nothing (the console
 * goes on), it is logged once. */
static void
con_record(struct cpsp_user *p, const char *line, size_t len)
{
    int rc = cpsp_user_append(p, CPSP_CON, line, len);
    if (rc < 0 && rc != p->con_err) {
        cplog(CPLOG_WARN, NULL, p->userid, "SPOOL CONSOLE: %s", strerror(-rc));
    }
    p->con_err = rc < 0 ? rc : 0;
}

/* CP's output kept by the console's tap since the last call, as records
 * after the guest's partial line (CP broke that line on the terminal). */
static void
con_take_cp(struct cpsp_user *p)
{
    size_t len;
    char *text = p->u ? con_tap_take(cp_user_console(p->u), &len) : NULL;
    if (!text) {
        return;
    }
    if (p->con_len) {
        con_record(p, p->con_line, p->con_len);
        p->con_len = 0;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' || i - start == SPOOL_RECORD_MAX) {
            con_record(p, text + start, i - start);
            start = text[i] == '\n' ? i + 1 : i;
        }
    }
    free(text);
}

void
cpsp_console_output(struct cpsp_user *p, const char *buf, size_t len, bool end_line)
{
    if (!p->con_on) {
        return;
    }
    if (!p->con_line && !(p->con_line = malloc(SPOOL_RECORD_MAX))) {
        return;
    }
    con_take_cp(p);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n' || p->con_len == SPOOL_RECORD_MAX) {
            con_record(p, p->con_line, p->con_len);
            p->con_len = 0;
            if (buf[i] == '\n') {
                continue;
            }
        }
        p->con_line[p->con_len++] = buf[i];
    }
    if (end_line) {
        con_record(p, p->con_line, p->con_len);
        p->con_len = 0;
    }
}

void
cpsp_console_flush(struct cpsp_user *p)
{
    if (p->con_on) {
        con_take_cp(p);
    }
    if (p->con_len) {
        con_record(p, p->con_line, p->con_len);
        p->con_len = 0;
    }
}

void
cpsp_console_set(struct cpsp_user *p, bool on)
{
    p->con_on = on;
    if (p->u) {
        con_set_tap(cp_user_console(p->u), on);
    }
}

bool
cpsp_console_on(const struct cpsp_user *p)
{
    return p->con_on;
}

/* ---- the guest's asynchronous close -------------------------------------------- */

struct close_done {
    struct cpsp_user *p;
    enum cpsp_unit unit;
    uint64_t gen;
};

static void
close_done(void *arg, int rc, uint32_t spoolid)
{
    struct close_done *d = arg;
    struct cpsp_user *p = d->p;
    pthread_mutex_lock(&p->lock);
    struct cpsp_pending *pd = &p->pend[d->unit];
    if (pd->busy && pd->gen == d->gen) { /* not given up by a reset */
        pd->done = true;
        pd->rc = rc;
        pd->spoolid = spoolid;
    }
    p->inflight--;
    /* woken under the lock: cpsp_user_free cannot free p before this is
     * done, and the VM's poll (which takes the lock) sees the result */
    cp_user_wake(p->u);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    free(d);
}

/* A guest's close of unit in flight: its callback's state, or NULL. */
static struct close_done *
pend_begin(struct cpsp_user *p, enum cpsp_unit unit)
{
    struct close_done *d = malloc(sizeof *d);
    if (!d) {
        return NULL;
    }
    d->p = p;
    d->unit = unit;
    pthread_mutex_lock(&p->lock);
    d->gen = ++p->gen;
    p->pend[unit] = (struct cpsp_pending){.busy = true, .gen = d->gen};
    p->inflight++;
    pthread_mutex_unlock(&p->lock);
    return d;
}

/* The close was not accepted: its callback will never run. */
static void
pend_abort(struct close_done *d)
{
    struct cpsp_user *p = d->p;
    pthread_mutex_lock(&p->lock);
    p->pend[d->unit].busy = false;
    p->inflight--;
    pthread_mutex_unlock(&p->lock);
    free(d);
}

int
cpsp_guest_close_start(struct cpsp_user *p, enum cpsp_unit unit, const char *fname,
                       const char *ftype)
{
    struct spool_writer *w = p->w[unit];
    if (!w) {
        return 1;
    }
    int rc = prepare_close(w, fname, ftype, NULL, -1);
    if (rc < 0) {
        return rc;
    }
    struct close_done *d = pend_begin(p, unit);
    if (!d) {
        return -ENOMEM;
    }
    const char *to = p->set[unit].to[0] ? p->set[unit].to : NULL;
    rc = spool_writer_close_async(w, to, close_done, d);
    if (rc == 0 || rc == -EIO) {
        p->w[unit] = NULL;
    }
    if (rc < 0) {
        pend_abort(d);
    }
    return rc;
}

int
cpsp_guest_purge_start(struct cpsp_user *p, uint32_t *spoolid)
{
    struct close_done *d = pend_begin(p, CPSP_RDR);
    if (!d) {
        return -ENOMEM;
    }
    int rc = cpsp_user_purge_reader_async(p, spoolid, close_done, d);
    if (rc != 0) {
        pend_abort(d);
    }
    return rc;
}

int
cpsp_guest_close_poll(struct cpsp_user *p, enum cpsp_unit unit, uint32_t *spoolid)
{
    pthread_mutex_lock(&p->lock);
    struct cpsp_pending *pd = &p->pend[unit];
    int rc;
    if (!pd->busy) {
        rc = -ENOENT;
    } else if (!pd->done) {
        rc = -EINPROGRESS;
    } else {
        rc = pd->rc;
        *spoolid = pd->spoolid;
        *pd = (struct cpsp_pending){0};
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void
cpsp_user_reset(struct cpsp_user *p)
{
    if (!p) {
        return;
    }
    /* a close in flight goes on (the file is queued) but its result no
     * longer answers an ecall of the new guest */
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < CPSP_UNITS; i++) {
        p->pend[i] = (struct cpsp_pending){0};
    }
    pthread_mutex_unlock(&p->lock);
}

struct spool_reader *
cpsp_user_reader(struct cpsp_user *p, unsigned char **buf)
{
    *buf = p->buf;
    return p->rdr;
}

/* ---- arrivals ------------------------------------------------------------------------ */

struct arrival {
    struct cpsp *s;
    struct spool_info f;
};

static void
arrival_on_user(struct cp_user *u, void *arg)
{
    struct arrival *a = arg;
    struct cpsp_user *p = cpsp_user_find(a->s, cp_user_userid(u));
    if (p && p->vm && p->spool_event) {
        p->spool_event(p->vm, a->f.spoolid);
        cp_user_wake(u);
    }
    char id[16], recs[24], name[20], text[200];
    snprintf(id, sizeof id, "%04u", a->f.spoolid);
    snprintf(recs, sizeof recs, "%04llu", (unsigned long long)a->f.records);
    snprintf(name, sizeof name, "%s %s", a->f.fname[0] ? a->f.fname : "(NONAME)", a->f.ftype);
    char cls[2] = {a->f.spclass, '\0'};
    struct cp_settings set = cp_user_settings(u);
    struct msg_opts o = {.emsg = set.emsg, .imsg = set.imsg};
    if (msg_format(text, sizeof text, MSG_SPARRIVED, &o,
                   MSG_ARGS(id, a->f.origin, cpsp_dev_name(a->f.dev), name, recs, cls)) > 0) {
        con_message(cp_user_console(u), text);
    }
    free(a);
}

void
cpsp_arrival(void *arg, const struct spool_info *file)
{
    struct cpsp *s = arg;
    pthread_mutex_lock(&s->lock);
    struct cp_system *sys = s->sys;
    pthread_mutex_unlock(&s->lock);
    if (!sys) {
        return;
    }
    struct cp_user *u = cp_user_find(sys, file->owner, false);
    if (!u) {
        return; /* told at the next logon */
    }
    struct arrival *a = malloc(sizeof *a);
    if (a) {
        a->s = s;
        a->f = *file;
        if (cp_user_post_ptr(u, arrival_on_user, a, true) < 0) {
            free(a);
        }
    }
    cp_user_put(u);
}
