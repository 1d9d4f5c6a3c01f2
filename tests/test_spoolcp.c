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
#include <pthread.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/cp.h"
#include "cp/dir.h"
#include "cp/spool_cp.h"
#include "cp/system_std.h"
#include "tests/test_cp_harness.h"
#include "tests/test_cp_sys.h"
#include "tests/test_cp_term.h"

/* The directory: MAINT (all classes), OPER (class D), ALICE and BOB
 * (class G, IPL SPUR: tests/guest/spool_ur.elf), CAROL (class G, no IPL),
 * DAVE (IPL SPUR: random DIAG calls). */
static void
make_directory(struct dir *d)
{
    cpsys_add_user(d, "MAINT", "ABCDEFG", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "OPER", "DG", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "ALICE", "G", "SPUR", NULL, 0, NULL, 0);
    cpsys_add_user(d, "BOB", "G", "SPUR", NULL, 0, NULL, 0);
    cpsys_add_user(d, "CAROL", "G", "", NULL, 0, NULL, 0);
    cpsys_add_user(d, "DAVE", "G", "SPUR", NULL, 0, NULL, 0);
    cpsys_add_user(d, "ERIN", "G", "CONREAD", NULL, 0, NULL, 0);
}

static const struct cpsys_system systems[] = {
    {"SPUR", "spool_ur.elf"},
    {"HELLO", "hello.elf"},
    {"CONREAD", "diag_conread.elf"},
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

static void
wait_or_fail(struct fterm *t, const char *text, int ms)
{
    if (!fterm_wait(t, text, ms)) {
        char *s = fterm_text(t);
        fail_msg("expected '%s' in:\n%s", text, s);
    }
}

/* Types cmd (LOGOFF, DISCONNECT) and waits for the terminal to close. */
static void
term_end(struct fterm *t, const char *cmd)
{
    fterm_type(t, cmd);
    assert_true(fterm_wait_close(t, 3000));
    cp_session_close(t->s);
    fterm_free(t);
}

/* Runs cmd as userid until its output holds text (at most 2 s). */
static bool
poll_cmd(struct cp_system *sys, const char *userid, const char *cmd, const char *text)
{
    for (int i = 0; i < 200; i++) {
        char *out = run_cmd(sys, userid, cmd, NULL);
        bool seen = strstr(out, text) != NULL;
        free(out);
        if (seen) {
            return true;
        }
        usleep(10000);
    }
    return false;
}

static void
test_punch_to_reader(void **state)
{
    struct cpsys *e = *state;
    struct fterm *bob = cpsys_logon(e, "BOB");
    struct fterm *alice = cpsys_logon(e, "ALICE");
    wait_or_fail(alice, "SPUR SENT ", 10000);
    wait_or_fail(alice, " 0\n", 1000);
    wait_or_fail(bob, "SPUR READ 0", 10000);
    wait_or_fail(bob, "VMR150W", 10000);  /* both guests ended: CP READ */
    wait_or_fail(alice, "VMR150W", 10000);
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
    term_end(alice, "logoff");
    term_end(bob, "logoff");
}

/* A file of n text records in userid's reader (as SSH PUNCH makes). */
static uint32_t
feed(struct cpsys *e, const char *userid, const char *fn, const char *ft, unsigned n)
{
    struct cpsp_feed *f = NULL;
    assert_int_equal(cpsp_feed_open(e->svc.spool, userid, fn, ft, false, &f), 0);
    for (unsigned i = 0; i < n; i++) {
        char line[32];
        int len = snprintf(line, sizeof line, "record %u\n", i);
        assert_int_equal(cpsp_feed_write(f, line, (size_t)len), 0);
    }
    uint32_t id = 0;
    assert_int_equal(cpsp_feed_close(f, &id), 0);
    assert_true(id != 0);
    return id;
}

/* Runs cmd as userid, expects rc and (if not NULL) text in the output. */
static void
expect(struct cpsys *e, const char *userid, const char *cmd, int want_rc, const char *text)
{
    int rc = -1;
    char *out = run_cmd(e->sys, userid, cmd, &rc);
    if (rc != want_rc || (text && !strstr(out, text))) {
        fail_msg("%s: %s: rc %d (wanted %d), expected '%s' in:\n%s", userid, cmd, rc, want_rc,
                 text ? text : "", out);
    }
    free(out);
}

/* Is the line of spoolid id before that of id2 in QUERY READER? */
static bool
listed_before(struct cpsys *e, const char *userid, uint32_t id, uint32_t id2)
{
    char *out = run_cmd(e->sys, userid, "QUERY READER", NULL);
    char a[16], b[16];
    snprintf(a, sizeof a, " %04u ", id);
    snprintf(b, sizeof b, " %04u ", id2);
    char *pa = strstr(out, a), *pb = strstr(out, b);
    bool r = pa && pb && pa < pb;
    free(out);
    return r;
}

static void
test_commands(void **state)
{
    struct cpsys *e = *state;
    uint32_t a = feed(e, "CAROL", "ONE", "TEXT", 3);
    uint32_t b = feed(e, "CAROL", "TWO", "TEXT", 1);
    uint32_t c = feed(e, "CAROL", "THREE", "TEXT", 2);
    char cmd[128], id[16];
    expect(e, "CAROL", "QUERY READER", 0, "ORIGINID FILE   CLASS RECORDS  CPY HOLD DATE  TIME");
    expect(e, "CAROL", "Q RDR", 0, "CAROL    0001   A RDR 00000003 001 NONE ");
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: 0003 RDR, NO PRT, NO PUN");
    expect(e, "CAROL", "QUERY PUNCH", 0, "NO PUN FILES");
    /* CHANGE */
    snprintf(cmd, sizeof cmd, "CHANGE RDR %u CLASS B NAME NEW NAMES COPY 3", a);
    expect(e, "CAROL", cmd, 0, "0001 FILES CHANGED");
    expect(e, "CAROL", "Q RDR", 0, "CAROL    0001   B RDR 00000003 003 NONE ");
    expect(e, "CAROL", "Q RDR", 0, "NEW      NAMES");
    snprintf(cmd, sizeof cmd, "CHANGE %u CLASS %%", a);
    expect(e, "CAROL", cmd, MSG_SPINVCLASS, "VMR309E");
    snprintf(cmd, sizeof cmd, "CHANGE %u COPY 0", a);
    expect(e, "CAROL", cmd, MSG_RANGE, "VMR009E");
    snprintf(cmd, sizeof cmd, "CHANGE %u", a);
    expect(e, "CAROL", cmd, MSG_MISSING, "VMR004E");
    snprintf(cmd, sizeof cmd, "CHANGE %u FROB", a);
    expect(e, "CAROL", cmd, MSG_INVOPT, "VMR003E");
    /* ORDER */
    snprintf(cmd, sizeof cmd, "ORDER RDR %u %u", c, b);
    expect(e, "CAROL", cmd, 0, "0002 FILES ORDERED");
    assert_true(listed_before(e, "CAROL", c, b));
    assert_true(listed_before(e, "CAROL", b, a));
    expect(e, "CAROL", "ORDER RDR 999999", MSG_SPNOFILE, "VMR302E");
    /* TRANSFER to another reader: the origin stays */
    snprintf(cmd, sizeof cmd, "TRANSFER RDR %u TO BOB", b);
    expect(e, "CAROL", cmd, 0, "0001 FILES TRANSFERRED");
    expect(e, "BOB", "Q RDR", 0, "CAROL    0002   A RDR 00000001");
    snprintf(cmd, sizeof cmd, "TRANSFER %u TO NOSUCH", c);
    expect(e, "CAROL", cmd, MSG_NOTINDIR, "VMR046E");
    snprintf(cmd, sizeof cmd, "TRANSFER %u", c);
    expect(e, "CAROL", cmd, MSG_MISSING, "VMR004E");
    /* privileges: a general user reaches only their own files */
    expect(e, "CAROL", "PURGE BOB RDR ALL", MSG_NOPRIV, "VMR006E");
    expect(e, "CAROL", "QUERY READER ALL", MSG_NOPRIV, "VMR006E");
    expect(e, "CAROL", "QUERY READER BOB", MSG_NOPRIV, "VMR006E");
    snprintf(cmd, sizeof cmd, "PURGE %u", b);
    expect(e, "CAROL", cmd, MSG_SPNOFILE, "VMR302E"); /* BOB's now */
    snprintf(cmd, sizeof cmd, "HOLD %u", c);
    expect(e, "CAROL", cmd, MSG_NOPRIV, "VMR006E");
    /* the spool operator (class D) */
    expect(e, "OPER", "QUERY READER ALL", 0, "BOB      0002   A RDR");
    expect(e, "OPER", "QUERY READER CAROL", 0, "CAROL    0003   A RDR");
    expect(e, "OPER", "HOLD BOB RDR ALL", 0, "0001 FILES HELD");
    expect(e, "BOB", "Q RDR", 0, "00000001 001 SYS ");
    expect(e, "OPER", "FREE BOB RDR ALL", 0, "0001 FILES FREED");
    expect(e, "BOB", "Q RDR", 0, "00000001 001 NONE");
    snprintf(cmd, sizeof cmd, "PURGE %u", b);
    expect(e, "OPER", cmd, 0, "0001 FILES PURGED");
    expect(e, "BOB", "Q RDR", 0, "NO RDR FILES");
    /* PURGE by class, then ALL; errors */
    expect(e, "CAROL", "PURGE RDR CLASS B", 0, "0001 FILES PURGED");
    expect(e, "CAROL", "PURGE", MSG_MISSING, "VMR004E");
    expect(e, "CAROL", "PURGE RDR ABC", MSG_SPINVID, "VMR310E");
    expect(e, "CAROL", "PURGE RDR 0", MSG_SPINVID, "VMR310E");
    expect(e, "CAROL", "PURGE CONSOLE 5", MSG_INVOPND, "VMR002E");
    expect(e, "CAROL", "PURGE 999999", MSG_SPNOFILE, "VMR302E");
    expect(e, "CAROL", "PURGE ALL", 0, "0001 FILES PURGED");
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: NO RDR, NO PRT, NO PUN");
    /* more error paths: every one refused with a message, nothing changed */
    uint32_t d = feed(e, "CAROL", "FOUR", "TEXT", 1);
    snprintf(cmd, sizeof cmd, "ORDER RDR %u %u", d, d);
    expect(e, "CAROL", cmd, MSG_INVOPND, "VMR002E");
    snprintf(cmd, sizeof cmd, "CHANGE %u NAME TOOLONGNAME", d);
    expect(e, "CAROL", cmd, MSG_INVOPND, "VMR002E");
    snprintf(cmd, sizeof cmd, "CHANGE %u DIST", d);
    expect(e, "CAROL", cmd, MSG_INVOPND, "VMR002E");
    expect(e, "CAROL", "ORDER RDR", MSG_MISSING, "VMR004E");
    expect(e, "CAROL", "QUERY PRINTER ALL", MSG_NOPRIV, "VMR006E");
    expect(e, "CAROL", "QUERY FILES EXTRA", MSG_EXTRA, "VMR005E");
    expect(e, "OPER", "HOLD 999999", MSG_SPNOFILE, "VMR302E");
    expect(e, "OPER", "FREE CAROL RDR CLASS Z", 0, "0000 FILES FREED");
    snprintf(cmd, sizeof cmd, "TRANSFER %u TO *", d);
    expect(e, "CAROL", cmd, 0, "0001 FILES TRANSFERRED");
    snprintf(cmd, sizeof cmd, "PURGE %u", d);
    expect(e, "CAROL", cmd, 0, "0001 FILES PURGED");
    /* SPOOL and CLOSE need the virtual machine */
    expect(e, "CAROL", "SPOOL PUNCH TO BOB", MSG_NOTLOGGEDON, NULL);
    (void)id;
}

static void
test_logged_on_user(void **state)
{
    struct cpsys *e = *state;
    /* a file that arrived while CAROL was away: told at logon */
    feed(e, "CAROL", "AWAY", "NOTE", 1);
    struct fterm *t = cpsys_logon(e, "CAROL");
    wait_or_fail(t, "VMR300I FILES: 0001 RDR, NO PRT, NO PUN", 5000);
    fterm_type(t, "spool punch to bob class c copy 2 hold");
    fterm_type(t, "spool punch");
    wait_or_fail(t, "PUN  00D CL C NOCONT HOLD COPY 002 FORM STANDARD TO BOB", 3000);
    fterm_type(t, "close punch");
    wait_or_fail(t, "VMR306I PUN has no open file", 3000);
    fterm_type(t, "spool punch copy 0");
    wait_or_fail(t, "VMR009E", 3000);
    fterm_type(t, "spool punch to nosuch");
    wait_or_fail(t, "VMR046E NOSUCH", 3000);
    fterm_type(t, "spool reader class %");
    wait_or_fail(t, "VMR309E", 3000);
    fterm_type(t, "spool frob");
    wait_or_fail(t, "VMR020E", 3000);
    fterm_type(t, "spool");
    wait_or_fail(t, "VMR004E", 3000);
    fterm_type(t, "close punch name a b c");
    wait_or_fail(t, "VMR003E", 3000);
    fterm_type(t, "close reader");
    wait_or_fail(t, "VMR306I RDR has no open file", 3000);
    fterm_type(t, "spool printer off cont nohold form wide dist room1");
    fterm_type(t, "spool printer");
    wait_or_fail(t, "PRT  00E CL A CONT NOHOLD COPY 001 FORM WIDE     TO SYSTEM", 3000);
    fterm_type(t, "spool reader class b");
    fterm_type(t, "spool reader");
    wait_or_fail(t, "RDR  00C CL B", 3000);
    /* a file arriving now is shown between lines */
    fterm_clear(t);
    feed(e, "CAROL", "NOW", "NOTE", 2);
    wait_or_fail(t, "SENT FROM CAROL RDR NOW NOTE RECS 0002 CLASS A", 3000);
    /* QUERY VIRTUAL shows the unit record devices */
    fterm_type(t, "q v");
    wait_or_fail(t, "RDR  00C", 3000);
    wait_or_fail(t, "PUN  00D", 3000);
    wait_or_fail(t, "PRT  00E", 3000);
    /* CLOSE from the console completes asynchronously (the group commit
     * on the store's thread); its answer still comes before the next
     * command's, and the file is durable and queued by then */
    fterm_clear(t);
    fterm_type(t, "spool console start class q");
    fterm_type(t, "q v");
    wait_or_fail(t, "PUN  00D", 3000);
    fterm_type(t, "close console name async test");
    fterm_type(t, "spool console stop");
    fterm_type(t, "query printer");
    wait_or_fail(t, "CON FILE ", 3000);
    wait_or_fail(t, " Q CON ", 3000);
    char *all = fterm_text(t);
    char *closed = strstr(all, "CON FILE ");
    char *listed = strstr(all, "ASYNC    TEST");
    assert_non_null(closed);
    assert_non_null(listed);
    assert_true(closed < listed);
    ASSERT_HAS(closed, "TO SYSTEM COPY 001 NOHOLD");
    free(all);
    expect(e, "CAROL", "PURGE PRT CLASS Q", 0, "FILES PURGED");
    term_end(t, "logoff");
}

/* SPOOL CONSOLE of a VM that runs disconnected. */
static void
test_console_spool(void **state)
{
    struct cpsys *e = *state;
    struct fterm *t = cpsys_logon(e, "CAROL");
    fterm_type(t, "spool console start class t");
    fterm_type(t, "spool console");
    wait_or_fail(t, "CON  009 CL T NOCONT NOHOLD COPY 001 FORM STANDARD TO SYSTEM   START", 3000);
    fterm_type(t, "spool console purge");
    term_end(t, "disconnect");
    /* the guest runs while nobody watches; its output goes to the spool */
    expect(e, "CAROL", "IPL HELLO", 0, NULL);
    bool seen = false;
    char *out;
    for (int i = 0; i < 500 && !seen; i++) {
        out = run_cmd(e->sys, "CAROL", "SPOOL CONSOLE", NULL);
        seen = strstr(out, "RECS ") != NULL;
        free(out);
        usleep(10000);
    }
    assert_true(seen);
    /* a CP message to the disconnected VM (a file's arrival notice) is
     * kept too; a command on CAROL's thread runs after it was shown */
    feed(e, "CAROL", "LATE", "NOTE", 1);
    for (int i = 0; i < 200; i++) {
        out = run_cmd(e->sys, "CAROL", "QUERY FILES", NULL);
        seen = strstr(out, "0001 RDR") != NULL;
        free(out);
        if (seen) {
            break;
        }
        usleep(10000);
    }
    expect(e, "CAROL", "QUERY FILES", 0, NULL);
    expect(e, "CAROL", "SPOOL CONSOLE STOP", 0, NULL);
    out = run_cmd(e->sys, "CAROL", "QUERY PRINTER", NULL);
    char *line = strstr(out, "CAROL    ");
    assert_non_null(line);
    ASSERT_HAS(line, " T CON ");
    unsigned id = (unsigned)strtoul(line + 9, NULL, 10);
    free(out);
    /* the guest's line, and CP's lines around it: DISCONNECT's response
     * before it, the arrival notice after it */
    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(cpsp_store(e->svc.spool), id, "CAROL", &cur), 0);
    char buf[256];
    size_t len;
    int guest_at = -1, msg_at = -1, n = 0;
    while (spool_cursor_next(cur, buf, sizeof buf - 1, &len) == 0) {
        buf[len] = '\0';
        fprintf(stderr, "console record %d: %s\n", n, buf);
        if (strcmp(buf, "hello from the guest, 42") == 0) {
            guest_at = n;
        } else if (strstr(buf, "LATE     NOTE") || strstr(buf, "LATE NOTE")) {
            msg_at = n;
        }
        n++;
    }
    spool_cursor_close(cur);
    assert_true(guest_at >= 0);
    assert_true(msg_at > guest_at);
    expect(e, "CAROL", "PURGE RDR ALL", 0, "0001 FILES PURGED");
    expect(e, "CAROL", "SPOOL CONSOLE", 0, "STOP");
    expect(e, "CAROL", "SPOOL CONSOLE FROB", MSG_INVOPT, "VMR003E");
    /* again, and SPOOL CONSOLE PURGE drops the open file */
    expect(e, "CAROL", "SPOOL CONSOLE START", 0, NULL);
    expect(e, "CAROL", "IPL HELLO", 0, NULL);
    seen = false;
    for (int i = 0; i < 500 && !seen; i++) {
        out = run_cmd(e->sys, "CAROL", "SPOOL CONSOLE", NULL);
        seen = strstr(out, "RECS 1") != NULL;
        free(out);
        usleep(10000);
    }
    assert_true(seen);
    expect(e, "CAROL", "SPOOL CONSOLE PURGE", 0, NULL);
    out = run_cmd(e->sys, "CAROL", "SPOOL CONSOLE", NULL);
    assert_null(strstr(out, "RECS"));
    free(out);
    expect(e, "CAROL", "SPOOL CONSOLE STOP", 0, NULL);
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: NO RDR, 0001 PRT, NO PUN");
    /* LOGOFF with SPOOL CONSOLE on: CP's lines kept so far close the file */
    expect(e, "CAROL", "SPOOL CONSOLE START", 0, NULL);
    feed(e, "CAROL", "LAST", "NOTE", 1);
    for (int i = 0; i < 200; i++) {
        out = run_cmd(e->sys, "CAROL", "QUERY FILES", NULL);
        seen = strstr(out, "0001 RDR") != NULL;
        free(out);
        if (seen) {
            break;
        }
        usleep(10000);
    }
    expect(e, "CAROL", "LOGOFF", 0, NULL);
    for (int i = 0; i < 200; i++) {
        out = run_cmd(e->sys, "MAINT", "QUERY PRINTER ALL", NULL);
        char *c1 = strstr(out, " T CON ");
        seen = c1 && strstr(c1 + 1, " T CON ");
        free(out);
        if (seen) {
            break;
        }
        usleep(10000);
    }
    assert_true(seen);
    expect(e, "CAROL", "PURGE RDR ALL", 0, "0001 FILES PURGED");
}

