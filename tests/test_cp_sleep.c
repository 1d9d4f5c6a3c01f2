// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_sleep.c - SLEEP (cp/cpcmd_sleep.c) and QUERY USERID on a
 * real system with the fake directory, VM layer and terminals: SLEEP's
 * operands, a console sleep ended by its time, by a typed line (which is
 * then taken as usual), by attention, messages shown during it, the VM not
 * run meanwhile, a disconnect and a FORCE in the middle, an exec's sleep
 * (and one cut short by logoff); QUERY USERID beside QUERY userid and the
 * other QUERY operands.  SLEEP from a program (DIAG 0x008) is in
 * tests/test_cp_cmds_vm.c, on the real VM layer.
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

#include "cp/cpcmd.h"
#include "tests/test_cp_fakes.h"

/* Is userid's console held by a sleep?  -1 if not logged on. */
static int
dormant(struct cp_system *sys, const char *userid)
{
    struct cp_user *u = cp_user_find(sys, userid, true);
    if (!u) {
        return -1;
    }
    int d = __atomic_load_n(&u->dormant, __ATOMIC_ACQUIRE);
    cp_user_put(u);
    return d;
}

/* Waits (pumping t) until dormant() is want; true if it was within ms. */
static bool
wait_dormant(struct cp_system *sys, struct fterm *t, const char *userid, int want, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        if (t && t->s) {
            cp_session_pump(t->s);
        }
        if (dormant(sys, userid) == want) {
            return true;
        }
        usleep(2000);
    }
    return false;
}

/* ---- operands ------------------------------------------------------------------------ */

static void
test_sleep_operands(void **state)
{
    assert_string_equal(cpcmd_find(cpcmd_table, "SL")->name, "SLEEP");
    assert_string_equal(cpcmd_find(cpcmd_table, "sleep")->name, "SLEEP");
    assert_null(cpcmd_find(cpcmd_table, "S"));
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *a = fake_logon(sys, "ALICE");
    expect_id(sys, "ALICE", "SLEEP X", MSG_INVOPND);
    expect_id(sys, "ALICE", "SLEEP 1X SEC", MSG_INVOPND);
    expect_id(sys, "ALICE", "SLEEP 5 YEARS", MSG_INVOPT);
    expect_id(sys, "ALICE", "SLEEP 100000 SEC", MSG_RANGE);
    expect_id(sys, "ALICE", "SLEEP 99999999999999999999 SEC", MSG_RANGE);
    expect_id(sys, "ALICE", "SLEEP 1 SEC NOW", MSG_EXTRA);
    /* nothing could wake an exec's sleep without a time */
    expect_id(sys, "ALICE", "SLEEP", MSG_NOTHERE);
    /* a user who is not logged on has no console to put to sleep */
    expect_id(sys, "CAROL", "SLEEP 1 SEC", MSG_NOTLOGGEDON);
    /* class G only */
    expect_id(sys, "ANALYST", "SLEEP 1 SEC", MSG_NOPRIV);
    /* 0 of any unit returns at once */
    uint64_t t0 = now_ms();
    free(expect_rc(sys, "ALICE", "SLEEP 0", 0));
    free(expect_rc(sys, "ALICE", "SL 0 HRS", 0));
    assert_true(now_ms() - t0 < 1000);
    /* HELP describes it */
    char *out = expect_rc(sys, "ALICE", "HELP SLEEP", 0);
    ASSERT_HAS(out, "SLEEP [n [SEC|MIN|HR]]  (abbreviation SL, class G)");
    free(out);
    fterm_bye(a);
    fake_system_end(sys);
}

/* ---- from the console ------------------------------------------------------------------ */

