// SPDX-License-Identifier: MIT
/*
 * spool/recover.c - bringing a spool folder up at spool_open: a COLD start
 * empties it; a warm start loads the checkpoint, replays the journal after
 * it up to the first torn record, checks the records of files closed since
 * the checkpoint (all files with SPOOL_OPEN_VERIFY), rebuilds the queues,
 * writes a fresh checkpoint (so the next start replays nothing; after a
 * clean shutdown the one on disk is kept, with its unwritten journal) and
 * notes where the live chunks are, so that the cleaner thread can punch out
 * the garbage left in the data log by writers that never closed.
 *
 * What survives: exactly the files whose CLOSE record reached the durable
 * journal with their records durable too (the two are synced at once, see
 * commit.c, so the last group before a power loss may have one without the
 * other: that is why files closed since the checkpoint are checked), with
 * every later durable change.  A file whose records cannot be read back is
 * dropped with a note in the log, never delivered half.  Damaged metadata (a bad
 * checkpoint, a malformed record that passed its checksum, data without any
 * checkpoint) stops the open with -EUCLEAN: the operator decides.
 * Runs single-threaded, before the committer starts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/spoolint.h"

struct scan {
    uint32_t *segs;
    size_t nsegs, capsegs;
    uint64_t *gens; /* journal generations found */
    size_t ngens, capgens;
    bool have_ckpt;
};

/* Appends v to a growable array of elements of size sz.  0 or -ENOMEM. */
static int
push(void **arr, size_t *n, size_t *cap, size_t sz, const void *v)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *p = realloc(*arr, nc * sz);
        if (!p) {
            return -ENOMEM;
        }
        *arr = p;
        *cap = nc;
    }
    memcpy((char *)*arr + *n * sz, v, sz);
    (*n)++;
    return 0;
}

static int
read_whole(int dirfd, const char *name, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct stat st;
    int rc = fstat(fd, &st) < 0 ? -errno : 0;
    uint8_t *p = rc == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    if (rc == 0 && !p) {
        rc = -ENOMEM;
    }
    size_t got = 0;
    while (rc == 0 && got < (size_t)st.st_size) {
        ssize_t n = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = -EIO;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (rc < 0) {
        free(p);
        return rc;
    }
    *out = p;
    *len = got;
    return 0;
}

/* Lists the folder; with cold set, deletes the spool's files instead. */
static int
scan_folder(struct spool *sp, struct scan *sc, bool cold)
{
    int fd = dup(sp->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) {
            close(fd);
        }
        return -errno;
    }
    rewinddir(d);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        unsigned long long v = 0;
        char canon[40] = "";
        if (strncmp(n, "seg.", 4) == 0 && sscanf(n + 4, "%8llx", &v) == 1) {
            snprintf(canon, sizeof canon, "seg.%08llx", v);
        } else if (strncmp(n, "journal.", 8) == 0 && sscanf(n + 8, "%16llx", &v) == 1) {
            spool_journal_name(canon, sizeof canon, v);
        }
        bool is_seg = canon[0] == 's' && strcmp(n, canon) == 0;
        bool is_jnl = canon[0] == 'j' && strcmp(n, canon) == 0;
        bool is_ckpt = strcmp(n, "checkpoint") == 0;
        if (strcmp(n, "checkpoint.tmp") == 0 || (cold && (is_seg || is_jnl || is_ckpt))) {
            unlinkat(sp->dirfd, n, 0);
        } else if (is_seg) {
            uint32_t num = (uint32_t)v;
            rc = push((void **)&sc->segs, &sc->nsegs, &sc->capsegs, sizeof num, &num);
        } else if (is_jnl) {
            uint64_t g = v;
            rc = push((void **)&sc->gens, &sc->ngens, &sc->capgens, sizeof g, &g);
        } else if (is_ckpt) {
            sc->have_ckpt = true;
        }
    }
    closedir(d);
    if (rc == 0 && cold && fsync(sp->dirfd) < 0) {
        rc = -errno;
    }
    return rc;
}

static int
damaged(struct spool *sp, const char *what)
{
    spool_log(sp, SPOOL_LOG_ERROR, "spool: %s is damaged; not started (a COLD start discards the spool)",
              what);
    return -EUCLEAN;
}

static void
note_order(struct spool *sp, int64_t order)
{
    if (order < sp->order_head) {
        sp->order_head = order;
    }
    if (order > sp->order_tail) {
        sp->order_tail = order;
    }
}

