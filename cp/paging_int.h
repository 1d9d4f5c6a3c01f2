/* SPDX-License-Identifier: MIT */
/*
 * cp/paging_int.h - private to CP paging: cp/paging.c (the limit, the
 * paging file's slots, stealing, reading a page back) and cp/paging_io.c
 * (the pager threads: page-ins for page wait, and page-outs written from
 * in-flight buffers).  CP uses cp/paging.h; storage uses cp/stor_int.h.
 *
 * Lock order: pg_lock (paging.c) before pq_lock (paging_io.c); a stor's
 * pin may be held under either, never taken under pq_lock.
 */
#ifndef CP_PAGING_INT_H
#define CP_PAGING_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp/stor_int.h"

/* ---- cp/paging.c ---------------------------------------------------------- */

extern pthread_mutex_t pg_lock;
extern int pg_fd; /* the paging file, -1 when none */

/* Counters behind paging_stats. */
extern atomic_uint_fast64_t pg_n_out, pg_n_err, pg_n_async, pg_n_read_ahead,
    pg_n_inflight_hits, pg_n_write_waits, pg_n_deferred;

/* Under pg_lock: tells the operator (the notify function of paging_start). */
void pg_tell(const char *text);

/* Under pg_lock: slot goes back to the free map (its last write landed or
 * was cancelled). */
void pg_slot_clear_locked(uint32_t slot);

/* ---- cp/paging_io.c: page-outs -------------------------------------------- */

/* The in-flight buffers: a stolen page's frame leaves the stor and goes to
 * a pager thread as the buffer of its write; the frame is freed when the
 * write has landed.  At most pgo_cap frames are in flight. */

/* Sets the cap (paging_start; any thread). */
void pgo_set_cap(unsigned frames);

/* Under pg_lock: queues the write of frame (4 KiB, now owned by the pager)
 * to slot.  A write already queued for slot and not started is replaced
 * (its frame freed); one being written is followed by this one, in order.
 * 0; -EAGAIN: the cap is reached (nothing queued, the caller keeps the
 * frame); -ENOSYS: no pager thread could be started (write it yourself). */
int pgo_queue(uint32_t slot, uint8_t *frame);

/* Page-in (the owner of the page, holding its stor's pin): copies slot's
 * newest in-flight bytes into dst (4 KiB); false when no write of slot is
 * in flight: the file holds them. */
bool pgo_copy(uint32_t slot, uint8_t *dst);

/* Under pg_lock, when the slot is freed (release, a stor destroyed): a
 * queued write is cancelled and false returned (free the slot now); a write
 * in progress is marked so that its pager frees the slot once it has
 * landed, and true returned (the slot stays taken till then). */
bool pgo_slot_pending(uint32_t slot);

/* No locks held: waits up to timeout_ms for the buffers to drop under 3/4
 * of the cap.  true: there is room. */
bool pgo_wait_room(int timeout_ms);

/* True while writes fail (an I/O error, the file system full): stealers do
 * not wait for room then; dirty pages stay resident. */
bool pgo_failing(void);

/* Frames in flight now, and the most there have been. */
void pgo_counts(uint64_t *now, uint64_t *peak);

#endif /* CP_PAGING_INT_H */
