// SPDX-License-Identifier: MIT
/*
 * cp/dispatch.c - the dispatcher threads, the heap of wake times and the
 * mailboxes (see cp/dispatch.h for the VM life cycle and the locking).
 *
 * Every thread runs the same loop under the dispatcher lock: fire what is
 * due in the timer heap, pick the next VM (cp/sched.c), run its mail and
 * one slice without the lock, then account and requeue it or let it wait.
 * With nothing to do a thread sleeps on the condition variable until the
 * earliest wake time, so an idle system uses no CPU at all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp/dispatch.h"

#define IPS_INITIAL 200000000ull /* instructions per second, first guess */
#define IPS_MIN 1000000ull
#define IPS_MAX 20000000000ull

struct disp_thread {
    struct disp *d;
    pthread_t tid;
    unsigned idx;
    struct disp_vm *current;
};

struct disp {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* work or an earlier timer for idle threads */
    pthread_cond_t fired; /* a timer function returned */
    struct sched s;
    unsigned nthreads;
    struct disp_thread *threads;
    bool started, stop;
    unsigned running;
    size_t nvms;
    uint64_t slice_ns;
    uint64_t ips;
    struct disp_hooks hooks;
    /* timers: a min-heap by `when` */
    struct disp_timer **heap;
    size_t nt, tcap;
    struct disp_timer *firing;
    pthread_t firing_thread;
    uint64_t busy_ns, started_ns;
};

uint64_t
disp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct disp_vm *
vm_of(struct sched_ent *e)
{
    return (struct disp_vm *)((char *)e - offsetof(struct disp_vm, se));
}

/* ---- the timer heap (lock held) ------------------------------------------ */

static void
theap_set(struct disp *d, size_t i, struct disp_timer *t)
{
    d->heap[i] = t;
    t->idx = i;
}

static void
theap_up(struct disp *d, size_t i)
{
    struct disp_timer *t = d->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (d->heap[p]->when <= t->when) {
            break;
        }
        theap_set(d, i, d->heap[p]);
        i = p;
    }
    theap_set(d, i, t);
}

static void
theap_down(struct disp *d, size_t i)
{
    struct disp_timer *t = d->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= d->nt) {
            break;
        }
        if (c + 1 < d->nt && d->heap[c + 1]->when < d->heap[c]->when) {
            c++;
        }
        if (d->heap[c]->when >= t->when) {
            break;
        }
        theap_set(d, i, d->heap[c]);
        i = c;
    }
    theap_set(d, i, t);
}

static void
timer_remove_locked(struct disp *d, struct disp_timer *t)
{
    if (!t->armed) {
        return;
    }
    t->armed = false;
    size_t i = t->idx;
    d->nt--;
    if (i != d->nt) {
        struct disp_timer *m = d->heap[d->nt];
        theap_set(d, i, m);
        theap_down(d, i);
        if (m->idx == i) {
            theap_up(d, i);
        }
    }
}

/* 0, or -ENOMEM (the timer is not armed then). */
static int
timer_add_locked(struct disp *d, struct disp_timer *t, uint64_t when)
{
    timer_remove_locked(d, t);
    if (d->nt == d->tcap) {
        size_t ncap = d->tcap ? d->tcap * 2 : 64;
        struct disp_timer **h = realloc(d->heap, ncap * sizeof *h);
        if (!h) {
            return -ENOMEM;
        }
        d->heap = h;
        d->tcap = ncap;
    }
    t->when = when;
    t->armed = true;
    theap_set(d, d->nt++, t);
    theap_up(d, t->idx);
    if (t->idx == 0) {
        pthread_cond_signal(&d->cond); /* a sleeper may need to wake sooner */
    }
    return 0;
}

void
disp_timer_arm(struct disp *d, struct disp_timer *t, uint64_t when)
{
    pthread_mutex_lock(&d->lock);
    t->vm = NULL;
    if (timer_add_locked(d, t, when) < 0) {
        /* out of memory for the heap: fire it as soon as possible instead
         * of never; its owner re-checks its condition anyway */
        pthread_mutex_unlock(&d->lock);
        t->fn(t);
        return;
    }
    pthread_mutex_unlock(&d->lock);
}

