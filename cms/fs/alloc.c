// SPDX-License-Identifier: MIT
/*
 * cms/fs/alloc.c - block allocation and the commit: the four in-memory
 * bitmaps of a mount (see struct cmsfs), choosing free blocks, writing the
 * changed bitmap chunks and then the superblock (the protocol is at the top
 * of ondisk.c), and rolling the in-memory state back when a change fails
 * before its superblock was written.
 *
 * Below: cache.c (the device).  Above: dir.c and file.c, which allocate and
 * free blocks; fs.c, which brackets each change with cmsfs_op_begin/cmsfs_op_end.
 *
 * Space: a writer's blocks (bm_p) may not take the last `reserve` free
 * blocks, which are kept for the metadata of a commit, so that ERASE works
 * on a full disk.  Blocks freed by commit g become free only after commit
 * g+1; when a writer finds the disk full only because of such blocks, an
 * empty commit (a superblock write) releases them.
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

static size_t
bm_words(const struct cmsfs *fs)
{
    return (size_t)fs->cur.nchunks * CHUNK_WORDS;
}

int
cmsfs_alloc_init(struct cmsfs *fs)
{
    size_t words = bm_words(fs);
    fs->bm_c = calloc(words, 8);
    fs->bm_cp = calloc(words, 8);
    fs->bm_l = calloc(words, 8);
    fs->bm_p = calloc(words, 8);
    fs->chunk_dirty = calloc(fs->cur.nchunks, 1);
    fs->chunk_prev_dirty = calloc(fs->cur.nchunks, 1);
    if (!fs->bm_c || !fs->bm_cp || !fs->bm_l || !fs->bm_p || !fs->chunk_dirty ||
        !fs->chunk_prev_dirty) {
        cmsfs_alloc_free_maps(fs);
        return CMSFS_E_NOMEM;
    }
    fs->busy = fs->live = 0;
    return CMSFS_OK;
}

void
cmsfs_alloc_free_maps(struct cmsfs *fs)
{
    free(fs->bm_c);
    free(fs->bm_cp);
    free(fs->bm_l);
    free(fs->bm_p);
    free(fs->chunk_dirty);
    free(fs->chunk_prev_dirty);
    fs->bm_c = fs->bm_cp = fs->bm_l = fs->bm_p = NULL;
    fs->chunk_dirty = fs->chunk_prev_dirty = NULL;
}

static unsigned
popcount64(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

/* Blocks of chunk k set in any bitmap, or (live) in bm_l. */
static uint64_t
chunk_pop(const struct cmsfs *fs, uint32_t k, bool live)
{
    uint64_t n = 0;
    for (size_t w = (size_t)k * CHUNK_WORDS; w < (size_t)(k + 1) * CHUNK_WORDS; w++) {
        uint64_t x = live ? fs->bm_l[w] : fs->bm_c[w] | fs->bm_cp[w] | fs->bm_l[w] | fs->bm_p[w];
        n += popcount64(x);
    }
    return n;
}

static void
recount(struct cmsfs *fs)
{
    fs->busy = fs->live = 0;
    for (uint32_t k = 0; k < fs->cur.nchunks; k++) {
        fs->busy += chunk_pop(fs, k, false);
        fs->live += chunk_pop(fs, k, true);
    }
}

int
cmsfs_alloc_load(struct cmsfs *fs, const struct sb *sb, uint64_t *bm)
{
    uint8_t *buf = fs->tmpbuf;
    for (uint32_t k = 0; k < sb->nchunks; k++) {
        int rc = cmsfs_dev_read(fs, sb->chunk_blk[k], buf);
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (cmsfs_crc32c(0, buf, BS) != sb->chunk_crc[k]) {
            return CMSFS_E_CORRUPT;
        }
        for (size_t w = 0; w < CHUNK_WORDS; w++) {
            bm[(size_t)k * CHUNK_WORDS + w] = get64(buf + 8 * w);
        }
    }
    /* No bit past the last block: a word at a time (a bit at a time cost a
     * small disk ~30,000 tests, most of CMS's IPL). */
    uint64_t end = (uint64_t)sb->nchunks * CHUNK_BITS;
    for (uint64_t b = sb->block_count; b < end; b = (b | 63) + 1) {
        if (bm[b >> 6] >> (b & 63)) {
            return CMSFS_E_CORRUPT;
        }
    }
    if (bm == fs->bm_l) {
        memcpy(fs->bm_c, fs->bm_l, bm_words(fs) * 8);
    }
    recount(fs);
    return CMSFS_OK;
}

/* ---- single bits ------------------------------------------------------- */

static bool
union_test(const struct cmsfs *fs, uint64_t b)
{
    size_t w = b >> 6;
    return ((fs->bm_c[w] | fs->bm_cp[w] | fs->bm_l[w] | fs->bm_p[w]) >> (b & 63)) & 1;
}

