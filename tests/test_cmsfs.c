// SPDX-License-Identifier: MIT
/*
 * tests/test_cmsfs.c - cmocka tests of the CMS file system's API on a disk
 * in storage: names and patterns, FORMAT and mount, RECFM F and V records,
 * append, replace, POINT, ERASE, RENAME, LISTFILE, open-file rules,
 * read-only mounts, dates.  Scale and crash tests are in
 * test_cmsfs_scale.c and test_cmsfs_fault.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/test_cmsfs_util.h"

/* ---- names, patterns, errors, time ------------------------------------- */

static void
test_names(void **state)
{
    struct cmsfs_name n;
    char s[18];
    (void)state;
    assert_int_equal(cmsfs_name_set(&n, "profile", "exec"), CMSFS_OK);
    assert_memory_equal(n.fn, "PROFILE ", 8);
    assert_memory_equal(n.ft, "EXEC    ", 8);
    assert_string_equal(cmsfs_name_str(&n, s), "PROFILE EXEC");
    assert_int_equal(cmsfs_name_set(&n, "A$#@+-:_", "Z9"), CMSFS_OK);
    static const char *bad[] = {"", "NINECHARS", "A.B", "A*", "A%", "A B", "\xc3\xa9", "A/B"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cmsfs_name_set(&n, bad[i], "EXEC"), CMSFS_E_BADNAME);
        assert_int_equal(cmsfs_name_set(&n, "OK", bad[i]), CMSFS_E_BADNAME);
    }
    char letter;
    int num;
    assert_int_equal(cmsfs_fileid_parse("  profile   exec a1 ", &n, &letter, &num, 1), CMSFS_OK);
    assert_string_equal(cmsfs_name_str(&n, s), "PROFILE EXEC");
    assert_int_equal(letter, 'A');
    assert_int_equal(num, 1);
    assert_int_equal(cmsfs_fileid_parse("X Y b", &n, &letter, &num, 1), CMSFS_OK);
    assert_int_equal(letter, 'B');
    assert_int_equal(num, 1);
    assert_int_equal(cmsfs_fileid_parse("X Y 5", &n, &letter, &num, 1), CMSFS_OK);
    assert_int_equal(letter, 0);
    assert_int_equal(num, 5);
    assert_int_equal(cmsfs_fileid_parse("X Y", &n, NULL, &num, 3), CMSFS_OK);
    assert_int_equal(num, 3);
    assert_int_equal(cmsfs_fileid_parse("X Y A7", &n, NULL, NULL, 1), CMSFS_E_BADMODE);
    assert_int_equal(cmsfs_fileid_parse("X Y AB", &n, NULL, NULL, 1), CMSFS_E_BADMODE);
    assert_int_equal(cmsfs_fileid_parse("X Y A1X", &n, NULL, NULL, 1), CMSFS_E_BADMODE);
    assert_int_equal(cmsfs_fileid_parse("X", &n, NULL, NULL, 1), CMSFS_E_INVAL);
    assert_int_equal(cmsfs_fileid_parse("X Y A1 Z", &n, NULL, NULL, 1), CMSFS_E_INVAL);
    assert_int_equal(cmsfs_fileid_parse("X.1 Y", &n, NULL, NULL, 1), CMSFS_E_BADNAME);
}

static void
test_match(void **state)
{
    (void)state;
    static const struct {
        const char *pat, *field;
        bool match;
    } cases[] = {
        {"*", "PROFILE ", true},      {"PROFILE", "PROFILE ", true},
        {"PROF*", "PROFILE ", true},  {"PROF*", "PRO     ", false},
        {"*ILE", "PROFILE ", true},   {"*IL", "PROFILE ", false},
        {"P*F*E", "PROFILE ", true},  {"%%%", "ABC     ", true},
        {"%%%", "ABCD    ", false},   {"%%%*", "ABCD    ", true},
        {"A%C", "ABC     ", true},    {"A%C", "AC      ", false},
        {"**", "X       ", true},     {"*B*", "ABC     ", true},
        {"*B*", "ACD     ", false},   {"ABCDEFGH", "ABCDEFGH", true},
        {"ABCDEFG", "ABCDEFGH", false}, {"*H", "ABCDEFGH", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cmsfs_match(cases[i].pat, cases[i].field) != cases[i].match) {
            fail_msg("pattern %s on '%.8s'", cases[i].pat, cases[i].field);
        }
    }
}

