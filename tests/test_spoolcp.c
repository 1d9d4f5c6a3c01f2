// SPDX-License-Identifier: MIT
/*
 * tests/test_spoolcp.c - the spool through CP, end to end: CP proper on
 * the real directory, VM layer, CPU and spool store (cp_services_standard).
 * A guest punches to another user's reader and that user's guest reads it
 * back through DIAG 0x014 (tests/guest/spool_ur.c); then the CP spool
 * commands, their error paths and privilege checks, arrival notices, and
 * a restart that keeps every closed file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"
#include "cp/system_std.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_term.h"

#define ASSERT_HAS(hay, needle)                                                                \
    do {                                                                                       \
        if (!strstr((hay), (needle))) {                                                        \
            fail_msg("expected '%s' in:\n%s", (needle), (hay));                                 \
        }                                                                                      \
    } while (0)

/* The directory: MAINT (all classes), OPER (class D), ALICE and BOB
 * (class G, IPL SPUR: tests/guest/spool_ur.elf), CAROL (class G, no IPL). */
static void
add_user(struct dir *d, const char *userid, const char *classes, const char *ipl,
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
make_directory(struct dir *d)
{
    add_user(d, "MAINT", "ABCDEFG", "", NULL, 0, NULL, 0);
    add_user(d, "OPER", "DG", "", NULL, 0, NULL, 0);
    add_user(d, "ALICE", "G", "SPUR", NULL, 0, NULL, 0);
    add_user(d, "BOB", "G", "SPUR", NULL, 0, NULL, 0);
    add_user(d, "CAROL", "G", "", NULL, 0, NULL, 0);
}

struct env {
    char data[256];
    struct cp_services svc;
    struct cp_system *sys;
};

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

static int
setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
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
    link_system(e->data, "SPUR", "spool_ur.elf");
    assert_int_equal(cplog_open(e->data, CPLOG_DEBUG, false), 0);
    if (cp_services_standard(&e->svc, e->data, err, sizeof err) != 0) {
        fail_msg("services: %s", err);
    }
    struct cp_config cfg;
    cp_config_defaults(&cfg);
    assert_int_equal(cp_config_set(&cfg, "dispatchers", "2", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "timezone", "UTC", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&cfg, "data_dir", e->data, err, sizeof err), 0);
    e->sys = cp_system_create(&cfg, &e->svc, err, sizeof err);
    assert_non_null(e->sys);
    assert_int_equal(cp_system_start(e->sys), 0);
    *state = e;
    return 0;
}

static int
teardown(void **state)
{
    struct env *e = *state;
    assert_int_equal(cp_system_shutdown(e->sys, 5000), 0);
    cp_system_destroy(e->sys);
    cp_services_standard_free(&e->svc);
    cplog_close();
    harness_rmtree(e->data);
    free(e);
    return 0;
}

static struct fterm *
logon(struct env *e, const char *userid)
{
    struct fterm *t = fterm_new();
    char why[256] = "";
    int rc = cp_logon(e->sys, userid, "127.0.0.1:1", &fterm_ops, t, &t->s, why, sizeof why);
    if (rc) {
        fail_msg("logon %s: %s", userid, why);
    }
    return t;
}

static void
wait_or_fail(struct fterm *t, const char *text, int ms)
{
    if (!fterm_wait(t, text, ms)) {
        char *s = fterm_text(t);
        fail_msg("expected '%s' in:\n%s", text, s);
    }
}

static void
test_punch_to_reader(void **state)
{
    struct env *e = *state;
    struct fterm *bob = logon(e, "BOB");
    struct fterm *alice = logon(e, "ALICE");
    wait_or_fail(alice, "SPUR SENT ", 10000);
    wait_or_fail(alice, " 0\n", 1000);
    wait_or_fail(bob, "SPUR READ 0", 10000);
    /* BOB was told between lines */
    ASSERT_HAS(bob->out, "RDR FILE ");
    ASSERT_HAS(bob->out, "SENT FROM ALICE PUN HELLO DATA RECS 0004 CLASS A");
    /* the printer file waits in the system queue under ALICE */
    int rc;
    char *out = run_cmd(e->sys, "ALICE", "QUERY PRINTER", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(out, "ALICE");
    ASSERT_HAS(out, "LIST     ING");
    ASSERT_HAS(out, "00000001 001 NONE");
    free(out);
    /* the reader file was purged by the guest */
    out = run_cmd(e->sys, "BOB", "QUERY READER", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(out, "NO RDR FILES");
    free(out);
    fterm_type(alice, "logoff");
    assert_true(fterm_wait_close(alice, 3000));
    cp_session_close(alice->s);
    fterm_free(alice);
    fterm_type(bob, "logoff");
    assert_true(fterm_wait_close(bob, 3000));
    cp_session_close(bob->s);
    fterm_free(bob);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_punch_to_reader, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
