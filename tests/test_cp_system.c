// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_system.c - the system of logged-on users (cp/system*.c)
 * with fake directory, VM layer and terminals: the logon banner, every
 * reason a logon is refused (with its message id), disconnect and
 * reconnect, takeover, DISCONNECT, LOGOFF, FORCE, the idle and
 * disconnected-read timers, SHUTDOWN, the attention protocol, a reading
 * guest with type-ahead and #CP, SET RUN, AUTOLOG, and the audit trail.
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

#include "cp/system.h"
#include "tests/test_cp_fakes.h"
#include "tests/test_cp_harness.h"

static char *
read_log(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = harness_slurp(path);
    return s ? s : strdup("");
}

static bool
wait_state(struct fterm *t, const char *state, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        cp_session_pump(t->s);
        if (strcmp(cp_session_state(t->s), state) == 0) {
            return true;
        }
        usleep(2000);
    }
    return false;
}

static void
test_logon_banner_and_audit(void **state)
{
    char logdir[256];
    struct cp_system *sys = fake_system(NULL, logdir, sizeof logdir);
    struct fterm *t = fake_logon(sys, "alice");
    char *out = fterm_text(t);
    /* LOGMSG first, then LOGON AT in the configured time zone */
    char *w = strstr(out, "Welcome to the test system\n");
    char *l = strstr(out, "LOGON AT ");
    assert_non_null(w);
    assert_non_null(l);
    assert_true(w < l);
    ASSERT_HAS(l, " UTC ");
    /* VM's form: LOGON AT 09:26:11 UTC WEDNESDAY 11/25/26 */
    {
        unsigned hh, mi, ss, mo, dd, yy;
        char zone[8], day[16], nl;
        assert_int_equal(sscanf(l, "LOGON AT %u:%u:%u %7s %15s %u/%u/%u%c", &hh, &mi, &ss,
                                zone, day, &mo, &dd, &yy, &nl),
                         9);
        assert_true(mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && yy <= 99);
        assert_int_equal(nl, '\n');
    }
    {
        char hms[16], zone[16], date[40];
        setenv("TZ", "UTC", 1);
        tzset();
        cp_time_parts((time_t)1795598771, hms, sizeof hms, zone, sizeof zone, date,
                      sizeof date); /* 2026-11-25 09:26:11 UTC */
        assert_string_equal(hms, "09:26:11");
        assert_string_equal(date, "WEDNESDAY 11/25/26");
    }
    free(out);
    assert_string_equal(cp_session_userid(t->s), "ALICE");
    assert_string_equal(cp_session_state(t->s), "CP READ");
    assert_int_equal(cp_system_users(sys), 1);
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "LOGON    ALICE    from 127.0.0.1:5555");
    free(audit);
    char *log = read_log(logdir, "vmrv.log");
    ASSERT_HAS(log, "VMR201I  ALICE    ALICE logged on from 127.0.0.1:5555");
    ASSERT_HAS(log, "VMR210I"); /* started */
    free(log);
    cp_audit_bad_logon(sys, "MALLORY", "10.0.0.9", "wrong password");
    audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "BADLOGON MALLORY  from 10.0.0.9: wrong password");
    free(audit);
    fterm_bye(t);
    fake_system_end(sys);
}

static int
try_logon(struct cp_system *sys, const char *userid, char *why, size_t len)
{
    struct fterm *t = fterm_new();
    struct cp_session *s = NULL;
    int rc = cp_logon(sys, userid, "127.0.0.1:1", &fterm_ops, t, &s, why, len);
    if (rc == 0) {
        t->s = s;
        fterm_bye(t);
    } else {
        assert_null(s);
        fterm_free(t);
    }
    return rc;
}

