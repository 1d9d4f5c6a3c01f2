// SPDX-License-Identifier: MIT
/*
 * cms/fs/dir.c - the directory: a copy-on-write B+tree of file status
 * entries (FST) keyed by fn then ft (layout in ondisk.c).
 *
 * A change copies the path from the leaf to the root into blocks allocated
 * for this change (cmsfs_alloc_meta), or rewrites them in place if this change
 * already copied them, and frees the old path; the new root reaches the
 * disk when the change commits.  So a close costs O(height) block writes
 * (height 2 for 10,000 files), never O(files).
 *
 * Nodes split when full (a sequential insert at the right end leaves the
 * left node full, which packs sorted loads densely).  Deletion removes
 * empty nodes and collapses a root with one child, but does not merge
 * half-empty siblings: a tree shrunk by erasures is sparse, not wrong.
 *
 * Below: cache.c (cmsfs_meta_read/cmsfs_meta_write), alloc.c.  Above: fs.c and file.c.
 * Path buffers are fs->nodebuf[depth] (depth 0 = root); the spare buffer
 * fs->nodebuf[DIR_MAX_HEIGHT] holds a new right sibling during a split.
 */
#include "cms/fs/cmsfs_int.h"

#define KEY_LEN 16

struct path {
    uint32_t blk[DIR_MAX_HEIGHT];
    unsigned idx[DIR_MAX_HEIGHT]; /* child taken at each internal depth */
    unsigned height;
};

static uint8_t *
ent(uint8_t *node, unsigned i)
{
    unsigned size = node_level(node) == 0 ? FST_SIZE : DIR_IENT_SIZE;
    return node + NODE_HDR + i * size;
}

static unsigned
ent_size(const uint8_t *node)
{
    return node_level(node) == 0 ? FST_SIZE : DIR_IENT_SIZE;
}

static unsigned
node_cap(const uint8_t *node)
{
    return node_level(node) == 0 ? DIR_LEAF_CAP : DIR_INNER_CAP;
}

static uint32_t
child(uint8_t *node, unsigned i)
{
    return get32(ent(node, i) + KEY_LEN);
}

