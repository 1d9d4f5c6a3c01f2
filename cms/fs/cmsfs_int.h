/* SPDX-License-Identifier: MIT */
/*
 * cms/fs/cmsfs_int.h - private to cms/fs/: the in-memory state of a mount,
 * the encoding of on-disk structures (whose layout is written down at the
 * top of ondisk.c) and the functions the files of this folder share.
 *
 * Layers, bottom up: ondisk.c (encodings, CRC-32C) -> cache.c (device
 * access, metadata cache with checksums) -> alloc.c (bitmaps, commit) ->
 * dir.c (the directory B+tree) -> file.c (a file's byte stream) ->
 * record.c (records, open, close), fs.c (the public entry points),
 * check.c (the consistency check).
 */
#ifndef CMS_FS_CMSFS_INT_H
#define CMS_FS_CMSFS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/fs/cmsfs.h"

#define BS CMSFS_BLOCK_SIZE

/* ---- on-disk constants (see ondisk.c) ---------------------------------- */
#define SB_MAGIC "VMRVCMSD"
#define SB_HDR_SIZE 128 /* chunk table starts here */
#define SB_CRC_OFF 4092
#define SB_MAX_CHUNKS 495 /* (4092 - 128) / 8 */
#define CHUNK_BITS (BS * 8) /* blocks one bitmap chunk covers */
#define CHUNK_WORDS (BS / 8)

#define NODE_HDR 32
#define DIR_MAGIC 0x444d5343u /* "CMSD" little-endian */
#define MAP_MAGIC 0x4d4d5343u /* "CMSM" */
#define FST_SIZE 64
#define DIR_LEAF_CAP ((BS - NODE_HDR) / FST_SIZE) /* 63 */
#define DIR_IENT_SIZE 20 /* key 16 + child 4 */
#define DIR_INNER_CAP ((BS - NODE_HDR) / DIR_IENT_SIZE) /* 203 */
#define DIR_MAX_HEIGHT 8
#define MAP_ENT_SIZE 16
#define MAP_FAN ((BS - NODE_HDR) / MAP_ENT_SIZE) /* 254 */
#define MAP_MAX_DEPTH 3
#define FIRST_NONE 0xffffu /* map entry: no record starts in this block */
#define CHUNK_DIRTY 1
#define CHUNK_RELOC 2

/* ---- little-endian access ---------------------------------------------- */
static inline uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t
get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}
static inline void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}
static inline void
put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- decoded structures ------------------------------------------------ */
/* A file status table entry (FST), the directory's leaf entry. */
struct fst {
    struct cmsfs_name name;
    uint8_t fmnum;
    char recfm; /* 'F' or 'V' */
    uint8_t depth; /* 0: map_root is the only data block; 1..3 map levels */
    uint32_t lrecl; /* F: record length; V: longest record */
    uint32_t records;
    uint32_t map_root; /* 0: the file has no data */
    uint32_t blocks; /* data + map blocks */
    uint32_t root_crc; /* depth 0: CRC-32C of the data block */
    uint64_t bytes; /* length of the record stream */
    struct cmsfs_time mtime;
};

/* One entry of a map block: a data block (level 0) or a map block below. */
struct mapent {
    uint32_t blk;
    uint32_t crc; /* level 0: CRC-32C of the data block; else 0 */
    uint32_t recbase; /* records that start before this block's first byte */
    uint16_t first_off; /* where the first record starting here starts */
};

/* The superblock's content. */
struct sb {
    uint64_t gen;
    uint32_t block_count;
    uint32_t nchunks;
    uint32_t dir_root;
    uint8_t dir_height;
    uint32_t files;
    uint64_t used;
    char label[8];
    struct cmsfs_time formatted, committed;
    uint32_t chunk_blk[SB_MAX_CHUNKS];
    uint32_t chunk_crc[SB_MAX_CHUNKS];
};