static void
test_sleep_console_time(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *a = fake_logon(sys, "ALICE");
    assert_string_equal(cp_session_state(a->s), "CP READ");
    uint64_t t0 = now_ms();
    fterm_type(a, "sleep 1 sec");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    /* a message is shown as it arrives; other channels go on working */
    int rc;
    free(run_cmd(sys, "BOB", "MSG ALICE wake up", &rc));
    assert_int_equal(rc, 0);
    assert_true(fterm_wait(a, "MSG FROM BOB     : wake up\n", 2000));
    assert_int_equal(dormant(sys, "ALICE"), 1);
    char *out = expect_rc(sys, "ALICE", "QUERY USERID", 0);
    ASSERT_HAS(out, "ALICE    AT ");
    free(out);
    /* its time: back in CP READ, where it was, with no output */
    assert_true(wait_dormant(sys, a, "ALICE", 0, 10000));
    uint64_t took = now_ms() - t0;
    assert_true(took >= 950);
    assert_true(took < 8000); /* a loaded machine */
    assert_string_equal(cp_session_state(a->s), "CP READ");
    char *t = fterm_text(a);
    assert_null(strstr(t, "VMR"));
    free(t);
    /* minutes are the default unit; the unit words */
    fterm_clear(a);
    fterm_type(a, "sl 1");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    usleep(1100 * 1000); /* not a second */
    assert_int_equal(dormant(sys, "ALICE"), 1);
    fterm_type(a, "");
    assert_true(wait_dormant(sys, a, "ALICE", 0, 2000));
    fterm_bye(a);
    fake_system_end(sys);
}

static void
test_sleep_console_line(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *a = fake_logon(sys, "ALICE");
    /* no time: until a line; the line is then the next command */
    fterm_type(a, "sleep");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    usleep(200 * 1000);
    assert_int_equal(dormant(sys, "ALICE"), 1);
    fterm_clear(a);
    fterm_type(a, "query userid");
    assert_true(wait_dormant(sys, a, "ALICE", 0, 2000));
    assert_true(fterm_wait(a, "ALICE    AT ", 2000));
    /* lines typed after SLEEP before it ran wake it at once */
    fterm_type(a, "sleep 10 min");
    fterm_type(a, "q userid");
    assert_true(fterm_wait(a, "ALICE    AT ", 2000));
    assert_true(wait_dormant(sys, a, "ALICE", 0, 2000));
    /* #CP on the line that wakes it: the command runs, after the wake */
    fterm_type(a, "sleep 10 min");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    fterm_clear(a);
    fterm_type(a, "#cp q userid");
    assert_true(wait_dormant(sys, a, "ALICE", 0, 2000));
    assert_true(fterm_wait(a, "ALICE    AT ", 2000));
    /* a SLEEP typed on the line that wakes one sleeps in turn */
    fterm_type(a, "sleep 10 min");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    fterm_type(a, "sleep 10 min");
    usleep(100 * 1000);
    assert_int_equal(dormant(sys, "ALICE"), 1);
    fterm_type(a, "");
    assert_true(wait_dormant(sys, a, "ALICE", 0, 2000));
    fterm_bye(a);
    fake_system_end(sys);
}

