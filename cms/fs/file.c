// SPDX-License-Identifier: MIT
/*
 * cms/fs/file.c - the byte stream of an open file: its map tree and data
 * blocks, read and written through a handle's buffers.  The records on top
 * of it, and opening and closing, are in record.c.
 *
 * A file is a byte stream of records cut into data blocks, reached through
 * a radix tree of map blocks (layout in ondisk.c).  A handle keeps one
 * buffer per map level and one data buffer; a writer never writes a block
 * that a superblock refers to: the first change to such a block (the tail
 * block when appending, a record replaced after POINT) copies it to a block
 * of its own (kept in bm_p and h->alloc) and remembers the old one in
 * h->tofree.  Buffers are written when the handle moves on and at close;
 * then the close puts the new FST into the directory, frees what the file
 * no longer uses and commits.  Until that commit nothing this writer did
 * is reachable from a superblock, so a crash, a full disk or an I/O error
 * leaves the old file as it was.
 *
 * Below: cache.c, alloc.c.  Above: record.c.
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

uint64_t
cmsfs_fan_pow(unsigned n)
{
    uint64_t r = 1;
    while (n--) {
        r *= MAP_FAN;
    }
    return r;
}

/* Do an FST's sizes fit together (so the code below can trust them)? */
bool
cmsfs_fst_sane(const struct fst *f)
{
    if ((f->recfm != 'F' && f->recfm != 'V') || f->fmnum > 6 || f->depth > MAP_MAX_DEPTH ||
        f->lrecl > CMSFS_MAX_LRECL || (f->recfm == 'F' && f->lrecl == 0)) {
        return false;
    }
    if (f->map_root == 0 || f->bytes == 0) {
        return f->map_root == 0 && f->bytes == 0 && f->records == 0 && f->blocks == 0;
    }
    uint64_t ndata = (f->bytes + BS - 1) / BS;
    bool too_deep = f->depth > 0 && ndata <= cmsfs_fan_pow(f->depth - 1u);
    if (ndata > cmsfs_fan_pow(f->depth) || too_deep || f->blocks < ndata) {
        return false;
    }
    if (f->recfm == 'F') {
        return f->bytes == (uint64_t)f->records * f->lrecl;
    }
    return f->bytes >= 2ull * f->records && f->records > 0;
}

/* ---- map levels -------------------------------------------------------- */

int
cmsfs_fh_lvl_flush(struct cmsfs_file *h, unsigned L)
{
    struct fh_level *l = &h->lvl[L];
    if (!l->valid || !l->dirty) {
        return CMSFS_OK;
    }
    int rc = cmsfs_meta_write(h->fs, l->blk, l->buf);
    if (rc == CMSFS_OK) {
        l->dirty = false;
    }
    return rc;
}

/* Makes lvl[L] the level-L map block over data block idx (depth >= 1,
 * idx < capacity).  With `create`, a missing block is made with recbase
 * `rb` (the parent must then be writable); otherwise a missing block is
 * damage. */
static int
lvl_load(struct cmsfs_file *h, unsigned L, uint64_t idx, bool create, uint32_t rb)
{
    struct fh_level *l = &h->lvl[L];
    uint64_t base = idx / cmsfs_fan_pow(L + 1);
    if (l->valid && l->base == base) {
        return CMSFS_OK;
    }
    int rc = cmsfs_fh_lvl_flush(h, L);
    if (rc != CMSFS_OK) {
        return rc;
    }
    l->valid = false;
    uint32_t blk = h->fst.map_root;
    struct fh_level *p = NULL;
    unsigned slot = 0;
    if (L + 1 < h->fst.depth) {
        rc = lvl_load(h, L + 1, idx, create, rb);
        if (rc != CMSFS_OK) {
            return rc;
        }
        p = &h->lvl[L + 1];
        slot = (unsigned)(base % MAP_FAN);
        struct mapent e;
        cmsfs_mapent_get(p->buf, slot, &e);
        blk = e.blk;
    }
    if (blk == 0) {
        if (!create || p == NULL) {
            return CMSFS_E_CORRUPT;
        }
        rc = cmsfs_alloc_data(h->fs, h, &blk);
        if (rc != CMSFS_OK) {
            return rc;
        }
        h->fst.blocks++;
        cmsfs_node_init(l->buf, MAP_MAGIC, (uint16_t)L);
        struct mapent e = {blk, 0, rb, 0};
        cmsfs_mapent_put(p->buf, slot, &e);
        if (slot + 1u > node_count(p->buf)) {
            node_set_count(p->buf, (uint16_t)(slot + 1));
        }
        p->dirty = true;
        *l = (struct fh_level){blk, base, true, true, l->buf};
        return CMSFS_OK;
    }
    rc = cmsfs_meta_read(h->fs, blk, MAP_MAGIC, l->buf);
    if (rc == CMSFS_OK && node_level(l->buf) != L) {
        rc = CMSFS_E_CORRUPT;
    }
    if (rc == CMSFS_OK) {
        *l = (struct fh_level){blk, base, true, false, l->buf};
    }
    return rc;
}

