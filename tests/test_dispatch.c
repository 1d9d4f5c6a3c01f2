// SPDX-License-Identifier: MIT
/*
 * tests/test_dispatch.c - the scheduler's decisions (cp/sched.c), exactly:
 * SHARE 100,100,300,300 gives 1:1:3:3 in its own accounting, interactive
 * first, no credit for waiting, the Q1 lead limit; then the dispatcher
 * threads (cp/dispatch.c) with fake VMs: the same fairness through one
 * thread with simulated charges, timed waits that cost no CPU, mail run on
 * the VM's thread, kicks, timers, exit; and a two-thread smoke test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "cp/dispatch.h"
#include "cp/sched.h"

/* Counters shared between the dispatcher threads and the test thread. */
#define AINC(x) __atomic_add_fetch(&(x), 1, __ATOMIC_SEQ_CST)
#define ALOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define ASET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

/* ---- the pure scheduler ------------------------------------------------- */

static void
check_ratio(const uint64_t *got, const unsigned *shares, int n, double tolerance)
{
    uint64_t total = 0;
    unsigned stotal = 0;
    for (int i = 0; i < n; i++) {
        total += got[i];
        stotal += shares[i];
    }
    for (int i = 0; i < n; i++) {
        double want = (double)shares[i] / stotal;
        double have = (double)got[i] / (double)total;
        if (have < want - tolerance || have > want + tolerance) {
            fail_msg("VM %d: %.4f of the CPU, expected %.4f", i, have, want);
        }
    }
}

static void
test_sched_fairness(void **state)
{
    struct sched s;
    assert_int_equal(sched_init(&s), 0);
    static const unsigned shares[4] = {100, 100, 300, 300};
    struct sched_ent e[4];
    for (int i = 0; i < 4; i++) {
        sched_ent_init(&s, &e[i], shares[i]);
        sched_enqueue(&s, &e[i], false, false);
    }
    /* 8000 slices of 1 ms each: always busy */
    for (int k = 0; k < 8000; k++) {
        struct sched_ent *p = sched_pick(&s);
        assert_non_null(p);
        sched_charge(&s, p, 1000000);
        sched_enqueue(&s, p, false, false);
    }
    uint64_t got[4];
    for (int i = 0; i < 4; i++) {
        got[i] = e[i].charged_ns;
    }
    check_ratio(got, shares, 4, 0.001);
    /* and in every window of 80 slices, too (no long bursts) */
    uint64_t before[4];
    memcpy(before, got, sizeof before);
    for (int k = 0; k < 80; k++) {
        struct sched_ent *p = sched_pick(&s);
        sched_charge(&s, p, 1000000);
        sched_enqueue(&s, p, false, false);
    }
    for (int i = 0; i < 4; i++) {
        got[i] = e[i].charged_ns - before[i];
    }
    check_ratio(got, shares, 4, 0.02);
    sched_fini(&s);
}

static void
test_sched_uneven_slices(void **state)
{
    /* VMs that use different amounts of their slices still get CPU by
     * SHARE, since the charge is what they used */
    struct sched s;
    sched_init(&s);
    static const unsigned shares[3] = {100, 200, 100};
    static const uint64_t use[3] = {3000000, 1000000, 500000};
    struct sched_ent e[3];
    for (int i = 0; i < 3; i++) {
        sched_ent_init(&s, &e[i], shares[i]);
        sched_enqueue(&s, &e[i], false, false);
    }
    for (int k = 0; k < 20000; k++) {
        struct sched_ent *p = sched_pick(&s);
        sched_charge(&s, p, use[p - e]);
        sched_enqueue(&s, p, false, false);
    }
    uint64_t got[3] = {e[0].charged_ns, e[1].charged_ns, e[2].charged_ns};
    check_ratio(got, shares, 3, 0.01);
    sched_fini(&s);
}

