// SPDX-License-Identifier: MIT
/*
 * cms/fs/record.c - open files as CMS sees them: records (RECFM F and V)
 * read, written, appended and replaced after POINT; opening with the rules
 * on who may open what; the close that commits a writer (its new FST into
 * the directory, the blocks it no longer uses freed, one commit); and the
 * record-level verification the checker uses.
 *
 * Below: file.c (the byte stream and its map), dir.c, alloc.c.  Above: the
 * public API (this file and fs.c).
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

/* ---- records ----------------------------------------------------------- */

/* Length of the record at pos (its V header, or LRECL for F). */
static int
rec_len(struct cmsfs_file *h, uint64_t pos, uint32_t *len)
{
    if (h->fst.recfm == 'F') {
        *len = h->fst.lrecl;
        return CMSFS_OK;
    }
    uint8_t hdr[2];
    int rc = cmsfs_fh_read(h, pos, hdr, 2);
    *len = get16(hdr);
    return rc;
}

int
cmsfs_read(struct cmsfs_file *f, void *buf, size_t cap, size_t *len)
{
    uint32_t n;
    if (f == NULL || (buf == NULL && cap > 0)) {
        return CMSFS_E_INVAL;
    }
    if (f->err != CMSFS_OK) {
        return f->err;
    }
    if (f->recno >= f->fst.records) {
        return CMSFS_E_EOF;
    }
    int rc = rec_len(f, f->pos, &n);
    uint64_t data = f->pos + (f->fst.recfm == 'V' ? 2 : 0);
    if (rc == CMSFS_OK) {
        rc = cmsfs_fh_read(f, data, buf, n < cap ? n : cap);
    }
    if (rc != CMSFS_OK) {
        return rc;
    }
    f->pos = data + n;
    f->recno++;
    if (len) {
        *len = n;
    }
    return n > cap ? CMSFS_E_TRUNC : CMSFS_OK;
}

/* A new record after the last one. */
static int
rec_append(struct cmsfs_file *f, const void *buf, size_t len)
{
    uint64_t start = f->pos;
    int rc;
    f->rec_start = start;
    if (f->fst.recfm == 'F') {
        rc = cmsfs_fh_write(f, start, buf, 0, len);
        if (rc == CMSFS_OK) {
            rc = cmsfs_fh_write(f, start + len, NULL, ' ', f->fst.lrecl - len);
        }
        f->pos = start + f->fst.lrecl;
    } else {
        uint8_t hdr[2];
        put16(hdr, (uint16_t)len);
        rc = cmsfs_fh_write(f, start, hdr, 0, 2);
        if (rc == CMSFS_OK) {
            rc = cmsfs_fh_write(f, start + 2, buf, 0, len);
        }
        f->pos = start + 2 + len;
    }
    /* The first record to start in its block says where it starts. */
    struct mapent e;
    if (rc == CMSFS_OK) {
        rc = cmsfs_fh_entry_get(f, start / BS, &e);
    }
    if (rc == CMSFS_OK && e.first_off == FIRST_NONE) {
        e.first_off = (uint16_t)(start % BS);
        rc = cmsfs_fh_entry_put(f, start / BS, &e);
    }
    if (rc == CMSFS_OK) {
        f->recno++;
        f->fst.records++;
        if (f->fst.recfm == 'V' && len > f->fst.lrecl) {
            f->fst.lrecl = (uint32_t)len;
        }
    }
    return rc;
}

/* A record replacing the one at pos (after cmsfs_point). */
static int
rec_replace(struct cmsfs_file *f, const void *buf, size_t len)
{
    uint32_t old;
    int rc = rec_len(f, f->pos, &old);
    if (rc != CMSFS_OK) {
        return rc;
    }
    if (f->fst.recfm == 'V' && old != len) {
        return CMSFS_E_RECLEN;
    }
    uint64_t data = f->pos + (f->fst.recfm == 'V' ? 2 : 0);
    rc = cmsfs_fh_write(f, data, buf, 0, len);
    if (rc == CMSFS_OK) {
        rc = cmsfs_fh_write(f, data + len, NULL, ' ', old - len);
    }
    if (rc == CMSFS_OK) {
        f->pos = data + old;
        f->recno++;
    }
    return rc;
}

int
cmsfs_write(struct cmsfs_file *f, const void *buf, size_t len)
{
    if (f == NULL || (buf == NULL && len > 0) || f->mode == CMSFS_READ) {
        return CMSFS_E_INVAL;
    }
    if (f->err != CMSFS_OK) {
        return f->err;
    }
    if (f->fs->failed) {
        return CMSFS_E_FAILED;
    }
    if (len > (f->fst.recfm == 'F' ? f->fst.lrecl : f->vlimit)) {
        return CMSFS_E_RECLEN;
    }
    int rc;
    if (f->pos < f->fst.bytes) {
        rc = rec_replace(f, buf, len);
        if (rc == CMSFS_E_RECLEN) {
            return rc; /* checked before anything changed */
        }
    } else if (f->fst.records == UINT32_MAX) {
        return CMSFS_E_RANGE;
    } else {
        rc = rec_append(f, buf, len);
    }
    if (rc != CMSFS_OK) {
        f->err = rc;
    }
    return rc;
}