/* ---- the metadata cache (cache.c) -------------------------------------- */
struct cache_ent {
    uint32_t blk; /* 0 = empty (block 0 is a superblock, never cached) */
    uint32_t stamp;
    uint8_t *data;
};
struct cache {
    unsigned nsets, ways;
    uint32_t clock;
    struct cache_ent *ent; /* nsets * ways; data allocated on first use */
};

/* ---- a mount ----------------------------------------------------------- */
/* Block states, one bitmap each (bit set = taken):
 *   bm_c   committed: referenced by the newest superblock on disk
 *   bm_cp  referenced by the previous superblock (the other slot)
 *   bm_l   live: referenced by the state the next commit will write
 *   bm_p   pending: allocated by open writers, not yet in any tree
 * A block may be allocated only when it is clear in all four, so neither
 * superblock's tree is ever overwritten.  A commit writes bm_l. */
struct cmsfs {
    struct cmsfs_dev dev;
    unsigned flags;
    bool ro;
    bool failed; /* a superblock write failed: no more changes */
    bool in_op; /* inside a directory change that will commit */
    void (*clock)(void *ctx, struct cmsfs_time *now);
    void *clock_ctx;
    struct sb com; /* as on disk (newest slot) */
    struct sb cur; /* working copy */
    uint64_t *bm_c, *bm_cp, *bm_l, *bm_p;
    uint8_t *chunk_dirty; /* CHUNK_DIRTY: bm_l of this chunk changed since
                             the commit; CHUNK_RELOC: moved by this commit */
    uint8_t *chunk_prev_dirty; /* bm_l changed at the last commit */
    uint64_t busy; /* blocks set in any of the four bitmaps */
    uint64_t live; /* blocks set in bm_l */
    uint64_t cursor; /* next-fit allocation */
    uint64_t mod_count; /* bumped by every directory change */
    struct cache cache;
    struct cmsfs_file *open_files;
    uint8_t *nodebuf[DIR_MAX_HEIGHT + 1]; /* B+tree path buffers: cmsfs_nodebuf() */
    uint8_t *tmpbuf;
};

/* ---- an open file (file.c) --------------------------------------------- */
struct fh_level {
    uint32_t blk;
    uint64_t base; /* which block of this level: data index / FAN^(L+1) */
    bool valid, dirty;
    uint8_t *buf;
};

struct cmsfs_file {
    struct cmsfs *fs;
    struct cmsfs_file *next;
    enum cmsfs_mode mode;
    int err; /* sticky error of a writer */
    struct fst fst; /* working copy */
    uint32_t vlimit; /* V: longest record allowed */
    uint64_t ndata; /* data blocks */
    uint64_t pos; /* stream offset of the next record */
    uint32_t recno; /* 0-based number of the next record */
    uint64_t rec_start; /* stream offset where the record being written began */
    struct fh_level lvl[MAP_MAX_DEPTH];
    struct fh_level data; /* base = data block index */
    uint32_t *alloc; /* blocks this writer took (in bm_p) */
    size_t nalloc, calloc;
    uint32_t *tofree; /* committed blocks it replaced: free at close */
    size_t nfree, cfree;
};

/* ---- crc32c.c ---------------------------------------------------------- */
/* CRC-32C of buf, continuing from crc (start with 0). */
uint32_t cmsfs_crc32c(uint32_t crc, const void *buf, size_t len);

