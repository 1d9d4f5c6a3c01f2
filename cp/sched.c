// SPDX-License-Identifier: MIT
/*
 * cp/sched.c - Q1 (interactive, FIFO) and Q2 (stride scheduling by virtual
 * time) as described in cp/sched.h.  Q2 is a binary min-heap keyed on
 * (pass, seq); every entity knows its heap index, so removal and promotion
 * are O(log n).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp/sched.h"

/* pass grows by ns * SCALE / share: with SHARE 100 one ns is one unit. */
#define SCALE 100u

int
sched_init(struct sched *s)
{
    memset(s, 0, sizeof *s);
    return sched_reserve(s, 16);
}

void
sched_fini(struct sched *s)
{
    free(s->heap);
    memset(s, 0, sizeof *s);
}

int
sched_reserve(struct sched *s, size_t count)
{
    if (count <= s->cap) {
        return 0;
    }
    size_t ncap = s->cap ? s->cap : 16;
    while (ncap < count) {
        ncap *= 2;
    }
    struct sched_ent **h = realloc(s->heap, ncap * sizeof *h);
    if (!h) {
        return -ENOMEM;
    }
    s->heap = h;
    s->cap = ncap;
    return 0;
}

static uint32_t
clamp_share(uint32_t share)
{
    if (share < SCHED_SHARE_MIN) {
        return SCHED_SHARE_MIN;
    }
    return share > SCHED_SHARE_MAX ? SCHED_SHARE_MAX : share;
}

void
sched_ent_init(struct sched *s, struct sched_ent *e, uint32_t share)
{
    memset(e, 0, sizeof *e);
    e->share = clamp_share(share);
    e->pass = s->vtime;
}

/* ---- the Q2 heap ---------------------------------------------------------- */

static bool
before(const struct sched_ent *a, const struct sched_ent *b)
{
    return a->pass < b->pass || (a->pass == b->pass && a->seq < b->seq);
}

static void
heap_set(struct sched *s, size_t i, struct sched_ent *e)
{
    s->heap[i] = e;
    e->idx = i;
}

static void
sift_up(struct sched *s, size_t i)
{
    struct sched_ent *e = s->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(e, s->heap[p])) {
            break;
        }
        heap_set(s, i, s->heap[p]);
        i = p;
    }
    heap_set(s, i, e);
}

static void
sift_down(struct sched *s, size_t i)
{
    struct sched_ent *e = s->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->n) {
            break;
        }
        if (c + 1 < s->n && before(s->heap[c + 1], s->heap[c])) {
            c++;
        }
        if (!before(s->heap[c], e)) {
            break;
        }
        heap_set(s, i, s->heap[c]);
        i = c;
    }
    heap_set(s, i, e);
}

static void
heap_remove(struct sched *s, struct sched_ent *e)
{
    size_t i = e->idx;
    s->n--;
    if (i != s->n) {
        struct sched_ent *m = s->heap[s->n];
        heap_set(s, i, m);
        sift_down(s, i);
        if (m->idx == i) {
            sift_up(s, i);
        }
    }
}

/* ---- Q1 ---------------------------------------------------------------- */

static void
q1_remove(struct sched *s, struct sched_ent *e)
{
    struct sched_ent **pp = &s->q1_head, *prev = NULL;
    while (*pp && *pp != e) {
        prev = *pp;
        pp = &(*pp)->q1_next;
    }
    if (*pp) {
        *pp = e->q1_next;
        if (s->q1_tail == e) {
            s->q1_tail = prev;
        }
        s->q1_n--;
    }
    e->q1_next = NULL;
}

static void
q1_push(struct sched *s, struct sched_ent *e)
{
    e->q1_next = NULL;
    if (s->q1_tail) {
        s->q1_tail->q1_next = e;
    } else {
        s->q1_head = e;
    }
    s->q1_tail = e;
    s->q1_n++;
    e->queue = SCHED_Q1;
}

/* ---- the interface -------------------------------------------------------- */

void
sched_enqueue(struct sched *s, struct sched_ent *e, bool interactive, bool after_wait)
{
    if (e->queue != SCHED_NONE) {
        return;
    }
    if (after_wait && e->pass < s->vtime) {
        e->pass = s->vtime; /* waiting earns no credit */
    }
    e->seq = ++s->seq;
    if (interactive && e->pass <= s->vtime + SCHED_Q1_LEAD) {
        q1_push(s, e);
        return;
    }
    if (s->n >= s->cap && sched_reserve(s, s->n + 1) < 0) {
        /* cannot happen when the caller reserved; fall back to Q1 rather
         * than lose the VM */
        q1_push(s, e);
        return;
    }
    e->queue = SCHED_Q2;
    heap_set(s, s->n++, e);
    sift_up(s, e->idx);
}

struct sched_ent *
sched_pick(struct sched *s)
{
    struct sched_ent *e = s->q1_head;
    if (e) {
        q1_remove(s, e);
        e->queue = SCHED_NONE;
        e->last = SCHED_Q1;
        e->q1_picks++;
        return e;
    }
    if (s->n == 0) {
        return NULL;
    }
    e = s->heap[0];
    heap_remove(s, e);
    e->queue = SCHED_NONE;
    e->last = SCHED_Q2;
    e->q2_picks++;
    if (e->pass > s->vtime) {
        s->vtime = e->pass;
    }
    return e;
}

void
sched_charge(struct sched *s, struct sched_ent *e, uint64_t ns)
{
    e->charged_ns += ns;
    e->pass += ns * SCALE / e->share;
}

void
sched_remove(struct sched *s, struct sched_ent *e)
{
    if (e->queue == SCHED_Q1) {
        q1_remove(s, e);
    } else if (e->queue == SCHED_Q2) {
        heap_remove(s, e);
    }
    e->queue = SCHED_NONE;
}

void
sched_promote(struct sched *s, struct sched_ent *e)
{
    if (e->queue != SCHED_Q2 || e->pass > s->vtime + SCHED_Q1_LEAD) {
        return;
    }
    heap_remove(s, e);
    e->queue = SCHED_NONE;
    q1_push(s, e);
}

void
sched_set_share(struct sched *s, struct sched_ent *e, uint32_t share)
{
    e->share = clamp_share(share);
}

size_t
sched_q1_len(const struct sched *s)
{
    return s->q1_n;
}

size_t
sched_q2_len(const struct sched *s)
{
    return s->n;
}
