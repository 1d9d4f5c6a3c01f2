// SPDX-License-Identifier: MIT
/*
 * tests/test_cmsfs_scale.c - the CMS file system at size: 10,000 files
 * (lookups, LISTFILE, the cost of a close in block writes), a full disk
 * (clear errors, the old file intact, ERASE still works, space comes back),
 * and a file larger than 252 MiB (map depth 3) on a sparse storage disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/test_cmsfs_util.h"

#define NFILES 10000

static const char *types[] = {"EXEC", "DATA", "MODULE", "TEXT"};

static void
file_name(unsigned i, char *fn, const char **ft)
{
    snprintf(fn, 9, "F%05u", i);
    *ft = types[i % 4];
}

static void
test_ten_thousand_files(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 16384);
    char fn[9];
    const char *ft;
    (void)state;
    long worst = 0;
    /* In a scattered order, so nodes split in the middle too. */
    for (unsigned k = 0; k < NFILES; k++) {
        unsigned i = (k * 7919u) % NFILES;
        file_name(i, fn, &ft);
        long before = m.writes;
        assert_int_equal(t_put(fs, fn, ft, CMSFS_WRITE, 'V', 60, i, 0, 1 + i % 3), CMSFS_OK);
        long cost = m.writes - before;
        worst = cost > worst ? cost : worst;
    }
    /* A close writes its data block, the directory path (height 2, maybe
     * split), the bitmap chunk and the superblock: never O(files). */
    assert_true(worst <= 10);
    struct cmsfs_stats ds;
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, NFILES);

    /* Lookups read a handful of blocks at most. */
    long reads = m.reads;
    for (unsigned i = 0; i < NFILES; i++) {
        struct cmsfs_stat st;
        file_name(i, fn, &ft);
        struct cmsfs_name n = t_name(fn, ft);
        assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
        assert_int_equal(st.records, 1 + i % 3);
    }
    assert_true(m.reads - reads < 3 * NFILES);

    /* LISTFILE: all of them in order, and by pattern. */
    struct cmsfs_iter *it;
    struct cmsfs_stat st;
    char prev[17] = "";
    unsigned count = 0;
    assert_int_equal(cmsfs_iter_open(fs, NULL, NULL, -1, &it), CMSFS_OK);
    while (cmsfs_iter_next(it, &st) == CMSFS_OK) {
        assert_true(memcmp(&st.name, prev, 16) > 0);
        memcpy(prev, &st.name, 16);
        count++;
    }
    cmsfs_iter_close(it);
    assert_int_equal(count, NFILES);
    count = 0;
    reads = m.reads;
    assert_int_equal(cmsfs_iter_open(fs, "F0999*", "*", -1, &it), CMSFS_OK);
    while (cmsfs_iter_next(it, &st) == CMSFS_OK) {
        assert_memory_equal(st.name.fn, "F0999", 5);
        count++;
    }
    cmsfs_iter_close(it);
    assert_int_equal(count, 10);
    assert_true(m.reads - reads < 10); /* starts at the prefix, stops after it */
    count = 0;
    assert_int_equal(cmsfs_iter_open(fs, "*", "MODULE", -1, &it), CMSFS_OK);
    while (cmsfs_iter_next(it, &st) == CMSFS_OK) {
        count++;
    }
    cmsfs_iter_close(it);
    assert_int_equal(count, NFILES / 4);

    /* Erase every other one. */
    for (unsigned i = 0; i < NFILES; i += 2) {
        file_name(i, fn, &ft);
        struct cmsfs_name n = t_name(fn, ft);
        assert_int_equal(cmsfs_erase(fs, &n), CMSFS_OK);
    }
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, NFILES / 2);
    t_check(fs);
    char *before = t_digest(fs);
    assert_non_null(before);
    cmsfs_unmount(fs);
    fs = t_mount(&m, CMSFS_MOUNT_RDONLY);
    char *after = t_digest(fs);
    assert_non_null(after);
    assert_string_equal(before, after);
    file_name(4321, fn, &ft);
    t_expect(fs, fn, ft, 'V', 60, 4321, 1 + 4321 % 3);
    free(before);
    free(after);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