static int
tofree_add(struct cmsfs_file *h, uint32_t blk)
{
    if (h->nfree == h->cfree) {
        size_t n = h->cfree ? 2 * h->cfree : 16;
        uint32_t *a = realloc(h->tofree, n * sizeof *a);
        if (a == NULL) {
            return CMSFS_E_NOMEM;
        }
        h->tofree = a;
        h->cfree = n;
    }
    h->tofree[h->nfree++] = blk;
    return CMSFS_OK;
}

/* Gives a committed block being changed a block of this writer: *blk
 * becomes the new number and the old one is freed at close. */
static int
cow(struct cmsfs_file *h, uint32_t *blk)
{
    if (bm_test(h->fs->bm_p, *blk)) {
        return CMSFS_OK; /* ours already */
    }
    uint32_t nb;
    int rc = cmsfs_alloc_data(h->fs, h, &nb);
    if (rc != CMSFS_OK) {
        return rc;
    }
    rc = tofree_add(h, *blk);
    if (rc != CMSFS_OK) {
        h->nalloc--; /* the block just taken: give it back */
        cmsfs_free_pending(h->fs, nb);
        return rc;
    }
    *blk = nb;
    return CMSFS_OK;
}

/* Makes the loaded lvl[L] writable; its parent (loaded, writable) points
 * to the new block. */
static int
lvl_own(struct cmsfs_file *h, unsigned L)
{
    struct fh_level *l = &h->lvl[L];
    uint32_t old = l->blk;
    int rc = cow(h, &l->blk);
    if (rc != CMSFS_OK) {
        return rc;
    }
    l->dirty = true;
    if (l->blk == old) {
        return CMSFS_OK;
    }
    if (L + 1 == h->fst.depth) {
        h->fst.map_root = l->blk;
        return CMSFS_OK;
    }
    struct fh_level *p = &h->lvl[L + 1];
    struct mapent e;
    unsigned slot = (unsigned)(l->base % MAP_FAN);
    cmsfs_mapent_get(p->buf, slot, &e);
    e.blk = l->blk;
    cmsfs_mapent_put(p->buf, slot, &e);
    p->dirty = true;
    return CMSFS_OK;
}

/* One level more, above the root. */
static int
grow(struct cmsfs_file *h)
{
    unsigned d = h->fst.depth;
    if (d == MAP_MAX_DEPTH) {
        return CMSFS_E_FULL;
    }
    uint32_t nb;
    int rc = cmsfs_alloc_data(h->fs, h, &nb);
    if (rc != CMSFS_OK) {
        return rc;
    }
    h->fst.blocks++;
    struct fh_level *l = &h->lvl[d];
    cmsfs_node_init(l->buf, MAP_MAGIC, (uint16_t)d);
    struct mapent e = {h->fst.map_root, d == 0 ? h->fst.root_crc : 0, 0, 0};
    cmsfs_mapent_put(l->buf, 0, &e);
    node_set_count(l->buf, 1);
    *l = (struct fh_level){nb, 0, true, true, l->buf};
    h->fst.map_root = nb;
    h->fst.root_crc = 0;
    h->fst.depth = (uint8_t)(d + 1);
    return CMSFS_OK;
}

int
cmsfs_fh_entry_get(struct cmsfs_file *h, uint64_t idx, struct mapent *e)
{
    if (h->fst.depth == 0) {
        *e = (struct mapent){h->fst.map_root, h->fst.root_crc, 0, 0};
        return idx == 0 ? CMSFS_OK : CMSFS_E_CORRUPT;
    }
    int rc = lvl_load(h, 0, idx, false, 0);
    if (rc == CMSFS_OK) {
        cmsfs_mapent_get(h->lvl[0].buf, (unsigned)(idx % MAP_FAN), e);
    }
    return rc;
}

int
cmsfs_fh_entry_put(struct cmsfs_file *h, uint64_t idx, const struct mapent *e)
{
    if (h->fst.map_root == 0 || (h->fst.depth == 0 && idx == 0)) {
        h->fst.map_root = e->blk;
        h->fst.root_crc = e->crc;
        h->fst.depth = 0;
        return CMSFS_OK;
    }
    int rc = CMSFS_OK;
    while (rc == CMSFS_OK && idx >= cmsfs_fan_pow(h->fst.depth)) {
        rc = grow(h);
    }
    for (int L = h->fst.depth - 1; rc == CMSFS_OK && L >= 0; L--) {
        rc = lvl_load(h, (unsigned)L, idx, true, e->recbase);
        if (rc == CMSFS_OK) {
            rc = lvl_own(h, (unsigned)L);
        }
    }
    if (rc == CMSFS_OK) {
        uint8_t *b = h->lvl[0].buf;
        unsigned slot = (unsigned)(idx % MAP_FAN);
        cmsfs_mapent_put(b, slot, e);
        if (slot + 1u > node_count(b)) {
            node_set_count(b, (uint16_t)(slot + 1));
        }
        h->lvl[0].dirty = true;
    }
    return rc;
}

