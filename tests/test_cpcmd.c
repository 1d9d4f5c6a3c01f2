// SPDX-License-Identifier: MIT
/*
 * tests/test_cpcmd.c - cmocka tests of the CP command processor
 * (cp/cpcmd*.c) on a real system with fake directory, VM and terminal:
 * the table and its abbreviations, privilege checks for every command and
 * operand, a message id for each bad operand, HELP for every command, SET
 * EMSG, the QUERY/INDICATE responses, messages between users, DISPLAY and
 * STORE, TRACE, IPL/SYSTEM/DEFINE/DETACH/LINK, QUERY TRANSLATION, and DIAG
 * 0x008 capture from inside a guest's slice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/cpcmd.h"
#include "tests/test_cp_fakes.h"

/* ---- the table -------------------------------------------------------------------- */

static void
check_table(const struct cpcmd_def *t)
{
    for (const struct cpcmd_def *d = t; d->name; d++) {
        assert_non_null(d->fn);
        assert_non_null(d->syntax);
        assert_non_null(d->help);
        assert_non_null(d->classes);
        assert_true(d->minabbr >= 1 && d->minabbr <= strlen(d->name));
        /* every row can be reached by its full name and its shortest form */
        if (cpcmd_find(t, d->name) != d) {
            fail_msg("%s is shadowed by %s", d->name, cpcmd_find(t, d->name)->name);
        }
        char shortest[16];
        snprintf(shortest, sizeof shortest, "%.*s", (int)d->minabbr, d->name);
        if (cpcmd_find(t, shortest) != d) {
            fail_msg("abbreviation %s of %s finds %s", shortest, d->name,
                     cpcmd_find(t, shortest) ? cpcmd_find(t, shortest)->name : "nothing");
        }
        /* one character less is not this row */
        if (d->minabbr > 1) {
            shortest[d->minabbr - 1] = '\0';
            assert_ptr_not_equal(cpcmd_find(t, shortest), d);
        }
        for (const char *c = d->classes; *c; c++) {
            assert_true(*c >= 'A' && *c <= 'Z');
        }
    }
}

static void
test_table(void **state)
{
    check_table(cpcmd_table);
    check_table(cpcmd_query_ops);
    check_table(cpcmd_set_ops);
    check_table(cpcmd_indicate_ops);
}

static void
test_abbreviations(void **state)
{
    static const struct {
        const char *word, *name;
    } cases[] = {
        {"Q", "QUERY"},      {"q", "QUERY"},      {"QUER", "QUERY"},   {"LOG", "LOGOFF"},
        {"LOGO", "LOGOFF"},  {"L", "LOGON"},      {"LOGON", "LOGON"},  {"LI", "LINK"},
        {"M", "MESSAGE"},    {"MSG", "MSG"},      {"MES", "MESSAGE"},  {"D", "DISPLAY"},
        {"DI", "DISPLAY"},   {"DISC", "DISCONNECT"}, {"B", "BEGIN"},   {"I", "IPL"},
        {"IND", "INDICATE"}, {"ST", "STORE"},     {"SM", "SMSG"},      {"SYS", "SYSTEM"},
        {"TR", "TRACE"},     {"W", "WARNING"},    {"DEF", "DEFINE"},   {"DET", "DETACH"},
        {"H", "HELP"},       {"FORCE", "FORCE"},  {"SET", "SET"},      {"XAUTO", "XAUTOLOG"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cpcmd_def *d = cpcmd_find(cpcmd_table, cases[i].word);
        if (!d || strcmp(d->name, cases[i].name) != 0) {
            fail_msg("%s found %s, expected %s", cases[i].word, d ? d->name : "nothing",
                     cases[i].name);
        }
    }
    static const char *const none[] = {"S", "DE", "FORC", "SHUT", "QUERYX", "AUTO", "SE", "X"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_null(cpcmd_find(cpcmd_table, none[i]));
    }
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "T")->name, "TIME");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "TR")->name, "TRACE");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "TRAN")->name, "TRANSLATION");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "STOR")->name, "STORAGE");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "SH")->name, "SHARE");
    assert_null(cpcmd_find(cpcmd_query_ops, "S"));
}

/* ---- privilege classes -------------------------------------------------------------- */

/* A transient user with exactly these classes (an exec context). */
static int
run_with_classes(struct cp_system *sys, uint32_t classes, const char *cmd, char *out, size_t len)
{
    struct cp_dirent de = {"PRIVTEST", false, classes, 32ull << 20, 0, 100, "", ""};
    struct cp_user *u = cp_user_alloc(sys, &de, true);
    struct cp_out o;
    cp_out_init(&o, u);
    int rc = cpcmd_run(u, cmd, strlen(cmd), CPCMD_EXEC, &o);
    snprintf(out, len, "%s", o.buf ? o.buf : "");
    cp_out_fini(&o);
    cp_user_put(u);
    return rc;
}