int
cmsfs_point(struct cmsfs_file *f, uint32_t recno)
{
    if (f == NULL) {
        return CMSFS_E_INVAL;
    }
    if (f->err != CMSFS_OK) {
        return f->err;
    }
    if (recno == 0 || recno - 1 > f->fst.records) {
        return CMSFS_E_RANGE;
    }
    uint32_t r = recno - 1;
    if (r == f->fst.records) {
        f->pos = f->fst.bytes;
        f->recno = r;
        return CMSFS_OK;
    }
    if (f->fst.recfm == 'F') {
        f->pos = (uint64_t)r * f->fst.lrecl;
        f->recno = r;
        return CMSFS_OK;
    }
    /* The last block where at most r records started before it... */
    struct mapent e;
    uint64_t lo = 0, hi = f->ndata - 1;
    int rc = CMSFS_OK;
    while (lo < hi) {
        uint64_t mid = (lo + hi + 1) / 2;
        rc = cmsfs_fh_entry_get(f, mid, &e);
        if (rc != CMSFS_OK) {
            return rc;
        }
        if (e.recbase <= r) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_fh_entry_get(f, lo, &e);
    }
    if (rc == CMSFS_OK && (e.first_off == FIRST_NONE || e.recbase > r)) {
        rc = CMSFS_E_CORRUPT;
    }
    /* ... then record r starts in it: walk there. */
    uint64_t pos = lo * BS + e.first_off;
    for (uint32_t k = e.recbase; rc == CMSFS_OK && k < r; k++) {
        uint32_t n;
        rc = rec_len(f, pos, &n);
        pos += 2 + n;
    }
    if (rc != CMSFS_OK) {
        return rc;
    }
    f->pos = pos;
    f->recno = r;
    return CMSFS_OK;
}

/* ---- open and close ---------------------------------------------------- */

bool
cmsfs_file_is_open(struct cmsfs *fs, const struct cmsfs_name *name, bool writers_only)
{
    for (struct cmsfs_file *h = fs->open_files; h; h = h->next) {
        if (memcmp(&h->fst.name, name, sizeof *name) == 0 &&
            (!writers_only || h->mode != CMSFS_READ)) {
            return true;
        }
    }
    return false;
}

void
cmsfs_file_release(struct cmsfs_file *h)
{
    for (struct cmsfs_file **pp = &h->fs->open_files; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    }
    free(h->data.buf);
    free(h->alloc);
    free(h->tofree);
    free(h);
}

/* Frees the whole map subtree at blk (level L) into the live bitmap. */
static int
free_tree(struct cmsfs *fs, uint32_t blk, unsigned L)
{
    uint8_t *b = cmsfs_nodebuf(fs, L);
    if (b == NULL) {
        return CMSFS_E_NOMEM;
    }
    int rc = cmsfs_meta_read(fs, blk, MAP_MAGIC, b);
    if (rc == CMSFS_OK && node_level(b) != L) {
        rc = CMSFS_E_CORRUPT;
    }
    for (unsigned i = 0; rc == CMSFS_OK && i < node_count(b); i++) {
        struct mapent e;
        cmsfs_mapent_get(b, i, &e);
        if (e.blk == 0) {
            continue;
        }
        if (L == 0) {
            cmsfs_free_live(fs, e.blk);
        } else {
            rc = free_tree(fs, e.blk, L - 1);
            if (rc == CMSFS_OK) {
                rc = cmsfs_meta_read(fs, blk, MAP_MAGIC, b); /* the child used the buffer below */
            }
        }
    }
    if (rc == CMSFS_OK) {
        cmsfs_free_live(fs, blk);
    }
    return rc;
}

int
cmsfs_file_free_blocks(struct cmsfs *fs, const struct fst *f)
{
    if (f->map_root == 0) {
        return CMSFS_OK;
    }
    if (f->depth == 0) {
        cmsfs_free_live(fs, f->map_root);
        return CMSFS_OK;
    }
    return free_tree(fs, f->map_root, f->depth - 1u);
}

static void
give_back_pending(struct cmsfs_file *h)
{
    for (size_t i = 0; i < h->nalloc; i++) {
        if (bm_test(h->fs->bm_p, h->alloc[i])) {
            cmsfs_free_pending(h->fs, h->alloc[i]);
        }
    }
    h->nalloc = 0;
}

