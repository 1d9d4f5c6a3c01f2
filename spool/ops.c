// SPDX-License-Identifier: MIT
/*
 * spool/ops.c - what CP's spool commands do to closed files: QUERY (list,
 * query), PURGE, TRANSFER, CHANGE, HOLD/FREE and ORDER.
 *
 * Each change runs in one hold of sp->lock: select the files (a filter, as
 * CP's command operands give it), change them in memory, queue one journal
 * record naming every file changed, then wait (the wait releases the lock)
 * until the committer has made the record durable.  Listing only copies
 * what is in memory.  Only QUEUED files are ever selected: a file still
 * closing (PENDING) cannot be seen or changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool/spoolint.h"

struct hit {
    struct spool_file *f;
    uint32_t pos; /* 1-based place in its queue */
};

/* Where collect() puts what it finds: the files (for changes) or, for
 * lists, copies made on the spot (no second array to fill and free). */
struct hits {
    struct hit *v;
    struct spool_info *info; /* lists: used instead of v */
    bool listing;
    size_t n, cap;
    bool oom;
};

static bool
hits_room(struct hits *h, size_t want)
{
    if (want <= h->cap) {
        return true;
    }
    size_t cap = h->cap ? h->cap : 16;
    while (cap < want) {
        cap *= 2;
    }
    void *p = h->listing ? realloc(h->info, cap * sizeof *h->info)
                         : realloc(h->v, cap * sizeof *h->v);
    if (!p) {
        h->oom = true;
        return false;
    }
    if (h->listing) {
        h->info = p;
    } else {
        h->v = p;
    }
    h->cap = cap;
    return true;
}

static void
hits_add(struct hits *h, struct spool_file *f, uint32_t pos)
{
    if (!hits_room(h, h->n + 1)) {
        return;
    }
    if (h->listing) {
        spool_info_fill(f, &h->info[h->n]);
        h->info[h->n].position = pos;
    } else {
        h->v[h->n].f = f;
        h->v[h->n].pos = pos;
    }
    h->n++;
}

/* Checks a caller's filter into *out (owner upper-cased into owner[]). */
static int
filter_norm(const struct spool_filter *in, struct spool_filter *out,
            char owner[SPOOL_USERID_MAX + 1])
{
    static const struct spool_filter all = {0};
    *out = in ? *in : all;
    if (out->owner) {
        if (spool_check_userid(out->owner, owner) < 0) {
            return -EINVAL;
        }
        out->owner = owner;
    }
    if (out->queue > SPOOL_Q_PUN) {
        return -EINVAL;
    }
    if (out->spclass && out->spclass != '*') {
        uint8_t c;
        if (spool_check_class(out->spclass, &c) < 0) {
            return -EINVAL;
        }
        out->spclass = (char)c;
    }
    return 0;
}

static void
walk_queue(struct spool_q *q, const struct spool_filter *fl, struct hits *h)
{
    uint32_t pos = 0;
    for (struct spool_file *f = q ? q->head : NULL; f; f = f->qnext) {
        if (f->state != SPOOL_FS_QUEUED) {
            continue;
        }
        pos++;
        if (spool_file_matches(f, fl)) {
            hits_add(h, f, pos);
            if (fl->spoolid) {
                return;
            }
        }
    }
}

static int
queue_cmp(const void *a, const void *b)
{
    const struct spool_q *x = *(const struct spool_q *const *)a;
    const struct spool_q *y = *(const struct spool_q *const *)b;
    int c = strcmp(x->owner, y->owner);
    return c ? c : (int)x->kind - (int)y->kind;
}

/* At most how many files can match (files queued or closing in the queues
 * the filter reaches).  sp->lock held. */
static size_t
bound(struct spool *sp, const struct spool_filter *fl)
{
    if (fl->spoolid) {
        return 1;
    }
    size_t n = 0;
    if (fl->owner) {
        for (int k = SPOOL_Q_RDR; k <= SPOOL_Q_PUN; k++) {
            struct spool_q *q = spool_queue_get(sp, fl->owner, k, false);
            if (q && (fl->queue == SPOOL_Q_ANY || (int)fl->queue == k)) {
                n += q->count;
            }
        }
        return n;
    }
    for (size_t i = 0; i < sp->qcap; i++) {
        for (struct spool_q *q = sp->qtab[i]; q; q = q->hnext) {
            n += fl->queue == SPOOL_Q_ANY || fl->queue == q->kind ? q->count : 0;
        }
    }
    return n;
}

/* The files matching fl (normalised), in queue order.  sp->lock held.
 * 0 or -ENOMEM; the caller frees h->v (h->info). */
