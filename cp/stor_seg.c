// SPDX-License-Identifier: MIT
/*
 * cp/stor_seg.c - shared saved segments (cp/stor.h): one set of read-only
 * host frames mapped into the page maps of every stor that attaches it.
 *
 * A segment's frames are one anonymous mapping, filled while the segment is
 * built and then made PROT_READ (stor_seg_seal), so even a CP bug cannot
 * change a page other VMs see.  An attaching stor points its leaves'
 * frame[] slots at those pages and marks them STOR_M_SHARED; cp/stor.c
 * never frees such a frame and copies it private before a CP write;
 * cp/rv_mem.c refuses guest stores to it.  Each attaching stor holds one
 * reference, kept in its segs[] slot together with the count of its pages
 * still mapped; the reference goes when that count reaches zero (release,
 * copy on write of every page, detach) or with the stor.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cp/stor_frame.h"
#include "cp/stor_int.h"
#include "cp/paging.h"
#include "vmrv/ipl.h"

struct stor_seg {
    uint64_t base;
    uint64_t size;
    uint64_t npages;
    uint8_t *mem; /* npages frames, contiguous */
    atomic_uint refs;
    atomic_uint xrefs; /* of refs: held by translation caches, not users */
    bool sealed;
    /* Translations of its code shared by every stor that maps it intact
     * (cp/rv_xlate.c), set once, freed with the segment. */
    _Atomic(void *) xcache;
    void (*_Atomic xcache_free)(void *);
};

static atomic_uint_fast64_t seg_live;
static atomic_uint_fast64_t seg_pages;

struct stor_seg *
stor_seg_create(uint64_t base, uint64_t size)
{
    if (size == 0 || ((base | size) & STOR_PAGE_MASK) != 0 || size > VMRV_MAX_STORAGE ||
        base > VMRV_MAX_STORAGE - size) {
        errno = EINVAL;
        return NULL;
    }
    struct stor_seg *seg = calloc(1, sizeof *seg);
    if (seg == NULL) {
        return NULL;
    }
    void *mem = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                     0);
    if (mem == MAP_FAILED) {
        free(seg);
        errno = ENOMEM;
        return NULL;
    }
    seg->base = base;
    seg->size = size;
    seg->npages = size >> STOR_PAGE_SHIFT;
    seg->mem = mem;
    atomic_init(&seg->refs, 1);
    atomic_fetch_add(&seg_live, 1);
    atomic_fetch_add(&seg_pages, seg->npages);
    return seg;
}

int
stor_seg_fill(struct stor_seg *seg, struct stor *st, uint64_t gpa, uint64_t len)
{
    if (seg->sealed) {
        return -EPERM;
    }
    if (gpa < seg->base || len > seg->size || gpa - seg->base > seg->size - len) {
        return -EFAULT;
    }
    return stor_read(st, gpa, seg->mem + (gpa - seg->base), (size_t)len);
}

void
stor_seg_seal(struct stor_seg *seg)
{
    if (!seg->sealed) {
        /* Cannot fail on our own page-aligned mapping; if it did, the
         * frames would merely stay writable for CP. */
        (void)mprotect(seg->mem, (size_t)seg->size, PROT_READ);
        seg->sealed = true;
    }
}

struct stor_seg *
stor_seg_hold(struct stor_seg *seg)
{
    atomic_fetch_add(&seg->refs, 1);
    return seg;
}

void
stor_seg_put(struct stor_seg *seg)
{
    if (seg == NULL || atomic_fetch_sub(&seg->refs, 1) != 1) {
        return;
    }
    void *xcache = atomic_load(&seg->xcache);
    if (xcache != NULL) {
        atomic_load_explicit(&seg->xcache_free, memory_order_relaxed)(xcache);
    }
    munmap(seg->mem, (size_t)seg->size);
    atomic_fetch_sub(&seg_live, 1);
    atomic_fetch_sub(&seg_pages, seg->npages);
    free(seg);
}

uint64_t
stor_seg_base(const struct stor_seg *seg)
{
    return seg->base;
}

uint64_t
stor_seg_size(const struct stor_seg *seg)
{
    return seg->size;
}

unsigned
stor_seg_refs(const struct stor_seg *seg)
{
    struct stor_seg *s = (struct stor_seg *)seg;
    return atomic_load(&s->refs) - atomic_load(&s->xrefs);
}

struct stor_seg *
stor_seg_xhold(struct stor_seg *seg)
{
    atomic_fetch_add(&seg->xrefs, 1);
    return stor_seg_hold(seg);
}

void
stor_seg_xput(struct stor_seg *seg)
{
    if (seg != NULL) {
        atomic_fetch_sub(&seg->xrefs, 1);
        stor_seg_put(seg);
    }
}

void
stor_seg_totals(uint64_t *segments, uint64_t *host_pages)
{
    *segments = atomic_load(&seg_live);
    *host_pages = atomic_load(&seg_pages);
}

/* ---- in a stor ----------------------------------------------------------- */

static bool
seg_has(const struct stor_seg *seg, uint64_t pn)
{
    uint64_t first = seg->base >> STOR_PAGE_SHIFT;
    return pn >= first && pn - first < seg->npages;
}

static int
slot_of_page(const struct stor *st, uint64_t pn)
{
    for (int i = 0; i < STOR_SEG_MAX; i++) {
        if (st->segs[i].seg != NULL && seg_has(st->segs[i].seg, pn)) {
            return i;
        }
    }
    return -1;
}

struct stor_seg *
stor_seg_at(const struct stor *st, uint64_t gpa)
{
    int i = slot_of_page(st, gpa >> STOR_PAGE_SHIFT);
    return i < 0 ? NULL : st->segs[i].seg;
}

