// SPDX-License-Identifier: MIT
/*
 * tests/test_cmsfs_fault.c - the CMS file system's promises under failure.
 *
 * One scenario (about 100 changes: small files that split directory nodes,
 * a file of some 30 blocks, appends, a record replaced after POINT, erases, a
 * rename, a replacement) is first run on a healthy disk, taking a
 * fingerprint of the disk after each change.  Then, for every N from 0 to
 * the number of block writes and flushes the scenario makes:
 *   - the device dies after N of them (CP killed): the surviving disk must
 *     mount, pass cmsfs_check and show the state after the last change
 *     that returned, or after the one in flight; and take new changes;
 *   - the same, with the fatal write landing half (a torn block);
 *   - only event N+1 fails: the change gets an error, the mount stays
 *     consistent (or, after a failed superblock write, a new mount shows
 *     one of the two states), the change is retried, and the scenario
 *     ends in the healthy run's final state.
 * Plus damaged superblocks, bitmap chunks, directory nodes and data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cms/fs/cmsfs_int.h"
#include "tests/test_cmsfs_util.h"

enum op_kind { OP_PUT, OP_APPEND, OP_ERASE, OP_RENAME, OP_POKE };

struct op {
    enum op_kind kind;
    char fn[9], ft[9], fn2[9];
    char recfm;
    uint32_t lrecl, seed, first, n;
};

#define MAX_OPS 128
static struct op ops[MAX_OPS];
static int nops;
static char *digests[MAX_OPS + 1]; /* the disk after 0..nops changes */
static long total_events;

#define DISK_BLOCKS 1024

