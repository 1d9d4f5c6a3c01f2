/* SPDX-License-Identifier: MIT */
/*
 * cp/paging.h - CP paging: a system-wide limit on the host frames that
 * guest storage (cp/stor.h) may hold, a paging file for the pages stolen
 * above it, and the counters for QUERY and the benchmarks.
 *
 * Above the limit CP steals least-recently-used private frames (a clock
 * with a referenced bit per page, stors least recently run first), writes
 * the dirty ones to a slot of the paging file and frees them; the next
 * touch reads the page back, data intact.  A clean page that already has a
 * slot is dropped without a write; shared segment pages and pages holding
 * translated code are never stolen; DIAG 0x010 (stor_release) frees a
 * page's slot too, so released pages are never written.
 *
 * Stealing never touches a stor that another thread holds (stor_pin: every
 * stor_* call and every vm_run slice pins its stor; the stealer only
 * try-locks).  A VM takes frames freely while it runs (over the limit by
 * at most a small slack: then its CPU is kicked) and gives back down to the
 * limit at its next safe point, the end of its slice (stor_trim), which may
 * steal from itself.  A VM's own page-ins run on pager threads
 * (paging_read_async): the VM waits, its dispatcher thread runs others.
 * Page-outs run on the same threads: a stolen dirty page's frame becomes
 * the buffer of its write (in flight, capped; cp/paging_io.c) and is freed
 * once the write has landed; a page-in meanwhile takes or copies the
 * buffer.  A write that fails keeps its buffer and is retried; the operator
 * is told.  Page-ins for CP's own accesses (stor_read/stor_write) are
 * synchronous on the thread that needs them (DIAG handlers ask first:
 * stor_first_out and rv_cpu_page_wait_hcall).
 *
 * When the paging file is full a dirty page cannot be stolen: frames go
 * over the limit (nothing is lost), paging_full() turns true (new logons
 * are refused) and the operator is told once through the notify function.
 */
#ifndef CP_PAGING_H
#define CP_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct paging_config {
    uint64_t real_bytes; /* frame limit in bytes; 0: no limit, no paging */
    const char *path; /* the paging file (created, truncated) */
    uint64_t file_bytes; /* its largest size (slots = file_bytes / 4 KiB) */
    /* Something the operator must know (paging file full, an I/O error).
     * May be NULL.  Called with CP's paging lock held: it must not call
     * back into storage. */
    void (*notify)(void *ctx, const char *text);
    void *notify_ctx;
};

/* Starts paging (any thread, before or after stors exist).  0, or a
 * negative errno with a reason in err (the file cannot be made; a limit
 * under 64 pages).  A second start replaces the first's limit and file
 * only while no page is out. */
int paging_start(const struct paging_config *cfg, char *err, size_t errlen);

/* No limit any more; pages already out stay readable until paging_stop.
 * paging_stop closes and removes the file: only when no stor exists. */
void paging_stop(void);

struct paging_stats {
    uint64_t limit_pages; /* 0: no limit */
    uint64_t resident_pages; /* private frames of all stors */
    uint64_t slots, slots_used; /* of the paging file */
    uint64_t page_outs; /* pages written to the paging file (landed) */
    uint64_t page_ins; /* pages read back */
    uint64_t clean_drops; /* stolen without a write (already on file) */
    uint64_t slots_released; /* slots freed by DIAG 0x010 / release */
    uint64_t busy_skips; /* stors passed over because a thread held them */
    uint64_t io_errors;
    uint64_t async_reads; /* page-ins a VM waited for, done on a pager thread */
    uint64_t read_ahead; /* pages read with them: the next ones, also out */
    uint64_t inflight; /* stolen pages whose write has not landed */
    uint64_t inflight_peak; /* the most there have been at once */
    uint64_t inflight_hits; /* page-ins served from an in-flight buffer */
    uint64_t write_waits; /* stealers that waited for in-flight room */
    uint64_t deferred; /* dirty pages left resident: buffers at their cap */
    bool full; /* the paging file is full: refuse logons */
};

/* Any thread. */
void paging_stats(struct paging_stats *out);

struct stor;

/* Page wait (rv_cpu_set_page_wait): reads page pn of st back on a pager
 * thread, so the thread of the VM that touched it can run other VMs.  The
 * pager pins st (blocking: CP's own accesses to st wait for the read, the
 * stealer skips it), reads the page if it is still out (and up to 7 pages
 * after it that are out too), installs the frames and bumps st's gen,
 * unpins, then calls done(ctx) on the pager thread.
 * The caller keeps st alive until done has run.  0, or -ENOMEM / -EAGAIN
 * (nothing queued: the caller reads synchronously instead). */
int paging_read_async(struct stor *st, uint64_t pn, void (*done)(void *ctx), void *ctx);

/* For tests: fn(ctx, pn) runs on the pager thread before each read (to
 * delay it deterministically).  NULL to clear. */
void paging_set_read_hook(void (*fn)(void *ctx, uint64_t pn), void *ctx);

/* For tests: fn(ctx, slot) runs on the pager thread before each page-out
 * write; it may block (to hold a write in flight) and returns 0 to let the
 * write go, or a positive errno to fail it as the disk would.  NULL to
 * clear. */
void paging_set_write_hook(int (*fn)(void *ctx, uint32_t slot), void *ctx);

/* Waits until no page-out is in flight, at most timeout_ms.  0, or
 * -ETIMEDOUT (writes are slow or failing).  Any thread but a pager. */
int paging_drain(int timeout_ms);
bool paging_full(void);

#endif /* CP_PAGING_H */