static void
test_logon_refused(void **state)
{
    char logdir[256];
    struct cp_system *sys =
        fake_system("max_vms = 2\ncommitted_storage = 100M\n", logdir, sizeof logdir);
    char why[256];
    assert_int_equal(try_logon(sys, "NOSUCH", why, sizeof why), MSG_NOTINDIR);
    assert_string_equal(why, "VMR046E NOSUCH is not in the CP directory");
    assert_int_equal(try_logon(sys, "NOLOGU", why, sizeof why), MSG_NOLOG);
    ASSERT_HAS(why, "VMR052E");
    assert_int_equal(try_logon(sys, "BAD ID", why, sizeof why), MSG_INVUSER);
    assert_int_equal(try_logon(sys, "TOOLONGID", why, sizeof why), MSG_INVUSER);
    /* the one userid rule (vmrv/userid.h): no '_' or '-' */
    assert_int_equal(try_logon(sys, "A_B", why, sizeof why), MSG_INVUSER);
    assert_int_equal(try_logon(sys, "A-B", why, sizeof why), MSG_INVUSER);
    assert_int_equal(try_logon(sys, "DIRFAIL", why, sizeof why), MSG_LOGONFAIL);
    ASSERT_HAS(why, "VMR056E");
    /* 2G is more than the committed limit of 100M */
    assert_int_equal(try_logon(sys, "BIGUSER", why, sizeof why), MSG_COMMITTED);
    assert_string_equal(why, "VMR051E Logon refused: 2G more storage would pass the committed "
                             "limit of 100M");
    /* two users fill max_vms */
    struct fterm *a = fake_logon(sys, "ALICE");
    struct fterm *b = fake_logon(sys, "CAROL");
    assert_int_equal(try_logon(sys, "BOB", why, sizeof why), MSG_TOOMANY);
    assert_string_equal(why, "VMR050E Logon refused: 2 users are logged on, the limit is 2");
    /* reconnecting an existing user is not a new VM */
    cp_session_close(a->s);
    a->s = NULL;
    assert_int_equal(try_logon(sys, "ALICE", why, sizeof why), 0);
    char *log = read_log(logdir, "vmrv.log");
    ASSERT_HAS(log, "WARN  VMR050E  BOB      Logon refused: 2 users are logged on, the limit is 2");
    free(log);
    /* shutting down */
    cp_system_request_shutdown(sys, "TEST");
    assert_true(cp_system_wait(sys, 0));
    assert_int_equal(try_logon(sys, "DIRFAIL", why, sizeof why), MSG_LOGONFAIL);
    assert_int_equal(try_logon(sys, "BOB", why, sizeof why), MSG_SHUTTING);
    ASSERT_HAS(why, "VMR053E");
    assert_true(fterm_wait(b, "SYSTEM SHUTDOWN", 2000));
    fterm_bye(a);
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_disconnect_reconnect_takeover(void **state)
{
    char logdir[256];
    struct cp_system *sys = fake_system(NULL, logdir, sizeof logdir);
    struct fterm *t1 = fake_logon(sys, "ALICE");
    /* the connection goes: the user stays, disconnected */
    cp_session_close(t1->s);
    t1->s = NULL;
    int rc;
    char *out = run_cmd(sys, "CAROL", "Q ALICE", &rc);
    assert_string_equal(out, "ALICE    - DSC");
    free(out);
    /* logon again: reconnect, in CP READ */
    struct fterm *t2 = fterm_new();
    char why[256];
    assert_int_equal(cp_logon(sys, "ALICE", "10.1.1.1:7", &fterm_ops, t2, &t2->s, why, sizeof why),
                     0);
    assert_true(fterm_wait(t2, "RECONNECTED AT ", 2000));
    assert_string_equal(cp_session_state(t2->s), "CP READ");
    char *t = fterm_text(t2);
    assert_null(strstr(t, "LOGON AT")); /* no new logon banner */
    free(t);
    /* a third logon while connected: takeover */
    struct fterm *t3 = fterm_new();
    assert_int_equal(cp_logon(sys, "ALICE", "10.2.2.2:8", &fterm_ops, t3, &t3->s, why, sizeof why),
                     0);
    assert_true(fterm_wait(t3, "RECONNECTED AT", 2000));
    assert_true(fterm_wait_close(t2, 2000));
    char reason[200];
    assert_true(cp_session_closed(t2->s, reason, sizeof reason));
    assert_string_equal(reason, "VMR055W This session was taken over by a logon from 10.2.2.2:8");
    /* the old session's input and close do nothing to the new one */
    fterm_type(t2, "q names");
    cp_session_close(t2->s);
    t2->s = NULL;
    fterm_clear(t3);
    fterm_type(t3, "q names");
    assert_true(fterm_wait(t3, "ALICE    - SSH", 2000));
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "DISCONN  ALICE    connection closed");
    ASSERT_HAS(audit, "RECONN   ALICE    from 10.1.1.1:7");
    ASSERT_HAS(audit, "TAKEOVER ALICE    from 10.2.2.2:8");
    free(audit);
    /* DISCONNECT: the terminal is closed after DISCONNECT AT */
    fterm_type(t3, "disc");
    assert_true(fterm_wait(t3, "DISCONNECT AT ", 2000));
    assert_true(fterm_wait_close(t3, 2000));
    assert_true(cp_session_closed(t3->s, NULL, 0));
    cp_session_close(t3->s);
    t3->s = NULL;
    out = run_cmd(sys, "CAROL", "Q USERS", &rc);
    assert_string_equal(out, "1 USERS, 1 DISCONNECTED");
    free(out);
    fterm_bye(t1);
    fterm_bye(t2);
    fterm_bye(t3);
    fake_system_end(sys);
}

