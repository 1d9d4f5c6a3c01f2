// SPDX-License-Identifier: MIT
/*
 * cms/fs/fs.c - the public entry points that act on a whole disk: FORMAT,
 * mount and unmount, disk statistics, STATE, ERASE, RENAME and the LISTFILE
 * iterator.  Open files are in file.c, the checker in check.c.
 *
 * Every change is one directory operation bracketed by cmsfs_op_begin/cmsfs_op_end
 * (alloc.c), which commits it or rolls the in-memory state back.
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

void
cmsfs_fst_to_stat(const struct fst *f, struct cmsfs_stat *st)
{
    memset(st, 0, sizeof *st);
    st->name = f->name;
    st->fmnum = f->fmnum;
    st->recfm = f->recfm;
    st->lrecl = f->lrecl;
    st->records = f->records;
    st->blocks = f->blocks;
    st->bytes = f->recfm == 'V' ? f->bytes - 2ull * f->records : f->bytes;
    st->mtime = f->mtime;
}

/* ---- the mount structure ----------------------------------------------- */

static void
fs_free(struct cmsfs *fs)
{
    if (fs == NULL) {
        return;
    }
    cmsfs_alloc_free_maps(fs);
    cmsfs_cache_free(&fs->cache);
    for (unsigned i = 0; i <= DIR_MAX_HEIGHT; i++) {
        free(fs->nodebuf[i]);
    }
    free(fs->tmpbuf);
    free(fs);
}

uint8_t *
cmsfs_nodebuf(struct cmsfs *fs, unsigned i)
{
    if (fs->nodebuf[i] == NULL) {
        fs->nodebuf[i] = malloc(BS);
    }
    return fs->nodebuf[i];
}

static int
fs_new(const struct cmsfs_dev *dev, const struct cmsfs_opts *opts, struct cmsfs **out)
{
    *out = NULL;
    if (dev == NULL || dev->block_size != BS || dev->read == NULL || dev->block_count < 2) {
        return CMSFS_E_INVAL;
    }
    struct cmsfs *fs = calloc(1, sizeof *fs);
    if (fs == NULL) {
        return CMSFS_E_NOMEM;
    }
    fs->dev = *dev;
    if (opts) {
        fs->flags = opts->flags;
        fs->clock = opts->clock;
        fs->clock_ctx = opts->clock_ctx;
    }
    fs->ro = (fs->flags & CMSFS_MOUNT_RDONLY) || dev->read_only || dev->write == NULL;
    fs->tmpbuf = malloc(BS);
    int rc = fs->tmpbuf ? cmsfs_cache_init(&fs->cache, opts ? opts->cache_blocks : 0)
                        : CMSFS_E_NOMEM;
    if (rc != CMSFS_OK) {
        free(fs->tmpbuf);
        free(fs);
        return rc;
    }
    *out = fs;
    return CMSFS_OK;
}

/* ---- FORMAT ------------------------------------------------------------ */

static int
label_set(char out[8], const char *label)
{
    if (label == NULL || *label == '\0') {
        label = "CMS";
    }
    size_t n = strlen(label);
    struct cmsfs_name tmp;
    char buf[CMSFS_NAME_LEN + 1];
    if (n > CMSFS_LABEL_LEN) {
        return CMSFS_E_INVAL;
    }
    memcpy(buf, label, n + 1);
    if (cmsfs_name_set(&tmp, buf, "X") != CMSFS_OK) {
        return CMSFS_E_INVAL; /* the same characters as names */
    }
    memcpy(out, tmp.fn, 8);
    return CMSFS_OK;
}

