/* SPDX-License-Identifier: MIT */
/*
 * cp/dispatch.h - the dispatcher: N threads that run any number of VMs.
 *
 * A VM is anything with a `run` call that runs it for one time slice on the
 * calling thread and says why it stopped (the VM layer's slice call, or a
 * fake in the tests).  The dispatcher decides who runs next (cp/sched.h:
 * interactive first, then SHARE), keeps one heap of wake times for every
 * VM and every timer in the system, and carries work to a VM from other
 * threads through the VM's mailbox.
 *
 * Life of a VM in the dispatcher:
 *
 *            disp_vm_add
 *                 |
 *                 v         picked by a thread
 *   IDLE ----> QUEUED ---------------------------> RUNNING
 *    ^  wake/post  ^   RUN_MORE, YIELD, or a wake    |   |
 *    |             +--------- during the slice ------+   |
 *    |                                                   | WAIT
 *    +---------------------------------------------------+
 *    |        WAIT_UNTIL t: TIMED, in the heap, until t or a wake
 *    +------------------------------------------------------- EXIT -> gone
 *
 * A waiting VM costs no host CPU and arms no periodic timer: it is in no
 * queue, only (for a timed wait) in the one heap of wake times, and the
 * threads sleep on a condition variable until the earliest wake time.
 *
 * Mailbox: disp_post() appends work from any thread and ends the VM's
 * running slice (ops->kick, e.g. rv_cpu_kick); the dispatcher runs the work
 * on the thread that runs the VM, before its next slice, so only that
 * thread ever touches the VM's CPU state.
 *
 * Accounting: total CPU (thread CPU time of the mail and the slice) and
 * virtual CPU (the slice minus what the slice reports as CP work) per VM.
 *
 * Locking: one mutex for the dispatcher.  ops->kick is called with it held
 * (it must only set a flag); ops->run, ops->exited, work functions and
 * timer functions are called without it.  Never call disp_* functions
 * with a console lock held... except that none are needed there: the
 * console never calls the dispatcher (see cp/console.h).
 */
#ifndef CP_DISPATCH_H
#define CP_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/sched.h"

struct disp;

/* Why a slice ended. */
enum disp_result {
    DISP_RUN_MORE = 0, /* the slice ran out and the VM is still busy */
    DISP_YIELD, /* stopped early (kicked, mail) but ready to run */
    DISP_WAIT, /* waits for an event: disp_wake() or disp_post() */
    DISP_WAIT_UNTIL, /* waits until slice->wake_at, or an event */
    DISP_EXIT, /* done: remove it (ops->exited follows) */
};

/* What the dispatcher gives a slice, and what the slice reports. */
struct disp_slice {
    uint64_t budget_ns; /* in: the time slice */
    uint64_t budget_insns; /* in: an instruction budget for about budget_ns */
    void *thread_ctx; /* in: the running thread's hooks->thread_start value
                         (e.g. its struct rv_tlb) */
    unsigned thread; /* in: dispatcher thread number */
    uint64_t wake_at; /* out, WAIT_UNTIL: CLOCK_MONOTONIC ns */
    uint64_t insns; /* out: instructions retired (tunes budget_insns) */
    uint64_t cp_ns; /* out: of the slice, ns spent on CP work (hypercalls):
                       total CPU, not virtual */
    uint64_t charge_ns; /* out, optional: charge this much instead of the
                           measured CPU time (simulations in tests) */
};

struct disp_vm_ops {
    /* The dispatcher thread that picked the VM: run it for one slice. */
    enum disp_result (*run)(void *ctx, struct disp_slice *slice);
    /* Any thread, dispatcher lock held: make a running slice end soon.
     * May be NULL (then slices end only by themselves). */
    void (*kick)(void *ctx);
    /* After DISP_EXIT, on the dispatcher thread, without the lock: the
     * dispatcher is done with the VM (no more calls, mail is refused).
     * Unclaimed mail was already run.  May be NULL. */
    void (*exited)(void *ctx);
};

/* One piece of work for a VM.  The sender allocates it; fn owns it (frees
 * or reuses it).  fn runs on the thread that runs the VM. */
struct disp_work {
    struct disp_work *next;
    void (*fn)(struct disp_work *w, void *vm_ctx);
};

