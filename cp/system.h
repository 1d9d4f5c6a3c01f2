/* SPDX-License-Identifier: MIT */
/*
 * cp/system.h - private to CP proper: the structures behind cp/cp.h (the
 * system, a logged-on user, a session, command output) and the functions
 * the command processor (cp/cpcmd*.c) uses to act on users.
 *
 * Locks: sys->lock guards the user list, counts, committed storage,
 * LOGMSG and every user's refs.  u->lock guards a user's settings,
 * session pointer, classes, storage and logoff request.  Order: sys->lock
 * before u->lock; both before the console's and the dispatcher's locks.
 */
#ifndef CP_SYSTEM_H
#define CP_SYSTEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "cp/cp.h"

struct cp_settings {
    bool msg, wng, smsg, imsg, run;
    enum msg_emsg emsg;
};

enum user_state {
    USER_ACTIVE = 0,
    USER_LOGGING_OFF, /* logoff requested or under way */
    USER_GONE, /* out of the table; waiting for the last reference */
};

struct cp_user {
    struct cp_system *sys;
    struct cp_user *next; /* in sys->users */
    char userid[CP_USERID_MAX + 1];
    struct cp_dirent dir; /* as read at logon */
    pthread_mutex_t lock;
    int refs; /* under sys->lock */
    bool transient; /* an exec context for a user who is not logged on */
    /* under u->lock */
    enum user_state state;
    uint32_t classes;
    uint64_t storage;
    uint32_t share;
    struct cp_settings set;
    unsigned trace;
    struct cp_session *sess; /* the attached terminal, NULL = disconnected */
    char source[64];
    bool exit_requested;
    int logoff_msg; /* a notice before the LOGOFF lines (0 = none) */
    char logoff_arg[CP_USERID_MAX + 1];
    char logoff_reason[96]; /* for the log */
    uint64_t disc_mono; /* when disconnected, 0 = connected */
    bool autologged;
    /* the VM's own thread only */
    struct console *con;
    struct disp_vm dv;
    bool dv_added;
    void *vm; /* from cp_vm_ops.create, NULL without a VM layer */
    bool guest; /* IPLed and not stopped */
    bool in_slice; /* inside cp_vm_ops.run (a DIAG is being handled) */
    time_t logon_time;
    uint64_t logon_mono;
    struct disp_timer timer; /* idle disconnect / disconnected read timeout */
    /* SLEEP (cp/cpcmd_sleep.c): the sleeps under way and their numbering,
     * the VM's own thread only; dormant (atomic) while one holds the
     * console, read by the terminal's thread */
    struct cpcmd_sleep *sleeps;
    unsigned sleep_seq;
    bool dormant;
};

struct cp_session {
    struct cp_user *u; /* holds a reference */
    const struct con_term_ops *ops;
    void *ctx;
    pthread_mutex_t lock;
    bool closed; /* CP ended it */
    char reason[160];
};

/* CP ends a session: its terminal's calls do nothing from now on (why, if
 * not NULL, is told to the terminal).  Call it with the owner's u->lock
 * held, in the same critical section that takes the session out of
 * u->sess: after that, the terminal's cp_session_close may free it.  s may
 * be NULL.  (s->lock is a leaf: nothing is locked under it.) */
static inline void
session_mark_closed(struct cp_session *s, const char *why)
{
    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->closed = true;
    if (why != NULL) {
        snprintf(s->reason, sizeof s->reason, "%s", why);
    }
    pthread_mutex_unlock(&s->lock);
}

struct cp_io;

struct cp_system {
    struct cp_config cfg;
    struct cp_services svc;
    struct disp *disp;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* users gone, shutdown requested */
    struct cp_user *users;
    unsigned nusers;
    uint64_t committed;
    bool shutdown_requested, shutting_down;
    char shutdown_by[CP_USERID_MAX + 1];
    unsigned logmsg_lines;
    char logmsg[CP_LOGMSG_MAX_LINES][CP_LOGMSG_LINE_MAX];
    time_t ipl_time;
    struct cp_io *io; /* I/O workers (cp/system_io.c) */
};

/* ---- I/O workers (cp/system_io.c) ------------------------------------------ */

/* A job: embed it first in the job's own struct; fn gets it back. */
struct cp_io_job {
    struct cp_io_job *next;
    void (*fn)(struct cp_io_job *j);
};

/* Starts / stops (after running every queued job) the workers. */
int cp_io_start(struct cp_system *sys);
void cp_io_stop(struct cp_system *sys);
/* Runs fn(j) on an I/O worker soon (FIFO); with no workers, at once on the
 * calling thread.  Never fails: j is always run. */
void cp_io_submit(struct cp_system *sys, struct cp_io_job *j, void (*fn)(struct cp_io_job *j));

/* Command output: lines collected in buf ('\n' after each). */
struct cp_out {
    struct cp_user *u;
    struct msg_opts opts;
    char *buf;
    size_t len, cap;
    int rc;
    int ids[16]; /* message numbers issued, for the tests */
    unsigned nids;
};