/* A writer's close: its buffers, then one directory change. */
static int
commit_writer(struct cmsfs_file *h)
{
    struct cmsfs *fs = h->fs;
    int rc = h->err != CMSFS_OK ? h->err : fs->failed ? CMSFS_E_FAILED : cmsfs_fh_data_flush(h);
    for (unsigned L = 0; rc == CMSFS_OK && L < h->fst.depth; L++) {
        rc = cmsfs_fh_lvl_flush(h, L);
    }
    if (rc == CMSFS_OK) {
        rc = cmsfs_op_begin(fs);
    }
    if (rc != CMSFS_OK) {
        return rc;
    }
    struct fst old;
    bool existed = false;
    cmsfs_fs_now(fs, &h->fst.mtime);
    rc = cmsfs_dir_lookup(fs, &h->fst.name, &old);
    if (rc == CMSFS_OK) {
        existed = true;
        if (h->mode == CMSFS_WRITE) {
            rc = cmsfs_file_free_blocks(fs, &old);
        }
    } else if (rc == CMSFS_E_NOTFOUND) {
        rc = CMSFS_OK;
    }
    for (size_t i = 0; rc == CMSFS_OK && i < h->nalloc; i++) {
        cmsfs_pending_to_live(fs, h->alloc[i]);
    }
    for (size_t i = 0; rc == CMSFS_OK && i < h->nfree; i++) {
        cmsfs_free_live(fs, h->tofree[i]);
    }
    if (rc == CMSFS_OK) {
        if (h->fst.map_root == 0) {
            h->fst.depth = 0;
        }
        rc = cmsfs_dir_put(fs, &h->fst);
    }
    if (rc == CMSFS_OK && !existed) {
        fs->cur.files++;
    }
    return cmsfs_op_end(fs, rc);
}

int
cmsfs_close(struct cmsfs_file *f)
{
    if (f == NULL) {
        return CMSFS_E_INVAL;
    }
    int rc = CMSFS_OK;
    if (f->mode != CMSFS_READ) {
        rc = commit_writer(f);
        give_back_pending(f); /* after a failure: nothing of it is live */
    }
    cmsfs_file_release(f);
    return rc;
}

void
cmsfs_discard(struct cmsfs_file *f)
{
    if (f != NULL) {
        give_back_pending(f);
        cmsfs_file_release(f);
    }
}

void
cmsfs_file_stat(const struct cmsfs_file *f, struct cmsfs_stat *st)
{
    cmsfs_fst_to_stat(&f->fst, st);
}

static int
check_create(const struct cmsfs_create *c)
{
    if (c->fmnum < 0 || c->fmnum > 6) {
        return CMSFS_E_BADMODE;
    }
    if (c->recfm == 'F') {
        return c->lrecl >= 1 && c->lrecl <= CMSFS_MAX_LRECL ? CMSFS_OK : CMSFS_E_RECFM;
    }
    if (c->recfm == 'V') {
        return c->lrecl <= CMSFS_MAX_LRECL ? CMSFS_OK : CMSFS_E_RECFM;
    }
    return CMSFS_E_RECFM;
}

int
cmsfs_open(struct cmsfs *fs, const struct cmsfs_name *name, enum cmsfs_mode mode,
           const struct cmsfs_create *create, struct cmsfs_file **out)
{
    static const struct cmsfs_create dflt = {'V', 0, 1};
    struct fst old;
    if (fs == NULL || out == NULL || (mode == CMSFS_WRITE && create == NULL) ||
        (mode != CMSFS_READ && mode != CMSFS_WRITE && mode != CMSFS_APPEND)) {
        return CMSFS_E_INVAL;
    }
    *out = NULL;
    if (!cmsfs_name_valid(name)) {
        return CMSFS_E_BADNAME;
    }
    if (mode != CMSFS_READ && fs->ro) {
        return CMSFS_E_ROFS;
    }
    if (mode != CMSFS_READ && fs->failed) {
        return CMSFS_E_FAILED;
    }
    if (create == NULL) {
        create = &dflt;
    }
    int rc = cmsfs_dir_lookup(fs, name, &old);
    bool exists = rc == CMSFS_OK;
    if (rc != CMSFS_OK && rc != CMSFS_E_NOTFOUND) {
        return rc;
    }
    if (mode == CMSFS_READ && !exists) {
        return CMSFS_E_NOTFOUND;
    }
    if (cmsfs_file_is_open(fs, name, mode == CMSFS_READ)) {
        return CMSFS_E_BUSY;
    }
    if (mode == CMSFS_APPEND && exists && create != &dflt &&
        (create->recfm != old.recfm || (old.recfm == 'F' && create->lrecl != old.lrecl))) {
        return CMSFS_E_RECFM;
    }
    bool fresh = mode == CMSFS_WRITE || (mode == CMSFS_APPEND && !exists);
    if (fresh && (rc = check_create(create)) != CMSFS_OK) {
        return rc;
    }
    struct cmsfs_file *h = calloc(1, sizeof *h);
    uint8_t *bufs = malloc((MAP_MAX_DEPTH + 1) * BS);
    if (h == NULL || bufs == NULL) {
        free(h);
        free(bufs);
        return CMSFS_E_NOMEM;
    }
    h->fs = fs;
    h->mode = mode;
    h->data.buf = bufs;
    for (unsigned L = 0; L < MAP_MAX_DEPTH; L++) {
        h->lvl[L].buf = bufs + (L + 1) * BS;
    }
    h->vlimit = CMSFS_MAX_LRECL;
    if (fresh) {
        h->fst.name = *name;
        h->fst.fmnum = (uint8_t)create->fmnum;
        h->fst.recfm = create->recfm;
        h->fst.lrecl = create->recfm == 'F' ? create->lrecl : 0;
        if (create->recfm == 'V' && create->lrecl != 0) {
            h->vlimit = create->lrecl;
        }
    } else {
        h->fst = old;
        h->ndata = (old.bytes + BS - 1) / BS;
        if (!cmsfs_fst_sane(&old)) {
            free(bufs);
            free(h);
            return CMSFS_E_CORRUPT;
        }
    }
    if (mode == CMSFS_APPEND) {
        h->pos = h->fst.bytes;
        h->recno = h->fst.records;
    }
    h->next = fs->open_files;
    fs->open_files = h;
    *out = h;
    return CMSFS_OK;
}