/* A timer in the one heap.  fn runs on a dispatcher thread without the
 * lock; it may re-arm its timer.  The owner must cancel it before freeing
 * it (disp_timer_cancel waits for a running fn to finish, unless called by
 * that fn). */
struct disp_timer {
    uint64_t when; /* CLOCK_MONOTONIC ns */
    void (*fn)(struct disp_timer *t);
    void *arg; /* the owner's */
    /* private */
    size_t idx;
    bool armed;
    struct disp_vm *vm; /* set for a VM's own wake timer */
};

enum disp_state { DISP_IDLE = 0, DISP_QUEUED, DISP_RUNNING, DISP_TIMED, DISP_GONE };

/* One VM as the dispatcher sees it: embed it in the VM's own struct.  The
 * fields are the dispatcher's (read them with disp_vm_info). */
struct disp_vm {
    struct sched_ent se;
    const struct disp_vm_ops *ops;
    void *ctx;
    enum disp_state state;
    bool pending; /* woken while RUNNING */
    bool pending_input; /* ... by terminal input */
    bool waited; /* its last slice ended in a wait */
    struct disp_work *mail, *mail_tail;
    struct disp_timer timer;
    uint64_t vcpu_ns, tcpu_ns;
    uint64_t slices, waits;
};

/* Per-thread setup, e.g. a software TLB per dispatcher thread. */
struct disp_hooks {
    void *ctx;
    void *(*thread_start)(void *ctx, unsigned thread); /* may be NULL */
    void (*thread_end)(void *ctx, void *thread_ctx); /* may be NULL */
};

/* A dispatcher with nthreads threads (0 = one per online core) and the
 * given time slice.  hooks may be NULL.  Threads start with disp_start.
 * NULL on out of memory. */
struct disp *disp_create(unsigned nthreads, uint64_t slice_ns, const struct disp_hooks *hooks);

/* Starts the threads.  0 or -errno. */
int disp_start(struct disp *d);

/* Stops and joins the threads (a running slice finishes first; VMs are
 * kicked).  VMs stay registered; timers stay armed.  Idempotent. */
void disp_stop(struct disp *d);

/* Frees the dispatcher (after disp_stop).  VMs still registered are
 * dropped without ops->exited. */
void disp_destroy(struct disp *d);

unsigned disp_threads(const struct disp *d);

/* Registers a VM and queues it (its run is called soon, so it can start).
 * v is the caller's memory; it must stay valid until ops->exited or
 * disp_destroy.  0 or -ENOMEM. */
int disp_vm_add(struct disp *d, struct disp_vm *v, const struct disp_vm_ops *ops, void *ctx,
                uint32_t share);

/* Any thread: something the VM waits for happened.  input: terminal input
 * (the VM goes to Q1).  A running VM runs again after its slice. */
void disp_wake(struct disp *d, struct disp_vm *v, bool input);

/* Any thread: queues work for the VM, wakes it and ends its running slice.
 * input: it came from the user's terminal (Q1).  0, or -ESRCH if the VM
 * has exited (the caller keeps w). */
int disp_post(struct disp *d, struct disp_vm *v, struct disp_work *w, bool input);

/* Any thread: ends the VM's slice soon if it is running now (ops->kick,
 * under the lock, so never on a VM that has exited). */
void disp_kick(struct disp *d, struct disp_vm *v);

void disp_vm_set_share(struct disp *d, struct disp_vm *v, uint32_t share);

struct disp_vm_info {
    enum disp_state state;
    uint32_t share;
    uint64_t vcpu_ns, tcpu_ns;
    uint64_t charged_ns;
    uint64_t slices, waits, q1_picks, q2_picks;
};
void disp_vm_info(struct disp *d, struct disp_vm *v, struct disp_vm_info *out);

struct disp_info {
    unsigned threads, running;
    size_t q1, q2, vms, timers;
    uint64_t busy_ns; /* CPU used by all slices and mail so far */
    uint64_t started_ns; /* CLOCK_MONOTONIC at disp_start */
};
void disp_info(struct disp *d, struct disp_info *out);

/* Timers (any thread).  Arming an armed timer moves it. */
void disp_timer_arm(struct disp *d, struct disp_timer *t, uint64_t when);
void disp_timer_cancel(struct disp *d, struct disp_timer *t);

/* CLOCK_MONOTONIC in ns. */
uint64_t disp_now(void);

#endif /* CP_DISPATCH_H */
