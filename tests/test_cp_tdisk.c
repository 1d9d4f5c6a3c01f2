// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_tdisk.c - DEFINE TDISK on the real layers (the sqlite
 * directory, the VM layer, the standard services): the disk and its size,
 * QUERY VIRTUAL, DETACH, logoff and FORCE, takeover and DEFINE STORAGE
 * keeping it, address conflicts, bad operands, the tdisk_max and
 * tdisk_total limits, a host disk too small, LINK refused, the images
 * never visible by name, and the sweep of crash leftovers at start.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/system.h"
#include "cp/system_std.h"
#include "cp/tdisk.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_sys.h"
#include "tests/test_cp_term.h"

/* MAINT (class ABCDEFG) with MDISK 191; ALICE and BOB, class G. */
static void
make_directory(struct dir *d)
{
    struct dir_mdisk md = {"MAINT", 0x191, 256, DIR_MODE_W, "ALL", "", "", ""};
    cpsys_add_user(d, "MAINT", "ABCDEFG", "", &md, 1, NULL, 0);
    cpsys_add_user(d, "ALICE", "G", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "BOB", "G", "", NULL, 0, NULL, 0);
}

static int
setup(void **state)
{
    *state = cpsys_start(make_directory, NULL, 0);
    return 0;
}

static int
teardown(void **state)
{
    cpsys_stop(*state);
    return 0;
}

/* cmd as userid succeeds and its output holds want. */
static void
expect_has(struct cp_system *sys, const char *userid, const char *cmd, const char *want)
{
    char *out = expect_rc(sys, userid, cmd, 0);
    if (!strstr(out, want)) {
        fail_msg("%s: '%s' gave:\n%s\nexpected to hold: %s", userid, cmd, out, want);
    }
    free(out);
}

static void
expect_lacks(struct cp_system *sys, const char *userid, const char *cmd, const char *bad)
{
    char *out = expect_rc(sys, userid, cmd, 0);
    if (strstr(out, bad)) {
        fail_msg("%s: '%s' gave:\n%s\nwhich should not hold: %s", userid, cmd, out, bad);
    }
    free(out);
}

/* Names in DATA/tdisk (the images are unlinked once open: none expected). */
static int
names_in_tdisk_dir(const struct cpsys *e)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", e->data, TDISK_DIR);
    DIR *d = opendir(dir);
    if (!d) {
        return 0;
    }
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        n += de->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* Open descriptors of this process on T-disk images (deleted or not). */
static int
open_images(const struct cpsys *e)
{
    char pfx[PATH_MAX], fd[300], target[PATH_MAX];
    snprintf(pfx, sizeof pfx, "%s/%s/", e->data, TDISK_DIR);
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        snprintf(fd, sizeof fd, "/proc/self/fd/%s", de->d_name);
        ssize_t len = readlink(fd, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strncmp(target, pfx, strlen(pfx)) == 0;
        }
    }
    closedir(d);
    return n;
}

static uint64_t
used(struct cpsys *e)
{
    return cp_std_tdisk_used(&e->svc);
}

/* ---- define, query, detach, logoff
 * --------------------------------------------------------- */