static void
add(enum op_kind kind, const char *fn, const char *ft, char recfm, uint32_t lrecl, uint32_t seed,
    uint32_t first, uint32_t n, const char *fn2)
{
    struct op *o = &ops[nops++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    snprintf(o->fn, sizeof o->fn, "%s", fn);
    snprintf(o->ft, sizeof o->ft, "%s", ft);
    snprintf(o->fn2, sizeof o->fn2, "%s", fn2 ? fn2 : "");
    o->recfm = recfm;
    o->lrecl = lrecl;
    o->seed = seed;
    o->first = first;
    o->n = n;
}

static void
build_scenario(void)
{
    char fn[9];
    nops = 0;
    for (int i = 0; i < 70; i++) {
        snprintf(fn, sizeof fn, "S%d", i);
        add(OP_PUT, fn, "EXEC", 'V', 80, (uint32_t)i, 0, 1 + i % 3, NULL);
    }
    add(OP_PUT, "BIG", "DATA", 'V', 4000, 100, 0, 60, NULL); /* map depth 1 */
    add(OP_APPEND, "BIG", "DATA", 'V', 4000, 100, 60, 5, NULL);
    add(OP_PUT, "CARDS", "F", 'F', 80, 200, 0, 60, NULL);
    add(OP_POKE, "CARDS", "F", 'F', 80, 0, 7, 0, NULL);
    for (int i = 5; i < 21; i++) {
        snprintf(fn, sizeof fn, "S%d", i);
        add(OP_ERASE, fn, "EXEC", 0, 0, 0, 0, 0, NULL);
    }
    add(OP_RENAME, "S30", "EXEC", 0, 0, 0, 0, 0, "Z30");
    add(OP_PUT, "S40", "EXEC", 'V', 3000, 300, 0, 10, NULL);
    add(OP_APPEND, "S41", "EXEC", 'V', 80, 41, 1 + 41 % 3, 3, NULL);
    add(OP_ERASE, "BIG", "DATA", 0, 0, 0, 0, 0, NULL);
    add(OP_APPEND, "CARDS", "F", 'F', 80, 200, 60, 2, NULL);
}

static int
run_op(struct cmsfs *fs, const struct op *o)
{
    struct cmsfs_name a, b;
    struct cmsfs_file *f;
    switch (o->kind) {
    case OP_PUT:
    case OP_APPEND:
        return t_put(fs, o->fn, o->ft, o->kind == OP_PUT ? CMSFS_WRITE : CMSFS_APPEND, o->recfm,
                     o->lrecl, o->seed, o->first, o->n);
    case OP_ERASE:
        a = t_name(o->fn, o->ft);
        return cmsfs_erase(fs, &a);
    case OP_RENAME:
        a = t_name(o->fn, o->ft);
        b = t_name(o->fn2, o->ft);
        return cmsfs_rename(fs, &a, &b, 3);
    case OP_POKE: {
        a = t_name(o->fn, o->ft);
        int rc = cmsfs_open(fs, &a, CMSFS_APPEND, NULL, &f);
        if (rc == CMSFS_OK) {
            rc = cmsfs_point(f, o->first);
        }
        if (rc == CMSFS_OK) {
            rc = cmsfs_write(f, "poked", 5);
        }
        if (f != NULL) {
            int rc2 = rc == CMSFS_OK ? cmsfs_close(f) : (cmsfs_discard(f), rc);
            rc = rc == CMSFS_OK ? rc2 : rc;
        }
        return rc;
    }
    }
    return CMSFS_E_INVAL;
}

/* The healthy run: fingerprints after each change, events counted. */
static int
setup(void **state)
{
    struct memdev m;
    (void)state;
    build_scenario();
    struct cmsfs *fs = t_format_mount(&m, DISK_BLOCKS);
    memdev_arm(&m, MEMDEV_NONE, 0);
    digests[0] = t_digest(fs);
    for (int k = 0; k < nops; k++) {
        assert_int_equal(run_op(fs, &ops[k]), CMSFS_OK);
        digests[k + 1] = t_digest(fs);
        assert_non_null(digests[k + 1]);
    }
    total_events = m.events;
    print_message("scenario: %d changes, %ld block writes and flushes\n", nops, total_events);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
    /* Each change must show: no two consecutive fingerprints alike. */
    for (int k = 0; k < nops; k++) {
        assert_string_not_equal(digests[k], digests[k + 1]);
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    for (int k = 0; k <= nops; k++) {
        free(digests[k]);
    }
    return 0;
}

/* Mounts what survived, checks it, and returns which state it is (k or
 * k+1), failing the test if it is neither. */
static int
judge(struct memdev *survivor, int k, long n)
{
    struct cmsfs *fs = t_mount(survivor, 0);
    t_check(fs);
    char *d = t_digest(fs);
    assert_non_null(d);
    int which = -1;
    if (strcmp(d, digests[k]) == 0) {
        which = k;
    } else if (k < nops && strcmp(d, digests[k + 1]) == 0) {
        which = k + 1;
    }
    if (which < 0) {
        fail_msg("after %ld events (change %d in flight) the disk is in neither state", n, k);
    }
    free(d);
    /* The recovered disk takes changes. */
    assert_int_equal(t_put(fs, "AFTER", "CRASH", CMSFS_WRITE, 'V', 500, 9, 0, 20), CMSFS_OK);
    t_check(fs);
    cmsfs_unmount(fs);
    return which;
}

static void
crash_everywhere(enum memdev_fault fault)
{
    int states[2] = {0, 0};
    for (long n = 0; n <= total_events; n++) {
        struct memdev m, survivor;
        struct cmsfs *fs = t_format_mount(&m, DISK_BLOCKS);
        memdev_arm(&m, fault, n);
        int k = 0;
        while (k < nops && run_op(fs, &ops[k]) == CMSFS_OK) {
            k++;
        }
        assert_true(k == nops || m.dead);
        cmsfs_unmount(fs);
        memdev_clone(&survivor, &m);
        memdev_free(&m);
        int which = judge(&survivor, k, n);
        states[which == k ? 0 : 1]++;
        memdev_free(&survivor);
    }
    /* Both outcomes happen: crashes before and after a superblock landed. */
    assert_true(states[0] > 0);
    assert_true(states[1] > 0);
}

static void
test_crash_everywhere(void **state)
{
    (void)state;
    crash_everywhere(MEMDEV_DIE);
}

static void
test_torn_write_everywhere(void **state)
{
    (void)state;
    crash_everywhere(MEMDEV_TEAR);
}

static void
test_transient_error_everywhere(void **state)
{
    (void)state;
    int remounts = 0;
    for (long n = 0; n <= total_events; n++) {
        struct memdev m;
        struct cmsfs *fs = t_format_mount(&m, DISK_BLOCKS);
        memdev_arm(&m, MEMDEV_FAIL_ONCE, n);
        for (int k = 0; k < nops; k++) {
            int rc = run_op(fs, &ops[k]);
            if (rc == CMSFS_OK) {
                continue;
            }
            if (rc == CMSFS_E_FAILED) {
                /* The superblock write failed: the mount refuses changes;
                 * a new mount shows one of the two states. */
                struct cmsfs_name x = t_name("X", "Y");
                assert_int_equal(cmsfs_erase(fs, &x), CMSFS_E_FAILED);
                cmsfs_unmount(fs);
                fs = t_mount(&m, 0);
                t_check(fs);
                char *d = t_digest(fs);
                bool applied = strcmp(d, digests[k + 1]) == 0;
                assert_true(applied || strcmp(d, digests[k]) == 0);
                free(d);
                remounts++;
                if (applied) {
                    continue;
                }
            } else {
                /* Nothing happened, on disk or in storage. */
                t_check(fs);
                char *d = t_digest(fs);
                assert_string_equal(d, digests[k]);
                free(d);
            }
            assert_int_equal(run_op(fs, &ops[k]), CMSFS_OK);
        }
        char *d = t_digest(fs);
        assert_string_equal(d, digests[nops]);
        free(d);
        t_check(fs);
        cmsfs_unmount(fs);
        memdev_free(&m);
    }
    assert_true(remounts > 0);
}

/* ---- damage ------------------------------------------------------------ */

/* A disk with two files, written by three commits after FORMAT. */
static struct cmsfs *
two_files(struct memdev *m, char **after_a, char **after_b)
{
    struct cmsfs *fs = t_format_mount(m, 256);
    assert_int_equal(t_put(fs, "A", "FILE", CMSFS_WRITE, 'V', 300, 1, 0, 30), CMSFS_OK);
    *after_a = t_digest(fs);
    assert_int_equal(t_put(fs, "B", "FILE", CMSFS_WRITE, 'V', 300, 2, 0, 30), CMSFS_OK);
    *after_b = t_digest(fs);
    return fs;
}

static uint64_t
newest_slot(struct memdev *m)
{
    return get64(memdev_block(m, 0) + 16) > get64(memdev_block(m, 1) + 16) ? 0 : 1;
}

static void
test_damaged_superblock(void **state)
{
    struct memdev m;
    char *da, *db;
    (void)state;
    struct cmsfs *fs = two_files(&m, &da, &db);
    cmsfs_unmount(fs);
    uint64_t s = newest_slot(&m);
    struct memdev c;

    /* The older superblock damaged: nothing lost. */
    memdev_clone(&c, &m);
    memdev_block(&c, 1 - s)[100] ^= 1;
    fs = t_mount(&c, 0);
    char *d = t_digest(fs);
    assert_string_equal(d, db);
    free(d);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&c);

    /* The newest damaged (or torn): the disk comes up at the commit
     * before, whole, and takes changes. */
    memdev_clone(&c, &m);
    memdev_block(&c, s)[3000] ^= 0x40;
    fs = t_mount(&c, 0);
    d = t_digest(fs);
    assert_string_equal(d, da);
    free(d);
    t_check(fs);
    assert_int_equal(t_put(fs, "C", "FILE", CMSFS_WRITE, 'V', 300, 3, 0, 30), CMSFS_OK);
    t_check(fs);
    cmsfs_unmount(fs);
    fs = t_mount(&c, CMSFS_MOUNT_RDONLY);
    t_expect(fs, "A", "FILE", 'V', 300, 1, 30);
    t_expect(fs, "C", "FILE", 'V', 300, 3, 30);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&c);

    /* Writers that have not closed yet never overwrite the previous
     * commit's tree either, so it still serves if the newest superblock is
     * damaged after they wrote. */
    memdev_clone(&c, &m);
    fs = t_mount(&c, 0);
    struct cmsfs_create cr = {'V', 0, 1};
    struct cmsfs_name nc = t_name("C", "FILE");
    struct cmsfs_file *w;
    static uint8_t junk[4000];
    memset(junk, 0xEE, sizeof junk);
    assert_int_equal(cmsfs_open(fs, &nc, CMSFS_WRITE, &cr, &w), CMSFS_OK);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(cmsfs_write(w, junk, sizeof junk), CMSFS_OK);
    }
    assert_int_equal(cmsfs_unmount(fs), CMSFS_E_BUSY); /* "crash" with it open */
    memdev_block(&c, s)[3000] ^= 0x40;
    fs = t_mount(&c, 0);
    d = t_digest(fs);
    assert_string_equal(d, da);
    free(d);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&c);

    /* Both damaged: a clear error, not a guess. */
    memdev_clone(&c, &m);
    memdev_block(&c, 0)[50] ^= 1;
    memdev_block(&c, 1)[50] ^= 1;
    assert_int_equal(cmsfs_mount(&c.dev, NULL, &fs), CMSFS_E_CORRUPT);
    memdev_free(&c);

    /* A newer format version: refused, not rolled back to the older one. */
    memdev_clone(&c, &m);
    uint8_t *b = memdev_block(&c, s);
    put32(b + 8, CMSFS_FORMAT_VERSION + 1);
    put32(b + SB_CRC_OFF, cmsfs_crc32c(0, b, SB_CRC_OFF));
    assert_int_equal(cmsfs_mount(&c.dev, NULL, &fs), CMSFS_E_VERSION);
    memdev_free(&c);

    /* The newest superblock's bitmap chunk damaged: the older state. */
    memdev_clone(&c, &m);
    memdev_block(&c, get32(memdev_block(&c, s) + SB_HDR_SIZE))[7] ^= 4;
    fs = t_mount(&c, 0);
    d = t_digest(fs);
    assert_string_equal(d, da);
    free(d);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&c);

    /* Not a CMS disk at all. */
    memdev_init(&c, 64);
    assert_int_equal(cmsfs_mount(&c.dev, NULL, &fs), CMSFS_E_NOTFMT);
    memdev_free(&c);
    free(da);
    free(db);
    memdev_free(&m);
}

