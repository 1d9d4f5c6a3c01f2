/* SPDX-License-Identifier: MIT */
/*
 * spool/spoolint.h - what the files of spool/ share and nobody else sees:
 * the in-memory model (files, queues, data log segments), the commit queue,
 * and the encoders of the on-disk format.
 *
 * In memory, every spool file is a struct spool_file found by spoolid in a
 * hash table.  Its life:
 *
 *   WRITING --close submitted--> PENDING --journal durable--> QUEUED
 *      |                            |                            |
 *   discard                      (store broken: dropped)       purge
 *      v                                                         v
 *    dead (records punched out of the data log)  <--------   PURGED
 *                                   (once the purge is durable and no
 *                                    cursor holds the file)
 *
 * A PENDING or QUEUED file sits in exactly one queue (a doubly linked list
 * kept in `order` order); only QUEUED files are visible to lists, readers
 * and changes.  Order keys only ever grow at the tail (arrivals) or shrink
 * at the head (ORDER), so a queue stays sorted with O(1) inserts.
 *
 * Locks: sp->lock guards everything in struct spool except the data log
 * fields (sp->seglock) and sp->used (atomic).  Order: lock, then seglock.
 * The extents of a closed file never change, so cursors read them unlocked.
 */
#ifndef SPOOL_SPOOLINT_H
#define SPOOL_SPOOLINT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool/spool.h"

#define SPOOL_ASSERT(c)                                                                  \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            spool_panic(__FILE__, __LINE__, #c);                                         \
        }                                                                                \
    } while (0)
_Noreturn void spool_panic(const char *file, int line, const char *what);

/* ---- the data log ------------------------------------------------------- */

struct spool_place; /* segment.c */

struct spool_seg {
    uint32_t num; /* file seg.<num as 8 hex digits> */
    int fd;
    uint64_t size; /* bytes reserved so far (the end of the log) */
    uint64_t live; /* bytes of chunks of files not yet dead */
    bool sealed; /* no more chunks go here */
    bool dirty; /* written since its last fdatasync */
    bool syncing; /* being fdatasynced now: not to be deleted */
    bool dir_synced; /* its directory entry is durable */
    struct spool_seg *next;
};

/* One chunk of records in a segment. */
struct spool_extent {
    struct spool_seg *seg; /* resolved from segnum after loading */
    uint32_t segnum;
    uint32_t len; /* chunk bytes in the log, header and padding included */
    uint64_t off;
    uint32_t nrec;
    uint32_t crc; /* crc32c of the chunk's payload */
};

/* ---- files and queues --------------------------------------------------- */

enum spool_fstate { SPOOL_FS_WRITING, SPOOL_FS_PENDING, SPOOL_FS_QUEUED, SPOOL_FS_PURGED };

struct spool_q;

struct spool_file {
    uint32_t id;
    uint8_t state; /* enum spool_fstate */
    uint8_t queue; /* enum spool_queue (PENDING, QUEUED) */
    uint8_t dev; /* enum spool_dev */
    uint8_t spclass;
    uint8_t hold; /* SPOOL_HOLD_* */
    uint16_t copies;
    uint64_t serial; /* unique per file ever made: tells reused ids apart */
    char owner[SPOOL_USERID_MAX + 1];
    char origin[SPOOL_USERID_MAX + 1];
    char fname[SPOOL_NAME_MAX + 1];
    char ftype[SPOOL_NAME_MAX + 1];
    char dist[SPOOL_NAME_MAX + 1];
    char form[SPOOL_NAME_MAX + 1];
    uint64_t records;
    uint64_t bytes; /* sum of record lengths */
    uint64_t created_us;
    int64_t order;
    int refs; /* open cursors */
    bool purge_durable; /* PURGED and the purge is in the journal */
    bool verify; /* recovery: closed since the checkpoint, check its data */
    struct spool_extent *ext;
    uint32_t next;
    uint32_t extcap;
    struct spool_file *hnext; /* id hash chain */
    struct spool_q *q;
    struct spool_file *qprev, *qnext;
    struct spool_file *dnext; /* dead list */
};

/* Bytes a file counts against the limit. */
static inline uint64_t
spool_file_usage(const struct spool_file *f)
{
    return f->bytes + 2 * f->records;
}

struct spool_q {
    char owner[SPOOL_USERID_MAX + 1];
    uint8_t kind; /* enum spool_queue */
    uint32_t count;
    struct spool_file *head, *tail;
    struct spool_q *hnext;
};

/* ---- the commit queue --------------------------------------------------- */