static void
test_sched_interactive_first(void **state)
{
    struct sched s;
    sched_init(&s);
    struct sched_ent busy[3], user;
    for (int i = 0; i < 3; i++) {
        sched_ent_init(&s, &busy[i], 100);
        sched_enqueue(&s, &busy[i], false, false);
    }
    sched_ent_init(&s, &user, 100);
    /* run the busy ones a while */
    for (int k = 0; k < 30; k++) {
        struct sched_ent *p = sched_pick(&s);
        sched_charge(&s, p, 1000000);
        sched_enqueue(&s, p, false, false);
    }
    /* terminal input wakes `user`: it runs next, before all three */
    sched_enqueue(&s, &user, true, true);
    assert_int_equal(sched_q1_len(&s), 1);
    struct sched_ent *p = sched_pick(&s);
    assert_ptr_equal(p, &user);
    assert_int_equal(p->last, SCHED_Q1);
    sched_charge(&s, p, 300000);
    /* still busy after its slice: it goes on in Q2 with the others */
    sched_enqueue(&s, p, false, false);
    assert_int_equal(sched_q1_len(&s), 0);
    assert_int_equal(sched_q2_len(&s), 4);
    /* two woken by input: first come first served */
    struct sched_ent *a = sched_pick(&s);
    struct sched_ent *b = sched_pick(&s);
    sched_enqueue(&s, b, true, true);
    sched_enqueue(&s, a, true, true);
    assert_ptr_equal(sched_pick(&s), b);
    assert_ptr_equal(sched_pick(&s), a);
    /* promotion: input while already queued in Q2 */
    struct sched_ent *c = sched_pick(&s);
    sched_enqueue(&s, c, false, false);
    sched_promote(&s, c);
    assert_int_equal(c->queue, SCHED_Q1);
    assert_ptr_equal(sched_pick(&s), c);
    sched_fini(&s);
}

static void
test_sched_no_credit_for_waiting(void **state)
{
    struct sched s;
    sched_init(&s);
    struct sched_ent a, b, sleeper;
    sched_ent_init(&s, &a, 100);
    sched_ent_init(&s, &b, 100);
    sched_ent_init(&s, &sleeper, 100);
    sched_enqueue(&s, &a, false, false);
    sched_enqueue(&s, &b, false, false);
    for (int k = 0; k < 1000; k++) {
        struct sched_ent *p = sched_pick(&s);
        sched_charge(&s, p, 1000000);
        sched_enqueue(&s, p, false, false);
    }
    /* the sleeper wakes after 1 s of others' CPU: it joins at the virtual
     * time, so it gets its fair third from now on, not a 1 s burst */
    sched_enqueue(&s, &sleeper, false, true);
    int sleeper_runs = 0;
    for (int k = 0; k < 30; k++) {
        struct sched_ent *p = sched_pick(&s);
        if (p == &sleeper) {
            sleeper_runs++;
        }
        sched_charge(&s, p, 1000000);
        sched_enqueue(&s, p, false, false);
    }
    assert_in_range(sleeper_runs, 9, 11);
    sched_fini(&s);
}

static void
test_sched_q1_lead(void **state)
{
    struct sched s;
    sched_init(&s);
    struct sched_ent busy, typist;
    sched_ent_init(&s, &busy, 100);
    sched_ent_init(&s, &typist, 100);
    sched_enqueue(&s, &busy, false, false);
    /* a "typist" that is woken by input all the time and uses a lot of
     * CPU each time: once it is SCHED_Q1_LEAD ahead it loses Q1 */
    int q1 = 0, busy_runs = 0;
    for (int k = 0; k < 2000; k++) {
        if (typist.queue == SCHED_NONE) {
            sched_enqueue(&s, &typist, true, true);
        }
        struct sched_ent *p = sched_pick(&s);
        if (p == &typist && p->last == SCHED_Q1) {
            q1++;
        }
        if (p == &busy) {
            busy_runs++;
            sched_charge(&s, p, 1000000);
            sched_enqueue(&s, p, false, false);
        } else {
            sched_charge(&s, p, 1000000); /* then "waits" for more input */
        }
    }
    /* the busy VM still gets about half */
    assert_in_range(busy_runs, 900, 1100);
    assert_true(q1 > 0);
    sched_fini(&s);
}

