// SPDX-License-Identifier: MIT
/*
 * spool/segment.c - the data log: records of every spool file, in chunks,
 * appended to segment files seg.<8 hex> (format in format.c).
 *
 * Writers reserve room at the end of the active segment under sp->seglock
 * (a few instructions), then write their chunk with pwrite on their own
 * thread, so writers never wait for each other's I/O.  The committer makes
 * everything written so far durable with one fdatasync per dirty segment
 * (spool_seg_sync_dirty, on the syncer thread, while the committer writes
 * the journal records that point at it).  Space of dead chunks is punched out (FALLOC_FL_PUNCH_HOLE, whole 4 KiB
 * blocks inside the chunk); a sealed segment with nothing live is deleted.
 * Reads (cursors, recovery) use pread and need no lock: a segment lives as
 * long as any live file has a chunk in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/spoolint.h"

#define BLOCK 4096u

static void
seg_name(char *buf, size_t n, uint32_t num)
{
    snprintf(buf, n, "seg.%08x", num);
}

static int
write_full(int fd, const uint8_t *p, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EDQUOT ? -ENOSPC : -errno;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static void
seg_add(struct spool *sp, struct spool_seg *s)
{
    s->next = sp->segs;
    sp->segs = s;
    sp->nsegs++;
}

/* Opens an existing segment at recovery (single-threaded).  It is sealed:
 * new chunks always go to a fresh segment. */
int
spool_seg_open_existing(struct spool *sp, uint32_t num, struct spool_seg **out)
{
    char name[32];
    seg_name(name, sizeof name, num);
    int fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct stat st;
    uint8_t hdr[SPOOL_SEG_HDR];
    if (fstat(fd, &st) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr || spool_fmt_seg_check(hdr, num)) {
        spool_log(sp, SPOOL_LOG_WARNING, "spool: %s has no valid header", name);
    }
    struct spool_seg *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return -ENOMEM;
    }
    s->num = num;
    s->fd = fd;
    s->size = (uint64_t)st.st_size;
    s->sealed = true;
    s->dir_synced = true;
    seg_add(sp, s);
    if (num >= sp->next_segnum) {
        sp->next_segnum = num + 1;
    }
    *out = s;
    return 0;
}

struct spool_seg *
spool_seg_find(struct spool *sp, uint32_t num)
{
    for (struct spool_seg *s = sp->segs; s; s = s->next) {
        if (s->num == num) {
            return s;
        }
    }
    return NULL;
}

/* Makes a new active segment and seals the old one (seglock held, or
 * recovery).  0 or a negative errno. */
int
spool_seg_start(struct spool *sp)
{
    char name[32];
    uint32_t num = sp->next_segnum;
    seg_name(name, sizeof name, num);
    int fd = openat(sp->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno == EDQUOT ? -ENOSPC : -errno;
    }
    uint8_t hdr[SPOOL_SEG_HDR];
    spool_fmt_seg_header(hdr, num);
    int rc = write_full(fd, hdr, sizeof hdr, 0);
    struct spool_seg *s = rc == 0 ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        close(fd);
        unlinkat(sp->dirfd, name, 0);
        return rc < 0 ? rc : -ENOMEM;
    }
    sp->next_segnum = num + 1;
    s->num = num;
    s->fd = fd;
    s->size = SPOOL_SEG_HDR;
    s->dirty = true;
    if (sp->active) {
        sp->active->sealed = true;
    }
    sp->active = s;
    seg_add(sp, s);
    return 0;
}

/* Appends one chunk (len bytes, header included) to the data log and fills
 * *ext with where it went.  The bytes are written but not yet durable.
 * 0, -ENOSPC (host disk full) or -EIO. */
int
spool_seg_write_chunk(struct spool *sp, const uint8_t *chunk, uint32_t len,
                      struct spool_extent *ext)
{
    pthread_mutex_lock(&sp->seglock);
    struct spool_seg *s = sp->active;
    if (!s || (s->size + len > sp->seg_bytes && s->size > SPOOL_SEG_HDR)) {
        int rc = spool_seg_start(sp);
        if (rc < 0) {
            pthread_mutex_unlock(&sp->seglock);
            return rc;
        }
        s = sp->active;
    }
    uint64_t off = s->size;
    s->size += len;
    s->live += len;
    pthread_mutex_unlock(&sp->seglock);