/* Sets (on) or clears one bit of bm (bm_l or bm_p), keeping the counts. */
static void
bit_change(struct cmsfs *fs, uint64_t *bm, uint64_t b, bool on)
{
    uint64_t mask = 1ull << (b & 63);
    bool was_busy = union_test(fs, b), was = (bm[b >> 6] & mask) != 0;
    if (on) {
        bm[b >> 6] |= mask;
    } else {
        bm[b >> 6] &= ~mask;
    }
    fs->busy += union_test(fs, b) - was_busy;
    if (bm == fs->bm_l && was != on) {
        fs->live += on ? 1 : (uint64_t)-1;
        fs->chunk_dirty[b / CHUNK_BITS] |= CHUNK_DIRTY;
    }
}

bool
cmsfs_alloc_is_fresh(const struct cmsfs *fs, uint32_t blk)
{
    return bm_test(fs->bm_l, blk) && !bm_test(fs->bm_c, blk) && !bm_test(fs->bm_cp, blk);
}

void
cmsfs_free_live(struct cmsfs *fs, uint32_t blk)
{
    bit_change(fs, fs->bm_l, blk, false);
}

void
cmsfs_free_pending(struct cmsfs *fs, uint32_t blk)
{
    bit_change(fs, fs->bm_p, blk, false);
}

void
cmsfs_pending_to_live(struct cmsfs *fs, uint32_t blk)
{
    bit_change(fs, fs->bm_l, blk, true);
    bit_change(fs, fs->bm_p, blk, false);
}

uint64_t
cmsfs_alloc_free_count(const struct cmsfs *fs)
{
    return fs->cur.block_count - fs->busy;
}

static uint64_t
reserve(const struct cmsfs *fs)
{
    return fs->cur.nchunks + 4u * (fs->cur.dir_height + 2u) + 8u;
}

/* A block clear in all four bitmaps, searching from the cursor. */
static int
find_free(struct cmsfs *fs, uint32_t *blk)
{
    if (fs->busy >= fs->cur.block_count) {
        return CMSFS_E_FULL;
    }
    size_t words = bm_words(fs), start = (size_t)(fs->cursor >> 6) % words;
    for (size_t i = 0; i <= words; i++) {
        size_t w = (start + i) % words;
        uint64_t x = fs->bm_c[w] | fs->bm_cp[w] | fs->bm_l[w] | fs->bm_p[w];
        while (x != ~0ull) {
            unsigned bit = 0;
            while ((x >> bit) & 1) {
                bit++;
            }
            uint64_t b = (uint64_t)w * 64 + bit;
            if (b >= fs->cur.block_count) {
                break;
            }
            if (i == 0 && b < fs->cursor) {
                x |= 1ull << bit; /* before the cursor in its word: later */
                continue;
            }
            fs->cursor = b + 1;
            *blk = (uint32_t)b;
            return CMSFS_OK;
        }
    }
    return CMSFS_E_FULL;
}

int
cmsfs_alloc_meta(struct cmsfs *fs, uint32_t *blk)
{
    int rc = find_free(fs, blk);
    if (rc == CMSFS_OK) {
        bit_change(fs, fs->bm_l, *blk, true);
    }
    return rc;
}

/* Blocks only the previous superblock still holds. */
static uint64_t
prev_only(const struct cmsfs *fs)
{
    uint64_t n = 0;
    for (size_t w = 0; w < bm_words(fs); w++) {
        n += popcount64(fs->bm_cp[w] & ~(fs->bm_c[w] | fs->bm_l[w] | fs->bm_p[w]));
    }
    return n;
}

static int commit(struct cmsfs *fs);

int
cmsfs_alloc_data(struct cmsfs *fs, struct cmsfs_file *h, uint32_t *blk)
{
    if (fs->failed) {
        return CMSFS_E_FAILED;
    }
    if (cmsfs_alloc_free_count(fs) <= reserve(fs) && !fs->in_op && prev_only(fs) > 0) {
        int rc = commit(fs); /* nothing changed: releases the previous tree */
        if (rc != CMSFS_OK) {
            return rc;
        }
    }
    if (cmsfs_alloc_free_count(fs) <= reserve(fs)) {
        return CMSFS_E_FULL;
    }
    if (h->nalloc == h->calloc) {
        size_t n = h->calloc ? 2 * h->calloc : 16;
        uint32_t *a = realloc(h->alloc, n * sizeof *a);
        if (a == NULL) {
            return CMSFS_E_NOMEM;
        }
        h->alloc = a;
        h->calloc = n;
    }
    int rc = find_free(fs, blk);
    if (rc == CMSFS_OK) {
        bit_change(fs, fs->bm_p, *blk, true);
        h->alloc[h->nalloc++] = *blk;
    }
    return rc;
}

void
cmsfs_fs_now(struct cmsfs *fs, struct cmsfs_time *t)
{
    t->us = 0;
    t->utc_offset_s = 0;
    if (fs->clock) {
        fs->clock(fs->clock_ctx, t);
    }
}

/* ---- commit and rollback ----------------------------------------------- */

static void
rollback(struct cmsfs *fs)
{
    for (uint32_t k = 0; k < fs->cur.nchunks; k++) {
        if (fs->chunk_dirty[k] & CHUNK_DIRTY) {
            memcpy(fs->bm_l + (size_t)k * CHUNK_WORDS, fs->bm_c + (size_t)k * CHUNK_WORDS, BS);
        }
        fs->chunk_dirty[k] = 0;
    }
    recount(fs);
    fs->cur = fs->com;
}