static void
test_sched_remove_and_share(void **state)
{
    struct sched s;
    sched_init(&s);
    struct sched_ent e[40];
    for (int i = 0; i < 40; i++) {
        sched_ent_init(&s, &e[i], 100);
        sched_enqueue(&s, &e[i], i % 3 == 0, false);
    }
    for (int i = 0; i < 40; i += 2) {
        sched_remove(&s, &e[i]);
        assert_int_equal(e[i].queue, SCHED_NONE);
    }
    int n = 0;
    struct sched_ent *p;
    while ((p = sched_pick(&s))) {
        assert_true((p - e) % 2 == 1);
        n++;
    }
    assert_int_equal(n, 20);
    sched_set_share(&s, &e[0], 0);
    assert_int_equal(e[0].share, SCHED_SHARE_MIN);
    sched_set_share(&s, &e[0], 1000000);
    assert_int_equal(e[0].share, SCHED_SHARE_MAX);
    sched_fini(&s);
}

/* ---- the dispatcher with fake VMs ---------------------------------------- */

enum fake_kind { FAKE_BUSY, FAKE_TIMED, FAKE_EVENTS };

struct fake {
    struct disp_vm dv;
    struct disp *d;
    enum fake_kind kind;
    uint64_t sim_ns; /* charge per slice (simulated), 0 = real spin */
    int kicked;
    int slices, mails, exit_now, exited, yields;
    int mail_seq; /* slice_seq when its mail ran */
    int stop_after; /* busy: exit after this many slices (0 = never) */
    uint64_t period_ns; /* timed: wait this long each time */
    uint64_t last_wake, late_max;
    pthread_t mail_thread, run_thread;
    bool mail_marked; /* count_fn ran: the next slice checks its thread */
    int thread_checks, thread_mismatches;
    bool mail_thread_ok;
};