/* How many records of console file id contain text. */
static int
records_with(struct cpsys *e, unsigned id, const char *text)
{
    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(cpsp_store(e->svc.spool), id, NULL, &cur), 0);
    char buf[512];
    size_t len;
    int n = 0;
    while (spool_cursor_next(cur, buf, sizeof buf - 1, &len) == 0) {
        buf[len < sizeof buf - 1 ? len : sizeof buf - 1] = '\0';
        n += strstr(buf, text) != NULL;
    }
    spool_cursor_close(cur);
    return n;
}

/* The newest console file of userid in the printer queue (0: none). */
static unsigned
last_console_file(struct cpsys *e, const char *userid)
{
    struct spool_filter f = {.owner = userid, .queue = SPOOL_Q_PRT};
    struct spool_info *v = NULL;
    size_t n = 0;
    assert_int_equal(spool_list(cpsp_store(e->svc.spool), &f, &v, &n), 0);
    unsigned id = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].dev == SPOOL_DEV_CON) {
            id = v[i].spoolid;
        }
    }
    free(v);
    return id;
}

/* SPOOL CONSOLE on while the user disconnects: CP's lines written then
 * (DISCONNECT AT, a notice while away, RECONNECT AT) are each one record. */
static void
test_console_disconnect_once(void **state)
{
    struct cpsys *e = *state;
    struct fterm *t = cpsys_logon(e, "CAROL");
    fterm_type(t, "spool console start");
    fterm_type(t, "spool console");
    wait_or_fail(t, " START", 3000);
    term_end(t, "disconnect");
    feed(e, "CAROL", "AWAY", "NOTE", 1);
    assert_true(poll_cmd(e->sys, "CAROL", "QUERY FILES", "0001 RDR"));
    t = cpsys_logon(e, "CAROL");
    wait_or_fail(t, "RECONNECT", 3000);
    fterm_type(t, "spool console stop");
    fterm_type(t, "query files");
    wait_or_fail(t, "FILES:", 3000);
    unsigned id = last_console_file(e, "CAROL");
    assert_true(id != 0);
    assert_int_equal(records_with(e, id, "DISCONNECT AT"), 1);
    assert_int_equal(records_with(e, id, "AWAY     NOTE") + records_with(e, id, "AWAY NOTE"), 1);
    assert_int_equal(records_with(e, id, "RECONNECTED AT"), 1);
    term_end(t, "logoff");

    /* the same with a guest reading its console (VM READ) all along */
    t = cpsys_logon(e, "ERIN");
    fterm_type(t, "#cp spool console start");
    fterm_type(t, "one");
    wait_or_fail(t, "got 3 3: one", 3000);
    term_end(t, "#cp disconnect");
    feed(e, "ERIN", "AWAY", "NOTE", 1);
    usleep(100000);
    t = cpsys_logon(e, "ERIN");
    wait_or_fail(t, "RECONNECT", 3000);
    fterm_type(t, "begin");
    fterm_type(t, "two");
    wait_or_fail(t, "got 3 3: two", 3000);
    fterm_type(t, "#cp spool console stop");
    fterm_type(t, "#cp query files");
    wait_or_fail(t, "FILES:", 3000);
    id = last_console_file(e, "ERIN");
    assert_true(id != 0);
    assert_int_equal(records_with(e, id, "DISCONNECT AT"), 1);
    assert_int_equal(records_with(e, id, "AWAY     NOTE") + records_with(e, id, "AWAY NOTE"), 1);
    assert_int_equal(records_with(e, id, "RECONNECTED AT"), 1);
    assert_int_equal(records_with(e, id, "got 3 3: one"), 1);
    assert_int_equal(records_with(e, id, "got 3 3: two"), 1);
    term_end(t, "#cp logoff");
}