/* Adds a decoded file as QUEUED (not yet in a queue). */
static int
adopt(struct spool *sp, struct spool_file *f, bool verify)
{
    struct spool_file *old = spool_id_find(sp, f->id);
    if (old) {
        if (old->serial != f->serial) {
            spool_log(sp, SPOOL_LOG_WARNING, "spool: file %u closed twice; kept the first",
                      f->id);
        }
        spool_file_free(f);
        return 0;
    }
    f->state = SPOOL_FS_QUEUED;
    f->verify = verify;
    if (f->serial >= sp->next_serial) {
        sp->next_serial = f->serial + 1;
    }
    note_order(sp, f->order);
    return spool_id_insert(sp, f);
}

static int
load_checkpoint(struct spool *sp)
{
    uint8_t *p;
    size_t len;
    int rc = read_whole(sp->dirfd, "checkpoint", &p, &len);
    if (rc < 0) {
        return rc;
    }
    uint32_t nfiles;
    size_t at;
    rc = spool_fmt_ckpt_parse_header(p, len, &sp->gen, &sp->next_serial, &sp->next_id,
                                     &sp->order_head, &sp->order_tail, &nfiles, &at);
    if (rc == -EPROTONOSUPPORT) {
        spool_log(sp, SPOOL_LOG_ERROR, "spool: checkpoint has another format version");
        rc = -EUCLEAN;
    } else if (rc < 0) {
        rc = damaged(sp, "the checkpoint");
    }
    for (uint32_t i = 0; rc == 0 && i < nfiles; i++) {
        struct spool_file *f = spool_file_new();
        size_t used;
        rc = f ? spool_fmt_file_get(p + at, len - 8 - at, f, true, &used) : -ENOMEM;
        if (rc == 0) {
            at += used;
            rc = adopt(sp, f, false);
        } else {
            spool_file_free(f);
            if (rc == -EINVAL) {
                rc = damaged(sp, "a file in the checkpoint");
            }
        }
    }
    if (rc == 0 && at != len - 8) {
        rc = damaged(sp, "the checkpoint's length");
    }
    free(p);
    return rc;
}

static int
replay_close(struct spool *sp, const uint8_t *p, uint32_t n)
{
    if (n < 16) {
        return -EINVAL;
    }
    sp->next_id = spool_get32(p);
    uint64_t serial = spool_get64(p + 8);
    if (serial > sp->next_serial) {
        sp->next_serial = serial;
    }
    struct spool_file *f = spool_file_new();
    if (!f) {
        return -ENOMEM;
    }
    size_t used;
    int rc = spool_fmt_file_get(p + 16, n - 16, f, true, &used);
    if (rc < 0) {
        spool_file_free(f);
        return rc;
    }
    return adopt(sp, f, true);
}

static int
replay_update(struct spool *sp, const uint8_t *p, uint32_t n)
{
    if (n < 8 || (n - 8) / SPOOL_FILE_IMAGE < spool_get32(p)) {
        return -EINVAL;
    }
    uint32_t count = spool_get32(p);
    for (uint32_t i = 0; i < count; i++) {
        struct spool_file u = {0};
        size_t used;
        int rc = spool_fmt_file_get(p + 8 + (size_t)i * SPOOL_FILE_IMAGE, SPOOL_FILE_IMAGE, &u,
                                    false, &used);
        if (rc < 0) {
            return rc;
        }
        struct spool_file *f = spool_id_find(sp, u.id);
        if (!f || f->serial != u.serial) {
            continue; /* purged later, or an update already in the checkpoint */
        }
        f->queue = u.queue;
        memcpy(f->owner, u.owner, sizeof f->owner);
        f->spclass = u.spclass;
        f->hold = u.hold;
        f->copies = u.copies;
        memcpy(f->fname, u.fname, sizeof f->fname);
        memcpy(f->ftype, u.ftype, sizeof f->ftype);
        memcpy(f->dist, u.dist, sizeof f->dist);
        memcpy(f->form, u.form, sizeof f->form);
        f->order = u.order;
        note_order(sp, u.order);
    }
    return 0;
}