/* ---- data blocks ------------------------------------------------------- */

int
cmsfs_fh_data_flush(struct cmsfs_file *h)
{
    struct fh_level *d = &h->data;
    if (!d->valid || !d->dirty) {
        return CMSFS_OK;
    }
    cmsfs_cache_forget(h->fs, d->blk);
    int rc = cmsfs_dev_write(h->fs, d->blk, d->buf);
    struct mapent e;
    if (rc == CMSFS_OK) {
        rc = cmsfs_fh_entry_get(h, d->base, &e);
    }
    if (rc == CMSFS_OK) {
        e.blk = d->blk;
        e.crc = cmsfs_crc32c(0, d->buf, BS);
        rc = cmsfs_fh_entry_put(h, d->base, &e);
    }
    if (rc == CMSFS_OK) {
        d->dirty = false;
    }
    return rc;
}

/* Makes the data buffer hold data block idx; for writing, makes it this
 * writer's own, and creates it if idx is the next block of the file. */
int
cmsfs_fh_data_load(struct cmsfs_file *h, uint64_t idx, bool write)
{
    struct fh_level *d = &h->data;
    struct mapent e;
    int rc = CMSFS_OK;
    if (!d->valid || d->base != idx) {
        rc = cmsfs_fh_data_flush(h);
        if (rc != CMSFS_OK) {
            return rc;
        }
        d->valid = false;
        if (idx < h->ndata) {
            rc = cmsfs_fh_entry_get(h, idx, &e);
            if (rc == CMSFS_OK) {
                rc = cmsfs_dev_read(h->fs, e.blk, d->buf);
            }
            if (rc == CMSFS_OK && cmsfs_crc32c(0, d->buf, BS) != e.crc) {
                rc = CMSFS_E_CORRUPT;
            }
            if (rc != CMSFS_OK) {
                return rc;
            }
            *d = (struct fh_level){e.blk, idx, true, false, d->buf};
        } else if (write && idx == h->ndata) {
            uint32_t nb;
            rc = cmsfs_alloc_data(h->fs, h, &nb);
            if (rc != CMSFS_OK) {
                return rc;
            }
            h->fst.blocks++;
            uint32_t rb = h->recno + (h->rec_start < idx * BS ? 1u : 0u);
            e = (struct mapent){nb, 0, rb, FIRST_NONE};
            rc = cmsfs_fh_entry_put(h, idx, &e);
            if (rc != CMSFS_OK) {
                return rc;
            }
            h->ndata++;
            memset(d->buf, 0, BS);
            *d = (struct fh_level){nb, idx, true, true, d->buf};
            return CMSFS_OK;
        } else {
            return CMSFS_E_CORRUPT;
        }
    }
    if (write && !bm_test(h->fs->bm_p, d->blk)) {
        rc = cow(h, &d->blk);
        if (rc == CMSFS_OK) {
            rc = cmsfs_fh_entry_get(h, idx, &e);
        }
        if (rc == CMSFS_OK) {
            e.blk = d->blk;
            rc = cmsfs_fh_entry_put(h, idx, &e);
        }
    }
    return rc;
}

/* Reads n bytes of the stream at pos. */
int
cmsfs_fh_read(struct cmsfs_file *h, uint64_t pos, void *buf, size_t n)
{
    uint8_t *out = buf;
    if (pos + n > h->fst.bytes) {
        return CMSFS_E_CORRUPT;
    }
    while (n > 0) {
        size_t off = (size_t)(pos % BS), k = BS - off;
        if (k > n) {
            k = n;
        }
        int rc = cmsfs_fh_data_load(h, pos / BS, false);
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (out) {
            memcpy(out, h->data.buf + off, k);
            out += k;
        }
        pos += k;
        n -= k;
    }
    return CMSFS_OK;
}

/* Writes n bytes at pos: from src, or n copies of fill if src is NULL. */
int
cmsfs_fh_write(struct cmsfs_file *h, uint64_t pos, const void *src, uint8_t fill, size_t n)
{
    const uint8_t *in = src;
    while (n > 0) {
        size_t off = (size_t)(pos % BS), k = BS - off;
        if (k > n) {
            k = n;
        }
        int rc = cmsfs_fh_data_load(h, pos / BS, true);
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (in) {
            memcpy(h->data.buf + off, in, k);
            in += k;
        } else {
            memset(h->data.buf + off, fill, k);
        }
        h->data.dirty = true;
        pos += k;
        n -= k;
        if (pos > h->fst.bytes) {
            h->fst.bytes = pos;
        }
    }
    return CMSFS_OK;
}
