/* SPDX-License-Identifier: MIT */
/*
 * cp/stor_int.h - guest storage as the CPU sees it: the page map, per-page
 * metadata and the hook through which CP writes reach the translation cache.
 * Only cp/stor.c and cp/rv*.c include this; CP uses cp/stor.h.
 *
 * The map: root[pn >> STOR_LEAF_BITS] -> leaf; leaf->frame[pn & mask] -> a
 * 4 KiB host frame or NULL (never touched or released: reads as zeros).
 * Leaves exist only for regions that were written, protected or that hold
 * translated code, so an idle VM costs the root plus a few leaves.
 *
 * gen counts every change that can make a TLB entry stale: a frame backed
 * or freed, a protection change, a page becoming code.  A TLB remembers the
 * gen it reflects and is flushed when they differ; the thread that makes a
 * change while it runs the CPU may fix its own TLB and catch up instead.
 */
#ifndef CP_STOR_INT_H
#define CP_STOR_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/stor.h"

#define STOR_PAGE_SHIFT 12
#define STOR_PAGE_SIZE (1u << STOR_PAGE_SHIFT)
#define STOR_PAGE_MASK ((uint64_t)STOR_PAGE_SIZE - 1)
#define STOR_LEAF_BITS 9 /* 512 pages = 2 MiB per leaf */
#define STOR_LEAF_PAGES (1u << STOR_LEAF_BITS)

/* Per-page metadata bits. */
#define STOR_M_PROT 0x03u /* DIAG_PROT_USER_* */
#define STOR_M_CODE 0x04u /* translations exist: no write TLB entries */
#define STOR_M_DIRTY 0x08u /* written since backed (for paging) */
#define STOR_M_SHARED 0x10u /* frame belongs to a saved segment: read only */
#define STOR_M_REF 0x20u /* referenced since the paging clock passed */
#define STOR_M_PAGED 0x40u /* has a paging file slot (leaf->slot[]): when the
                              frame is NULL the page is out, when not and
                              not DIRTY the slot still holds its bytes */

struct stor_leaf {
    uint8_t *frame[STOR_LEAF_PAGES];
    uint8_t meta[STOR_LEAF_PAGES];
    uint32_t *slot; /* paging file slots of PAGED pages (NULL: none yet) */
    uint32_t nframes; /* frames mapped in this leaf (private or shared) */
    uint32_t nmeta; /* pages with nonzero protection or CODE */
};

/* Called for every range whose pages carry STOR_M_CODE when its bytes
 * change or must be re-read (stor_invalidate). */
typedef void stor_code_fn(void *ctx, uint64_t gpa, uint64_t len);

struct stor {
    uint64_t size;
    uint64_t npages;
    struct stor_leaf **root;
    size_t nroot;
    size_t nleaves;
    uint64_t resident; /* private frames */
    uint64_t shared; /* pages mapping a segment's frames */
    struct stor_attached {
        struct stor_seg *seg; /* NULL: free slot */
        uint64_t mapped; /* its pages still mapped here */
    } segs[STOR_SEG_MAX];
    uint64_t gen;
    uint64_t ncode; /* pages carrying STOR_M_CODE */
    stor_code_fn *code_fn;
    void *code_ctx;
    /* paging (cp/paging.c): held by the thread that uses the stor (a
     * recursive mutex; vm_run holds it for a slice); the stealer only
     * try-locks it.  List links and the clock hand under the paging lock. */
    pthread_mutex_t pin;
    struct stor *pg_prev, *pg_next;
    uint64_t pg_hand;
    uint64_t paged_out; /* pages on the paging file and not resident */
    uint64_t pg_taken; /* frames backed or read back since its last trim */
};

/* A page of zeros that read TLB entries of unbacked pages point at. */
extern const uint8_t stor_zero_page[STOR_PAGE_SIZE];

static inline struct stor_leaf *
stor_leaf_get(const struct stor *st, uint64_t pn)
{
    return st->root[pn >> STOR_LEAF_BITS];
}

/* cp/paging.c: reads page pn back from the paging file; its frame, or
 * NULL when the host cannot (no memory, I/O error: the operator is told). */
uint8_t *stor_page_in(struct stor *st, uint64_t pn);

/* True when page pn (pn < npages) is out on the paging file: no frame, a
 * slot.  Its next touch reads it back. */
static inline bool
stor_page_out(const struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    return l != NULL && l->frame[i] == NULL && (l->meta[i] & STOR_M_PAGED);
}

/* The frame of page pn (pn < npages) or NULL if unbacked.  A page that is
 * out on the paging file is read back first. */
static inline uint8_t *
stor_frame(const struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    if (l == NULL) {
        return NULL;
    }
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    uint8_t *f = l->frame[i];
    if (f == NULL && (l->meta[i] & STOR_M_PAGED)) {
        f = stor_page_in((struct stor *)st, pn);
    }
    return f;
}