static void
check_privs(struct cp_system *sys, const struct cpcmd_def *t, const char *prefix, int *checked)
{
    for (const struct cpcmd_def *d = t; d->name; d++) {
        if (!d->classes[0]) {
            continue;
        }
        char cmd[64], out[2048];
        snprintf(cmd, sizeof cmd, "%s%s", prefix, d->name);
        uint32_t need = cp_classes_parse(d->classes);
        /* every class except the ones that may: refused with VMR006E */
        int rc = run_with_classes(sys, CP_CLASSES_ALL & ~need, cmd, out, sizeof out);
        if (rc != MSG_NOPRIV || !strstr(out, "VMR006E")) {
            fail_msg("'%s' for a user without %s: rc %d: %s", cmd, d->classes, rc, out);
        }
        /* no classes at all: refused too */
        rc = run_with_classes(sys, 0, cmd, out, sizeof out);
        assert_int_equal(rc, MSG_NOPRIV);
        /* each class that may: not refused for lack of class (a bad operand
         * keeps commands such as SHUTDOWN from really running) */
        snprintf(cmd, sizeof cmd, "%s%s !!", prefix, d->name);
        for (const char *c = d->classes; *c; c++) {
            rc = run_with_classes(sys, CP_CLASS(*c), cmd, out, sizeof out);
            if (rc == MSG_NOPRIV) {
                fail_msg("'%s' refused to class %c: %s", cmd, *c, out);
            }
        }
        (*checked)++;
    }
}

static void
test_privileges_every_command(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    int checked = 0;
    check_privs(sys, cpcmd_table, "", &checked);
    check_privs(sys, cpcmd_query_ops, "QUERY ", &checked);
    check_privs(sys, cpcmd_set_ops, "SET ", &checked);
    check_privs(sys, cpcmd_indicate_ops, "INDICATE ", &checked);
    assert_true(checked > 30);
    /* commands of any class work for everyone */
    char out[2048];
    assert_int_equal(run_with_classes(sys, 0, "QUERY NAMES", out, sizeof out), 0);
    assert_int_equal(run_with_classes(sys, 0, "HELP", out, sizeof out), 0);
    /* operand-level classes: MSG ALL needs B, INDICATE USER of another E,
     * QUERY SHARE of another A or E */
    struct fterm *bob = fake_logon(sys, "BOB");
    expect_id(sys, "ALICE", "MSG ALL hello", MSG_NOPRIV);
    expect_id(sys, "ALICE", "IND USER BOB", MSG_NOPRIV);
    expect_id(sys, "ALICE", "Q SHARE BOB", MSG_NOPRIV);
    free(expect_rc(sys, "ANALYST", "IND USER BOB", 0));
    free(expect_rc(sys, "OPERATOR", "Q SHARE BOB", 0));
    cp_session_close(bob->s);
    fterm_free(bob);
    fake_system_end(sys);
}

/* ---- bad operands ---------------------------------------------------------------------- */