static void
test_define_and_detach(void **state)
{
    struct cpsys *e = *state;
    struct cp_system *sys = e->sys;
    struct fterm *a = cpsys_logon(e, "ALICE");
    expect_has(sys, "ALICE", "DEFINE TDISK 192 1M", "VMR154I TDSK 0192 DEFINED, 256 blocks (1M)");
    assert_int_equal(used(e), 1 << 20);
    assert_int_equal(names_in_tdisk_dir(e), 0); /* nobody can open it by name */
    assert_int_equal(open_images(e), 1);
    expect_has(sys, "ALICE", "QUERY VIRTUAL", "DASD 192      256 BLK R/W  TEMP DISK");
    /* other spellings: VM's T3390 counts cylinders, BLK and CYL words */
    expect_has(sys, "ALICE", "DEFINE T3390 AS 193 2", "TDSK 0193 DEFINED, 360 blocks");
    expect_has(sys, "ALICE", "DEF TDISK 194 CYL 1", "TDSK 0194 DEFINED, 180 blocks");
    expect_has(sys, "ALICE", "define tdisk 195 100 blk", "TDSK 0195 DEFINED, 100 blocks");
    expect_has(sys, "ALICE", "DEFINE TEMPDASD 196 64", "TDSK 0196 DEFINED, 64 blocks");
    assert_int_equal(used(e), (256 + 360 + 180 + 100 + 64) * 4096ull);
    assert_int_equal(open_images(e), 5);
    /* DETACH: its space and image go */
    expect_has(sys, "ALICE", "DETACH 192", "VMR144I 192 detached");
    expect_lacks(sys, "ALICE", "QUERY VIRTUAL", "DASD 192");
    assert_int_equal(used(e), (360 + 180 + 100 + 64) * 4096ull);
    assert_int_equal(open_images(e), 4);
    /* the address is free again */
    expect_has(sys, "ALICE", "DEFINE TDISK 192 2M", "TDSK 0192 DEFINED, 512 blocks (2M)");
    /* LOGOFF: all of them go */
    fterm_type(a, "#cp logoff");
    assert_true(wait_users(sys, 0, 3000));
    assert_int_equal(used(e), 0);
    assert_int_equal(open_images(e), 0);
    fterm_bye(a);
    /* logged on again: gone */
    a = cpsys_logon(e, "ALICE");
    expect_lacks(sys, "ALICE", "QUERY VIRTUAL", "DASD");
    fterm_type(a, "#cp logoff");
    assert_true(wait_users(sys, 0, 3000));
    fterm_bye(a);
}

/* From the console the image is made on an I/O worker; the answer follows. */
static void
test_define_from_console(void **state)
{
    struct cpsys *e = *state;
    struct fterm *a = cpsys_logon(e, "ALICE");
    fterm_type(a, "#cp define tdisk 1a0 512k");
    assert_true(fterm_wait(a, "VMR154I TDSK 01A0 DEFINED, 128 blocks (512K)", 3000));
    fterm_type(a, "#cp define tdisk 1a0 512k");
    assert_true(fterm_wait(a, "VMR141E", 3000));
    assert_int_equal(used(e), 512 << 10);
    /* FORCE by the operator: gone too */
    free(expect_rc(e->sys, "MAINT", "FORCE ALICE", 0));
    assert_true(wait_users(e->sys, 0, 3000));
    assert_int_equal(used(e), 0);
    assert_int_equal(open_images(e), 0);
    fterm_bye(a);
}

/* The disk holds what is written to it, starts zeroed, and survives a
 * takeover and DEFINE STORAGE. */
static void
test_kept_by_takeover_and_storage(void **state)
{
    struct cpsys *e = *state;
    struct cp_system *sys = e->sys;
    struct fterm *a = cpsys_logon(e, "ALICE");
    expect_has(sys, "ALICE", "DEFINE TDISK 192 1M", "DEFINED");
    struct fterm *a2 = cpsys_logon(e, "ALICE"); /* takeover */
    expect_has(sys, "ALICE", "QUERY VIRTUAL", "DASD 192      256 BLK R/W  TEMP DISK");
    expect_has(sys, "ALICE", "DEFINE STORAGE 16M", "STORAGE = 16M");
    expect_has(sys, "ALICE", "QUERY VIRTUAL", "DASD 192      256 BLK R/W  TEMP DISK");
    assert_int_equal(used(e), 1 << 20);
    assert_int_equal(open_images(e), 1);
    /* DEFINE STORAGE brings the directory's disks back: a T-disk at the
     * address of one the user had detached gives way, and its space goes */
    struct fterm *m = cpsys_logon(e, "MAINT");
    expect_has(sys, "MAINT", "DETACH 191", "detached");
    expect_has(sys, "MAINT", "DEFINE TDISK 191 1M", "DEFINED");
    assert_int_equal(used(e), 2 << 20);
    expect_has(sys, "MAINT", "DEFINE STORAGE 16M", "STORAGE = 16M");
    expect_has(sys, "MAINT", "QUERY VIRTUAL", "DASD 191      256 BLK R/W  MAINT 191");
    assert_int_equal(used(e), 1 << 20);
    assert_int_equal(open_images(e), 1);
    fterm_type(m, "#cp logoff");
    fterm_type(a2, "#cp logoff");
    assert_true(wait_users(sys, 0, 3000));
    assert_int_equal(used(e), 0);
    assert_int_equal(open_images(e), 0);
    fterm_bye(a);
    fterm_bye(a2);
    fterm_bye(m);
}