static void
test_sleep_guest(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *b = fake_logon(sys, "BOB");
    struct fvm *f = fake_vm("BOB");
    assert_true(wait_int(&f->ipls, 1, 2000));
    pthread_mutex_lock(&fake_lock);
    f->busy = true;
    pthread_mutex_unlock(&fake_lock);
    cp_user_wake(f->u);
    assert_true(wait_int(&f->runs, 5, 2000));
    /* #CP SLEEP while the guest runs: it does not run during the sleep */
    fterm_type(b, "#cp sleep 10 min");
    assert_true(wait_dormant(sys, b, "BOB", 1, 2000));
    usleep(30000);
    pthread_mutex_lock(&fake_lock);
    int before = f->runs;
    pthread_mutex_unlock(&fake_lock);
    usleep(100000);
    pthread_mutex_lock(&fake_lock);
    assert_int_equal(f->runs, before);
    int attns = f->attentions;
    pthread_mutex_unlock(&fake_lock);
    /* attention ends it, and is not the guest's; the guest goes on */
    cp_session_attention(b->s);
    assert_true(wait_dormant(sys, b, "BOB", 0, 2000));
    assert_true(wait_int(&f->runs, before + 5, 2000));
    pthread_mutex_lock(&fake_lock);
    assert_int_equal(f->attentions, attns);
    f->busy = false;
    f->echo = true;
    pthread_mutex_unlock(&fake_lock);
    assert_string_equal(cp_session_state(b->s), "RUNNING");
    /* in VM READ: the line that wakes it is the guest's */
    cp_user_wake(f->u);
    for (int i = 0; i < 1000 && strcmp(cp_session_state(b->s), "VM READ") != 0; i++) {
        usleep(2000);
    }
    assert_string_equal(cp_session_state(b->s), "VM READ");
    fterm_type(b, "#cp sleep");
    assert_true(wait_dormant(sys, b, "BOB", 1, 2000));
    fterm_type(b, "good morning");
    assert_true(wait_dormant(sys, b, "BOB", 0, 2000));
    assert_true(fterm_wait(b, "ECHO: good morning\n", 2000));
    assert_string_equal(cp_session_state(b->s), "VM READ");
    /* a message during a sleep in VM READ with a prompt open: shown at once */
    fterm_type(b, "#cp sleep 10 min");
    assert_true(wait_dormant(sys, b, "BOB", 1, 2000));
    fterm_clear(b);
    int rc;
    free(run_cmd(sys, "ALICE", "MSG BOB hello", &rc));
    assert_int_equal(rc, 0);
    assert_true(fterm_wait(b, "MSG FROM ALICE   : hello\n", 2000));
    cp_session_attention(b->s);
    assert_true(wait_dormant(sys, b, "BOB", 0, 2000));
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_sleep_disconnect_and_force(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *a = fake_logon(sys, "ALICE");
    /* a disconnect during a sleep: it runs out, the user stays */
    fterm_type(a, "sleep 1 sec");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    cp_session_close(a->s);
    a->s = NULL;
    assert_int_equal(dormant(sys, "ALICE"), 1);
    assert_true(wait_dormant(sys, NULL, "ALICE", 0, 10000));
    assert_int_equal(cp_system_users(sys), 1);
    /* reconnect: the console works */
    fterm_clear(a);
    char why[256];
    assert_int_equal(cp_logon(sys, "ALICE", "127.0.0.1:2", &fterm_ops, a, &a->s, why, sizeof why),
                     0);
    assert_true(fterm_wait(a, "RECONNECTED AT", 2000));
    fterm_type(a, "q userid");
    assert_true(fterm_wait(a, "ALICE    AT ", 2000));
    /* asleep, disconnected and forced off: gone, nothing left behind */
    fterm_type(a, "sleep");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    cp_session_close(a->s);
    a->s = NULL;
    free(expect_rc(sys, "OPERATOR", "FORCE ALICE", 0));
    assert_true(wait_users(sys, 0, 3000));
    /* asleep and connected, forced: the LOGOFF lines reach the terminal */
    fterm_clear(a);
    assert_int_equal(cp_logon(sys, "ALICE", "127.0.0.1:3", &fterm_ops, a, &a->s, why, sizeof why),
                     0);
    fterm_type(a, "sleep 10 min");
    assert_true(wait_dormant(sys, a, "ALICE", 1, 2000));
    free(expect_rc(sys, "OPERATOR", "FORCE ALICE", 0));
    assert_true(fterm_wait(a, "LOGOFF AT", 3000));
    assert_true(wait_users(sys, 0, 3000));
    fterm_bye(a);
    fake_system_end(sys);
}

/* ---- from an exec request ----------------------------------------------------------------- */

struct exec_result {
    pthread_mutex_t lock;
    int done, rc;
};

static void
exec_cb(void *ctx, int rc, const char *out, size_t len)
{
    struct exec_result *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->rc = rc;
    r->done++;
    pthread_mutex_unlock(&r->lock);
}

static void
test_sleep_exec(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *a = fake_logon(sys, "ALICE");
    /* the exec waits, the console does not */
    uint64_t t0 = now_ms();
    char *out = expect_rc(sys, "ALICE", "SLEEP 1 SEC", 0);
    uint64_t took = now_ms() - t0;
    assert_string_equal(out, "");
    free(out);
    assert_true(took >= 950 && took < 8000);
    assert_int_equal(dormant(sys, "ALICE"), 0);
    /* several at once, while the console works; then logoff answers the
     * ones still asleep */
    struct exec_result r = {PTHREAD_MUTEX_INITIALIZER, 0, -1};
    const char *cmd = "SLEEP 10 MIN";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cp_exec(sys, "ALICE", cmd, strlen(cmd), exec_cb, &r), 0);
    }
    fterm_type(a, "q userid");
    assert_true(fterm_wait(a, "ALICE    AT ", 2000));
    usleep(50000);
    pthread_mutex_lock(&r.lock);
    assert_int_equal(r.done, 0);
    pthread_mutex_unlock(&r.lock);
    fterm_type(a, "logoff");
    assert_true(wait_int_locked(&r.lock, &r.done, 3, 3000));
    assert_int_equal(r.rc, 0);
    assert_true(fterm_wait(a, "LOGOFF AT", 3000));
    assert_true(wait_users(sys, 0, 3000));
    fterm_bye(a);
    fake_system_end(sys);
}

