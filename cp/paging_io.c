// SPDX-License-Identifier: MIT
/*
 * cp/paging_io.c - the pager threads of CP paging (cp/paging_int.h): they
 * read pages back for VMs in page wait (paging_read_async) and write stolen
 * pages to the paging file, so that neither a VM's dispatcher thread nor
 * the stealer (cp/paging.c, under pg_lock) ever waits for the disk.
 *
 * Page-outs.  The stealer takes a dirty page's frame out of its stor and
 * hands it here as the buffer of its write (pgo_queue): the page is out at
 * once, and the frame goes back to the free pool only when its bytes are on
 * the file.  One record per slot with a write in flight:
 *
 *     queued --(a pager picks it)--> writing --(landed)--> gone, frame freed
 *       ^  |                           |  \--(newer queued)--> queued again
 *       |  (slot freed: dropped)       |  \--(error)--> queued, retry later
 *       |                              \--(slot freed)--> gone, slot freed
 *       \-- a newer write of the slot replaces the frame
 *
 * So: a page-in of a page whose write is pending copies the newest buffer
 * (the write goes on): it never reads a half-written slot;
 * writes of one slot run one at a time, in order (a newer one waits in
 * `newer`); a slot freed while written stays taken until the write has
 * landed; a write that fails (EIO, ENOSPC, EFBIG) keeps its buffer and is
 * retried with a growing delay, the operator told once, so no page is lost.
 * Frames in flight are capped (pgo_cap, a quarter of the real storage limit
 * within [16, 1024]): at the cap the stealer leaves dirty pages resident and
 * waits at most a little for room outside every lock (never while writes
 * fail), so memory stays bounded and nothing waits in a cycle.
 *
 * Records of slots with consecutive numbers are written together (pwritev):
 * stolen pages get consecutive slots, so a burst of steals is a few writes.
 * Reads for page wait go before writes (a VM waits for them).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cp/paging.h"
#include "cp/paging_int.h"
#include "cp/stor_frame.h"

#define PG_PAGERS 2
#define PG_READ_AHEAD 7 /* pages read after the one a VM waits for */
#define PGO_MAX 1024 /* the largest cap: records are preallocated */
#define PGO_HASH 1024
#define PGO_BATCH 16
#define PGO_RETRY_MIN_NS 10000000ll /* 10 ms, doubling */
#define PGO_RETRY_MAX_NS 1000000000ll

struct pgo_rec {
    uint32_t slot;
    bool writing, freed;
    bool failed; /* its last try failed: counted in pgo_nfailed */
    uint8_t *frame; /* the bytes of the write queued or under way */
    uint8_t *newer; /* queued while frame was being written: next */
    int64_t retry_ns; /* queued after an error: not before then */
    struct pgo_rec *hnext; /* hash chain, or the free list */
    struct pgo_rec *qprev, *qnext; /* the queue (while queued) */
};

struct pg_job {
    struct pg_job *next;
    struct stor *st;
    uint64_t pn;
    void (*done)(void *ctx);
    void *ctx;
};

static pthread_mutex_t pq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pq_cond = PTHREAD_COND_INITIALIZER; /* work for pagers */
static pthread_cond_t pq_room = PTHREAD_COND_INITIALIZER; /* frames went */
static unsigned pq_threads;
static struct pg_job *pq_head, *pq_tail; /* reads */
static struct pgo_rec pgo_pool[PGO_MAX], *pgo_free;
static bool pgo_pool_ready;
static struct pgo_rec *pgo_hash[PGO_HASH];
static struct pgo_rec *pgo_qhead, *pgo_qtail; /* writes, oldest first */
static unsigned pgo_frames, pgo_peak, pgo_cap = 64;
static int64_t pgo_backoff_ns;
static unsigned pgo_nfailed; /* records whose last try failed */
static _Atomic bool pgo_failing_flag; /* pgo_nfailed > 0 */
static bool pgo_told; /* the operator knows: until no write fails */
static void (*_Atomic pq_hook)(void *, uint64_t);
static void *_Atomic pq_hook_ctx;
static int (*_Atomic pgo_hook)(void *, uint32_t);
static void *_Atomic pgo_hook_ctx;

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* the clock of pthread_cond_timedwait */
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static struct timespec
ts_of(int64_t ns)
{
    return (struct timespec){.tv_sec = ns / 1000000000ll, .tv_nsec = ns % 1000000000ll};
}