static void
test_errors(void **state)
{
    (void)state;
    assert_int_equal(cmsfs_err_rc(CMSFS_E_NOTFOUND), 28);
    assert_int_equal(cmsfs_err_rc(CMSFS_E_ROFS), 36);
    assert_int_equal(cmsfs_err_rc(CMSFS_E_FULL), 13);
    assert_int_equal(cmsfs_err_rc(CMSFS_E_BADNAME), 20);
    assert_int_equal(cmsfs_err_rc(CMSFS_E_EOF), 12);
    assert_int_equal(cmsfs_err_rc(CMSFS_OK), 0);
    assert_string_equal(cmsfs_err_name(CMSFS_E_FULL), "CMSFS_E_FULL");
    assert_string_equal(cmsfs_err_text(CMSFS_E_NOTFOUND), "file not found");
    assert_string_equal(cmsfs_err_name(-999), "CMSFS_E_?");
    assert_string_equal(cmsfs_err_name(5), "CMSFS_E_?");
    /* Every code has its own name. */
    for (int a = 0; a > -CMSFS_ERR_COUNT; a--) {
        assert_true(cmsfs_err_rc(a) >= 0);
        for (int b = a - 1; b > -CMSFS_ERR_COUNT; b--) {
            assert_string_not_equal(cmsfs_err_name(a), cmsfs_err_name(b));
        }
    }
}

static void
test_time(void **state)
{
    struct cmsfs_tm tm;
    (void)state;
    struct cmsfs_time t = {1710408300000000, 3600}; /* 09:25 UTC, +1h */
    cmsfs_time_split(&t, &tm);
    assert_int_equal(tm.year, 2024);
    assert_int_equal(tm.month, 3);
    assert_int_equal(tm.day, 14);
    assert_int_equal(tm.hour, 10);
    assert_int_equal(tm.minute, 25);
    assert_int_equal(tm.second, 0);
    t = (struct cmsfs_time){951782400000000, 0}; /* 2000-02-29 00:00 */
    cmsfs_time_split(&t, &tm);
    assert_int_equal(tm.year * 10000 + tm.month * 100 + tm.day, 20000229);
    t = (struct cmsfs_time){-1, 0}; /* just before the epoch */
    cmsfs_time_split(&t, &tm);
    assert_int_equal(tm.year * 10000 + tm.month * 100 + tm.day, 19691231);
    assert_int_equal(tm.hour * 3600 + tm.minute * 60 + tm.second, 86399);
}

/* ---- format and mount -------------------------------------------------- */