static void
test_full_disk(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 96);
    struct cmsfs_create cr = {'V', 0, 1};
    struct cmsfs_file *f;
    struct cmsfs_stats ds;
    uint8_t rec[4000];
    (void)state;
    memset(rec, 'r', sizeof rec);
    assert_int_equal(t_put(fs, "KEEP", "DATA", CMSFS_WRITE, 'V', 4000, 1, 0, 20), CMSFS_OK);
    /* Replacing it with more than fits: a clear error at a write, then at
     * close, and the old file as it was. */
    struct cmsfs_name keep = t_name("KEEP", "DATA");
    assert_int_equal(cmsfs_open(fs, &keep, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    int rc = CMSFS_OK;
    int n = 0;
    while ((rc = cmsfs_write(f, rec, sizeof rec)) == CMSFS_OK) {
        n++;
        assert_true(n < 1000);
    }
    assert_int_equal(rc, CMSFS_E_FULL);
    assert_int_equal(cmsfs_write(f, rec, 10), CMSFS_E_FULL); /* the handle stays failed */
    assert_int_equal(cmsfs_close(f), CMSFS_E_FULL);
    t_expect(fs, "KEEP", "DATA", 'V', 4000, 1, 20);
    t_check(fs);
    /* Appending that does not fit leaves the file as it was too. */
    assert_int_equal(t_put(fs, "KEEP", "DATA", CMSFS_APPEND, 'V', 4000, 1, 20, 500), CMSFS_E_FULL);
    t_expect(fs, "KEEP", "DATA", 'V', 4000, 1, 20);
    t_check(fs);

    /* Fill the disk with small files. */
    int files = 0;
    for (;; files++) {
        char fn[9];
        snprintf(fn, sizeof fn, "FILL%d", files % 10000);
        rc = t_put(fs, fn, "DATA", CMSFS_WRITE, 'V', 100, 2, 0, 3);
        if (rc != CMSFS_OK) {
            break;
        }
    }
    assert_int_equal(rc, CMSFS_E_FULL);
    assert_true(files > 5);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.files, files + 1);
    t_check(fs);
    /* ERASE works on the full disk, and its space can be used at once. */
    assert_int_equal(cmsfs_erase(fs, &keep), CMSFS_OK);
    assert_int_equal(t_put(fs, "AFTER", "DATA", CMSFS_WRITE, 'V', 4000, 3, 0, 15), CMSFS_OK);
    t_expect(fs, "AFTER", "DATA", 'V', 4000, 3, 15);
    for (int i = 0; i < files; i++) {
        char fn[9];
        snprintf(fn, sizeof fn, "FILL%d", i % 10000);
        struct cmsfs_name nm = t_name(fn, "DATA");
        assert_int_equal(cmsfs_erase(fs, &nm), CMSFS_OK);
    }
    t_check(fs);
    cmsfs_unmount(fs);
    fs = t_mount(&m, 0);
    t_expect(fs, "AFTER", "DATA", 'V', 4000, 3, 15);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

/* More than 254 * 254 data blocks: three map levels.  Records of zeros, so
 * the sparse storage disk stays small. */
static void
test_huge_file(void **state)
{
    struct memdev m;
    struct cmsfs *fs = t_format_mount(&m, 66000);
    struct cmsfs_create cr = {'F', 65535, 1};
    struct cmsfs_file *f;
    struct cmsfs_stat st;
    struct cmsfs_stats ds;
    static uint8_t rec[65535], buf[65535];
    const uint32_t nrec = 4040; /* 264,761,400 bytes: 64,639 blocks */
    size_t len;
    (void)state;
    cmsfs_stats(fs, &ds);
    uint64_t empty = ds.blocks_used;
    struct cmsfs_name n = t_name("HUGE", "FILE");
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    for (uint32_t i = 0; i < nrec; i++) {
        assert_int_equal(cmsfs_write(f, rec, sizeof rec), CMSFS_OK);
    }
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    /* One marked record at the end, by append. */
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "the end", 7), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_state(fs, &n, &st), CMSFS_OK);
    assert_int_equal(st.records, nrec + 1);
    assert_int_equal(st.bytes, (uint64_t)(nrec + 1) * 65535);
    assert_true(st.blocks > 254 * 254);
    /* Replace a record in the middle, then read both back by POINT. */
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, 2021), CMSFS_OK);
    assert_int_equal(cmsfs_write(f, "middle", 6), CMSFS_OK);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    assert_int_equal(cmsfs_open(fs, &n, CMSFS_READ, NULL, &f), CMSFS_OK);
    assert_int_equal(cmsfs_point(f, nrec + 1), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_memory_equal(buf, "the end ", 8);
    assert_int_equal(cmsfs_point(f, 2021), CMSFS_OK);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_memory_equal(buf, "middle  ", 8);
    assert_int_equal(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    assert_memory_equal(buf, rec, sizeof rec);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
    t_check(fs);
    assert_int_equal(cmsfs_erase(fs, &n), CMSFS_OK);
    cmsfs_stats(fs, &ds);
    assert_int_equal(ds.blocks_used, empty);
    t_check(fs);
    cmsfs_unmount(fs);
    memdev_free(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_files),
        cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_huge_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