/* Gives every dirty chunk a new block; the new blocks and the freed old
 * ones dirty further chunks, so repeat until each dirty chunk has moved. */
static int
relocate_chunks(struct cmsfs *fs)
{
    bool again = true;
    while (again) {
        again = false;
        for (uint32_t k = 0; k < fs->cur.nchunks; k++) {
            if (fs->chunk_dirty[k] != CHUNK_DIRTY) {
                continue;
            }
            uint32_t nb, old = fs->cur.chunk_blk[k];
            int rc = cmsfs_alloc_meta(fs, &nb);
            if (rc != CMSFS_OK) {
                return rc;
            }
            fs->chunk_dirty[k] |= CHUNK_RELOC;
            fs->cur.chunk_blk[k] = nb;
            if (old != 0) {
                cmsfs_free_live(fs, old);
            }
            again = true;
        }
    }
    return CMSFS_OK;
}

static int
write_chunks(struct cmsfs *fs)
{
    uint8_t *buf = fs->tmpbuf;
    for (uint32_t k = 0; k < fs->cur.nchunks; k++) {
        if (!(fs->chunk_dirty[k] & CHUNK_RELOC)) {
            continue;
        }
        for (size_t w = 0; w < CHUNK_WORDS; w++) {
            put64(buf + 8 * w, fs->bm_l[(size_t)k * CHUNK_WORDS + w]);
        }
        fs->cur.chunk_crc[k] = cmsfs_crc32c(0, buf, BS);
        cmsfs_cache_forget(fs, fs->cur.chunk_blk[k]);
        int rc = cmsfs_dev_write(fs, fs->cur.chunk_blk[k], buf);
        if (rc != CMSFS_OK) {
            return rc;
        }
    }
    return CMSFS_OK;
}

/* After the superblock is on disk: bm_cp takes the old bm_c, bm_c the new
 * bm_l, chunk by chunk where they differ. */
static void
advance_maps(struct cmsfs *fs)
{
    for (uint32_t k = 0; k < fs->cur.nchunks; k++) {
        size_t off = (size_t)k * CHUNK_WORDS;
        bool now = (fs->chunk_dirty[k] & CHUNK_DIRTY) != 0;
        if (fs->chunk_prev_dirty[k] || now) {
            fs->busy -= chunk_pop(fs, k, false);
            if (fs->chunk_prev_dirty[k]) {
                memcpy(fs->bm_cp + off, fs->bm_c + off, BS);
            }
            if (now) {
                memcpy(fs->bm_c + off, fs->bm_l + off, BS);
            }
            fs->busy += chunk_pop(fs, k, false);
        }
        fs->chunk_prev_dirty[k] = now;
        fs->chunk_dirty[k] = 0;
    }
}

static int
commit(struct cmsfs *fs)
{
    int rc = relocate_chunks(fs);
    if (rc == CMSFS_OK) {
        rc = write_chunks(fs);
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_dev_flush(fs);
    }
    if (rc != CMSFS_OK) {
        rollback(fs);
        return rc;
    }
    fs->cur.gen = fs->com.gen + 1;
    fs->cur.used = fs->live;
    cmsfs_fs_now(fs, &fs->cur.committed);
    cmsfs_sb_encode(&fs->cur, fs->tmpbuf);
    rc = cmsfs_dev_write(fs, (uint32_t)(fs->cur.gen % 2), fs->tmpbuf);
    if (rc == CMSFS_OK) {
        rc = cmsfs_dev_flush(fs);
    }
    if (rc != CMSFS_OK) {
        /* The superblock may or may not be on disk: stop changing it. */
        fs->failed = true;
        return CMSFS_E_FAILED;
    }
    advance_maps(fs);
    fs->com = fs->cur;
    return CMSFS_OK;
}

int
cmsfs_alloc_commit(struct cmsfs *fs)
{
    return commit(fs);
}

int
cmsfs_op_begin(struct cmsfs *fs)
{
    if (fs->ro) {
        return CMSFS_E_ROFS;
    }
    if (fs->failed) {
        return CMSFS_E_FAILED;
    }
    fs->in_op = true;
    return CMSFS_OK;
}

int
cmsfs_op_end(struct cmsfs *fs, int rc)
{
    fs->in_op = false;
    fs->mod_count++;
    if (rc == CMSFS_OK) {
        return commit(fs);
    }
    rollback(fs);
    return rc;
}

int
cmsfs_alloc_format(struct cmsfs *fs)
{
    bit_change(fs, fs->bm_l, 0, true);
    bit_change(fs, fs->bm_l, 1, true);
    memset(fs->chunk_dirty, CHUNK_DIRTY, fs->cur.nchunks);
    int rc = commit(fs); /* generation 1, slot 1 */
    if (rc == CMSFS_OK) {
        rc = commit(fs); /* generation 2, slot 0: the same tree */
    }
    return rc;
}
