/* SPDX-License-Identifier: MIT */
/*
 * cp/stor.h - guest storage: guest-physical memory of one VM.
 *
 * A two-level page map (a small root, leaves only for touched regions) of
 * 4 KiB frames, each backed on first touch.  Pages never touched read as
 * zeros and cost nothing.  The CPU (cp/rv.h) reaches storage through its
 * own fast path; CP reaches it only through these functions, and every CP
 * write into guest storage goes through stor_write(), which drops any
 * translations of the bytes it changes.
 *
 * Threads: a stor belongs to its VM; only the thread running that VM (or,
 * while none runs it, CP holding the VM) may call these.
 */
#ifndef CP_STOR_H
#define CP_STOR_H

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

/* Frames currently backed, and the host bytes of the page map itself. */
uint64_t stor_resident_pages(const struct stor *st);
size_t stor_map_footprint(const struct stor *st);

#endif /* CP_STOR_H */
