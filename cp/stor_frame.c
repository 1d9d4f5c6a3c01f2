// SPDX-License-Identifier: MIT
/*
 * cp/stor_frame.c - host frames for guest storage (cp/stor_frame.h).
 *
 * Frames are carved from 1 MiB anonymous mappings ("chunks"), backed as a
 * whole when mapped (one call instead of a page fault per frame), so a
 * frame costs its 4 KiB and the C heap's page-aligned allocations' overhead
 * (about twice that) is avoided.  Each chunk has a bitmap
 * of frames in use and one of free frames that may hold old bytes ("dirty";
 * the others are known zero because they were never touched or were given
 * back with MADV_DONTNEED).  A zeroed allocation clears a dirty frame and
 * takes a clean one as it is.
 *
 * Memory goes back to the system in two ways: a chunk left with no frame in
 * use is unmapped, and once SF_DIRTY_CAP free frames hold old bytes every
 * further freed frame is given back on the spot; stor_frame_trim gives back
 * all of them.
 *
 * The chunk table is sorted by address (the free path finds a frame's chunk
 * by binary search) and every chunk below sf_hint is full, so allocation
 * fills low chunks first and high ones can drain and be unmapped.  One
 * wholly free chunk stays mapped as a spare, so a VM created and destroyed
 * again and again does not map and unmap a chunk each time.  One
 * mutex guards the table and bitmaps; mmap and munmap run outside it.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cp/stor_frame.h"
#include "cp/stor_int.h"

#define SF_CHUNK_FRAMES 256u
#define SF_CHUNK_BYTES ((size_t)SF_CHUNK_FRAMES * STOR_PAGE_SIZE)
#define SF_WORDS (SF_CHUNK_FRAMES / 64)
#define SF_DIRTY_CAP 1024u /* free frames allowed to keep their memory */
#ifdef MADV_POPULATE_WRITE
#define SF_POPULATE_WRITE MADV_POPULATE_WRITE
#else
#define SF_POPULATE_WRITE 23 /* Linux's value; older headers lack the name */
#endif

struct sf_chunk {
    uint8_t *base;
    uint64_t used[SF_WORDS];
    uint64_t dirty[SF_WORDS]; /* free frames that are not known zero */
    unsigned nused;
    unsigned ndirty;
};

static pthread_mutex_t sf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sf_chunk **sf_chunks; /* sorted by base */
static size_t sf_n, sf_cap;
static size_t sf_hint; /* every chunk below it is full */
static uint64_t sf_used;
static uint64_t sf_dirty; /* sum of ndirty */
/* Wholly free chunks kept mapped (at most one): a VM created and destroyed
 * again and again would otherwise map and unmap a chunk every time. */
static unsigned sf_spare;

static void
sf_bug(const char *what, const void *f)
{
    fprintf(stderr, "vmrv: CP bug: stor_frame_free(%p): %s\n", f, what);
    abort();
}

/* Under sf_lock: index of the chunk holding p, or sf_n. */
static size_t
sf_find(const uint8_t *p)
{
    size_t lo = 0, hi = sf_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sf_chunks[mid]->base <= p) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0 || p >= sf_chunks[lo - 1]->base + SF_CHUNK_BYTES) {
        return sf_n;
    }
    return lo - 1;
}

/* Under sf_lock: puts c into the table; false when out of memory. */
static bool
sf_insert(struct sf_chunk *c)
{
    if (sf_n == sf_cap) {
        size_t cap = sf_cap ? 2 * sf_cap : 16;
        struct sf_chunk **t = realloc(sf_chunks, cap * sizeof *t);
        if (t == NULL) {
            return false;
        }
        sf_chunks = t;
        sf_cap = cap;
    }
    size_t p = 0;
    while (p < sf_n && sf_chunks[p]->base < c->base) {
        p++;
    }
    memmove(&sf_chunks[p + 1], &sf_chunks[p], (sf_n - p) * sizeof *sf_chunks);
    sf_chunks[p] = c;
    sf_n++;
    if (p <= sf_hint) {
        sf_hint = p;
    }
    return true;
}

/* Maps a fresh chunk (outside sf_lock); NULL when out of memory. */
static struct sf_chunk *
sf_map(void)
{
    struct sf_chunk *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    void *m = mmap(NULL, SF_CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        free(c);
        return NULL;
    }
#ifdef MADV_NOHUGEPAGE
    /* A huge page would make the first touched frame cost 2 MiB. */
    (void)madvise(m, SF_CHUNK_BYTES, MADV_NOHUGEPAGE);
#endif
    /* Back the whole chunk now, in one call: a fault per frame costs five
     * times as much (14 against 2.6 us a frame on a virtualised host), and
     * a burst of logons touches thousands of fresh frames.  The price is
     * at most the unused rest of a chunk.  Kernels before 5.14 lack the
     * call: frames are then backed as they are touched. */
    (void)madvise(m, SF_CHUNK_BYTES, SF_POPULATE_WRITE);
    c->base = m;
    return c;
}

/* Under sf_lock: takes a free frame of chunk c; *was_dirty tells whether
 * it may hold old bytes. */