static int
replay_purge(struct spool *sp, const uint8_t *p, uint32_t n)
{
    if (n < 8 || (n - 8) / 16 < spool_get32(p)) {
        return -EINVAL;
    }
    uint32_t count = spool_get32(p);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + 8 + (size_t)i * 16;
        struct spool_file *f = spool_id_find(sp, spool_get32(e));
        if (f && f->serial == spool_get64(e + 8)) {
            spool_id_remove(sp, f);
            spool_file_free(f);
        }
    }
    return 0;
}

/* Replays journal sp->gen.  *pristine tells whether it exists and was never
 * written to (all zeros: a clean shutdown), so it can simply be reused. */
static int
replay_journal(struct spool *sp, bool *pristine)
{
    char name[40];
    spool_journal_name(name, sizeof name, sp->gen);
    uint8_t *p;
    size_t len;
    *pristine = false;
    int rc = read_whole(sp->dirfd, name, &p, &len);
    if (rc == -ENOENT) {
        return 0; /* nothing was written after the checkpoint */
    }
    if (rc == 0) {
        *pristine = true;
        for (size_t i = 0; i < len && *pristine; i++) {
            *pristine = p[i] == 0;
        }
    }
    if (rc < 0) {
        return rc;
    }
    size_t at = 0;
    uint64_t seq = 1;
    uint16_t type;
    const uint8_t *pl;
    uint32_t plen;
    size_t total;
    while (rc == 0 && spool_fmt_jrec_check(p + at, len - at, seq, &type, &pl, &plen, &total) == 0) {
        switch (type) {
        case SPOOL_J_CLOSE:
            rc = replay_close(sp, pl, plen);
            break;
        case SPOOL_J_UPDATE:
            rc = replay_update(sp, pl, plen);
            break;
        case SPOOL_J_PURGE:
            rc = replay_purge(sp, pl, plen);
            break;
        default:
            rc = -EINVAL;
        }
        at += total;
        seq++;
    }
    free(p);
    if (rc == -EINVAL) {
        return damaged(sp, "a journal record");
    }
    spool_log(sp, SPOOL_LOG_INFO, "spool: replayed %llu journal records",
              (unsigned long long)(seq - 1));
    return rc;
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Every chunk of f readable and matching its metadata?  0 or -EIO. */
static int
verify_file(struct spool_file *f, uint8_t **buf, size_t *cap)
{
    for (uint32_t i = 0; i < f->next; i++) {
        struct spool_extent *e = &f->ext[i];
        if (e->len > *cap) {
            uint8_t *nb = realloc(*buf, e->len);
            if (!nb) {
                return -ENOMEM;
            }
            *buf = nb;
            *cap = e->len;
        }
        uint32_t plen;
        if (spool_seg_read_chunk(e, *buf) < 0 || spool_fmt_chunk_check(*buf, f, e, &plen) < 0) {
            return -EIO;
        }
    }
    return 0;
}

static void
drop(struct spool *sp, struct spool_file *f, const char *why)
{
    /* A file closed since the checkpoint may be the last group before a
     * power loss, whose close never returned; older ones mean damage. */
    spool_log(sp, f->verify ? SPOOL_LOG_WARNING : SPOOL_LOG_ERROR,
              "spool: file %u of %s dropped: %s%s", f->id, f->owner, why,
              f->verify ? " (its close may not have completed)" : "");
    spool_id_remove(sp, f);
    spool_file_free(f);
    sp->dropped++;
}

/* Resolves segments, verifies, and counts the survivors. */
static int
check_files(struct spool *sp, struct scan *sc)
{
    if (sc->nsegs) {
        qsort(sc->segs, sc->nsegs, sizeof *sc->segs, u32_cmp);
    }
    struct spool_seg **segs = sc->nsegs ? calloc(sc->nsegs, sizeof *segs) : NULL;
    if (sc->nsegs && !segs) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < sc->nsegs; i++) {
        int rc = spool_seg_open_existing(sp, sc->segs[i], &segs[i]);
        if (rc < 0) {
            free(segs);
            return rc;
        }
    }
    uint8_t *buf = NULL;
    size_t cap = 0;
    bool all = sp->cfg.flags & SPOOL_OPEN_VERIFY;
    int rc = 0;
    for (size_t i = 0; i < sp->idcap && rc == 0; i++) {
        struct spool_file *f = sp->idtab[i];
        while (f && rc == 0) {
            struct spool_file *nx = f->hnext;
            const char *why = NULL;
            for (uint32_t j = 0; j < f->next && !why; j++) {
                struct spool_extent *e = &f->ext[j];
                uint32_t *hit = sc->nsegs ? bsearch(&e->segnum, sc->segs, sc->nsegs,
                                                    sizeof *sc->segs, u32_cmp)
                                          : NULL;
                e->seg = hit ? segs[hit - sc->segs] : NULL;
                if (!e->seg || e->off + e->len > e->seg->size) {
                    why = "its data log segment is missing or short";
                }
            }
            if (!why && (all || f->verify)) {
                rc = verify_file(f, &buf, &cap);
                if (rc == -EIO) {
                    why = "its records fail their checksums";
                    rc = 0;
                }
            }
            if (why) {
                drop(sp, f, why);
            } else {
                for (uint32_t j = 0; j < f->next; j++) {
                    f->ext[j].seg->live += f->ext[j].len; /* survivors' chunks */
                }
            }
            f = nx;
        }
    }
    free(buf);
    free(segs);
    return rc;
}