static void
test_format_mount(void **state)
{
    struct memdev m;
    struct cmsfs *fs;
    struct cmsfs_stats st;
    (void)state;
    memdev_init(&m, 512);
    assert_int_equal(cmsfs_mount(&m.dev, NULL, &fs), CMSFS_E_NOTFMT);
    assert_int_equal(cmsfs_format(&m.dev, "TOOLONG", NULL), CMSFS_E_INVAL);
    assert_int_equal(cmsfs_format(&m.dev, "A.B", NULL), CMSFS_E_INVAL);
    assert_int_equal(cmsfs_format(&m.dev, "mnt190", &t_opts), CMSFS_OK);
    fs = t_mount(&m, 0);
    cmsfs_stats(fs, &st);
    assert_string_equal(st.label, "MNT190");
    assert_int_equal(st.version, CMSFS_FORMAT_VERSION);
    assert_int_equal(st.blocks_total, 512);
    assert_int_equal(st.blocks_used, 3); /* two superblocks, one bitmap chunk */
    assert_int_equal(st.blocks_free, 509);
    assert_int_equal(st.files, 0);
    assert_false(st.read_only);
    assert_int_equal(st.formatted.utc_offset_s, 3600);
    t_check(fs);
    struct cmsfs_name n = t_name("NONE", "EXEC");
    assert_int_equal(cmsfs_state(fs, &n, NULL), CMSFS_E_NOTFOUND);
    assert_int_equal(cmsfs_erase(fs, &n), CMSFS_E_NOTFOUND);
    struct cmsfs_iter *it;
    assert_int_equal(cmsfs_iter_open(fs, NULL, NULL, -1, &it), CMSFS_OK);
    assert_int_equal(cmsfs_iter_next(it, NULL), CMSFS_E_EOF);
    cmsfs_iter_close(it);
    assert_int_equal(cmsfs_unmount(fs), CMSFS_OK);

    /* Too small; read-only devices; a label by default. */
    struct memdev tiny;
    memdev_init(&tiny, CMSFS_MIN_BLOCKS - 1);
    assert_int_equal(cmsfs_format(&tiny.dev, NULL, NULL), CMSFS_E_INVAL);
    memdev_free(&tiny);
    m.dev.read_only = true;
    assert_int_equal(cmsfs_format(&m.dev, NULL, NULL), CMSFS_E_ROFS);
    m.dev.read_only = false;
    assert_int_equal(cmsfs_format(&m.dev, NULL, NULL), CMSFS_OK);
    fs = t_mount(&m, 0);
    cmsfs_stats(fs, &st);
    assert_string_equal(st.label, "CMS");
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* ---- records ----------------------------------------------------------- */

static void
test_fixed_records(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 256);
    struct cmsfs_name n = t_name("DATA", "FILE");
    struct cmsfs_create cr = {'F', 80, 1};
    struct cmsfs_file *f;
    struct cmsfs_stat st;
    char buf[200];
    size_t len;
    (void)state;
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    for (int i = 0; i < 200; i++) {
        int k = snprintf(buf, sizeof buf, "record %d", i);
        assert_int_equal(cmsfs_write(f, buf, (size_t)k), CMSFS_OK);
    }
    memset(buf, 'x', 81);
    assert_int_equal(cmsfs_write(f, buf, 81), CMSFS_E_RECLEN); /* not sticky */
    assert_int_equal(cmsfs_write(f, buf, 80), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_E_EOF);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);

    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    assert_int_equal(st.recfm, 'F');
    assert_int_equal(st.lrecl, 80);
    assert_int_equal(st.records, 201);
    assert_int_equal(st.bytes, 201 * 80);
    assert_int_equal(st.blocks, 5); /* 16080 bytes: 4 data blocks and a map */
    assert_int_equal(st.fmnum, 1);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    for (int i = 0; i < 200; i++) {
        char want[81];
        int k = snprintf(want, sizeof want, "record %d", i);
        memset(want + k, ' ', (size_t)(80 - k)); /* padded with blanks */
        assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
        assert_int_equal(len, 80);
        assert_memory_equal(buf, want, 80);
    }
    assert_int_equal(cmsfs_read(f, buf, 10, &len), CMSFS_E_TRUNC);
    assert_int_equal(len, 80);
    assert_memory_equal(buf, "xxxxxxxxxx", 10);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_E_EOF);
    assert_int_equal(cmsfs_write(f, buf, 1), CMSFS_E_INVAL); /* opened for reading */
    assert_int_equal(cmsfs_close(f), CMSFS_OK);

    /* Bad formats. */
    struct cmsfs_create bad[] = {{'F', 0, 1}, {'F', 65536, 1}, {'X', 80, 1}, {'V', 70000, 1}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &bad[i], &f), CMSFS_E_RECFM);
    }
    struct cmsfs_create badmode = {'F', 80, 7};
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &badmode, &f), CMSFS_E_BADMODE);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, NULL, &f), CMSFS_E_INVAL);
    struct cmsfs_name lower;
    memcpy(lower.fn, "data    ", 8);
    memcpy(lower.ft, "FILE    ", 8);
    assert_int_equal(cmsfs_open(fs, &lower, CMSFS_READ, NULL, &f), CMSFS_E_BADNAME);
    assert_int_equal(cmsfs_state(fs, &lower, NULL), CMSFS_E_BADNAME);
    assert_int_equal(cmsfs_erase(fs, &lower), CMSFS_E_BADNAME);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