static void
test_logoff_and_force(void **state)
{
    char logdir[256];
    struct cp_system *sys = fake_system(NULL, logdir, sizeof logdir);
    struct fterm *a = fake_logon(sys, "ALICE");
    struct fterm *c = fake_logon(sys, "CAROL");
    struct fvm *fa = fake_vm("ALICE");
    fterm_type(a, "log");
    assert_true(fterm_wait(a, "CONNECT= 00:00:0", 2000));
    assert_true(fterm_wait(a, "LOGOFF AT ", 2000));
    assert_true(fterm_wait_close(a, 2000));
    char *t = fterm_text(a);
    /* CONNECT= ... VIRTCPU= ... TOTCPU= ... then LOGOFF AT */
    ASSERT_HAS(t, " VIRTCPU= 000:00.");
    ASSERT_HAS(t, " TOTCPU= 000:00.");
    assert_true(strstr(t, "CONNECT=") < strstr(t, "LOGOFF AT"));
    free(t);
    assert_true(wait_users(sys, 1, 2000));
    pthread_mutex_lock(&fake_lock);
    assert_true(fa->destroyed);
    pthread_mutex_unlock(&fake_lock);
    /* input after logoff goes nowhere */
    fterm_type(a, "q names");
    fterm_bye(a);
    /* FORCE by an operator */
    int rc;
    char *out = run_cmd(sys, "OPERATOR", "FORCE CAROL", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(out, "VMR061I CAROL is being forced off");
    free(out);
    assert_true(fterm_wait(c, "FORCED OFF BY OPERATOR", 2000));
    assert_true(fterm_wait(c, "LOGOFF AT", 2000));
    assert_true(fterm_wait_close(c, 2000));
    assert_true(wait_users(sys, 0, 2000));
    fterm_bye(c);
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "LOGOFF   ALICE    LOGOFF");
    ASSERT_HAS(audit, "FORCE    CAROL    by OPERATOR");
    ASSERT_HAS(audit, "LOGOFF   CAROL    FORCE by OPERATOR");
    free(audit);
    /* a user can log on again afterwards, as a new VM */
    struct fterm *a2 = fake_logon(sys, "ALICE");
    assert_ptr_not_equal(fake_vm("ALICE"), fa);
    fterm_bye(a2);
    fake_system_end(sys);
}

static void
test_idle_and_disconnect_timers(void **state)
{
    char logdir[256];
    struct cp_system *sys =
        fake_system("idle_disconnect = 1s\ndisconnect_timeout = 1s\n", logdir, sizeof logdir);
    /* connected and idle: disconnected after 1 s */
    struct fterm *a = fake_logon(sys, "ALICE");
    assert_true(fterm_wait(a, "VMR115I Disconnected after 1 second without input", 3000));
    assert_true(fterm_wait_close(a, 2000));
    cp_session_close(a->s);
    a->s = NULL;
    /* disconnected in CP READ (waiting for input): logged off after 1 s */
    assert_true(wait_users(sys, 0, 4000));
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "DISCONN  ALICE    idle");
    ASSERT_HAS(audit, "LOGOFF   ALICE    disconnected and waiting for input");
    free(audit);
    fterm_bye(a);
    /* a disconnected VM that runs (not reading) is not logged off */
    struct fterm *b = fake_logon(sys, "BOB");
    struct fvm *fb = fake_vm("BOB");
    assert_true(wait_int(&fb->ipls, 1, 2000));
    cp_session_close(b->s);
    b->s = NULL;
    usleep(2500000);
    assert_int_equal(cp_system_users(sys), 1);
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_shutdown(void **state)
{
    char logdir[256];
    struct cp_system *sys = fake_system(NULL, logdir, sizeof logdir);
    struct fterm *a = fake_logon(sys, "ALICE");
    struct fterm *b = fake_logon(sys, "BOB");
    struct fterm *c = fake_logon(sys, "CAROL");
    cp_session_close(c->s); /* one of them disconnected */
    c->s = NULL;
    assert_false(cp_system_wait(sys, 10));
    int rc;
    char *out = run_cmd(sys, "OPERATOR", "SHUTDOWN", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(out, "VMR121I System shutdown started by OPERATOR");
    free(out);
    assert_true(cp_system_wait(sys, 2000));
    assert_true(fterm_wait(a, "SYSTEM SHUTDOWN: you are being logged off", 2000));
    assert_true(fterm_wait(a, "LOGOFF AT", 2000));
    assert_true(fterm_wait(b, "LOGOFF AT", 2000));
    assert_true(fterm_wait_close(a, 2000));
    assert_true(fterm_wait_close(b, 2000));
    assert_true(wait_users(sys, 0, 2000));
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "SHUTDOWN -        by OPERATOR");
    ASSERT_HAS(audit, "LOGOFF   CAROL    SHUTDOWN");
    free(audit);
    fterm_bye(a);
    fterm_bye(b);
    fterm_bye(c);
    fake_system_end(sys); /* cp_system_shutdown: 0 users left */
}

