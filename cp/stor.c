// SPDX-License-Identifier: MIT
/*
 * cp/stor.c - guest storage (cp/stor.h, cp/stor_int.h): a two-level page
 * map of 4 KiB frames backed on first write, per-page metadata, and the one
 * invalidation path for translated code.
 *
 * Frames come from cp/stor_frame.c when a page is first written;
 * reads of an unbacked page see stor_zero_page.  stor_release frees frames
 * and, when a leaf is left with no frames and no metadata, the leaf too.
 * Nothing here knows about the CPU: translated code is reached only through
 * the registered code function.  Pages of shared saved segments
 * (cp/stor_seg.c) carry STOR_M_SHARED: their frames are never freed here,
 * and a CP write copies them private first.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cp/paging.h"
#include "cp/stor_frame.h"
#include "cp/stor_int.h"
#include "vmrv/diag.h"
#include "vmrv/ipl.h"

_Alignas(4096) const uint8_t stor_zero_page[STOR_PAGE_SIZE];

struct stor *
stor_create(uint64_t size)
{
    if (size == 0 || (size & STOR_PAGE_MASK) != 0 || size > VMRV_MAX_STORAGE) {
        return NULL;
    }
    struct stor *st = calloc(1, sizeof *st);
    if (st == NULL) {
        return NULL;
    }
    st->size = size;
    st->npages = size >> STOR_PAGE_SHIFT;
    st->nroot = (size_t)((st->npages + STOR_LEAF_PAGES - 1) >> STOR_LEAF_BITS);
    st->root = calloc(st->nroot, sizeof *st->root);
    if (st->root == NULL) {
        free(st);
        return NULL;
    }
    st->gen = 1;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->pin, &ma);
    pthread_mutexattr_destroy(&ma);
    paging_register(st);
    return st;
}

static void
stor_leaf_free(struct stor_leaf *l)
{
    for (unsigned i = 0; i < STOR_LEAF_PAGES; i++) {
        if (!(l->meta[i] & STOR_M_SHARED)) {
            stor_frame_free(l->frame[i]);
        }
        if (l->meta[i] & STOR_M_PAGED) {
            paging_slot_free(l->slot[i]);
        }
    }
    free(l->slot);
    free(l);
}

void
stor_slot_drop(struct stor *st, struct stor_leaf *l, unsigned i)
{
    if (!(l->meta[i] & STOR_M_PAGED)) {
        return;
    }
    paging_slot_free(l->slot[i]);
    if (l->frame[i] == NULL) {
        st->paged_out--;
    }
    stor_meta_put(l, i, l->meta[i] & ~STOR_M_PAGED);
}

void
stor_pin(struct stor *st)
{
    pthread_mutex_lock(&st->pin);
}

void
stor_unpin(struct stor *st)
{
    pthread_mutex_unlock(&st->pin);
}

uint64_t
stor_paged_pages(const struct stor *st)
{
    return st->paged_out;
}

void
stor_destroy(struct stor *st)
{
    if (st == NULL) {
        return;
    }
    paging_unregister(st); /* no stealer can reach it after this */
    paging_frames_add(-(int64_t)st->resident);
    for (unsigned i = 0; i < STOR_SEG_MAX; i++) {
        if (st->segs[i].seg != NULL) {
            stor_seg_put(st->segs[i].seg);
        }
    }
    for (size_t i = 0; i < st->nroot; i++) {
        if (st->root[i] != NULL) {
            stor_leaf_free(st->root[i]);
        }
    }
    free(st->root);
    pthread_mutex_destroy(&st->pin);
    free(st);
}

uint64_t
stor_size(const struct stor *st)
{
    return st->size;
}

static bool
stor_range_ok(const struct stor *st, uint64_t gpa, uint64_t len)
{
    return gpa <= st->size && len <= st->size - gpa;
}

bool
stor_first_out(const struct stor *st, uint64_t gpa, uint64_t len, uint64_t *pn)
{
    if (st->paged_out == 0 || len == 0 || !stor_range_ok(st, gpa, len)) {
        return false;
    }
    for (uint64_t p = gpa >> STOR_PAGE_SHIFT; p <= (gpa + len - 1) >> STOR_PAGE_SHIFT; p++) {
        if (stor_page_out(st, p)) {
            *pn = p;
            return true;
        }
    }
    return false;
}