static void
spin_for(uint64_t ns, int *kicked)
{
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    for (;;) {
        if (__atomic_load_n(kicked, __ATOMIC_SEQ_CST)) {
            return;
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        uint64_t el = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ull + (uint64_t)b.tv_nsec -
                      (uint64_t)a.tv_nsec;
        if (el >= ns) {
            return;
        }
    }
}

/* Slices started by all fakes, in order (one dispatcher thread in the
 * tests that read it). */
static volatile int slice_seq;

static enum disp_result
fake_run(void *ctx, struct disp_slice *sl)
{
    struct fake *f = ctx;
    f->run_thread = pthread_self();
    if (f->mail_marked) {
        /* the mail just before this slice ran on this same thread */
        f->mail_marked = false;
        AINC(f->thread_checks);
        if (!pthread_equal(f->mail_thread, pthread_self())) {
            AINC(f->thread_mismatches);
        }
    }
    AINC(f->slices);
    __atomic_add_fetch(&slice_seq, 1, __ATOMIC_SEQ_CST);
    if (ALOAD(f->exit_now)) {
        return DISP_EXIT;
    }
    switch (f->kind) {
    case FAKE_BUSY:
        if (f->stop_after && ALOAD(f->slices) >= f->stop_after) {
            return DISP_EXIT;
        }
        if (f->sim_ns) {
            sl->charge_ns = f->sim_ns;
        } else {
            spin_for(sl->budget_ns, &f->kicked);
        }
        if (ALOAD(f->kicked)) {
            ASET(f->kicked, 0);
            AINC(f->yields);
            return DISP_YIELD;
        }
        return DISP_RUN_MORE;
    case FAKE_TIMED: {
        uint64_t now = disp_now();
        if (f->last_wake && now > f->last_wake) {
            uint64_t late = now - f->last_wake;
            if (late > f->late_max) {
                f->late_max = late;
            }
        }
        f->last_wake = now + f->period_ns;
        sl->wake_at = f->last_wake;
        return DISP_WAIT_UNTIL;
    }
    case FAKE_EVENTS:
        return DISP_WAIT;
    }
    return DISP_WAIT;
}

static void
fake_kick(void *ctx)
{
    ASET(((struct fake *)ctx)->kicked, 1);
}

static void
fake_exited(void *ctx)
{
    AINC(((struct fake *)ctx)->exited);
}

static const struct disp_vm_ops fake_ops = {fake_run, fake_kick, fake_exited};

struct count_work {
    struct disp_work w;
    struct fake *f;
};

static void
count_fn(struct disp_work *w, void *vmctx)
{
    struct fake *f = vmctx;
    ASET(f->mail_seq, __atomic_load_n(&slice_seq, __ATOMIC_SEQ_CST));
    AINC(f->mails);
    /* mail runs on the thread that then runs the VM's slice */
    f->mail_thread = pthread_self();
    f->mail_marked = true;
    free(w);
}

static void
exit_fn(struct disp_work *w, void *vmctx)
{
    ASET(((struct fake *)vmctx)->exit_now, 1);
    free(w);
}

static void
post(struct disp *d, struct fake *f, void (*fn)(struct disp_work *, void *), bool input)
{
    struct count_work *cw = calloc(1, sizeof *cw);
    cw->w.fn = fn;
    cw->f = f;
    assert_int_equal(disp_post(d, &f->dv, &cw->w, input), 0);
}

static void
wait_until(int *flag, int value)
{
    for (int i = 0; i < 5000 && __atomic_load_n(flag, __ATOMIC_SEQ_CST) < value; i++) {
        usleep(1000);
    }
    assert_true(__atomic_load_n(flag, __ATOMIC_SEQ_CST) >= value);
}

/* One thread, simulated charges: the dispatcher's decisions are exactly
 * the scheduler's, so SHARE 100,100,300,300 gives 1:1:3:3. */
static void
test_disp_fairness_one_thread(void **state)
{
    struct disp *d = disp_create(1, 1000000, NULL);
    assert_non_null(d);
    static const unsigned shares[4] = {100, 100, 300, 300};
    struct fake f[4];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 4; i++) {
        f[i].kind = FAKE_BUSY;
        f[i].sim_ns = 1000000;
        assert_int_equal(disp_vm_add(d, &f[i].dv, &fake_ops, &f[i], shares[i]), 0);
    }
    assert_int_equal(disp_start(d), 0);
    /* let it run 4000 slices in all */
    for (int i = 0; i < 5000; i++) {
        int total = ALOAD(f[0].slices) + ALOAD(f[1].slices) + ALOAD(f[2].slices) + ALOAD(f[3].slices);
        if (total >= 4000) {
            break;
        }
        usleep(1000);
    }
    disp_stop(d);
    uint64_t got[4];
    for (int i = 0; i < 4; i++) {
        struct disp_vm_info info;
        disp_vm_info(d, &f[i].dv, &info);
        got[i] = info.charged_ns;
        assert_int_equal(info.slices, (uint64_t)f[i].slices);
    }
    check_ratio(got, shares, 4, 0.005);
    disp_destroy(d);
}

static void
test_disp_waits_cost_nothing(void **state)
{
    struct disp *d = disp_create(2, 2000000, NULL);
    struct fake t = {.kind = FAKE_TIMED, .period_ns = 5000000};
    struct fake ev = {.kind = FAKE_EVENTS};
    assert_int_equal(disp_vm_add(d, &t.dv, &fake_ops, &t, 100), 0);
    assert_int_equal(disp_vm_add(d, &ev.dv, &fake_ops, &ev, 100), 0);
    uint64_t t0 = disp_now();
    assert_int_equal(disp_start(d), 0);
    usleep(200000);
    struct disp_info di;
    disp_info(d, &di);
    int ran = ALOAD(t.slices);
    uint64_t periods = (disp_now() - t0) / 5000000ull;
    /* the timed VM ran about every 5 ms: never more often, and not much
     * less often on a loaded machine */
    assert_true(ran >= 3 && (uint64_t)ran <= periods + 2);
    /* the event VM ran once (at add) and then waited */
    assert_int_equal(ALOAD(ev.slices), 1);
    /* nothing busy: the threads slept (CPU well under the wall time) */
    assert_true(di.busy_ns < 50000000ull);
    assert_int_equal(di.vms, 2);
    /* mail wakes it, runs on its thread, and it waits again */
    for (int i = 0; i < 50; i++) {
        post(d, &ev, count_fn, i % 2 == 0);
    }
    wait_until(&ev.mails, 50);
    usleep(10000);
    /* exit by mail: exited is called once, later mail is refused */
    post(d, &ev, exit_fn, false);
    wait_until(&ev.exited, 1);
    struct disp_work w = {0};
    assert_int_equal(disp_post(d, &ev.dv, &w, false), -ESRCH);
    disp_stop(d);
    assert_true(ALOAD(ev.thread_checks) >= 1);
    assert_int_equal(ALOAD(ev.thread_mismatches), 0);
    disp_info(d, &di);
    assert_int_equal(di.vms, 1);
    disp_destroy(d);
}

