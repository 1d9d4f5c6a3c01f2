// SPDX-License-Identifier: MIT
/*
 * spool/store.c - the spool store object: opening and closing a spool
 * folder, the spoolid table and allocator, the queues, checks of names, and
 * small helpers the other files share.  Recovery is recover.c, the group
 * commit commit.c, the data log segment.c; the operations callers use are
 * writer.c, ops.c, reader.c and print.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool/spoolint.h"
#include "vmrv/diag.h"

#define DEFAULT_SEGMENT (16u << 20)
#define MIN_SEGMENT (256u << 10)
#define DEFAULT_CKPT (4u << 20)

_Noreturn void
spool_panic(const char *file, int line, const char *what)
{
    fprintf(stderr, "spool: internal error at %s:%d: %s\n", file, line, what);
    abort();
}

void
spool_log(struct spool *sp, enum spool_log_level lvl, const char *fmt, ...)
{
    if (!sp->cfg.log) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sp->cfg.log(sp->cfg.cb_arg, lvl, msg);
}

/* A test's fault point: 0 to go on, or the error the step must fail with. */
int
spool_fault(struct spool *sp, enum spool_fault point)
{
    return sp->cfg.fault ? sp->cfg.fault(sp->cfg.cb_arg, point) : 0;
}

uint64_t
spool_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

double
spool_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- checks ------------------------------------------------------------- */

int
spool_check_userid(const char *in, char out[SPOOL_USERID_MAX + 1])
{
    memset(out, 0, SPOOL_USERID_MAX + 1);
    if (!in) {
        return -EINVAL;
    }
    size_t n = strlen(in);
    if (n == 0 || n > SPOOL_USERID_MAX) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (!isascii(ch) || !(isalnum(ch) || strchr("@#$_-", ch))) {
            return -EINVAL;
        }
        out[i] = (char)toupper(ch);
    }
    out[n] = 0;
    return 0;
}

int
spool_check_name(const char *in, char out[SPOOL_NAME_MAX + 1])
{
    memset(out, 0, SPOOL_NAME_MAX + 1);
    if (!in) {
        return 0;
    }
    size_t n = strlen(in);
    if (n > SPOOL_NAME_MAX) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch <= ' ' || ch >= 0x7F) {
            return -EINVAL;
        }
    }
    memcpy(out, in, n);
    out[n] = 0;
    return 0;
}

int
spool_check_class(char in, uint8_t *out)
{
    unsigned char ch = (unsigned char)toupper((unsigned char)in);
    if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
        *out = ch;
        return 0;
    }
    return -EINVAL;
}

/* ---- the spoolid table -------------------------------------------------- */

struct spool_file *
spool_file_new(void)
{
    struct spool_file *f = calloc(1, sizeof *f);
    if (f) {
        f->copies = 1;
        f->spclass = 'A';
    }
    return f;
}

void
spool_file_free(struct spool_file *f)
{
    if (f) {
        free(f->ext);
        free(f);
    }
}

static size_t
id_slot(const struct spool *sp, uint32_t id)
{
    return (size_t)((id * 2654435761u) & (sp->idcap - 1));
}

struct spool_file *
spool_id_find(struct spool *sp, uint32_t id)
{
    if (!sp->idcap) {
        return NULL;
    }
    for (struct spool_file *f = sp->idtab[id_slot(sp, id)]; f; f = f->hnext) {
        if (f->id == id) {
            return f;
        }
    }
    return NULL;
}

static int
id_grow(struct spool *sp)
{
    size_t ncap = sp->idcap ? sp->idcap * 2 : 1024;
    struct spool_file **nt = calloc(ncap, sizeof *nt);
    if (!nt) {
        return -ENOMEM;
    }
    struct spool_file **old = sp->idtab;
    size_t ocap = sp->idcap;
    sp->idtab = nt;
    sp->idcap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        struct spool_file *f = old[i];
        while (f) {
            struct spool_file *nx = f->hnext;
            size_t s = id_slot(sp, f->id);
            f->hnext = nt[s];
            nt[s] = f;
            f = nx;
        }
    }
    free(old);
    return 0;
}