int
cmsfs_format(const struct cmsfs_dev *dev, const char *label, const struct cmsfs_opts *opts)
{
    struct cmsfs *fs;
    if (dev != NULL && (dev->read_only || dev->write == NULL)) {
        return CMSFS_E_ROFS;
    }
    int rc = fs_new(dev, opts, &fs);
    if (rc != CMSFS_OK) {
        return rc;
    }
    uint64_t blocks = dev->block_count > CMSFS_MAX_BLOCKS ? CMSFS_MAX_BLOCKS : dev->block_count;
    if (blocks < CMSFS_MIN_BLOCKS) {
        rc = CMSFS_E_INVAL;
    }
    if (rc == CMSFS_OK) {
        rc = label_set(fs->cur.label, label);
    }
    if (rc == CMSFS_OK) {
        fs->cur.block_count = (uint32_t)blocks;
        fs->cur.nchunks = (uint32_t)((blocks + CHUNK_BITS - 1) / CHUNK_BITS);
        cmsfs_fs_now(fs, &fs->cur.formatted);
        fs->com = fs->cur;
        rc = cmsfs_alloc_init(fs);
    }
    /* No valid superblock while the rest is written: an interrupted format
     * leaves a disk that says it is not formatted. */
    memset(fs->tmpbuf, 0, BS);
    for (uint32_t b = 0; rc == CMSFS_OK && b < 2; b++) {
        rc = cmsfs_dev_write(fs, b, fs->tmpbuf);
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_dev_flush(fs);
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_alloc_format(fs);
    }
    fs_free(fs);
    return rc == CMSFS_E_FAILED ? CMSFS_E_IO : rc;
}

/* ---- mount ------------------------------------------------------------- */

/* Takes superblock sb as the disk's state: loads its bitmap (and that of
 * `prev`, the other slot's, if it is the generation before) and checks that
 * its directory root reads back. */
static int
mount_try(struct cmsfs *fs, const struct sb *sb, const struct sb *prev)
{
    fs->com = fs->cur = *sb;
    int rc = CMSFS_OK;
    if (!fs->ro) {
        cmsfs_alloc_free_maps(fs);
        rc = cmsfs_alloc_init(fs);
        if (rc == CMSFS_OK) {
            rc = cmsfs_alloc_load(fs, sb, fs->bm_l);
        }
        if (rc == CMSFS_OK) {
            bool prev_ok = prev && prev->gen + 1 == sb->gen &&
                           prev->block_count == sb->block_count &&
                           cmsfs_alloc_load(fs, prev, fs->bm_cp) == CMSFS_OK;
            if (!prev_ok) {
                memcpy(fs->bm_cp, fs->bm_c, (size_t)sb->nchunks * BS);
            }
            /* The previous commit changed every chunk, as far as we know. */
            memset(fs->chunk_prev_dirty, 1, sb->nchunks);
        }
    }
    if (rc == CMSFS_OK && sb->dir_root != 0 && cmsfs_nodebuf(fs, 0) == NULL) {
        rc = CMSFS_E_NOMEM;
    }
    if (rc == CMSFS_OK && sb->dir_root != 0) {
        rc = cmsfs_meta_read(fs, sb->dir_root, DIR_MAGIC, fs->nodebuf[0]);
        if (rc == CMSFS_OK && node_level(fs->nodebuf[0]) + 1u != sb->dir_height) {
            rc = CMSFS_E_CORRUPT;
        }
    }
    return rc;
}

int
cmsfs_mount(const struct cmsfs_dev *dev, const struct cmsfs_opts *opts, struct cmsfs **out)
{
    struct cmsfs *fs;
    struct sb sb[2];
    int st[2];
    if (out == NULL) {
        return CMSFS_E_INVAL;
    }
    int rc = fs_new(dev, opts, &fs);
    if (rc != CMSFS_OK) {
        return rc;
    }
    for (int s = 0; s < 2; s++) {
        st[s] = cmsfs_dev_read(fs, (uint32_t)s, fs->tmpbuf);
        if (st[s] == CMSFS_OK) {
            st[s] = cmsfs_sb_decode(fs->tmpbuf, &sb[s]);
        }
        if (st[s] == CMSFS_OK && (sb[s].gen % 2 != (uint64_t)s ||
                                  sb[s].block_count > dev->block_count)) {
            st[s] = CMSFS_E_CORRUPT;
        }
    }
    /* A superblock of a format this code does not know may be the newest
     * state: never fall back past it. */
    if (st[0] == CMSFS_E_VERSION || st[1] == CMSFS_E_VERSION) {
        fs_free(fs);
        return CMSFS_E_VERSION;
    }
    /* Newest first; the other one if the newest does not load. */
    int order[2] = {0, 1};
    if (st[0] == CMSFS_OK && st[1] == CMSFS_OK && sb[1].gen > sb[0].gen) {
        order[0] = 1;
        order[1] = 0;
    } else if (st[0] != CMSFS_OK) {
        order[0] = 1;
        order[1] = 0;
    }
    rc = st[0] == CMSFS_E_NOTFMT && st[1] == CMSFS_E_NOTFMT ? CMSFS_E_NOTFMT : CMSFS_E_CORRUPT;
    for (int i = 0; i < 2; i++) {
        int s = order[i];
        if (st[s] != CMSFS_OK) {
            continue;
        }
        const struct sb *other = st[1 - s] == CMSFS_OK ? &sb[1 - s] : NULL;
        rc = mount_try(fs, &sb[s], other);
        if (rc == CMSFS_OK) {
            break;
        }
    }
    if (rc != CMSFS_OK) {
        fs_free(fs);
        return rc;
    }
    *out = fs;
    return CMSFS_OK;
}