static int
collect(struct spool *sp, const struct spool_filter *fl, struct hits *h)
{
    size_t most = bound(sp, fl);
    if (most && !hits_room(h, most)) {
        return -ENOMEM;
    }
    if (fl->spoolid) {
        struct spool_file *f = spool_id_find(sp, fl->spoolid);
        if (f && spool_file_matches(f, fl)) {
            walk_queue(f->q, fl, h);
        }
    } else if (fl->owner) {
        for (int k = SPOOL_Q_RDR; k <= SPOOL_Q_PUN; k++) {
            if (fl->queue == SPOOL_Q_ANY || (int)fl->queue == k) {
                walk_queue(spool_queue_get(sp, fl->owner, k, false), fl, h);
            }
        }
    } else {
        struct spool_q **qs = sp->qcount ? malloc(sp->qcount * sizeof *qs) : NULL;
        if (sp->qcount && !qs) {
            return -ENOMEM;
        }
        size_t n = 0;
        for (size_t i = 0; i < sp->qcap; i++) {
            for (struct spool_q *q = sp->qtab[i]; q; q = q->hnext) {
                qs[n++] = q;
            }
        }
        if (n) {
            qsort(qs, n, sizeof *qs, queue_cmp);
        }
        for (size_t i = 0; i < n; i++) {
            if (fl->queue == SPOOL_Q_ANY || fl->queue == qs[i]->kind) {
                walk_queue(qs[i], fl, h);
            }
        }
        free(qs);
    }
    return h->oom ? -ENOMEM : 0;
}

/* ---- queries ------------------------------------------------------------ */

int
spool_list(struct spool *sp, const struct spool_filter *f, struct spool_info **out,
           size_t *count)
{
    *out = NULL;
    *count = 0;
    struct spool_filter fl;
    char owner[SPOOL_USERID_MAX + 1];
    int rc = filter_norm(f, &fl, owner);
    if (rc < 0) {
        return rc;
    }
    struct hits h = {.listing = true};
    pthread_mutex_lock(&sp->lock);
    rc = collect(sp, &fl, &h);
    pthread_mutex_unlock(&sp->lock);
    if (rc < 0 || h.n == 0) {
        free(h.info);
        return rc;
    }
    *out = h.info;
    *count = h.n;
    return 0;
}

int
spool_query(struct spool *sp, uint32_t spoolid, struct spool_info *out)
{
    if (!spoolid) {
        return -ENOENT;
    }
    struct spool_filter fl = {.spoolid = spoolid};
    struct spool_info *v;
    size_t n;
    int rc = spool_list(sp, &fl, &v, &n);
    if (rc == 0 && n == 0) {
        rc = -ENOENT;
    }
    if (rc == 0) {
        *out = v[0];
    }
    free(v);
    return rc;
}

/* ---- changes ------------------------------------------------------------ */

/* Common start of a change: normalise, lock, admit, select.  On 0 the lock
 * is held and h is filled (h->n may be 0 only without a spoolid). */
static int
change_begin(struct spool *sp, const struct spool_filter *f, bool frees, struct spool_filter *fl,
             char owner[SPOOL_USERID_MAX + 1], struct hits *h)
{
    int rc = filter_norm(f, fl, owner);
    if (rc < 0) {
        return rc;
    }
    pthread_mutex_lock(&sp->lock);
    rc = spool_commit_admit(sp, frees);
    if (rc == 0) {
        rc = collect(sp, fl, h);
    }
    if (rc == 0 && fl->spoolid && h->n == 0) {
        rc = -ENOENT;
    }
    if (rc < 0) {
        pthread_mutex_unlock(&sp->lock);
        free(h->v);
        h->v = NULL;
    }
    return rc;
}

/* Queues c without waiting: done(arg, rc, value) follows on the committer
 * thread, which frees c.  Unlocks.  Returns 0. */
static int
change_later(struct spool *sp, struct spool_commit *c, struct hits *h, spool_done_fn done,
             void *arg, uint32_t value)
{
    c->sync = false;
    c->cb = done;
    c->cbarg = arg;
    c->spoolid = value;
    spool_commit_submit(sp, c);
    pthread_mutex_unlock(&sp->lock);
    free(h->v);
    return 0;
}

/* Queues c, waits for it, unlocks, frees.  Returns its outcome. */
static int
change_end(struct spool *sp, struct spool_commit *c, struct hits *h, size_t *count)
{
    spool_commit_submit(sp, c);
    int rc = spool_commit_wait(sp, c);
    pthread_mutex_unlock(&sp->lock);
    if (count) {
        *count = rc == 0 ? h->n : 0;
    }
    spool_commit_free(c);
    free(h->v);
    return rc;
}