void cp_out_init(struct cp_out *o, struct cp_user *u);
void cp_out_fini(struct cp_out *o);
/* The text without its last line end. */
size_t cp_out_text_len(const struct cp_out *o);

/* ---- users (cp/system.c) ---------------------------------------------------- */

/* A logged-on user by id (case-insensitive), with a reference; NULL if not
 * logged on (or logging off, unless any_state). */
struct cp_user *cp_user_find(struct cp_system *sys, const char *userid, bool any_state);
void cp_user_get(struct cp_user *u);
void cp_user_put(struct cp_user *u);

/* A user struct from a directory entry, not in the table (refs 1). */
struct cp_user *cp_user_alloc(struct cp_system *sys, const struct cp_dirent *de, bool transient);

/* (Re)arms u's idle / disconnected-read timer for its state. */
void cp_user_timer_update(struct cp_user *u);

/* A user's settings, snapshot. */
struct cp_settings cp_user_settings(struct cp_user *u);

/* Asks u to log off (any thread): after its current slice it writes its
 * notice (msg with arg, if msg != 0) and the LOGOFF lines, then goes.
 * reason is for the log.  Returns false if it was already logging off. */
bool cp_user_request_logoff(struct cp_user *u, int msg, const char *arg, const char *reason);

/* Disconnects u's terminal (any thread): the session is closed with
 * CON_EV_CLOSE after `notice` (a message number, 0 = none) and the
 * "DISCONNECT AT" line.  False if u had no terminal. */
bool cp_user_disconnect(struct cp_user *u, int notice, const char *arg, const char *why);

/* Runs fn(u, arg) on u's dispatcher thread soon (mailbox).  arg is copied
 * (up to 512 bytes).  0 or -ESRCH (gone) / -ENOMEM. */
int cp_user_post(struct cp_user *u, void (*fn)(struct cp_user *u, const char *arg),
                 const char *arg, bool interactive);

/* The same with a pointer the caller owns until fn runs (fn is not run if
 * this fails). */
int cp_user_post_ptr(struct cp_user *u, void (*fn)(struct cp_user *u, void *p), void *p,
                     bool interactive);

/* Ensures a VM that was running stops being run (CP READ): a kick. */
void cp_user_nudge(struct cp_user *u);

/* The VM has been IPLed (running true) or stopped/reset (false). */
void cp_user_set_guest(struct cp_user *u, bool running);

/* Logs a user on without a terminal (AUTOLOG).  0 or a message number,
 * written to out. */
int cp_autolog(struct cp_system *sys, const char *userid, const char *by, struct cp_out *out);

/* Delivers a MSG/WARNING/SMSG line to u's console (between lines).
 * 0, or the message number to tell the sender. */
int cp_user_deliver(struct cp_user *u, int kind, const char *from, const char *text);

/* Commits or releases storage against the system's limit.  0 or
 * MSG_COMMITTED. */
int cp_commit_storage(struct cp_system *sys, uint64_t old_bytes, uint64_t new_bytes);

/* Fills VM-style time strings: "09:26:11", "CET", "THURSDAY 05/02/24" (as VM). */
void cp_time_parts(time_t t, char *hms, size_t hlen, char *zone, size_t zlen, char *date,
                   size_t dlen);
/* CPU time as "mmm:ss.hh", connect time as "hh:mm:ss". */
void cp_fmt_cpu(uint64_t ns, char *buf, size_t len);
void cp_fmt_connect(uint64_t ns, char *buf, size_t len);

/* TRACE lines (cp/system_trace.c), without the "*** TRACE " prefix:
 * "00001234 00A50533 add a0,a0,a0" (a compressed instruction shows its 16
 * bits, then its 32-bit expansion), and "TRAP ILLEGAL INSTRUCTION (2) AT
 * 00001234 TVAL 0 -> 00002000" or "INTERRUPT TIMER (5) AT ... -> ...". */
void cp_trace_insn_text(uint64_t pc, uint32_t bits, unsigned ilen, char *buf, size_t len);
void cp_trace_trap_text(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t handler, char *buf,
                        size_t len);

/* Shared between cp/system.c and cp/system_logon.c. */
struct cp_user *cp_user_find_locked(struct cp_system *sys, const char *userid); /* sys->lock held */
extern const struct disp_vm_ops cp_user_disp_ops; /* a user in the dispatcher */
void cp_user_timer_fn(struct disp_timer *t); /* u->timer's function */
void cp_user_waker(void *u); /* the console's waker: cp_user_wake */
/* One message to u's console, per u's settings. */
void cp_user_msgv(struct cp_user *u, int num, const char *const *args, unsigned nargs);
#define cp_user_msg(u, num, ...) cp_user_msgv((u), (num), MSG_ARGS(__VA_ARGS__))
/* Now as cp_time_parts: hms[16], zone[16], date[40]. */
void cp_now_parts(char *hms, char *zone, char *date);

/* Starts a shutdown (flags, logs everyone off).  by: a userid or "SIGTERM". */
void cp_system_begin_shutdown(struct cp_system *sys, const char *by);

#endif /* CP_SYSTEM_H */