/* The first block holding `magic` at offset 0, or whose bytes contain the
 * record of (seed, i). */
static uint64_t
find_block(struct memdev *m, uint32_t magic)
{
    for (uint64_t b = 2; b < m->blocks; b++) {
        if (m->data[b] && get32(m->data[b]) == magic) {
            return b;
        }
    }
    fail_msg("no block with magic %08x", magic);
    return 0;
}

/* A bitmap chunk whose CRC is right but which marks blocks past the end of
 * the disk in use: that superblock's state is refused (the mount falls back
 * to the commit before), bit by bit up to the chunk's last bit, in the
 * disk's last partial word and in whole words after it.  A bit of a real
 * block is no reason to refuse (the check reports it). */
static void
test_bitmap_past_the_end(void **state)
{
    (void)state;
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 250);
    assert_int_equal(t_put(fs, "A", "FILE", CMSFS_WRITE, 'V', 300, 1, 0, 30), CMSFS_OK);
    char *da = t_digest(fs);
    assert_int_equal(t_put(fs, "B", "FILE", CMSFS_WRITE, 'V', 300, 2, 0, 30), CMSFS_OK);
    char *db = t_digest(fs);
    cmsfs_unmount(fs);
    uint64_t s = newest_slot(&m);
    const uint32_t bits[] = {249, 250, 255, 256, 4000, CHUNK_BITS - 1};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        struct memdev c;
        struct sb sb;
        memdev_clone(&c, &m);
        uint8_t *sblk = memdev_block(&c, s);
        assert_int_equal(cmsfs_sb_decode(sblk, &sb), CMSFS_OK);
        uint8_t *chunk = memdev_block(&c, sb.chunk_blk[0]);
        chunk[bits[i] / 8] |= (uint8_t)(1u << (bits[i] % 8));
        sb.chunk_crc[0] = cmsfs_crc32c(0, chunk, BS);
        cmsfs_sb_encode(&sb, sblk);
        fs = t_mount(&c, 0);
        char *d = t_digest(fs);
        assert_string_equal(d, bits[i] < 250 ? db : da);
        free(d);
        cmsfs_unmount(fs);
        memdev_free(&c);
    }
    free(da);
    free(db);
    memdev_free(&m);
}