static void
test_bad_operands(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fterm *maint = fake_logon(sys, "MAINT");
    static const struct {
        const char *user, *cmd;
        int num;
    } cases[] = {
        {"BOB", "FROB", MSG_UNKNOWN_CMD},
        {"BOB", "QUERY", MSG_MISSING},
        {"BOB", "QUERY !!!", MSG_INVOPT},
        {"BOB", "QUERY TIME NOW", MSG_EXTRA},
        {"BOB", "Q NOBODY", MSG_NOTLOGGEDON},
        {"BOB", "SET", MSG_MISSING},
        {"BOB", "SET COLOR RED", MSG_INVOPT},
        {"BOB", "SET MSG", MSG_MISSING},
        {"BOB", "SET MSG MAYBE", MSG_INVOPT},
        {"BOB", "SET EMSG LOUD", MSG_INVOPT},
        {"BOB", "SET EMSG", MSG_MISSING},
        {"BOB", "MSG", MSG_MISSING},
        {"BOB", "MSG ALICE", MSG_MISSING},
        {"BOB", "MSG TOOLONGUSERID hi", MSG_INVUSER},
        {"BOB", "MSG NOBODY hi", MSG_NOTLOGGEDON},
        {"BOB", "SMSG NOBODY hi", MSG_NOTLOGGEDON},
        {"BOB", "LOGOFF NOW", MSG_INVOPT},
        {"MAINT", "BEGIN", MSG_NOVM},
        {"BOB", "BEGIN NOW", MSG_EXTRA},
        {"BOB", "DISPLAY", MSG_MISSING},
        {"BOB", "DISPLAY GQQ", MSG_INVREG},
        {"BOB", "DISPLAY G 99", MSG_EXTRA},
        {"BOB", "DISPLAY ZZZZ", MSG_INVHEX},
        {"BOB", "DISPLAY 10.5000", MSG_RANGE},
        {"BOB", "DISPLAY 20-10", MSG_INVOPND},
        {"BOB", "DISPLAY FFFFFFFF", MSG_ADDR},
        {"BOB", "DISPLAY CSR MSTATUS", MSG_INVHEX},
        {"BOB", "DISPLAY CSR 300", MSG_INVREG},
        {"BOB", "STORE", MSG_MISSING},
        {"BOB", "STORE GA0", MSG_MISSING},
        {"BOB", "STORE GA0 XYZ", MSG_INVHEX},
        {"BOB", "STORE 2000", MSG_MISSING},
        {"BOB", "STORE 2000 ABC", MSG_INVHEX},
        {"BOB", "STORE FFFFFFFF 00", MSG_ADDR},
        {"BOB", "STORE CSR TIME 5", MSG_INVREG},
        {"BOB", "STORE PSW", MSG_MISSING},
        {"BOB", "TRACE", MSG_MISSING},
        {"BOB", "TRACE FOO", MSG_INVOPT},
        {"BOB", "IPL", MSG_MISSING},
        {"BOB", "IPL TOOLONGNAME", MSG_INVOPND},
        {"BOB", "IPL CMS FOO", MSG_INVOPT},
        {"BOB", "IPL CMS PARM", MSG_MISSING},
        {"BOB", "IPL BAD", MSG_IPLFAIL},
        {"BOB", "SYSTEM", MSG_MISSING},
        {"BOB", "SYSTEM FOO", MSG_INVOPT},
        {"BOB", "DEFINE", MSG_MISSING},
        {"BOB", "DEFINE T3390 200 10", MSG_NOTAVAIL},
        {"BOB", "DEFINE STORAGE", MSG_MISSING},
        {"BOB", "DEFINE STORAGE LOTS", MSG_INVSTOR},
        {"BOB", "DEFINE STORAGE 1T", MSG_INVSTOR},
        {"BOB", "DEFINE STORAGE 128M", MSG_MAXSTOR},
        {"BOB", "DETACH", MSG_MISSING},
        {"BOB", "DETACH 1000", MSG_INVDEV},
        {"BOB", "DETACH 192", MSG_NODEV},
        {"BOB", "LINK", MSG_MISSING},
        {"BOB", "LINK MAINT 190", MSG_MISSING},
        {"BOB", "LINK MAINT 190 XYZZ", MSG_INVDEV},
        {"BOB", "LINK MAINT 190 190 Q", MSG_INVOPT},
        {"BOB", "LINK MAINT 190 190 RR PASS", MSG_MISSING},
        {"BOB", "LINK MAINT 191 191", MSG_LINKFAIL},
        {"BOB", "HELP FROB", MSG_NOHELP},
        {"BOB", "HELP QUERY FROB", MSG_INVOPT},
        {"BOB", "LOGON BOB", MSG_ALREADY},
        {"MAINT", "FORCE", MSG_MISSING},
        {"MAINT", "FORCE A B", MSG_EXTRA},
        {"MAINT", "FORCE NOBODY", MSG_NOTLOGGEDON},
        {"MAINT", "FORCE BAD*ID", MSG_INVUSER},
        {"MAINT", "SET SHARE BOB 0", MSG_RANGE},
        {"MAINT", "SET SHARE BOB", MSG_MISSING},
        {"MAINT", "SET SHARE NOBODY 50", MSG_NOTLOGGEDON},
        {"MAINT", "SET LOGMSG", MSG_MISSING},
        {"MAINT", "AUTOLOG", MSG_MISSING},
        {"MAINT", "AUTOLOG BOB", MSG_ALREADY},
        {"MAINT", "AUTOLOG NOSUCH", MSG_NOTINDIR},
        {"MAINT", "WARNING BOB", MSG_MISSING},
        {"MAINT", "SHUTDOWN NOW", MSG_EXTRA},
        {"MAINT", "IND USER NOBODY", MSG_NOTLOGGEDON},
        {"MAINT", "IND FOO", MSG_INVOPT},
        /* an exec for a user who is not logged on */
        {"ALICE", "DISPLAY G", MSG_NOTLOGGEDON},
        {"ALICE", "LOGOFF", MSG_NOTLOGGEDON},
        {"ALICE", "Q STORAGE", MSG_NOTLOGGEDON},
        {"ALICE", "LOGON ALICE", MSG_NOTHERE},
        {"BOB", "DISCONNECT", MSG_NOTHERE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_id(sys, cases[i].user, cases[i].cmd, cases[i].num);
    }
    /* a line too long */
    char longline[CPCMD_LINE_MAX + 20];
    memset(longline, 'A', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    memcpy(longline, "MSG BOB ", 8);
    expect_id(sys, "BOB", longline, MSG_TOOLONG);
    /* an empty command does nothing */
    free(expect_rc(sys, "BOB", "   ", 0));
    /* not in the directory at all: cp_exec refuses */
    char *o = NULL;
    assert_int_equal(cp_exec_wait(sys, "STRANGER", "Q NAMES", &o), MSG_NOTINDIR);
    ASSERT_HAS(o, "VMR046E");
    free(o);
    cp_session_close(bob->s);
    cp_session_close(maint->s);
    fterm_free(bob);
    fterm_free(maint);
    fake_system_end(sys);
}

/* ---- HELP --------------------------------------------------------------------------------- */

static void
test_help_every_command(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    for (const struct cpcmd_def *d = cpcmd_table; d->name; d++) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "HELP %s", d->name);
        char *out = expect_rc(sys, "MAINT", cmd, 0);
        ASSERT_HAS(out, d->syntax);
        assert_true(strlen(out) > strlen(d->syntax) + 10);
        free(out);
        if (d->ops) {
            for (const struct cpcmd_def *op = d->ops; op->name; op++) {
                snprintf(cmd, sizeof cmd, "HELP %s %s", d->name, op->name);
                out = expect_rc(sys, "MAINT", cmd, 0);
                ASSERT_HAS(out, op->syntax);
                free(out);
            }
        }
    }
    /* HELP lists what the user may use */
    char *g = expect_rc(sys, "ALICE", "HELP", 0);
    ASSERT_HAS(g, "QUERY");
    ASSERT_HAS(g, "MESSAGE");
    assert_null(strstr(g, "SHUTDOWN"));
    assert_null(strstr(g, "FORCE"));
    free(g);
    char *a = expect_rc(sys, "MAINT", "H", 0);
    ASSERT_HAS(a, "SHUTDOWN");
    free(a);
    fake_system_end(sys);
}

