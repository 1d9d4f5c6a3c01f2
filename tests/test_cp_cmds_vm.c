// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_cmds_vm.c - SLEEP from a program and QUERY LINKS, on the
 * real layers (the sqlite directory, minidisk images, the VM layer and
 * the CPU, through cp_services_standard()).  A guest (tests/guest/
 * cp_sleep.elf) sleeps through DIAG 0x008 and is woken by its time, a line
 * (which stays its input), an attention, and a logoff.  QUERY LINKS
 * follows LINK, the directory's links at logon, DETACH, DEFINE STORAGE,
 * logoff and takeover of several users, with its class rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_sys.h"
#include "tests/test_cp_term.h"

/* The directory (as USER DIRECT would say it):
 *   USER MAINT ... ABCDEFG / MDISK 190 MR ALL / MDISK 191 W / MDISK 192 W ALL
 *   USER ALICE ... G / LINK MAINT 190 190 RR
 *   USER BOB ... G        USER CAROL ... EG       USER RESOP ... B
 *   USER SLEEPER ... G / IPL SLEEPER */
static void
make_directory(struct dir *d)
{
    struct dir_mdisk md[3] = {
        {"MAINT", 0x190, 256, DIR_MODE_MR, "ALL", "", "", ""},
        {"MAINT", 0x191, 256, DIR_MODE_W, "", "", "", ""},
        {"MAINT", 0x192, 256, DIR_MODE_W, "ALL", "", "", ""},
    };
    cpsys_add_user(d, "MAINT", "ABCDEFG", "", md, 3, NULL, 0);
    struct dir_link ln = {"ALICE", "MAINT", 0x190, 0x190, DIR_MODE_RR};
    cpsys_add_user(d, "ALICE", "G", "", NULL, 0, &ln, 1);
    cpsys_add_user(d, "BOB", "G", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "CAROL", "EG", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "RESOP", "B", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "SLEEPER", "G", "SLEEPER", NULL, 0, NULL, 0);
}

static const struct cpsys_system systems[] = {
    {"SLEEPER", "cp_sleep.elf"},
};

static int
setup(void **state)
{
    *state = cpsys_start(make_directory, systems, sizeof systems / sizeof *systems);
    return 0;
}

static int
teardown(void **state)
{
    cpsys_stop(*state);
    return 0;
}

/* The output of cmd run as userid must be exactly want. */
static void
expect_out(struct cp_system *sys, const char *userid, const char *cmd, const char *want)
{
    char *out = expect_rc(sys, userid, cmd, 0);
    if (strcmp(out, want) != 0) {
        fail_msg("%s: '%s' gave:\n%s\nexpected:\n%s", userid, cmd, out, want);
    }
    free(out);
}

/* ---- SLEEP from a program -------------------------------------------------------------- */

static void
test_sleep_from_program(void **state)
{
    struct cpsys *e = *state;
    struct fterm *s = cpsys_logon(e, "SLEEPER");
    assert_true(fterm_wait(s, "SLEEPER START 0", 10000));
    uint64_t t0 = now_ms();
    assert_true(fterm_wait(s, "SLEEPER TIMED 0", 10000));
    uint64_t took = now_ms() - t0;
    if (took < 900 || took > 8000) {
        fail_msg("SLEEP 1 SEC from the program took %llu ms", (unsigned long long)took);
    }
    /* no time: it waits for a line; meanwhile the VM uses no CPU and other
     * commands of the user go on */
    usleep(300 * 1000);
    char *t = fterm_text(s);
    assert_null(strstr(t, "SLEEPER WOKEN"));
    free(t);
    expect_out(e->sys, "SLEEPER", "QUERY USERID", "SLEEPER  AT VMRV");
    fterm_type(s, "rise and shine");
    assert_true(fterm_wait(s, "SLEEPER WOKEN 0", 3000));
    assert_true(fterm_wait(s, "SLEEPER GOT rise and shine", 3000));
    /* an attention wakes it and is not the program's */
    usleep(200 * 1000);
    t = fterm_text(s);
    assert_null(strstr(t, "SLEEPER ATTN"));
    free(t);
    cp_session_attention(s->s);
    assert_true(fterm_wait(s, "SLEEPER ATTN 0", 3000));
    assert_string_equal(cp_session_state(s->s), "RUNNING");
    /* logoff in the middle of a sleep: the program's call is answered, the
     * VM goes; nothing is left behind */
    usleep(200 * 1000);
    fterm_type(s, "#cp logoff");
    assert_true(fterm_wait(s, "LOGOFF AT", 3000));
    assert_true(wait_users(e->sys, 0, 3000));
    fterm_bye(s);
}

/* ---- QUERY LINKS ------------------------------------------------------------------------- */