struct stor_leaf *
stor_leaf_need(struct stor *st, uint64_t pn)
{
    struct stor_leaf **slot = &st->root[pn >> STOR_LEAF_BITS];
    if (*slot == NULL) {
        *slot = calloc(1, sizeof **slot);
        if (*slot != NULL) {
            st->nleaves++;
        }
    }
    return *slot;
}

/* Frees the leaf of pn when nothing in it is worth keeping. */
void
stor_leaf_trim(struct stor *st, uint64_t pn)
{
    struct stor_leaf **slot = &st->root[pn >> STOR_LEAF_BITS];
    struct stor_leaf *l = *slot;
    if (l != NULL && l->nframes == 0 && l->nmeta == 0) {
        free(l->slot);
        free(l);
        *slot = NULL;
        st->nleaves--;
    }
}

uint8_t *
stor_frame_rw(struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_need(st, pn);
    if (l == NULL) {
        return NULL;
    }
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    if (l->frame[i] == NULL && (l->meta[i] & STOR_M_PAGED)) {
        if (stor_page_in(st, pn) == NULL) {
            return NULL;
        }
    }
    if (l->frame[i] == NULL) {
        void *f = stor_frame_alloc(true);
        if (f == NULL) {
            stor_leaf_trim(st, pn);
            return NULL;
        }
        l->frame[i] = f;
        l->nframes++;
        st->resident++;
        st->pg_taken++;
        paging_frames_add(1);
        st->gen++;
    } else if (l->meta[i] & STOR_M_SHARED) {
        /* Copy on write: this stor gets its own copy of the page. */
        void *f = stor_frame_alloc(false);
        if (f == NULL) {
            return NULL;
        }
        memcpy(f, l->frame[i], STOR_PAGE_SIZE);
        l->frame[i] = f;
        l->meta[i] &= ~STOR_M_SHARED;
        st->shared--;
        st->resident++;
        st->pg_taken++;
        paging_frames_add(1);
        st->gen++;
        stor_seg_unmapped(st, pn);
    }
    l->meta[i] |= STOR_M_DIRTY | STOR_M_REF;
    return l->frame[i];
}


int
stor_meta_set(struct stor *st, uint64_t pn, unsigned bits)
{
    struct stor_leaf *l = stor_leaf_need(st, pn);
    if (l == NULL) {
        return -ENOMEM;
    }
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    unsigned old = l->meta[i];
    unsigned m = old | bits;
    l->meta[i] = (uint8_t)m;
    l->nmeta += stor_meta_keeps(m) - stor_meta_keeps(old);
    if ((bits & STOR_M_CODE) && !(old & STOR_M_CODE)) {
        st->ncode++;
    }
    st->gen++;
    return 0;
}

void
stor_meta_clear(struct stor *st, uint64_t pn, unsigned bits)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    if (l == NULL) {
        return;
    }
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    unsigned old = l->meta[i];
    unsigned m = old & ~bits;
    l->meta[i] = (uint8_t)m;
    l->nmeta -= stor_meta_keeps(old) - stor_meta_keeps(m);
    if ((old & STOR_M_CODE) && !(m & STOR_M_CODE)) {
        st->ncode--;
    }
    st->gen++;
    stor_leaf_trim(st, pn);
}

static int
stor_prot_set(struct stor *st, uint64_t pn, unsigned mode)
{
    struct stor_leaf *l = mode ? stor_leaf_need(st, pn) : stor_leaf_get(st, pn);
    if (l == NULL) {
        return mode ? -ENOMEM : 0;
    }
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    unsigned old = l->meta[i];
    unsigned m = (old & ~STOR_M_PROT) | mode;
    l->meta[i] = (uint8_t)m;
    l->nmeta += stor_meta_keeps(m) - stor_meta_keeps(old);
    stor_leaf_trim(st, pn);
    return 0;
}

void
stor_set_code_fn(struct stor *st, stor_code_fn *fn, void *ctx)
{
    st->code_fn = fn;
    st->code_ctx = ctx;
}