/* ---- ondisk.c ---------------------------------------------------------- */
void cmsfs_sb_encode(const struct sb *sb, uint8_t *blk);
/* 0, CMSFS_E_NOTFMT (no magic), CMSFS_E_VERSION, CMSFS_E_CORRUPT. */
int cmsfs_sb_decode(const uint8_t *blk, struct sb *sb);
void cmsfs_node_init(uint8_t *blk, uint32_t magic, uint16_t level);
void cmsfs_node_seal(uint8_t *blk, uint32_t self, uint64_t gen);
int cmsfs_node_verify(const uint8_t *blk, uint32_t self, uint32_t magic);
static inline uint16_t
node_count(const uint8_t *b)
{
    return get16(b + 22);
}
static inline void
node_set_count(uint8_t *b, uint16_t n)
{
    put16(b + 22, n);
}
static inline uint16_t
node_level(const uint8_t *b)
{
    return get16(b + 20);
}
void cmsfs_fst_encode(const struct fst *f, uint8_t *p);
void cmsfs_fst_decode(const uint8_t *p, struct fst *f);
void cmsfs_mapent_get(const uint8_t *blk, unsigned i, struct mapent *e);
void cmsfs_mapent_put(uint8_t *blk, unsigned i, const struct mapent *e);

/* ---- name.c ------------------------------------------------------------ */
bool cmsfs_name_valid(const struct cmsfs_name *n);
bool cmsfs_pattern_valid(const char *pat);

/* ---- cache.c ----------------------------------------------------------- */
int cmsfs_cache_init(struct cache *c, unsigned blocks);
void cmsfs_cache_free(struct cache *c);
void cmsfs_cache_forget(struct cmsfs *fs, uint32_t blk);
int cmsfs_dev_read(struct cmsfs *fs, uint32_t blk, void *buf);
int cmsfs_dev_write(struct cmsfs *fs, uint32_t blk, const void *buf);
int cmsfs_dev_flush(struct cmsfs *fs);
/* Reads a metadata block through the cache into buf and checks its header
 * (magic, self number, CRC): CMSFS_E_CORRUPT if wrong. */
int cmsfs_meta_read(struct cmsfs *fs, uint32_t blk, uint32_t magic, uint8_t *buf);

/* Path buffer i (0..DIR_MAX_HEIGHT), allocated on first use: a shallow tree
 * never pays for the deep levels (in CMS every VM would, since its malloc
 * clears what it hands out).  NULL when out of memory. */
uint8_t *cmsfs_nodebuf(struct cmsfs *fs, unsigned i);
/* Seals (self, generation, CRC) and writes a metadata block, updating the
 * cache. */
int cmsfs_meta_write(struct cmsfs *fs, uint32_t blk, uint8_t *buf);

/* ---- alloc.c ----------------------------------------------------------- */
static inline bool
bm_test(const uint64_t *bm, uint64_t b)
{
    return (bm[b >> 6] >> (b & 63)) & 1;
}
int cmsfs_alloc_init(struct cmsfs *fs);
void cmsfs_alloc_free_maps(struct cmsfs *fs);
/* Loads the bitmap of superblock sb into bm (checking the chunk CRCs). */
int cmsfs_alloc_load(struct cmsfs *fs, const struct sb *sb, uint64_t *bm);
/* A block for metadata inside a directory change (bm_l); may use the
 * reserve.  CMSFS_E_FULL. */
int cmsfs_alloc_meta(struct cmsfs *fs, uint32_t *blk);
/* A block for a writer (bm_p, recorded in the handle); leaves the reserve
 * for metadata.  CMSFS_E_FULL. */
int cmsfs_alloc_data(struct cmsfs *fs, struct cmsfs_file *h, uint32_t *blk);
/* Drops a block from the live state (bm_l).  It is reusable after two
 * commits. */
void cmsfs_free_live(struct cmsfs *fs, uint32_t blk);
/* Gives a pending block back (bm_p) at once. */
void cmsfs_free_pending(struct cmsfs *fs, uint32_t blk);
/* Moves a pending block to the live state. */
void cmsfs_pending_to_live(struct cmsfs *fs, uint32_t blk);
/* Is blk a block allocated in the current directory change (so it may be
 * written in place)? */
bool cmsfs_alloc_is_fresh(const struct cmsfs *fs, uint32_t blk);
/* Writes the bitmap and the superblock (see ondisk.c); on an error before
 * the superblock, rolls the in-memory state back to the last commit. */
