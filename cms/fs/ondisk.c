// SPDX-License-Identifier: MIT
/*
 * cms/fs/ondisk.c - the on-disk format of a CMS disk, and the code that
 * encodes and decodes its structures.  Everything above this file works on
 * the decoded forms in cmsfs_int.h.  docs/CMSFS.md holds the same text.
 *
 * CMS DISK FORMAT, VERSION 1
 * ==========================
 * Blocks of 4096 bytes, numbered from 0; block numbers are 32 bits.  All
 * integers are little-endian.  Checksums are CRC-32C (Castagnoli, reflected
 * polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF).
 *
 * Blocks 0 and 1 are the two superblocks.  Every other block is a bitmap
 * chunk, a directory node, a map block or a data block, reached from the
 * superblock; no block is ever written while the newest or the previous
 * superblock refers to it (copy-on-write, "shadow paging").
 *
 * Superblock (slot = generation mod 2):
 *   0   8  magic "VMRVCMSD"
 *   8   4  format version (1)
 *   12  4  block size (4096)
 *   16  8  generation: +1 per commit; the valid superblock with the highest
 *          generation is the disk's state
 *   24  4  block count the file system covers
 *   28  4  bitmap chunks: ceil(block count / 32768)
 *   32  4  directory root block (0: no files)
 *   36  1  directory height (0: no files, 1: the root is a leaf)
 *   37  3  0
 *   40  4  number of files
 *   44  4  0
 *   48  8  blocks in use
 *   56  8  label: 1-6 characters, blank padded
 *   64  8  format time (microseconds since 1970 UTC), 72 4 its UTC offset (s)
 *   76  4  0
 *   80  8  time of this commit, 88 4 its UTC offset
 *   92  36 0
 *   128 8n bitmap chunk table, n = chunks: u32 block, u32 CRC-32C of it
 *   4092 4 CRC-32C of bytes 0-4091
 *   At most 495 chunks, so at most 495 * 32768 blocks (61.9 GiB).
 *
 * Bitmap chunk k: 4096 bytes of bits; bit j of byte i (least significant
 * first) is block k*32768 + i*8 + j; 1 = in use.  It marks the superblocks,
 * the chunks themselves and every block the directory reaches.  Bits at or
 * beyond the block count are 0.
 *
 * Node header (directory nodes and map blocks), 32 bytes:
 *   0 4 magic "CMSD" (directory) or "CMSM" (map)   4 4 CRC-32C of the
 *   block computed with these 4 bytes zero   8 8 generation that wrote it
 *   16 4 the block's own number   20 2 level (0 = leaf)   22 2 entries
 *   24 8 0
 *
 * Directory: a B+tree keyed by fn (8 bytes) then ft (8 bytes), blank padded
 * ASCII compared bytewise.  Internal nodes (level >= 1) hold up to 203
 * entries of 20 bytes: the smallest key in the child (16), child block (4).
 * Leaves hold up to 63 file status entries (FST) of 64 bytes, sorted:
 *   0 8 fn   8 8 ft   16 1 filemode number 0-6   17 1 RECFM 'F' or 'V'
 *   18 1 map depth   19 1 0   20 4 LRECL (F: record length; V: longest
 *   record)   24 4 records   28 4 map root (0: no data)   32 4 blocks
 *   (data and map)   36 4 depth 0: CRC-32C of the data block, else 0
 *   40 8 bytes in the record stream   48 8 date (microseconds since 1970
 *   UTC)   56 4 its UTC offset in seconds   60 4 0
 *
 * A file's data is one byte stream of its records.  RECFM F: each record is
 * LRECL bytes.  RECFM V: each record is a 2-byte little-endian length and
 * that many bytes; records cross block boundaries freely.  The stream is cut
 * into data blocks 0, 1, ...; the last is padded with zeros.
 *
 * Map: depth 0 means the map root is the only data block.  Depth d >= 1
 * means the root is a map block of level d-1; level-0 map blocks point to
 * data blocks, higher ones to the map blocks below, 254 entries each, so
 * data block i is reached by the base-254 digits of i.  Map entry, 16 bytes:
 *   0 4 block   4 4 level 0: CRC-32C of the data block, else 0
 *   8 4 records that start before this block's first byte (for a map block:
 *   of its first data block)   12 2 offset in the block where the first
 *   record starting in it begins (0xFFFF: none does)   14 2 0
 * With these, record n is found by a binary search for the last block whose
 * count is <= n, then a walk over the records starting in that block.
 *
 * Commit (what makes a change durable):
 *   1. write the new or changed data, map and directory blocks, all to
 *      blocks free in both superblocks' bitmaps;
 *   2. write each changed bitmap chunk to a new block;
 *   3. flush; 4. write the superblock with generation g+1 into slot
 *   (g+1) mod 2, over the superblock of generation g-1; 5. flush.
 *   A crash before step 4 completes leaves generation g (a torn superblock
 *   fails its CRC).  Blocks freed by commit g+1 are reused only after
 *   commit g+2, so the older superblock's tree also stays whole and serves
 *   if the newest superblock is damaged.
 */