void
stor_invalidate(struct stor *st, uint64_t gpa, uint64_t len)
{
    if (st->ncode == 0 || st->code_fn == NULL || len == 0) {
        return;
    }
    uint64_t first = gpa >> STOR_PAGE_SHIFT;
    uint64_t last = (gpa + len - 1) >> STOR_PAGE_SHIFT;
    if (last - first > 8) {
        /* A large range: the cache walks its own page list. */
        st->code_fn(st->code_ctx, gpa, len);
        return;
    }
    for (uint64_t pn = first; pn <= last; pn++) {
        if (stor_meta(st, pn) & STOR_M_CODE) {
            uint64_t lo = pn << STOR_PAGE_SHIFT, hi = lo + STOR_PAGE_SIZE;
            uint64_t a = gpa > lo ? gpa : lo, b = gpa + len < hi ? gpa + len : hi;
            st->code_fn(st->code_ctx, a, b - a);
        }
    }
}

static int
stor_read_pinned(struct stor *st, uint64_t gpa, void *dst, size_t len)
{
    if (!stor_range_ok(st, gpa, len)) {
        return -EFAULT;
    }
    uint8_t *out = dst;
    while (len > 0) {
        uint64_t pn = gpa >> STOR_PAGE_SHIFT;
        size_t off = gpa & STOR_PAGE_MASK;
        size_t n = STOR_PAGE_SIZE - off < len ? STOR_PAGE_SIZE - off : len;
        const uint8_t *f = stor_frame(st, pn);
        memcpy(out, (f ? f : stor_zero_page) + off, n);
        out += n;
        gpa += n;
        len -= n;
    }
    return 0;
}

/* True when page pn has no frame and no copy on the paging file. */
static bool
stor_unbacked(const struct stor *st, uint64_t pn)
{
    struct stor_leaf *l = stor_leaf_get(st, pn);
    unsigned i = pn & (STOR_LEAF_PAGES - 1);
    return l == NULL || (l->frame[i] == NULL && !(l->meta[i] & STOR_M_PAGED));
}

/* Writes src (or zeros when src is NULL) into storage and invalidates. */
static int
stor_fill(struct stor *st, uint64_t gpa, const void *src, uint64_t len)
{
    if (!stor_range_ok(st, gpa, len)) {
        return -EFAULT;
    }
    uint64_t start = gpa, total = len;
    const uint8_t *in = src;
    int rc = 0;
    while (len > 0) {
        uint64_t pn = gpa >> STOR_PAGE_SHIFT;
        size_t off = gpa & STOR_PAGE_MASK;
        size_t n = STOR_PAGE_SIZE - off < len ? STOR_PAGE_SIZE - off : (size_t)len;
        if (in != NULL && stor_unbacked(st, pn) && memcmp(in, stor_zero_page, n) == 0) {
            /* Zeros into a page that reads as zero (disk reads of empty
             * blocks): nothing to back. */
            in += n;
        } else if (in != NULL) {
            uint8_t *f = stor_frame_rw(st, pn);
            if (f == NULL) {
                rc = -ENOMEM;
                break;
            }
            memcpy(f + off, in, n);
            in += n;
        } else {
            /* Zeroing an unbacked page changes nothing; a shared one is
             * copied private first. */
            uint8_t *f = stor_frame(st, pn);
            if (f != NULL && (stor_meta(st, pn) & STOR_M_SHARED)) {
                f = stor_frame_rw(st, pn);
                if (f == NULL) {
                    rc = -ENOMEM;
                    break;
                }
            }
            if (f != NULL) {
                memset(f + off, 0, n);
            }
        }
        gpa += n;
        len -= n;
    }
    stor_invalidate(st, start, total);
    return rc;
}

int
stor_write(struct stor *st, uint64_t gpa, const void *src, size_t len)
{
    static const uint8_t none;
    stor_pin(st);
    int rc = stor_fill(st, gpa, src != NULL ? src : &none, len);
    stor_unpin(st);
    return rc;
}

static int stor_release_pinned(struct stor *st, uint64_t gpa, uint64_t len);

