/* SPDX-License-Identifier: MIT */
/*
 * cp/rv_xlate_int.h - internals of the translation cache shared by
 * cp/rv_xlate.c (a storage's own cache: blocks, pages, chains, eviction,
 * invalidation) and cp/rv_xlate_shared.c (the caches that saved segments
 * own, shared by every CPU that maps the segment whole).  Only those two
 * include it; the rest of the CPU uses the rv_xc_* calls of cp/rv_int.h.
 */
#ifndef CP_RV_XLATE_INT_H
#define CP_RV_XLATE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/rv_int.h"

/* Segments one cache may hold a translation reference on at once. */
#define RV_SXC_HELD (2 * STOR_SEG_MAX)

/* A page with code that guest stores keep changing. */
struct rv_hot {
    uint64_t pn;
    uint32_t kills; /* store invalidations seen */
    uint32_t interp_left; /* > 0: interpreted for this many more insns */
};

struct rv_xpage {
    uint64_t pn;
    struct rv_xpage *hnext;
    struct rv_block *head;
    uint32_t nblocks;
    uint64_t chunks; /* 64-byte chunks covered by blocks */
};

/* The translation cache of one storage (one CPU). */
struct rv_xc {
    struct rv_xc_pub pub; /* first: what the interpreter reads inline */
    struct stor *st;
    struct rv_stats *stats;
    struct rv_block **bh;
    uint32_t bmask, nblocks;
    struct rv_xpage **ph;
    uint32_t pmask, npages;
    struct rv_tlb *tlb;
    bool busy;
    uint64_t kills;
    _Atomic size_t bytes;
    /* Eviction: the lock held by the thread running the CPU (and by an
     * evicting thread), the registry links, the CLOCK ring and hand. */
    pthread_mutex_t lock;
    struct rv_xc *reg_prev, *reg_next;
    struct rv_block *hand;
    bool foreign; /* another thread evicted from it since its last run */
    uint64_t foreign_evictions; /* blocks it evicted, not yet in stats */
    struct rv_hot *hot; /* RV_HOT_N entries, or NULL */
    struct rv_block *scratch; /* for interpreted instructions, or NULL */
    bool page_wait; /* code on a page that is out: RV_XLATE_PAGEOUT */
    uint64_t pageout_pn; /* the page of the last RV_XLATE_PAGEOUT */
    /* Saved segments whose shared translations this cache has run, one
     * reference each: their blocks stay alive while a jump cache may name
     * them.  Dropped at attach once the stor no longer maps the segment. */
    struct stor_seg *held[RV_SXC_HELD];
};

/* The hash of a block's pc, for both kinds of cache. */
static inline uint32_t
rv_xlate_hash_pc(uint64_t pc)
{
    uint64_t h = (pc >> 1) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

/* ---- cp/rv_xlate_shared.c ------------------------------------------------ */

struct rv_sxc; /* a saved segment's shared cache */

/* The shared cache xc may use for code at page pn (pn < npages): pn maps a
 * saved segment that xc's stor still maps whole (no page made private);
 * xc then holds a translation reference on the segment.  NULL: translate
 * privately.  On the thread running xc's CPU. */
struct rv_sxc *rv_sxc_for(struct rv_xc *xc, uint64_t pn);

/* Lock-free, any thread: the block at pc in sx, or NULL. */
struct rv_block *rv_sxc_find(struct rv_sxc *sx, uint64_t pc);

/* Whether sx may take a new block of `bytes` host bytes (it is capped). */
bool rv_sxc_room(const struct rv_sxc *sx, size_t bytes);

/* Publishes b (translated by xc, b->shared and b->home set) in sx and
 * returns it; or, when another thread published a block at the same pc
 * first, frees b and returns that one.  The block is immutable after. */
struct rv_block *rv_sxc_publish(struct rv_xc *xc, struct rv_sxc *sx, struct rv_block *b);

/* Before a run (rv_xc_attach): drops xc's references to segments its stor
 * no longer maps, flushing tlb first (its jump cache may name their
 * blocks).  rv_xc_held_put_all drops every reference (rv_xc_destroy). */
void rv_xc_held_drop(struct rv_xc *xc, struct rv_tlb *tlb);
void rv_xc_held_put_all(struct rv_xc *xc);

#endif /* CP_RV_XLATE_INT_H */
