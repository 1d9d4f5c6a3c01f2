// SPDX-License-Identifier: MIT
/*
 * spool/reader.c - reading closed files: cursors (records of one file in
 * order) and the virtual reader device behind DIAG 0x014, which picks files
 * from its user's reader queue: of its class (or any, class '*'), not held,
 * in queue order.
 *
 * A cursor holds a reference on its file: the file's chunks are immutable
 * once closed, so reading needs no lock, and a purge while it is open only
 * takes the file out of its queue; the records go when the last cursor
 * closes.  Each chunk is checked (crc32c of header and payload, record
 * framing, the file's spoolid and serial) before any record of it is
 * delivered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool/spoolint.h"
#include "vmrv/diag.h"

struct spool_cursor {
    struct spool *sp;
    struct spool_file *f;
    uint32_t ei; /* current extent */
    bool loaded; /* chunk[] holds extent ei, checked */
    uint8_t *chunk;
    size_t cap;
    size_t at; /* offset in chunk of the next record */
    uint32_t ri; /* records of this chunk already read */
};

/* A cursor on f, taking a reference (sp->lock held).  NULL if no memory. */
struct spool_cursor *
spool_cursor_attach(struct spool *sp, struct spool_file *f)
{
    struct spool_cursor *c = calloc(1, sizeof *c);
    if (c) {
        c->sp = sp;
        c->f = f;
        f->refs++;
        sp->ncursors++;
    }
    return c;
}

int
spool_cursor_open(struct spool *sp, uint32_t spoolid, const char *owner,
                  struct spool_cursor **out)
{
    *out = NULL;
    char own[SPOOL_USERID_MAX + 1];
    if (owner && spool_check_userid(owner, own) < 0) {
        return -EINVAL;
    }
    pthread_mutex_lock(&sp->lock);
    struct spool_file *f = spool_id_find(sp, spoolid);
    int rc = 0;
    if (!f || f->state != SPOOL_FS_QUEUED || (owner && strcmp(f->owner, own) != 0)) {
        rc = -ENOENT;
    } else if (!(*out = spool_cursor_attach(sp, f))) {
        rc = -ENOMEM;
    }
    pthread_mutex_unlock(&sp->lock);
    return rc;
}

int
spool_cursor_next(struct spool_cursor *c, void *buf, size_t cap, size_t *len)
{
    struct spool_file *f = c->f;
    for (;;) {
        if (c->ei >= f->next) {
            return -ENODATA;
        }
        struct spool_extent *e = &f->ext[c->ei];
        if (!c->loaded) {
            if (e->len > c->cap) {
                uint8_t *nb = realloc(c->chunk, e->len);
                if (!nb) {
                    return -ENOMEM;
                }
                c->chunk = nb;
                c->cap = e->len;
            }
            uint32_t plen;
            if (spool_seg_read_chunk(e, c->chunk) < 0 ||
                spool_fmt_chunk_check(c->chunk, f, e, &plen) < 0) {
                spool_log(c->sp, SPOOL_LOG_ERROR,
                          "spool: file %u: chunk %u unreadable or torn (checksum)", f->id, c->ei);
                return -EIO;
            }
            c->loaded = true;
            c->at = SPOOL_CHUNK_HDR;
            c->ri = 0;
        }
        if (c->ri < e->nrec) {
            size_t rlen = spool_get16(c->chunk + c->at);
            memcpy(buf, c->chunk + c->at + 2, rlen < cap ? rlen : cap);
            *len = rlen;
            c->at += 2 + rlen;
            c->ri++;
            return 0;
        }
        c->ei++;
        c->loaded = false;
    }
}

int
spool_cursor_restart(struct spool_cursor *c)
{
    if (c->ei == 0 && c->loaded) {
        c->at = SPOOL_CHUNK_HDR;
        c->ri = 0;
    } else {
        c->ei = 0;
        c->loaded = false;
    }
    return 0;
}

struct spool_file *
spool_cursor_file(struct spool_cursor *c)
{
    return c->f;
}

uint32_t
spool_cursor_spoolid(const struct spool_cursor *c)
{
    return c->f->id;
}

void
spool_cursor_close(struct spool_cursor *c)
{
    if (!c) {
        return;
    }
    struct spool *sp = c->sp;
    pthread_mutex_lock(&sp->lock);
    struct spool_file *f = c->f;
    sp->ncursors--;
    if (--f->refs == 0 && f->state == SPOOL_FS_PURGED && f->purge_durable) {
        spool_file_kill(sp, f);
    }
    pthread_mutex_unlock(&sp->lock);
    free(c->chunk);
    free(c);
}

/* ---- the virtual reader (DIAG 0x014) ------------------------------------ */

struct spool_reader {
    struct spool *sp;
    char user[SPOOL_USERID_MAX + 1];
    uint8_t spclass; /* '*' or a class */
    struct spool_cursor *cur;
};

static int
reader_class(char in, uint8_t *out)
{
    if (in == '*') {
        *out = '*';
        return 0;
    }
    return spool_check_class(in, out);
}

int
spool_reader_open(struct spool *sp, const char *userid, char spclass, struct spool_reader **out)
{
    *out = NULL;
    struct spool_reader *r = calloc(1, sizeof *r);
    if (!r) {
        return -ENOMEM;
    }
    if (spool_check_userid(userid, r->user) < 0 || reader_class(spclass, &r->spclass) < 0) {
        free(r);
        return -EINVAL;
    }
    r->sp = sp;
    pthread_mutex_lock(&sp->lock);
    sp->nreaders++;
    pthread_mutex_unlock(&sp->lock);
    *out = r;
    return 0;
}

int
spool_reader_set_class(struct spool_reader *r, char spclass)
{
    return reader_class(spclass, &r->spclass);
}