/* ---- SET EMSG ----------------------------------------------------------------------------- */

static void
test_set_emsg(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    char *out = expect_rc(sys, "BOB", "FROB", MSG_UNKNOWN_CMD);
    assert_string_equal(out, "VMR001E Unknown CP command: FROB");
    free(out);
    free(expect_rc(sys, "BOB", "SET EMSG TEXT", 0));
    out = expect_rc(sys, "BOB", "FROB", MSG_UNKNOWN_CMD);
    assert_string_equal(out, "Unknown CP command: FROB");
    free(out);
    free(expect_rc(sys, "BOB", "SET EMSG CODE", 0));
    out = expect_rc(sys, "BOB", "FROB", MSG_UNKNOWN_CMD);
    assert_string_equal(out, "VMR001E");
    free(out);
    free(expect_rc(sys, "BOB", "SET EMSG OFF", 0));
    out = expect_rc(sys, "BOB", "FROB", MSG_UNKNOWN_CMD);
    assert_string_equal(out, ""); /* hidden, but the return code stays */
    free(out);
    out = expect_rc(sys, "BOB", "Q SET", 0);
    assert_string_equal(out, "MSG ON, WNG ON, EMSG OFF, IMSG ON, SMSG OFF, RUN OFF");
    free(out);
    /* the setting takes effect within the same SET command's own error */
    out = expect_rc(sys, "BOB", "SET EMSG ON", 0);
    free(out);
    /* IMSG OFF hides information messages */
    free(expect_rc(sys, "BOB", "SET IMSG OFF", 0));
    out = expect_rc(sys, "MAINT", "FORCE BOB", 0);
    ASSERT_HAS(out, "VMR061I");
    free(out);
    assert_true(fterm_wait_close(bob, 2000));
    char *t = fterm_text(bob);
    ASSERT_HAS(t, "FORCED OFF BY MAINT");
    free(t);
    cp_session_close(bob->s);
    fterm_free(bob);
    fake_system_end(sys);
}

/* ---- QUERY and INDICATE ---------------------------------------------------------------------- */

