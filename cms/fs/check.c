// SPDX-License-Identifier: MIT
/*
 * cms/fs/check.c - the consistency check (`vmrv disk check`, and the tests'
 * judge after every simulated crash).  It walks the committed state: every
 * directory node (checksum, level, order of keys, key bounds), every file
 * (sizes, map blocks, data checksums, each record, via cmsfs_file_verify), and
 * builds the set of blocks in use, which must equal the bitmap on disk (and
 * the live one in memory): no block lost, none used twice.
 *
 * It only reads.  Messages are built without stdio (this file is compiled
 * into the guest too).
 */
#include <stdlib.h>

#include "cms/fs/cmsfs_int.h"

struct walk {
    struct cmsfs *fs;
    struct cmsfs_check_report *rep;
    uint64_t *ref; /* blocks reached */
    uint64_t files;
};

/* ---- messages ---------------------------------------------------------- */

static void
append(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    while (*s && n + 1 < cap) {
        out[n++] = *s++;
    }
    out[n] = '\0';
}

static void
append_num(char *out, size_t cap, uint64_t v)
{
    char d[24];
    int i = 23;
    d[i] = '\0';
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    append(out, cap, d + i);
}

/* Records the first problem: "what [block N] [in FN FT]". */
static int
problem(struct walk *w, int rc, const char *what, uint64_t blk, const struct cmsfs_name *name)
{
    char *m = w->rep->message;
    size_t cap = sizeof w->rep->message;
    if (m[0] == '\0') {
        append(m, cap, what);
        if (blk != 0) {
            append(m, cap, " at block ");
            append_num(m, cap, blk);
        }
        if (name != NULL) {
            char s[18];
            append(m, cap, " in ");
            append(m, cap, cmsfs_name_str(name, s));
        }
    }
    return rc == CMSFS_OK ? CMSFS_E_CORRUPT : rc;
}

/* ---- the walk ---------------------------------------------------------- */

static int
mark(struct walk *w, uint32_t blk, const struct cmsfs_name *name)
{
    if (blk >= w->fs->com.block_count || blk < 2) {
        return problem(w, CMSFS_OK, "block number out of range", blk, name);
    }
    if (bm_test(w->ref, blk)) {
        return problem(w, CMSFS_OK, "block used twice", blk, name);
    }
    w->ref[blk >> 6] |= 1ull << (blk & 63);
    w->rep->blocks_referenced++;
    return CMSFS_OK;
}

/* Marks a file's map blocks and data blocks; counts them into *n. */
static int
walk_map(struct walk *w, uint32_t blk, unsigned L, const struct fst *f, uint64_t *n)
{
    uint8_t *b = malloc(BS);
    if (b == NULL) {
        return CMSFS_E_NOMEM;
    }
    int rc = mark(w, blk, &f->name);
    if (rc == CMSFS_OK) {
        rc = cmsfs_meta_read(w->fs, blk, MAP_MAGIC, b);
        if (rc != CMSFS_OK || node_level(b) != L || node_count(b) == 0) {
            rc = problem(w, rc, "map block damaged", blk, &f->name);
        }
    }
    for (unsigned i = 0; rc == CMSFS_OK && i < MAP_FAN; i++) {
        struct mapent e;
        cmsfs_mapent_get(b, i, &e);
        if ((i < node_count(b)) != (e.blk != 0)) {
            rc = problem(w, CMSFS_OK, "map block entries wrong", blk, &f->name);
        } else if (e.blk != 0 && L == 0) {
            rc = mark(w, e.blk, &f->name);
            ++*n;
        } else if (e.blk != 0) {
            rc = walk_map(w, e.blk, L - 1, f, n);
            ++*n;
        }
    }
    free(b);
    return rc;
}

static int
walk_file(struct walk *w, const struct fst *f)
{
    const char *why = "";
    uint64_t nblocks = 0;
    int rc = CMSFS_OK;
    if (f->map_root != 0) {
        nblocks = 1;
        rc = f->depth == 0 ? mark(w, f->map_root, &f->name)
                           : walk_map(w, f->map_root, f->depth - 1u, f, &nblocks);
    }
    if (rc == CMSFS_OK && nblocks != f->blocks) {
        rc = problem(w, CMSFS_OK, "block count wrong", 0, &f->name);
    }
    if (rc == CMSFS_OK && (rc = cmsfs_file_verify(w->fs, f, &why)) != CMSFS_OK) {
        rc = problem(w, rc, why, 0, &f->name);
    }
    return rc;
}

/* A directory subtree at level L whose keys must lie in [lo, hi) (NULL:
 * unbounded). */