static void
test_damaged_blocks(void **state)
{
    struct memdev m;
    struct cmsfs_check_report r;
    char *da, *db;
    uint8_t buf[300];
    size_t len;
    (void)state;
    struct cmsfs *fs = two_files(&m, &da, &db);
    cmsfs_unmount(fs);

    /* A data block: reading it and the check both say so. */
    struct memdev c;
    memdev_clone(&c, &m);
    uint8_t rec[300];
    size_t rl = t_record(2, 0, 'V', 300, rec); /* B's first record */
    uint64_t data = 0;
    for (uint64_t b = 2; b < c.blocks && !data; b++) {
        if (c.data[b] && get16(c.data[b]) == rl && memcmp(c.data[b] + 2, rec, rl) == 0) {
            data = b;
        }
    }
    assert_true(data != 0);
    c.data[data][2] ^= 0x10;
    fs = t_mount(&c, CMSFS_MOUNT_RDONLY);
    struct cmsfs_name nb = t_name("B", "FILE");
    struct cmsfs_file *f;
    assert_int_equal(cmsfs_open(fs, &nb, CMSFS_READ, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_E_CORRUPT);
    cmsfs_close(f);
    assert_int_equal(cmsfs_check(fs, &r), CMSFS_E_CORRUPT);
    assert_non_null(strstr(r.message, "B FILE"));
    t_expect(fs, "A", "FILE", 'V', 300, 1, 30); /* the other file is fine */
    cmsfs_unmount(fs);
    memdev_free(&c);

    /* The directory leaf: lookups report damage, nothing crashes. */
    memdev_clone(&c, &m);
    c.data[find_block(&c, DIR_MAGIC)][40] ^= 1; /* in the first FST */
    fs = NULL;
    int rc = cmsfs_mount(&c.dev, &t_opts, &fs);
    if (rc == CMSFS_OK) {
        /* (the newest root may be another copy of the leaf: the mount may
         * have fallen back; either way the state is whole or reported) */
        rc = cmsfs_check(fs, &r);
        if (rc != CMSFS_OK) {
            assert_int_equal(rc, CMSFS_E_CORRUPT);
            struct cmsfs_name na = t_name("A", "FILE");
            assert_int_equal(cmsfs_state(fs, &na, NULL), CMSFS_E_CORRUPT);
        }
        cmsfs_unmount(fs);
    } else {
        assert_int_equal(rc, CMSFS_E_CORRUPT);
    }
    memdev_free(&c);

    /* A lost block: the check finds the bitmap disagreeing. */
    memdev_clone(&c, &m);
    fs = t_mount(&c, 0);
    fs->bm_l[0] |= 1ull << 60; /* white box: mark block 60 used, unreferenced */
    fs->bm_c[0] |= 1ull << 60;
    assert_int_equal(cmsfs_check(fs, &r), CMSFS_E_CORRUPT);
    assert_non_null(strstr(r.message, "block 60"));
    fs->bm_l[0] &= ~(1ull << 60);
    fs->bm_c[0] &= ~(1ull << 60);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&c);
    free(da);
    free(db);
    memdev_free(&m);
}