static void
test_queries(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fterm *alice = fake_logon(sys, "ALICE");
    char *out = expect_rc(sys, "BOB", "Q T", 0);
    ASSERT_HAS(out, "TIME IS ");
    ASSERT_HAS(out, " UTC ");
    ASSERT_HAS(out, "CONNECT= 00:00:0");
    ASSERT_HAS(out, "VIRTCPU= 000:00.");
    free(out);
    out = expect_rc(sys, "CAROL", "QUERY NAMES", 0);
    ASSERT_HAS(out, "BOB      - SSH");
    ASSERT_HAS(out, "ALICE    - SSH");
    free(out);
    out = expect_rc(sys, "CAROL", "Q USERS", 0);
    assert_string_equal(out, "2 USERS, 0 DISCONNECTED");
    free(out);
    out = expect_rc(sys, "CAROL", "Q bob", 0);
    assert_string_equal(out, "BOB      - SSH");
    free(out);
    out = expect_rc(sys, "BOB", "Q STOR", 0);
    assert_string_equal(out, "STORAGE = 32M");
    free(out);
    out = expect_rc(sys, "BOB", "Q V", 0);
    ASSERT_HAS(out, "STORAGE = 32M");
    ASSERT_HAS(out, "CONS 009 ON SSH 127.0.0.1:5555");
    ASSERT_HAS(out, "DASD 191 3390"); /* from the VM layer */
    free(out);
    out = expect_rc(sys, "BOB", "Q LOGMSG", 0);
    assert_string_equal(out, "Welcome to the test system");
    free(out);
    free(expect_rc(sys, "RESOP", "SET LOGMSG Maintenance at 18:00", 0));
    out = expect_rc(sys, "BOB", "Q LOGM", 0);
    assert_string_equal(out, "Welcome to the test system\nMaintenance at 18:00");
    free(out);
    free(expect_rc(sys, "RESOP", "SET LOGMSG OFF", 0));
    out = expect_rc(sys, "BOB", "Q LOGMSG", 0);
    assert_string_equal(out, "No log message is set");
    free(out);
    out = expect_rc(sys, "BOB", "Q CPLEVEL", 0);
    ASSERT_HAS(out, "VM/RV version " PACKAGE_VERSION ", system VMRV");
    free(out);
    out = expect_rc(sys, "MAINT", "Q PRIVCLAS", 0);
    assert_string_equal(out, "Privilege classes: current ABCDEFG, directory ABCDEFG");
    free(out);
    out = expect_rc(sys, "BOB", "Q SHARE", 0);
    assert_string_equal(out, "BOB      : SHARE RELATIVE 100");
    free(out);
    out = expect_rc(sys, "OPERATOR", "SET SHARE BOB RELATIVE 300", 0);
    ASSERT_HAS(out, "SHARE of BOB set to 300");
    free(out);
    out = expect_rc(sys, "OPERATOR", "Q SHARE BOB", 0);
    assert_string_equal(out, "BOB      : SHARE RELATIVE 300");
    free(out);
    out = expect_rc(sys, "BOB", "INDICATE", 0);
    ASSERT_HAS(out, "USERS 2, DISCONNECTED 0");
    ASSERT_HAS(out, "DISPATCHERS 1");
    ASSERT_HAS(out, "STORAGE COMMITTED 64M OF 64G");
    free(out);
    out = expect_rc(sys, "ALICE", "IND USER", 0);
    ASSERT_HAS(out, "USERID=ALICE STORAGE=32M SHARE=100");
    ASSERT_HAS(out, "CONSOLE=CP READ"); /* nothing IPLed */
    free(out);
    assert_true(wait_int(&fake_vm("BOB")->ipls, 1, 2000));
    out = expect_rc(sys, "BOB", "IND USER", 0);
    ASSERT_HAS(out, "USERID=BOB STORAGE=32M SHARE=300");
    ASSERT_HAS(out, "CONSOLE=RUNNING"); /* CMS was IPLed at logon */
    ASSERT_HAS(out, "VTIME=");
    free(out);
    /* a user who is not logged on may still ask about the system */
    out = expect_rc(sys, "CAROL", "Q TIME", 0);
    assert_null(strstr(out, "CONNECT="));
    free(out);
    expect_id(sys, "CAROL", "IND USER", MSG_NOTLOGGEDON);
    cp_session_close(bob->s);
    cp_session_close(alice->s);
    out = expect_rc(sys, "CAROL", "Q N", 0);
    ASSERT_HAS(out, "BOB      - DSC");
    free(out);
    out = expect_rc(sys, "CAROL", "Q USERS", 0);
    assert_string_equal(out, "2 USERS, 2 DISCONNECTED");
    free(out);
    fterm_free(bob);
    fterm_free(alice);
    fake_system_end(sys);
}