#include "cms/fs/cmsfs_int.h"

/* ---- superblock -------------------------------------------------------- */

static void
put_time(uint8_t *p, const struct cmsfs_time *t)
{
    put64(p, (uint64_t)t->us);
    put32(p + 8, (uint32_t)t->utc_offset_s);
}

static void
get_time(const uint8_t *p, struct cmsfs_time *t)
{
    t->us = (int64_t)get64(p);
    t->utc_offset_s = (int32_t)get32(p + 8);
}

void
cmsfs_sb_encode(const struct sb *sb, uint8_t *b)
{
    memset(b, 0, BS);
    memcpy(b, SB_MAGIC, 8);
    put32(b + 8, CMSFS_FORMAT_VERSION);
    put32(b + 12, BS);
    put64(b + 16, sb->gen);
    put32(b + 24, sb->block_count);
    put32(b + 28, sb->nchunks);
    put32(b + 32, sb->dir_root);
    b[36] = sb->dir_height;
    put32(b + 40, sb->files);
    put64(b + 48, sb->used);
    memcpy(b + 56, sb->label, 8);
    put_time(b + 64, &sb->formatted);
    put_time(b + 80, &sb->committed);
    for (uint32_t k = 0; k < sb->nchunks; k++) {
        put32(b + SB_HDR_SIZE + 8 * k, sb->chunk_blk[k]);
        put32(b + SB_HDR_SIZE + 8 * k + 4, sb->chunk_crc[k]);
    }
    put32(b + SB_CRC_OFF, cmsfs_crc32c(0, b, SB_CRC_OFF));
}

int
cmsfs_sb_decode(const uint8_t *b, struct sb *sb)
{
    if (memcmp(b, SB_MAGIC, 8) != 0) {
        return CMSFS_E_NOTFMT;
    }
    if (get32(b + SB_CRC_OFF) != cmsfs_crc32c(0, b, SB_CRC_OFF)) {
        return CMSFS_E_CORRUPT;
    }
    if (get32(b + 8) != CMSFS_FORMAT_VERSION || get32(b + 12) != BS) {
        return CMSFS_E_VERSION;
    }
    memset(sb, 0, sizeof *sb);
    sb->gen = get64(b + 16);
    sb->block_count = get32(b + 24);
    sb->nchunks = get32(b + 28);
    sb->dir_root = get32(b + 32);
    sb->dir_height = b[36];
    sb->files = get32(b + 40);
    sb->used = get64(b + 48);
    memcpy(sb->label, b + 56, 8);
    get_time(b + 64, &sb->formatted);
    get_time(b + 80, &sb->committed);
    if (sb->block_count < CMSFS_MIN_BLOCKS || sb->block_count > CMSFS_MAX_BLOCKS ||
        sb->nchunks != (sb->block_count + CHUNK_BITS - 1) / CHUNK_BITS ||
        sb->dir_height > DIR_MAX_HEIGHT || (sb->dir_root == 0) != (sb->dir_height == 0) ||
        sb->dir_root >= sb->block_count || sb->used > sb->block_count) {
        return CMSFS_E_CORRUPT;
    }
    for (uint32_t k = 0; k < sb->nchunks; k++) {
        sb->chunk_blk[k] = get32(b + SB_HDR_SIZE + 8 * k);
        sb->chunk_crc[k] = get32(b + SB_HDR_SIZE + 8 * k + 4);
        if (sb->chunk_blk[k] < 2 || sb->chunk_blk[k] >= sb->block_count) {
            return CMSFS_E_CORRUPT;
        }
    }
    return CMSFS_OK;
}