static void
test_disp_kick_and_interactive(void **state)
{
    /* one thread, two spinning VMs with long slices: mail to a third,
     * waiting VM is run promptly (Q1), and mail to a running VM kicks it */
    struct disp *d = disp_create(1, 200000000ull, NULL);
    struct fake a = {.kind = FAKE_BUSY}, b = {.kind = FAKE_BUSY};
    struct fake ev = {.kind = FAKE_EVENTS};
    disp_vm_add(d, &ev.dv, &fake_ops, &ev, 100);
    disp_vm_add(d, &a.dv, &fake_ops, &a, 100);
    disp_vm_add(d, &b.dv, &fake_ops, &b, 100);
    disp_start(d);
    wait_until(&a.slices, 1);
    /* a (or b) now spins for up to 200 ms of CPU; post to the running one */
    struct fake *running = ALOAD(b.slices) ? &b : &a;
    post(d, running, count_fn, true);
    wait_until(&running->mails, 1);
    /* the kick ended the 200 ms slice early (the fake saw the kick) */
    assert_true(ALOAD(running->yields) >= 1);
    /* input for the waiting VM: it runs before the spinning ones.  In the
     * order of slices (not wall time, which depends on the machine's
     * load): no new slice started between the post and its mail */
    int s0 = __atomic_load_n(&slice_seq, __ATOMIC_SEQ_CST);
    post(d, &ev, count_fn, true);
    wait_until(&ev.mails, 1);
    assert_true(ALOAD(ev.mail_seq) <= s0 + 1);
    struct disp_vm_info info;
    disp_vm_info(d, &ev.dv, &info);
    assert_true(info.q1_picks >= 1);
    ASET(a.exit_now, 1);
    ASET(b.exit_now, 1);
    ASET(a.kicked, 1);
    ASET(b.kicked, 1);
    wait_until(&a.exited, 1);
    wait_until(&b.exited, 1);
    disp_destroy(d);
}

/* Input for a waiting VM while the only thread runs a CPU-bound VM from Q2:
 * the busy VM's slice is ended at once (kicked), not run to its 200 ms. */
static void
test_disp_input_preempts_q2(void **state)
{
    struct disp *d = disp_create(1, 200000000ull, NULL);
    struct fake a = {.kind = FAKE_BUSY};
    struct fake ev = {.kind = FAKE_EVENTS};
    disp_vm_add(d, &ev.dv, &fake_ops, &ev, 100);
    disp_vm_add(d, &a.dv, &fake_ops, &a, 100);
    disp_start(d);
    wait_until(&a.slices, 2); /* a spins from Q2; ev waits */
    int y0 = ALOAD(a.yields);
    post(d, &ev, count_fn, true);
    wait_until(&ev.mails, 1);
    /* a saw a kick it did not ask for: its slice ended for ev */
    wait_until(&a.yields, y0 + 1);
    /* mail that is not input does not preempt */
    wait_until(&a.slices, ALOAD(a.slices) + 1);
    int y1 = ALOAD(a.yields);
    post(d, &ev, count_fn, false);
    wait_until(&ev.mails, 2);
    assert_int_equal(ALOAD(a.yields), y1);
    ASET(a.exit_now, 1);
    ASET(a.kicked, 1);
    wait_until(&a.exited, 1);
    disp_destroy(d);
}

struct tfire {
    struct disp_timer t;
    struct disp *d;
    int fired;
    int rearm;
};