/* Adds f (its id must be free).  0 or -ENOMEM. */
int
spool_id_insert(struct spool *sp, struct spool_file *f)
{
    if (sp->idcount + 1 > sp->idcap) {
        int rc = id_grow(sp);
        if (rc < 0) {
            return rc;
        }
    }
    SPOOL_ASSERT(!spool_id_find(sp, f->id));
    size_t s = id_slot(sp, f->id);
    f->hnext = sp->idtab[s];
    sp->idtab[s] = f;
    sp->idcount++;
    return 0;
}

void
spool_id_remove(struct spool *sp, struct spool_file *f)
{
    struct spool_file **pp = &sp->idtab[id_slot(sp, f->id)];
    while (*pp && *pp != f) {
        pp = &(*pp)->hnext;
    }
    SPOOL_ASSERT(*pp == f);
    *pp = f->hnext;
    f->hnext = NULL;
    sp->idcount--;
}

/* The next free spoolid after the last one given, wrapping from max_id to
 * 1 and skipping ids in use (by closed files or open writers). */
int
spool_id_alloc(struct spool *sp, uint32_t *id)
{
    if (sp->idcount >= sp->max_id) {
        return -ENOSPC;
    }
    for (uint32_t tries = 0; tries < sp->max_id; tries++) {
        if (sp->next_id == 0 || sp->next_id > sp->max_id) {
            sp->next_id = 1;
        }
        uint32_t cand = sp->next_id++;
        if (!spool_id_find(sp, cand)) {
            *id = cand;
            return 0;
        }
    }
    return -ENOSPC;
}

/* ---- queues ------------------------------------------------------------- */

static size_t
queue_slot(const struct spool *sp, const char *owner, int kind)
{
    uint32_t h = 2166136261u ^ (uint32_t)kind;
    for (const char *p = owner; *p; p++) {
        h = (h ^ (unsigned char)*p) * 16777619u;
    }
    return h & (sp->qcap - 1);
}

static int
queue_grow(struct spool *sp)
{
    size_t ncap = sp->qcap ? sp->qcap * 2 : 256;
    struct spool_q **nt = calloc(ncap, sizeof *nt);
    if (!nt) {
        return -ENOMEM;
    }
    struct spool_q **old = sp->qtab;
    size_t ocap = sp->qcap;
    sp->qtab = nt;
    sp->qcap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        struct spool_q *q = old[i];
        while (q) {
            struct spool_q *nx = q->hnext;
            size_t s = queue_slot(sp, q->owner, q->kind);
            q->hnext = nt[s];
            nt[s] = q;
            q = nx;
        }
    }
    free(old);
    return 0;
}

/* The queue `kind` of `owner` (already checked), made if create is set.
 * NULL if absent (or out of memory). */
struct spool_q *
spool_queue_get(struct spool *sp, const char *owner, int kind, bool create)
{
    if (sp->qcap) {
        for (struct spool_q *q = sp->qtab[queue_slot(sp, owner, kind)]; q; q = q->hnext) {
            if (q->kind == kind && strcmp(q->owner, owner) == 0) {
                return q;
            }
        }
    }
    if (!create || (sp->qcount + 1 > sp->qcap && queue_grow(sp) < 0)) {
        return NULL;
    }
    struct spool_q *q = calloc(1, sizeof *q);
    if (!q) {
        return NULL;
    }
    snprintf(q->owner, sizeof q->owner, "%s", owner);
    q->kind = (uint8_t)kind;
    size_t s = queue_slot(sp, owner, kind);
    q->hnext = sp->qtab[s];
    sp->qtab[s] = q;
    sp->qcount++;
    return q;
}

void
spool_queue_append(struct spool_q *q, struct spool_file *f)
{
    f->q = q;
    f->qnext = NULL;
    f->qprev = q->tail;
    if (q->tail) {
        q->tail->qnext = f;
    } else {
        q->head = f;
    }
    q->tail = f;
    q->count++;
}

void
spool_queue_prepend(struct spool_q *q, struct spool_file *f)
{
    f->q = q;
    f->qprev = NULL;
    f->qnext = q->head;
    if (q->head) {
        q->head->qprev = f;
    } else {
        q->tail = f;
    }
    q->head = f;
    q->count++;
}

