// SPDX-License-Identifier: MIT
/*
 * cp/rv_xlate_shared.c - the translation caches that saved segments own
 * (cp/rv_xlate_int.h), shared by every CPU whose storage maps the segment
 * whole.  cp/rv_xlate.c asks here on a lookup miss at a shared page and
 * publishes the blocks it translates there; it keeps a storage's own cache.
 *
 * A segment's cache (struct rv_sxc) maps pc -> block and is read without a
 * lock: a block is published whole (a release store of its bucket head),
 * never changed after (but for its exits' chains to blocks of the same
 * cache, set once, atomically, by rv_xc_link), never unlinked, and freed
 * only with the segment (stor_seg_xcache_set's free function).  Every CPU
 * maps a segment at the same guest address, so the key is the guest pc.
 * Shared blocks are not on any CLOCK ring nor counted in the evicting cap:
 * each segment's cache has a cap of its own (a floor plus a multiple of its
 * size, so a guest jumping to every halfword cannot grow it without bound);
 * beyond it, code is translated privately.
 *
 * A cache that ran a segment's blocks holds a translation reference on the
 * segment (xc->held) until its storage no longer maps it, so its jump
 * cache never names a freed block.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "cp/rv_xlate_int.h"

#define RV_SXC_MIN ((size_t)1 << 20)
#define RV_SXC_PER_BYTE 16

struct rv_sxc {
    pthread_mutex_t lock; /* publishers */
    size_t cap;
    _Atomic size_t bytes;
    uint32_t mask;
    _Atomic(struct rv_block *) bh[];
};

static _Atomic size_t rv_xlate_shared_total;

static void
sxc_free(void *p)
{
    struct rv_sxc *sx = p;
    for (uint32_t i = 0; i <= sx->mask; i++) {
        struct rv_block *b = atomic_load_explicit(&sx->bh[i], memory_order_relaxed);
        while (b != NULL) {
            struct rv_block *next = b->hnext;
            free(b);
            b = next;
        }
    }
    atomic_fetch_sub_explicit(&rv_xlate_shared_total,
                              atomic_load_explicit(&sx->bytes, memory_order_relaxed),
                              memory_order_relaxed);
    pthread_mutex_destroy(&sx->lock);
    free(sx);
}

/* The shared cache of seg, made on first use (NULL: out of memory). */
static struct rv_sxc *
sxc_of(struct stor_seg *seg)
{
    struct rv_sxc *sx = stor_seg_xcache(seg);
    if (sx != NULL) {
        return sx;
    }
    uint64_t npages = stor_seg_size(seg) >> STOR_PAGE_SHIFT;
    uint32_t n = 64;
    while (n < npages * 8 && n < (1u << 20)) {
        n <<= 1;
    }
    sx = calloc(1, sizeof *sx + n * sizeof sx->bh[0]);
    if (sx == NULL) {
        return NULL;
    }
    pthread_mutex_init(&sx->lock, NULL);
    sx->mask = n - 1;
    sx->cap = RV_SXC_MIN + (size_t)stor_seg_size(seg) * RV_SXC_PER_BYTE;
    for (uint32_t i = 0; i < n; i++) {
        atomic_init(&sx->bh[i], NULL);
    }
    if (!stor_seg_xcache_set(seg, sx, sxc_free)) {
        sxc_free(sx);
        sx = stor_seg_xcache(seg);
    }
    return sx;
}

struct rv_block *
rv_sxc_find(struct rv_sxc *sx, uint64_t pc)
{
    struct rv_block *b = atomic_load_explicit(&sx->bh[rv_xlate_hash_pc(pc) & sx->mask],
                                              memory_order_acquire);
    for (; b != NULL; b = b->hnext) {
        if (b->pc == pc) {
            return b;
        }
    }
    return NULL;
}

struct rv_sxc *
rv_sxc_for(struct rv_xc *xc, uint64_t pn)
{
    if (!(stor_meta(xc->st, pn) & STOR_M_SHARED)) {
        return NULL;
    }
    struct stor_seg *seg = stor_seg_intact(xc->st, pn);
    if (seg == NULL) {
        return NULL;
    }
    int k = -1;
    for (int i = 0; i < RV_SXC_HELD; i++) {
        if (xc->held[i] == seg) {
            return sxc_of(seg);
        }
        if (xc->held[i] == NULL && k < 0) {
            k = i;
        }
    }
    if (k < 0) {
        return NULL; /* too many replaced segments since the last run */
    }
    xc->held[k] = stor_seg_xhold(seg);
    return sxc_of(seg);
}

struct rv_block *
rv_sxc_publish(struct rv_xc *xc, struct rv_sxc *sx, struct rv_block *b)
{
    pthread_mutex_lock(&sx->lock);
    struct rv_block *o = rv_sxc_find(sx, b->pc);
    if (o != NULL) {
        pthread_mutex_unlock(&sx->lock);
        free(b);
        xc->stats->shared_hits++;
        return o;
    }
    _Atomic(struct rv_block *) *head = &sx->bh[rv_xlate_hash_pc(b->pc) & sx->mask];
    b->hnext = atomic_load_explicit(head, memory_order_relaxed);
    atomic_fetch_add_explicit(&sx->bytes, b->bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&rv_xlate_shared_total, b->bytes, memory_order_relaxed);
    atomic_store_explicit(head, b, memory_order_release);
    pthread_mutex_unlock(&sx->lock);
    xc->stats->blocks_translated++;
    xc->stats->blocks_shared++;
    return b;
}

size_t
rv_xlate_shared_bytes(void)
{
    return atomic_load_explicit(&rv_xlate_shared_total, memory_order_relaxed);
}

/* Whether st still maps seg (intact or not). */
static bool
stor_maps(const struct stor *st, const struct stor_seg *seg)
{
    for (unsigned i = 0; i < STOR_SEG_MAX; i++) {
        if (st->segs[i].seg == seg) {
            return true;
        }
    }
    return false;
}

void
rv_xc_held_drop(struct rv_xc *xc, struct rv_tlb *tlb)
{
    bool flushed = false;
    for (unsigned i = 0; i < RV_SXC_HELD; i++) {
        if (xc->held[i] != NULL && !stor_maps(xc->st, xc->held[i])) {
            if (!flushed) {
                rv_tlb_flush(tlb);
                tlb->gen = xc->st->gen;
                flushed = true;
            }
            stor_seg_xput(xc->held[i]);
            xc->held[i] = NULL;
        }
    }
}

bool
rv_sxc_room(const struct rv_sxc *sx, size_t bytes)
{
    return atomic_load_explicit(&sx->bytes, memory_order_relaxed) + bytes <= sx->cap;
}

void
rv_xc_held_put_all(struct rv_xc *xc)
{
    for (unsigned i = 0; i < RV_SXC_HELD; i++) {
        stor_seg_xput(xc->held[i]);
        xc->held[i] = NULL;
    }
}