/* ---- messages between users ----------------------------------------------------------------- */

static void
test_messages(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fterm *alice = fake_logon(sys, "ALICE");
    free(expect_rc(sys, "MAINT", "MSG BOB Hello\x07 there", 0));
    assert_true(fterm_wait(bob, "MSG FROM MAINT   : Hello there\n", 2000));
    /* M abbreviation, to oneself with *, with #CP while the guest runs */
    fterm_type(bob, "#CP M * note to self");
    assert_true(fterm_wait(bob, "MSG FROM BOB     : note to self", 2000));
    /* MSG OFF: the sender is told */
    fterm_type(alice, "set msg off");
    usleep(50000);
    expect_id(sys, "BOB", "MSG ALICE hi", MSG_MSGOFF);
    /* WARNING still comes through MSG OFF; WARNING ALL from an operator */
    char *out = expect_rc(sys, "OPERATOR", "WARNING ALL System going down soon", 0);
    ASSERT_HAS(out, "Sent to 2 users");
    free(out);
    assert_true(fterm_wait(alice, "WNG FROM OPERATOR: System going down soon", 2000));
    assert_true(fterm_wait(bob, "WNG FROM OPERATOR: System going down soon", 2000));
    /* SMSG: refused unless SET SMSG ON; then shown on the console */
    expect_id(sys, "BOB", "SMSG ALICE ping", MSG_SMSGOFF);
    fterm_type(alice, "SET SMSG ON");
    usleep(50000);
    free(expect_rc(sys, "BOB", "SMSG ALICE ping", 0));
    assert_true(fterm_wait(alice, "SMSG FROM BOB     : ping", 2000));
    /* a disconnected user */
    cp_session_close(alice->s);
    alice->s = NULL;
    expect_id(sys, "MAINT", "WARNING ALICE are you there", MSG_DISCONNECTED);
    cp_session_close(bob->s);
    fterm_free(bob);
    fterm_free(alice);
    fake_system_end(sys);
}

/* ---- DISPLAY, STORE, TRACE, QUERY TRANSLATION ------------------------------------------------- */