    int rc = spool_fault(sp, SPOOL_FAULT_CHUNK_WRITE);
    if (rc == 0) {
        rc = write_full(s->fd, chunk, len, off);
    }
    pthread_mutex_lock(&sp->seglock);
    if (rc < 0) {
        s->live -= len; /* the reserved bytes stay as garbage */
    } else {
        s->dirty = true;
    }
    pthread_mutex_unlock(&sp->seglock);
    if (rc < 0) {
        return rc == -ENOSPC ? rc : -EIO;
    }
    ext->seg = s;
    ext->segnum = s->num;
    ext->off = off;
    ext->len = len;
    return 0;
}

/* Reads the whole chunk e into buf (e->len bytes).  0 or -EIO. */
int
spool_seg_read_chunk(const struct spool_extent *e, uint8_t *buf)
{
    size_t done = 0;
    while (done < e->len) {
        ssize_t n = pread(e->seg->fd, buf + done, e->len - done, (off_t)(e->off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -EIO;
        }
        done += (size_t)n;
    }
    return 0;
}

static void
punch(int fd, uint64_t start, uint64_t end)
{
    uint64_t a = (start + BLOCK - 1) & ~(uint64_t)(BLOCK - 1);
    uint64_t b = end & ~(uint64_t)(BLOCK - 1);
    if (b > a) {
        /* Best effort: without hole punching the space comes back when the
         * whole segment is deleted. */
        (void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)a, (off_t)(b - a));
    }
}

/* The chunks of a dead file: their space goes (cleaner thread). */
void
spool_seg_release(struct spool *sp, const struct spool_extent *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        punch(e[i].seg->fd, e[i].off, e[i].off + e[i].len);
    }
    pthread_mutex_lock(&sp->seglock);
    for (size_t i = 0; i < n; i++) {
        SPOOL_ASSERT(e[i].seg->live >= e[i].len);
        e[i].seg->live -= e[i].len;
    }
    pthread_mutex_unlock(&sp->seglock);
}

/* Makes every chunk written so far durable: fdatasync of each segment
 * written since its last sync, and of the folder when a segment is new
 * (syncer thread).  0 or -EIO. */
int
spool_seg_sync_dirty(struct spool *sp)
{
    bool need_dir = false;
    pthread_mutex_lock(&sp->seglock);
    for (;;) {
        struct spool_seg *s = sp->segs;
        while (s && !s->dirty) {
            s = s->next;
        }
        if (!s) {
            break;
        }
        s->dirty = false;
        s->syncing = true;
        need_dir |= !s->dir_synced;
        pthread_mutex_unlock(&sp->seglock);
        int rc = fdatasync(s->fd);
        pthread_mutex_lock(&sp->seglock);
        s->syncing = false;
        if (rc < 0) {
            pthread_mutex_unlock(&sp->seglock);
            return -EIO;
        }
    }
    pthread_mutex_unlock(&sp->seglock);
    if (need_dir) {
        if (fsync(sp->dirfd) < 0) {
            return -EIO;
        }
        pthread_mutex_lock(&sp->seglock);
        for (struct spool_seg *s = sp->segs; s; s = s->next) {
            if (!s->dirty) {
                s->dir_synced = true;
            }
        }
        pthread_mutex_unlock(&sp->seglock);
    }
    return 0;
}

/* Deletes sealed segments with nothing live (cleaner thread, recovery).  A
 * segment written since its last sync waits: the syncer may need it. */