void
spool_queue_unlink(struct spool_file *f)
{
    struct spool_q *q = f->q;
    if (!q) {
        return;
    }
    if (f->qprev) {
        f->qprev->qnext = f->qnext;
    } else {
        q->head = f->qnext;
    }
    if (f->qnext) {
        f->qnext->qprev = f->qprev;
    } else {
        q->tail = f->qprev;
    }
    q->count--;
    f->q = NULL;
    f->qprev = f->qnext = NULL;
}

void
spool_info_fill(const struct spool_file *f, struct spool_info *o)
{
    memset(o, 0, sizeof *o);
    o->spoolid = f->id;
    o->queue = (enum spool_queue)f->queue;
    o->dev = (enum spool_dev)f->dev;
    memcpy(o->owner, f->owner, sizeof o->owner);
    memcpy(o->origin, f->origin, sizeof o->origin);
    o->spclass = (char)f->spclass;
    o->hold = f->hold;
    o->copies = f->copies;
    memcpy(o->fname, f->fname, sizeof o->fname);
    memcpy(o->ftype, f->ftype, sizeof o->ftype);
    memcpy(o->dist, f->dist, sizeof o->dist);
    memcpy(o->form, f->form, sizeof o->form);
    o->records = f->records;
    o->bytes = f->bytes;
    o->created_us = f->created_us;
}

/* Does QUEUED file f pass filter fl (whose owner and class are checked)? */
bool
spool_file_matches(const struct spool_file *f, const struct spool_filter *fl)
{
    if (f->state != SPOOL_FS_QUEUED) {
        return false;
    }
    if (fl->spoolid && f->id != fl->spoolid) {
        return false;
    }
    if (fl->queue != SPOOL_Q_ANY && f->queue != fl->queue) {
        return false;
    }
    if (fl->spclass && fl->spclass != '*' && f->spclass != (uint8_t)fl->spclass) {
        return false;
    }
    return !fl->owner || strcmp(f->owner, fl->owner) == 0;
}

/* ---- errors ------------------------------------------------------------- */

static const struct {
    int err;
    int diag;
} diag_map[] = {
    {EINVAL, DIAG_EINVAL},       {ENOENT, DIAG_ENOTFOUND}, {ENODATA, DIAG_EOF},
    {ENOSPC, DIAG_ENOSPC},       {EBUSY, DIAG_EDENIED},    {EPERM, DIAG_EDENIED},
    {EACCES, DIAG_EDENIED},      {EAGAIN, DIAG_EAGAIN},    {EIO, DIAG_EIO},
    {EUCLEAN, DIAG_EIO},         {ENOMEM, DIAG_EFAILED},   {EEXIST, DIAG_EFAILED},
};

int
spool_errno_to_diag(int rc)
{
    if (rc >= 0) {
        return DIAG_OK;
    }
    for (size_t i = 0; i < sizeof diag_map / sizeof diag_map[0]; i++) {
        if (-rc == diag_map[i].err) {
            return diag_map[i].diag;
        }
    }
    return DIAG_EFAILED;
}

/* ---- open and close ----------------------------------------------------- */

static int
config_take(struct spool *sp, const struct spool_config *cfg)
{
    if (cfg) {
        sp->cfg = *cfg;
    }
    sp->max_id = sp->cfg.max_spoolid ? sp->cfg.max_spoolid : SPOOL_SPOOLID_DEFAULT_MAX;
    sp->seg_bytes = sp->cfg.segment_bytes ? sp->cfg.segment_bytes : DEFAULT_SEGMENT;
    sp->ckpt_bytes = sp->cfg.checkpoint_bytes ? sp->cfg.checkpoint_bytes : DEFAULT_CKPT;
    sp->limit = sp->cfg.limit_bytes;
    if (sp->max_id < 16 || sp->seg_bytes < MIN_SEGMENT ||
        (sp->cfg.flags & ~(unsigned)(SPOOL_OPEN_COLD | SPOOL_OPEN_VERIFY))) {
        return -EINVAL;
    }
    return 0;
}

static int
folder_lock(struct spool *sp, const char *dir)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        return -errno;
    }
    sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sp->dirfd < 0) {
        return -errno;
    }
    sp->lockfd = openat(sp->dirfd, "LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sp->lockfd < 0) {
        return -errno;
    }
    if (flock(sp->lockfd, LOCK_EX | LOCK_NB) < 0) {
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    }
    return 0;
}