int
stor_zero(struct stor *st, uint64_t gpa, uint64_t len)
{
    if (!stor_range_ok(st, gpa, len)) {
        return -EFAULT;
    }
    /* Whole pages are released (they read as zero and cost nothing, also
     * when they were paged out); only partial ones at the ends are
     * cleared in place. */
    uint64_t lo = (gpa + STOR_PAGE_MASK) & ~STOR_PAGE_MASK;
    uint64_t hi = (gpa + len) & ~STOR_PAGE_MASK;
    stor_pin(st);
    int rc;
    if (lo >= hi) {
        rc = stor_fill(st, gpa, NULL, len);
    } else {
        rc = stor_fill(st, gpa, NULL, lo - gpa);
        if (rc == 0) {
            rc = stor_release_pinned(st, lo, hi - lo);
        }
        if (rc == 0) {
            rc = stor_fill(st, hi, NULL, gpa + len - hi);
        }
    }
    stor_unpin(st);
    return rc;
}

static int
stor_pages_ok(const struct stor *st, uint64_t gpa, uint64_t len)
{
    if ((gpa & STOR_PAGE_MASK) != 0 || (len & STOR_PAGE_MASK) != 0) {
        return -EINVAL;
    }
    return stor_range_ok(st, gpa, len) ? 0 : -EFAULT;
}

static int
stor_release_pinned(struct stor *st, uint64_t gpa, uint64_t len)
{
    int rc = stor_pages_ok(st, gpa, len);
    if (rc != 0 || len == 0) {
        return rc;
    }
    /* Translations first: they are of the bytes about to vanish. */
    stor_invalidate(st, gpa, len);
    for (uint64_t pn = gpa >> STOR_PAGE_SHIFT; pn < (gpa + len) >> STOR_PAGE_SHIFT; pn++) {
        struct stor_leaf *l = stor_leaf_get(st, pn);
        if (l == NULL) {
            /* Skip to the next leaf. */
            pn |= STOR_LEAF_PAGES - 1;
            continue;
        }
        unsigned i = pn & (STOR_LEAF_PAGES - 1);
        if (l->frame[i] != NULL && (l->meta[i] & STOR_M_SHARED)) {
            /* Unmapped, never freed: the segment owns the frame. */
            l->frame[i] = NULL;
            l->nframes--;
            st->shared--;
            l->meta[i] &= ~STOR_M_SHARED;
            stor_seg_unmapped(st, pn);
        } else if (l->frame[i] != NULL) {
            stor_frame_free(l->frame[i]);
            l->frame[i] = NULL;
            l->nframes--;
            st->resident--;
            paging_frames_add(-1);
        }
        stor_slot_drop(st, l, i); /* never written out again */
        l->meta[i] &= ~(STOR_M_DIRTY | STOR_M_REF);
        stor_leaf_trim(st, pn);
    }
    st->gen++;
    return 0;
}

static int
stor_protect_pinned(struct stor *st, uint64_t gpa, uint64_t len, int mode)
{
    int rc = stor_pages_ok(st, gpa, len);
    if (rc != 0) {
        return rc;
    }
    if (mode != DIAG_PROT_USER_RW && mode != DIAG_PROT_USER_RO && mode != DIAG_PROT_USER_NONE) {
        return -EINVAL;
    }
    for (uint64_t pn = gpa >> STOR_PAGE_SHIFT; pn < (gpa + len) >> STOR_PAGE_SHIFT; pn++) {
        rc = stor_prot_set(st, pn, (unsigned)mode);
        if (rc != 0) {
            break;
        }
    }
    st->gen++;
    return rc;
}

uint64_t
stor_resident_pages(const struct stor *st)
{
    return st->resident;
}

size_t
stor_map_footprint(const struct stor *st)
{
    return sizeof *st + st->nroot * sizeof *st->root + st->nleaves * sizeof(struct stor_leaf);
}

int
stor_read(struct stor *st, uint64_t gpa, void *dst, size_t len)
{
    stor_pin(st);
    int rc = stor_read_pinned(st, gpa, dst, len);
    stor_unpin(st);
    return rc;
}

int
stor_release(struct stor *st, uint64_t gpa, uint64_t len)
{
    stor_pin(st);
    int rc = stor_release_pinned(st, gpa, len);
    stor_unpin(st);
    return rc;
}

int
stor_protect(struct stor *st, uint64_t gpa, uint64_t len, int mode)
{
    stor_pin(st);
    int rc = stor_protect_pinned(st, gpa, len, mode);
    stor_unpin(st);
    return rc;
}