static void
test_variable_records(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 1024);
    struct cmsfs_stat st;
    (void)state;
    /* Lengths 0..9999: records cross blocks, headers too. */
    assert_int_equal(t_put(fs, "VAR", "DATA", CMSFS_WRITE, 'V', 10000, 7, 0, 500), CMSFS_OK);
    t_expect(fs, "VAR", "DATA", 'V', 10000, 7, 500);
    struct cmsfs_name n = t_name("VAR", "DATA");
    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    uint8_t buf[10000];
    uint32_t longest = 0;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < 500; i++) {
        size_t l = t_record(7, i, 'V', 10000, buf);
        longest = l > longest ? (uint32_t)l : longest;
        bytes += l;
    }
    assert_int_equal(st.lrecl, longest);
    assert_int_equal(st.bytes, bytes);

    /* A limit from the creator, the 65535 maximum, empty records. */
    struct cmsfs_create cr = {'V', 100, 2};
    struct cmsfs_file *f;
    static uint8_t big[65536];
    size_t len;
    n = t_name("LIMITS", "V");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, big, 101), CMSFS_E_RECLEN);
    assert_int_equal(cmsfs_write(f, big, 100), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, big, 0), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    cr.lrecl = 0;
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    memset(big, 'q', sizeof big);
    assert_int_equal(cmsfs_write(f, big, 65536), CMSFS_E_RECLEN);
    assert_int_equal(cmsfs_write(f, big, 65535), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, big, 0), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    memset(big, 0, sizeof big);
    assert_int_equal(cmsfs_read(f, big, sizeof big, &len), CMSFS_OK);
    assert_int_equal(len, 65535);
    assert_int_equal(big[0], 'q');
    assert_int_equal(big[65534], 'q');
    assert_int_equal(cmsfs_read(f, big, sizeof big, &len), CMSFS_OK);
    assert_int_equal(len, 0);
    assert_int_equal(cmsfs_read(f, big, sizeof big, &len), CMSFS_E_EOF);
    cmsfs_file_stat(f, &st);
    assert_int_equal(st.fmnum, 2);
    assert_int_equal(st.lrecl, 65535);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

static void
test_append(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 1024);
    (void)state;
    /* Appends that start mid-block, end exactly on a block, and cross
     * into map depth 1. */
    assert_int_equal(t_put(fs, "LOG", "V", CMSFS_APPEND, 'V', 3000, 3, 0, 1), CMSFS_OK);
    for (uint32_t k = 1; k < 120; k += 7) {
        assert_int_equal(t_put(fs, "LOG", "V", CMSFS_APPEND, 'V', 3000, 3, k, 7), CMSFS_OK);
    }
    t_expect(fs, "LOG", "V", 'V', 3000, 3, 120);
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_WRITE, 'F', 1024, 4, 0, 4), CMSFS_OK);
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_APPEND, 'F', 1024, 4, 4, 4), CMSFS_OK);
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_APPEND, 'F', 1024, 4, 8, 1), CMSFS_OK);
    t_expect(fs, "CARDS", "F", 'F', 1024, 4, 9);
    /* RECFM or LRECL other than the file's. */
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_APPEND, 'F', 80, 4, 9, 1), CMSFS_E_RECFM);
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_APPEND, 'V', 80, 4, 9, 1), CMSFS_E_RECFM);
    /* Append with no format given keeps the file's. */
    struct cmsfs_name n = t_name("CARDS", "F");
    struct cmsfs_file *f;
    struct cmsfs_stat st;
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "tail", 4), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    assert_int_equal(st.records, 10);
    assert_int_equal(st.lrecl, 1024);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

