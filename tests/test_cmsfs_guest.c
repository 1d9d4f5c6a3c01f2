// SPDX-License-Identifier: MIT
/*
 * tests/test_cmsfs_guest.c - a guest program (RISC-V, built with the cross
 * compiler and picolibc) that runs the CMS file system library as CMS
 * links it, cms/libcmsfs-guest.a, on a disk in guest storage: FORMAT,
 * files of both formats, POINT, APPEND, RENAME, ERASE, LISTFILE, a remount
 * and the consistency check.  Run by tests/disk_guest.sh under `vmrv run`.
 * CMS's real device (DIAG 0x250) is CMS's own; this one is an array.
 */
#include <stdlib.h>
#include <string.h>

#include "cms/fs/cmsfs.h"
#include "rt.h"

#define BLOCKS 96

static uint8_t *disk;

static int
ram_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    (void)ctx;
    if (block + count > BLOCKS) {
        return CMSFS_E_IO;
    }
    memcpy(buf, disk + block * CMSFS_BLOCK_SIZE, (size_t)count * CMSFS_BLOCK_SIZE);
    return CMSFS_OK;
}

static int
ram_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
    (void)ctx;
    if (block + count > BLOCKS) {
        return CMSFS_E_IO;
    }
    memcpy(disk + block * CMSFS_BLOCK_SIZE, buf, (size_t)count * CMSFS_BLOCK_SIZE);
    return CMSFS_OK;
}

static struct cmsfs_dev dev = {CMSFS_BLOCK_SIZE, BLOCKS, false, NULL, ram_read, ram_write, NULL};
static const struct cmsfs_opts opts = {0, 8, NULL, NULL};

static void
put(struct cmsfs *fs, const char *id, char recfm, uint32_t lrecl, int n, int len)
{
    struct cmsfs_name name;
    struct cmsfs_create cr = {recfm, lrecl, 1};
    struct cmsfs_file *f;
    char rec[300];
    CHECK_EQ(cmsfs_fileid_parse(id, &name, NULL, &cr.fmnum, 1), CMSFS_OK);
    CHECK_EQ(cmsfs_open(fs, &name, CMSFS_WRITE, &cr, &f), CMSFS_OK);
    for (int i = 0; i < n; i++) {
        int l = len > 0 ? len : i % 250;
        memset(rec, 'a' + i % 26, sizeof rec);
        CHECK_EQ(cmsfs_write(f, rec, (size_t)l), CMSFS_OK);
    }
    CHECK_EQ(cmsfs_close(f), CMSFS_OK);
}

int
main(const struct vmrv_iplblock *ipl)
{
    struct cmsfs *fs;
    struct cmsfs_name a, b;
    struct cmsfs_file *f;
    struct cmsfs_stat st;
    struct cmsfs_stats ds;
    struct cmsfs_check_report rep;
    char buf[300];
    size_t len;
    (void)ipl;
    disk = calloc(BLOCKS, CMSFS_BLOCK_SIZE);
    CHECK(disk != NULL);
    CHECK_EQ(cmsfs_format(&dev, "GUEST", &opts), CMSFS_OK);
    CHECK_EQ(cmsfs_mount(&dev, &opts, &fs), CMSFS_OK);
    put(fs, "PROFILE EXEC A1", 'V', 0, 300, 0);
    put(fs, "CARDS DATA A2", 'F', 80, 100, 10);
    cmsfs_name_set(&a, "PROFILE", "EXEC");
    CHECK_EQ(cmsfs_open(fs, &a, CMSFS_READ, NULL, &f), CMSFS_OK);
    CHECK_EQ(cmsfs_point(f, 250), CMSFS_OK);
    CHECK_EQ(cmsfs_read(f, buf, sizeof buf, &len), CMSFS_OK);
    CHECK_EQ(len, 249);
    CHECK_EQ(buf[0], 'a' + 249 % 26);
    CHECK_EQ(cmsfs_close(f), CMSFS_OK);
    cmsfs_name_set(&b, "CARDS", "DATA");
    CHECK_EQ(cmsfs_open(fs, &b, CMSFS_APPEND, NULL, &f), CMSFS_OK);
    CHECK_EQ(cmsfs_write(f, "more", 4), CMSFS_OK);
    CHECK_EQ(cmsfs_close(f), CMSFS_OK);
    CHECK_EQ(cmsfs_state(fs, &b, &st), CMSFS_OK);
    CHECK_EQ(st.records, 101);
    CHECK_EQ(st.lrecl, 80);
    CHECK_EQ(st.fmnum, 2);
    struct cmsfs_name c;
    cmsfs_name_set(&c, "NEW", "NAME");
    CHECK_EQ(cmsfs_rename(fs, &b, &c, -1), CMSFS_OK);
    CHECK_EQ(cmsfs_state(fs, &b, NULL), CMSFS_E_NOTFOUND);
    CHECK_EQ(cmsfs_err_rc(CMSFS_E_NOTFOUND), 28);
    struct cmsfs_iter *it;
    int n = 0;
    CHECK_EQ(cmsfs_iter_open(fs, "*", "*", -1, &it), CMSFS_OK);
    while (cmsfs_iter_next(it, &st) == CMSFS_OK) {
        n++;
    }
    cmsfs_iter_close(it);
    CHECK_EQ(n, 2);
    CHECK_EQ(cmsfs_check(fs, &rep), CMSFS_OK);
    CHECK_EQ(cmsfs_unmount(fs), CMSFS_OK);
    CHECK_EQ(cmsfs_mount(&dev, &opts, &fs), CMSFS_OK);
    CHECK_EQ(cmsfs_erase(fs, &a), CMSFS_OK);
    cmsfs_stats(fs, &ds);
    CHECK_EQ(ds.files, 1);
    CHECK_EQ(cmsfs_check(fs, &rep), CMSFS_OK);
    if (rep.message[0]) {
        printf("check: %s\n", rep.message);
    }
    CHECK_EQ(cmsfs_unmount(fs), CMSFS_OK);
    printf("cmsfs in the guest: %s\n", rt_failures ? "FAILED" : "ok");
    return rt_failures;
}
