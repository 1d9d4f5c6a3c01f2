// SPDX-License-Identifier: MIT
/*
 * cp/cpcmd_sleep.c - SLEEP [n [SEC|MIN|HR]]: the console is dormant for a
 * time, or until the user types a line or presses attention.  The command
 * table row is in cp/cpcmd_tab.c; the hooks that end a sleep early are in
 * cp/system_session.c (a line, an attention) and cp/system.c (logoff).
 *
 * A sleep never holds a thread: the command answers CPCMD_ASYNC
 * (cpcmd_run_async) and its caller's done callback follows when it ends,
 * as for LINK.  Where it came from decides what sleeps:
 *
 *   console (CP READ, #CP SLEEP)  the console: lines typed meanwhile are
 *                     held behind the command (cp/console.h, CON_IN_HELD);
 *                     the VM does not run (even with SET RUN ON).  At the
 *                     end the held lines are placed as usual, so the line
 *                     that woke it is not lost: in CP READ it is the next
 *                     command (an empty line just wakes).
 *   DIAG 0x008        the program waits in its hypercall (D8_BUSY); a line
 *                     typed meanwhile wakes it and stays the guest's
 *                     type-ahead; an attention only wakes it.
 *   exec request      only that command: it answers when the time is up
 *                     (rc 0).  Nothing can wake it, so it needs a time.
 *
 * The first two hold the console: u->dormant is set (the terminal's thread
 * reads it and posts cpcmd_sleep_wake), the VM is not dispatched
 * (user_run), and the console shows messages at once (con_set_dormant).
 *
 * Life of one sleep (struct cpcmd_sleep, in u->sleeps; the VM's thread):
 *
 *   cpcmd_sleep --> SLEEPING --+-- its time: timer (any dispatcher thread)
 *                              |   posts sleep_expired to the user's mail
 *                              +-- a line or attention: cpcmd_sleep_wake
 *                              +-- logoff: cpcmd_sleep_end_all
 *                              v
 *                        sleep_end: timer cancelled, console released,
 *                        done(u, ctx, 0, no output), VM woken, freed.
 *
 * The timer's mail names the sleep by number, not by pointer, so mail that
 * arrives after the sleep ended (a wake won the race) finds nothing.  A
 * disconnect changes nothing: the sleep runs out (or logoff ends it), and
 * its answer goes to the detached console, which drops it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp/cpcmd.h"

#define SLEEP_MAX_N 99999u /* of any unit: 99999 hours is over 11 years */

struct cpcmd_sleep {
    struct cpcmd_sleep *next;
    struct cp_user *u;
    unsigned id;
    bool holds_console; /* from the console or DIAG 0x008 */
    bool timed;
    struct disp_timer timer;
    cpcmd_done_fn done;
    void *done_ctx;
};

/* Does any sleep still hold the console? */
static bool
console_held(const struct cp_user *u)
{
    for (const struct cpcmd_sleep *s = u->sleeps; s; s = s->next) {
        if (s->holds_console) {
            return true;
        }
    }
    return false;
}

/* Ends s (u's thread): it is answered and freed. */
static void
sleep_end(struct cp_user *u, struct cpcmd_sleep *s)
{
    struct cpcmd_sleep **pp = &u->sleeps;
    while (*pp && *pp != s) {
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = s->next;
    }
    if (s->timed) {
        /* waits for its function if that runs now: then nothing refers
         * to s any more */
        disp_timer_cancel(u->sys->disp, &s->timer);
    }
    if (s->holds_console && !console_held(u)) {
        __atomic_store_n(&u->dormant, false, __ATOMIC_RELEASE);
        con_set_dormant(u->con, false);
    }
    struct cp_out o;
    cp_out_init(&o, u);
    s->done(u, s->done_ctx, 0, &o);
    cp_out_fini(&o);
    free(s);
    cp_user_wake(u); /* a console sleep stopped the VM */
}

/* u's thread: sleep number arg ran out (if it is still there). */
static void
sleep_expired(struct cp_user *u, const char *arg)
{
    unsigned id = (unsigned)strtoul(arg, NULL, 10);
    for (struct cpcmd_sleep *s = u->sleeps; s; s = s->next) {
        if (s->id == id) {
            sleep_end(u, s);
            return;
        }
    }
}

/* A dispatcher thread: the time is up; the end runs on the user's thread.
 * If the mail is refused the user is leaving, and its logoff ends s. */
static void
sleep_timer_fn(struct disp_timer *t)
{
    struct cpcmd_sleep *s = t->arg;
    char id[16];
    snprintf(id, sizeof id, "%u", s->id);
    cp_user_post(s->u, sleep_expired, id, true);
}

