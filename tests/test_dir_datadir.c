// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_datadir.c - the data folder (cp/datadir.h): where it is
 * by default, creating it with the right modes, and the lock only one CP
 * may hold, which others can test without taking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/passwd.h"
#include "tests/test_dir_util.h"

static void
test_default_location(void **state)
{
    (void)state;
    char out[512];
    char *saved_data = getenv("VMRV_DATA") ? strdup(getenv("VMRV_DATA")) : NULL;
    char *saved_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    setenv("VMRV_DATA", "/srv/vmrv-here", 1);
    assert_int_equal(datadir_default(out, sizeof out), 0);
    assert_string_equal(out, "/srv/vmrv-here");
    assert_int_equal(datadir_default(out, 5), -ENAMETOOLONG);

    setenv("VMRV_DATA", "", 1);
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    setenv("HOME", "/home/someone", 1);
    assert_int_equal(datadir_default(out, sizeof out), 0);
    if (geteuid() == 0) {
        assert_string_equal(out, "/var/lib/vmrv");
    } else {
        assert_string_equal(out, "/xdg/data/vmrv");
        setenv("XDG_DATA_HOME", "relative/ignored", 1);
        assert_int_equal(datadir_default(out, sizeof out), 0);
        assert_string_equal(out, "/home/someone/.local/share/vmrv");
    }

    if (saved_data) {
        setenv("VMRV_DATA", saved_data, 1);
    } else {
        unsetenv("VMRV_DATA");
    }
    if (saved_xdg) {
        setenv("XDG_DATA_HOME", saved_xdg, 1);
    } else {
        unsetenv("XDG_DATA_HOME");
    }
    if (saved_home) {
        setenv("HOME", saved_home, 1);
    }
    free(saved_data);
    free(saved_xdg);
    free(saved_home);
}

static void
test_create(void **state)
{
    (void)state;
    char base[512], path[600], sub[700];
    assert_int_equal(tdir_mkdtemp(base, sizeof base), 0);
    snprintf(path, sizeof path, "%s/a/b/data", base);
    assert_int_equal(datadir_create(path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(sub, sizeof sub, "%s/disks", path);
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(datadir_create(path), 0); /* again: fine */
    /* A file in the way. */
    snprintf(sub, sizeof sub, "%s/file", base);
    FILE *f = fopen(sub, "w");
    fclose(f);
    assert_int_equal(datadir_create(sub), -ENOTDIR);
    tdir_rmtree(base);
}

static void
test_lock(void **state)
{
    (void)state;
    char base[512];
    assert_int_equal(tdir_mkdtemp(base, sizeof base), 0);
    assert_int_equal(datadir_lock_holder(base), 0);
    int fd = -1;
    assert_int_equal(datadir_lock(base, &fd), 0);
    /* The lock belongs to the open file: a second open in this process
     * is refused too, and a child sees us as the holder. */
    int fd2 = -1;
    assert_int_equal(datadir_lock(base, &fd2), -EBUSY);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        pid_t h = datadir_lock_holder(base);
        int again = -1;
        _exit(h == getppid() && datadir_lock(base, &again) == -EBUSY ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    datadir_unlock(fd);
    assert_int_equal(datadir_lock_holder(base), 0);
    assert_int_equal(datadir_lock(base, &fd2), 0);
    datadir_unlock(fd2);
    tdir_rmtree(base);
}

int
main(void)
{
    passwd_set_cost(1); /* fast hashes: see cp/passwd.h */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_location),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