/* Leaf: the first index whose key is >= key (*found: equal). */
static unsigned
leaf_search(uint8_t *node, const uint8_t *key, bool *found)
{
    unsigned lo = 0, hi = node_count(node);
    *found = false;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        int c = memcmp(ent(node, mid), key, KEY_LEN);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Internal: the last index whose key is <= key; 0 if none (entry 0 stands
 * for everything below entry 1). */
static unsigned
inner_search(uint8_t *node, const uint8_t *key)
{
    unsigned lo = 1, hi = node_count(node);
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (memcmp(ent(node, mid), key, KEY_LEN) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo - 1;
}

/* Loads the path from the root to the leaf for key (NULL: the leftmost). */
static int
descend(struct cmsfs *fs, const uint8_t *key, struct path *p)
{
    p->height = fs->cur.dir_height;
    uint32_t blk = fs->cur.dir_root;
    for (unsigned d = 0; d < p->height; d++) {
        uint8_t *n = cmsfs_nodebuf(fs, d);
        if (n == NULL) {
            return CMSFS_E_NOMEM;
        }
        int rc = cmsfs_meta_read(fs, blk, DIR_MAGIC, n);
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (node_level(n) != p->height - 1 - d || (node_count(n) == 0 && d + 1 < p->height)) {
            return CMSFS_E_CORRUPT;
        }
        p->blk[d] = blk;
        if (d + 1 < p->height) {
            p->idx[d] = key ? inner_search(n, key) : 0;
            blk = child(n, p->idx[d]);
        }
    }
    return CMSFS_OK;
}

int
cmsfs_dir_lookup(struct cmsfs *fs, const struct cmsfs_name *name, struct fst *out)
{
    struct path p;
    bool found;
    if (fs->cur.dir_height == 0) {
        return CMSFS_E_NOTFOUND;
    }
    int rc = descend(fs, (const uint8_t *)name, &p);
    if (rc != CMSFS_OK) {
        return rc;
    }
    uint8_t *leaf = fs->nodebuf[p.height - 1];
    unsigned i = leaf_search(leaf, (const uint8_t *)name, &found);
    if (!found) {
        return CMSFS_E_NOTFOUND;
    }
    cmsfs_fst_decode(ent(leaf, i), out);
    return CMSFS_OK;
}

/* Gives a node about to be written a block of this change. */
static int
node_place(struct cmsfs *fs, uint32_t *blk)
{
    if (*blk != 0 && cmsfs_alloc_is_fresh(fs, *blk)) {
        return CMSFS_OK;
    }
    uint32_t nb;
    int rc = cmsfs_alloc_meta(fs, &nb);
    if (rc != CMSFS_OK) {
        return rc;
    }
    if (*blk != 0) {
        cmsfs_free_live(fs, *blk);
    }
    *blk = nb;
    return CMSFS_OK;
}

/* Inserts entry e (ent_size bytes) at i into node.  If the node is full,
 * splits it: the upper part goes to `right` (a new node of the same level)
 * and *split is set.  fs->tmpbuf is the scratch space. */
static void
node_insert(struct cmsfs *fs, uint8_t *node, unsigned i, const uint8_t *e, uint8_t *right,
            bool *split)
{
    unsigned size = ent_size(node), n = node_count(node);
    *split = false;
    if (n < node_cap(node)) {
        memmove(ent(node, i + 1), ent(node, i), (n - i) * size);
        memcpy(ent(node, i), e, size);
        node_set_count(node, (uint16_t)(n + 1));
        return;
    }
    uint8_t *all = fs->tmpbuf; /* n + 1 entries fit in one block */
    memcpy(all, ent(node, 0), i * size);
    memcpy(all + i * size, e, size);
    memcpy(all + (i + 1) * size, ent(node, i), (n - i) * size);
    unsigned total = n + 1, s = (i == n) ? n : total / 2;
    cmsfs_node_init(right, DIR_MAGIC, node_level(node));
    memset(ent(node, 0), 0, BS - NODE_HDR);
    memcpy(ent(node, 0), all, s * size);
    node_set_count(node, (uint16_t)s);
    memcpy(ent(right, 0), all + s * size, (total - s) * size);
    node_set_count(right, (uint16_t)(total - s));
    *split = true;
}

static void
node_remove(uint8_t *node, unsigned i)
{
    unsigned size = ent_size(node), n = node_count(node);
    memmove(ent(node, i), ent(node, i + 1), (n - i - 1) * size);
    memset(ent(node, n - 1), 0, size);
    node_set_count(node, (uint16_t)(n - 1));
}

/* Writes the path bottom-up from depth d, where nodebuf[d] changed (and may
 * have split into `right`), fixing each parent's pointer. */
static int
write_up(struct cmsfs *fs, struct path *p, int d, bool split)
{
    uint8_t *right = fs->nodebuf[DIR_MAX_HEIGHT];
    for (; d >= 0; d--) {
        uint8_t *n = fs->nodebuf[d];
        uint8_t sep[DIR_IENT_SIZE];
        int rc = node_place(fs, &p->blk[d]);
        if (rc == CMSFS_OK) {
            rc = cmsfs_meta_write(fs, p->blk[d], n);
        }
        if (rc == CMSFS_OK && split) {
            uint32_t rb = 0;
            memcpy(sep, ent(right, 0), KEY_LEN);
            rc = node_place(fs, &rb);
            if (rc == CMSFS_OK) {
                rc = cmsfs_meta_write(fs, rb, right);
            }
            put32(sep + KEY_LEN, rb);
        }
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (d == 0) {
            fs->cur.dir_root = p->blk[0];
            if (!split) {
                return CMSFS_OK;
            }
            /* The root split: a new root above both halves. */
            if (p->height == DIR_MAX_HEIGHT) {
                return CMSFS_E_FULL;
            }
            uint8_t *root = fs->nodebuf[DIR_MAX_HEIGHT];
            uint8_t first[DIR_IENT_SIZE];
            memcpy(first, ent(n, 0), KEY_LEN);
            put32(first + KEY_LEN, p->blk[0]);
            cmsfs_node_init(root, DIR_MAGIC, (uint16_t)p->height);
            memcpy(ent(root, 0), first, DIR_IENT_SIZE);
            memcpy(ent(root, 1), sep, DIR_IENT_SIZE);
            node_set_count(root, 2);
            uint32_t rb = 0;
            rc = node_place(fs, &rb);
            if (rc == CMSFS_OK) {
                rc = cmsfs_meta_write(fs, rb, root);
            }
            if (rc == CMSFS_OK) {
                fs->cur.dir_root = rb;
                fs->cur.dir_height++;
            }
            return rc;
        }
        uint8_t *parent = fs->nodebuf[d - 1];
        put32(ent(parent, p->idx[d - 1]) + KEY_LEN, p->blk[d]);
        if (split) {
            node_insert(fs, parent, p->idx[d - 1] + 1, sep, right, &split);
        }
    }
    return CMSFS_OK;
}

int
cmsfs_dir_put(struct cmsfs *fs, const struct fst *e)
{
    uint8_t rec[FST_SIZE];
    struct path p;
    bool found, split = false;
    cmsfs_fst_encode(e, rec);
    /* the spare holds a new right sibling or root when a node splits */
    if (cmsfs_nodebuf(fs, DIR_MAX_HEIGHT) == NULL || cmsfs_nodebuf(fs, 0) == NULL) {
        return CMSFS_E_NOMEM;
    }
    if (fs->cur.dir_height == 0) {
        uint8_t *leaf = fs->nodebuf[0];
        cmsfs_node_init(leaf, DIR_MAGIC, 0);
        memcpy(ent(leaf, 0), rec, FST_SIZE);
        node_set_count(leaf, 1);
        p.height = 1;
        p.blk[0] = 0;
        fs->cur.dir_height = 1;
        return write_up(fs, &p, 0, false);
    }
    int rc = descend(fs, rec, &p);
    if (rc != CMSFS_OK) {
        return rc;
    }
    uint8_t *leaf = fs->nodebuf[p.height - 1];
    unsigned i = leaf_search(leaf, rec, &found);
    if (found) {
        memcpy(ent(leaf, i), rec, FST_SIZE);
    } else {
        node_insert(fs, leaf, i, rec, fs->nodebuf[DIR_MAX_HEIGHT], &split);
    }
    return write_up(fs, &p, (int)p.height - 1, split);
}

int
cmsfs_dir_delete(struct cmsfs *fs, const struct cmsfs_name *name)
{
    struct path p;
    bool found;
    if (fs->cur.dir_height == 0) {
        return CMSFS_E_NOTFOUND;
    }
    int rc = descend(fs, (const uint8_t *)name, &p);
    if (rc != CMSFS_OK) {
        return rc;
    }
    int d = (int)p.height - 1;
    unsigned i = leaf_search(fs->nodebuf[d], (const uint8_t *)name, &found);
    if (!found) {
        return CMSFS_E_NOTFOUND;
    }
    node_remove(fs->nodebuf[d], i);
    /* Empty nodes leave their parents. */
    while (d > 0 && node_count(fs->nodebuf[d]) == 0) {
        cmsfs_free_live(fs, p.blk[d]);
        d--;
        node_remove(fs->nodebuf[d], p.idx[d]);
    }
    if (d == 0 && node_count(fs->nodebuf[0]) == 0) {
        cmsfs_free_live(fs, p.blk[0]);
        fs->cur.dir_root = 0;
        fs->cur.dir_height = 0;
        return CMSFS_OK;
    }
    rc = write_up(fs, &p, d, false);
    /* A root with one child gives way to it. */
    while (rc == CMSFS_OK && fs->cur.dir_height > 1) {
        uint8_t *root = fs->nodebuf[0];
        rc = cmsfs_meta_read(fs, fs->cur.dir_root, DIR_MAGIC, root);
        if (rc != CMSFS_OK || node_count(root) != 1) {
            break;
        }
        cmsfs_free_live(fs, fs->cur.dir_root);
        fs->cur.dir_root = child(root, 0);
        fs->cur.dir_height--;
    }
    return rc;
}

int
cmsfs_dir_seek(struct cmsfs *fs, const uint8_t *key, bool strict, uint8_t *leaf_out, unsigned *idx)
{
    struct path p;
    bool found = false;
    if (fs->cur.dir_height == 0) {
        return CMSFS_E_EOF;
    }
    int rc = descend(fs, key, &p);
    if (rc != CMSFS_OK) {
        return rc;
    }
    unsigned h = p.height;
    uint8_t *leaf = fs->nodebuf[h - 1];
    unsigned i = key ? leaf_search(leaf, key, &found) : 0;
    if (strict && found) {
        i++;
    }
    while (i >= node_count(leaf)) {
        /* On to the next leaf: up to the lowest ancestor with a next child. */
        int d = (int)h - 2;
        while (d >= 0 && p.idx[d] + 1 >= node_count(fs->nodebuf[d])) {
            d--;
        }
        if (d < 0) {
            return CMSFS_E_EOF;
        }
        p.idx[d]++;
        for (unsigned e = (unsigned)d + 1; e < h; e++) {
            uint32_t blk = child(fs->nodebuf[e - 1], p.idx[e - 1]);
            rc = cmsfs_meta_read(fs, blk, DIR_MAGIC, fs->nodebuf[e]);
            if (rc != CMSFS_OK) {
                return rc;
            }
            if (node_level(fs->nodebuf[e]) != h - 1 - e) {
                return CMSFS_E_CORRUPT;
            }
            p.idx[e] = 0;
        }
        i = 0;
    }
    memcpy(leaf_out, leaf, BS);
    *idx = i;
    return CMSFS_OK;
}