void
disp_timer_cancel(struct disp *d, struct disp_timer *t)
{
    pthread_mutex_lock(&d->lock);
    do {
        timer_remove_locked(d, t);
        while (d->firing == t && !pthread_equal(d->firing_thread, pthread_self())) {
            pthread_cond_wait(&d->fired, &d->lock);
        }
    } while (t->armed); /* its function re-armed it while we waited */
    pthread_mutex_unlock(&d->lock);
}

/* ---- queueing (lock held) -------------------------------------------------- */

static void
queue_vm(struct disp *d, struct disp_vm *v, bool input, bool after_wait)
{
    v->state = DISP_QUEUED;
    sched_enqueue(&d->s, &v->se, input, after_wait);
    pthread_cond_signal(&d->cond);
}

/* Fires every due VM timer; returns the first due callback timer (taken
 * out of the heap) for the caller to run without the lock, or NULL. */
static struct disp_timer *
fire_due(struct disp *d, uint64_t now)
{
    while (d->nt > 0 && d->heap[0]->when <= now) {
        struct disp_timer *t = d->heap[0];
        timer_remove_locked(d, t);
        if (!t->vm) {
            return t;
        }
        struct disp_vm *v = t->vm;
        if (v->state == DISP_TIMED) {
            queue_vm(d, v, false, true);
        }
    }
    return NULL;
}

/* ---- VMs ---------------------------------------------------------------------- */