/* The first file this reader may take (sp->lock held), or NULL. */
static struct spool_file *
eligible(struct spool_reader *r)
{
    struct spool_q *q = spool_queue_get(r->sp, r->user, SPOOL_Q_RDR, false);
    for (struct spool_file *f = q ? q->head : NULL; f; f = f->qnext) {
        if (f->state == SPOOL_FS_QUEUED && f->hold == 0 &&
            (r->spclass == '*' || f->spclass == r->spclass)) {
            return f;
        }
    }
    return NULL;
}

/* File spoolid in this reader's queue (sp->lock held), or NULL. */
static struct spool_file *
in_reader(struct spool_reader *r, uint32_t spoolid)
{
    struct spool_file *f = spool_id_find(r->sp, spoolid);
    if (f && f->state == SPOOL_FS_QUEUED && f->queue == SPOOL_Q_RDR &&
        strcmp(f->owner, r->user) == 0) {
        return f;
    }
    return NULL;
}

int
spool_reader_next(struct spool_reader *r, void *buf, size_t cap, size_t *len, uint32_t *spoolid)
{
    if (!r->cur) {
        pthread_mutex_lock(&r->sp->lock);
        struct spool_file *f = eligible(r);
        int rc = f ? 0 : -ENOENT;
        if (f && !(r->cur = spool_cursor_attach(r->sp, f))) {
            rc = -ENOMEM;
        }
        pthread_mutex_unlock(&r->sp->lock);
        if (rc < 0) {
            return rc;
        }
    }
    if (spoolid) {
        *spoolid = r->cur->f->id;
    }
    return spool_cursor_next(r->cur, buf, cap, len);
}

int
spool_reader_select(struct spool_reader *r, uint32_t spoolid)
{
    pthread_mutex_lock(&r->sp->lock);
    struct spool_file *f = in_reader(r, spoolid);
    struct spool_cursor *c = NULL;
    int rc = !f ? -ENOENT : f->hold ? -EBUSY : 0;
    if (rc == 0 && !(c = spool_cursor_attach(r->sp, f))) {
        rc = -ENOMEM;
    }
    pthread_mutex_unlock(&r->sp->lock);
    if (rc == 0) {
        spool_cursor_close(r->cur);
        r->cur = c;
    }
    return rc;
}

int
spool_reader_restart(struct spool_reader *r)
{
    return r->cur ? spool_cursor_restart(r->cur) : -ENOENT;
}

static void
pad_copy(char *dst, const char *src, size_t n)
{
    size_t l = strnlen(src, n);
    memcpy(dst, src, l);
    memset(dst + l, ' ', n - l);
}

static const char *const dev_names[] = {
    [SPOOL_DEV_RDR] = "RDR ", [SPOOL_DEV_PUN] = "PUN ", [SPOOL_DEV_PRT] = "PRT ",
    [SPOOL_DEV_CON] = "CON "};

int
spool_reader_describe(struct spool_reader *r, uint32_t spoolid, struct diag_spool_desc *d)
{
    pthread_mutex_lock(&r->sp->lock);
    struct spool_file *f;
    if (spoolid) {
        f = in_reader(r, spoolid);
    } else {
        f = r->cur ? r->cur->f : eligible(r);
    }
    if (!f) {
        pthread_mutex_unlock(&r->sp->lock);
        return -ENOENT;
    }
    memset(d, 0, sizeof *d);
    d->spoolid = f->id;
    d->records = f->records > UINT32_MAX ? UINT32_MAX : (uint32_t)f->records;
    pad_copy(d->origin, f->origin, sizeof d->origin);
    pad_copy(d->fname, f->fname, sizeof d->fname);
    pad_copy(d->ftype, f->ftype, sizeof d->ftype);
    memcpy(d->devtype, dev_names[f->dev], sizeof d->devtype);
    d->spclass = (char)f->spclass;
    d->hold = (f->hold & SPOOL_HOLD_SYSTEM) ? 'S' : (f->hold & SPOOL_HOLD_USER) ? 'U' : ' ';
    d->copies = f->copies;
    d->created_us = f->created_us;
    pad_copy(d->dist, f->dist, sizeof d->dist);
    pad_copy(d->form, f->form, sizeof d->form);
    pthread_mutex_unlock(&r->sp->lock);
    return 0;
}

int
spool_reader_close_file(struct spool_reader *r, bool purge)
{
    if (!r->cur) {
        return -ENOENT;
    }
    int rc = 0;
    if (purge) {
        rc = spool_purge_one(r->sp, r->cur->f, r->user, NULL, NULL);
        if (rc == -ENOENT) {
            rc = 0; /* already purged or moved away by someone else */
        }
    }
    spool_cursor_close(r->cur);
    r->cur = NULL;
    return rc;
}

int
spool_reader_purge_async(struct spool_reader *r, spool_done_fn done, void *arg)
{
    if (!r->cur) {
        return -ENOENT;
    }
    if (!done) {
        return -EINVAL;
    }
    /* The file leaves the queue now; the cursor may close at once: the
     * records of a purged file go only when the purge is durable too. */
    int rc = spool_purge_one(r->sp, r->cur->f, r->user, done, arg);
    if (rc == -ENOENT) {
        rc = 1; /* already purged or moved away by someone else */
    }
    spool_cursor_close(r->cur);
    r->cur = NULL;
    return rc;
}

uint32_t
spool_reader_current(const struct spool_reader *r)
{
    return r->cur ? r->cur->f->id : 0;
}

void
spool_reader_free(struct spool_reader *r)
{
    if (!r) {
        return;
    }
    spool_cursor_close(r->cur);
    pthread_mutex_lock(&r->sp->lock);
    r->sp->nreaders--;
    pthread_mutex_unlock(&r->sp->lock);
    free(r);
}