/* Ends a change whose record c is filled (sp->lock held; unlocks): waits
 * for durability, or with done set queues it and returns 0 at once (done
 * gets the number of files). */
static int
change_finish(struct spool *sp, struct spool_commit *c, struct hits *h, size_t *count,
              spool_done_fn done, void *arg)
{
    if (done) {
        return change_later(sp, c, h, done, arg, (uint32_t)h->n);
    }
    c->sync = true;
    return change_end(sp, c, h, count);
}

/* An UPDATE record for the files in h, to be filled after the change. */
static struct spool_commit *
update_new(size_t n)
{
    struct spool_commit *c = spool_commit_new(SPOOL_J_UPDATE, 8 + n * SPOOL_FILE_IMAGE);
    if (c) {
        spool_put32(c->rec + SPOOL_JREC_HDR, (uint32_t)n);
    }
    return c;
}

static void
update_put(struct spool_commit *c, size_t i, const struct spool_file *f)
{
    spool_fmt_file_put(c->rec + SPOOL_JREC_HDR + 8 + i * SPOOL_FILE_IMAGE, f, false);
}

/* No match (and no spoolid asked for): nothing to do, so nothing to wait
 * for; with done set that is 1 (done is never called). */
static int
change_none(struct spool *sp, struct hits *h, size_t *count, spool_done_fn done)
{
    pthread_mutex_unlock(&sp->lock);
    free(h->v);
    if (count) {
        *count = 0;
    }
    return done ? 1 : 0;
}

/* Purges the files of h (sp->lock held; unlocks): waits for durability,
 * or with done set does not (done gets `value`). */
static int
purge_hits(struct spool *sp, struct hits *h, size_t *count, spool_done_fn done, void *arg,
           uint32_t value)
{
    struct spool_commit *c = spool_commit_new(SPOOL_J_PURGE, 8 + h->n * 16);
    struct spool_file **files = c ? malloc(h->n * sizeof *files) : NULL;
    if (!files) {
        spool_commit_free(c);
        pthread_mutex_unlock(&sp->lock);
        free(h->v);
        return -ENOMEM;
    }
    uint8_t *p = c->rec + SPOOL_JREC_HDR;
    spool_put32(p, (uint32_t)h->n);
    for (size_t i = 0; i < h->n; i++) {
        struct spool_file *f = h->v[i].f;
        spool_put32(p + 8 + i * 16, f->id);
        spool_put64(p + 16 + i * 16, f->serial);
        spool_queue_unlink(f);
        spool_id_remove(sp, f);
        f->state = SPOOL_FS_PURGED;
        sp->nqueued--;
        files[i] = f;
    }
    c->purged = files;
    c->npurged = h->n;
    if (done) {
        return change_later(sp, c, h, done, arg, value);
    }
    return change_finish(sp, c, h, count, NULL, NULL);
}

/* PURGE by filter, waiting or (done set) not: 1 when nothing matched
 * and done is set. */
static int
purge_filter(struct spool *sp, const struct spool_filter *f, size_t *count, spool_done_fn done,
             void *arg)
{
    struct spool_filter fl;
    char owner[SPOOL_USERID_MAX + 1];
    struct hits h = {0};
    int rc = change_begin(sp, f, true, &fl, owner, &h);
    if (rc < 0) {
        return rc;
    }
    if (h.n == 0) {
        return change_none(sp, &h, count, done);
    }
    return purge_hits(sp, &h, count, done, arg, (uint32_t)h.n);
}

int
spool_purge(struct spool *sp, const struct spool_filter *f, size_t *count)
{
    return purge_filter(sp, f, count, NULL, NULL);
}

int
spool_purge_async(struct spool *sp, const struct spool_filter *f, spool_done_fn done, void *arg)
{
    return done ? purge_filter(sp, f, NULL, done, arg) : -EINVAL;
}

/* Purges one file the caller holds (a reader's current file), if it is
 * still queued (and still owner's, when owner is given); with done set
 * without waiting (done gets the spoolid). */
int
spool_purge_one(struct spool *sp, struct spool_file *f, const char *owner, spool_done_fn done,
                void *arg)
{
    pthread_mutex_lock(&sp->lock);
    int rc = spool_commit_admit(sp, true);
    if (rc == 0 && (f->state != SPOOL_FS_QUEUED || (owner && strcmp(f->owner, owner) != 0))) {
        rc = -ENOENT;
    }
    struct hits h = {0};
    if (rc == 0) {
        hits_add(&h, f, 0);
        rc = h.oom ? -ENOMEM : 0;
    }
    if (rc < 0) {
        pthread_mutex_unlock(&sp->lock);
        free(h.v);
        return rc;
    }
    return purge_hits(sp, &h, NULL, done, arg, f->id);
}