/* ---- PURGE does not hold the dispatcher thread ------------------------------- */

/* Holds the store's committer before its journal fdatasync while shut. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool shut;
    int held;
};

static int
gate_fault(void *arg, enum spool_fault point)
{
    struct gate *g = arg;
    if (point == SPOOL_FAULT_JOURNAL_SYNC) {
        pthread_mutex_lock(&g->mu);
        g->held++;
        pthread_cond_broadcast(&g->cv);
        while (g->shut) {
            pthread_cond_wait(&g->cv, &g->mu);
        }
        pthread_mutex_unlock(&g->mu);
    }
    return 0;
}

static void
gate_set(struct gate *g, bool shut)
{
    pthread_mutex_lock(&g->mu);
    g->shut = shut;
    if (shut) {
        g->held = 0;
    }
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Waits until the committer is held in its sync. */
static void
gate_wait_held(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    while (g->held == 0) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

struct answer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int rc;
    char text[512];
};

static void
answered(void *ctx, int rc, const char *out, size_t len)
{
    struct answer *a = ctx;
    pthread_mutex_lock(&a->mu);
    snprintf(a->text, sizeof a->text, "%.*s", (int)len, out);
    a->rc = rc;
    a->done = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

/* Runs cmd as userid (an exec on the user's own thread); false if it has
 * not answered within ms. */
static bool
exec_within(struct cpsys *e, const char *userid, const char *cmd, int ms, struct answer *a)
{
    *a = (struct answer){.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    assert_int_equal(cp_exec(e->sys, userid, cmd, strlen(cmd), answered, a), 0);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&a->mu);
    while (!a->done && pthread_cond_timedwait(&a->cv, &a->mu, &until) == 0) {
    }
    bool done = a->done;
    pthread_mutex_unlock(&a->mu);
    return done;
}

/* PURGE from the console, CLOSE READER PURGE and DIAG 0x014 CLOSE with
 * purge wait for the purge's fdatasync without holding the dispatcher:
 * while the store's commit is held in its fdatasync, the same user's
 * thread still answers an exec, the purged files are gone from QUERY
 * already, and the PURGE's answer comes only once the commit is durable. */
static void
test_purge_does_not_block(void **state)
{
    struct cpsys *e = *state;
    static struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct fterm *t = cpsys_logon(e, "CAROL");
    uint32_t a = feed(e, "CAROL", "ONE", "TEXT", 3);
    feed(e, "CAROL", "TWO", "TEXT", 1);
    cpsp_set_fault(e->svc.spool, gate_fault, &g);
    gate_set(&g, true);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "purge rdr %u 999999", a);
    fterm_type(t, cmd);
    gate_wait_held(&g);
    /* CAROL's own dispatcher thread is free: an exec of hers answers */
    struct answer ans;
    bool free_thread = exec_within(e, "CAROL", "QUERY FILES", 5000, &ans);
    if (!free_thread) {
        gate_set(&g, false); /* let the store go, so the test can end */
    }
    assert_true(free_thread);
    ASSERT_HAS(ans.text, "FILES: 0001 RDR");
    char *seen = fterm_text(t);
    assert_null(strstr(seen, "FILES PURGED"));
    free(seen);
    /* the commit is durable: now, and only now, the answer */
    gate_set(&g, false);
    wait_or_fail(t, "0001 FILES PURGED", 5000);
    seen = fterm_text(t);
    ASSERT_HAS(seen, "VMR302E"); /* 999999: not there */
    free(seen);
    /* a PURGE that finds nothing answers at once, without a commit */
    fterm_clear(t);
    fterm_type(t, "purge rdr class q");
    wait_or_fail(t, "0000 FILES PURGED", 5000);
    fterm_type(t, "purge rdr 999998");
    wait_or_fail(t, "VMR302E", 5000);
    cpsp_set_fault(e->svc.spool, NULL, NULL);
    fterm_type(t, "purge rdr all");
    wait_or_fail(t, "0001 FILES PURGED", 5000);
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: NO RDR, NO PRT, NO PUN");
    term_end(t, "logoff");
}

