/* SPDX-License-Identifier: MIT */
/*
 * cp/stor_frame.h - 4 KiB host frames for guest storage (cp/stor.c,
 * cp/paging.c, cp/stor_seg.c), carved from page-aligned anonymous mappings
 * so that a frame costs 4 KiB of host memory and nothing more.
 *
 * Thread safe: a lock is held only for the free-map update.  Frames of a
 * mapping that falls wholly free go back to the system.
 */
#ifndef CP_STOR_FRAME_H
#define CP_STOR_FRAME_H

#include <stdbool.h>
#include <stdint.h>

/* Returns a page-aligned 4 KiB frame, all zero when `zero` (else its bytes
 * are unspecified: the caller overwrites all of them), or NULL when the
 * system has no memory. */
void *stor_frame_alloc(bool zero);

/* Gives back a frame from stor_frame_alloc; NULL is ignored.  Passing any
 * other pointer is a CP bug and aborts. */
void stor_frame_free(void *f);

struct stor_frame_stats {
    uint64_t used; /* frames handed out and not freed */
    uint64_t mapped; /* frames in mappings (used + free) */
    uint64_t chunks; /* mappings */
};

/* Fills *s with the current counts. */
void stor_frame_stats(struct stor_frame_stats *s);

/* Returns the memory of free frames to the system (they read as zero when
 * handed out again); mappings wholly free are unmapped. */
void stor_frame_trim(void);

#endif