static void
test_replace(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 1024);
    struct cmsfs_name n = t_name("PROFILE", "EXEC");
    struct cmsfs_create cr = {'V', 0, 1};
    struct cmsfs_file *f, *r;
    struct cmsfs_stat st;
    struct cmsfs_stats ds;
    (void)state;
    assert_int_equal(t_put(fs, "PROFILE", "EXEC", CMSFS_WRITE, 'V', 500, 1, 0, 50), CMSFS_OK);
    cmsfs_stats(fs, &ds);
    uint64_t used = ds.blocks_used;
    /* While the new file is written, the old one is what STATE shows. */
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "new", 3), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    assert_int_equal(st.records, 50);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &r), CMSFS_E_BUSY);
    cmsfs_discard(f);
    t_expect(fs, "PROFILE", "EXEC", 'V', 500, 1, 50);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.blocks_used, used); /* the discarded blocks are free */
    t_check(fs);
    /* Closing replaces it and frees the old blocks. */
    assert_int_equal(t_put(fs, "PROFILE", "EXEC", CMSFS_WRITE, 'F', 20, 2, 0, 3), CMSFS_OK);
    t_expect(fs, "PROFILE", "EXEC", 'F', 20, 2, 3);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, 1);
    t_check(fs);
    /* An empty file is a file with no records and no blocks. */
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    assert_int_equal(st.records, 0);
    assert_int_equal(st.blocks, 0);
    assert_int_equal(st.recfm, 'V');
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.blocks_used, 4); /* 2 superblocks, chunk, one leaf */
    assert_int_equal(t_put(fs, "PROFILE", "EXEC", CMSFS_APPEND, 'V', 9, 5, 0, 3), CMSFS_OK);
    t_expect(fs, "PROFILE", "EXEC", 'V', 9, 5, 3);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* ---- POINT ------------------------------------------------------------- */

static void
test_point(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 2048);
    struct cmsfs_file *f;
    uint8_t buf[70000], want[70000];
    size_t len;
    (void)state;
    /* V records of 0..19999 bytes over some 300 blocks (map depth 2). */
    assert_int_equal(t_put(fs, "BIG", "V", CMSFS_WRITE, 'V', 20000, 9, 0, 130), CMSFS_OK);
    struct cmsfs_name n = t_name("BIG", "V");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    static const uint32_t order[] = {1, 130, 65, 2, 129, 17, 100, 3, 64, 1, 99};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        uint32_t r = order[i];
        assert_int_equal(cmsfs_point(f, r), CMSFS_OK);
        size_t wl = t_record(9, r - 1, 'V', 20000, want);
        assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
        assert_int_equal(len, wl);
        assert_memory_equal(buf, want, wl);
    }
    assert_int_equal(cmsfs_point(f, 131), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_E_EOF);
    assert_int_equal(cmsfs_point(f, 132), CMSFS_E_RANGE);
    assert_int_equal(cmsfs_point(f, 0), CMSFS_E_RANGE);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);

    /* Every record of a file of small V records. */
    assert_int_equal(t_put(fs, "SMALL", "V", CMSFS_WRITE, 'V', 300, 10, 0, 2000), CMSFS_OK);
    n = t_name("SMALL", "V");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    for (uint32_t r = 2000; r >= 1; r -= 7) {
        assert_int_equal(cmsfs_point(f, r), CMSFS_OK);
        size_t wl = t_record(10, r - 1, 'V', 300, want);
        assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
        assert_int_equal(len, wl);
        assert_memory_equal(buf, want, wl);
        if (r <= 7) {
            break;
        }
    }
    assert_int_equal(cmsfs_close(f), CMSFS_OK);

    /* Replacing records: F any, V only with the same length. */
    assert_int_equal(t_put(fs, "CARDS", "F", CMSFS_WRITE, 'F', 100, 11, 0, 100), CMSFS_OK);
    n = t_name("CARDS", "F");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, 50), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "fifty", 5), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK); /* record 51 */
    t_record(11, 50, 'F', 100, want);
    assert_memory_equal(buf, want, 100);
    assert_int_equal(cmsfs_point(f, 101), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "end", 3), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, 50), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_memory_equal(buf, "fifty     ", 10);
    assert_int_equal(cmsfs_point(f, 101), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_memory_equal(buf, "end  ", 5);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);

    n = t_name("SMALL", "V");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, 1000), CMSFS_OK);
    size_t wl = t_record(10, 999, 'V', 300, want);
    memset(want, '#', wl);
    assert_int_equal(cmsfs_write(f, want, wl + 1), CMSFS_E_RECLEN);
    assert_int_equal(cmsfs_write(f, want, wl), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, 1000), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_int_equal(len, wl);
    assert_memory_equal(buf, want, wl);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK); /* 1001 unchanged */
    size_t wl2 = t_record(10, 1000, 'V', 300, want);
    assert_int_equal(len, wl2);
    assert_memory_equal(buf, want, wl2);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* ---- ERASE, RENAME ----------------------------------------------------- */