static void
test_crc32c(void **state)
{
    (void)state;
    /* The standard check value of CRC-32C, and any split of the input. */
    const char *s = "123456789";
    assert_int_equal(cmsfs_crc32c(0, s, 9), 0xE3069283u);
    for (size_t i = 0; i <= 9; i++) {
        assert_int_equal(cmsfs_crc32c(cmsfs_crc32c(0, s, i), s + i, 9 - i), 0xE3069283u);
    }
    static uint8_t zeros[32];
    assert_int_equal(cmsfs_crc32c(0, zeros, 32), 0x8A9136AAu);
}

/* The bit-at-a-time definition. */
static uint32_t
crc_by_bits(uint32_t crc, const uint8_t *p, size_t len)
{
    uint32_t c = ~crc;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        }
    }
    return ~c;
}

/* Word-at-a-time reads and the folded zero tail agree with the definition
 * for every alignment, length and place where the zeros start, including a
 * block of only zeros, one with a non-zero last byte, and a whole block
 * (the lengths CMS checks). */
static void
test_crc32c_zero_tails(void **state)
{
    (void)state;
    static uint64_t store[(BS + 64) / 8];
    uint8_t *base = (uint8_t *)store;
    uint32_t seed = 12345;
    for (size_t off = 0; off < 9; off++) {
        uint8_t *b = base + off;
        static const size_t lens[] = {0, 7, 63, 64, 65, 71, 72, 200, 1000, 4092, BS};
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            size_t len = lens[li];
            static const size_t ends[] = {0, 1, 5, 8, 9, 64, 100, 4000};
            for (size_t ei = 0; ei <= sizeof ends / sizeof ends[0]; ei++) {
                /* bytes before `live` random (the last one non-zero), zero after */
                size_t live = ei == sizeof ends / sizeof ends[0] ? len : ends[ei];
                if (live > len) {
                    continue;
                }
                for (size_t i = 0; i < len; i++) {
                    seed = seed * 1103515245u + 12345u;
                    b[i] = i < live ? (uint8_t)(seed >> 16) : 0;
                }
                if (live > 0) {
                    b[live - 1] |= 1;
                }
                assert_int_equal(cmsfs_crc32c(0, b, len), crc_by_bits(0, b, len));
                assert_int_equal(cmsfs_crc32c(0x1234u, b, len), crc_by_bits(0x1234u, b, len));
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_crc32c_zero_tails),
        cmocka_unit_test(test_damaged_superblock),
        cmocka_unit_test(test_damaged_blocks),
        cmocka_unit_test(test_bitmap_past_the_end),
        cmocka_unit_test(test_crash_everywhere),
        cmocka_unit_test(test_torn_write_everywhere),
        cmocka_unit_test(test_transient_error_everywhere),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
