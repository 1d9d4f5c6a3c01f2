// SPDX-License-Identifier: MIT
/*
 * cp/rv_xlate.c - scan-and-translate and the translation cache.
 *
 * Scanning starts at the pc a jump actually reaches (so compressed code is
 * never read out of step) and decodes instructions (cp/rv_decode.c) into a
 * block until a control transfer, a sensitive instruction, the end of the
 * page or RV_BLOCK_MAX_OPS.  A 4-byte instruction that straddles a page
 * boundary ends the block before it and then makes a block of its own, the
 * only kind that touches two pages.
 *
 * The cache of one storage:
 *   - a hash table pc -> block (blocks' hnext chains);
 *   - per guest page with code, an rv_xpage: its blocks (a doubly linked
 *     list through blk->pl[]) and a bitmap of the 64-byte chunks they
 *     cover, so stores near code but not into it stay cheap;
 *   - chains: exit k of a block points straight at the next block, and each
 *     block keeps the list of exits pointing at it, so killing a block cuts
 *     every chain into it.
 * A page that holds blocks carries STOR_M_CODE: no TLB gives it write
 * entries, so every store into it reaches rv_mem.c's slow path, which asks
 * rv_xc_overlaps() and then stor_invalidate() (the one invalidation path,
 * also used by fence.i and CP's stor_write/stor_zero/stor_release), which
 * lands in xc_invalidate() here.
 *
 * While a CPU runs, killed blocks become zombies (the interpreter may still
 * be inside one) and are freed by rv_xc_reap() between blocks.
 *
 * Eviction.  Translation memory is counted for all caches together against
 * rv_xlate_cap.  A cache that needs room beyond it evicts, least recently
 * used first, down to 7/8 of the cap (so that eviction is rare):
 *   1. caches of other CPUs in the order they last ran (the registry list
 *      below is kept in that order), skipping any that a thread is running
 *      (each cache has a lock its runner holds for the whole of
 *      rv_cpu_run; an evicting thread only try-locks it);
 *   2. then its own blocks by CLOCK: every block sits on a ring and counts
 *      the times it is entered (the first entry, right after translation,
 *      does not count); the hand zeroes nonzero counts and evicts the
 *      first block found at zero.  So blocks run once go first, and a loop
 *      entered again and again stays.
 * Evicting from another CPU's cache touches only that cache: not its
 * storage (its pages keep STOR_M_CODE, which is only slower, until the
 * owner tidies them at its next run) and not its generation (the owner
 * flushes its TLB, whose jump cache may name freed blocks, at that run).
 *
 * Shared translations.  A saved segment owns a second cache (struct
 * rv_sxc, in cp/rv_xlate_shared.c): pc -> block, read without a lock,
 * blocks published whole and freed only with the segment.  A CPU asks it
 * on a miss at a page of a segment its storage still maps whole
 * (stor_seg_intact); one private page and that CPU translates the
 * segment's code privately again.  Shared
 * blocks are not on any CLOCK ring nor counted in the evicting cap, their
 * ref is not written, and an exit of one is chained only to a block of the
 * same segment's cache (once, atomically).  A CPU that used a segment's
 * cache holds a translation reference on it (xc->held) until its storage
 * no longer maps it, so its jump cache never names a freed block.
 *
 * Self-modifying code.  A page whose translations guest stores kill
 * RV_SMC_KILLS times goes to plain interpretation for RV_SMC_INSNS
 * instructions run from it: it loses its blocks and STOR_M_CODE (so stores
 * into it are ordinary stores), and each instruction fetched from it is
 * decoded into a one-instruction scratch block that is run once, never
 * cached or chained.  After that the page is translated again, and goes
 * back if the stores go on.  Only small invalidations (a guest store, at
 * most 8 bytes) count: loading programs or fence.i never send a page
 * there.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cp/rv_decode.h"
#include "cp/rv_xlate_int.h"

#define RV_XLATE_CAP ((size_t)256 << 20)

unsigned rv_xlate_limit = RV_BLOCK_MAX_OPS - 1;
bool rv_xlate_nochain;

/* Stores that kill translations of a page before it is interpreted, and
 * instructions it is then interpreted for. */
#define RV_SMC_KILLS 8
#define RV_SMC_INSNS 65536
/* Pages remembered per cache for that (a small table, made on first use). */
#define RV_HOT_N 16

/* The cache whose CPU the calling thread is running (holding its lock). */
static _Thread_local struct rv_xc *rv_xc_running;

/* Every cache, least recently run first (rv_xc_attach moves it last). */
static pthread_mutex_t rv_xc_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rv_xc *rv_xc_reg_head, *rv_xc_reg_tail;

static _Atomic size_t rv_xlate_total;
static _Atomic size_t rv_xlate_cap = RV_XLATE_CAP;

static inline uint32_t
hash_pn(uint64_t pn)
{
    return (uint32_t)((pn * 0x9E3779B97F4A7C15ull) >> 32);
}

static void xc_invalidate(void *ctx, uint64_t gpa, uint64_t len);
static void xc_invalidate_range(struct rv_xc *xc, uint64_t gpa, uint64_t len);