static void
test_erase_rename(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 512);
    struct cmsfs_stat st;
    struct cmsfs_stats ds;
    (void)state;
    cmsfs_stats(fs, &ds);
    uint64_t empty = ds.blocks_used;
    assert_int_equal(t_put(fs, "A", "EXEC", CMSFS_WRITE, 'V', 100, 1, 0, 10), CMSFS_OK);
    assert_int_equal(t_put(fs, "B", "EXEC", CMSFS_WRITE, 'F', 80, 2, 0, 100), CMSFS_OK);
    struct cmsfs_name a = t_name("A", "EXEC"), b = t_name("B", "EXEC"), c = t_name("C", "DATA");
    assert_int_equal(cmsfs_state(fs, &a, &st), CMSFS_OK);
    struct cmsfs_time when = st.mtime;
    assert_int_equal(cmsfs_rename(fs, &a, &b, -1), CMSFS_E_EXISTS);
    assert_int_equal(cmsfs_rename(fs, &c, &a, -1), CMSFS_E_NOTFOUND);
    assert_int_equal(cmsfs_rename(fs, &a, &c, 7), CMSFS_E_BADMODE);
    assert_int_equal(cmsfs_rename(fs, &a, &c, 5), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &a, NULL), CMSFS_E_NOTFOUND);
    assert_int_equal(cmsfs_state(fs, &c, &st), CMSFS_OK);
    assert_int_equal(st.fmnum, 5);
    assert_int_equal(st.mtime.us, when.us); /* RENAME keeps the date */
    t_expect(fs, "C", "DATA", 'V', 100, 1, 10);
    assert_int_equal(cmsfs_rename(fs, &c, &c, 2), CMSFS_OK); /* the mode number only */
    assert_int_equal(cmsfs_state(fs, &c, &st), CMSFS_OK);
    assert_int_equal(st.fmnum, 2);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, 2);
    assert_int_equal(cmsfs_erase(fs, &b), CMSFS_OK);
    assert_int_equal(cmsfs_erase(fs, &b), CMSFS_E_NOTFOUND);
    assert_int_equal(cmsfs_erase(fs, &c), CMSFS_OK);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, 0);
    assert_int_equal(ds.blocks_used, empty);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* ---- LISTFILE ---------------------------------------------------------- */

static int
list(struct cmsfs *fs, const char *fnp, const char *ftp, int fm, char *out)
{
    struct cmsfs_iter *it;
    struct cmsfs_stat st;
    int n = 0, rc = cmsfs_iter_open(fs, fnp, ftp, fm, &it);
    if (rc != CMSFS_OK) {
        return rc;
    }
    out[0] = '\0';
    while (cmsfs_iter_next(it, &st) == CMSFS_OK) {
        char s[18];
        strcat(out, cmsfs_name_str(&st.name, s));
        strcat(out, ",");
        n++;
    }
    cmsfs_iter_close(it);
    return n;
}