static int
transfer_run(struct spool *sp, const struct spool_filter *f, const char *to, size_t *count,
             spool_done_fn done, void *arg)
{
    char dest[SPOOL_USERID_MAX + 1];
    if (spool_check_userid(to, dest) < 0) {
        return -EINVAL;
    }
    struct spool_filter fl;
    char owner[SPOOL_USERID_MAX + 1];
    struct hits h = {0};
    int rc = change_begin(sp, f, false, &fl, owner, &h);
    if (rc < 0) {
        return rc;
    }
    if (h.n == 0) {
        return change_none(sp, &h, count, done);
    }
    struct spool_q *q = spool_queue_get(sp, dest, SPOOL_Q_RDR, true);
    struct spool_commit *c = q ? update_new(h.n) : NULL;
    struct spool_info *arr = c ? malloc(h.n * sizeof *arr) : NULL;
    if (!arr) {
        spool_commit_free(c);
        pthread_mutex_unlock(&sp->lock);
        free(h.v);
        return -ENOMEM;
    }
    for (size_t i = 0; i < h.n; i++) {
        struct spool_file *fi = h.v[i].f;
        spool_queue_unlink(fi);
        memcpy(fi->owner, dest, sizeof dest);
        fi->queue = SPOOL_Q_RDR;
        fi->order = ++sp->order_tail;
        spool_queue_append(q, fi);
        update_put(c, i, fi);
        spool_info_fill(fi, &arr[i]);
        arr[i].position = q->count; /* among files queued or closing */
    }
    c->arrivals = arr;
    c->narrivals = h.n;
    return change_finish(sp, c, &h, count, done, arg);
}

int
spool_transfer(struct spool *sp, const struct spool_filter *f, const char *to, size_t *count)
{
    return transfer_run(sp, f, to, count, NULL, NULL);
}

int
spool_transfer_async(struct spool *sp, const struct spool_filter *f, const char *to,
                     spool_done_fn done, void *arg)
{
    return done ? transfer_run(sp, f, to, NULL, done, arg) : -EINVAL;
}

static int
change_run(struct spool *sp, const struct spool_filter *f, const struct spool_change *ch,
           size_t *count, spool_done_fn done, void *arg)
{
    char fn[SPOOL_NAME_MAX + 1], ft[SPOOL_NAME_MAX + 1], dist[SPOOL_NAME_MAX + 1],
        form[SPOOL_NAME_MAX + 1];
    uint8_t cls = 0;
    if (!ch || (ch->what & ~0x3Fu) || ch->what == 0) {
        return -EINVAL;
    }
    if (((ch->what & SPOOL_CH_CLASS) && spool_check_class(ch->spclass, &cls) < 0) ||
        ((ch->what & SPOOL_CH_NAME) &&
         (spool_check_name(ch->fname, fn) < 0 || spool_check_name(ch->ftype, ft) < 0)) ||
        ((ch->what & SPOOL_CH_DIST) && spool_check_name(ch->dist, dist) < 0) ||
        ((ch->what & SPOOL_CH_FORM) && spool_check_name(ch->form, form) < 0) ||
        ((ch->what & SPOOL_CH_COPIES) && (ch->copies == 0 || ch->copies > SPOOL_COPIES_MAX))) {
        return -EINVAL;
    }
    struct spool_filter fl;
    char owner[SPOOL_USERID_MAX + 1];
    struct hits h = {0};
    int rc = change_begin(sp, f, false, &fl, owner, &h);
    if (rc < 0) {
        return rc;
    }
    if (h.n == 0) {
        return change_none(sp, &h, count, done);
    }
    struct spool_commit *c = update_new(h.n);
    if (!c) {
        pthread_mutex_unlock(&sp->lock);
        free(h.v);
        return -ENOMEM;
    }
    for (size_t i = 0; i < h.n; i++) {
        struct spool_file *fi = h.v[i].f;
        if (ch->what & SPOOL_CH_CLASS) {
            fi->spclass = cls;
        }
        if (ch->what & SPOOL_CH_NAME) {
            memcpy(fi->fname, fn, sizeof fn);
            memcpy(fi->ftype, ft, sizeof ft);
        }
        if (ch->what & SPOOL_CH_DIST) {
            memcpy(fi->dist, dist, sizeof dist);
        }
        if (ch->what & SPOOL_CH_FORM) {
            memcpy(fi->form, form, sizeof form);
        }
        if (ch->what & SPOOL_CH_COPIES) {
            fi->copies = ch->copies;
        }
        if (ch->what & SPOOL_CH_HOLD) {
            fi->hold = ch->hold ? (fi->hold | SPOOL_HOLD_USER) : (fi->hold & ~SPOOL_HOLD_USER);
        }
        update_put(c, i, fi);
    }
    return change_finish(sp, c, &h, count, done, arg);
}