/* ---- QUERY USERID --------------------------------------------------------------------------- */

static void
test_query_userid(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    const char *name = cp_system_config(sys)->system_name;
    char want[64];
    /* logged on or not, any class */
    char *out = expect_rc(sys, "ANALYST", "QUERY USERID", 0);
    snprintf(want, sizeof want, "ANALYST  AT %s", name);
    assert_string_equal(out, want);
    free(out);
    struct fterm *b = fake_logon(sys, "BOB");
    snprintf(want, sizeof want, "BOB      AT %s", name);
    out = expect_rc(sys, "BOB", "q userid", 0);
    assert_string_equal(out, want);
    free(out);
    fterm_type(b, "#cp query userid");
    assert_true(fterm_wait(b, want, 2000));
    /* it takes no operand */
    expect_id(sys, "BOB", "QUERY USERID BOB", MSG_EXTRA);
    /* the other operands and QUERY userid still match as before */
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "USERID")->name, "USERID");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "U")->name, "USERS");
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "USERS")->name, "USERS");
    assert_null(cpcmd_find(cpcmd_query_ops, "USERI"));
    assert_string_equal(cpcmd_find(cpcmd_query_ops, "LINK")->name, "LINKS");
    assert_null(cpcmd_find(cpcmd_query_ops, "LIN"));
    out = expect_rc(sys, "ALICE", "QUERY BOB", 0);
    assert_string_equal(out, "BOB      - SSH");
    free(out);
    expect_id(sys, "ALICE", "QUERY USERI", MSG_NOTLOGGEDON);
    out = expect_rc(sys, "ALICE", "Q U", 0);
    ASSERT_HAS(out, "1 USERS, 0 DISCONNECTED");
    free(out);
    out = expect_rc(sys, "ALICE", "HELP QUERY USERID", 0);
    ASSERT_HAS(out, "QUERY USERID  (class any)");
    free(out);
    fterm_bye(b);
    fake_system_end(sys);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sleep_operands),
        cmocka_unit_test(test_sleep_console_time),
        cmocka_unit_test(test_sleep_console_line),
        cmocka_unit_test(test_sleep_guest),
        cmocka_unit_test(test_sleep_disconnect_and_force),
        cmocka_unit_test(test_sleep_exec),
        cmocka_unit_test(test_query_userid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