/* ---- verification (for check.c) ---------------------------------------- */

/* Do the map entries of blocks [from, to) say that `recs` records started
 * before each, and (block `to` only, if with_start) that the first record
 * starting in it starts at `off`? */
static int
verify_entries(struct cmsfs_file *h, uint64_t from, uint64_t to, uint32_t recs, bool with_start,
               uint16_t off, const char **why)
{
    struct mapent e;
    for (uint64_t c = from; c <= to && c < h->ndata; c++) {
        if (c == to && !with_start) {
            break;
        }
        int rc = cmsfs_fh_entry_get(h, c, &e);
        if (rc != CMSFS_OK) {
            *why = "map block unreadable";
            return rc;
        }
        uint16_t want = c == to ? off : FIRST_NONE;
        if (e.recbase != recs || e.first_off != want) {
            *why = "map entry record index wrong";
            return CMSFS_E_CORRUPT;
        }
    }
    return CMSFS_OK;
}

int
cmsfs_file_verify(struct cmsfs *fs, const struct fst *f, const char **why)
{
    struct cmsfs_file h;
    memset(&h, 0, sizeof h);
    *why = "sizes do not fit together";
    if (!cmsfs_fst_sane(f)) {
        return CMSFS_E_CORRUPT;
    }
    uint8_t *bufs = malloc((MAP_MAX_DEPTH + 1) * BS);
    if (bufs == NULL) {
        *why = "no storage";
        return CMSFS_E_NOMEM;
    }
    h.fs = fs;
    h.mode = CMSFS_READ;
    h.fst = *f;
    h.ndata = (f->bytes + BS - 1) / BS;
    h.data.buf = bufs;
    for (unsigned L = 0; L < MAP_MAX_DEPTH; L++) {
        h.lvl[L].buf = bufs + (L + 1) * BS;
    }
    int rc = CMSFS_OK;
    for (uint64_t c = 0; rc == CMSFS_OK && c < h.ndata; c++) {
        rc = cmsfs_fh_data_load(&h, c, false);
        *why = "data block unreadable or checksum wrong";
    }
    uint64_t pos = 0, next = 0;
    uint32_t longest = 0;
    for (uint32_t r = 0; rc == CMSFS_OK && r < f->records; r++) {
        uint64_t b = pos / BS;
        if (b >= next) {
            rc = verify_entries(&h, next, b, r, true, (uint16_t)(pos % BS), why);
            next = b + 1;
        }
        uint32_t n = 0;
        if (rc == CMSFS_OK) {
            *why = "record beyond the end of the file";
            rc = rec_len(&h, pos, &n);
        }
        pos += n + (f->recfm == 'V' ? 2 : 0);
        longest = n > longest ? n : longest;
        if (rc == CMSFS_OK && pos > f->bytes) {
            rc = CMSFS_E_CORRUPT;
        }
    }
    if (rc == CMSFS_OK && pos != f->bytes) {
        *why = "records do not fill the file";
        rc = CMSFS_E_CORRUPT;
    }
    if (rc == CMSFS_OK) {
        rc = verify_entries(&h, next, h.ndata, f->records, false, 0, why);
    }
    if (rc == CMSFS_OK && f->recfm == 'V' && longest != f->lrecl) {
        *why = "LRECL is not the longest record";
        rc = CMSFS_E_CORRUPT;
    }
    free(bufs);
    return rc;
}