/* The image itself: zeroed, sparse, R/W, gone when the last reference goes. */
static void
test_image(void **state)
{
    struct cpsys *e = *state;
    struct blockdev *bd = NULL;
    char err[256] = "";
    assert_int_equal(tdisk_create(e->data, "ALICE", 0x192, 300, &bd, err, sizeof err), 0);
    assert_int_equal(blockdev_blocks(bd), 300);
    assert_false(blockdev_readonly(bd));
    assert_int_equal(names_in_tdisk_dir(e), 0);
    char dir[PATH_MAX];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/%s", e->data, TDISK_DIR);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    static char blk[4096], back[4096];
    assert_int_equal(blockdev_read(bd, 299, back, 1), 0);
    for (size_t i = 0; i < sizeof back; i++) {
        assert_int_equal(back[i], 0);
    }
    memset(blk, 0x5A, sizeof blk);
    assert_int_equal(blockdev_write(bd, 7, blk, 1), 0);
    assert_int_equal(blockdev_read(bd, 7, back, 1), 0);
    assert_memory_equal(blk, back, sizeof blk);
    assert_int_equal(blockdev_read(bd, 300, back, 1), -ERANGE);
    assert_int_equal(open_images(e), 1);
    blockdev_unref(bd);
    assert_int_equal(open_images(e), 0);
}

/* ---- refusals
 * -------------------------------------------------------------------------------
 */

static void
test_errors(void **state)
{
    struct cpsys *e = *state;
    struct cp_system *sys = e->sys;
    struct fterm *a = cpsys_logon(e, "ALICE");
    struct fterm *m = cpsys_logon(e, "MAINT");
    expect_id(sys, "ALICE", "DEFINE TDISK", MSG_MISSING);
    expect_id(sys, "ALICE", "DEFINE TDISK 192", MSG_MISSING);
    expect_id(sys, "ALICE", "DEFINE TDISK XYZ 1M", MSG_INVDEV);
    expect_id(sys, "ALICE", "DEFINE TDISK 1000 1M", MSG_INVDEV);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 lots", MSG_TDISKSIZE);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 6K", MSG_TDISKSIZE);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 8", MSG_TDISKSIZE); /* below 64K */
    expect_id(sys, "ALICE", "DEFINE TDISK 192 CYL x", MSG_TDISKSIZE);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 CYL", MSG_MISSING);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 1M MORE", MSG_EXTRA);
    expect_id(sys, "ALICE", "DEFINE TDISK 192 512M", MSG_TDISKMAX); /* default limit 256M */
    expect_id(sys, "ALICE", "DEFINE TAPE 181", MSG_NOTAVAIL);
    /* addresses in use: a directory disk, the console, a T-disk */
    expect_id(sys, "MAINT", "DEFINE TDISK 191 1M", MSG_DEVEXISTS);
    expect_id(sys, "ALICE", "DEFINE TDISK 009 1M", MSG_DEVEXISTS);
    expect_has(sys, "ALICE", "DEFINE TDISK 192 1M", "DEFINED");
    expect_id(sys, "ALICE", "DEFINE TDISK 192 1M", MSG_DEVEXISTS);
    assert_int_equal(used(e), 1 << 20);
    /* nobody links it, not even its owner by LINK; QUERY LINKS copes */
    expect_id(sys, "MAINT", "LINK ALICE 192 292 RR", MSG_LINKFAIL);
    expect_id(sys, "ALICE", "LINK * 192 293 RR", MSG_LINKFAIL);
    expect_id(sys, "ALICE", "QUERY LINKS 192", MSG_NOTDASD);
    expect_has(sys, "ALICE", "QUERY LINKS", "No minidisk of ALICE is linked");
    assert_int_equal(names_in_tdisk_dir(e), 0);
    fterm_type(a, "#cp logoff");
    fterm_type(m, "#cp logoff");
    assert_true(wait_users(sys, 0, 3000));
    fterm_bye(a);
    fterm_bye(m);
}