struct stor_seg *
stor_seg_intact(const struct stor *st, uint64_t pn)
{
    int i = slot_of_page(st, pn);
    if (i < 0 || st->segs[i].mapped != st->segs[i].seg->npages) {
        return NULL;
    }
    return st->segs[i].seg;
}

void *
stor_seg_xcache(const struct stor_seg *seg)
{
    return atomic_load_explicit(&((struct stor_seg *)seg)->xcache, memory_order_acquire);
}

bool
stor_seg_xcache_set(struct stor_seg *seg, void *xcache, void (*free_fn)(void *))
{
    void *none = NULL;
    /* free_fn first: whoever sees the cache may be the last to put. */
    if (atomic_load_explicit(&seg->xcache, memory_order_acquire) != NULL) {
        return false;
    }
    atomic_store_explicit(&seg->xcache_free, free_fn, memory_order_relaxed);
    return atomic_compare_exchange_strong_explicit(&seg->xcache, &none, xcache,
                                                   memory_order_acq_rel, memory_order_acquire);
}

void
stor_seg_unmapped(struct stor *st, uint64_t pn)
{
    int i = slot_of_page(st, pn);
    if (i < 0) {
        return;
    }
    if (--st->segs[i].mapped == 0) {
        stor_seg_put(st->segs[i].seg);
        st->segs[i].seg = NULL;
    }
}

/* Unmaps the still-shared pages of slot i, then drops its reference. */
static void
slot_detach(struct stor *st, int i)
{
    struct stor_seg *seg = st->segs[i].seg;
    uint64_t first = seg->base >> STOR_PAGE_SHIFT;
    stor_invalidate(st, seg->base, seg->size);
    for (uint64_t k = 0; k < seg->npages; k++) {
        uint64_t pn = first + k;
        struct stor_leaf *l = stor_leaf_get(st, pn);
        unsigned j = pn & (STOR_LEAF_PAGES - 1);
        if (l != NULL && (l->meta[j] & STOR_M_SHARED) &&
            l->frame[j] == seg->mem + (k << STOR_PAGE_SHIFT)) {
            l->frame[j] = NULL;
            l->meta[j] &= ~STOR_M_SHARED;
            l->nframes--;
            st->shared--;
            stor_leaf_trim(st, pn);
        }
    }
    st->segs[i].seg = NULL;
    st->segs[i].mapped = 0;
    st->gen++;
    stor_seg_put(seg);
}

static int stor_attach_pinned(struct stor *st, struct stor_seg *seg);

int
stor_attach(struct stor *st, struct stor_seg *seg)
{
    stor_pin(st);
    int rc = stor_attach_pinned(st, seg);
    stor_unpin(st);
    return rc;
}

static int
stor_attach_pinned(struct stor *st, struct stor_seg *seg)
{
    if (!seg->sealed) {
        return -EINVAL;
    }
    if (seg->base > st->size || seg->size > st->size - seg->base) {
        return -EFAULT;
    }
    int free_slot = -1;
    for (int i = 0; i < STOR_SEG_MAX; i++) {
        struct stor_seg *o = st->segs[i].seg;
        if (o == seg) {
            slot_detach(st, i); /* attached again: start afresh */
            o = NULL;
        }
        if (o == NULL) {
            if (free_slot < 0) {
                free_slot = i;
            }
        } else if (seg->base < o->base + o->size && o->base < seg->base + seg->size) {
            return -EINVAL;
        }
    }
    if (free_slot < 0) {
        return -ENOSPC;
    }
    uint64_t first = seg->base >> STOR_PAGE_SHIFT;
    /* Every leaf first, so a failure changes nothing but empty leaves. */
    for (uint64_t pn = first; pn < first + seg->npages; pn = (pn | (STOR_LEAF_PAGES - 1)) + 1) {
        if (stor_leaf_need(st, pn) == NULL) {
            for (uint64_t q = first; q < pn; q = (q | (STOR_LEAF_PAGES - 1)) + 1) {
                stor_leaf_trim(st, q);
            }
            return -ENOMEM;
        }
    }
    stor_invalidate(st, seg->base, seg->size);
    for (uint64_t k = 0; k < seg->npages; k++) {
        uint64_t pn = first + k;
        struct stor_leaf *l = stor_leaf_get(st, pn);
        unsigned j = pn & (STOR_LEAF_PAGES - 1);
        stor_slot_drop(st, l, j);
        if (l->frame[j] != NULL) {
            stor_frame_free(l->frame[j]); /* private: the overlap check excluded shared */
            st->resident--;
            paging_frames_add(-1);
        } else {
            l->nframes++;
        }
        l->frame[j] = seg->mem + (k << STOR_PAGE_SHIFT);
        l->meta[j] = (uint8_t)((l->meta[j] & ~STOR_M_DIRTY) | STOR_M_SHARED);
        st->shared++;
    }
    st->segs[free_slot].seg = stor_seg_hold(seg);
    st->segs[free_slot].mapped = seg->npages;
    st->gen++;
    return 0;
}

int
stor_detach(struct stor *st, uint64_t base)
{
    for (int i = 0; i < STOR_SEG_MAX; i++) {
        if (st->segs[i].seg != NULL && st->segs[i].seg->base == base) {
            stor_pin(st);
            slot_detach(st, i);
            stor_unpin(st);
            return 0;
        }
    }
    return -ENOENT;
}

void
stor_detach_all(struct stor *st)
{
    for (int i = 0; i < STOR_SEG_MAX; i++) {
        if (st->segs[i].seg != NULL) {
            stor_pin(st);
            slot_detach(st, i);
            stor_unpin(st);
        }
    }
}

uint64_t
stor_shared_pages(const struct stor *st)
{
    return st->shared;
}
