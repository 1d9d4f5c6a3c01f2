// SPDX-License-Identifier: MIT
/*
 * cms/fs/cache.c - how the file system reaches its device: block reads and
 * writes with their errors normalised, and a small set-associative cache of
 * metadata blocks (directory nodes and map blocks) that checks each block's
 * header and checksum when it comes from the disk.
 *
 * The cache is write-through: cmsfs_meta_write writes the device first and then
 * keeps the new contents, so the cache never holds anything the disk does
 * not.  A way's buffer is allocated when the way is first used.  Data
 * blocks bypass it (a data write forgets any cached copy of that
 * block number, which may have been metadata before it was freed).
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

#define CACHE_WAYS 4

int
cmsfs_cache_init(struct cache *c, unsigned blocks)
{
    if (blocks == 0) {
        blocks = 64;
    }
    c->ways = CACHE_WAYS;
    c->nsets = (blocks + CACHE_WAYS - 1) / CACHE_WAYS;
    size_t n = (size_t)c->nsets * c->ways;
    c->clock = 0;
    c->ent = calloc(n, sizeof *c->ent);
    if (c->ent == NULL) {
        return CMSFS_E_NOMEM;
    }
    return CMSFS_OK;
}

void
cmsfs_cache_free(struct cache *c)
{
    for (size_t i = 0; c->ent != NULL && i < (size_t)c->nsets * c->ways; i++) {
        free(c->ent[i].data);
    }
    free(c->ent);
    c->ent = NULL;
}

static struct cache_ent *
cache_set(struct cache *c, uint32_t blk)
{
    return &c->ent[(size_t)(blk % c->nsets) * c->ways];
}

static struct cache_ent *
cache_find(struct cache *c, uint32_t blk)
{
    struct cache_ent *set = cache_set(c, blk);
    for (unsigned w = 0; w < c->ways; w++) {
        if (set[w].blk == blk) {
            set[w].stamp = ++c->clock;
            return &set[w];
        }
    }
    return NULL;
}

/* The least recently used way of blk's set, claimed for blk. */
static struct cache_ent *
cache_victim(struct cache *c, uint32_t blk)
{
    struct cache_ent *set = cache_set(c, blk), *v = &set[0];
    for (unsigned w = 0; w < c->ways; w++) {
        if (set[w].blk == 0) {
            v = &set[w];
            break;
        }
        if ((int32_t)(set[w].stamp - v->stamp) < 0) {
            v = &set[w];
        }
    }
    v->blk = blk;
    v->stamp = ++c->clock;
    return v;
}

/* The block buffer of e, allocated when the way is first used (in CMS, whose
 * malloc clears what it hands out, a cache allocated whole would cost its
 * full size in every VM at once); NULL, with e emptied, when out of memory:
 * the block is then simply not cached. */
static uint8_t *
cache_data(struct cache_ent *e)
{
    if (e->data == NULL && (e->data = malloc(BS)) == NULL) {
        e->blk = 0;
    }
    return e->data;
}

void
cmsfs_cache_forget(struct cmsfs *fs, uint32_t blk)
{
    struct cache_ent *e = cache_find(&fs->cache, blk);
    if (e) {
        e->blk = 0;
    }
}

/* ---- the device -------------------------------------------------------- */

static int
dev_rc(int rc)
{
    if (rc == 0) {
        return CMSFS_OK;
    }
    return rc == CMSFS_E_FULL ? CMSFS_E_FULL : CMSFS_E_IO;
}

int
cmsfs_dev_read(struct cmsfs *fs, uint32_t blk, void *buf)
{
    if (blk >= fs->dev.block_count) {
        return CMSFS_E_CORRUPT;
    }
    return dev_rc(fs->dev.read(fs->dev.ctx, blk, 1, buf));
}

int
cmsfs_dev_write(struct cmsfs *fs, uint32_t blk, const void *buf)
{
    if (blk >= fs->dev.block_count) {
        return CMSFS_E_CORRUPT;
    }
    return dev_rc(fs->dev.write(fs->dev.ctx, blk, 1, buf));
}

int
cmsfs_dev_flush(struct cmsfs *fs)
{
    if (fs->dev.flush == NULL || (fs->flags & CMSFS_MOUNT_NOFLUSH)) {
        return CMSFS_OK;
    }
    return dev_rc(fs->dev.flush(fs->dev.ctx));
}

/* ---- metadata ---------------------------------------------------------- */

int
cmsfs_meta_read(struct cmsfs *fs, uint32_t blk, uint32_t magic, uint8_t *buf)
{
    if (blk < 2 || blk >= fs->cur.block_count) {
        return CMSFS_E_CORRUPT;
    }
    struct cache_ent *e = cache_find(&fs->cache, blk);
    if (e) {
        if (get32(e->data) != magic) {
            return CMSFS_E_CORRUPT;
        }
        memcpy(buf, e->data, BS);
        return CMSFS_OK;
    }
    int rc = cmsfs_dev_read(fs, blk, buf);
    if (rc == CMSFS_OK) {
        rc = cmsfs_node_verify(buf, blk, magic);
    }
    if (rc == CMSFS_OK) {
        e = cache_victim(&fs->cache, blk);
        if (cache_data(e) != NULL) {
            memcpy(e->data, buf, BS);
        }
    }
    return rc;
}

int
cmsfs_meta_write(struct cmsfs *fs, uint32_t blk, uint8_t *buf)
{
    cmsfs_node_seal(buf, blk, fs->com.gen + 1);
    int rc = cmsfs_dev_write(fs, blk, buf);
    struct cache_ent *e = cache_find(&fs->cache, blk);
    if (rc != CMSFS_OK) {
        if (e) {
            e->blk = 0;
        }
        return rc;
    }
    if (e == NULL) {
        e = cache_victim(&fs->cache, blk);
    }
    if (cache_data(e) != NULL) {
        memcpy(e->data, buf, BS);
    }
    return CMSFS_OK;
}