static void
test_limits(void **state)
{
    struct cpsys *e = *state;
    struct cp_system *sys = e->sys;
    struct fterm *a = cpsys_logon(e, "ALICE");
    struct fterm *b = cpsys_logon(e, "BOB");
    sys->cfg.tdisk_max = 2 << 20;
    sys->cfg.tdisk_total = 3 << 20;
    expect_id(sys, "ALICE", "DEFINE TDISK 192 3M", MSG_TDISKMAX);
    expect_has(sys, "ALICE", "DEFINE TDISK 192 2M", "DEFINED");
    /* the system's total: BOB's 2M would pass 3M; nothing is left behind */
    expect_id(sys, "BOB", "DEFINE TDISK 192 2M", MSG_TDISKFAIL);
    expect_lacks(sys, "BOB", "QUERY VIRTUAL", "DASD 192");
    assert_int_equal(used(e), 2 << 20);
    assert_int_equal(open_images(e), 1);
    expect_has(sys, "BOB", "DEFINE TDISK 192 1M", "DEFINED");
    expect_id(sys, "BOB", "DEFINE TDISK 193 64K", MSG_TDISKFAIL);
    expect_has(sys, "ALICE", "DETACH 192", "detached");
    expect_has(sys, "BOB", "DEFINE TDISK 193 2M", "DEFINED");
    assert_int_equal(used(e), 3 << 20);
    /* a host disk that cannot hold it: refused, nothing left */
    sys->cfg.tdisk_max = 1ull << 50;
    sys->cfg.tdisk_total = 1ull << 50;
    char *out = expect_rc(sys, "ALICE", "DEFINE TDISK 192 1000T", MSG_TDISKFAIL);
    assert_non_null(strstr(out, "the host disk has no room for it"));
    free(out);
    assert_int_equal(used(e), 3 << 20);
    assert_int_equal(names_in_tdisk_dir(e), 0);
    assert_int_equal(open_images(e), 2);
    /* tdisk_total 0: none at all */
    sys->cfg.tdisk_total = 0;
    expect_id(sys, "ALICE", "DEFINE TDISK 192 64K", MSG_TDISKFAIL);
    fterm_type(a, "#cp logoff");
    fterm_type(b, "#cp logoff");
    assert_true(wait_users(sys, 0, 3000));
    assert_int_equal(used(e), 0);
    assert_int_equal(open_images(e), 0);
    fterm_bye(a);
    fterm_bye(b);
}

/* A crash leaves files in DATA/tdisk only between create and unlink; the
 * next start removes whatever is there. */
static void
test_leftovers_swept_at_start(void **state)
{
    struct cpsys *e = *state;
    assert_int_equal(cp_system_shutdown(e->sys, 5000), 0);
    cp_system_destroy(e->sys);
    cp_services_standard_free(&e->svc);
    char dir[PATH_MAX], path[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/%s", e->data, TDISK_DIR);
    mkdir(dir, 0700);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/ALICE.19%d.abcdef", dir, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("old", f);
        fclose(f);
    }
    assert_int_equal(names_in_tdisk_dir(e), 3);
    char err[256] = "";
    if (cp_services_standard(&e->svc, e->data, err, sizeof err) != 0) {
        fail_msg("services: %s", err);
    }
    assert_int_equal(names_in_tdisk_dir(e), 0);
    cpsys_restart(e);
    assert_int_equal(tdisk_sweep(e->data), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_define_and_detach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_define_from_console, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_by_takeover_and_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers_swept_at_start, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