void
cpcmd_sleep_wake(struct cp_user *u, const char *arg)
{
    (void)arg;
    struct cpcmd_sleep *s = u->sleeps;
    while (s) {
        struct cpcmd_sleep *next = s->next;
        if (s->holds_console) {
            sleep_end(u, s);
        }
        s = next;
    }
}

void
cpcmd_sleep_end_all(struct cp_user *u)
{
    while (u->sleeps) {
        sleep_end(u, u->sleeps);
    }
}

/* Seconds per unit word: SEC[ONDS]/SECS, MIN[UTES]/MINS, HR/HRS/HOURS.
 * 0 if it is none of them. */
static unsigned
unit_seconds(const char *w)
{
    if (cpcmd_abbrev(w, "SECONDS", 1) || strcasecmp(w, "SECS") == 0) {
        return 1;
    }
    if (cpcmd_abbrev(w, "MINUTES", 1) || strcasecmp(w, "MINS") == 0) {
        return 60;
    }
    if (cpcmd_abbrev(w, "HOURS", 1) || strcasecmp(w, "HR") == 0 || strcasecmp(w, "HRS") == 0) {
        return 3600;
    }
    return 0;
}

/* n (decimal, at most SLEEP_MAX_N); false after a message. */
static bool
parse_count(struct cpcmd_ctx *c, const char *w, unsigned *n)
{
    size_t len = strlen(w);
    bool digits = len >= 1;
    for (size_t i = 0; i < len && digits; i++) {
        digits = w[i] >= '0' && w[i] <= '9';
    }
    if (!digits) {
        cp_out_msg(c->out, MSG_INVOPND, w);
        return false;
    }
    unsigned long v = len > 9 ? SLEEP_MAX_N + 1ul : strtoul(w, NULL, 10);
    if (v > SLEEP_MAX_N) {
        char range[24];
        snprintf(range, sizeof range, "0-%u", SLEEP_MAX_N);
        cp_out_msg(c->out, MSG_RANGE, w, range);
        return false;
    }
    *n = (unsigned)v;
    return true;
}

int
cpcmd_sleep(struct cpcmd_ctx *c)
{
    struct cp_user *u = c->u;
    bool timed = false;
    uint64_t secs = 0;
    const char *w = cpcmd_next(c);
    if (w) {
        unsigned n;
        if (!parse_count(c, w, &n)) {
            return c->out->rc;
        }
        unsigned per = 60; /* minutes, as on VM, when no unit is given */
        const char *unit = cpcmd_next(c);
        if (unit && (per = unit_seconds(unit)) == 0) {
            cp_out_msg(c->out, MSG_INVOPT, unit);
            return MSG_INVOPT;
        }
        int rc = cpcmd_no_more(c);
        if (rc) {
            return rc;
        }
        timed = true;
        secs = (uint64_t)n * per;
    }
    bool holds_console = c->origin == CPCMD_CONSOLE || c->origin == CPCMD_DIAG;
    if (!timed && !holds_console) {
        cp_out_msg(c->out, MSG_NOTHERE, "SLEEP without a time", "an exec request");
        return MSG_NOTHERE;
    }
    if (!c->done) {
        /* a caller that needs the answer before it returns */
        cp_out_msg(c->out, MSG_NOTHERE, "SLEEP", "here");
        return MSG_NOTHERE;
    }
    if (timed && secs == 0) {
        return 0;
    }
    if (c->origin == CPCMD_CONSOLE && con_held_lines(u->con) > 0) {
        /* a line typed after SLEEP, before it ran (the terminal saw no
         * sleep yet, so it mailed no wake): it would have woken it at
         * once.  (A #CP SLEEP typed while another command still answers
         * also finds the lines held behind that one, and returns too.) */
        return 0;
    }
    struct cpcmd_sleep *s = calloc(1, sizeof *s);
    if (!s) {
        cp_out_msg(c->out, MSG_FAILED, "SLEEP", "out of memory");
        return MSG_FAILED;
    }
    s->u = u;
    s->id = ++u->sleep_seq;
    s->holds_console = holds_console;
    s->timed = timed;
    s->done = c->done;
    s->done_ctx = c->done_ctx;
    s->next = u->sleeps;
    u->sleeps = s;
    if (holds_console) {
        __atomic_store_n(&u->dormant, true, __ATOMIC_RELEASE);
        con_set_dormant(u->con, true);
    }
    if (timed) {
        s->timer.fn = sleep_timer_fn;
        s->timer.arg = s;
        disp_timer_arm(u->sys->disp, &s->timer, disp_now() + secs * 1000000000ull);
    }
    return CPCMD_ASYNC;
}
