// SPDX-License-Identifier: MIT
/*
 * cp/paging.c - CP paging (cp/paging.h): the list of stors, the count of
 * private frames, the paging file's slots, stealing (stor_trim) and reading
 * pages back (stor_page_in, reached through stor_frame).  The pager threads
 * that write stolen pages from their in-flight buffers and read pages for
 * page wait are in cp/paging_io.c (shared state: cp/paging_int.h).
 *
 * Locking: pg_lock guards the stor list, every clock hand and the slot
 * bitmap, and is held while a stor's frames are stolen (no I/O under it:
 * a dirty page's frame is handed to a pager as it is).  A stealer holds
 * pg_lock and then only try-locks a victim's pin (stor_pin), so it can
 * never wait for a thread that waits for it; when the in-flight buffers
 * are full it waits for room with no lock held.  The thread that owns a
 * stor (it holds the pin) pages in without pg_lock: only it touches that
 * page while it holds the pin, and pread on the file is position-free.
 * Counters are atomics, so paging_stats never blocks.
 *
 * Victims: stors least recently run first (stor_trim moves the trimming
 * stor to the list's tail); within a stor a clock over its pages gives a
 * second chance to pages referenced (STOR_M_REF, set by the CPU's TLB
 * fills in cp/rv_mem.c and by stor_frame_rw) since the hand last passed;
 * the victim's gen is bumped so its TLB refills and marks again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp/paging.h"
#include "cp/paging_int.h"
#include "cp/stor_frame.h"
#include "cp/stor_int.h"

#define PG_MIN_PAGES 64
#define PG_ROOM_WAIT_MS 500 /* the longest a stealer waits for in-flight room */

pthread_mutex_t pg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stor *pg_head, *pg_tail; /* least recently run first */
static atomic_int_fast64_t pg_resident;
static atomic_uint_fast64_t pg_limit; /* pages; 0 = off */
static atomic_uint_fast64_t pg_slack;
int pg_fd = -1;
static char pg_path[1024];
static uint64_t *pg_map; /* slot bitmap */
static uint64_t pg_nslots, pg_used, pg_hint;
static atomic_bool pg_full_flag;
static bool pg_told_full;
static void (*pg_notify)(void *, const char *);
static void *pg_notify_ctx;
static atomic_uint_fast64_t n_in, n_clean, n_released, n_busy;
atomic_uint_fast64_t pg_n_out, pg_n_err, pg_n_async, pg_n_read_ahead, pg_n_inflight_hits,
    pg_n_write_waits, pg_n_deferred;

void
pg_tell(const char *text)
{
    if (pg_notify != NULL) {
        pg_notify(pg_notify_ctx, text);
    }
}