/* TRANSFER, CHANGE, ORDER, HOLD and FREE from the console answer as PURGE
 * does: the change shows at once, the user's thread stays free while the
 * commit is in its fdatasync, and the answer comes only once it is
 * durable. */
static void
test_changes_wait_for_durability(void **state)
{
    struct cpsys *e = *state;
    static struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct fterm *t = cpsys_logon(e, "CAROL");
    struct fterm *op = cpsys_logon(e, "OPER");
    uint32_t a = feed(e, "CAROL", "ONE", "TEXT", 2);
    uint32_t b = feed(e, "CAROL", "TWO", "TEXT", 1);
    char cmds[5][64], answers[5][32];
    struct fterm *who[5] = {t, t, op, op, t};
    snprintf(cmds[0], sizeof cmds[0], "change rdr %u class q name moved text", a);
    snprintf(answers[0], sizeof answers[0], "0001 FILES CHANGED");
    snprintf(cmds[1], sizeof cmds[1], "order rdr %u %u", b, a);
    snprintf(answers[1], sizeof answers[1], "0002 FILES ORDERED");
    snprintf(cmds[2], sizeof cmds[2], "hold carol rdr %u", b);
    snprintf(answers[2], sizeof answers[2], "0001 FILES HELD");
    snprintf(cmds[3], sizeof cmds[3], "free carol rdr %u", b);
    snprintf(answers[3], sizeof answers[3], "0001 FILES FREED");
    snprintf(cmds[4], sizeof cmds[4], "transfer rdr %u to bob", a);
    snprintf(answers[4], sizeof answers[4], "0001 FILES TRANSFERRED");
    static const char *const shows[5] = {"MOVED    TEXT", "TWO      TEXT", "TWO", "TWO", NULL};
    cpsp_set_fault(e->svc.spool, gate_fault, &g);
    for (int i = 0; i < 5; i++) {
        fterm_clear(who[i]);
        gate_set(&g, true);
        fterm_type(who[i], cmds[i]);
        gate_wait_held(&g);
        struct answer ans;
        bool free_thread = exec_within(e, "CAROL", "QUERY RDR", 5000, &ans);
        char *seen = fterm_text(who[i]);
        bool early = strstr(seen, answers[i]) != NULL;
        free(seen);
        if (!free_thread || early) {
            gate_set(&g, false); /* let the store go, so the test can end */
        }
        assert_true(free_thread);
        assert_false(early);
        if (shows[i]) {
            ASSERT_HAS(ans.text, shows[i]); /* the change shows before it is durable */
        } else {
            assert_null(strstr(ans.text, "MOVED"));
        }
        gate_set(&g, false);
        wait_or_fail(who[i], answers[i], 5000);
    }
    cpsp_set_fault(e->svc.spool, NULL, NULL);
    /* the first file is BOB's now, changed; the second still CAROL's, first */
    expect(e, "BOB", "QUERY RDR", 0, "MOVED    TEXT");
    expect(e, "CAROL", "QUERY RDR", 0, "TWO      TEXT");
    /* nothing matched: an answer at once, no commit; a missing spoolid: an error */
    fterm_clear(t);
    fterm_type(t, "change rdr class z class y");
    wait_or_fail(t, "0000 FILES CHANGED", 5000);
    fterm_type(t, "transfer rdr 999997 to bob");
    wait_or_fail(t, "VMR302E", 5000);
    fterm_type(t, "order rdr 999996");
    wait_or_fail(t, "VMR302E", 5000);
    fterm_type(t, "purge rdr all");
    wait_or_fail(t, "0001 FILES PURGED", 5000);
    expect(e, "BOB", "PURGE RDR ALL", 0, "0001 FILES PURGED");
    term_end(op, "logoff");
    term_end(t, "logoff");
}

