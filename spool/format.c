// SPDX-License-Identifier: MIT
/*
 * spool/format.c - the spool's on-disk format, version 1 (SPOOL_FORMAT_VERSION).
 * Only encoders and checkers live here; segment.c, commit.c and recover.c do
 * the I/O.  docs/SPOOL.md explains the choices; this is the reference.
 *
 * Why this shape.  A CLOSE must be durable before it returns, and a thousand
 * closes a second from fifty writers cannot each pay their own fdatasync
 * (0.2-0.6 ms here).  So all records of all files go into one shared data
 * log, and all metadata changes into one journal: one fdatasync of the data
 * log plus one of the journal make a whole group of closes durable at once
 * (group commit).  One file per spool file would need one fdatasync per
 * file plus one for the directory; sqlite would need its own commit per
 * transaction and still a separate place for megabytes of records.
 *
 * The folder:
 *   LOCK                 flock()ed by the process that has the spool open
 *   checkpoint           every closed file's metadata at one moment
 *   checkpoint.tmp       a checkpoint being written (renamed over the old)
 *   journal.<16 hex>     changes since that checkpoint (its generation)
 *   seg.<8 hex>          data log segments (records of all files)
 *
 * All integers are little-endian.  Strings (userids, names) are 8 bytes,
 * NUL padded.  Every checksum is CRC-32C (spool/crc32c.c).
 *
 * Segment: a 64-byte header ("VMRVSPSG", u32 version, u32 number, u64
 * created_us, zeros, u32 crc of bytes 0..59 at 60), then chunks wherever
 * writers reserved room, in any order of files.  A chunk:
 *    0  4  "SPCH"
 *    4  4  spoolid          8  8  file serial
 *   16  4  records         20  4  payload length
 *   24  4  crc32c of the payload
 *   28  4  crc32c of bytes 0..27
 *   32  ..  payload: per record u16 length + bytes; zero padding to 8
 * Chunks of crashed writers and purged files are garbage: nothing points at
 * them; their space is punched out (fallocate) and a segment with nothing
 * live left is deleted.
 *
 * Journal record (one writer, the committer, appends them in order):
 *    0  4  "SPJR"   4  2  type   6  2  zero   8  4  payload length
 *   12  4  crc32c of the whole record with these 4 bytes zero
 *   16  8  sequence number (1, 2, ... within one journal file)
 *   24  ..  payload; zero padding to 8
 * Replay stops at the first record that is torn (bad magic, length, crc or
 * sequence): what follows was never acknowledged.  Types:
 *   CLOSE   u32 next spoolid, u32 0, u64 next serial, file image + extents
 *   UPDATE  u32 n, u32 0, n file images without extents: the new queue,
 *           owner, class, hold, copies, names, dist, form and order of each
 *           (transfer, change, hold, free and order all write these)
 *   PURGE   u32 n, u32 0, n x {u32 spoolid, u32 0, u64 serial}
 * Each names the file by spoolid and serial and sets absolute values, so a
 * record applied twice (a checkpoint taken while it was queued) is harmless.
 *
 * File image (104 bytes, then 24 per extent):
 *    0  4  spoolid    4  1  queue   5  1  device   6  1  class   7  1  hold
 *    8  8  serial    16  8  owner  24  8  origin  32  8  fname  40  8  ftype
 *   48  8  dist      56  8  form   64  8  records 72  8  record bytes
 *   80  8  created_us            88  8  order key (signed)
 *   96  2  copies    98  2  zero  100  4  extent count
 *   extent: u32 segment, u32 chunk length, u64 offset, u32 records,
 *           u32 payload crc
 *
 * Checkpoint:
 *    0  8  "VMRVSPCK"   8  4  version   12  4  file count
 *   16  8  journal generation to replay after it
 *   24  8  next serial  32  4  next spoolid  36  4  zero
 *   40  8  order head   48  8  order tail    56  8  written_us
 *   64  ..  file images with extents
 *   then u32 crc32c of everything before it, and "SPCE".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool/spoolint.h"

static const uint8_t seg_magic[8] = {'V', 'M', 'R', 'V', 'S', 'P', 'S', 'G'};
static const uint8_t ckpt_magic[8] = {'V', 'M', 'R', 'V', 'S', 'P', 'C', 'K'};
static const uint8_t chunk_magic[4] = {'S', 'P', 'C', 'H'};
static const uint8_t jrec_magic[4] = {'S', 'P', 'J', 'R'};
static const uint8_t ckpt_end[4] = {'S', 'P', 'C', 'E'};

#define CKPT_HDR 64
#define JREC_MAX_PAYLOAD (64u << 20)

/* ---- buffers ------------------------------------------------------------ */