int cmsfs_alloc_commit(struct cmsfs *fs);
/* A new file system's bitmap (the superblocks in use, every chunk written)
 * and its first two superblocks; fs->cur describes the disk, generation 0. */
int cmsfs_alloc_format(struct cmsfs *fs);
/* Begins a directory change (fails on read-only or failed mounts). */
int cmsfs_op_begin(struct cmsfs *fs);
/* Ends it: commits on rc == 0 (returning the commit's result), rolls back
 * the in-memory state otherwise (returning rc). */
int cmsfs_op_end(struct cmsfs *fs, int rc);
uint64_t cmsfs_alloc_free_count(const struct cmsfs *fs);
void cmsfs_fs_now(struct cmsfs *fs, struct cmsfs_time *t);

/* ---- dir.c ------------------------------------------------------------- */
/* Looks a name up: 0 with *out, or CMSFS_E_NOTFOUND. */
int cmsfs_dir_lookup(struct cmsfs *fs, const struct cmsfs_name *name, struct fst *out);
/* Inserts or replaces the entry (inside an op). */
int cmsfs_dir_put(struct cmsfs *fs, const struct fst *e);
/* Removes the entry (inside an op): CMSFS_E_NOTFOUND. */
int cmsfs_dir_delete(struct cmsfs *fs, const struct cmsfs_name *name);
/* The first entry whose key is > key (or >= when !strict); key NULL = the
 * first entry.  Copies the whole leaf holding it into leaf, sets *idx.
 * CMSFS_E_EOF if there is none. */
int cmsfs_dir_seek(struct cmsfs *fs, const uint8_t *key, bool strict, uint8_t *leaf, unsigned *idx);

/* ---- file.c: a handle's byte stream ------------------------------------ */
uint64_t cmsfs_fan_pow(unsigned n);
/* The map entry of data block idx (loading map blocks). */
int cmsfs_fh_entry_get(struct cmsfs_file *h, uint64_t idx, struct mapent *e);
/* Sets it, growing the tree and copying committed map blocks as needed. */
int cmsfs_fh_entry_put(struct cmsfs_file *h, uint64_t idx, const struct mapent *e);
/* Makes the data buffer hold block idx (for writing: the writer's own
 * copy, created if idx is the next block). */
int cmsfs_fh_data_load(struct cmsfs_file *h, uint64_t idx, bool write);
/* Write the dirty data buffer / map level L. */
int cmsfs_fh_data_flush(struct cmsfs_file *h);
int cmsfs_fh_lvl_flush(struct cmsfs_file *h, unsigned L);
/* n bytes of the stream at pos (buf NULL: only check they are there). */
int cmsfs_fh_read(struct cmsfs_file *h, uint64_t pos, void *buf, size_t n);
/* n bytes at pos from src, or n copies of fill if src is NULL. */
int cmsfs_fh_write(struct cmsfs_file *h, uint64_t pos, const void *src, uint8_t fill, size_t n);

/* ---- record.c ---------------------------------------------------------- */
/* Frees every block of a committed file (inside an op). */
int cmsfs_file_free_blocks(struct cmsfs *fs, const struct fst *f);
/* Frees a handle's memory (not its blocks) and unlinks it. */
void cmsfs_file_release(struct cmsfs_file *h);
bool cmsfs_file_is_open(struct cmsfs *fs, const struct cmsfs_name *name, bool writers_only);
/* Reads a committed file through: data checksums, every record, the map
 * entries' record indexes, LRECL.  CMSFS_E_CORRUPT with *why. */
int cmsfs_file_verify(struct cmsfs *fs, const struct fst *f, const char **why);
/* Do an FST's sizes fit together? */
bool cmsfs_fst_sane(const struct fst *f);

/* ---- fs.c -------------------------------------------------------------- */
void cmsfs_fst_to_stat(const struct fst *f, struct cmsfs_stat *st);

#endif /* CMS_FS_CMSFS_INT_H */