/* The first file in folder dir whose name contains part; malloc'd
 * contents or NULL. */
static char *
find_output(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    if (!d) {
        return NULL;
    }
    struct dirent *de;
    char *text = NULL;
    while (!text && (de = readdir(d))) {
        if (strstr(de->d_name, part) && strstr(de->d_name, ".txt")) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            text = harness_slurp(path);
        }
    }
    closedir(d);
    return text;
}

/* System printers: START with classes, output in DATA/printer with a
 * separator page, the file purged; DRAIN, FLUSH, errors, privileges. */
static void
test_printers(void **state)
{
    struct cpsys *e = *state;
    struct spool *sp = cpsp_store(e->svc.spool);
    /* two printer files of ALICE: class A and class B */
    uint32_t ids[2];
    for (int i = 0; i < 2; i++) {
        struct spool_writer *w;
        struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PRT,
                                 .spclass = i ? 'B' : 'A', .fname = i ? "SECOND" : "FIRST",
                                 .ftype = "LISTING"};
        assert_int_equal(spool_writer_open(sp, &c, &w), 0);
        assert_int_equal(spool_writer_append(w, "line one", 8), 0);
        assert_int_equal(spool_writer_append(w, "line two", 8), 0);
        assert_int_equal(spool_writer_close(w, NULL, &ids[i]), 0);
    }
    expect(e, "ALICE", "QUERY PRINTER", 0, "FIRST    LISTING");
    expect(e, "CAROL", "START PRINTER 1", MSG_NOPRIV, "VMR006E");
    expect(e, "OPER", "START PRINTER 9", MSG_RANGE, "VMR009E");
    expect(e, "OPER", "START PRINTER 1 CLASS %", MSG_SPINVCLASS, "VMR309E");
    expect(e, "OPER", "DRAIN PRINTER 2", MSG_SPPRTSTATE, "VMR315E PRINTER 2 is not started");
    expect(e, "OPER", "START PRINTER 1 CLASS A", 0, "VMR312I PRINTER 1 STARTED CLASS A");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/printer", e->data);
    char *text = NULL;
    for (int i = 0; i < 500 && !(text = find_output(dir, "FIRST")); i++) {
        usleep(10000);
    }
    assert_non_null(text);
    ASSERT_HAS(text, "ALICE");
    ASSERT_HAS(text, "FIRST");
    ASSERT_HAS(text, "line one\nline two\n");
    free(text);
    /* printed files are purged; the class B file waits */
    struct spool_info fi;
    for (int i = 0; i < 500 && spool_query(sp, ids[0], &fi) == 0; i++) {
        usleep(10000);
    }
    assert_int_equal(spool_query(sp, ids[0], &fi), -ENOENT);
    assert_int_equal(spool_query(sp, ids[1], &fi), 0);
    assert_null(find_output(dir, "SECOND"));
    /* started again with class B it takes it */
    expect(e, "OPER", "START PRINTER 1 CLASS AB", 0, "PRINTER 1 STARTED CLASS AB");
    for (int i = 0; i < 500 && !(text = find_output(dir, "SECOND")); i++) {
        usleep(10000);
    }
    assert_non_null(text);
    free(text);
    expect(e, "OPER", "DRAIN PRINTER 1", 0, "PRINTER 1 DRAIN");
    expect(e, "OPER", "START 2 CLASS *", 0, "PRINTER 2 STARTED CLASS *");
    expect(e, "OPER", "FLUSH ALL", 0, "PRINTER 2 DRAIN");
    expect(e, "OPER", "FLUSH PRINTER 3", MSG_SPPRTSTATE, "not started");
    expect(e, "MAINT", "START PRINTER 3", 0, "PRINTER 3 STARTED CLASS A"); /* class A */
}