void
paging_set_read_hook(void (*fn)(void *ctx, uint64_t pn), void *ctx)
{
    atomic_store(&pq_hook_ctx, ctx);
    atomic_store(&pq_hook, fn);
}

void
paging_set_write_hook(int (*fn)(void *ctx, uint32_t slot), void *ctx)
{
    atomic_store(&pgo_hook_ctx, ctx);
    atomic_store(&pgo_hook, fn);
}

void
pgo_set_cap(unsigned frames)
{
    pthread_mutex_lock(&pq_lock);
    pgo_cap = frames < 16 ? 16 : frames > PGO_MAX ? PGO_MAX : frames;
    pthread_mutex_unlock(&pq_lock);
}

bool
pgo_failing(void)
{
    return atomic_load(&pgo_failing_flag);
}

void
pgo_counts(uint64_t *now, uint64_t *peak)
{
    pthread_mutex_lock(&pq_lock);
    *now = pgo_frames;
    *peak = pgo_peak;
    pthread_mutex_unlock(&pq_lock);
}

/* ---- records (under pq_lock) ---------------------------------------------- */

static struct pgo_rec **
rec_bucket(uint32_t slot)
{
    return &pgo_hash[(slot * 2654435761u) % PGO_HASH];
}

static struct pgo_rec *
rec_find(uint32_t slot)
{
    for (struct pgo_rec *r = *rec_bucket(slot); r != NULL; r = r->hnext) {
        if (r->slot == slot) {
            return r;
        }
    }
    return NULL;
}

static void
q_append(struct pgo_rec *r)
{
    r->qnext = NULL;
    r->qprev = pgo_qtail;
    if (pgo_qtail != NULL) {
        pgo_qtail->qnext = r;
    } else {
        pgo_qhead = r;
    }
    pgo_qtail = r;
}

static void
q_unlink(struct pgo_rec *r)
{
    if (r->qprev != NULL) {
        r->qprev->qnext = r->qnext;
    } else {
        pgo_qhead = r->qnext;
    }
    if (r->qnext != NULL) {
        r->qnext->qprev = r->qprev;
    } else {
        pgo_qtail = r->qprev;
    }
    r->qprev = r->qnext = NULL;
}

/* Under pq_lock: r's last try failed (true) or a try landed / r goes. */
static void
rec_failed(struct pgo_rec *r, bool failed)
{
    if (failed != r->failed) {
        r->failed = failed;
        pgo_nfailed += failed ? 1 : -1;
        atomic_store(&pgo_failing_flag, pgo_nfailed > 0);
        if (pgo_nfailed == 0) {
            pgo_told = false; /* a new error is news again */
            pgo_backoff_ns = 0;
        }
    }
}

/* Unhashes r and puts it on the free list (its frames already dealt with). */
static void
rec_release(struct pgo_rec *r)
{
    rec_failed(r, false);
    struct pgo_rec **pp = rec_bucket(r->slot);
    while (*pp != r) {
        pp = &(*pp)->hnext;
    }
    *pp = r->hnext;
    r->hnext = pgo_free;
    pgo_free = r;
}

static void
frames_gone(unsigned n)
{
    pgo_frames -= n;
    pthread_cond_broadcast(&pq_room);
}

/* ---- pager threads -------------------------------------------------------- */