void
spool_buf_reserve(struct spool_buf *b, size_t more)
{
    if (b->oom || b->len + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) {
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

uint8_t *
spool_buf_grow(struct spool_buf *b, size_t n)
{
    spool_buf_reserve(b, n);
    if (b->oom) {
        return NULL;
    }
    uint8_t *p = b->p + b->len;
    b->len += n;
    return p;
}

void
spool_buf_free(struct spool_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- file images -------------------------------------------------------- */

static void
put_name(uint8_t *p, const char *s)
{
    memset(p, 0, 8);
    memcpy(p, s, strnlen(s, 8));
}

static void
get_name(char *s, const uint8_t *p)
{
    memcpy(s, p, 8);
    s[8] = 0;
}

size_t
spool_fmt_file_size(const struct spool_file *f, bool with_extents)
{
    return SPOOL_FILE_IMAGE + (with_extents ? (size_t)f->next * SPOOL_EXTENT_IMAGE : 0);
}

void
spool_fmt_file_put(uint8_t *p, const struct spool_file *f, bool with_extents)
{
    memset(p, 0, SPOOL_FILE_IMAGE);
    spool_put32(p + 0, f->id);
    p[4] = f->queue;
    p[5] = f->dev;
    p[6] = f->spclass;
    p[7] = f->hold;
    spool_put64(p + 8, f->serial);
    put_name(p + 16, f->owner);
    put_name(p + 24, f->origin);
    put_name(p + 32, f->fname);
    put_name(p + 40, f->ftype);
    put_name(p + 48, f->dist);
    put_name(p + 56, f->form);
    spool_put64(p + 64, f->records);
    spool_put64(p + 72, f->bytes);
    spool_put64(p + 80, f->created_us);
    spool_put64(p + 88, (uint64_t)f->order);
    spool_put16(p + 96, f->copies);
    spool_put32(p + 100, with_extents ? f->next : 0);
    if (!with_extents) {
        return;
    }
    uint8_t *e = p + SPOOL_FILE_IMAGE;
    for (uint32_t i = 0; i < f->next; i++, e += SPOOL_EXTENT_IMAGE) {
        spool_put32(e + 0, f->ext[i].segnum);
        spool_put32(e + 4, f->ext[i].len);
        spool_put64(e + 8, f->ext[i].off);
        spool_put32(e + 16, f->ext[i].nrec);
        spool_put32(e + 20, f->ext[i].crc);
    }
}

/* Decodes one image into *f (whose ext array it allocates when
 * with_extents).  Checks what can be checked without the rest of the spool.
 * 0 and *used, or -EINVAL (malformed), -ENOMEM. */
int
spool_fmt_file_get(const uint8_t *p, size_t avail, struct spool_file *f, bool with_extents,
                   size_t *used)
{
    if (avail < SPOOL_FILE_IMAGE) {
        return -EINVAL;
    }
    f->id = spool_get32(p);
    f->queue = p[4];
    f->dev = p[5];
    f->spclass = p[6];
    f->hold = p[7];
    f->serial = spool_get64(p + 8);
    get_name(f->owner, p + 16);
    get_name(f->origin, p + 24);
    get_name(f->fname, p + 32);
    get_name(f->ftype, p + 40);
    get_name(f->dist, p + 48);
    get_name(f->form, p + 56);
    f->records = spool_get64(p + 64);
    f->bytes = spool_get64(p + 72);
    f->created_us = spool_get64(p + 80);
    f->order = (int64_t)spool_get64(p + 88);
    f->copies = spool_get16(p + 96);
    uint32_t n = spool_get32(p + 100);
    if (f->id == 0 || f->queue < SPOOL_Q_RDR || f->queue > SPOOL_Q_PUN ||
        f->dev < SPOOL_DEV_RDR || f->dev > SPOOL_DEV_CON || f->hold > 3 || f->copies == 0 ||
        f->owner[0] == 0) {
        return -EINVAL;
    }
    uint8_t cls;
    if (spool_check_class((char)f->spclass, &cls) != 0 || cls != f->spclass) {
        return -EINVAL;
    }
    size_t need = SPOOL_FILE_IMAGE;
    if (with_extents) {
        if (n > (avail - SPOOL_FILE_IMAGE) / SPOOL_EXTENT_IMAGE) {
            return -EINVAL;
        }
        need += (size_t)n * SPOOL_EXTENT_IMAGE;
        f->ext = n ? calloc(n, sizeof *f->ext) : NULL;
        if (n && !f->ext) {
            return -ENOMEM;
        }
        f->next = f->extcap = n;
        const uint8_t *e = p + SPOOL_FILE_IMAGE;
        uint64_t recs = 0;
        for (uint32_t i = 0; i < n; i++, e += SPOOL_EXTENT_IMAGE) {
            f->ext[i].segnum = spool_get32(e);
            f->ext[i].len = spool_get32(e + 4);
            f->ext[i].off = spool_get64(e + 8);
            f->ext[i].nrec = spool_get32(e + 16);
            f->ext[i].crc = spool_get32(e + 20);
            recs += f->ext[i].nrec;
            if (f->ext[i].len < SPOOL_CHUNK_HDR || f->ext[i].off < SPOOL_SEG_HDR) {
                return -EINVAL;
            }
        }
        if (recs != f->records) {
            return -EINVAL;
        }
    }
    *used = need;
    return 0;
}

/* ---- segments and chunks ------------------------------------------------ */

void
spool_fmt_seg_header(uint8_t *p, uint32_t num)
{
    memset(p, 0, SPOOL_SEG_HDR);
    memcpy(p, seg_magic, 8);
    spool_put32(p + 8, SPOOL_FORMAT_VERSION);
    spool_put32(p + 12, num);
    spool_put64(p + 16, spool_now_us());
    spool_put32(p + 60, spool_crc32c(0, p, 60));
}

int
spool_fmt_seg_check(const uint8_t *p, uint32_t num)
{
    if (memcmp(p, seg_magic, 8) != 0 || spool_get32(p + 60) != spool_crc32c(0, p, 60)) {
        return -EINVAL;
    }
    if (spool_get32(p + 8) != SPOOL_FORMAT_VERSION || spool_get32(p + 12) != num) {
        return -EINVAL;
    }
    return 0;
}

void
spool_fmt_chunk_header(uint8_t *p, const struct spool_file *f, uint32_t nrec, uint32_t plen,
                       uint32_t pcrc)
{
    memcpy(p, chunk_magic, 4);
    spool_put32(p + 4, f->id);
    spool_put64(p + 8, f->serial);
    spool_put32(p + 16, nrec);
    spool_put32(p + 20, plen);
    spool_put32(p + 24, pcrc);
    spool_put32(p + 28, spool_crc32c(0, p, 28));
}

/* Checks a whole chunk read from the log against what the file's metadata
 * says it holds, records framing included.  0 and *plen, or -EIO. */
int
spool_fmt_chunk_check(const uint8_t *c, const struct spool_file *f, const struct spool_extent *e,
                      uint32_t *plen)
{
    if (memcmp(c, chunk_magic, 4) != 0 || spool_get32(c + 28) != spool_crc32c(0, c, 28)) {
        return -EIO;
    }
    uint32_t n = spool_get32(c + 20);
    if (spool_get32(c + 4) != f->id || spool_get64(c + 8) != f->serial ||
        spool_get32(c + 16) != e->nrec || spool_get32(c + 24) != e->crc ||
        n > e->len - SPOOL_CHUNK_HDR) {
        return -EIO;
    }
    const uint8_t *p = c + SPOOL_CHUNK_HDR;
    if (spool_crc32c(0, p, n) != e->crc) {
        return -EIO;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < e->nrec; i++) {
        if (at + 2 > n || at + 2 + spool_get16(p + at) > n) {
            return -EIO;
        }
        at += 2 + spool_get16(p + at);
    }
    if (at != n) {
        return -EIO;
    }
    *plen = n;
    return 0;
}

/* ---- journal records ---------------------------------------------------- */

/* A zeroed record of `type` with room for plen payload bytes (at +24);
 * *total gets its padded size.  NULL if out of memory. */
uint8_t *
spool_fmt_jrec_new(enum spool_jtype type, size_t plen, size_t *total)
{
    size_t t = (SPOOL_JREC_HDR + plen + 7) & ~(size_t)7;
    uint8_t *r = calloc(1, t);
    if (!r) {
        return NULL;
    }
    memcpy(r, jrec_magic, 4);
    spool_put16(r + 4, (uint16_t)type);
    spool_put32(r + 8, (uint32_t)plen);
    *total = t;
    return r;
}

/* Sets the sequence number and the checksum (the committer does this). */
void
spool_fmt_jrec_seal(uint8_t *r, size_t total, uint64_t seq)
{
    spool_put32(r + 12, 0);
    spool_put64(r + 16, seq);
    spool_put32(r + 12, spool_crc32c(0, r, total));
}

/* Checks the record at p (avail bytes readable).  0 with its type, payload
 * and padded size, or -EINVAL for a torn or foreign record. */
int
spool_fmt_jrec_check(const uint8_t *p, size_t avail, uint64_t seq, uint16_t *type,
                     const uint8_t **payload, uint32_t *plen, size_t *total)
{
    if (avail < SPOOL_JREC_HDR || memcmp(p, jrec_magic, 4) != 0) {
        return -EINVAL;
    }
    uint32_t n = spool_get32(p + 8);
    if (n > JREC_MAX_PAYLOAD) {
        return -EINVAL;
    }
    size_t t = (SPOOL_JREC_HDR + (size_t)n + 7) & ~(size_t)7;
    if (t > avail || spool_get64(p + 16) != seq) {
        return -EINVAL;
    }
    uint32_t want = spool_get32(p + 12);
    uint8_t zero[4] = {0, 0, 0, 0};
    uint32_t c = spool_crc32c(0, p, 12);
    c = spool_crc32c(c, zero, 4);
    c = spool_crc32c(c, p + 16, t - 16);
    if (c != want) {
        return -EINVAL;
    }
    *type = spool_get16(p + 4);
    *payload = p + SPOOL_JREC_HDR;
    *plen = n;
    *total = t;
    return 0;
}

/* ---- checkpoints -------------------------------------------------------- */

/* Encodes every QUEUED file (sp->lock held).  0, or -ENOMEM. */
int
spool_fmt_ckpt_build(struct spool *sp, uint64_t gen, struct spool_buf *b)
{
    uint8_t *h = spool_buf_grow(b, CKPT_HDR);
    if (!h) {
        return -ENOMEM;
    }
    memset(h, 0, CKPT_HDR);
    uint32_t n = 0;
    for (size_t i = 0; i < sp->idcap; i++) {
        for (struct spool_file *f = sp->idtab[i]; f; f = f->hnext) {
            if (f->state != SPOOL_FS_QUEUED) {
                continue;
            }
            uint8_t *p = spool_buf_grow(b, spool_fmt_file_size(f, true));
            if (!p) {
                return -ENOMEM;
            }
            spool_fmt_file_put(p, f, true);
            n++;
        }
    }
    h = b->p;
    memcpy(h, ckpt_magic, 8);
    spool_put32(h + 8, SPOOL_FORMAT_VERSION);
    spool_put32(h + 12, n);
    spool_put64(h + 16, gen);
    spool_put64(h + 24, sp->next_serial);
    spool_put32(h + 32, sp->next_id);
    spool_put64(h + 40, (uint64_t)sp->order_head);
    spool_put64(h + 48, (uint64_t)sp->order_tail);
    spool_put64(h + 56, spool_now_us());
    uint32_t crc = spool_crc32c(0, b->p, b->len);
    uint8_t *t = spool_buf_grow(b, 8);
    if (!t) {
        return -ENOMEM;
    }
    spool_put32(t, crc);
    memcpy(t + 4, ckpt_end, 4);
    return 0;
}

/* Checks a whole checkpoint in memory and reads its header.  0, or -EINVAL
 * (damaged), -EPROTONOSUPPORT (another format version). */
int
spool_fmt_ckpt_parse_header(const uint8_t *p, size_t len, uint64_t *gen, uint64_t *next_serial,
                            uint32_t *next_id, int64_t *head, int64_t *tail, uint32_t *nfiles,
                            size_t *body_off)
{
    if (len < CKPT_HDR + 8 || memcmp(p, ckpt_magic, 8) != 0 ||
        memcmp(p + len - 4, ckpt_end, 4) != 0) {
        return -EINVAL;
    }
    if (spool_get32(p + len - 8) != spool_crc32c(0, p, len - 8)) {
        return -EINVAL;
    }
    if (spool_get32(p + 8) != SPOOL_FORMAT_VERSION) {
        return -EPROTONOSUPPORT;
    }
    *nfiles = spool_get32(p + 12);
    *gen = spool_get64(p + 16);
    *next_serial = spool_get64(p + 24);
    *next_id = spool_get32(p + 32);
    *head = (int64_t)spool_get64(p + 40);
    *tail = (int64_t)spool_get64(p + 48);
    *body_off = CKPT_HDR;
    return 0;
}
