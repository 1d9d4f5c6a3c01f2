// SPDX-License-Identifier: MIT
/*
 * spool/commit.c - group commit and checkpoints, on the store's committer
 * thread, with its two helpers, the syncer and the cleaner.
 *
 * A caller that changes the spool (close, purge, transfer, change, order,
 * hold) applies the change in memory and queues its journal record in the
 * same hold of sp->lock, so the journal's order is the order of the changes.
 * The committer takes everything queued at that moment as one group:
 *
 *   1. asks the syncer thread to fdatasync every data log segment written
 *      since its last sync (only when the group holds a CLOSE), and at the
 *      same time
 *   2. appends the group's records to the journal in one write, then one
 *      fdatasync, and waits for the syncer: the group is durable when both
 *      syncs are done (running them at once halves a close's latency);
 *   3. makes closed files visible (PENDING -> QUEUED), wakes the waiting
 *      callers, runs async callbacks and arrival notices (no lock held);
 *   4. now and then writes a checkpoint and starts a new journal.
 *
 * A third thread, the cleaner, punches out the records of dead files and
 * deletes empty segments, so that freeing space never delays a commit.
 *
 * So one pair of fdatasyncs serves every caller that was waiting when the
 * group was taken, and the callers that arrive meanwhile form the next
 * group.  Because the two syncs overlap, a crash (power loss) in the middle
 * can leave a CLOSE record on disk whose records are not: recovery checks
 * the records of every file closed since the last checkpoint and drops
 * such a file.  Its close had not returned; every earlier group was wholly
 * durable before this one began.
 *
 * The journal is preallocated ahead; when it cannot grow (host disk full)
 * changes that do not free space are refused with -ENOSPC before they are
 * applied.  A failed write or fdatasync means nobody knows what is on
 * disk: the store turns "broken" and refuses every change with -EIO until it
 * is reopened (recovery then finds the truth).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool/spoolint.h"

#define BATCH_MAX (4u << 20) /* journal bytes in one group, at most */
#define JOURNAL_STEP (1u << 20) /* preallocation step */
#define JOURNAL_HEADROOM (512u << 10) /* kept free for purges when full */

void
spool_journal_name(char *buf, size_t n, uint64_t gen)
{
    snprintf(buf, n, "journal.%016llx", (unsigned long long)gen);
}