static void
pager_read(struct pg_job *j)
{
    void (*hook)(void *, uint64_t) = atomic_load(&pq_hook);
    if (hook != NULL) {
        hook(atomic_load(&pq_hook_ctx), j->pn);
    }
    stor_pin(j->st);
    struct stor_leaf *l = stor_leaf_get(j->st, j->pn);
    unsigned i = j->pn & (STOR_LEAF_PAGES - 1);
    /* Still out?  (DIAG 0x010 or a CP access may have dealt with it.) */
    if (l != NULL && l->frame[i] == NULL && (l->meta[i] & STOR_M_PAGED)) {
        if (stor_page_in(j->st, j->pn) != NULL) {
            atomic_fetch_add(&pg_n_async, 1);
        }
        /* Read-ahead: the pages after it that are out too (a guest walking
         * its storage, a DIAG buffer, code) come in with it, unreferenced,
         * so the clock takes them first if they are not used. */
        for (uint64_t pn = j->pn + 1; pn < j->pn + 1 + PG_READ_AHEAD && pn < j->st->npages;
             pn++) {
            if (!stor_page_out(j->st, pn) || stor_page_in(j->st, pn) == NULL) {
                break;
            }
            stor_touch_clear(j->st, pn, STOR_M_REF);
            atomic_fetch_add(&pg_n_read_ahead, 1);
        }
        j->st->gen++; /* TLBs refill */
    }
    stor_unpin(j->st);
    j->done(j->ctx);
    free(j);
}

/* Under pq_lock: the first queued write that may go now, or NULL and the
 * time the earliest retry is due in *due (INT64_MAX: none queued). */
static struct pgo_rec *
write_ready(int64_t *due)
{
    int64_t now = 0;
    *due = INT64_MAX;
    for (struct pgo_rec *r = pgo_qhead; r != NULL; r = r->qnext) {
        if (r->retry_ns == 0) {
            return r;
        }
        if (now == 0) {
            now = now_ns();
        }
        if (r->retry_ns <= now) {
            return r;
        }
        if (r->retry_ns < *due) {
            *due = r->retry_ns;
        }
    }
    return NULL;
}

/* Writes a batch of records (marked writing, off the queue) without locks;
 * returns how many landed (a prefix of the batch) and the error of the
 * first that did not. */
static unsigned
write_batch(struct pgo_rec **b, unsigned n, int *err)
{
    unsigned ok = n;
    *err = 0;
    int (*hook)(void *, uint32_t) = atomic_load(&pgo_hook);
    for (unsigned k = 0; hook != NULL && k < n; k++) {
        int e = hook(atomic_load(&pgo_hook_ctx), b[k]->slot);
        if (e != 0) {
            ok = k; /* the failure the test injects, at record k */
            *err = e;
            break;
        }
    }
    struct iovec iov[PGO_BATCH];
    for (unsigned k = 0; k < ok; k++) {
        iov[k] = (struct iovec){.iov_base = b[k]->frame, .iov_len = STOR_PAGE_SIZE};
    }
    unsigned done = 0;
    off_t off = (off_t)b[0]->slot * STOR_PAGE_SIZE;
    while (done < ok) {
        ssize_t w = pwritev(pg_fd, iov + done, (int)(ok - done), off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            *err = w < 0 ? errno : EIO;
            break;
        }
        /* whole pages count; a partial one is written again */
        size_t pages = (size_t)w / STOR_PAGE_SIZE;
        if (pages == 0) {
            *err = EIO;
            break;
        }
        done += (unsigned)pages;
        off += (off_t)pages * STOR_PAGE_SIZE;
    }
    return done;
}