void
spool_seg_reap(struct spool *sp)
{
    struct spool_seg *gone = NULL;
    pthread_mutex_lock(&sp->seglock);
    for (struct spool_seg **pp = &sp->segs; *pp;) {
        struct spool_seg *s = *pp;
        if (s->sealed && s->live == 0 && !s->dirty && !s->syncing) {
            *pp = s->next;
            sp->nsegs--;
            s->next = gone;
            gone = s;
        } else {
            pp = &s->next;
        }
    }
    pthread_mutex_unlock(&sp->seglock);
    while (gone) {
        struct spool_seg *nx = gone->next;
        char name[32];
        seg_name(name, sizeof name, gone->num);
        unlinkat(sp->dirfd, name, 0);
        close(gone->fd);
        free(gone);
        gone = nx;
    }
}

/* A live chunk's place, copied out of its file so sorting touches only
 * this array (10,000 files sort in about a millisecond). */
struct spool_place {
    uint32_t segnum;
    uint32_t len;
    uint64_t off;
};

static int
place_cmp(const void *a, const void *b)
{
    const struct spool_place *x = a, *y = b;
    if (x->segnum != y->segnum) {
        return x->segnum < y->segnum ? -1 : 1;
    }
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Recovery, once the surviving files are known: notes where every live
 * chunk is, for spool_seg_trim.  (Each segment's live count was made when
 * the files' chunks were resolved.)  Without memory nothing is trimmed. */
void
spool_seg_plan_trim(struct spool *sp)
{
    size_t n = 0;
    for (size_t i = 0; i < sp->idcap; i++) {
        for (struct spool_file *f = sp->idtab[i]; f; f = f->hnext) {
            n += f->next;
        }
    }
    struct spool_place *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < sp->idcap; i++) {
        for (struct spool_file *f = sp->idtab[i]; f; f = f->hnext) {
            for (uint32_t j = 0; j < f->next; j++) {
                all[k++] = (struct spool_place){f->ext[j].segnum, f->ext[j].len, f->ext[j].off};
            }
        }
    }
    if (n) {
        qsort(all, n, sizeof *all, place_cmp);
    }
    sp->trim_plan = all;
    sp->trim_n = n;
}

/* The cleaner's first job after a start: punches out everything between
 * the live chunks noted at recovery (records of crashed writers, purges not
 * yet punched) in the segments that existed then, and deletes segments with
 * nothing live.  Safe while the spool runs: new chunks only go to new
 * segments, and chunks dying meanwhile only add garbage. */
void
spool_seg_trim(struct spool *sp)
{
    struct spool_place *all = sp->trim_plan;
    size_t n = sp->trim_n;
    if (!all) {
        return;
    }
    /* The segments of then (only this thread deletes segments, so they
     * stay; they are sealed, so their size stays too). */
    pthread_mutex_lock(&sp->seglock);
    size_t nold = 0;
    for (struct spool_seg *s = sp->segs; s; s = s->next) {
        nold += s->num < sp->trim_below;
    }
    struct spool_seg **old = malloc((nold ? nold : 1) * sizeof *old);
    nold = 0;
    for (struct spool_seg *s = sp->segs; old && s; s = s->next) {
        if (s->num < sp->trim_below) {
            old[nold++] = s;
        }
    }
    pthread_mutex_unlock(&sp->seglock);
    for (size_t k = 0; old && k < nold; k++) {
        struct spool_seg *s = old[k];
        size_t lo = 0, hi = n; /* first chunk of this segment */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (all[mid].segnum < s->num) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        uint64_t at = SPOOL_SEG_HDR;
        for (size_t i = lo; i < n && all[i].segnum == s->num; i++) {
            if (all[i].off > at) {
                punch(s->fd, at, all[i].off);
            }
            if (all[i].off + all[i].len > at) {
                at = all[i].off + all[i].len;
            }
        }
        if (s->size > at) {
            punch(s->fd, at, s->size);
        }
    }
    free(old);
    free(all);
    sp->trim_plan = NULL;
    spool_seg_reap(sp);
}

void
spool_seg_close_all(struct spool *sp)
{
    while (sp->segs) {
        struct spool_seg *s = sp->segs;
        sp->segs = s->next;
        close(s->fd);
        free(s);
    }
    sp->active = NULL;
    sp->nsegs = 0;
}