static int
write_full(int fd, const uint8_t *p, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -errno;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

/* Grows the journal's allocation to at least `want` bytes.  0, -ENOSPC, or
 * 0 with *alloc = UINT64_MAX where the file system cannot preallocate. */
static int
journal_prealloc(int fd, uint64_t *alloc, uint64_t want)
{
    if (*alloc >= want) {
        return 0;
    }
    uint64_t to = (want + JOURNAL_STEP - 1) / JOURNAL_STEP * JOURNAL_STEP;
    if (fallocate(fd, 0, (off_t)*alloc, (off_t)(to - *alloc)) < 0) {
        if (errno == EOPNOTSUPP) {
            *alloc = UINT64_MAX;
            return 0;
        }
        return errno == EDQUOT ? -ENOSPC : -errno;
    }
    *alloc = to;
    return 0;
}

int
spool_journal_create(struct spool *sp, uint64_t gen, int *fd, uint64_t *alloc)
{
    char name[40];
    spool_journal_name(name, sizeof name, gen);
    *fd = openat(sp->dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (*fd < 0) {
        return errno == EDQUOT ? -ENOSPC : -errno;
    }
    *alloc = 0;
    int rc = journal_prealloc(*fd, alloc, JOURNAL_STEP);
    if (rc < 0) {
        close(*fd);
        unlinkat(sp->dirfd, name, 0);
        *fd = -1;
    }
    return rc;
}

/* ---- queueing changes (callers, sp->lock held) --------------------------- */

/* May a change be queued?  0, the broken store's error, or -ENOSPC when the
 * journal cannot grow (changes that free space are still let through). */
int
spool_commit_admit(struct spool *sp, bool frees_space)
{
    if (sp->broken) {
        return sp->broken;
    }
    if (sp->stop) {
        return -EIO;
    }
    return sp->jfull && !frees_space ? -ENOSPC : 0;
}

struct spool_commit *
spool_commit_new(enum spool_jtype type, size_t plen)
{
    struct spool_commit *c = calloc(1, sizeof *c);
    if (c) {
        c->rec = spool_fmt_jrec_new(type, plen, &c->len);
        if (!c->rec) {
            free(c);
            c = NULL;
        }
    }
    return c;
}

void
spool_commit_free(struct spool_commit *c)
{
    if (c) {
        free(c->rec);
        free(c->purged);
        free(c->arrivals);
        free(c);
    }
}

void
spool_commit_submit(struct spool *sp, struct spool_commit *c)
{
    c->next = NULL;
    if (sp->cq_tail) {
        sp->cq_tail->next = c;
    } else {
        sp->cq_head = c;
    }
    sp->cq_tail = c;
    pthread_cond_signal(&sp->cq_cond);
}

/* Waits (sp->lock held) until c is durable or failed; returns its rc. */
int
spool_commit_wait(struct spool *sp, struct spool_commit *c)
{
    while (!c->done) {
        pthread_cond_wait(&sp->done_cond, &sp->lock);
    }
    return c->rc;
}

/* f is dead (a discarded writer, or a durable purge nobody reads): its
 * space no longer counts; the committer will punch out its records and free
 * it.  sp->lock held. */
void
spool_file_kill(struct spool *sp, struct spool_file *f)
{
    atomic_fetch_sub(&sp->used, spool_file_usage(f)); /* free for writers now */
    f->dnext = sp->dead;
    sp->dead = f;
    pthread_cond_signal(&sp->clean_cond);
}

/* ---- the committer ------------------------------------------------------ */

static void
set_broken(struct spool *sp, int rc, const char *what)
{
    pthread_mutex_lock(&sp->lock);
    if (!sp->broken) {
        sp->broken = -EIO;
    }
    pthread_mutex_unlock(&sp->lock);
    spool_log(sp, SPOOL_LOG_ERROR, "spool: %s failed (%s); no more changes until restart", what,
              strerror(-rc));
}

/* The syncer thread: one data log sync per request. */
static void *
syncer_main(void *arg)
{
    struct spool *sp = arg;
    pthread_mutex_lock(&sp->sync_mu);
    for (;;) {
        while (!sp->sync_req && !sp->sync_stop) {
            pthread_cond_wait(&sp->sync_cv, &sp->sync_mu);
        }
        if (!sp->sync_req) {
            break;
        }
        sp->sync_req = false;
        pthread_mutex_unlock(&sp->sync_mu);
        int rc = spool_fault(sp, SPOOL_FAULT_DATA_SYNC);
        if (rc == 0) {
            rc = spool_seg_sync_dirty(sp);
        }
        pthread_mutex_lock(&sp->sync_mu);
        sp->sync_rc = rc;
        sp->sync_done = true;
        pthread_cond_broadcast(&sp->sync_cv);
    }
    pthread_mutex_unlock(&sp->sync_mu);
    return NULL;
}

static void
data_sync_start(struct spool *sp)
{
    pthread_mutex_lock(&sp->sync_mu);
    sp->sync_req = true;
    sp->sync_done = false;
    pthread_cond_broadcast(&sp->sync_cv);
    pthread_mutex_unlock(&sp->sync_mu);
}

static int
data_sync_wait(struct spool *sp)
{
    pthread_mutex_lock(&sp->sync_mu);
    while (!sp->sync_done) {
        pthread_cond_wait(&sp->sync_cv, &sp->sync_mu);
    }
    int rc = sp->sync_rc;
    pthread_mutex_unlock(&sp->sync_mu);
    return rc;
}

static int journal_append(struct spool *sp, struct spool_commit *batch);

/* Steps 1 and 2: makes the group durable.  0 or -EIO. */
static int
batch_write(struct spool *sp, struct spool_commit *batch, bool has_close)
{
    if (has_close) {
        data_sync_start(sp);
    }
    int rc = journal_append(sp, batch);
    int drc = has_close ? data_sync_wait(sp) : 0;
    if (rc == 0 && drc < 0) {
        set_broken(sp, drc, "fdatasync of the data log");
        rc = -EIO;
    }
    return rc;
}

/* Step 2: the group's records into the journal, durably.  0 or -EIO. */
static int
journal_append(struct spool *sp, struct spool_commit *batch)
{
    int rc = 0;
    size_t total = 0;
    for (struct spool_commit *c = batch; c; c = c->next) {
        total += c->len;
    }
    uint8_t *buf = malloc(total);
    if (!buf) {
        set_broken(sp, -ENOMEM, "journal buffer");
        return -EIO;
    }
    size_t at = 0;
    for (struct spool_commit *c = batch; c; c = c->next) {
        spool_fmt_jrec_seal(c->rec, c->len, ++sp->jseq);
        memcpy(buf + at, c->rec, c->len);
        at += c->len;
    }
    /* Normally inside the preallocation; if not, try to grow first. */
    (void)journal_prealloc(sp->jfd, &sp->jalloc, sp->jpos + total);
    size_t half = total / 2;
    rc = write_full(sp->jfd, buf, half, sp->jpos);
    if (rc == 0) {
        rc = spool_fault(sp, SPOOL_FAULT_JOURNAL_HALF);
    }
    if (rc == 0) {
        rc = write_full(sp->jfd, buf + half, total - half, sp->jpos + half);
    }
    free(buf);
    if (rc == 0) {
        rc = spool_fault(sp, SPOOL_FAULT_JOURNAL_SYNC);
    }
    if (rc == 0) {
        rc = fdatasync(sp->jfd) < 0 ? -errno : 0;
    }
    if (rc < 0) {
        set_broken(sp, rc, "journal write");
        return -EIO;
    }
    (void)spool_fault(sp, SPOOL_FAULT_COMMITTED);
    sp->jpos += total;
    sp->jbytes_since_ckpt += total;
    if (sp->jalloc != UINT64_MAX && sp->jalloc - sp->jpos < JOURNAL_HEADROOM) {
        bool full = journal_prealloc(sp->jfd, &sp->jalloc, sp->jpos + 2 * JOURNAL_HEADROOM) < 0;
        pthread_mutex_lock(&sp->lock);
        if (full && !sp->jfull) {
            spool_log(sp, SPOOL_LOG_WARNING, "spool: journal cannot grow; host disk full");
        }
        sp->jfull = full;
        pthread_mutex_unlock(&sp->lock);
    }
    return 0;
}

struct notices {
    struct spool_info *arr;
    size_t n, cap;
    struct spool_commit *async, **async_tail; /* in submission order */
};

static void
notice_add(struct notices *nt, const struct spool_info *in, size_t n)
{
    if (n == 0) {
        return;
    }
    if (nt->n + n > nt->cap) {
        size_t cap = nt->cap ? nt->cap * 2 : 64;
        while (cap < nt->n + n) {
            cap *= 2;
        }
        struct spool_info *a = realloc(nt->arr, cap * sizeof *a);
        if (!a) {
            return; /* a lost notice: the file is there all the same */
        }
        nt->arr = a;
        nt->cap = cap;
    }
    memcpy(nt->arr + nt->n, in, n * sizeof *in);
    nt->n += n;
}

/* Step 3 under sp->lock: the group's outcome.  Sync entries belong to their
 * waiters once done is set; async ones move to nt->async. */
static void
batch_finish(struct spool *sp, struct spool_commit *batch, int rc, struct notices *nt)
{
    if (rc == 0) {
        sp->groups++;
    }
    while (batch) {
        struct spool_commit *c = batch;
        batch = c->next;
        struct spool_file *f = c->closing;
        if (rc == 0) {
            sp->commits++;
            if (f) {
                f->state = SPOOL_FS_QUEUED;
                sp->nqueued++;
                sp->data_since_ckpt += spool_file_usage(f);
                if (f->queue == SPOOL_Q_RDR) {
                    struct spool_info in;
                    spool_info_fill(f, &in);
                    notice_add(nt, &in, 1);
                }
            }
            for (size_t i = 0; i < c->npurged; i++) {
                c->purged[i]->purge_durable = true;
                if (c->purged[i]->refs == 0) {
                    spool_file_kill(sp, c->purged[i]);
                }
            }
            notice_add(nt, c->arrivals, c->narrivals);
        } else if (f) {
            /* Unknown whether it reached the disk: forget it here, touch
             * nothing there (recovery decides). */
            spool_queue_unlink(f);
            spool_id_remove(sp, f);
            atomic_fetch_sub(&sp->used, spool_file_usage(f));
            spool_file_free(f);
        }
        c->rc = rc;
        c->done = true;
        if (!c->sync) {
            c->next = NULL;
            *nt->async_tail = c;
            nt->async_tail = &c->next;
        }
    }
    pthread_cond_broadcast(&sp->done_cond);
}

/* The cleaner thread: dead files lose their records, empty segments go.
 * In a broken store nothing is punched (what is on disk is unknown). */
static void *
cleaner_main(void *arg)
{
    struct spool *sp = arg;
    spool_seg_trim(sp); /* garbage left by the last run */
    pthread_mutex_lock(&sp->lock);
    for (;;) {
        while (!sp->dead && !sp->clean_stop) {
            pthread_cond_wait(&sp->clean_cond, &sp->lock);
        }
        if (!sp->dead) {
            break;
        }
        struct spool_file *dead = sp->dead;
        sp->dead = NULL;
        bool punch = !sp->broken;
        pthread_mutex_unlock(&sp->lock);
        while (dead) {
            struct spool_file *f = dead;
            dead = f->dnext;
            if (punch) {
                spool_seg_release(sp, f->ext, f->next);
            }
            spool_file_free(f);
        }
        if (punch) {
            spool_seg_reap(sp);
        }
        pthread_mutex_lock(&sp->lock);
    }
    pthread_mutex_unlock(&sp->lock);
    return NULL;
}

static void
maybe_checkpoint(struct spool *sp)
{
    if (sp->broken || (sp->jbytes_since_ckpt < sp->ckpt_bytes &&
                       sp->data_since_ckpt < 16 * sp->ckpt_bytes)) {
        return;
    }
    if (spool_mono_ms() < sp->ckpt_retry_ms) {
        return;
    }
    int rc = spool_checkpoint_write(sp);
    if (rc < 0 && !sp->broken) {
        spool_log(sp, SPOOL_LOG_WARNING, "spool: checkpoint failed (%s); retrying later",
                  strerror(-rc));
        sp->ckpt_retry_ms = spool_mono_ms() + 1000;
    }
}

static void *
committer_main(void *arg)
{
    struct spool *sp = arg;
    pthread_mutex_lock(&sp->lock);
    for (;;) {
        while (!sp->cq_head && !sp->stop) {
            pthread_cond_wait(&sp->cq_cond, &sp->lock);
        }
        if (!sp->cq_head) {
            break; /* stop, and nothing left to do */
        }
        /* Take the group: everything queued now (up to BATCH_MAX bytes). */
        struct spool_commit *batch = sp->cq_head, *last = NULL;
        size_t bytes = 0;
        bool has_close = false;
        for (struct spool_commit *c = batch; c && (!last || bytes + c->len <= BATCH_MAX);
             c = c->next) {
            bytes += c->len;
            has_close |= c->closing != NULL;
            last = c;
        }
        if (last) {
            sp->cq_head = last->next;
            if (!sp->cq_head) {
                sp->cq_tail = NULL;
            }
            last->next = NULL;
        }
        int rc = sp->broken;
        pthread_mutex_unlock(&sp->lock);

        if (rc == 0) {
            rc = batch_write(sp, batch, has_close);
        }
        struct notices nt = {0};
        nt.async_tail = &nt.async;
        pthread_mutex_lock(&sp->lock);
        batch_finish(sp, batch, rc, &nt);
        pthread_mutex_unlock(&sp->lock);

        for (size_t i = 0; i < nt.n && sp->cfg.arrival; i++) {
            sp->cfg.arrival(sp->cfg.cb_arg, &nt.arr[i]);
        }
        free(nt.arr);
        while (nt.async) {
            struct spool_commit *c = nt.async;
            nt.async = c->next;
            uint32_t id = c->rc == 0 ? c->spoolid : 0;
            if (c->cb) {
                c->cb(c->cbarg, c->rc, id);
            }
            spool_commit_free(c);
        }
        maybe_checkpoint(sp);
        pthread_mutex_lock(&sp->lock);
    }
    pthread_mutex_unlock(&sp->lock);
    return NULL;
}

static void
syncer_stop(struct spool *sp)
{
    pthread_mutex_lock(&sp->sync_mu);
    sp->sync_stop = true;
    pthread_cond_broadcast(&sp->sync_cv);
    pthread_mutex_unlock(&sp->sync_mu);
    pthread_join(sp->syncer, NULL);
}

static void
cleaner_stop(struct spool *sp)
{
    pthread_mutex_lock(&sp->lock);
    sp->clean_stop = true;
    pthread_cond_signal(&sp->clean_cond);
    pthread_mutex_unlock(&sp->lock);
    pthread_join(sp->cleaner, NULL);
}

/* Starts the syncer, the cleaner and the committer.  0 or -errno. */
int
spool_commit_start(struct spool *sp)
{
    int rc = pthread_create(&sp->syncer, NULL, syncer_main, sp);
    if (rc != 0) {
        return -rc;
    }
    rc = pthread_create(&sp->cleaner, NULL, cleaner_main, sp);
    if (rc != 0) {
        syncer_stop(sp);
        return -rc;
    }
    rc = pthread_create(&sp->thread, NULL, committer_main, sp);
    if (rc != 0) {
        cleaner_stop(sp);
        syncer_stop(sp);
        return -rc;
    }
    sp->thread_started = true;
    return 0;
}

/* Finishes everything queued and cleans up, then stops the threads. */
void
spool_commit_stop(struct spool *sp)
{
    if (!sp->thread_started) {
        return;
    }
    pthread_mutex_lock(&sp->lock);
    sp->stop = true;
    pthread_cond_signal(&sp->cq_cond);
    pthread_mutex_unlock(&sp->lock);
    pthread_join(sp->thread, NULL);
    cleaner_stop(sp); /* after the committer: it may still kill files */
    syncer_stop(sp);
    sp->thread_started = false;
}

/* ---- checkpoints -------------------------------------------------------- */

/* Writes every closed file's metadata to a new checkpoint and starts the
 * journal generation after it; the old journal goes.  Runs on the committer
 * (or at open and close, when no committer runs).  On failure before the
 * rename nothing changed; after it, the store is broken.  0 or -errno. */
int
spool_checkpoint_write(struct spool *sp)
{
    uint64_t gen = sp->gen + 1;
    int nfd;
    uint64_t nalloc;
    int rc = spool_journal_create(sp, gen, &nfd, &nalloc);
    if (rc < 0) {
        return rc;
    }
    struct spool_buf b = {0};
    pthread_mutex_lock(&sp->lock);
    rc = spool_fmt_ckpt_build(sp, gen, &b);
    pthread_mutex_unlock(&sp->lock);
    int fd = -1;
    if (rc == 0) {
        fd = openat(sp->dirfd, "checkpoint.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        rc = fd < 0 ? -errno : write_full(fd, b.p, b.len, 0);
    }
    if (rc == 0 && fdatasync(fd) < 0) {
        rc = -errno;
    }
    if (fd >= 0) {
        close(fd);
    }
    spool_buf_free(&b);
    if (rc == 0) {
        rc = spool_fault(sp, SPOOL_FAULT_CHECKPOINT);
    }
    if (rc == 0 && renameat(sp->dirfd, "checkpoint.tmp", sp->dirfd, "checkpoint") < 0) {
        rc = -errno;
    }
    char name[40];
    if (rc < 0) {
        close(nfd);
        spool_journal_name(name, sizeof name, gen);
        unlinkat(sp->dirfd, name, 0);
        unlinkat(sp->dirfd, "checkpoint.tmp", 0);
        return rc == -EDQUOT ? -ENOSPC : rc;
    }
    if (fsync(sp->dirfd) < 0) {
        rc = -errno;
        close(nfd);
        set_broken(sp, rc, "checkpoint rename");
        return -EIO;
    }
    if (sp->jfd >= 0) {
        close(sp->jfd);
        spool_journal_name(name, sizeof name, sp->gen);
        unlinkat(sp->dirfd, name, 0);
    }
    sp->jfd = nfd;
    sp->gen = gen;
    sp->jpos = 0;
    sp->jalloc = nalloc;
    sp->jseq = 0;
    sp->jbytes_since_ckpt = 0;
    sp->data_since_ckpt = 0;
    pthread_mutex_lock(&sp->lock);
    sp->checkpoints++;
    sp->jfull = false;
    pthread_mutex_unlock(&sp->lock);
    return 0;
}