/* Takes the batch's results in: pg_lock and pq_lock held. */
static void
write_finish(struct pgo_rec **b, unsigned n, unsigned landed, int err)
{
    unsigned gone = 0;
    for (unsigned k = 0; k < n; k++) {
        struct pgo_rec *r = b[k];
        r->writing = false;
        if (k < landed) {
            atomic_fetch_add(&pg_n_out, 1);
            rec_failed(r, false);
        }
        if (r->freed) {
            /* the slot was given back meanwhile: nothing more to write */
            stor_frame_free(r->frame);
            stor_frame_free(r->newer);
            gone += 1 + (r->newer != NULL);
            pg_slot_clear_locked(r->slot);
            rec_release(r);
            continue;
        }
        if (k < landed || r->newer != NULL) {
            /* landed, or superseded by a newer write of the same slot */
            stor_frame_free(r->frame);
            gone++;
            r->frame = r->newer;
            r->newer = NULL;
        }
        if (r->frame == NULL) {
            rec_release(r);
            continue;
        }
        r->retry_ns = 0;
        if (k >= landed) {
            if (k == landed) {
                /* the delay grows while any write keeps failing */
                pgo_backoff_ns = pgo_backoff_ns == 0 ? PGO_RETRY_MIN_NS : pgo_backoff_ns * 2;
                if (pgo_backoff_ns > PGO_RETRY_MAX_NS) {
                    pgo_backoff_ns = PGO_RETRY_MAX_NS;
                }
            }
            rec_failed(r, true);
            r->retry_ns = now_ns() + pgo_backoff_ns;
        }
        q_append(r);
    }
    if (landed < n) {
        atomic_fetch_add(&pg_n_err, 1);
        if (!pgo_told) {
            pgo_told = true;
            char text[200];
            snprintf(text, sizeof text,
                     "paging file write error (%s): stolen pages are kept in storage and "
                     "written again later",
                     strerror(err));
            pg_tell(text);
        }
    }
    frames_gone(gone);
}

static void
pager_write(struct pgo_rec *first)
{
    /* under pq_lock: first and the queued records of the slots after it */
    struct pgo_rec *b[PGO_BATCH];
    unsigned n = 0;
    /* a test's hook holds or fails single writes: no batches then */
    unsigned most = atomic_load(&pgo_hook) != NULL ? 1 : PGO_BATCH;
    int64_t now = first->retry_ns != 0 ? now_ns() : 0;
    for (struct pgo_rec *r = first; r != NULL && n < most; r = rec_find(r->slot + 1)) {
        if (r->writing || (r->retry_ns != 0 && r->retry_ns > now)) {
            break;
        }
        q_unlink(r);
        r->writing = true;
        b[n++] = r;
        if (r->slot == UINT32_MAX) {
            break;
        }
    }
    pthread_mutex_unlock(&pq_lock);
    int err = 0;
    unsigned landed = write_batch(b, n, &err);
    pthread_mutex_lock(&pg_lock); /* the lock order: pg_lock, then pq_lock */
    pthread_mutex_lock(&pq_lock);
    write_finish(b, n, landed, err);
    pthread_mutex_unlock(&pg_lock);
}

static void *
pager_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pq_lock);
    for (;;) {
        if (pq_head != NULL) {
            struct pg_job *j = pq_head;
            pq_head = j->next;
            if (pq_head == NULL) {
                pq_tail = NULL;
            }
            pthread_mutex_unlock(&pq_lock);
            pager_read(j);
            pthread_mutex_lock(&pq_lock);
            continue;
        }
        int64_t due;
        struct pgo_rec *r = write_ready(&due);
        if (r != NULL) {
            pager_write(r); /* returns with pq_lock held again */
            continue;
        }
        if (due == INT64_MAX) {
            pthread_cond_wait(&pq_cond, &pq_lock);
        } else {
            struct timespec ts = ts_of(due);
            pthread_cond_timedwait(&pq_cond, &pq_lock, &ts);
        }
    }
    return NULL;
}

/* Under pq_lock: starts the pagers on first use (they sleep while nothing
 * pages).  false: not one could be started. */
static bool
pagers_locked(void)
{
    while (pq_threads < PG_PAGERS) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        int e = pthread_create(&t, &a, pager_main, NULL);
        pthread_attr_destroy(&a);
        if (e != 0) {
            break;
        }
        pq_threads++;
    }
    return pq_threads > 0;
}

int
paging_read_async(struct stor *st, uint64_t pn, void (*done)(void *ctx), void *ctx)
{
    struct pg_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        return -ENOMEM;
    }
    j->st = st;
    j->pn = pn;
    j->done = done;
    j->ctx = ctx;
    pthread_mutex_lock(&pq_lock);
    if (!pagers_locked()) {
        pthread_mutex_unlock(&pq_lock);
        free(j);
        return -EAGAIN;
    }
    if (pq_tail != NULL) {
        pq_tail->next = j;
    } else {
        pq_head = j;
    }
    pq_tail = j;
    pthread_cond_signal(&pq_cond);
    pthread_mutex_unlock(&pq_lock);
    return 0;
}