int
cmsfs_unmount(struct cmsfs *fs)
{
    if (fs == NULL) {
        return CMSFS_OK;
    }
    int rc = fs->open_files ? CMSFS_E_BUSY : CMSFS_OK;
    while (fs->open_files) {
        cmsfs_discard(fs->open_files);
    }
    fs_free(fs);
    return rc;
}

void
cmsfs_stats(const struct cmsfs *fs, struct cmsfs_stats *st)
{
    memset(st, 0, sizeof *st);
    size_t n = CMSFS_LABEL_LEN;
    memcpy(st->label, fs->com.label, n);
    while (n > 0 && st->label[n - 1] == ' ') {
        n--;
    }
    st->label[n] = '\0';
    st->version = CMSFS_FORMAT_VERSION;
    st->block_size = BS;
    st->blocks_total = fs->com.block_count;
    st->blocks_used = fs->ro ? fs->com.used : fs->live;
    st->blocks_free = st->blocks_total - st->blocks_used;
    st->device_blocks = fs->dev.block_count;
    st->files = fs->com.files;
    st->generation = fs->com.gen;
    st->read_only = fs->ro;
    st->formatted = fs->com.formatted;
    st->committed = fs->com.committed;
}

/* ---- STATE, ERASE, RENAME ---------------------------------------------- */

int
cmsfs_state(struct cmsfs *fs, const struct cmsfs_name *name, struct cmsfs_stat *st)
{
    struct fst f;
    if (fs == NULL) {
        return CMSFS_E_INVAL;
    }
    if (!cmsfs_name_valid(name)) {
        return CMSFS_E_BADNAME;
    }
    int rc = cmsfs_dir_lookup(fs, name, &f);
    if (rc == CMSFS_OK && st) {
        cmsfs_fst_to_stat(&f, st);
    }
    return rc;
}

int
cmsfs_erase(struct cmsfs *fs, const struct cmsfs_name *name)
{
    struct fst f;
    if (fs == NULL) {
        return CMSFS_E_INVAL;
    }
    if (!cmsfs_name_valid(name)) {
        return CMSFS_E_BADNAME;
    }
    if (cmsfs_file_is_open(fs, name, false)) {
        return CMSFS_E_BUSY;
    }
    int rc = cmsfs_op_begin(fs);
    if (rc != CMSFS_OK) {
        return rc;
    }
    rc = cmsfs_dir_lookup(fs, name, &f);
    if (rc == CMSFS_OK) {
        rc = cmsfs_file_free_blocks(fs, &f);
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_dir_delete(fs, name);
    }
    if (rc == CMSFS_OK) {
        fs->cur.files--;
    }
    return cmsfs_op_end(fs, rc);
}

int
cmsfs_rename(struct cmsfs *fs, const struct cmsfs_name *from, const struct cmsfs_name *to,
             int new_fmnum)
{
    struct fst f, g;
    if (fs == NULL) {
        return CMSFS_E_INVAL;
    }
    if (!cmsfs_name_valid(from) || !cmsfs_name_valid(to)) {
        return CMSFS_E_BADNAME;
    }
    if (new_fmnum < -1 || new_fmnum > 6) {
        return CMSFS_E_BADMODE;
    }
    if (cmsfs_file_is_open(fs, from, false) || cmsfs_file_is_open(fs, to, false)) {
        return CMSFS_E_BUSY;
    }
    int rc = cmsfs_op_begin(fs);
    if (rc != CMSFS_OK) {
        return rc;
    }
    bool same = memcmp(from, to, sizeof *from) == 0;
    rc = cmsfs_dir_lookup(fs, from, &f);
    if (rc == CMSFS_OK && !same) {
        rc = cmsfs_dir_lookup(fs, to, &g);
        rc = rc == CMSFS_OK ? CMSFS_E_EXISTS : rc == CMSFS_E_NOTFOUND ? CMSFS_OK : rc;
        if (rc == CMSFS_OK) {
            rc = cmsfs_dir_delete(fs, from);
        }
    }
    if (rc == CMSFS_OK) {
        f.name = *to;
        if (new_fmnum >= 0) {
            f.fmnum = (uint8_t)new_fmnum;
        }
        rc = cmsfs_dir_put(fs, &f);
    }
    return cmsfs_op_end(fs, rc);
}