/* The metadata byte of page pn (pn < npages), 0 when it has no leaf. */
static inline unsigned
stor_meta(const struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    return l ? l->meta[pn & (STOR_LEAF_PAGES - 1)] : 0;
}

/* Metadata that keeps a leaf alive with no frame in it. */
static inline unsigned
stor_meta_keeps(unsigned m)
{
    return (m & (STOR_M_PROT | STOR_M_CODE | STOR_M_PAGED)) != 0;
}

/* Sets the metadata byte of slot i of l, keeping l->nmeta right. */
static inline void
stor_meta_put(struct stor_leaf *l, unsigned i, unsigned m)
{
    l->nmeta += stor_meta_keeps(m) - stor_meta_keeps(l->meta[i]);
    l->meta[i] = (uint8_t)m;
}

/* Gives page i of leaf l (page pn of st) its paging slot back, if any. */
void stor_slot_drop(struct stor *st, struct stor_leaf *l, unsigned i);

/* The leaf of pn, made if needed (NULL: out of memory); and freeing the
 * leaf of pn when it holds no frame and no metadata worth keeping. */
struct stor_leaf *stor_leaf_need(struct stor *st, uint64_t pn);
void stor_leaf_trim(struct stor *st, uint64_t pn);

/* Backs page pn (pn < npages) if needed and returns its frame, private to
 * this stor (a shared page is copied first); bumps gen when it backs or
 * copies one.  NULL: host out of memory. */
uint8_t *stor_frame_rw(struct stor *st, uint64_t pn);

/* Marks a backed page (the TLB fill paths): bits among REF and DIRTY,
 * which neither keep a leaf nor make TLB entries stale. */
static inline void
stor_touch(struct stor *st, uint64_t pn, unsigned bits)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    if (l != NULL) {
        l->meta[pn & (STOR_LEAF_PAGES - 1)] |= (uint8_t)bits;
    }
}

/* Clears bits among REF and DIRTY of a backed page (no TLB goes stale). */
static inline void
stor_touch_clear(struct stor *st, uint64_t pn, unsigned bits)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    if (l != NULL) {
        l->meta[pn & (STOR_LEAF_PAGES - 1)] &= (uint8_t)~bits;
    }
}

/* Sets or clears meta bits of page pn (pn < npages).  Setting may allocate
 * a leaf: -ENOMEM.  Bumps gen. */
int stor_meta_set(struct stor *st, uint64_t pn, unsigned bits);
void stor_meta_clear(struct stor *st, uint64_t pn, unsigned bits);

/* cp/paging.c, for cp/stor.c: the stor list, the count of private frames
 * of all stors, slots given back. */
void paging_register(struct stor *st);
void paging_unregister(struct stor *st);
void paging_frames_add(int64_t n);
void paging_slot_free(uint32_t slot);
/* True when frames exceed the limit by more than the slack: the running
 * VM should reach its safe point (stor_trim) soon. */
bool paging_over_slack(void);

/* cp/stor_seg.c: a shared page pn of st was unmapped or copied private;
 * the segment's reference goes with its last mapped page. */
void stor_seg_unmapped(struct stor *st, uint64_t pn);

/* cp/stor_seg.c, for the translation cache (cp/rv_xlate.c):
 *   stor_seg_intact: the segment mapped at page pn of st if every one of
 *     its pages is still mapped shared there (none made private or
 *     released), else NULL.  Only then may st run the segment's shared
 *     translations: they are of bytes that every such stor sees.
 *   stor_seg_xcache: the segment's shared translation cache, NULL until
 *     one is set; stor_seg_xcache_set sets it once (false: another thread
 *     was first; the caller frees its own).  free_fn(xcache) runs when the
 *     segment is freed (its last reference put).
 *   stor_seg_xhold/xput: a reference held by a translation cache (its
 *     blocks stay alive while a jump cache may name them); not counted by
 *     stor_seg_refs, which counts users. */
struct stor_seg *stor_seg_intact(const struct stor *st, uint64_t pn);
void *stor_seg_xcache(const struct stor_seg *seg);
bool stor_seg_xcache_set(struct stor_seg *seg, void *xcache, void (*free_fn)(void *));
struct stor_seg *stor_seg_xhold(struct stor_seg *seg);
void stor_seg_xput(struct stor_seg *seg);

/* Registers the translation cache's invalidation function (one per stor). */
void stor_set_code_fn(struct stor *st, stor_code_fn *fn, void *ctx);

/* THE invalidation function: translations overlapping [gpa, gpa+len) are
 * dropped.  Used by fence.i, guest stores into code, stor_write, stor_zero
 * and stor_release.  The range must be inside storage. */
void stor_invalidate(struct stor *st, uint64_t gpa, uint64_t len);

#endif /* CP_STOR_INT_H */