static void
test_listfile(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 512);
    char out[2048];
    (void)state;
    static const char *files[][2] = {
        {"PROFILE", "EXEC"}, {"PROF", "EXEC"},   {"ZED", "EXEC"},  {"A", "B"},
        {"PROFILE", "XEDIT"}, {"ABC", "MODULE"}, {"ABCD", "TEXT"}, {"$SYS", "DATA"},
    };
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(t_put(fs, files[i][0], files[i][1], CMSFS_WRITE, 'V', 10, 1, 0, 1),
                         CMSFS_OK);
    }
    struct cmsfs_name n = t_name("ABC", "MODULE");
    assert_int_equal(cmsfs_rename(fs, &n, &n, 2), CMSFS_OK);
    assert_int_equal(list(fs, NULL, NULL, -1, out), 8);
    assert_string_equal(out, "$SYS DATA,A B,ABC MODULE,ABCD TEXT,PROF EXEC,PROFILE EXEC,"
                             "PROFILE XEDIT,ZED EXEC,");
    assert_int_equal(list(fs, "prof*", "*", -1, out), 3);
    assert_string_equal(out, "PROF EXEC,PROFILE EXEC,PROFILE XEDIT,");
    assert_int_equal(list(fs, "*", "EXEC", -1, out), 3);
    assert_string_equal(out, "PROF EXEC,PROFILE EXEC,ZED EXEC,");
    assert_int_equal(list(fs, "%%%", "*", -1, out), 2);
    assert_string_equal(out, "ABC MODULE,ZED EXEC,");
    assert_int_equal(list(fs, "*", "*", 2, out), 1);
    assert_string_equal(out, "ABC MODULE,");
    assert_int_equal(list(fs, "ABC", "*", -1, out), 1);
    assert_int_equal(list(fs, "PROFILE", "EXEC", -1, out), 1);
    assert_int_equal(list(fs, "NOSUCH", "*", -1, out), 0);
    assert_int_equal(list(fs, "A.B", "*", -1, out), CMSFS_E_BADNAME);
    assert_int_equal(list(fs, "*", "*", 9, out), CMSFS_E_BADMODE);

    /* Changes while listing: the iterator goes on after the last name. */
    struct cmsfs_iter *it;
    struct cmsfs_stat st;
    assert_int_equal(cmsfs_iter_open(fs, NULL, NULL, -1, &it), CMSFS_OK);
    assert_int_equal(cmsfs_iter_next(it, &st), CMSFS_OK);
    assert_memory_equal(st.name.fn, "$SYS    ", 8);
    n = t_name("A", "B");
    assert_int_equal(cmsfs_erase(fs, &n), CMSFS_OK);
    assert_int_equal(t_put(fs, "AA", "NEW", CMSFS_WRITE, 'V', 10, 1, 0, 1), CMSFS_OK);
    assert_int_equal(cmsfs_iter_next(it, &st), CMSFS_OK);
    assert_memory_equal(st.name.fn, "AA      ", 8);
    assert_int_equal(cmsfs_iter_next(it, &st), CMSFS_OK);
    assert_memory_equal(st.name.fn, "ABC     ", 8);
    cmsfs_iter_close(it);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* ---- open files -------------------------------------------------------- */

static void
test_open_rules(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 512);
    struct cmsfs_create cr = {'V', 0, 1};
    struct cmsfs_file *r1, *r2, *w1, *w2;
    (void)state;
    assert_int_equal(t_put(fs, "X", "Y", CMSFS_WRITE, 'V', 100, 1, 0, 5), CMSFS_OK);
    struct cmsfs_name x = t_name("X", "Y"), z = t_name("Z", "Z"), q = t_name("Q", "Q");
    assert_int_equal(cmsfs_open(fs, &q, CMSFS_READ, NULL, &r1), CMSFS_E_NOTFOUND);
    assert_int_equal(cmsfs_open(fs, &x, CMSFS_READ, NULL, &r1), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &x, CMSFS_READ, NULL, &r2), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &x, CMSFS_WRITE, &cr, &w1), CMSFS_E_BUSY);
    assert_int_equal(cmsfs_open(fs, &x, CMSFS_APPEND, &cr, &w1), CMSFS_E_BUSY);
    assert_int_equal(cmsfs_erase(fs, &x), CMSFS_E_BUSY);
    assert_int_equal(cmsfs_rename(fs, &x, &z, -1), CMSFS_E_BUSY);
    assert_int_equal(cmsfs_close(r1), CMSFS_OK);
    assert_int_equal(cmsfs_close(r2), CMSFS_OK);
    /* Two writers of different files at once, interleaved. */
    assert_int_equal(cmsfs_open(fs, &z, CMSFS_WRITE, &cr, &w1), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &q, CMSFS_WRITE, &cr, &w2), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &z, CMSFS_WRITE, &cr, &r1), CMSFS_E_BUSY);
    assert_int_equal(cmsfs_rename(fs, &x, &z, -1), CMSFS_E_BUSY);
    uint8_t buf[3000];
    for (uint32_t i = 0; i < 40; i++) {
        size_t l = t_record(20, i, 'V', 3000, buf);
        assert_int_equal(cmsfs_write(w1, buf, l), CMSFS_OK);
        l = t_record(21, i, 'V', 3000, buf);
        assert_int_equal(cmsfs_write(w2, buf, l), CMSFS_OK);
    }
    assert_int_equal(cmsfs_close(w2), CMSFS_OK);
    t_check(fs); /* w1's blocks are not in the committed state */
    assert_int_equal(cmsfs_close(w1), CMSFS_OK);
    t_expect(fs, "Z", "Z", 'V', 3000, 20, 40);
    t_expect(fs, "Q", "Q", 'V', 3000, 21, 40);
    t_check(fs);
    /* Unmount with a writer open: BUSY, and the writer's work is lost. */
    assert_int_equal(cmsfs_open(fs, &x, CMSFS_WRITE, &cr, &w1), CMSFS_OK);
    assert_int_equal(cmsfs_write(w1, "gone", 4), CMSFS_OK);
    assert_int_equal(cmsfs_unmount(fs), CMSFS_E_BUSY);
    fs = t_mount(&m, 0);
    t_expect(fs, "X", "Y", 'V', 100, 1, 5);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