/* Journal record types (format.c). */
enum spool_jtype { SPOOL_J_CLOSE = 1, SPOOL_J_UPDATE = 2, SPOOL_J_PURGE = 3 };

/* One journal record waiting for the group commit.  Built and queued under
 * sp->lock by the caller, written and synced by the committer. */
struct spool_commit {
    struct spool_commit *next;
    uint8_t *rec; /* encoded record; the committer fills seq and crc */
    size_t len;
    struct spool_file *closing; /* CLOSE: the PENDING file */
    struct spool_file **purged; /* PURGE: files to free once durable */
    size_t npurged;
    struct spool_info *arrivals; /* files reaching a reader: announce */
    size_t narrivals;
    /* who waits: a thread (sync, on sp->done_cond) or a callback */
    bool sync;
    bool done;
    int rc;
    spool_done_fn cb;
    void *cbarg;
    uint32_t spoolid; /* CLOSE: the file's id; PURGE: the callback's value */
};

/* ---- the store ---------------------------------------------------------- */

struct spool {
    char *dir;
    int dirfd;
    int lockfd;
    struct spool_config cfg;
    uint32_t max_id;
    uint64_t seg_bytes;
    uint64_t ckpt_bytes;

    pthread_mutex_t lock;
    struct spool_file **idtab; /* spoolid hash, chained */
    size_t idcap, idcount; /* idcount includes writers */
    struct spool_q **qtab; /* (owner, kind) hash, chained */
    size_t qcap, qcount;
    uint32_t next_id;
    uint64_t next_serial;
    int64_t order_head, order_tail;
    uint32_t nqueued, nwriters, ncursors, nreaders;

    struct spool_commit *cq_head, *cq_tail;
    struct spool_file *dead; /* for the cleaner */
    pthread_cond_t cq_cond; /* wakes the committer */
    pthread_cond_t clean_cond; /* wakes the cleaner */
    bool clean_stop;
    pthread_t cleaner;
    pthread_cond_t done_cond; /* wakes callers waiting for durability */
    bool stop;
    bool thread_started;
    pthread_t thread;
    /* the syncer: fdatasyncs the data log while the committer syncs the
     * journal (its own small lock; never held with sp->lock) */
    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    bool sync_req, sync_done, sync_stop;
    int sync_rc;
    pthread_t syncer;
    int broken; /* 0, or the error that stopped all changes */
    bool jfull; /* the journal could not grow: refuse new changes */

    pthread_mutex_t seglock;
    struct spool_seg *segs; /* every open segment */
    struct spool_seg *active;
    uint32_t next_segnum;
    uint32_t nsegs;
    struct spool_place *trim_plan; /* live chunks at recovery, for the cleaner */
    size_t trim_n;
    uint32_t trim_below; /* segments numbered below this existed then */

    _Atomic uint64_t used;
    uint64_t limit;

    /* the journal: only the committer touches these once open is done */
    int jfd;
    uint64_t gen;
    uint64_t jpos, jalloc, jseq;
    uint64_t jbytes_since_ckpt, data_since_ckpt;
    double ckpt_retry_ms; /* after a failed checkpoint, not before this */

    uint64_t commits, groups, checkpoints, recovered, dropped;
    double recovery_ms;
};