static void
test_display_store(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    char *out = expect_rc(sys, "BOB", "STORE GA0 1234ABCD", 0);
    assert_string_equal(out, "X10 a0   = 000000001234ABCD");
    free(out);
    out = expect_rc(sys, "BOB", "D GA0", 0);
    assert_string_equal(out, "X10 a0   = 000000001234ABCD");
    free(out);
    out = expect_rc(sys, "BOB", "D G 10", 0);
    assert_string_equal(out, "X10 a0   = 000000001234ABCD");
    free(out);
    out = expect_rc(sys, "BOB", "D G", 0);
    ASSERT_HAS(out, "X08-11  s0   0000000000000000  s1   0000000000000000  a0   000000001234ABCD");
    free(out);
    /* x0 stays zero */
    free(expect_rc(sys, "BOB", "ST G0 5", 0));
    out = expect_rc(sys, "BOB", "D GZERO", 0);
    assert_string_equal(out, "X0  zero = 0000000000000000");
    free(out);
    /* storage */
    out = expect_rc(sys, "BOB", "STORE 2000 48656C6C6F 2C20", 0);
    assert_string_equal(out, "STORED 7 BYTES AT 00002000");
    free(out);
    out = expect_rc(sys, "BOB", "DISPLAY 2000.7", 0);
    assert_string_equal(out, "00002000  48656C6C 6F2C20                      *Hello, *");
    free(out);
    out = expect_rc(sys, "BOB", "D 1FF8-2017", 0);
    ASSERT_HAS(out, "00001FF8  00000000 00000000 48656C6C 6F2C2000  *........Hello, .*");
    ASSERT_HAS(out, "00002008  00000000 00000000 00000000 00000000  *................*");
    free(out);
    /* PSW and CSRs */
    free(expect_rc(sys, "BOB", "STORE PSW 80000", 0));
    out = expect_rc(sys, "BOB", "D PSW", 0);
    ASSERT_HAS(out, "PC=0000000000080000 PRIV=S");
    free(out);
    free(expect_rc(sys, "BOB", "ST CSR SSCRATCH 5A", 0));
    out = expect_rc(sys, "BOB", "D CSR sscratch", 0);
    assert_string_equal(out, "SSCRATCH   (140) = 000000000000005A");
    free(out);
    out = expect_rc(sys, "BOB", "D CSR", 0);
    ASSERT_HAS(out, "SSTATUS    (100)");
    ASSERT_HAS(out, "INSTRET    (C02)");
    free(out);
    /* the values really are in the fake CPU */
    struct fvm *f = fake_vm("BOB");
    assert_int_equal(f->cpu.x[10], 0x1234ABCD);
    assert_int_equal(f->cpu.pc, 0x80000);
    assert_memory_equal(f->st.mem + 0x2000, "Hello, ", 7);
    /* TRACE */
    out = expect_rc(sys, "BOB", "TRACE ECALL PROG", 0);
    assert_string_equal(out, "TRACE DIAGNOSE TRAPS");
    free(out);
    out = expect_rc(sys, "BOB", "TRACE PROG OFF EXT", 0);
    assert_string_equal(out, "TRACE DIAGNOSE INTERRUPTS");
    free(out);
    out = expect_rc(sys, "BOB", "TRACE EXT OFF", 0);
    assert_string_equal(out, "TRACE DIAGNOSE");
    free(out);
    free(expect_rc(sys, "BOB", "TRACE EXT", 0));
    out = expect_rc(sys, "BOB", "Q TRACE", 0);
    assert_string_equal(out, "TRACE DIAGNOSE INTERRUPTS");
    free(out);
    out = expect_rc(sys, "BOB", "TRACE INSTR TRAPS INT", 0);
    assert_string_equal(out, "TRACE INSTRUCTIONS DIAGNOSE TRAPS INTERRUPTS");
    free(out);
    out = expect_rc(sys, "BOB", "TRACE INS OFF TRAP OFF DIAG OFF", 0);
    assert_string_equal(out, "TRACE INTERRUPTS");
    free(out);
    out = expect_rc(sys, "BOB", "TRACE ALL", 0);
    assert_string_equal(out, "TRACE INSTRUCTIONS DIAGNOSE TRAPS INTERRUPTS");
    free(out);
    free(expect_rc(sys, "BOB", "TRACE END", 0));
    out = expect_rc(sys, "BOB", "Q TRACE", 0);
    assert_string_equal(out, "No trace is active");
    free(out);
    /* the teaching display */
    out = expect_rc(sys, "BOB", "Q TRANSLATION", 0);
    ASSERT_HAS(out, "basic blocks translated                   17");
    ASSERT_HAS(out, "instructions patched                       5");
    ASSERT_HAS(out, "8 ecall from U-mode");
    ASSERT_HAS(out, "interrupt supervisor timer");
    ASSERT_HAS(out, "DIAG 058 console"); /* the VM layer's lines */
    free(out);
    cp_session_close(bob->s);
    fterm_free(bob);
    fake_system_end(sys);
}

/* ---- the VM's life: IPL, SYSTEM, DEFINE STORAGE, DETACH, LINK ------------------------------- */

static void
test_vm_commands(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fvm *f = fake_vm("BOB");
    /* BOB's directory entry IPLs CMS at logon */
    assert_true(wait_int(&f->ipls, 1, 2000));
    assert_string_equal(f->last_ipl, "CMS");
    char *out = expect_rc(sys, "BOB", "IPL cms PARM autocr noprof", 0);
    free(out);
    assert_int_equal(f->ipls, 2);
    assert_string_equal(f->last_parm, "autocr noprof");
    out = expect_rc(sys, "BOB", "IND USER", 0);
    ASSERT_HAS(out, "CONSOLE=RUNNING");
    free(out);
    out = expect_rc(sys, "BOB", "SYSTEM CLEAR", 0);
    ASSERT_HAS(out, "VMR151I Storage cleared; the virtual machine is reset");
    free(out);
    assert_int_equal(f->clears, 1);
    expect_id(sys, "BOB", "BEGIN", MSG_NOVM); /* nothing to resume now */
    out = expect_rc(sys, "BOB", "DEFINE STORAGE 64M", 0);
    ASSERT_HAS(out, "VMR152I STORAGE = 64M");
    free(out);
    assert_int_equal(f->storage, 64ull << 20);
    out = expect_rc(sys, "BOB", "Q STORAGE", 0);
    assert_string_equal(out, "STORAGE = 64M");
    free(out);
    out = expect_rc(sys, "MAINT", "IND", 0);
    ASSERT_HAS(out, "STORAGE COMMITTED 64M OF 64G");
    free(out);
    out = expect_rc(sys, "BOB", "DETACH 191", 0);
    ASSERT_HAS(out, "VMR144I 191 detached");
    free(out);
    out = expect_rc(sys, "BOB", "LINK MAINT 190 190 RR", 0);
    ASSERT_HAS(out, "VMR145I MAINT 190 linked as 190 RR");
    free(out);
    cp_session_close(bob->s);
    fterm_free(bob);
    fake_system_end(sys);
}