static void
test_readonly(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 256);
    struct cmsfs_create cr = {'V', 0, 1};
    struct cmsfs_file *f;
    struct cmsfs_stats ds;
    (void)state;
    assert_int_equal(t_put(fs, "R", "O", CMSFS_WRITE, 'V', 100, 1, 0, 5), CMSFS_OK);
    cmsfs_unmount(fs);
    long writes = m.writes;
    for (int how = 0; how < 2; how++) {
        if (how == 0) {
            fs = t_mount(&m, CMSFS_MOUNT_RDONLY);
        } else {
            m.dev.read_only = true; /* a read-only link */
            fs = t_mount(&m, 0);
        }
        struct cmsfs_name n = t_name("R", "O"), n2 = t_name("S", "O");
        cmsfs_stats(fs, &ds);
        assert_true(ds.read_only);
        assert_int_equal(ds.files, 1);
        assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_E_ROFS);
        assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, &cr, &f), CMSFS_E_ROFS);
        assert_int_equal(cmsfs_erase(fs, &n), CMSFS_E_ROFS);
        assert_int_equal(cmsfs_rename(fs, &n, &n2, -1), CMSFS_E_ROFS);
        t_expect(fs, "R", "O", 'V', 100, 1, 5);
        t_check(fs);
        cmsfs_unmount(fs);
    }
    assert_int_equal(m.writes, writes); /* nothing written */
    memdev_free(&m);
}

static void
test_dates_and_persistence(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 1024);
    struct cmsfs_stat s1, s2;
    (void)state;
    assert_int_equal(t_put(fs, "ONE", "FILE", CMSFS_WRITE, 'V', 100, 1, 0, 5), CMSFS_OK);
    assert_int_equal(t_put(fs, "TWO", "FILE", CMSFS_WRITE, 'F', 40, 2, 0, 500), CMSFS_OK);
    struct cmsfs_name one = t_name("ONE", "FILE"), two = t_name("TWO", "FILE");
    assert_int_equal(cmsfs_state(fs, &one, &s1), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &two, &s2), CMSFS_OK);
    assert_true(s2.mtime.us > s1.mtime.us); /* the clock ticks per call */
    assert_int_equal(s1.mtime.utc_offset_s, 3600);
    char *before = t_digest(fs);
    assert_non_null(before);
    assert_int_equal(cmsfs_unmount(fs), CMSFS_OK);
    fs = t_mount(&m, 0);
    char *after = t_digest(fs);
    assert_non_null(after);
    assert_string_equal(before, after);
    struct cmsfs_stat s3;
    assert_int_equal(cmsfs_state(fs, &two, &s3), CMSFS_OK);
    assert_int_equal(s3.mtime.us, s2.mtime.us);
    free(before);
    free(after);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_format_mount),
        cmocka_unit_test(test_fixed_records),
        cmocka_unit_test(test_variable_records),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_point),
        cmocka_unit_test(test_erase_rename),
        cmocka_unit_test(test_listfile),
        cmocka_unit_test(test_open_rules),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_dates_and_persistence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