static uint8_t *
sf_take(struct sf_chunk *c, bool zero, bool *was_dirty)
{
    unsigned best = SF_CHUNK_FRAMES;
    for (unsigned w = 0; w < SF_WORDS; w++) {
        uint64_t freem = ~c->used[w];
        if (freem == 0) {
            continue;
        }
        /* A zeroed frame is best clean (no clearing); a raw one best dirty
         * (its memory is already there). */
        uint64_t pref = zero ? freem & ~c->dirty[w] : freem & c->dirty[w];
        if (pref != 0) {
            best = w * 64 + (unsigned)__builtin_ctzll(pref);
            break;
        }
        if (best == SF_CHUNK_FRAMES) {
            best = w * 64 + (unsigned)__builtin_ctzll(freem);
        }
    }
    unsigned w = best / 64;
    uint64_t bit = 1ull << (best % 64);
    *was_dirty = (c->dirty[w] & bit) != 0;
    if (*was_dirty) {
        c->dirty[w] &= ~bit;
        c->ndirty--;
        sf_dirty--;
    }
    c->used[w] |= bit;
    if (c->nused++ == 0) {
        sf_spare--;
    }
    sf_used++;
    return c->base + (size_t)best * STOR_PAGE_SIZE;
}

void *
stor_frame_alloc(bool zero)
{
    struct sf_chunk *fresh = NULL;
    pthread_mutex_lock(&sf_lock);
    for (;;) {
        while (sf_hint < sf_n && sf_chunks[sf_hint]->nused == SF_CHUNK_FRAMES) {
            sf_hint++;
        }
        if (sf_hint < sf_n) {
            break;
        }
        if (fresh != NULL) {
            if (!sf_insert(fresh)) {
                pthread_mutex_unlock(&sf_lock);
                munmap(fresh->base, SF_CHUNK_BYTES);
                free(fresh);
                return NULL;
            }
            sf_spare++; /* wholly free until sf_take below */
            fresh = NULL;
            continue;
        }
        pthread_mutex_unlock(&sf_lock);
        fresh = sf_map();
        if (fresh == NULL) {
            return NULL;
        }
        pthread_mutex_lock(&sf_lock);
    }
    bool dirty;
    uint8_t *f = sf_take(sf_chunks[sf_hint], zero, &dirty);
    pthread_mutex_unlock(&sf_lock);
    if (fresh != NULL) {
        /* Another thread mapped a chunk meanwhile. */
        munmap(fresh->base, SF_CHUNK_BYTES);
        free(fresh);
    }
    if (zero && dirty) {
        memset(f, 0, STOR_PAGE_SIZE);
    }
    return f;
}

void
stor_frame_free(void *frame)
{
    uint8_t *f = frame;
    if (f == NULL) {
        return;
    }
    pthread_mutex_lock(&sf_lock);
    size_t k = sf_find(f);
    if (k == sf_n) {
        sf_bug("not a frame", f);
    }
    struct sf_chunk *c = sf_chunks[k];
    size_t off = (size_t)(f - c->base);
    unsigned n = (unsigned)(off / STOR_PAGE_SIZE);
    uint64_t bit = 1ull << (n % 64);
    if (off % STOR_PAGE_SIZE != 0 || !(c->used[n / 64] & bit)) {
        sf_bug(off % STOR_PAGE_SIZE ? "not page aligned" : "already free", f);
    }
    c->used[n / 64] &= ~bit;
    c->nused--;
    sf_used--;
    if (c->nused == 0 && sf_spare == 0) {
        sf_spare++; /* kept as the spare; its frame is accounted below */
    } else if (c->nused == 0) {
        /* Wholly free: unmap it (outside the lock: nobody can reach it). */
        sf_dirty -= c->ndirty;
        memmove(&sf_chunks[k], &sf_chunks[k + 1], (sf_n - k - 1) * sizeof *sf_chunks);
        sf_n--;
        if (sf_hint > k) {
            sf_hint--;
        }
        pthread_mutex_unlock(&sf_lock);
        munmap(c->base, SF_CHUNK_BYTES);
        free(c);
        return;
    }
    /* Past the cap the frame's memory goes back now (under the lock: once
     * its bit is clear another thread may take it). */
    if (sf_dirty < SF_DIRTY_CAP || madvise(f, STOR_PAGE_SIZE, MADV_DONTNEED) != 0) {
        c->dirty[n / 64] |= bit;
        c->ndirty++;
        sf_dirty++;
    }
    if (k < sf_hint) {
        sf_hint = k;
    }
    pthread_mutex_unlock(&sf_lock);
}

void
stor_frame_stats(struct stor_frame_stats *s)
{
    pthread_mutex_lock(&sf_lock);
    s->used = sf_used;
    s->mapped = (uint64_t)sf_n * SF_CHUNK_FRAMES;
    s->chunks = sf_n;
    pthread_mutex_unlock(&sf_lock);
}

void
stor_frame_trim(void)
{
    pthread_mutex_lock(&sf_lock);
    for (size_t k = 0; k < sf_n; k++) {
        struct sf_chunk *c = sf_chunks[k];
        for (unsigned n = 0; n < SF_CHUNK_FRAMES && c->ndirty != 0; n++) {
            uint64_t bit = 1ull << (n % 64);
            if (!(c->dirty[n / 64] & bit)) {
                continue;
            }
            /* Give back the whole run of dirty free frames at once. */
            unsigned e = n;
            while (e < SF_CHUNK_FRAMES && (c->dirty[e / 64] & (1ull << (e % 64)))) {
                e++;
            }
            if (madvise(c->base + (size_t)n * STOR_PAGE_SIZE, (size_t)(e - n) * STOR_PAGE_SIZE,
                        MADV_DONTNEED) == 0) {
                for (unsigned j = n; j < e; j++) {
                    c->dirty[j / 64] &= ~(1ull << (j % 64));
                }
                c->ndirty -= e - n;
                sf_dirty -= e - n;
            }
            n = e;
        }
    }
    pthread_mutex_unlock(&sf_lock);
}