static void
test_define_storage_committed(void **state)
{
    struct cp_system *sys = fake_system("committed_storage = 80M\n", NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fterm *alice = fake_logon(sys, "ALICE");
    /* 32M + 32M committed; growing BOB to 64M would make 96M > 80M */
    expect_id(sys, "BOB", "DEFINE STORAGE 64M", MSG_COMMITTED);
    char *out = expect_rc(sys, "BOB", "Q STORAGE", 0);
    assert_string_equal(out, "STORAGE = 32M");
    free(out);
    free(expect_rc(sys, "BOB", "DEFINE STORAGE 16M", 0));
    free(expect_rc(sys, "BOB", "DEFINE STORAGE 48M", 0));
    cp_session_close(bob->s);
    cp_session_close(alice->s);
    fterm_free(bob);
    fterm_free(alice);
    fake_system_end(sys);
}

/* ---- DIAG 0x008 ------------------------------------------------------------------------------- */

static void
diag(struct fvm *f, const char *cmd, size_t cap, bool console)
{
    pthread_mutex_lock(&fake_lock);
    snprintf(f->diag_cmd, sizeof f->diag_cmd, "%s", cmd);
    f->diag_cap = cap;
    f->diag_console = console;
    f->diag_pending = true;
    int want = f->diag_done + 1;
    pthread_mutex_unlock(&fake_lock);
    cp_user_wake(f->u);
    assert_true(wait_int(&f->diag_done, want, 3000));
}

static void
test_diag_capture(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *bob = fake_logon(sys, "BOB");
    struct fvm *f = fake_vm("BOB");
    assert_true(wait_int(&f->ipls, 1, 2000)); /* the guest runs */
    fterm_type(bob, "#CP BEGIN");               /* leave the CP READ of logon */
    usleep(50000);
    fterm_clear(bob);
    diag(f, "QUERY STORAGE", 0, false);
    assert_int_equal(f->diag_rc, 0);
    assert_string_equal(f->diag_resp, "STORAGE = 32M");
    assert_int_equal(f->diag_full, 13);
    /* the response is not on the console unless asked */
    usleep(20000);
    cp_session_pump(bob->s);
    char *t = fterm_text(bob);
    assert_null(strstr(t, "STORAGE = 32M"));
    free(t);
    /* truncated to the buffer, full length reported */
    diag(f, "Q STORAGE", 5, false);
    assert_string_equal(f->diag_resp, "STORA");
    assert_int_equal(f->diag_full, 13);
    /* several lines, separated by \n, no final line end */
    diag(f, "Q TIME", 0, false);
    ASSERT_HAS(f->diag_resp, "TIME IS ");
    ASSERT_HAS(f->diag_resp, "\nCONNECT= ");
    assert_int_not_equal(f->diag_resp[strlen(f->diag_resp) - 1], '\n');
    /* an error: CP's return code is the message number */
    diag(f, "FROB", 0, false);
    assert_int_equal(f->diag_rc, MSG_UNKNOWN_CMD);
    assert_string_equal(f->diag_resp, "VMR001E Unknown CP command: FROB");
    diag(f, "SET MSG FOO", 0, false);
    assert_int_equal(f->diag_rc, MSG_INVOPT);
    /* runs with the user's privileges */
    diag(f, "FORCE ALICE", 0, false);
    assert_int_equal(f->diag_rc, MSG_NOPRIV);
    /* to the console as well */
    diag(f, "Q STORAGE", 0, true);
    assert_true(fterm_wait(bob, "STORAGE = 32M", 2000));
    /* a command that changes the VM runs after the slice: IPL from DIAG */
    int before = f->ipls;
    diag(f, "IPL CMS PARM again", 0, false);
    assert_int_equal(f->diag_rc, 0);
    assert_true(wait_int(&f->ipls, before + 1, 2000));
    assert_string_equal(f->last_parm, "again");
    /* LOGOFF from DIAG: after the slice; the lines reach the terminal */
    diag(f, "LOGOFF", 0, false);
    assert_int_equal(f->diag_rc, 0);
    assert_true(fterm_wait(bob, "LOGOFF AT", 2000));
    assert_true(fterm_wait_close(bob, 2000));
    cp_session_close(bob->s);
    fterm_free(bob);
    fake_system_end(sys);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_privileges_every_command),
        cmocka_unit_test(test_bad_operands),
        cmocka_unit_test(test_help_every_command),
        cmocka_unit_test(test_set_emsg),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_display_store),
        cmocka_unit_test(test_vm_commands),
        cmocka_unit_test(test_define_storage_committed),
        cmocka_unit_test(test_diag_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
