// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_sys.c - a whole CP system in-process for cmocka tests
 * (tests/test_cp_sys.h): the setup the CP-with-real-services tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/log.h"
#include "cp/system_std.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_sys.h"

void
cpsys_add_user(struct dir *d, const char *userid, const char *classes, const char *ipl,
               struct dir_mdisk *md, size_t nmd, struct dir_link *ln, size_t nln)
{
    struct dir_entry e;
    assert_int_equal(dir_entry_init(&e, userid), 0);
    snprintf(e.user.classes, sizeof e.user.classes, "%s", classes);
    snprintf(e.user.ipl, sizeof e.user.ipl, "%s", ipl);
    e.mdisks = md;
    e.n_mdisks = nmd;
    e.links = ln;
    e.n_links = nln;
    if (dir_entry_put(d, &e, DIR_PUT_CREATE) != 0) {
        fail_msg("put %s: %s", userid, dir_errmsg(d));
    }
    assert_int_equal(dir_password_set(d, userid, "SECRET123"), 0);
}

static void
link_system(const char *data, const char *name, const char *elf)
{
    const char *b = getenv("top_builddir");
    char from[1024], to[512], cwd[512];
    if (!getcwd(cwd, sizeof cwd)) {
        fail_msg("getcwd");
    }
    snprintf(from, sizeof from, "%s/%s/tests/guest/%s", cwd, b ? b : ".", elf);
    snprintf(to, sizeof to, "%s/systems/%s.elf", data, name);
    if (access(from, R_OK) != 0) {
        fail_msg("%s is missing: build check_DATA first", from);
    }
    assert_int_equal(symlink(from, to), 0);
}

void
cpsys_restart(struct cpsys *e)
{
    char err[256] = "";
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    assert_int_equal(cp_config_set(&cfg, "dispatchers", "2", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "timezone", "UTC", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "data_dir", e->data, err, sizeof err), 0);
    e->sys = cp_system_create(&cfg, &e->svc, err, sizeof err);
    if (e->sys == NULL) {
        fail_msg("cp_system_create: %s", err);
    }
    assert_int_equal(cp_system_start(e->sys), 0);
}

struct cpsys *
cpsys_start(void (*make_directory)(struct dir *), const struct cpsys_system *systems, size_t nsys)
{
    struct cpsys *e = calloc(1, sizeof *e);
    assert_non_null(e);
    harness_tmpdir(e->data, sizeof e->data);
    struct dir *d = NULL;
    char err[256] = "";
    if (dir_open(&d, e->data, DIR_OPEN_CREATE, err, sizeof err) != 0) {
        fail_msg("dir_open: %s", err);
    }
    make_directory(d);
    dir_close(d);
    char sysdir[300];
    snprintf(sysdir, sizeof sysdir, "%s/systems", e->data);
    assert_int_equal(mkdir(sysdir, 0700), 0);
    for (size_t i = 0; i < nsys; i++) {
        link_system(e->data, systems[i].name, systems[i].elf);
    }
    assert_int_equal(cplog_open(e->data, CPLOG_DEBUG, false), 0);
    if (cp_services_standard(&e->svc, e->data, err, sizeof err) != 0) {
        fail_msg("services: %s", err);
    }
    cpsys_restart(e);
    return e;
}

void
cpsys_stop(struct cpsys *e)
{
    assert_int_equal(cp_system_shutdown(e->sys, 5000), 0);
    cp_system_destroy(e->sys);
    cp_services_standard_free(&e->svc);
    cplog_close();
    harness_rmtree(e->data);
    free(e);
}

struct fterm *
cpsys_logon(struct cpsys *e, const char *userid)
{
    struct fterm *t = fterm_new();
    char why[256] = "";
    int rc = cp_logon(e->sys, userid, "127.0.0.1:1", &fterm_ops, t, &t->s, why, sizeof why);
    if (rc) {
        fail_msg("logon %s: %s", userid, why);
    }
    return t;
}