static void
test_attention_protocol(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *b = fake_logon(sys, "BOB");
    struct fvm *f = fake_vm("BOB");
    assert_true(wait_int(&f->ipls, 1, 2000));
    assert_true(wait_state(b, "RUNNING", 2000));
    /* first: for the guest */
    cp_session_attention(b->s);
    assert_true(wait_int(&f->attentions, 1, 2000));
    assert_string_equal(cp_session_state(b->s), "RUNNING");
    /* second before the guest claims it: CP READ */
    cp_session_attention(b->s);
    assert_true(wait_state(b, "CP READ", 2000));
    assert_true(fterm_wait(b, "VMR114I CP READ", 2000));
    /* in CP READ an attention does nothing */
    cp_session_attention(b->s);
    usleep(20000);
    assert_int_equal(f->attentions, 2);
    /* BEGIN resumes */
    fterm_type(b, "b");
    assert_true(wait_state(b, "RUNNING", 2000));
    /* once the guest claimed it, the next attention is the guest's again */
    fake_vm_claim(f);
    cp_session_attention(b->s);
    assert_true(wait_int(&f->attentions, 3, 2000));
    usleep(20000);
    assert_string_equal(cp_session_state(b->s), "RUNNING");
    /* #CP alone enters CP READ too */
    fterm_type(b, "#cp");
    assert_true(wait_state(b, "CP READ", 2000));
    fterm_type(b, "begin");
    assert_true(wait_state(b, "RUNNING", 2000));
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_reading_guest(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *b = fake_logon(sys, "BOB");
    struct fvm *f = fake_vm("BOB");
    pthread_mutex_lock(&fake_lock);
    f->echo = true;
    pthread_mutex_unlock(&fake_lock);
    assert_true(wait_int(&f->ipls, 1, 2000));
    cp_user_wake(f->u); /* it may have run once before it became a reader */
    assert_true(wait_state(b, "VM READ", 2000));
    fterm_type(b, "hello there");
    assert_true(fterm_wait(b, "ECHO: hello there\n", 2000));
    assert_true(wait_state(b, "VM READ", 2000));
    /* #CP runs a CP command; the guest does not see it */
    fterm_type(b, "#CP Q STORAGE");
    assert_true(fterm_wait(b, "STORAGE = 32M", 2000));
    char *t = fterm_text(b);
    assert_null(strstr(t, "ECHO: #CP"));
    free(t);
    /* messages arrive between lines */
    int rc;
    free(run_cmd(sys, "ALICE", "MSG BOB are you there", &rc));
    assert_int_equal(rc, 0);
    assert_true(fterm_wait(b, "MSG FROM ALICE   : are you there\n", 2000));
    /* input wakes the reader first (Q1) */
    struct disp_vm_info info;
    fterm_type(b, "again");
    assert_true(fterm_wait(b, "ECHO: again\n", 2000));
    (void)info;
    char *out = run_cmd(sys, "BOB", "IND USER", &rc);
    ASSERT_HAS(out, "CONSOLE=VM READ");
    assert_null(strstr(out, " Q1=0 "));
    free(out);
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_set_run(void **state)
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
    /* CP READ with RUN OFF: the VM stops */
    fterm_type(b, "#cp");
    assert_true(wait_state(b, "CP READ", 2000));
    usleep(30000);
    pthread_mutex_lock(&fake_lock);
    int before = f->runs;
    pthread_mutex_unlock(&fake_lock);
    usleep(50000);
    pthread_mutex_lock(&fake_lock);
    assert_int_equal(f->runs, before);
    pthread_mutex_unlock(&fake_lock);
    /* RUN ON: it runs in CP READ too */
    fterm_type(b, "set run on");
    assert_true(wait_int(&f->runs, before + 5, 2000));
    fterm_type(b, "q set");
    assert_true(fterm_wait(b, "RUN ON", 2000));
    pthread_mutex_lock(&fake_lock);
    f->busy = false;
    pthread_mutex_unlock(&fake_lock);
    fterm_bye(b);
    fake_system_end(sys);
}

static void
test_autolog(void **state)
{
    char logdir[256];
    struct cp_system *sys = fake_system(NULL, logdir, sizeof logdir);
    int rc;
    char *out = run_cmd(sys, "OPERATOR", "AUTOLOG AUTO1", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(out, "VMR120I AUTO1 has been logged on");
    free(out);
    struct fvm *f = fake_vm("AUTO1");
    assert_non_null(f);
    assert_true(wait_int(&f->ipls, 1, 2000));
    assert_string_equal(f->last_parm, "AUTOPARM");
    out = run_cmd(sys, "CAROL", "Q NAMES", &rc);
    ASSERT_HAS(out, "AUTO1    - DSC");
    free(out);
    out = run_cmd(sys, "OPERATOR", "XAUTOLOG AUTO1", &rc);
    assert_int_equal(rc, MSG_ALREADY);
    free(out);
    char *audit = read_log(logdir, "audit.log");
    ASSERT_HAS(audit, "AUTOLOG  AUTO1    by OPERATOR");
    free(audit);
    /* a user logging on to an AUTOLOGged VM reconnects to it */
    struct fterm *t = fterm_new();
    char why[200];
    assert_int_equal(cp_logon(sys, "AUTO1", "x", &fterm_ops, t, &t->s, why, sizeof why), 0);
    assert_true(fterm_wait(t, "RECONNECTED AT", 2000));
    fterm_bye(t);
    fake_system_end(sys);
}

/* AUTOLOG typed at a console: the logon's directory read runs on an I/O
 * worker, so another user's command (on the one dispatcher) is answered
 * meanwhile; the issuer's own next line waits for the AUTOLOG's answer. */
static void
test_autolog_off_the_dispatcher(void **state)
{
    struct cp_system *sys = fake_system(NULL, NULL, 0);
    struct fterm *op = fake_logon(sys, "OPERATOR");
    struct fterm *carol = fake_logon(sys, "CAROL");
    assert_true(fterm_wait(op, "LOGON AT", 2000));
    assert_true(fterm_wait(carol, "LOGON AT", 2000));
    fterm_clear(op);
    fterm_clear(carol);
    __atomic_store_n(&fake_dir_delay_ms, 1500, __ATOMIC_RELAXED);
    fterm_type(op, "autolog auto1");
    fterm_type(op, "query time");
    usleep(100000);
    fterm_type(carol, "query time");
    /* CAROL is answered while the logon still reads the directory */
    assert_true(fterm_wait(carol, "TIME IS ", 1000));
    char *out = fterm_text(op);
    assert_null(strstr(out, "VMR120I"));
    free(out);
    assert_true(fterm_wait(op, "VMR120I AUTO1 has been logged on", 5000));
    assert_true(fterm_wait(op, "TIME IS ", 2000));
    __atomic_store_n(&fake_dir_delay_ms, 0, __ATOMIC_RELAXED);
    /* the operator's own next command came after the answer */
    out = fterm_text(op);
    assert_true(strstr(out, "VMR120I AUTO1 has been logged on") < strstr(out, "TIME IS "));
    free(out);
    fterm_bye(carol);
    /* refusals come back the same way */
    fterm_clear(op);
    fterm_type(op, "autolog nosuchus");
    assert_true(fterm_wait(op, "NOSUCHUS", 3000));
    /* an exec as the logged-on operator gets the answer when it is done */
    int rc;
    char *x = run_cmd(sys, "OPERATOR", "AUTOLOG ALICE", &rc);
    assert_int_equal(rc, 0);
    ASSERT_HAS(x, "VMR120I ALICE has been logged on");
    free(x);
    x = run_cmd(sys, "OPERATOR", "AUTOLOG ALICE", &rc);
    assert_int_equal(rc, MSG_ALREADY);
    free(x);
    fterm_bye(op);
    fake_system_end(sys);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logon_banner_and_audit),
        cmocka_unit_test(test_logon_refused),
        cmocka_unit_test(test_disconnect_reconnect_takeover),
        cmocka_unit_test(test_logoff_and_force),
        cmocka_unit_test(test_idle_and_disconnect_timers),
        cmocka_unit_test(test_shutdown),
        cmocka_unit_test(test_attention_protocol),
        cmocka_unit_test(test_reading_guest),
        cmocka_unit_test(test_set_run),
        cmocka_unit_test(test_autolog),
        cmocka_unit_test(test_autolog_off_the_dispatcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