int
paging_start(const struct paging_config *cfg, char *err, size_t errlen)
{
    uint64_t limit = cfg->real_bytes / STOR_PAGE_SIZE;
    if (limit == 0) {
        atomic_store(&pg_limit, 0);
        return 0;
    }
    if (limit < PG_MIN_PAGES) {
        snprintf(err, errlen, "real storage of %llu bytes is too small (at least %d pages)",
                 (unsigned long long)cfg->real_bytes, PG_MIN_PAGES);
        return -EINVAL;
    }
    uint64_t nslots = cfg->file_bytes / STOR_PAGE_SIZE;
    if (nslots > UINT32_MAX) {
        nslots = UINT32_MAX;
    }
    pthread_mutex_lock(&pg_lock);
    if (pg_fd >= 0 && pg_used > 0) {
        pthread_mutex_unlock(&pg_lock);
        snprintf(err, errlen, "paging is in use: pages are out on %s", pg_path);
        return -EBUSY;
    }
    uint64_t *map = calloc((size_t)(nslots + 63) / 64 + 1, sizeof *map);
    int fd = map ? open(cfg->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (fd < 0) {
        int e = map ? errno : ENOMEM;
        free(map);
        pthread_mutex_unlock(&pg_lock);
        snprintf(err, errlen, "paging file %s: %s", cfg->path, strerror(e));
        return -e;
    }
    if (pg_fd >= 0) {
        close(pg_fd);
    }
    free(pg_map);
    pg_fd = fd;
    pg_map = map;
    pg_nslots = nslots;
    pg_used = pg_hint = 0;
    pg_told_full = false;
    atomic_store(&pg_full_flag, nslots == 0);
    snprintf(pg_path, sizeof pg_path, "%s", cfg->path);
    pg_notify = cfg->notify;
    pg_notify_ctx = cfg->notify_ctx;
    uint64_t slack = limit / 16;
    atomic_store(&pg_slack, slack < 16 ? 16 : slack);
    atomic_store(&pg_limit, limit);
    pthread_mutex_unlock(&pg_lock);
    pgo_set_cap((unsigned)(limit / 4 < 1024 ? limit / 4 : 1024));
    return 0;
}

void
paging_stop(void)
{
    /* No stor is left: every write in flight is of a freed slot and ends
     * after its one try. */
    paging_drain(60000);
    pthread_mutex_lock(&pg_lock);
    atomic_store(&pg_limit, 0);
    if (pg_fd >= 0) {
        close(pg_fd);
        unlink(pg_path);
        pg_fd = -1;
    }
    free(pg_map);
    pg_map = NULL;
    pg_nslots = pg_used = 0;
    atomic_store(&pg_full_flag, false);
    pthread_mutex_unlock(&pg_lock);
}

void
paging_stats(struct paging_stats *out)
{
    memset(out, 0, sizeof *out);
    out->limit_pages = atomic_load(&pg_limit);
    int64_t r = atomic_load(&pg_resident);
    out->resident_pages = r > 0 ? (uint64_t)r : 0;
    pthread_mutex_lock(&pg_lock);
    out->slots = pg_nslots;
    out->slots_used = pg_used;
    pthread_mutex_unlock(&pg_lock);
    out->page_outs = atomic_load(&pg_n_out);
    out->page_ins = atomic_load(&n_in);
    out->clean_drops = atomic_load(&n_clean);
    out->slots_released = atomic_load(&n_released);
    out->busy_skips = atomic_load(&n_busy);
    out->io_errors = atomic_load(&pg_n_err);
    out->async_reads = atomic_load(&pg_n_async);
    out->read_ahead = atomic_load(&pg_n_read_ahead);
    out->inflight_hits = atomic_load(&pg_n_inflight_hits);
    out->write_waits = atomic_load(&pg_n_write_waits);
    out->deferred = atomic_load(&pg_n_deferred);
    pgo_counts(&out->inflight, &out->inflight_peak);
    out->full = atomic_load(&pg_full_flag);
}

bool
paging_full(void)
{
    return atomic_load(&pg_full_flag);
}

/* ---- for cp/stor.c ------------------------------------------------------- */

void
paging_register(struct stor *st)
{
    pthread_mutex_lock(&pg_lock);
    st->pg_prev = pg_tail;
    st->pg_next = NULL;
    if (pg_tail != NULL) {
        pg_tail->pg_next = st;
    } else {
        pg_head = st;
    }
    pg_tail = st;
    pthread_mutex_unlock(&pg_lock);
}

static void
pg_unlink(struct stor *st)
{
    if (st->pg_prev != NULL) {
        st->pg_prev->pg_next = st->pg_next;
    } else {
        pg_head = st->pg_next;
    }
    if (st->pg_next != NULL) {
        st->pg_next->pg_prev = st->pg_prev;
    } else {
        pg_tail = st->pg_prev;
    }
    st->pg_prev = st->pg_next = NULL;
}

void
paging_unregister(struct stor *st)
{
    pthread_mutex_lock(&pg_lock);
    pg_unlink(st);
    pthread_mutex_unlock(&pg_lock);
}

void
paging_frames_add(int64_t n)
{
    atomic_fetch_add(&pg_resident, n);
}

bool
paging_over_slack(void)
{
    uint64_t limit = atomic_load_explicit(&pg_limit, memory_order_relaxed);
    return limit != 0 && (uint64_t)atomic_load_explicit(&pg_resident, memory_order_relaxed) >
                             limit + atomic_load_explicit(&pg_slack, memory_order_relaxed);
}

void
pg_slot_clear_locked(uint32_t slot)
{
    if (pg_map == NULL || slot >= pg_nslots) {
        return;
    }
    pg_map[slot / 64] &= ~(1ull << (slot % 64));
    pg_used--;
    if (slot < pg_hint) {
        pg_hint = slot;
    }
    if (pg_used < pg_nslots - pg_nslots / 16) {
        atomic_store(&pg_full_flag, false);
        pg_told_full = false;
    }
}

void
paging_slot_free(uint32_t slot)
{
    pthread_mutex_lock(&pg_lock);
    if (!pgo_slot_pending(slot)) {
        pg_slot_clear_locked(slot); /* else when its write has landed */
    }
    pthread_mutex_unlock(&pg_lock);
    atomic_fetch_add(&n_released, 1);
}

/* Under pg_lock: a free slot, or -1 (the file is full: the operator is told
 * once). */
static int64_t
slot_alloc(void)
{
    for (uint64_t w = pg_hint / 64; pg_map != NULL && w < (pg_nslots + 63) / 64; w++) {
        if (pg_map[w] == UINT64_MAX) {
            continue;
        }
        unsigned b = (unsigned)__builtin_ctzll(~pg_map[w]);
        uint64_t slot = w * 64 + b;
        if (slot >= pg_nslots) {
            break;
        }
        pg_map[w] |= 1ull << b;
        pg_used++;
        pg_hint = slot;
        return (int64_t)slot;
    }
    atomic_store(&pg_full_flag, true);
    if (!pg_told_full) {
        pg_told_full = true;
        char text[1200];
        snprintf(text, sizeof text,
                 "paging file %s is full (%llu pages): storage goes over the real storage "
                 "limit and new logons are refused",
                 pg_path, (unsigned long long)pg_nslots);
        pg_tell(text);
    }
    return -1;
}

uint8_t *
stor_page_in(struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    if (l == NULL || l->frame[i] != NULL || !(l->meta[i] & STOR_M_PAGED)) {
        return l ? l->frame[i] : NULL;
    }
    /* Its newest bytes: those of a write still in flight (a copy of its
     * buffer; the write goes on, so the page is clean), else the file's. */
    uint8_t *f = stor_frame_alloc(false);
    if (f == NULL) {
        return NULL;
    }
    if (pgo_copy(l->slot[i], f)) {
        atomic_fetch_add(&pg_n_inflight_hits, 1);
    } else {
        off_t off = (off_t)l->slot[i] * STOR_PAGE_SIZE;
        if (pread(pg_fd, f, STOR_PAGE_SIZE, off) != STOR_PAGE_SIZE) {
            atomic_fetch_add(&pg_n_err, 1);
            stor_frame_free(f);
            pthread_mutex_lock(&pg_lock);
            pg_tell("paging file read error: a guest page cannot be read back");
            pthread_mutex_unlock(&pg_lock);
            return NULL;
        }
    }
    l->frame[i] = f;
    l->nframes++;
    l->meta[i] = (uint8_t)((l->meta[i] & ~STOR_M_DIRTY) | STOR_M_REF);
    st->resident++;
    st->paged_out--;
    st->pg_taken++;
    paging_frames_add(1);
    atomic_fetch_add(&n_in, 1);
    return f;
}

/* Under pg_lock: writes a stolen page synchronously (no pager thread could
 * be started).  true: written. */
static bool
write_now(const uint8_t *f, uint32_t slot)
{
    off_t off = (off_t)slot * STOR_PAGE_SIZE;
    if (pwrite(pg_fd, f, STOR_PAGE_SIZE, off) != STOR_PAGE_SIZE) {
        atomic_fetch_add(&pg_n_err, 1);
        pg_tell("paging file write error: a page stays in storage");
        return false;
    }
    atomic_fetch_add(&pg_n_out, 1);
    return true;
}

/* Under pg_lock with v pinned by this thread: steals up to `want` frames
 * of v; returns how many.  A dirty page's frame goes to a pager as the
 * buffer of its write (pgo_queue); when the buffers are at their cap it
 * stops at that page and sets *capped. */
static uint64_t
steal_from(struct stor *v, uint64_t want, bool *capped)
{
    uint64_t got = 0;
    if (v->resident == 0) {
        return 0;
    }
    for (uint64_t n = 0; n < 2 * v->npages && got < want; n++) {
        uint64_t pn = v->pg_hand;
        v->pg_hand = pn + 1 < v->npages ? pn + 1 : 0;
        struct stor_leaf *l = stor_leaf_get(v, pn);
        if (l == NULL) {
            uint64_t next = (pn | (STOR_LEAF_PAGES - 1)) + 1;
            n += next - pn - 1;
            v->pg_hand = next < v->npages ? next : 0;
            continue;
        }
        unsigned i = pn & (STOR_LEAF_PAGES - 1);
        uint8_t *f = l->frame[i];
        unsigned m = l->meta[i];
        if (f == NULL || (m & (STOR_M_SHARED | STOR_M_CODE))) {
            continue;
        }
        if (m & STOR_M_REF) {
            l->meta[i] = (uint8_t)(m & ~STOR_M_REF); /* a second chance */
            continue;
        }
        if (!(m & STOR_M_PAGED) || (m & STOR_M_DIRTY)) {
            bool fresh = !(m & STOR_M_PAGED);
            if (fresh) {
                if (l->slot == NULL && (l->slot = calloc(STOR_LEAF_PAGES, sizeof *l->slot)) == NULL) {
                    continue;
                }
                int64_t s = slot_alloc();
                if (s < 0) {
                    continue; /* full: only clean pages can go */
                }
                l->slot[i] = (uint32_t)s;
            }
            int q = pgo_queue(l->slot[i], f); /* f is the pager's now */
            if (q == -ENOSYS && write_now(f, l->slot[i])) {
                stor_frame_free(f);
                q = 0;
            }
            if (q != 0) {
                if (fresh) {
                    pg_slot_clear_locked(l->slot[i]);
                }
                if (q == -EAGAIN) {
                    /* the buffers are full: stop here, and start here
                     * again once there is room (the clock's order kept) */
                    *capped = true;
                    v->pg_hand = pn;
                    atomic_fetch_add(&pg_n_deferred, 1);
                    break;
                }
                continue;
            }
        } else {
            atomic_fetch_add(&n_clean, 1);
            stor_frame_free(f);
        }
        l->frame[i] = NULL;
        l->nframes--;
        stor_meta_put(l, i, (m & ~(STOR_M_DIRTY | STOR_M_REF)) | STOR_M_PAGED);
        v->resident--;
        v->paged_out++;
        paging_frames_add(-1);
        got++;
    }
    v->gen++; /* stolen frames and cleared marks: its TLB refills */
    return got;
}

/* Under pg_lock: st (just run) goes to the recent end of the list. */
static void
pg_move_last(struct stor *st)
{
    pg_unlink(st);
    st->pg_prev = pg_tail;
    if (pg_tail != NULL) {
        pg_tail->pg_next = st;
    } else {
        pg_head = st;
    }
    pg_tail = st;
}

/* Under pg_lock: steals `want` frames, from stors least recently run
 * first, st last; returns how many are still wanted. */
static uint64_t
steal_round(struct stor *st, uint64_t want, bool *capped)
{
    for (struct stor *v = pg_head; v != NULL && want > 0 && !*capped; v = v->pg_next) {
        if (v == st) {
            continue;
        }
        if (pthread_mutex_trylock(&v->pin) != 0) {
            atomic_fetch_add(&n_busy, 1);
            continue;
        }
        want -= steal_from(v, want, capped);
        pthread_mutex_unlock(&v->pin);
    }
    if (want > 0 && !*capped && pthread_mutex_trylock(&st->pin) == 0) {
        want -= steal_from(st, want, capped); /* its own safe point: its TLB is idle */
        pthread_mutex_unlock(&st->pin);
    }
    return want;
}

void
stor_trim(struct stor *st)
{
    uint64_t limit = atomic_load_explicit(&pg_limit, memory_order_relaxed);
    if (limit == 0) {
        return;
    }
    /* Only a VM that took frames since its last safe point pays back, so a
     * VM that took none is never made to wait for another's page I/O; it
     * only moves to the recent end of the list, if the lock is free. */
    int64_t r = atomic_load(&pg_resident);
    bool pay = st->pg_taken > 0 && r > (int64_t)limit;
    st->pg_taken = 0;
    if (!pay) {
        if (pthread_mutex_trylock(&pg_lock) == 0) {
            pg_move_last(st);
            pthread_mutex_unlock(&pg_lock);
        }
        return;
    }
    for (int round = 0;; round++) {
        pthread_mutex_lock(&pg_lock);
        if (round == 0) {
            pg_move_last(st);
        }
        bool capped = false;
        uint64_t want = 0;
        r = atomic_load(&pg_resident);
        if (r > (int64_t)limit) {
            /* down to the limit less the slack, so the next slices run free */
            uint64_t slack = atomic_load(&pg_slack);
            want = steal_round(st, (uint64_t)r - limit + (limit > slack ? slack : 0), &capped);
        }
        pthread_mutex_unlock(&pg_lock);
        /* The in-flight buffers are full: the VM that took the frames
         * waits for the pagers to make room, holding no lock, and goes on
         * stealing; so frames stay bounded by the write rate.  Never while
         * writes fail, nor when no room comes for a long while (the pages
         * then stay, over the limit, as with a full paging file). */
        if (!capped || want == 0 || pgo_failing()) {
            break;
        }
        atomic_fetch_add(&pg_n_write_waits, 1);
        if (!pgo_wait_room(PG_ROOM_WAIT_MS)) {
            break;
        }
    }
}