int
disp_vm_add(struct disp *d, struct disp_vm *v, const struct disp_vm_ops *ops, void *ctx,
            uint32_t share)
{
    pthread_mutex_lock(&d->lock);
    if (sched_reserve(&d->s, d->nvms + 1) < 0) {
        pthread_mutex_unlock(&d->lock);
        return -ENOMEM;
    }
    memset(v, 0, sizeof *v);
    sched_ent_init(&d->s, &v->se, share);
    v->ops = ops;
    v->ctx = ctx;
    v->timer.vm = v;
    d->nvms++;
    queue_vm(d, v, false, false);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* An interactive VM joined Q1 while every thread is busy: end the slice of
 * one VM that runs from Q2 (CPU-bound), so the interactive one runs within
 * a translated block rather than after a whole slice (interactive first). */
static void
preempt_for_q1_locked(struct disp *d, struct disp_vm *v)
{
    if (v->se.queue != SCHED_Q1 || d->running < d->nthreads) {
        return; /* not interactive, or an idle thread takes it */
    }
    for (unsigned i = 0; i < d->nthreads; i++) {
        struct disp_vm *r = d->threads[i].current;
        if (r && r->state == DISP_RUNNING && r->se.last == SCHED_Q2 && r->ops->kick) {
            r->ops->kick(r->ctx);
            return;
        }
    }
}

static void
wake_locked(struct disp *d, struct disp_vm *v, bool input)
{
    switch (v->state) {
    case DISP_TIMED:
        timer_remove_locked(d, &v->timer);
        /* fall through */
    case DISP_IDLE:
        queue_vm(d, v, input, v->waited);
        if (input) {
            preempt_for_q1_locked(d, v);
        }
        break;
    case DISP_QUEUED:
        if (input) {
            sched_promote(&d->s, &v->se);
            preempt_for_q1_locked(d, v);
        }
        break;
    case DISP_RUNNING:
        v->pending = true;
        v->pending_input |= input;
        break;
    case DISP_GONE:
        break;
    }
}

void
disp_wake(struct disp *d, struct disp_vm *v, bool input)
{
    pthread_mutex_lock(&d->lock);
    wake_locked(d, v, input);
    pthread_mutex_unlock(&d->lock);
}

int
disp_post(struct disp *d, struct disp_vm *v, struct disp_work *w, bool input)
{
    pthread_mutex_lock(&d->lock);
    if (v->state == DISP_GONE) {
        pthread_mutex_unlock(&d->lock);
        return -ESRCH;
    }
    w->next = NULL;
    if (v->mail_tail) {
        v->mail_tail->next = w;
    } else {
        v->mail = w;
    }
    v->mail_tail = w;
    if (v->state == DISP_RUNNING && v->ops->kick) {
        v->ops->kick(v->ctx);
    }
    wake_locked(d, v, input);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

void
disp_kick(struct disp *d, struct disp_vm *v)
{
    pthread_mutex_lock(&d->lock);
    if (v->state == DISP_RUNNING && v->ops->kick) {
        v->ops->kick(v->ctx);
    }
    pthread_mutex_unlock(&d->lock);
}

void
disp_vm_set_share(struct disp *d, struct disp_vm *v, uint32_t share)
{
    pthread_mutex_lock(&d->lock);
    sched_set_share(&d->s, &v->se, share);
    pthread_mutex_unlock(&d->lock);
}

void
disp_vm_info(struct disp *d, struct disp_vm *v, struct disp_vm_info *out)
{
    pthread_mutex_lock(&d->lock);
    out->state = v->state;
    out->share = v->se.share;
    out->vcpu_ns = v->vcpu_ns;
    out->tcpu_ns = v->tcpu_ns;
    out->charged_ns = v->se.charged_ns;
    out->slices = v->slices;
    out->waits = v->waits;
    out->q1_picks = v->se.q1_picks;
    out->q2_picks = v->se.q2_picks;
    pthread_mutex_unlock(&d->lock);
}

void
disp_info(struct disp *d, struct disp_info *out)
{
    pthread_mutex_lock(&d->lock);
    out->threads = d->nthreads;
    out->running = d->running;
    out->q1 = sched_q1_len(&d->s);
    out->q2 = sched_q2_len(&d->s);
    out->vms = d->nvms;
    out->timers = d->nt;
    out->busy_ns = d->busy_ns;
    out->started_ns = d->started_ns;
    pthread_mutex_unlock(&d->lock);
}

/* ---- the threads ------------------------------------------------------------- */

static void
run_mail(struct disp_work *w, void *ctx)
{
    while (w) {
        struct disp_work *next = w->next;
        w->fn(w, ctx); /* fn owns w now */
        w = next;
    }
}

/* After a slice (lock held): account, then requeue or park the VM.  For
 * DISP_EXIT the lock is dropped and retaken around the last calls. */
static void
after_slice(struct disp *d, struct disp_vm *v, enum disp_result r, const struct disp_slice *sl,
            uint64_t mail_ns, uint64_t run_ns, uint64_t wall_ns)
{
    uint64_t cp = sl->cp_ns < run_ns ? sl->cp_ns : run_ns;
    v->vcpu_ns += run_ns - cp;
    v->tcpu_ns += mail_ns + run_ns;
    d->busy_ns += mail_ns + run_ns;
    v->slices++;
    sched_charge(&d->s, &v->se, sl->charge_ns ? sl->charge_ns : mail_ns + run_ns);
    if (sl->insns > 0 && wall_ns > 1000) {
        uint64_t ips = sl->insns * 1000000000ull / wall_ns;
        ips = (d->ips * 7 + ips) / 8;
        d->ips = ips < IPS_MIN ? IPS_MIN : ips > IPS_MAX ? IPS_MAX : ips;
    }
    bool again = v->pending || v->mail != NULL;
    bool input = v->pending_input;
    v->pending = v->pending_input = false;
    v->waited = false;
    switch (r) {
    case DISP_RUN_MORE:
    case DISP_YIELD:
        queue_vm(d, v, input, false);
        break;
    case DISP_WAIT:
    case DISP_WAIT_UNTIL:
        if (again) {
            queue_vm(d, v, input, false);
            break;
        }
        v->waits++;
        v->waited = true;
        if (r == DISP_WAIT_UNTIL && sl->wake_at != UINT64_MAX) {
            if (sl->wake_at <= disp_now() || timer_add_locked(d, &v->timer, sl->wake_at) < 0) {
                queue_vm(d, v, false, true);
                break;
            }
            v->state = DISP_TIMED;
        } else {
            v->state = DISP_IDLE;
        }
        break;
    case DISP_EXIT: {
        v->state = DISP_GONE;
        timer_remove_locked(d, &v->timer);
        struct disp_work *mail = v->mail;
        v->mail = v->mail_tail = NULL;
        d->nvms--;
        const struct disp_vm_ops *ops = v->ops;
        void *ctx = v->ctx;
        pthread_mutex_unlock(&d->lock);
        run_mail(mail, ctx);
        if (ops->exited) {
            ops->exited(ctx); /* v may be freed from here on */
        }
        pthread_mutex_lock(&d->lock);
        break;
    }
    }
}

static void
idle_wait(struct disp *d)
{
    if (d->nt == 0) {
        pthread_cond_wait(&d->cond, &d->lock);
        return;
    }
    uint64_t when = d->heap[0]->when;
    struct timespec ts = {(time_t)(when / 1000000000ull), (long)(when % 1000000000ull)};
    pthread_cond_timedwait(&d->cond, &d->lock, &ts);
}

static void *
thread_main(void *arg)
{
    struct disp_thread *th = arg;
    struct disp *d = th->d;
    void *tctx = d->hooks.thread_start ? d->hooks.thread_start(d->hooks.ctx, th->idx) : NULL;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        struct disp_timer *t = fire_due(d, disp_now());
        if (t) {
            d->firing = t;
            d->firing_thread = pthread_self();
            pthread_mutex_unlock(&d->lock);
            t->fn(t);
            pthread_mutex_lock(&d->lock);
            d->firing = NULL;
            pthread_cond_broadcast(&d->fired);
            continue;
        }
        struct sched_ent *e = sched_pick(&d->s);
        if (!e) {
            idle_wait(d);
            continue;
        }
        struct disp_vm *v = vm_of(e);
        v->state = DISP_RUNNING;
        th->current = v;
        d->running++;
        struct disp_work *mail = v->mail;
        v->mail = v->mail_tail = NULL;
        struct disp_slice sl = {
            .budget_ns = d->slice_ns,
            .budget_insns = d->ips * d->slice_ns / 1000000000ull,
            .thread_ctx = tctx,
            .thread = th->idx,
            .wake_at = UINT64_MAX,
        };
        pthread_mutex_unlock(&d->lock);

        uint64_t c0 = thread_cpu_ns();
        run_mail(mail, v->ctx);
        uint64_t c1 = thread_cpu_ns(), w1 = disp_now();
        enum disp_result r = v->ops->run(v->ctx, &sl);
        uint64_t c2 = thread_cpu_ns(), w2 = disp_now();

        pthread_mutex_lock(&d->lock);
        th->current = NULL;
        d->running--;
        after_slice(d, v, r, &sl, c1 - c0, c2 - c1, w2 - w1);
    }
    pthread_mutex_unlock(&d->lock);
    if (d->hooks.thread_end) {
        d->hooks.thread_end(d->hooks.ctx, tctx);
    }
    return NULL;
}

struct disp *
disp_create(unsigned nthreads, uint64_t slice_ns, const struct disp_hooks *hooks)
{
    if (nthreads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n > 0 ? (unsigned)n : 1;
    }
    struct disp *d = calloc(1, sizeof *d);
    if (!d) {
        return NULL;
    }
    d->threads = calloc(nthreads, sizeof *d->threads);
    if (!d->threads || sched_init(&d->s) < 0) {
        free(d->threads);
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&d->fired, NULL);
    d->nthreads = nthreads;
    d->slice_ns = slice_ns ? slice_ns : 10000000ull;
    d->ips = IPS_INITIAL;
    if (hooks) {
        d->hooks = *hooks;
    }
    return d;
}

int
disp_start(struct disp *d)
{
    pthread_mutex_lock(&d->lock);
    if (d->started) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    d->stop = false;
    d->started = true;
    d->started_ns = disp_now();
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->nthreads; i++) {
        d->threads[i].d = d;
        d->threads[i].idx = i;
        int rc = pthread_create(&d->threads[i].tid, NULL, thread_main, &d->threads[i]);
        if (rc != 0) {
            pthread_mutex_lock(&d->lock);
            d->stop = true;
            pthread_cond_broadcast(&d->cond);
            pthread_mutex_unlock(&d->lock);
            for (unsigned j = 0; j < i; j++) {
                pthread_join(d->threads[j].tid, NULL);
            }
            d->started = false;
            return -rc;
        }
    }
    return 0;
}

void
disp_stop(struct disp *d)
{
    pthread_mutex_lock(&d->lock);
    if (!d->started) {
        pthread_mutex_unlock(&d->lock);
        return;
    }
    d->stop = true;
    for (unsigned i = 0; i < d->nthreads; i++) {
        struct disp_vm *v = d->threads[i].current;
        if (v && v->ops->kick) {
            v->ops->kick(v->ctx);
        }
    }
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->nthreads; i++) {
        pthread_join(d->threads[i].tid, NULL);
    }
    d->started = false;
}

void
disp_destroy(struct disp *d)
{
    if (!d) {
        return;
    }
    disp_stop(d);
    sched_fini(&d->s);
    free(d->heap);
    free(d->threads);
    pthread_cond_destroy(&d->cond);
    pthread_cond_destroy(&d->fired);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

unsigned
disp_threads(const struct disp *d)
{
    return d->nthreads;
}
