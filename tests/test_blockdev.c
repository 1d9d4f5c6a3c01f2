// SPDX-License-Identifier: MIT
/*
 * tests/test_blockdev.c - minidisk image files (cp/blockdev.c): geometry,
 * read and write round trips, the acknowledged promise (data visible to
 * another reader of the file once a write returned), flush, read-only
 * images, blocks beyond the end, refused files, shared references and
 * injected I/O errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/blockdev.h"
#include "tests/test_vm_fake.h"
#include "vmrv/diag.h"

#define BS DIAG_BLOCK_SIZE

struct fixture {
    char *dir;
    char *path; /* 16 blocks + 100 bytes */
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    assert_non_null(f->dir);
    f->path = test_image(f->dir, "disk.img", 16 * BS + 100, 0xA0);
    assert_non_null(f->path);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    test_rmdir(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static void
test_geometry_and_read(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), 0);
    assert_int_equal(blockdev_blocks(bd), 16); /* the partial tail is not a block */
    assert_false(blockdev_readonly(bd));
    assert_string_equal(blockdev_path(bd), f->path);
    unsigned char buf[3 * BS];
    assert_int_equal(blockdev_read(bd, 5, buf, 3), 0);
    for (unsigned b = 0; b < 3; b++) {
        assert_int_equal(buf[b * BS], 0xA0 ^ (5 + b));
        assert_int_equal(buf[b * BS + BS - 1], 0xA0 ^ (5 + b));
    }
    blockdev_unref(bd);
}

static void
test_write_acknowledged(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), 0);
    unsigned char buf[2 * BS], back[2 * BS];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (unsigned char)(i * 7);
    }
    assert_int_equal(blockdev_write(bd, 14, buf, 2), 0);
    /* Acknowledged: another descriptor on the file sees the bytes now. */
    int fd = open(f->path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, back, sizeof back, 14 * BS), (ssize_t)sizeof back);
    assert_memory_equal(buf, back, sizeof buf);
    /* Neighbours and the partial tail are untouched. */
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, 13 * BS + BS - 1), 1);
    assert_int_equal(c, 0xA0 ^ 13);
    assert_int_equal(pread(fd, &c, 1, 16 * BS), 1);
    assert_int_equal(c, 0xA0 ^ 16);
    close(fd);
    assert_int_equal(blockdev_flush(bd), 0);
    memset(back, 0, sizeof back);
    assert_int_equal(blockdev_read(bd, 14, back, 2), 0);
    assert_memory_equal(buf, back, sizeof buf);
    blockdev_unref(bd);
}

static void
test_range(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), 0);
    unsigned char buf[2 * BS];
    memset(buf, 0x11, sizeof buf);
    assert_int_equal(blockdev_read(bd, 16, buf, 1), -ERANGE);
    assert_int_equal(blockdev_read(bd, 15, buf, 2), -ERANGE);
    assert_int_equal(blockdev_write(bd, 15, buf, 2), -ERANGE);
    assert_int_equal(blockdev_write(bd, UINT64_MAX, buf, 1), -ERANGE);
    assert_int_equal(blockdev_read(bd, UINT64_MAX - 1, buf, 2), -ERANGE);
    assert_int_equal(blockdev_read(bd, 0, buf, 0), -ERANGE);
    /* Nothing was written by the refused write. */
    assert_int_equal(blockdev_read(bd, 15, buf, 1), 0);
    assert_int_equal(buf[0], 0xA0 ^ 15);
    blockdev_unref(bd);
}

static void
test_readonly(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, true, &bd, err, sizeof err), 0);
    assert_true(blockdev_readonly(bd));
    unsigned char buf[BS];
    memset(buf, 0x33, sizeof buf);
    assert_int_equal(blockdev_write(bd, 0, buf, 1), -EROFS);
    assert_int_equal(blockdev_flush(bd), 0);
    assert_int_equal(blockdev_read(bd, 0, buf, 1), 0);
    assert_int_equal(buf[0], 0xA0);
    blockdev_unref(bd);

    /* A file without write permission opens read-only only. */
    assert_int_equal(chmod(f->path, 0444), 0);
    if (geteuid() != 0) {
        assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), -EACCES);
        assert_non_null(strstr(err, "disk.img"));
    }
    assert_int_equal(blockdev_open(f->path, true, &bd, err, sizeof err), 0);
    blockdev_unref(bd);
}

static void
test_refused_files(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = (struct blockdev *)1;
    char err[256] = "";
    char path[512];
    snprintf(path, sizeof path, "%s/nothing.img", f->dir);
    assert_int_equal(blockdev_open(path, false, &bd, err, sizeof err), -ENOENT);
    assert_null(bd);
    assert_non_null(strstr(err, "nothing.img"));
    assert_int_equal(blockdev_open(f->dir, true, &bd, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "regular file"));

    /* An empty image has no blocks: every transfer is out of range. */
    char *empty = test_image(f->dir, "empty.img", 0, 0);
    assert_int_equal(blockdev_open(empty, false, &bd, err, sizeof err), 0);
    assert_int_equal(blockdev_blocks(bd), 0);
    unsigned char buf[BS];
    assert_int_equal(blockdev_read(bd, 0, buf, 1), -ERANGE);
    blockdev_unref(bd);
    free(empty);
}

static void
test_shared_refs(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), 0);
    struct blockdev *again = blockdev_ref(bd);
    assert_ptr_equal(again, bd);
    blockdev_unref(bd);
    unsigned char buf[BS];
    assert_int_equal(blockdev_read(again, 1, buf, 1), 0); /* still open */
    blockdev_unref(again);
}

static void
test_faults(void **state)
{
    struct fixture *f = *state;
    struct blockdev *bd = NULL;
    char err[256];
    assert_int_equal(blockdev_open(f->path, false, &bd, err, sizeof err), 0);
    unsigned char buf[BS];
    memset(buf, 0x44, sizeof buf);
    blockdev_inject_fault(bd, EIO, 1);
    assert_int_equal(blockdev_read(bd, 0, buf, 1), 0); /* one more succeeds */
    assert_int_equal(blockdev_write(bd, 2, buf, 1), -EIO);
    assert_int_equal(blockdev_flush(bd), -EIO);
    blockdev_inject_fault(bd, ENOSPC, 0);
    assert_int_equal(blockdev_write(bd, 2, buf, 1), -ENOSPC);
    blockdev_inject_fault(bd, 0, 0);
    assert_int_equal(blockdev_read(bd, 2, buf, 1), 0);
    assert_int_equal(buf[0], 0xA0 ^ 2); /* the failed writes wrote nothing */
    assert_int_equal(blockdev_flush(bd), 0);
    blockdev_unref(bd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_geometry_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