/* Sorting keys copied beside their files keeps the sort in one array. */
struct keyed {
    int64_t order;
    struct spool_file *f;
};

static int
order_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int
build_queues(struct spool *sp)
{
    size_t n = sp->idcount, k = 0;
    struct keyed *all = n ? malloc(n * sizeof *all) : NULL;
    if (n && !all) {
        return -ENOMEM;
    }
    uint64_t used = 0;
    for (size_t i = 0; i < sp->idcap; i++) {
        for (struct spool_file *f = sp->idtab[i]; f; f = f->hnext) {
            all[k++] = (struct keyed){f->order, f};
            used += spool_file_usage(f);
        }
    }
    if (n) {
        qsort(all, n, sizeof *all, order_cmp);
    }
    struct spool_q *q = NULL;
    for (size_t i = 0; i < n; i++) {
        struct spool_file *f = all[i].f;
        if (!q || q->kind != f->queue || strcmp(q->owner, f->owner) != 0) {
            q = spool_queue_get(sp, f->owner, f->queue, true);
        }
        if (!q) {
            free(all);
            return -ENOMEM;
        }
        spool_queue_append(q, f);
    }
    free(all);
    atomic_store(&sp->used, used);
    sp->nqueued = (uint32_t)n;
    sp->recovered = n;
    return 0;
}

/* After a clean shutdown (an unwritten journal, nothing dropped) the
 * checkpoint on disk is exactly the state: keep it and append to its
 * journal instead of writing and syncing a new one. */
static int
reuse_journal(struct spool *sp)
{
    char name[40];
    spool_journal_name(name, sizeof name, sp->gen);
    int fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < (1 << 16)) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    sp->jfd = fd;
    sp->jpos = 0;
    sp->jseq = 0;
    sp->jalloc = (uint64_t)st.st_size;
    return 0;
}

int
spool_recover(struct spool *sp)
{
    struct scan sc = {0};
    bool cold = sp->cfg.flags & SPOOL_OPEN_COLD;
    int rc = scan_folder(sp, &sc, cold);
    if (rc == 0 && cold) {
        spool_log(sp, SPOOL_LOG_INFO, "spool: COLD start, spool emptied");
    }
    bool pristine = false;
    if (rc == 0 && sc.have_ckpt) {
        rc = load_checkpoint(sp);
        if (rc == 0) {
            rc = replay_journal(sp, &pristine);
        }
    } else if (rc == 0 && sc.nsegs) {
        rc = damaged(sp, "the spool (data without a checkpoint)");
    }
    if (rc == 0) {
        rc = check_files(sp, &sc);
    }
    if (rc == 0) {
        rc = build_queues(sp);
    }
    if (rc == 0 && !(pristine && sp->dropped == 0 && reuse_journal(sp) == 0)) {
        rc = spool_checkpoint_write(sp); /* also opens the new journal */
    }
    if (rc == 0) {
        /* Journals of other generations are stale (the old one included). */
        for (size_t i = 0; i < sc.ngens; i++) {
            if (sc.gens[i] != sp->gen) {
                char name[40];
                spool_journal_name(name, sizeof name, sc.gens[i]);
                unlinkat(sp->dirfd, name, 0);
            }
        }
        sp->trim_below = sp->next_segnum;
        spool_seg_plan_trim(sp); /* the cleaner trims once it runs */
    }
    free(sc.segs);
    free(sc.gens);
    return rc;
}