int
spool_change(struct spool *sp, const struct spool_filter *f, const struct spool_change *ch,
             size_t *count)
{
    return change_run(sp, f, ch, count, NULL, NULL);
}

int
spool_change_async(struct spool *sp, const struct spool_filter *f, const struct spool_change *ch,
                   spool_done_fn done, void *arg)
{
    return done ? change_run(sp, f, ch, NULL, done, arg) : -EINVAL;
}

static int
hold_run(struct spool *sp, const struct spool_filter *f, unsigned which, bool on, size_t *count,
         spool_done_fn done, void *arg)
{
    if (which == 0 || (which & ~3u)) {
        return -EINVAL;
    }
    struct spool_filter fl;
    char owner[SPOOL_USERID_MAX + 1];
    struct hits h = {0};
    int rc = change_begin(sp, f, false, &fl, owner, &h);
    if (rc < 0) {
        return rc;
    }
    if (h.n == 0) {
        return change_none(sp, &h, count, done);
    }
    struct spool_commit *c = update_new(h.n);
    if (!c) {
        pthread_mutex_unlock(&sp->lock);
        free(h.v);
        return -ENOMEM;
    }
    for (size_t i = 0; i < h.n; i++) {
        struct spool_file *fi = h.v[i].f;
        fi->hold = on ? (fi->hold | which) : (fi->hold & ~which);
        update_put(c, i, fi);
    }
    return change_finish(sp, c, &h, count, done, arg);
}

int
spool_hold(struct spool *sp, const struct spool_filter *f, unsigned which, bool on,
           size_t *count)
{
    return hold_run(sp, f, which, on, count, NULL, NULL);
}

int
spool_hold_async(struct spool *sp, const struct spool_filter *f, unsigned which, bool on,
                 spool_done_fn done, void *arg)
{
    return done ? hold_run(sp, f, which, on, NULL, done, arg) : -EINVAL;
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int
order_run(struct spool *sp, const char *owner, enum spool_queue queue, const uint32_t *ids,
          size_t n, spool_done_fn done, void *arg)
{
    char own[SPOOL_USERID_MAX + 1];
    if (spool_check_userid(owner, own) < 0 || queue < SPOOL_Q_RDR || queue > SPOOL_Q_PUN ||
        n == 0 || !ids) {
        return -EINVAL;
    }
    uint32_t *sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        return -ENOMEM;
    }
    memcpy(sorted, ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, u32_cmp);
    for (size_t i = 1; i < n; i++) {
        if (sorted[i] == sorted[i - 1]) {
            free(sorted);
            return -EINVAL;
        }
    }
    free(sorted);
    struct hits h = {0};
    pthread_mutex_lock(&sp->lock);
    int rc = spool_commit_admit(sp, false);
    struct spool_q *q = spool_queue_get(sp, own, queue, false);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct spool_file *f = spool_id_find(sp, ids[i]);
        if (!f || !q || f->q != q || f->state != SPOOL_FS_QUEUED) {
            rc = -ENOENT;
        } else {
            hits_add(&h, f, 0);
            rc = h.oom ? -ENOMEM : 0;
        }
    }
    struct spool_commit *c = rc == 0 ? update_new(n) : NULL;
    if (rc == 0 && !c) {
        rc = -ENOMEM;
    }
    if (rc < 0) {
        pthread_mutex_unlock(&sp->lock);
        free(h.v);
        return rc;
    }
    for (size_t i = n; i-- > 0;) {
        struct spool_file *f = h.v[i].f;
        spool_queue_unlink(f);
        f->order = --sp->order_head;
        spool_queue_prepend(q, f);
        update_put(c, i, f);
    }
    return change_finish(sp, c, &h, NULL, done, arg);
}

int
spool_order(struct spool *sp, const char *owner, enum spool_queue queue, const uint32_t *ids,
            size_t n)
{
    return order_run(sp, owner, queue, ids, n, NULL, NULL);
}

int
spool_order_async(struct spool *sp, const char *owner, enum spool_queue queue,
                  const uint32_t *ids, size_t n, spool_done_fn done, void *arg)
{
    return done ? order_run(sp, owner, queue, ids, n, done, arg) : -EINVAL;
}