static void
test_query_links(void **state)
{
    struct cpsys *e = *state;
    struct cp_system *sys = e->sys;
    /* ALICE's directory LINK (RR), then MAINT's own MDISKs (MR gets write:
     * nobody writes) */
    struct fterm *alice = cpsys_logon(e, "ALICE");
    struct fterm *maint = cpsys_logon(e, "MAINT");
    expect_out(sys, "ALICE", "QUERY LINKS 190", "ALICE    0190 R/O, MAINT    0190 R/W");
    expect_out(sys, "MAINT", "Q LINK 191", "MAINT    0191 R/W");
    /* BOB links it twice: every holder, sorted, 4 to a line */
    struct fterm *bob = cpsys_logon(e, "BOB");
    fterm_type(bob, "link maint 190 290 rr");
    assert_true(fterm_wait(bob, "VMR145I MAINT 190 linked as 290 RR", 3000));
    fterm_type(bob, "link maint 190 390 rr");
    assert_true(fterm_wait(bob, "VMR145I MAINT 190 linked as 390 RR", 3000));
    fterm_type(bob, "link maint 192 192 rr");
    assert_true(fterm_wait(bob, "VMR145I MAINT 192 linked as 192 RR", 3000));
    const char *all190 =
        "ALICE    0190 R/O, BOB      0290 R/O, BOB      0390 R/O, MAINT    0190 R/W";
    expect_out(sys, "BOB", "QUERY LINKS 290", all190); /* BOB's 290 is MAINT 190 */
    expect_out(sys, "MAINT", "QUERY LINKS 190", all190);
    /* a fifth holder goes to a second line */
    struct fterm *carol = cpsys_logon(e, "CAROL");
    fterm_type(carol, "link maint 190 190 rr");
    assert_true(fterm_wait(carol, "VMR145I", 3000));
    expect_out(sys, "ALICE", "QUERY LINKS 190",
               "ALICE    0190 R/O, BOB      0290 R/O, BOB      0390 R/O, CAROL    0190 R/O,\n"
               "MAINT    0190 R/W");
    fterm_type(carol, "detach 190");
    assert_true(fterm_wait(carol, "VMR144I 190 detached", 3000));
    /* every disk of the owner; another user's disks: class B or E */
    expect_out(sys, "MAINT", "QUERY LINKS",
               "LINKS TO MAINT 0190:\n"
               "ALICE    0190 R/O, BOB      0290 R/O, BOB      0390 R/O, MAINT    0190 R/W\n"
               "LINKS TO MAINT 0191:\n"
               "MAINT    0191 R/W\n"
               "LINKS TO MAINT 0192:\n"
               "BOB      0192 R/O, MAINT    0192 R/W");
    expect_out(sys, "CAROL", "QUERY LINKS MAINT 192", "BOB      0192 R/O, MAINT    0192 R/W");
    expect_out(sys, "RESOP", "QUERY LINKS MAINT 190", all190); /* not logged on: an exec */
    expect_out(sys, "MAINT", "QUERY LINKS MAINT 191", "MAINT    0191 R/W");
    expect_id(sys, "BOB", "QUERY LINKS MAINT 190", MSG_NOPRIV);
    expect_id(sys, "ALICE", "QUERY LINKS MAINT", MSG_NOPRIV);
    expect_out(sys, "BOB", "QUERY LINKS BOB", "No minidisk of BOB is linked");
    expect_out(sys, "CAROL", "QUERY LINKS BOB 191", "BOB 0191 is not linked");
    /* bad operands */
    expect_id(sys, "BOB", "QUERY LINKS 999", MSG_NODEV);
    expect_id(sys, "BOB", "QUERY LINKS 009", MSG_NOTDASD);
    expect_id(sys, "BOB", "QUERY LINKS MAINT 19G", MSG_INVDEV);
    expect_id(sys, "BOB", "QUERY LINKS 1 2 3", MSG_EXTRA);
    expect_id(sys, "BOB", "QUERY LINKS TOOLONGUSER", MSG_INVUSER);
    /* DETACH */
    fterm_type(bob, "detach 290");
    assert_true(fterm_wait(bob, "VMR144I 290 detached", 3000));
    expect_out(sys, "MAINT", "QUERY LINKS 190",
               "ALICE    0190 R/O, BOB      0390 R/O, MAINT    0190 R/W");
    /* DEFINE STORAGE: a new machine with the directory's links again */
    fterm_type(alice, "define storage 48m");
    assert_true(fterm_wait(alice, "VMR152I", 3000));
    expect_out(sys, "MAINT", "QUERY LINKS 190",
               "ALICE    0190 R/O, BOB      0390 R/O, MAINT    0190 R/W");
    /* takeover: the same VM, the same links */
    struct fterm *alice2 = cpsys_logon(e, "ALICE");
    assert_true(fterm_wait_close(alice, 3000));
    expect_out(sys, "ALICE", "QUERY LINKS 190",
               "ALICE    0190 R/O, BOB      0390 R/O, MAINT    0190 R/W");
    /* logoff: BOB's links go */
    fterm_type(bob, "logoff");
    assert_true(fterm_wait_close(bob, 3000));
    assert_true(wait_users(sys, 3, 3000));
    expect_out(sys, "MAINT", "QUERY LINKS 190", "ALICE    0190 R/O, MAINT    0190 R/W");
    expect_out(sys, "MAINT", "QUERY LINKS 192", "MAINT    0192 R/W");
    /* MAINT logs off too: the index knows who still holds its disk */
    fterm_type(maint, "logoff");
    assert_true(fterm_wait_close(maint, 3000));
    assert_true(wait_users(sys, 2, 3000));
    expect_out(sys, "MAINT", "QUERY LINKS 190", "ALICE    0190 R/O");
    expect_out(sys, "MAINT", "QUERY LINKS", "LINKS TO MAINT 0190:\nALICE    0190 R/O");
    fterm_type(alice2, "logoff");
    assert_true(fterm_wait_close(alice2, 3000));
    fterm_type(carol, "logoff");
    assert_true(fterm_wait_close(carol, 3000));
    assert_true(wait_users(sys, 0, 3000));
    expect_out(sys, "MAINT", "QUERY LINKS", "No minidisk of MAINT is linked");
    fterm_bye(alice);
    fterm_bye(alice2);
    fterm_bye(bob);
    fterm_bye(carol);
    fterm_bye(maint);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sleep_from_program, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_links, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