static int
walk_dir(struct walk *w, uint32_t blk, unsigned L, const uint8_t *lo, const uint8_t *hi)
{
    uint8_t *b = malloc(BS);
    if (b == NULL) {
        return CMSFS_E_NOMEM;
    }
    int rc = mark(w, blk, NULL);
    if (rc == CMSFS_OK) {
        rc = cmsfs_meta_read(w->fs, blk, DIR_MAGIC, b);
        if (rc != CMSFS_OK || node_level(b) != L || node_count(b) == 0) {
            rc = problem(w, rc, "directory node damaged", blk, NULL);
        }
    }
    unsigned n = rc == CMSFS_OK ? node_count(b) : 0;
    unsigned size = L == 0 ? FST_SIZE : DIR_IENT_SIZE;
    for (unsigned i = 0; rc == CMSFS_OK && i < n; i++) {
        const uint8_t *key = b + NODE_HDR + i * size;
        const uint8_t *next = i + 1 < n ? key + size : hi;
        if ((i > 0 || L == 0) && lo && memcmp(key, lo, 16) < 0) {
            rc = problem(w, CMSFS_OK, "directory key below its bound", blk, NULL);
        } else if (next && memcmp(key, next, 16) >= 0) {
            rc = problem(w, CMSFS_OK, "directory keys out of order", blk, NULL);
        } else if (L > 0) {
            rc = walk_dir(w, get32(key + 16), L - 1, i == 0 ? lo : key, next);
        } else {
            struct fst f;
            cmsfs_fst_decode(key, &f);
            w->files++;
            if (!cmsfs_name_valid(&f.name)) {
                rc = problem(w, CMSFS_OK, "invalid file name", blk, NULL);
            } else {
                rc = walk_file(w, &f);
            }
        }
    }
    free(b);
    return rc;
}

/* Compares the blocks reached with the bitmap bm. */
static int
compare(struct walk *w, const uint64_t *bm, const char *which)
{
    for (uint64_t b = 0; b < w->fs->com.block_count; b++) {
        if (bm_test(bm, b) != bm_test(w->ref, b)) {
            char m[64] = "";
            append(m, sizeof m, which);
            append(m, sizeof m, bm_test(bm, b) ? ": block lost" : ": block in use but free");
            return problem(w, CMSFS_OK, m, b, NULL);
        }
    }
    return CMSFS_OK;
}

int
cmsfs_check(struct cmsfs *fs, struct cmsfs_check_report *report)
{
    struct cmsfs_check_report dummy;
    struct walk w = {fs, report ? report : &dummy, NULL, 0};
    memset(w.rep, 0, sizeof *w.rep);
    const struct sb *sb = &fs->com;
    size_t words = (size_t)sb->nchunks * CHUNK_WORDS;
    w.ref = calloc(words, 8);
    uint64_t *disk = calloc(words, 8);
    uint8_t *buf = malloc(BS);
    int rc = w.ref && disk && buf ? CMSFS_OK : CMSFS_E_NOMEM;
    if (rc == CMSFS_OK) {
        w.ref[0] |= 3; /* the superblocks */
        w.rep->blocks_referenced = 2;
    }
    for (uint32_t k = 0; rc == CMSFS_OK && k < sb->nchunks; k++) {
        rc = mark(&w, sb->chunk_blk[k], NULL);
        if (rc == CMSFS_OK) {
            rc = cmsfs_dev_read(fs, sb->chunk_blk[k], buf);
        }
        if (rc == CMSFS_OK && cmsfs_crc32c(0, buf, BS) != sb->chunk_crc[k]) {
            rc = problem(&w, CMSFS_OK, "bitmap chunk checksum wrong", sb->chunk_blk[k], NULL);
        }
        for (size_t i = 0; rc == CMSFS_OK && i < CHUNK_WORDS; i++) {
            disk[(size_t)k * CHUNK_WORDS + i] = get64(buf + 8 * i);
        }
    }
    if (rc == CMSFS_OK && sb->dir_root != 0) {
        rc = walk_dir(&w, sb->dir_root, sb->dir_height - 1u, NULL, NULL);
    }
    w.rep->files = w.files;
    if (rc == CMSFS_OK && w.files != sb->files) {
        rc = problem(&w, CMSFS_OK, "file count in the superblock wrong", 0, NULL);
    }
    if (rc == CMSFS_OK) {
        rc = compare(&w, disk, "bitmap on disk");
    }
    if (rc == CMSFS_OK && !fs->ro && !fs->in_op) {
        rc = compare(&w, fs->bm_c, "committed bitmap in storage");
        if (rc == CMSFS_OK) {
            rc = compare(&w, fs->bm_l, "live bitmap in storage");
        }
    }
    for (uint64_t b = 0; rc == CMSFS_OK && b < sb->block_count; b++) {
        w.rep->blocks_marked += bm_test(disk, b);
    }
    if (rc == CMSFS_OK && w.rep->blocks_marked != sb->used) {
        rc = problem(&w, CMSFS_OK, "used block count in the superblock wrong", 0, NULL);
    }
    free(w.ref);
    free(disk);
    free(buf);
    return rc;
}