struct rv_xc *
rv_xc_create(struct stor *st, struct rv_stats *stats)
{
    struct rv_xc *xc = calloc(1, sizeof *xc);
    if (xc == NULL) {
        return NULL;
    }
    xc->st = st;
    xc->stats = stats;
    xc->bmask = 255;
    xc->pmask = 63;
    xc->bh = calloc(xc->bmask + 1, sizeof *xc->bh);
    xc->ph = calloc(xc->pmask + 1, sizeof *xc->ph);
    if (xc->bh == NULL || xc->ph == NULL) {
        free(xc->bh);
        free(xc->ph);
        free(xc);
        return NULL;
    }
    pthread_mutex_init(&xc->lock, NULL);
    stor_set_code_fn(st, xc_invalidate, xc);
    pthread_mutex_lock(&rv_xc_reg_lock);
    xc->reg_prev = rv_xc_reg_tail;
    if (rv_xc_reg_tail != NULL) {
        rv_xc_reg_tail->reg_next = xc;
    } else {
        rv_xc_reg_head = xc;
    }
    rv_xc_reg_tail = xc;
    pthread_mutex_unlock(&rv_xc_reg_lock);
    return xc;
}

/* Takes xc out of the registry list (registry lock held). */
static void
reg_unlink(struct rv_xc *xc)
{
    if (xc->reg_prev != NULL) {
        xc->reg_prev->reg_next = xc->reg_next;
    } else {
        rv_xc_reg_head = xc->reg_next;
    }
    if (xc->reg_next != NULL) {
        xc->reg_next->reg_prev = xc->reg_prev;
    } else {
        rv_xc_reg_tail = xc->reg_prev;
    }
    xc->reg_prev = xc->reg_next = NULL;
}

static void xc_flush_all(struct rv_xc *xc);
static void xc_tidy(struct rv_xc *xc);

void
rv_xc_destroy(struct rv_xc *xc)
{
    if (xc == NULL) {
        return;
    }
    pthread_mutex_lock(&rv_xc_reg_lock);
    reg_unlink(xc);
    pthread_mutex_unlock(&rv_xc_reg_lock);
    pthread_mutex_lock(&xc->lock); /* wait for an evicting thread */
    xc->busy = false;
    xc->tlb = NULL;
    xc_flush_all(xc);
    rv_xc_reap(xc);
    xc_tidy(xc);
    pthread_mutex_unlock(&xc->lock);
    pthread_mutex_destroy(&xc->lock);
    stor_set_code_fn(xc->st, NULL, NULL);
    rv_xc_held_put_all(xc);
    free(xc->bh);
    free(xc->ph);
    free(xc->hot);
    free(xc->scratch);
    free(xc);
}

void
rv_xc_attach(struct rv_xc *xc, struct rv_tlb *tlb)
{
    pthread_mutex_lock(&xc->lock);
    pthread_mutex_lock(&rv_xc_reg_lock);
    if (xc != rv_xc_reg_tail) {
        reg_unlink(xc);
        xc->reg_prev = rv_xc_reg_tail;
        rv_xc_reg_tail->reg_next = xc;
        rv_xc_reg_tail = xc;
    }
    pthread_mutex_unlock(&rv_xc_reg_lock);
    xc->tlb = tlb;
    xc->busy = true;
    rv_xc_running = xc;
    if (xc->foreign) {
        /* Another thread evicted blocks: jump caches may name them, and
         * pages it emptied still carry STOR_M_CODE. */
        xc->foreign = false;
        xc->stats->evictions += xc->foreign_evictions;
        xc->foreign_evictions = 0;
        rv_tlb_flush(tlb);
        xc_tidy(xc);
    }
    rv_xc_held_drop(xc, tlb);
}

void
rv_xc_detach(struct rv_xc *xc)
{
    xc->busy = false;
    xc->tlb = NULL;
    rv_xc_reap(xc);
    rv_xc_running = NULL;
    pthread_mutex_unlock(&xc->lock);
}

static void
block_free(struct rv_xc *xc, struct rv_block *b)
{
    atomic_fetch_sub_explicit(&xc->bytes, b->bytes, memory_order_relaxed);
    atomic_fetch_sub_explicit(&rv_xlate_total, b->bytes, memory_order_relaxed);
    free(b);
}

void
rv_xc_reap(struct rv_xc *xc)
{
    while (xc->pub.zombies != NULL) {
        struct rv_block *b = xc->pub.zombies;
        xc->pub.zombies = b->znext;
        block_free(xc, b);
    }
}

uint64_t
rv_xc_kills(const struct rv_xc *xc)
{
    return xc->kills;
}

size_t
rv_xc_footprint(const struct rv_xc *xc)
{
    return sizeof *xc + (xc->bmask + 1) * sizeof *xc->bh + (xc->pmask + 1) * sizeof *xc->ph +
           xc->npages * sizeof(struct rv_xpage) +
           atomic_load_explicit(&xc->bytes, memory_order_relaxed) +
           (xc->hot != NULL ? RV_HOT_N * sizeof *xc->hot : 0);
}

/* ---- pages --------------------------------------------------------------- */

static struct rv_xpage *
xpage_find(const struct rv_xc *xc, uint64_t pn)
{
    for (struct rv_xpage *p = xc->ph[hash_pn(pn) & xc->pmask]; p != NULL; p = p->hnext) {
        if (p->pn == pn) {
            return p;
        }
    }
    return NULL;
}