/* ---- store.c: tables, ids, queues, helpers ------------------------------ */
void spool_log(struct spool *sp, enum spool_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int spool_fault(struct spool *sp, enum spool_fault point);
uint64_t spool_now_us(void);
double spool_mono_ms(void);
int spool_check_userid(const char *in, char out[SPOOL_USERID_MAX + 1]);
int spool_check_name(const char *in, char out[SPOOL_NAME_MAX + 1]);
int spool_check_class(char in, uint8_t *out);

struct spool_file *spool_file_new(void);
void spool_file_free(struct spool_file *f);
struct spool_file *spool_id_find(struct spool *sp, uint32_t id);
int spool_id_insert(struct spool *sp, struct spool_file *f);
void spool_id_remove(struct spool *sp, struct spool_file *f);
int spool_id_alloc(struct spool *sp, uint32_t *id);
struct spool_q *spool_queue_get(struct spool *sp, const char *owner, int kind, bool create);
void spool_queue_append(struct spool_q *q, struct spool_file *f);
void spool_queue_prepend(struct spool_q *q, struct spool_file *f);
void spool_queue_unlink(struct spool_file *f);
void spool_info_fill(const struct spool_file *f, struct spool_info *out);
bool spool_file_matches(const struct spool_file *f, const struct spool_filter *fl);

/* ---- segment.c: the data log ------------------------------------------- */
int spool_seg_open_existing(struct spool *sp, uint32_t num, struct spool_seg **out);
struct spool_seg *spool_seg_find(struct spool *sp, uint32_t num);
int spool_seg_start(struct spool *sp); /* a fresh active segment */
int spool_seg_write_chunk(struct spool *sp, const uint8_t *chunk, uint32_t len,
                          struct spool_extent *ext);
int spool_seg_read_chunk(const struct spool_extent *e, uint8_t *buf);
void spool_seg_release(struct spool *sp, const struct spool_extent *e, size_t n);
int spool_seg_sync_dirty(struct spool *sp);
void spool_seg_reap(struct spool *sp);
void spool_seg_plan_trim(struct spool *sp); /* recovery */
void spool_seg_trim(struct spool *sp); /* cleaner, at start */
void spool_seg_close_all(struct spool *sp);

/* ---- commit.c: group commit, checkpoints -------------------------------- */
int spool_commit_start(struct spool *sp);
void spool_commit_stop(struct spool *sp);
int spool_commit_admit(struct spool *sp, bool frees_space);
struct spool_commit *spool_commit_new(enum spool_jtype type, size_t plen);
void spool_commit_submit(struct spool *sp, struct spool_commit *c);
int spool_commit_wait(struct spool *sp, struct spool_commit *c);
void spool_commit_free(struct spool_commit *c);
void spool_file_kill(struct spool *sp, struct spool_file *f);
int spool_checkpoint_write(struct spool *sp);
int spool_journal_create(struct spool *sp, uint64_t gen, int *fd, uint64_t *alloc);
void spool_journal_name(char *buf, size_t n, uint64_t gen);

/* ---- ops.c, reader.c ----------------------------------------------------- */
int spool_purge_one(struct spool *sp, struct spool_file *f, const char *owner,
                    spool_done_fn done, void *arg);
struct spool_cursor *spool_cursor_attach(struct spool *sp, struct spool_file *f);
struct spool_file *spool_cursor_file(struct spool_cursor *c);

/* ---- recover.c --------------------------------------------------------- */
int spool_recover(struct spool *sp);

/* ---- crc32c.c ---------------------------------------------------------- */
uint32_t spool_crc32c(uint32_t crc, const void *buf, size_t len);

/* ---- format.c: the on-disk encodings ------------------------------------ */

/* A growable byte buffer; oom sticks once set. */
struct spool_buf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};
void spool_buf_reserve(struct spool_buf *b, size_t more);
uint8_t *spool_buf_grow(struct spool_buf *b, size_t n); /* NULL once oom */
void spool_buf_free(struct spool_buf *b);

#define SPOOL_CHUNK_HDR 32
#define SPOOL_SEG_HDR 64
#define SPOOL_JREC_HDR 24
#define SPOOL_FILE_IMAGE 104
#define SPOOL_EXTENT_IMAGE 24

static inline void
spool_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void
spool_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}
static inline void
spool_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}
static inline uint16_t
spool_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
spool_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t
spool_get64(const uint8_t *p)
{
    return (uint64_t)spool_get32(p) | (uint64_t)spool_get32(p + 4) << 32;
}

size_t spool_fmt_file_size(const struct spool_file *f, bool with_extents);
void spool_fmt_file_put(uint8_t *p, const struct spool_file *f, bool with_extents);
int spool_fmt_file_get(const uint8_t *p, size_t avail, struct spool_file *f, bool with_extents,
                       size_t *used);
void spool_fmt_seg_header(uint8_t *p, uint32_t num);
int spool_fmt_seg_check(const uint8_t *p, uint32_t num);
void spool_fmt_chunk_header(uint8_t *p, const struct spool_file *f, uint32_t nrec,
                            uint32_t plen, uint32_t pcrc);
int spool_fmt_chunk_check(const uint8_t *chunk, const struct spool_file *f,
                          const struct spool_extent *e, uint32_t *plen);
uint8_t *spool_fmt_jrec_new(enum spool_jtype type, size_t plen, size_t *total);
void spool_fmt_jrec_seal(uint8_t *rec, size_t total, uint64_t seq);
int spool_fmt_jrec_check(const uint8_t *p, size_t avail, uint64_t seq, uint16_t *type,
                         const uint8_t **payload, uint32_t *plen, size_t *total);
int spool_fmt_ckpt_build(struct spool *sp, uint64_t gen, struct spool_buf *b);
int spool_fmt_ckpt_parse_header(const uint8_t *p, size_t len, uint64_t *gen,
                                uint64_t *next_serial, uint32_t *next_id, int64_t *head,
                                int64_t *tail, uint32_t *nfiles, size_t *body_off);

#endif /* SPOOL_SPOOLINT_H */