/* ---- the stealer's and the page-in's side --------------------------------- */

int
pgo_queue(uint32_t slot, uint8_t *frame)
{
    pthread_mutex_lock(&pq_lock);
    if (!pgo_pool_ready) {
        for (unsigned i = 0; i < PGO_MAX; i++) {
            pgo_pool[i].hnext = pgo_free;
            pgo_free = &pgo_pool[i];
        }
        pgo_pool_ready = true;
    }
    int rc = 0;
    struct pgo_rec *r = rec_find(slot);
    if (!pagers_locked()) {
        rc = -ENOSYS;
    } else if (r != NULL && !r->writing) {
        /* not started: the newer bytes simply replace it */
        stor_frame_free(r->frame);
        r->frame = frame;
    } else if (pgo_frames >= pgo_cap || pgo_free == NULL) {
        rc = -EAGAIN;
    } else if (r != NULL) {
        /* being written: this one follows it (a newer one replaces) */
        if (r->newer != NULL) {
            stor_frame_free(r->newer);
        } else {
            pgo_frames++;
        }
        r->newer = frame;
    } else {
        r = pgo_free;
        pgo_free = r->hnext;
        *r = (struct pgo_rec){.slot = slot, .frame = frame};
        struct pgo_rec **bk = rec_bucket(slot);
        r->hnext = *bk;
        *bk = r;
        q_append(r);
        pgo_frames++;
        pthread_cond_signal(&pq_cond);
    }
    if (pgo_frames > pgo_peak) {
        pgo_peak = pgo_frames;
    }
    pthread_mutex_unlock(&pq_lock);
    return rc;
}

bool
pgo_copy(uint32_t slot, uint8_t *dst)
{
    pthread_mutex_lock(&pq_lock);
    struct pgo_rec *r = rec_find(slot);
    if (r != NULL) {
        /* a pager may be writing r->frame: both only read it */
        memcpy(dst, r->newer != NULL ? r->newer : r->frame, STOR_PAGE_SIZE);
    }
    pthread_mutex_unlock(&pq_lock);
    return r != NULL;
}

bool
pgo_slot_pending(uint32_t slot)
{
    pthread_mutex_lock(&pq_lock);
    struct pgo_rec *r = rec_find(slot);
    bool pending = false;
    if (r != NULL && r->writing) {
        r->freed = true; /* its pager frees the slot once the write is done */
        pending = getenv("MUT") == NULL;
        if (r->newer != NULL) {
            stor_frame_free(r->newer);
            r->newer = NULL;
            frames_gone(1);
        }
    } else if (r != NULL) {
        stor_frame_free(r->frame);
        q_unlink(r);
        rec_release(r);
        frames_gone(1);
    }
    pthread_mutex_unlock(&pq_lock);
    return pending;
}

bool
pgo_wait_room(int timeout_ms)
{
    pthread_mutex_lock(&pq_lock);
    struct timespec ts = ts_of(now_ns() + (int64_t)timeout_ms * 1000000);
    while (pgo_frames >= pgo_cap - pgo_cap / 4 && !atomic_load(&pgo_failing_flag)) {
        if (pthread_cond_timedwait(&pq_room, &pq_lock, &ts) == ETIMEDOUT) {
            break;
        }
    }
    bool room = pgo_frames < pgo_cap;
    pthread_mutex_unlock(&pq_lock);
    return room;
}

int
paging_drain(int timeout_ms)
{
    pthread_mutex_lock(&pq_lock);
    struct timespec ts = ts_of(now_ns() + (int64_t)timeout_ms * 1000000);
    int rc = 0;
    while (pgo_frames > 0 && rc == 0) {
        if (pthread_cond_timedwait(&pq_room, &pq_lock, &ts) == ETIMEDOUT) {
            rc = pgo_frames > 0 ? -ETIMEDOUT : 0;
        }
    }
    pthread_mutex_unlock(&pq_lock);
    return rc;
}