/* ---- node headers ------------------------------------------------------ */

void
cmsfs_node_init(uint8_t *b, uint32_t magic, uint16_t level)
{
    memset(b, 0, BS);
    put32(b, magic);
    put16(b + 20, level);
}

void
cmsfs_node_seal(uint8_t *b, uint32_t self, uint64_t gen)
{
    put64(b + 8, gen);
    put32(b + 16, self);
    put32(b + 4, 0);
    put32(b + 4, cmsfs_crc32c(0, b, BS));
}

/* 0 if b is a whole node of this kind stored at block self. */
int
cmsfs_node_verify(const uint8_t *b, uint32_t self, uint32_t magic)
{
    uint32_t want = get32(b + 4);
    uint32_t crc = cmsfs_crc32c(0, b, 4);
    static const uint8_t zero[4];
    crc = cmsfs_crc32c(crc, zero, 4);
    crc = cmsfs_crc32c(crc, b + 8, BS - 8);
    if (get32(b) != magic || crc != want || get32(b + 16) != self) {
        return CMSFS_E_CORRUPT;
    }
    uint16_t n = node_count(b), level = node_level(b);
    unsigned cap = magic == MAP_MAGIC ? MAP_FAN : level == 0 ? DIR_LEAF_CAP : DIR_INNER_CAP;
    if (n > cap || (magic == DIR_MAGIC && level >= DIR_MAX_HEIGHT) ||
        (magic == MAP_MAGIC && level >= MAP_MAX_DEPTH)) {
        return CMSFS_E_CORRUPT;
    }
    return CMSFS_OK;
}

/* ---- FST and map entries ----------------------------------------------- */

void
cmsfs_fst_encode(const struct fst *f, uint8_t *p)
{
    memset(p, 0, FST_SIZE);
    memcpy(p, f->name.fn, 8);
    memcpy(p + 8, f->name.ft, 8);
    p[16] = f->fmnum;
    p[17] = (uint8_t)f->recfm;
    p[18] = f->depth;
    put32(p + 20, f->lrecl);
    put32(p + 24, f->records);
    put32(p + 28, f->map_root);
    put32(p + 32, f->blocks);
    put32(p + 36, f->root_crc);
    put64(p + 40, f->bytes);
    put64(p + 48, (uint64_t)f->mtime.us);
    put32(p + 56, (uint32_t)f->mtime.utc_offset_s);
}

void
cmsfs_fst_decode(const uint8_t *p, struct fst *f)
{
    memset(f, 0, sizeof *f);
    memcpy(f->name.fn, p, 8);
    memcpy(f->name.ft, p + 8, 8);
    f->fmnum = p[16];
    f->recfm = (char)p[17];
    f->depth = p[18];
    f->lrecl = get32(p + 20);
    f->records = get32(p + 24);
    f->map_root = get32(p + 28);
    f->blocks = get32(p + 32);
    f->root_crc = get32(p + 36);
    f->bytes = get64(p + 40);
    f->mtime.us = (int64_t)get64(p + 48);
    f->mtime.utc_offset_s = (int32_t)get32(p + 56);
}

void
cmsfs_mapent_get(const uint8_t *blk, unsigned i, struct mapent *e)
{
    const uint8_t *p = blk + NODE_HDR + i * MAP_ENT_SIZE;
    e->blk = get32(p);
    e->crc = get32(p + 4);
    e->recbase = get32(p + 8);
    e->first_off = get16(p + 12);
}

void
cmsfs_mapent_put(uint8_t *blk, unsigned i, const struct mapent *e)
{
    uint8_t *p = blk + NODE_HDR + i * MAP_ENT_SIZE;
    put32(p, e->blk);
    put32(p + 4, e->crc);
    put32(p + 8, e->recbase);
    put16(p + 12, e->first_off);
    put16(p + 14, 0);
}