/* ---- LISTFILE ---------------------------------------------------------- */

struct cmsfs_iter {
    struct cmsfs *fs;
    char fn[2 * CMSFS_NAME_LEN + 1], ft[2 * CMSFS_NAME_LEN + 1];
    int fmnum;
    uint8_t start[16]; /* the smallest key that can match */
    size_t prefix; /* literal leading characters of the fn pattern */
    uint8_t last[16]; /* the last key looked at */
    bool started, done, have_leaf;
    uint64_t mod; /* fs->mod_count when the leaf was copied */
    unsigned idx;
    uint8_t leaf[BS];
};

static int
pattern_copy(char *out, const char *pat)
{
    if (pat == NULL) {
        pat = "*";
    }
    size_t n = strlen(pat);
    if (n > 2 * CMSFS_NAME_LEN) {
        return CMSFS_E_BADNAME;
    }
    for (size_t i = 0; i <= n; i++) {
        char c = pat[i];
        out[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    return cmsfs_pattern_valid(out) ? CMSFS_OK : CMSFS_E_BADNAME;
}

int
cmsfs_iter_open(struct cmsfs *fs, const char *fn_pattern, const char *ft_pattern, int fmnum,
                struct cmsfs_iter **out)
{
    if (fs == NULL || out == NULL) {
        return CMSFS_E_INVAL;
    }
    if (fmnum < -1 || fmnum > 6) {
        return CMSFS_E_BADMODE;
    }
    struct cmsfs_iter *it = calloc(1, sizeof *it);
    if (it == NULL) {
        return CMSFS_E_NOMEM;
    }
    int rc = pattern_copy(it->fn, fn_pattern);
    if (rc == CMSFS_OK) {
        rc = pattern_copy(it->ft, ft_pattern);
    }
    if (rc != CMSFS_OK) {
        free(it);
        return rc;
    }
    it->fs = fs;
    it->fmnum = fmnum;
    memset(it->start, ' ', sizeof it->start);
    while (it->prefix < CMSFS_NAME_LEN && it->fn[it->prefix] != '\0' &&
           it->fn[it->prefix] != '*' && it->fn[it->prefix] != '%') {
        it->start[it->prefix] = (uint8_t)it->fn[it->prefix];
        it->prefix++;
    }
    *out = it;
    return CMSFS_OK;
}

int
cmsfs_iter_next(struct cmsfs_iter *it, struct cmsfs_stat *st)
{
    struct fst f;
    while (!it->done) {
        int rc;
        if (!it->started) {
            rc = cmsfs_dir_seek(it->fs, it->start, false, it->leaf, &it->idx);
            it->started = true;
        } else if (it->have_leaf && it->mod == it->fs->mod_count &&
                   it->idx + 1u < node_count(it->leaf)) {
            it->idx++;
            rc = CMSFS_OK;
        } else {
            rc = cmsfs_dir_seek(it->fs, it->last, true, it->leaf, &it->idx);
        }
        it->have_leaf = rc == CMSFS_OK;
        it->mod = it->fs->mod_count;
        if (rc == CMSFS_E_EOF) {
            it->done = true;
            break;
        }
        if (rc != CMSFS_OK) {
            return rc;
        }
        cmsfs_fst_decode(it->leaf + NODE_HDR + it->idx * FST_SIZE, &f);
        memcpy(it->last, &f.name, 16);
        if (memcmp(f.name.fn, it->start, it->prefix) > 0) {
            it->done = true; /* sorted: no later name has the prefix */
            break;
        }
        if (cmsfs_match(it->fn, f.name.fn) && cmsfs_match(it->ft, f.name.ft) &&
            (it->fmnum < 0 || it->fmnum == f.fmnum)) {
            if (st) {
                cmsfs_fst_to_stat(&f, st);
            }
            return CMSFS_OK;
        }
    }
    return CMSFS_E_EOF;
}

void
cmsfs_iter_close(struct cmsfs_iter *it)
{
    free(it);
}
