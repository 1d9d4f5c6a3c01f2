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

/* CRC-32C, one byte at a time: crc_table[i] is the CRC of byte i.  A
 * constant, so the guest's copy can live in a read-only saved segment. */
static const uint32_t crc_table[256] = {
    0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u, 0xc79a971fu, 0x35f1141cu,
    0x26a1e7e8u, 0xd4ca64ebu, 0x8ad958cfu, 0x78b2dbccu, 0x6be22838u, 0x9989ab3bu,
    0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u, 0x5e133c24u, 0x105ec76fu, 0xe235446cu,
    0xf165b798u, 0x030e349bu, 0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u,
    0x9a879fa0u, 0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u, 0x5d1d08bfu, 0xaf768bbcu,
    0xbc267848u, 0x4e4dfb4bu, 0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u, 0x33ed7d2au,
    0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u, 0xaa64d611u, 0x580f5512u,
    0x4b5fa6e6u, 0xb93425e5u, 0x6dfe410eu, 0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau,
    0x30e349b1u, 0xc288cab2u, 0xd1d83946u, 0x23b3ba45u, 0xf779deaeu, 0x05125dadu,
    0x1642ae59u, 0xe4292d5au, 0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
    0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u, 0x417b1dbcu, 0xb3109ebfu,
    0xa0406d4bu, 0x522bee48u, 0x86e18aa3u, 0x748a09a0u, 0x67dafa54u, 0x95b17957u,
    0xcba24573u, 0x39c9c670u, 0x2a993584u, 0xd8f2b687u, 0x0c38d26cu, 0xfe53516fu,
    0xed03a29bu, 0x1f682198u, 0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u,
    0x96bf4dccu, 0x64d4cecfu, 0x77843d3bu, 0x85efbe38u, 0xdbfc821cu, 0x2997011fu,
    0x3ac7f2ebu, 0xc8ac71e8u, 0x1c661503u, 0xee0d9600u, 0xfd5d65f4u, 0x0f36e6f7u,
    0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u, 0xa65c047du, 0x5437877eu,
    0x4767748au, 0xb50cf789u, 0xeb1fcbadu, 0x197448aeu, 0x0a24bb5au, 0xf84f3859u,
    0x2c855cb2u, 0xdeeedfb1u, 0xcdbe2c45u, 0x3fd5af46u, 0x7198540du, 0x83f3d70eu,
    0x90a324fau, 0x62c8a7f9u, 0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
    0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u, 0x3cdb9bddu, 0xceb018deu,
    0xdde0eb2au, 0x2f8b6829u, 0x82f63b78u, 0x709db87bu, 0x63cd4b8fu, 0x91a6c88cu,
    0x456cac67u, 0xb7072f64u, 0xa457dc90u, 0x563c5f93u, 0x082f63b7u, 0xfa44e0b4u,
    0xe9141340u, 0x1b7f9043u, 0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu,
    0x92a8fc17u, 0x60c37f14u, 0x73938ce0u, 0x81f80fe3u, 0x55326b08u, 0xa759e80bu,
    0xb4091bffu, 0x466298fcu, 0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu, 0x0b21572cu,
    0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u, 0xa24bb5a6u, 0x502036a5u,
    0x4370c551u, 0xb11b4652u, 0x65d122b9u, 0x97baa1bau, 0x84ea524eu, 0x7681d14du,
    0x2892ed69u, 0xdaf96e6au, 0xc9a99d9eu, 0x3bc21e9du, 0xef087a76u, 0x1d63f975u,
    0x0e330a81u, 0xfc588982u, 0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
    0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u, 0x38cc2a06u, 0xcaa7a905u,
    0xd9f75af1u, 0x2b9cd9f2u, 0xff56bd19u, 0x0d3d3e1au, 0x1e6dcdeeu, 0xec064eedu,
    0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u, 0xd0ddd530u, 0x0417b1dbu, 0xf67c32d8u,
    0xe52cc12cu, 0x1747422fu, 0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu,
    0x8ecee914u, 0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u, 0xd3d3e1abu, 0x21b862a8u,
    0x32e8915cu, 0xc083125fu, 0x144976b4u, 0xe622f5b7u, 0xf5720643u, 0x07198540u,
    0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u, 0x9e902e7bu, 0x6cfbad78u,
    0x7fab5e8cu, 0x8dc0dd8fu, 0xe330a81au, 0x115b2b19u, 0x020bd8edu, 0xf0605beeu,
    0x24aa3f05u, 0xd6c1bc06u, 0xc5914ff2u, 0x37faccf1u, 0x69e9f0d5u, 0x9b8273d6u,
    0x88d28022u, 0x7ab90321u, 0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
    0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u, 0x34f4f86au, 0xc69f7b69u,
    0xd5cf889du, 0x27a40b9eu, 0x79b737bau, 0x8bdcb4b9u, 0x988c474du, 0x6ae7c44eu,
    0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u, 0xad7d5351u,
};

/* CRC-32C of buf, continuing from crc (start with 0). */
uint32_t
cmsfs_crc32c(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--) {
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

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