static void
tfire_fn(struct disp_timer *t)
{
    struct tfire *tf = (struct tfire *)t;
    AINC(tf->fired);
    if (tf->rearm > 0) {
        tf->rearm--;
        disp_timer_arm(tf->d, t, disp_now() + 1000000);
    }
}

static void
test_disp_timers(void **state)
{
    struct disp *d = disp_create(1, 1000000, NULL);
    disp_start(d);
    struct tfire a = {.t.fn = tfire_fn, .d = d, .rearm = 3};
    struct tfire b = {.t.fn = tfire_fn, .d = d};
    struct tfire c = {.t.fn = tfire_fn, .d = d};
    disp_timer_arm(d, &a.t, disp_now() + 2000000);
    disp_timer_arm(d, &b.t, disp_now() + 1000000);
    disp_timer_arm(d, &c.t, disp_now() + 3000000000ull);
    disp_timer_cancel(d, &c.t);
    wait_until(&a.fired, 4);
    wait_until(&b.fired, 1);
    usleep(5000);
    assert_int_equal(ALOAD(a.fired), 4);
    assert_int_equal(ALOAD(b.fired), 1);
    assert_int_equal(ALOAD(c.fired), 0);
    struct disp_info di;
    disp_info(d, &di);
    assert_int_equal(di.timers, 0);
    disp_destroy(d);
}

/* Two threads, a mix of everything, for a short while: no hangs, everyone
 * makes progress, all mail is run, clean stop.  (Run it under the
 * sanitizers too.) */
static void
test_disp_smoke_threads(void **state)
{
    struct disp *d = disp_create(2, 1000000, NULL);
    struct fake busy[4];
    static const unsigned shares[4] = {100, 100, 300, 300};
    memset(busy, 0, sizeof busy);
    struct fake timed[3];
    memset(timed, 0, sizeof timed);
    struct fake ev[3];
    memset(ev, 0, sizeof ev);
    for (int i = 0; i < 4; i++) {
        busy[i].kind = FAKE_BUSY;
        disp_vm_add(d, &busy[i].dv, &fake_ops, &busy[i], shares[i]);
    }
    for (int i = 0; i < 3; i++) {
        timed[i].kind = FAKE_TIMED;
        timed[i].period_ns = 2000000 * (uint64_t)(i + 1);
        disp_vm_add(d, &timed[i].dv, &fake_ops, &timed[i], 100);
        ev[i].kind = FAKE_EVENTS;
        disp_vm_add(d, &ev[i].dv, &fake_ops, &ev[i], 100);
    }
    disp_start(d);
    for (int k = 0; k < 300; k++) {
        post(d, &ev[k % 3], count_fn, k % 2);
        if (k % 10 == 0) {
            disp_wake(d, &busy[k % 4].dv, true);
            disp_wake(d, &ev[k % 3].dv, false);
        }
        usleep(500);
    }
    for (int i = 0; i < 3; i++) {
        wait_until(&ev[i].mails, 100);
    }
    disp_stop(d);
    for (int i = 0; i < 4; i++) {
        assert_true(busy[i].slices > 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(timed[i].slices > 1);
    }
    /* the scheduler's own accounting: the 300s got more than the 100s */
    struct disp_vm_info i0, i2;
    disp_vm_info(d, &busy[0].dv, &i0);
    disp_vm_info(d, &busy[2].dv, &i2);
    assert_true(i2.charged_ns > i0.charged_ns);
    assert_true(i0.vcpu_ns > 0 && i0.tcpu_ns >= i0.vcpu_ns);
    disp_destroy(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched_fairness),
        cmocka_unit_test(test_sched_uneven_slices),
        cmocka_unit_test(test_sched_interactive_first),
        cmocka_unit_test(test_sched_no_credit_for_waiting),
        cmocka_unit_test(test_sched_q1_lead),
        cmocka_unit_test(test_sched_remove_and_share),
        cmocka_unit_test(test_disp_fairness_one_thread),
        cmocka_unit_test(test_disp_waits_cost_nothing),
        cmocka_unit_test(test_disp_kick_and_interactive),
        cmocka_unit_test(test_disp_input_preempts_q2),
        cmocka_unit_test(test_disp_timers),
        cmocka_unit_test(test_disp_smoke_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