static void
store_free(struct spool *sp)
{
    for (size_t i = 0; i < sp->idcap; i++) {
        struct spool_file *f = sp->idtab[i];
        while (f) {
            struct spool_file *nx = f->hnext;
            spool_file_free(f);
            f = nx;
        }
    }
    free(sp->idtab);
    for (size_t i = 0; i < sp->qcap; i++) {
        struct spool_q *q = sp->qtab[i];
        while (q) {
            struct spool_q *nx = q->hnext;
            free(q);
            q = nx;
        }
    }
    free(sp->qtab);
    free(sp->trim_plan);
    spool_seg_close_all(sp);
    if (sp->jfd >= 0) {
        close(sp->jfd);
    }
    if (sp->lockfd >= 0) {
        close(sp->lockfd); /* drops the flock */
    }
    if (sp->dirfd >= 0) {
        close(sp->dirfd);
    }
    pthread_mutex_destroy(&sp->lock);
    pthread_mutex_destroy(&sp->seglock);
    pthread_cond_destroy(&sp->cq_cond);
    pthread_cond_destroy(&sp->done_cond);
    pthread_cond_destroy(&sp->clean_cond);
    pthread_mutex_destroy(&sp->sync_mu);
    pthread_cond_destroy(&sp->sync_cv);
    free(sp->dir);
    free(sp);
}

int
spool_open(const char *dir, const struct spool_config *cfg, struct spool **out)
{
    *out = NULL;
    if (!dir || !*dir) {
        return -EINVAL;
    }
    struct spool *sp = calloc(1, sizeof *sp);
    if (!sp) {
        return -ENOMEM;
    }
    sp->dirfd = sp->lockfd = sp->jfd = -1;
    pthread_mutex_init(&sp->lock, NULL);
    pthread_mutex_init(&sp->seglock, NULL);
    pthread_cond_init(&sp->cq_cond, NULL);
    pthread_cond_init(&sp->done_cond, NULL);
    pthread_cond_init(&sp->clean_cond, NULL);
    pthread_mutex_init(&sp->sync_mu, NULL);
    pthread_cond_init(&sp->sync_cv, NULL);
    sp->next_id = 1;
    sp->next_serial = 1;
    sp->next_segnum = 1;
    double t0 = spool_mono_ms();
    int rc = config_take(sp, cfg);
    if (rc == 0) {
        sp->dir = strdup(dir);
        rc = sp->dir ? folder_lock(sp, dir) : -ENOMEM;
    }
    if (rc == 0) {
        rc = spool_recover(sp);
    }
    if (rc == 0) {
        rc = spool_commit_start(sp);
    }
    if (rc < 0) {
        store_free(sp);
        return rc;
    }
    sp->recovery_ms = spool_mono_ms() - t0;
    spool_log(sp, SPOOL_LOG_INFO, "spool open: %llu files, %llu dropped, %.1f ms",
              (unsigned long long)sp->recovered, (unsigned long long)sp->dropped,
              sp->recovery_ms);
    *out = sp;
    return 0;
}

int
spool_close(struct spool *sp)
{
    if (!sp) {
        return 0;
    }
    pthread_mutex_lock(&sp->lock);
    bool busy = sp->nwriters || sp->ncursors || sp->nreaders;
    pthread_mutex_unlock(&sp->lock);
    if (busy) {
        return -EBUSY;
    }
    spool_commit_stop(sp);
    int rc = sp->broken;
    if (rc == 0) {
        rc = spool_checkpoint_write(sp);
    }
    store_free(sp);
    return rc;
}

void
spool_stats(struct spool *sp, struct spool_stats *st)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&sp->lock);
    st->used_bytes = atomic_load(&sp->used);
    st->limit_bytes = sp->limit;
    st->files = sp->nqueued;
    st->writers = sp->nwriters;
    st->commits = sp->commits;
    st->groups = sp->groups;
    st->checkpoints = sp->checkpoints;
    st->recovered_files = sp->recovered;
    st->dropped_files = sp->dropped;
    st->recovery_ms = sp->recovery_ms;
    pthread_mutex_unlock(&sp->lock);
    pthread_mutex_lock(&sp->seglock);
    st->segments = sp->nsegs;
    pthread_mutex_unlock(&sp->seglock);
}
