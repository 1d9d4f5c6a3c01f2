/* SPDX-License-Identifier: MIT */
/*
 * cp/stor.h - guest storage: guest-physical memory of one VM.
 *
 * A two-level page map (a small root, leaves only for touched regions) of
 * 4 KiB frames, each backed on first touch.  Pages never touched read as
 * zeros and cost nothing.  The CPU (cp/rv.h) reaches storage through its
 * own fast path; CP reaches it only through these functions, and every CP
 * write into guest storage goes through stor_write(), which drops any
 * translations of the bytes it changes.  Pages may also map the frames
 * of a shared saved segment (read only, below) or be out on CP's paging
 * file (cp/paging.h: read back on the next touch, invisibly).
 *
 * Threads: a stor belongs to its VM; only the thread running that VM (or,
 * while none runs it, CP holding the VM) may call these.  Each call pins
 * the stor (stor_pin) against the pager for its duration; the segment
 * functions (stor_seg_*) may be called from any thread.
 */
#ifndef CP_STOR_H
#define CP_STOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stor;

/* Creates storage of `size` bytes (a multiple of 4 KiB, at most
 * VMRV_MAX_STORAGE).  NULL on a bad size or out of memory. */
struct stor *stor_create(uint64_t size);
void stor_destroy(struct stor *st);

uint64_t stor_size(const struct stor *st);

/* Copy between guest storage and a host buffer.  0, or -EFAULT (nothing
 * copied) if [gpa, gpa+len) is not wholly inside storage.  stor_write drops
 * translations of the bytes it changes.  stor_write (and stor_protect) can
 * also fail with -ENOMEM when the host cannot back a page; the bytes before
 * it were written. */
int stor_read(struct stor *st, uint64_t gpa, void *dst, size_t len);
int stor_write(struct stor *st, uint64_t gpa, const void *src, size_t len);

/* Fill with zeros (through the same invalidation path).  0 or -EFAULT. */
int stor_zero(struct stor *st, uint64_t gpa, uint64_t len);

/* DIAG 0x010: the whole pages in [gpa, gpa+len) go back to zero and free
 * their frames.  gpa and len page aligned.  0, -EFAULT or -EINVAL. */
int stor_release(struct stor *st, uint64_t gpa, uint64_t len);

/* DIAG 0x100C: U-mode access mode (DIAG_PROT_USER_*) for whole pages.
 * 0, -EFAULT or -EINVAL. */
int stor_protect(struct stor *st, uint64_t gpa, uint64_t len, int mode);

/* Private frames currently backed (shared segment pages not counted), and
 * the host bytes of the page map itself. */
uint64_t stor_resident_pages(const struct stor *st);
size_t stor_map_footprint(const struct stor *st);

/* ---- paging (cp/paging.h) ------------------------------------------------ */

/* Holds st against the pager: while pinned no other thread steals its
 * frames.  Recursive; every stor_* function pins for its own duration, and
 * vm_run pins for a whole slice (the CPU's TLB points at frames). */
void stor_pin(struct stor *st);
void stor_unpin(struct stor *st);

/* The safe point of a stor whose CPU is not running (end of a slice, st
 * pinned by the caller or not at all): while the system is over its frame
 * limit, steal least-recently-used frames, from other stors not in use and
 * then from st itself.  Cheap when under the limit. */
void stor_trim(struct stor *st);

/* Pages of st now out on the paging file. */
uint64_t stor_paged_pages(const struct stor *st);

/* Whether a page of [gpa, gpa+len) (inside storage) is out on the paging
 * file; the first such page's number in *pn.  Meaningful while st is
 * pinned (a hypercall runs inside vm_run's pin): nothing goes out then. */
bool stor_first_out(const struct stor *st, uint64_t gpa, uint64_t len, uint64_t *pn);

/* ---- shared saved segments ---------------------------------------------- */

/* A read-only image of whole pages placed at the same guest address in
 * every storage that attaches it.  Its host frames exist once, however many
 * stors map them; a stor's page map points at them.  In an attached stor:
 *   - guest stores into a shared page fault (store access fault, S- and
 *     U-mode alike: cp/rv_mem.c);
 *   - CP writes (stor_write, stor_zero: STORE, disk reads) give that stor a
 *     private copy of the page first (copy on write), so no other stor sees
 *     the change;
 *   - stor_release unmaps shared pages (never frees the segment's frames).
 * A segment is reference counted: the creator holds one reference, each
 * attaching stor one more (dropped when its last page of the segment is
 * unmapped, at stor_detach or stor_destroy).  The frames go with the last
 * reference, so a replaced image lives until its last user leaves.
 * Threads: the reference count is atomic; a segment is immutable once
 * sealed, so any thread may read it. */
struct stor_seg;

/* A new, writable segment of `size` bytes (a page multiple, at most
 * VMRV_MAX_STORAGE) for guest address `base` (page aligned), all zeros.
 * NULL with errno EINVAL or ENOMEM. */
struct stor_seg *stor_seg_create(uint64_t base, uint64_t size);

/* Before stor_seg_seal only: copies [gpa, gpa+len) of st (its bytes,
 * zeros where unbacked) into the segment's pages for the same addresses.
 * 0, -EFAULT (outside the segment or st) or -EPERM (sealed). */
int stor_seg_fill(struct stor_seg *seg, struct stor *st, uint64_t gpa, uint64_t len);

/* Makes the frames read-only for good (the host faults on any write: a
 * CP bug can never change a shared page).  Attach needs a sealed segment. */
void stor_seg_seal(struct stor_seg *seg);

/* Takes and drops a reference; the last stor_seg_put frees the frames. */
struct stor_seg *stor_seg_hold(struct stor_seg *seg);
void stor_seg_put(struct stor_seg *seg);

uint64_t stor_seg_base(const struct stor_seg *seg);
uint64_t stor_seg_size(const struct stor_seg *seg);
/* References held (the creator's, a registry's, one per attached stor). */
unsigned stor_seg_refs(const struct stor_seg *seg);

/* Process-wide: live segments and the host pages their frames hold, each
 * page counted once however many stors map it. */
void stor_seg_totals(uint64_t *segments, uint64_t *host_pages);

/* Maps every page of seg into st at the segment's address: private frames
 * there are freed, translations of the range dropped, TLBs made stale.
 * Protection (stor_protect) of the pages is kept.  0, -EFAULT (the segment
 * does not fit in storage), -EINVAL (not sealed, or overlaps another
 * attached segment) or -ENOSPC (STOR_SEG_MAX segments attached). */
#define STOR_SEG_MAX 8
int stor_attach(struct stor *st, struct stor_seg *seg);

/* Unmaps the segment attached at `base` (its pages read as zeros after;
 * pages already copied private stay).  0 or -ENOENT.  stor_detach_all
 * unmaps every segment. */
int stor_detach(struct stor *st, uint64_t base);
void stor_detach_all(struct stor *st);

/* Pages of st that map a shared segment's frames (not counted by
 * stor_resident_pages). */
uint64_t stor_shared_pages(const struct stor *st);

/* The segment attached at guest address gpa (any page of it), or NULL.
 * No reference is taken. */
struct stor_seg *stor_seg_at(const struct stor *st, uint64_t gpa);

#endif /* CP_STOR_H */
