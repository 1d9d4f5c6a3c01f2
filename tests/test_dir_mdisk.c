// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_mdisk.c - minidisk image files: created sparse with the
 * directory's size, existing files kept (and only grown), removed with
 * their user or minidisk only when asked, and every change undone when
 * the transaction that made it fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/dir_int.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static void
img_path(const struct tdir *t, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/disks/%s", t->path, name);
}

/* Size of an image, or -1 when it does not exist. */
static long long
img_size(const struct tdir *t, const char *name)
{
    char path[700];
    struct stat st;
    img_path(t, name, path, sizeof path);
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void
img_write(const struct tdir *t, const char *name, const char *data, off_t size)
{
    char path[700];
    img_path(t, name, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static int
img_starts_with(const struct tdir *t, const char *name, const char *data)
{
    char path[700], buf[64] = "";
    img_path(t, name, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    size_t n = fread(buf, 1, strlen(data), f);
    fclose(f);
    return n == strlen(data) && memcmp(buf, data, n) == 0;
}

static void
test_created_sparse(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "USER A NOLOG\n MDISK 191 10M\n MDISK 192 3\n");
    char path[700];
    struct stat st;
    img_path(t, "A.191.img", path, sizeof path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 10 << 20);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true((long long)st.st_blocks * 512 < (long long)st.st_size); /* sparse */
    assert_int_equal(img_size(t, "A.192.img"), 3 * 4096);
    struct dir_mdisk m;
    char abs[700];
    assert_int_equal(dir_mdisk_get(t->d, "A", 0x191, &m), 0);
    assert_int_equal(dir_mdisk_path(t->d, &m, abs, sizeof abs), 0);
    assert_string_equal(abs, path);
}

static void
test_existing_images_kept_or_grown(void **state)
{
    struct tdir *t = *state;
    img_write(t, "MAINT.190.img", "prebuilt S-disk", 20 << 20);
    img_write(t, "MAINT.19E.img", "small Y-disk", 1 << 20);
    tdir_import_ok(t->d, "USER MAINT NOLOG\n MDISK 190 8M\n MDISK 19E 2M\n");
    assert_int_equal(img_size(t, "MAINT.190.img"), 20 << 20);
    assert_true(img_starts_with(t, "MAINT.190.img", "prebuilt S-disk"));
    assert_int_equal(img_size(t, "MAINT.19E.img"), 2 << 20);
    assert_true(img_starts_with(t, "MAINT.19E.img", "small Y-disk"));

    /* Grow through the API. */
    struct dir_entry e;
    assert_int_equal(dir_entry_get(t->d, "MAINT", &e), 0);
    e.password[0] = '\0';
    e.mdisks[1].blocks = 1024; /* 4M */
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_UPDATE), 0);
    dir_entry_free(&e);
    assert_int_equal(img_size(t, "MAINT.19E.img"), 4 << 20);
    assert_true(img_starts_with(t, "MAINT.19E.img", "small Y-disk"));
}

static void
test_removal_only_when_asked(void **state)
{
    struct tdir *t = *state;
    tdir_import_ok(t->d, "USER A NOLOG\n MDISK 191 1M\n MDISK 192 1M\nUSER B NOLOG\n MDISK 191 1M\n");
    struct dir_entry e;
    assert_int_equal(dir_entry_get(t->d, "A", &e), 0);
    e.password[0] = '\0';
    e.n_mdisks = 1; /* drop 192, keep its image */
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_UPDATE), 0);
    assert_true(img_size(t, "A.192.img") > 0);
    e.n_mdisks = 0; /* drop 191 and its image */
    assert_int_equal(dir_entry_put(t->d, &e, DIR_PUT_UPDATE | DIR_PUT_REMOVE_IMAGES), 0);
    assert_int_equal(img_size(t, "A.191.img"), -1);
    dir_entry_free(&e);

    assert_int_equal(dir_user_delete(t->d, "A", 0), 0);
    assert_true(img_size(t, "A.192.img") > 0);
    assert_int_equal(dir_user_delete(t->d, "B", DIR_DELETE_IMAGES), 0);
    assert_int_equal(img_size(t, "B.191.img"), -1);
}

static void
test_failure_undoes_images(void **state)
{
    struct tdir *t = *state;
    img_write(t, "A.191.img", "keep me", 1 << 20);
    /* B's image cannot be made: a folder sits where the file would go. */
    char path[700];
    img_path(t, "B.191.img", path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    struct terrs e;
    int rc = tdir_import(t->d, "USER A NOLOG\n MDISK 191 2M\n MDISK 192 1M\nUSER B NOLOG\n MDISK 191 1M\n", 0, &e);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(dir_errmsg(t->d), "B.191.img"));
    /* Nothing in the directory, A.192 gone again, A.191 back to its size. */
    struct dir_user *u;
    size_t n;
    assert_int_equal(dir_user_list(t->d, &u, &n), 0);
    assert_int_equal(n, 0);
    free(u);
    assert_int_equal(img_size(t, "A.192.img"), -1);
    assert_int_equal(img_size(t, "A.191.img"), 1 << 20);
    assert_true(img_starts_with(t, "A.191.img", "keep me"));
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_created_sparse),
        T(test_existing_images_kept_or_grown),
        T(test_removal_only_when_asked),
        T(test_failure_undoes_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
