// SPDX-License-Identifier: MIT
/*
 * spool/writer.c - open spool files: a VM's punch, printer or console
 * output being collected (CP's SPOOL and CLOSE, DIAG unit record output).
 *
 * Records gather in a buffer of about 64 KiB that becomes one chunk of the
 * data log (segment.c), written by the caller's own thread; nothing of an
 * open file is in the journal, so an unclosed file is garbage after a
 * restart.  Closing writes the last chunk, queues a CLOSE journal record
 * with the file's metadata and the list of its chunks, and (for the
 * synchronous close) waits for the group commit (commit.c) that makes it
 * durable; only then does the file become visible in its queue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool/spoolint.h"

#define CHUNK_TARGET (64u << 10) /* payload bytes per chunk, about */

struct spool_writer {
    struct spool *sp;
    struct spool_file *f;
    struct spool_buf buf; /* chunk header room + records */
    uint32_t nrec; /* records in buf */
};

int
spool_writer_open(struct spool *sp, const struct spool_create *c, struct spool_writer **out)
{
    *out = NULL;
    struct spool_file *f = spool_file_new();
    struct spool_writer *w = calloc(1, sizeof *w);
    int rc = f && w ? 0 : -ENOMEM;
    if (rc == 0 && (!c || c->dev < SPOOL_DEV_RDR || c->dev > SPOOL_DEV_CON ||
                    c->copies > SPOOL_COPIES_MAX || (c->hold & ~3u))) {
        rc = -EINVAL;
    }
    if (rc == 0) {
        rc = spool_check_userid(c->origin, f->origin);
    }
    if (rc == 0 && c->spclass) {
        rc = spool_check_class(c->spclass, &f->spclass);
    }
    if (rc == 0) {
        rc = spool_check_name(c->fname, f->fname);
    }
    if (rc == 0) {
        rc = spool_check_name(c->ftype, f->ftype);
    }
    if (rc == 0) {
        rc = spool_check_name(c->dist, f->dist);
    }
    if (rc == 0) {
        rc = spool_check_name(c->form, f->form);
    }
    if (rc < 0) {
        spool_file_free(f);
        free(w);
        return rc;
    }
    f->dev = (uint8_t)c->dev;
    f->copies = c->copies ? c->copies : 1;
    f->hold = (uint8_t)c->hold;
    f->created_us = spool_now_us();
    f->state = SPOOL_FS_WRITING;
    w->sp = sp;
    w->f = f;

    pthread_mutex_lock(&sp->lock);
    rc = sp->broken;
    if (rc == 0) {
        rc = spool_id_alloc(sp, &f->id);
    }
    if (rc == 0) {
        f->serial = sp->next_serial++;
        rc = spool_id_insert(sp, f);
    }
    if (rc == 0) {
        sp->nwriters++;
    }
    pthread_mutex_unlock(&sp->lock);
    if (rc < 0) {
        spool_file_free(f);
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

uint32_t
spool_writer_spoolid(const struct spool_writer *w)
{
    return w->f->id;
}

uint64_t
spool_writer_records(const struct spool_writer *w)
{
    return w->f->records;
}

int
spool_writer_set_name(struct spool_writer *w, const char *fname, const char *ftype)
{
    char fn[SPOOL_NAME_MAX + 1], ft[SPOOL_NAME_MAX + 1];
    if (spool_check_name(fname, fn) < 0 || spool_check_name(ftype, ft) < 0) {
        return -EINVAL;
    }
    memcpy(w->f->fname, fn, sizeof fn);
    memcpy(w->f->ftype, ft, sizeof ft);
    return 0;
}

int
spool_writer_set_dist(struct spool_writer *w, const char *dist)
{
    return spool_check_name(dist, w->f->dist);
}

int
spool_writer_set_hold(struct spool_writer *w, unsigned hold)
{
    if (hold & ~3u) {
        return -EINVAL;
    }
    w->f->hold = (uint8_t)hold;
    return 0;
}

/* Writes the buffered records as one chunk.  0, or -ENOSPC / -EIO / -ENOMEM
 * with the buffer and the file unchanged. */
static int
flush(struct spool_writer *w)
{
    struct spool_file *f = w->f;
    if (w->nrec == 0) {
        return 0;
    }
    if (f->next == f->extcap) {
        uint32_t cap = f->extcap ? f->extcap * 2 : 4;
        struct spool_extent *e = realloc(f->ext, cap * sizeof *e);
        if (!e) {
            return -ENOMEM;
        }
        f->ext = e;
        f->extcap = cap;
    }
    size_t plen = w->buf.len - SPOOL_CHUNK_HDR;
    size_t pad = (8 - w->buf.len % 8) % 8;
    uint8_t *z = spool_buf_grow(&w->buf, pad);
    if (!z) {
        return -ENOMEM;
    }
    memset(z, 0, pad);
    uint32_t crc = spool_crc32c(0, w->buf.p + SPOOL_CHUNK_HDR, plen);
    spool_fmt_chunk_header(w->buf.p, f, w->nrec, (uint32_t)plen, crc);
    struct spool_extent e = {0};
    int rc = spool_seg_write_chunk(w->sp, w->buf.p, (uint32_t)w->buf.len, &e);
    if (rc < 0) {
        w->buf.len -= pad;
        return rc;
    }
    e.nrec = w->nrec;
    e.crc = crc;
    f->ext[f->next++] = e;
    w->buf.len = 0;
    w->nrec = 0;
    return 0;
}

/* Counts n more bytes against the limit.  0 or -ENOSPC. */
static int
charge(struct spool *sp, uint64_t n)
{
    uint64_t cur = atomic_load(&sp->used);
    do {
        if (sp->limit && cur + n > sp->limit) {
            return -ENOSPC;
        }
    } while (!atomic_compare_exchange_weak(&sp->used, &cur, cur + n));
    return 0;
}

int
spool_writer_append(struct spool_writer *w, const void *rec, size_t len)
{
    if (len > SPOOL_RECORD_MAX || (len && !rec)) {
        return -EINVAL;
    }
    if (w->nrec && w->buf.len + 2 + len > CHUNK_TARGET + SPOOL_CHUNK_HDR) {
        int rc = flush(w);
        if (rc < 0) {
            return rc;
        }
    }
    if (w->buf.len == 0 && !spool_buf_grow(&w->buf, SPOOL_CHUNK_HDR)) {
        return -ENOMEM;
    }
    int rc = charge(w->sp, 2 + len);
    if (rc < 0) {
        return rc;
    }
    uint8_t *p = spool_buf_grow(&w->buf, 2 + len);
    if (!p) {
        w->buf.oom = false;
        atomic_fetch_sub(&w->sp->used, 2 + len);
        return -ENOMEM;
    }
    spool_put16(p, (uint16_t)len);
    if (len) {
        memcpy(p + 2, rec, len);
    }
    w->nrec++;
    w->f->records++;
    w->f->bytes += len;
    return 0;
}

static void
writer_free(struct spool_writer *w)
{
    spool_buf_free(&w->buf);
    free(w);
}

static int
close_common(struct spool_writer *w, const char *to, bool sync,
             void (*done)(void *, int, uint32_t), void *arg, uint32_t *spoolid)
{
    struct spool *sp = w->sp;
    struct spool_file *f = w->f;
    char owner[SPOOL_USERID_MAX + 1];
    uint8_t queue;
    if (to) {
        if (spool_check_userid(to, owner) < 0) {
            return -EINVAL;
        }
        queue = SPOOL_Q_RDR;
    } else if (f->dev == SPOOL_DEV_RDR) {
        return -EINVAL;
    } else {
        memcpy(owner, f->origin, sizeof owner);
        queue = f->dev == SPOOL_DEV_PUN ? SPOOL_Q_PUN : SPOOL_Q_PRT;
    }
    int rc = flush(w);
    if (rc < 0) {
        goto fail;
    }
    /* Encode outside the lock; the order key and allocator state are
     * patched in below. */
    memcpy(f->owner, owner, sizeof owner);
    f->queue = queue;
    struct spool_commit *c = spool_commit_new(SPOOL_J_CLOSE, 16 + spool_fmt_file_size(f, true));
    if (!c) {
        return -ENOMEM;
    }
    uint8_t *pl = c->rec + SPOOL_JREC_HDR;
    c->closing = f;
    c->spoolid = f->id;
    c->sync = sync;
    c->cb = done;
    c->cbarg = arg;

    pthread_mutex_lock(&sp->lock);
    rc = spool_commit_admit(sp, false);
    struct spool_q *q = rc == 0 ? spool_queue_get(sp, owner, queue, true) : NULL;
    if (rc == 0 && !q) {
        rc = -ENOMEM;
    }
    if (rc < 0) {
        pthread_mutex_unlock(&sp->lock);
        spool_commit_free(c);
        goto fail;
    }
    f->order = ++sp->order_tail;
    f->state = SPOOL_FS_PENDING;
    spool_queue_append(q, f);
    spool_put32(pl, sp->next_id);
    spool_put64(pl + 8, sp->next_serial);
    spool_fmt_file_put(pl + 16, f, true);
    sp->nwriters--;
    spool_commit_submit(sp, c);
    if (!sync) {
        pthread_mutex_unlock(&sp->lock);
        writer_free(w);
        return 0;
    }
    rc = spool_commit_wait(sp, c);
    pthread_mutex_unlock(&sp->lock);
    if (rc == 0 && spoolid) {
        *spoolid = c->spoolid;
    }
    spool_commit_free(c);
    writer_free(w);
    return rc;

fail:
    /* -EIO consumes the writer (the file is lost); anything else leaves it
     * to the caller. */
    if (rc == -EIO) {
        spool_writer_discard(w);
    }
    return rc;
}

int
spool_writer_close(struct spool_writer *w, const char *to, uint32_t *spoolid)
{
    return close_common(w, to, true, NULL, NULL, spoolid);
}

int
spool_writer_close_async(struct spool_writer *w, const char *to,
                         void (*done)(void *arg, int rc, uint32_t spoolid), void *arg)
{
    return close_common(w, to, false, done, arg, NULL);
}

void
spool_writer_discard(struct spool_writer *w)
{
    if (!w) {
        return;
    }
    struct spool *sp = w->sp;
    pthread_mutex_lock(&sp->lock);
    spool_id_remove(sp, w->f);
    sp->nwriters--;
    spool_file_kill(sp, w->f); /* the cleaner punches its chunks */
    pthread_mutex_unlock(&sp->lock);
    writer_free(w);
}