static void
xpage_grow(struct rv_xc *xc)
{
    uint32_t nmask = xc->pmask * 2 + 1;
    struct rv_xpage **nh = calloc(nmask + 1, sizeof *nh);
    if (nh == NULL) {
        return; /* keep the smaller table: still correct */
    }
    for (uint32_t i = 0; i <= xc->pmask; i++) {
        struct rv_xpage *p = xc->ph[i];
        while (p != NULL) {
            struct rv_xpage *next = p->hnext;
            uint32_t h = hash_pn(p->pn) & nmask;
            p->hnext = nh[h];
            nh[h] = p;
            p = next;
        }
    }
    free(xc->ph);
    xc->ph = nh;
    xc->pmask = nmask;
}

/* Keeps the TLB of the running thread in step with a change of storage
 * metadata it has already applied to itself: gen g0 was current before. */
static void
xc_tlb_catch_up(struct rv_xc *xc, uint64_t g0)
{
    if (xc->tlb != NULL && xc->tlb->gen == g0) {
        xc->tlb->gen = xc->st->gen;
    }
}

static struct rv_xpage *
xpage_need(struct rv_xc *xc, uint64_t pn)
{
    struct rv_xpage *p = xpage_find(xc, pn);
    if (p != NULL) {
        return p;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    uint64_t g0 = xc->st->gen;
    if (stor_meta_set(xc->st, pn, STOR_M_CODE) != 0) {
        free(p);
        return NULL;
    }
    /* No write entries for code pages, in this thread's TLB at once. */
    if (xc->tlb != NULL) {
        rv_tlb_drop_page(xc->tlb, pn);
    }
    xc_tlb_catch_up(xc, g0);
    p->pn = pn;
    uint32_t h = hash_pn(pn) & xc->pmask;
    p->hnext = xc->ph[h];
    xc->ph[h] = p;
    if (++xc->npages > 2 * (xc->pmask + 1)) {
        xpage_grow(xc);
    }
    return p;
}

static void
xpage_remove(struct rv_xc *xc, struct rv_xpage *p)
{
    struct rv_xpage **pp = &xc->ph[hash_pn(p->pn) & xc->pmask];
    while (*pp != p) {
        pp = &(*pp)->hnext;
    }
    *pp = p->hnext;
    xc->npages--;
    uint64_t g0 = xc->st->gen;
    stor_meta_clear(xc->st, p->pn, STOR_M_CODE);
    xc_tlb_catch_up(xc, g0);
    free(p);
}

/* The bits of the 64-byte chunks of [lo, hi) within page pn. */
static uint64_t
chunk_bits(uint64_t pn, uint64_t lo, uint64_t hi)
{
    uint64_t base = pn << STOR_PAGE_SHIFT;
    uint64_t a = lo > base ? lo - base : 0;
    uint64_t b = hi < base + STOR_PAGE_SIZE ? hi - base : STOR_PAGE_SIZE;
    if (b <= a) {
        return 0;
    }
    unsigned c0 = (unsigned)(a >> 6), c1 = (unsigned)((b - 1) >> 6);
    uint64_t m = c1 == 63 ? ~0ull : ((1ull << (c1 + 1)) - 1);
    return m & ~((1ull << c0) - 1);
}

static inline struct rv_pglink *
pl_of(struct rv_block *b, uint64_t pn)
{
    return &b->pl[(b->pc >> STOR_PAGE_SHIFT) == pn ? 0 : 1];
}

static void
xpage_recompute(struct rv_xpage *p)
{
    uint64_t m = 0;
    for (struct rv_block *b = p->head; b != NULL; b = pl_of(b, p->pn)->next) {
        m |= chunk_bits(p->pn, b->pc, b->pc + b->len);
    }
    p->chunks = m;
}

uint64_t
rv_xc_page_chunks(const struct rv_xc *xc, uint64_t pn)
{
    const struct rv_xpage *p = xpage_find(xc, pn);
    return p != NULL ? p->chunks : 0;
}

bool
rv_xc_overlaps(const struct rv_xc *xc, uint64_t gpa, uint64_t len)
{
    if (len == 0) {
        return false;
    }
    for (uint64_t pn = gpa >> STOR_PAGE_SHIFT; pn <= (gpa + len - 1) >> STOR_PAGE_SHIFT; pn++) {
        const struct rv_xpage *p = xpage_find(xc, pn);
        if (p != NULL && (p->chunks & chunk_bits(pn, gpa, gpa + len)) != 0) {
            return true;
        }
    }
    return false;
}

/* ---- blocks -------------------------------------------------------------- */

static void
bhash_grow(struct rv_xc *xc)
{
    uint32_t nmask = xc->bmask * 2 + 1;
    struct rv_block **nh = calloc(nmask + 1, sizeof *nh);
    if (nh == NULL) {
        return;
    }
    for (uint32_t i = 0; i <= xc->bmask; i++) {
        struct rv_block *b = xc->bh[i];
        while (b != NULL) {
            struct rv_block *next = b->hnext;
            uint32_t h = rv_xlate_hash_pc(b->pc) & nmask;
            b->hnext = nh[h];
            nh[h] = b;
            b = next;
        }
    }
    free(xc->bh);
    xc->bh = nh;
    xc->bmask = nmask;
}

static void
exit_unlink(struct rv_exit *e)
{
    if (e->to != NULL) {
        *e->in_pprev = e->in_next;
        if (e->in_next != NULL) {
            e->in_next->in_pprev = e->in_pprev;
        }
        e->to = NULL;
        e->in_next = NULL;
        e->in_pprev = NULL;
    }
}

void
rv_xc_link(struct rv_xc *xc, struct rv_block *from, struct rv_exit *e, struct rv_block *to)
{
    if (from->shared || to->shared) {
        /* Shared blocks chain only to blocks of the same segment's cache:
         * neither dies before the segment, and every VM that runs one runs
         * the other.  Set once, with a release store (other threads may be
         * reading the exit); no in-list. */
        if (from->shared && to->shared && from->home == to->home && e->pc == to->pc &&
            __atomic_load_n(&e->to, __ATOMIC_RELAXED) == NULL) {
            __atomic_store_n(&e->to, to, __ATOMIC_RELEASE);
        }
        return;
    }
    if (from->scratch || to->scratch || from->dead || to->dead || e->to == to ||
        e->pc != to->pc) {
        return;
    }
    exit_unlink(e);
    e->to = to;
    e->in_next = to->in_head;
    if (to->in_head != NULL) {
        to->in_head->in_pprev = &e->in_next;
    }
    e->in_pprev = &to->in_head;
    to->in_head = e;
}

/* Why a block is killed: its code changed (counted as an invalidation),
 * evicted for room by the thread running its CPU, or evicted by another
 * thread holding the cache's lock (touch nothing outside the cache: see
 * the top). */
enum xc_why { XC_INVALIDATE, XC_EVICT, XC_EVICT_FOREIGN };

static void
xc_kill_as(struct rv_xc *xc, struct rv_block *b, enum xc_why why)
{
    bool foreign = why == XC_EVICT_FOREIGN;
    if (b->dead) {
        return;
    }
    b->dead = 1;
    /* off the CLOCK ring */
    if (b->lnext == b) {
        xc->hand = NULL;
    } else {
        b->lprev->lnext = b->lnext;
        b->lnext->lprev = b->lprev;
        if (xc->hand == b) {
            xc->hand = b->lnext;
        }
    }
    b->lnext = b->lprev = NULL;
    struct rv_block **pp = &xc->bh[rv_xlate_hash_pc(b->pc) & xc->bmask];
    while (*pp != b) {
        pp = &(*pp)->hnext;
    }
    *pp = b->hnext;
    xc->nblocks--;

    uint64_t pn0 = b->pc >> STOR_PAGE_SHIFT;
    for (int i = 0; i <= b->two_pages; i++) {
        struct rv_pglink *l = &b->pl[i];
        *l->pprev = l->next;
        if (l->next != NULL) {
            pl_of(l->next, pn0 + (uint64_t)i)->pprev = l->pprev;
        }
        struct rv_xpage *p = xpage_find(xc, pn0 + (uint64_t)i);
        if (--p->nblocks == 0 && !foreign) {
            xpage_remove(xc, p);
        }
    }
    while (b->in_head != NULL) {
        exit_unlink(b->in_head);
    }
    for (uint32_t i = 0; i < b->nexits; i++) {
        exit_unlink(&b->exits[i]);
    }
    if (foreign) {
        xc->foreign = true;
        xc->foreign_evictions++;
        xc->kills++;
        block_free(xc, b);
        return;
    }
    /* Jump caches may name the block: the running thread's forgets it now,
     * every other TLB (or this one, when nothing runs) sees the new
     * generation and flushes before it is used again. */
    uint64_t g0 = xc->st->gen;
    xc->st->gen++;
    if (xc->tlb != NULL) {
        struct rv_jce *j = &xc->tlb->jc[rv_jc_index(b->pc)];
        if (j->blk == b) {
            j->blk = NULL;
            j->pc = 1;
        }
        xc_tlb_catch_up(xc, g0);
    }
    if (why == XC_INVALIDATE) {
        xc->stats->invalidations++;
    } else {
        xc->stats->evictions++;
    }
    xc->kills++;
    if (xc->busy) {
        b->znext = xc->pub.zombies;
        xc->pub.zombies = b;
    } else {
        block_free(xc, b);
    }
}

static void
xc_kill(struct rv_xc *xc, struct rv_block *b)
{
    xc_kill_as(xc, b, XC_INVALIDATE);
}

/* The owner: drops pages that a foreign eviction left without blocks. */
static void
xc_tidy(struct rv_xc *xc)
{
    for (uint32_t i = 0; i <= xc->pmask; i++) {
        struct rv_xpage *p = xc->ph[i];
        while (p != NULL) {
            struct rv_xpage *next = p->hnext;
            if (p->nblocks == 0) {
                xpage_remove(xc, p);
            } else {
                xpage_recompute(p);
            }
            p = next;
        }
    }
}

/* CLOCK over the ring of xc: evicts blocks not entered since the hand last
 * passed until `want` bytes are freed or the ring is empty.  Returns the
 * bytes freed (or made zombies). */
static size_t
xc_evict_clock(struct rv_xc *xc, size_t want, bool foreign)
{
    size_t freed = 0;
    uint64_t steps = 2ull * xc->nblocks + 2;
    while (freed < want && xc->hand != NULL && steps-- > 0) {
        struct rv_block *b = xc->hand;
        if (b->ref != 0 && b->ref != UINT32_MAX) { /* entered since */
            b->ref = 0;
            xc->hand = b->lnext;
            continue;
        }
        freed += b->bytes;
        xc_kill_as(xc, b, foreign ? XC_EVICT_FOREIGN : XC_EVICT);
    }
    return freed;
}

/* Room for `need` more bytes under the cap (see the top): other caches
 * least recently run first, then our own by CLOCK. */
static void
xc_make_room(struct rv_xc *xc, size_t need)
{
    size_t cap = atomic_load_explicit(&rv_xlate_cap, memory_order_relaxed);
    size_t total = atomic_load_explicit(&rv_xlate_total, memory_order_relaxed);
    if (total + need <= cap) {
        return;
    }
    size_t low = cap - cap / 8;
    size_t want = total + need > low ? total + need - low : 0, freed = 0;
    pthread_mutex_lock(&rv_xc_reg_lock);
    for (struct rv_xc *v = rv_xc_reg_head; v != NULL && freed < want; v = v->reg_next) {
        if (v == xc || atomic_load_explicit(&v->bytes, memory_order_relaxed) == 0 ||
            pthread_mutex_trylock(&v->lock) != 0) {
            continue; /* ourselves, empty, or running on another thread */
        }
        freed += xc_evict_clock(v, want - freed, true);
        pthread_mutex_unlock(&v->lock);
    }
    pthread_mutex_unlock(&rv_xc_reg_lock);
    if (freed < want) {
        xc_evict_clock(xc, want - freed, false);
    }
}

static void
xc_flush_all(struct rv_xc *xc)
{
    for (uint32_t i = 0; i <= xc->bmask; i++) {
        while (xc->bh[i] != NULL) {
            xc_kill(xc, xc->bh[i]);
        }
    }
}

/* Kills the blocks of page pn that overlap [lo, hi). */
static void
xc_invalidate_page(struct rv_xc *xc, uint64_t pn, uint64_t lo, uint64_t hi)
{
    bool killed;
    do {
        killed = false;
        struct rv_xpage *p = xpage_find(xc, pn);
        if (p == NULL) {
            return;
        }
        for (struct rv_block *b = p->head; b != NULL; b = pl_of(b, pn)->next) {
            if (b->pc < hi && b->pc + b->len > lo) {
                xc_kill(xc, b);
                killed = true;
                break;
            }
        }
    } while (killed);
    struct rv_xpage *p = xpage_find(xc, pn);
    if (p != NULL) {
        xpage_recompute(p);
    }
}

/* ---- self-modifying pages ------------------------------------------------- */

/* The entry of page pn in the table of hot pages, or NULL. */
static struct rv_hot *
hot_find(const struct rv_xc *xc, uint64_t pn)
{
    if (xc->hot != NULL) {
        for (unsigned i = 0; i < RV_HOT_N; i++) {
            if (xc->hot[i].pn == pn) {
                return &xc->hot[i];
            }
        }
    }
    return NULL;
}

/* The entry of page pn while it is interpreted, or NULL. */
static struct rv_hot *
hot_interp(const struct rv_xc *xc, uint64_t pn)
{
    struct rv_hot *h = hot_find(xc, pn);
    return h != NULL && h->interp_left > 0 ? h : NULL;
}

/* A guest store killed translations of page pn: count it, and past
 * RV_SMC_KILLS send the page to interpretation. */
static void
xc_smc_note(struct rv_xc *xc, uint64_t pn)
{
    if (xc->hot == NULL) {
        xc->hot = malloc(RV_HOT_N * sizeof *xc->hot);
        if (xc->hot == NULL) {
            return; /* only a heuristic: translate as before */
        }
        for (unsigned i = 0; i < RV_HOT_N; i++) {
            xc->hot[i] = (struct rv_hot){.pn = UINT64_MAX};
        }
    }
    struct rv_hot *h = hot_find(xc, pn);
    if (h == NULL) {
        /* a free slot, else the one with fewest kills not interpreted */
        h = &xc->hot[0];
        for (unsigned i = 0; i < RV_HOT_N; i++) {
            struct rv_hot *c = &xc->hot[i];
            if (c->pn == UINT64_MAX) {
                h = c;
                break;
            }
            if (c->interp_left == 0 && (h->interp_left > 0 || c->kills < h->kills)) {
                h = c;
            }
        }
        *h = (struct rv_hot){.pn = pn};
    }
    if (h->interp_left > 0 || ++h->kills < RV_SMC_KILLS) {
        return;
    }
    h->interp_left = RV_SMC_INSNS;
    uint64_t base = pn << STOR_PAGE_SHIFT;
    xc_invalidate_page(xc, pn, base, base + STOR_PAGE_SIZE);
}

/* The cache's side of stor_invalidate(): on the thread that runs the CPU,
 * or on any other thread (CP while no one runs the CPU, a paging worker):
 * that one takes the cache's lock, so it waits for a run to end and never
 * meets an evicting thread. */
static void
xc_invalidate(void *ctx, uint64_t gpa, uint64_t len)
{
    struct rv_xc *xc = ctx;
    bool lock = rv_xc_running != xc;
    if (lock) {
        pthread_mutex_lock(&xc->lock);
    }
    uint64_t k0 = xc->kills;
    xc_invalidate_range(xc, gpa, len);
    if (len <= 8 && xc->kills != k0) {
        xc_smc_note(xc, gpa >> STOR_PAGE_SHIFT);
    }
    if (lock) {
        pthread_mutex_unlock(&xc->lock);
    }
}

static void
xc_invalidate_range(struct rv_xc *xc, uint64_t gpa, uint64_t len)
{
    uint64_t first = gpa >> STOR_PAGE_SHIFT, last = (gpa + len - 1) >> STOR_PAGE_SHIFT;
    if (last - first + 1 > xc->npages) {
        /* Walk the pages we have rather than the range. */
        uint64_t *pns = malloc(xc->npages * sizeof *pns + 1);
        size_t n = 0;
        if (pns == NULL) {
            xc_flush_all(xc);
            return;
        }
        for (uint32_t i = 0; i <= xc->pmask; i++) {
            for (struct rv_xpage *p = xc->ph[i]; p != NULL; p = p->hnext) {
                if (p->pn >= first && p->pn <= last) {
                    pns[n++] = p->pn;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            xc_invalidate_page(xc, pns[i], gpa, gpa + len);
        }
        free(pns);
        return;
    }
    for (uint64_t pn = first; pn <= last; pn++) {
        xc_invalidate_page(xc, pn, gpa, gpa + len);
    }
}

/* ---- translation --------------------------------------------------------- */

static inline uint16_t
rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static const uint8_t *
page_ro(const struct stor *st, uint64_t pn)
{
    const uint8_t *f = stor_frame(st, pn);
    return f != NULL ? f : stor_zero_page;
}

static bool
is_branch(enum rv_opk k)
{
    return k == RV_OPK_BEQ || k == RV_OPK_BNE || k == RV_OPK_BLT || k == RV_OPK_BGE ||
           k == RV_OPK_BLTU || k == RV_OPK_BGEU;
}

/* Fuses the op just decoded (cur, kind k) into the one before it (prev,
 * kind pk) when they form a common pair, so the pair costs one dispatch.
 * Only ops that can never trap or leave are fused, and the fused op writes
 * every register the pair writes, in order.  true: cur was merged into
 * prev.  The block's iidx table maps ops back to instructions. */
static bool
xc_fuse(const void *const *H, struct rv_op *prev, unsigned pk, const struct rv_op *cur,
        unsigned k)
{
    if (rv_xlate_limit < RV_BLOCK_MAX_OPS - 1) {
        return false; /* the fuzz test's near-reference runs: no fusion */
    }
    /* lui/li rd, A; addi(w) rd, rd, B  and  auipc rd, A; addi rd, rd, B */
    if ((pk == RV_OPK_LI || pk == RV_OPK_AUIPC) &&
        (k == RV_OPK_ADDI || (k == RV_OPK_ADDIW && pk == RV_OPK_LI)) && cur->rs1 == prev->rd &&
        cur->rd == prev->rd) {
        int64_t v = (int64_t)prev->imm + cur->imm;
        if (k == RV_OPK_ADDIW) {
            v = (int32_t)(uint32_t)(uint64_t)v;
        }
        if (v < INT32_MIN || v > INT32_MAX) {
            return false;
        }
        prev->imm = (int32_t)v;
        return true;
    }
    /* slli t, rs, A; srli rd, t, B  (zero-extend and scale an index) */
    if (pk == RV_OPK_SLLI && (k == RV_OPK_SRLI || k == RV_OPK_SLLI) && cur->rs1 == prev->rd) {
        struct rv_op f = {.h = H[k == RV_OPK_SRLI ? RV_OPK_F_SLLI_SRLI : RV_OPK_F_SLLI_SLLI],
                          .rd = cur->rd, .rs1 = prev->rs1, .rs2 = prev->rd,
                          .imm = prev->imm | cur->imm << 8};
        *prev = f;
        return true;
    }
    /* slli/srli t, rs, A; add rd, t, base  (or add rd, base, t) */
    if ((pk == RV_OPK_SLLI || pk == RV_OPK_SRLI) && k == RV_OPK_ADD &&
        (cur->rs1 == prev->rd || cur->rs2 == prev->rd)) {
        unsigned base = cur->rs1 == prev->rd ? cur->rs2 : cur->rs1;
        struct rv_op f = {.h = H[pk == RV_OPK_SLLI ? RV_OPK_F_SLLI_ADD : RV_OPK_F_SRLI_ADD],
                          .rd = cur->rd, .rs1 = prev->rs1, .rs2 = (uint8_t)base,
                          .aux = prev->rd, .imm = prev->imm};
        *prev = f;
        return true;
    }
    return false;
}

/* Translates the block at pc: into sx when not NULL and the block can be
 * shared, else into xc. */
static struct rv_block *
xc_translate(struct rv_xc *xc, uint64_t pc, uint64_t *tval, struct rv_sxc *sx)
{
    const struct stor *st = xc->st;
    struct rv_op ops[RV_BLOCK_MAX_OPS];
    uint16_t pcoff[RV_BLOCK_MAX_OPS + 1];
    uint8_t iidx[RV_BLOCK_MAX_OPS + 1];
    uint8_t kind[RV_BLOCK_MAX_OPS];
    bool branch[RV_BLOCK_MAX_OPS];
    unsigned nop = 0; /* ops so far: fewer than instructions once fused */
    uint64_t exit_pc[RV_BLOCK_MAX_EXITS];
    unsigned nexits = 0;
    const void *const *H = rv_exec_handlers;
    uint64_t pn0 = pc >> STOR_PAGE_SHIFT;
    uint64_t a = pc;
    unsigned n = 0;
    bool two = false;

    if (pn0 >= st->npages) {
        *tval = pc;
        return NULL;
    }
    if (xc->page_wait && stor_page_out(st, pn0)) {
        /* the scanner would read it here: the CPU waits for it instead */
        xc->pageout_pn = pn0;
        *tval = RV_XLATE_PAGEOUT;
        return NULL;
    }
    struct rv_hot *hot = hot_interp(xc, pn0); /* one instruction, not cached */
    const uint8_t *page = page_ro(st, pn0);
    if (hot != NULL) {
        sx = NULL;
    }
    for (;;) {
        struct rv_op *op = &ops[nop];
        if (n >= rv_xlate_limit || (n > 0 && (a >> STOR_PAGE_SHIFT) != pn0) ||
            (hot != NULL && n > 0)) {
            break; /* fall through into the next block */
        }
        unsigned off = (unsigned)(a & STOR_PAGE_MASK);
        uint16_t lo = rd16(page + off), hi = 0;
        if ((lo & 3) == 3) {
            if (off == STOR_PAGE_SIZE - 2) {
                if (n > 0) {
                    break; /* the straddler gets a block of its own */
                }
                if (pn0 + 1 >= st->npages) {
                    *tval = a + 2;
                    return NULL;
                }
                if (xc->page_wait && stor_page_out(st, pn0 + 1)) {
                    xc->pageout_pn = pn0 + 1;
                    *tval = RV_XLATE_PAGEOUT;
                    return NULL;
                }
                hi = rd16(page_ro(st, pn0 + 1));
                two = true;
                if (sx != NULL &&
                    stor_seg_at(st, (pn0 + 1) << STOR_PAGE_SHIFT) != stor_seg_at(st, pc)) {
                    sx = NULL; /* straddles out of the segment: private */
                }
                if (hot == NULL) {
                    hot = hot_interp(xc, pn0 + 1);
                }
            } else {
                hi = rd16(page + off + 2);
            }
        }
        struct rv_dop d;
        unsigned len = rv_decode_at(lo, hi, &d);
        int64_t rel = (int64_t)(a - pc);
        op->h = H[d.k];
        op->rd = d.rd;
        op->rs1 = d.rs1;
        op->rs2 = d.rs2;
        op->aux = 0;
        op->imm = d.imm;
        branch[nop] = is_branch(d.k);
        kind[nop] = (uint8_t)d.k;
        pcoff[nop] = (uint16_t)rel;
        iidx[nop] = (uint8_t)n++;
        if (d.k == RV_OPK_AUIPC) {
            op->imm = (int32_t)(rel + d.imm);
        }
        if (nop > 0 && xc_fuse(H, &ops[nop - 1], kind[nop - 1], op, d.k)) {
            kind[nop - 1] = RV_OPK__COUNT; /* fused: not fused again */
            a += len;
            continue;
        }
        nop++;
        bool end = d.end;
        switch (d.k) {
        case RV_OPK_JAL: /* rs1: the target's exit, rs2: the link value's */
            op->rs1 = (uint8_t)nexits;
            exit_pc[nexits++] = a + (uint64_t)(int64_t)d.target;
            op->rs2 = (uint8_t)nexits;
            exit_pc[nexits++] = a + len;
            break;
        case RV_OPK_JALR: /* rs2: the link value's exit */
            op->rs2 = (uint8_t)nexits;
            exit_pc[nexits++] = a + len;
            break;
        case RV_OPK_BEQ: case RV_OPK_BNE: case RV_OPK_BLT:
        case RV_OPK_BGE: case RV_OPK_BLTU: case RV_OPK_BGEU:
            /* rd: the taken exit.  Not taken, the block goes on (a side
             * exit) unless it has as many exits as it may have. */
            op->rd = (uint8_t)nexits;
            exit_pc[nexits++] = a + (uint64_t)(int64_t)d.target;
            end = nexits + 2 >= RV_BLOCK_MAX_EXITS;
            break;
        case RV_OPK_CSR:
        case RV_OPK_ECALL: case RV_OPK_EBREAK: case RV_OPK_ILLEGAL:
        case RV_OPK_SRET: case RV_OPK_WFI: case RV_OPK_FENCEI: case RV_OPK_SFENCE:
            xc->stats->insns_patched++;
            break;
        default:
            break;
        }
        a += len;
        if (end) {
            break;
        }
    }
    /* Every block ends with an EXIT op: reached when it falls through (page
     * end, size limit, a last branch not taken) and a guard after the
     * others.  It is not an instruction: n does not count it. */
    ops[nop] = (struct rv_op){.h = H[RV_OPK_EXIT], .rd = (uint8_t)nexits};
    iidx[nop] = (uint8_t)n;
    exit_pc[nexits++] = a;
    pcoff[nop] = (uint16_t)(a - pc);
    /* A taken branch gives back the instructions after it; one back to
     * the block's own start re-enters it without looking at its exit. */
    for (unsigned i = 0; i < nop; i++) {
        if (branch[i]) {
            ops[i].aux = (uint8_t)(n - iidx[i] - 1);
            if (exit_pc[ops[i].rd] == pc && !rv_xlate_nochain) {
                ops[i].h = H[kind[i] - RV_OPK_BEQ + RV_OPK_BEQ_L];
            }
        }
    }

    size_t bytes = sizeof(struct rv_block) + (nop + 1) * sizeof(struct rv_op) +
                   nexits * sizeof(struct rv_exit) + (nop + 1) * (sizeof(uint16_t) + 1);
    struct rv_block *b;
    if (hot != NULL) {
        /* Interpreted: decoded into the scratch block for this one run. */
        if (xc->scratch == NULL) {
            xc->scratch = malloc(sizeof(struct rv_block) + 2 * sizeof(struct rv_op) +
                                 RV_BLOCK_MAX_EXITS * sizeof(struct rv_exit) +
                                 2 * (sizeof(uint16_t) + 1));
            if (xc->scratch == NULL) {
                *tval = RV_XLATE_NOMEM;
                return NULL;
            }
        }
        b = xc->scratch;
        memset(b, 0, bytes);
        b->scratch = 1;
        if (--hot->interp_left == 0) {
            *hot = (struct rv_hot){.pn = UINT64_MAX}; /* translate it again */
        }
        xc->stats->insns_interpreted++;
    } else {
        if (sx != NULL && !rv_sxc_room(sx, bytes)) {
            sx = NULL; /* the segment's cache is full: private */
        }
        if (sx == NULL) {
            xc_make_room(xc, bytes);
        }
        b = calloc(1, bytes);
        if (b == NULL) {
            *tval = RV_XLATE_NOMEM;
            return NULL;
        }
    }
    b->pc = pc;
    b->n = n;
    b->len = (uint32_t)(a - pc);
    b->two_pages = two;
    b->bytes = (uint32_t)bytes;
    memcpy(b->ops, ops, (nop + 1) * sizeof(struct rv_op));
    b->exits = (struct rv_exit *)(void *)&b->ops[nop + 1];
    b->nexits = nexits;
    for (unsigned i = 0; i < nexits; i++) {
        b->exits[i].pc = exit_pc[i];
    }
    b->pcoff = (uint16_t *)(void *)&b->exits[nexits];
    memcpy(b->pcoff, pcoff, (nop + 1) * sizeof(uint16_t));
    b->iidx = (uint8_t *)(void *)&b->pcoff[nop + 1];
    memcpy(b->iidx, iidx, nop + 1);
    if (b->scratch) {
        return b;
    }
    if (sx != NULL) {
        b->shared = 1;
        b->home = sx;
        return rv_sxc_publish(xc, sx, b);
    }

    /* Register in the pages first: that can fail. */
    struct rv_xpage *pg[2] = {NULL, NULL};
    for (int i = 0; i <= (int)two; i++) {
        pg[i] = xpage_need(xc, pn0 + (uint64_t)i);
        if (pg[i] == NULL) {
            if (i == 1 && pg[0]->nblocks == 0) {
                xpage_remove(xc, pg[0]);
            }
            free(b);
            *tval = RV_XLATE_NOMEM;
            return NULL;
        }
    }
    for (int i = 0; i <= (int)two; i++) {
        struct rv_xpage *p = pg[i];
        struct rv_pglink *l = &b->pl[i];
        l->next = p->head;
        l->pprev = &p->head;
        if (p->head != NULL) {
            pl_of(p->head, p->pn)->pprev = &l->next;
        }
        p->head = b;
        p->nblocks++;
        uint64_t more = chunk_bits(p->pn, b->pc, b->pc + b->len);
        if ((p->chunks | more) != p->chunks) {
            /* Code-page write entries (here and in other TLBs) know the
             * old chunks: drop ours, make the others flush. */
            uint64_t g0 = xc->st->gen;
            xc->st->gen++;
            if (xc->tlb != NULL) {
                rv_tlb_drop_page(xc->tlb, p->pn);
            }
            xc_tlb_catch_up(xc, g0);
            p->chunks |= more;
        }
    }
    uint32_t h = rv_xlate_hash_pc(pc) & xc->bmask;
    b->hnext = xc->bh[h];
    xc->bh[h] = b;
    /* On the CLOCK ring just behind the hand: looked at last. */
    if (xc->hand == NULL) {
        b->lnext = b->lprev = b;
        xc->hand = b;
    } else {
        b->lnext = xc->hand;
        b->lprev = xc->hand->lprev;
        b->lprev->lnext = b;
        xc->hand->lprev = b;
    }
    b->ref = UINT32_MAX;
    atomic_fetch_add_explicit(&xc->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&rv_xlate_total, bytes, memory_order_relaxed);
    xc->stats->blocks_translated++;
    if (++xc->nblocks > 2 * (xc->bmask + 1)) {
        bhash_grow(xc);
    }
    return b;
}

struct rv_block *
rv_xc_lookup(struct rv_xc *xc, uint64_t pc, uint64_t *tval)
{
    for (struct rv_block *b = xc->bh[rv_xlate_hash_pc(pc) & xc->bmask]; b != NULL; b = b->hnext) {
        if (b->pc == pc) {
            return b;
        }
    }
    struct rv_sxc *sx = NULL;
    uint64_t pn = pc >> STOR_PAGE_SHIFT;
    if (pn < xc->st->npages && (sx = rv_sxc_for(xc, pn)) != NULL) {
        struct rv_block *b = rv_sxc_find(sx, pc);
        if (b != NULL) {
            xc->stats->shared_hits++;
            return b;
        }
    }
    return xc_translate(xc, pc, tval, sx);
}

void
rv_xc_set_page_wait(struct rv_xc *xc, bool on)
{
    xc->page_wait = on;
}

uint64_t
rv_xc_pageout_pn(const struct rv_xc *xc)
{
    return xc->pageout_pn;
}

void
rv_xlate_cap_set(size_t bytes)
{
    atomic_store_explicit(&rv_xlate_cap, bytes, memory_order_relaxed);
}

size_t
rv_xlate_bytes(void)
{
    return atomic_load_explicit(&rv_xlate_total, memory_order_relaxed);
}
