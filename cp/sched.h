/* SPDX-License-Identifier: MIT */
/*
 * cp/sched.h - the scheduling decisions of the dispatcher, with no threads
 * and no clock, so they can be tested exactly.
 *
 * Two queues, as VM's Q1 and Q2:
 *
 *   Q1  interactive: a VM woken by terminal input (or a CP command typed at
 *       its console) runs before every CPU-bound VM, first come first
 *       served.  It gets one slice there; if it is still busy after that it
 *       goes on in Q2.
 *   Q2  everyone else that is ready to run, by virtual time (stride
 *       scheduling): each VM's `pass` grows by the CPU it used divided by
 *       its SHARE, and the VM with the smallest pass runs next.  So busy
 *       VMs get CPU in proportion to SHARE (100, 100, 300, 300 -> 1:1:3:3).
 *
 * A VM that has waited (console read, wfi, I/O) rejoins at the current
 * virtual time, not at its old pass: waiting earns no credit to spend on
 * a burst later.  Q1 is not a way around SHARE either: a VM whose pass is
 * more than SCHED_Q1_LEAD ahead of the virtual time joins Q2 even when
 * woken by input, so a script that types all the time cannot starve the
 * CPU-bound users.
 *
 * Not thread-safe: the dispatcher calls it under its own lock.
 */
#ifndef CP_SCHED_H
#define CP_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_SHARE_DEFAULT 100
#define SCHED_SHARE_MIN 1
#define SCHED_SHARE_MAX 10000
/* How far (in ns of CPU at SHARE 100) an interactive VM may be ahead of
 * the virtual time and still enter Q1. */
#define SCHED_Q1_LEAD 200000000ull

enum sched_queue { SCHED_NONE = 0, SCHED_Q1, SCHED_Q2 };

struct sched_ent {
    uint64_t pass; /* virtual time of this VM */
    uint32_t share;
    enum sched_queue queue; /* where it waits now (NONE: not queued) */
    enum sched_queue last; /* where it was picked from */
    size_t idx; /* position in the Q2 heap */
    uint64_t seq; /* arrival order, to break ties */
    struct sched_ent *q1_next;
    uint64_t charged_ns; /* CPU charged in total */
    uint64_t q1_picks, q2_picks;
};

struct sched {
    struct sched_ent **heap; /* Q2: a min-heap by (pass, seq) */
    size_t n, cap;
    struct sched_ent *q1_head, *q1_tail;
    size_t q1_n;
    uint64_t vtime; /* the virtual time: pass of the last VM picked from Q2 */
    uint64_t seq;
};

/* 0 or -ENOMEM. */
int sched_init(struct sched *s);
void sched_fini(struct sched *s);

/* Makes room for `count` VMs in the queues, so sched_enqueue never needs
 * memory.  Call when a VM is added.  0 or -ENOMEM. */
int sched_reserve(struct sched *s, size_t count);

/* A new VM: not queued, at the current virtual time. */
void sched_ent_init(struct sched *s, struct sched_ent *e, uint32_t share);

/* Queues a VM that is ready to run (it must not be queued).  interactive:
 * it was woken by terminal input (Q1, subject to SCHED_Q1_LEAD); after_wait:
 * it is coming back from a wait (catch up with the virtual time). */
void sched_enqueue(struct sched *s, struct sched_ent *e, bool interactive, bool after_wait);

/* Takes the next VM to run out of its queue: Q1 first, then the smallest
 * pass of Q2.  NULL when nothing is ready. */
struct sched_ent *sched_pick(struct sched *s);

/* Charges ns of CPU to a VM that ran. */
void sched_charge(struct sched *s, struct sched_ent *e, uint64_t ns);

/* Takes a queued VM out of its queue (no-op if not queued). */
void sched_remove(struct sched *s, struct sched_ent *e);

/* Moves a VM waiting in Q2 to Q1 (input arrived while it was queued);
 * subject to SCHED_Q1_LEAD.  No-op otherwise. */
void sched_promote(struct sched *s, struct sched_ent *e);

/* Changes a VM's SHARE (clamped to SCHED_SHARE_MIN..MAX). */
void sched_set_share(struct sched *s, struct sched_ent *e, uint32_t share);

/* VMs waiting in Q1 and Q2. */
size_t sched_q1_len(const struct sched *s);
size_t sched_q2_len(const struct sched *s);

#endif /* CP_SCHED_H */