/* A guest calling DIAG 0x014 and 0x1000 with random arguments gets only
 * documented error codes, and CP stays up. */
static void
test_guest_fuzz(void **state)
{
    struct cpsys *e = *state;
    struct fterm *t = cpsys_logon(e, "DAVE");
    wait_or_fail(t, "SPUR FUZZ 0", 30000);
    wait_or_fail(t, "VMR150W", 10000); /* the guest ended: CP READ */
    expect(e, "MAINT", "QUERY NAMES", 0, "DAVE");
    term_end(t, "logoff");
}

static void
count_done(void *arg, int rc, uint32_t spoolid)
{
    int *n = arg;
    __atomic_add_fetch(n, rc == 0 ? 1 : 100000, __ATOMIC_SEQ_CST);
}

/* 10,000 files in one reader: QUERY READER lists them all quickly. */
static void
test_many_files(void **state)
{
    struct cpsys *e = *state;
    struct spool *sp = cpsp_store(e->svc.spool);
    int done = 0;
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        struct spool_writer *w;
        char fn[9];
        snprintf(fn, sizeof fn, "F%d", i);
        struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN, .fname = fn, .ftype = "DATA"};
        assert_int_equal(spool_writer_open(sp, &c, &w), 0);
        assert_int_equal(spool_writer_append(w, "x", 1), 0);
        assert_int_equal(spool_writer_close_async(w, "CAROL", count_done, &done), 0);
    }
    for (int i = 0; i < 3000 && __atomic_load_n(&done, __ATOMIC_SEQ_CST) < n; i++) {
        usleep(10000);
    }
    assert_int_equal(__atomic_load_n(&done, __ATOMIC_SEQ_CST), n);
    struct timespec t0, t1;
    int rc;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *out = run_cmd(e->sys, "CAROL", "QUERY READER", &rc);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(rc, 0);
    size_t lines = 0;
    for (char *p = out; *p; p++) {
        lines += *p == '\n';
    }
    assert_true(lines >= (size_t)n); /* a header and one line per file */
    ASSERT_HAS(out, "F9999    DATA");
    free(out);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("QUERY READER of %d files: %.1f ms\n", n, ms);
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: 10000 RDR");
    expect(e, "CAROL", "PURGE RDR ALL", 0, "10000 FILES PURGED");
}

/* The spool's space limit: a writer gets ENOSPC, nothing spooled is lost. */
static void
test_full_spool(void **state)
{
    struct cpsys *e = *state;
    uint32_t keep = feed(e, "CAROL", "KEEP", "ME", 10);
    /* reopen the store with a small limit (the system is not started yet
     * for this: shut it down, swap, start again) */
    assert_int_equal(cp_system_shutdown(e->sys, 5000), 0);
    cp_system_destroy(e->sys);
    cpsp_close(e->svc.spool);
    char err[256] = "";
    assert_int_equal(cpsp_open(e->data, false, 4096, &e->svc.spool, err, sizeof err), 0);
    cpsys_restart(e);
    /* the file closed before the restart is there */
    char cmd[64];
    snprintf(cmd, sizeof cmd, "Q RDR");
    expect(e, "CAROL", cmd, 0, "KEEP     ME");
    struct cpsp_feed *f = NULL;
    assert_int_equal(cpsp_feed_open(e->svc.spool, "CAROL", "BIG", "FILE", false, &f), 0);
    char line[1001];
    memset(line, 'y', 1000);
    line[1000] = '\n';
    int rc = 0;
    for (int i = 0; i < 100 && rc == 0; i++) {
        rc = cpsp_feed_write(f, line, sizeof line);
    }
    assert_int_equal(rc, -ENOSPC);
    cpsp_feed_discard(f);
    expect(e, "CAROL", "QUERY FILES", 0, "FILES: 0001 RDR");
    /* the old file reads back whole */
    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(cpsp_store(e->svc.spool), keep, "CAROL", &cur), 0);
    char buf[64];
    size_t len, recs = 0;
    while (spool_cursor_next(cur, buf, sizeof buf, &len) == 0) {
        recs++;
    }
    spool_cursor_close(cur);
    assert_int_equal(recs, 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_punch_to_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_fuzz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logged_on_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_spool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_disconnect_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge_does_not_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_wait_for_durability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_spool, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
