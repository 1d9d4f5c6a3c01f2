/* SPDX-License-Identifier: MIT */
/*
 * cp/cpcmd.h - private to CP proper: the CP command processor.
 *
 * A command is one row of a table (cp/cpcmd_tab.c): its name, the minimum
 * abbreviation, the privilege classes that may use it ("" = any class),
 * its handler, flags, syntax and help text, and for commands such as QUERY
 * and SET a table of operands built the same way (with their own classes).
 * The processor splits the line into blank-separated tokens, finds the row
 * (abbreviations are matched in table order and the first match wins),
 * checks the user's classes (VMR006E), the flags, and calls the handler.
 * Handlers write their response through cp_out (cp/cp.h) and return 0 or
 * the number of the error message they gave; CP's return code is the
 * first error message's number.
 *
 * Where a command comes from matters to a few commands:
 *   CPCMD_CONSOLE  typed at the user's console (CP READ or #CP)
 *   CPCMD_DIAG     DIAG 0x008 from the guest, inside its slice
 *   CPCMD_EXEC     an SSH exec request (no terminal)
 *   CPCMD_DEFERRED a CPCMD_F_DEFER command re-run after the slice
 */
#ifndef CP_CPCMD_H
#define CP_CPCMD_H

#include "cp/system.h"

enum cpcmd_origin { CPCMD_CONSOLE = 0, CPCMD_DIAG, CPCMD_EXEC, CPCMD_DEFERRED };

#define CPCMD_MAXTOK 32
#define CPCMD_LINE_MAX 1024

struct cpcmd_ctx;

/* Flags of a row. */
#define CPCMD_F_LOGGEDON 0x1 /* needs a logged-on user (not an exec of a
                                user who is not logged on) */
#define CPCMD_F_VM 0x2 /* needs the VM layer's virtual machine */
#define CPCMD_F_DEFER 0x4 /* changes the VM: from inside a slice (DIAG)
                             it runs after the slice */
#define CPCMD_F_NOEXEC 0x8 /* means nothing without a terminal */

struct cpcmd_def {
    const char *name;
    unsigned minabbr;
    const char *classes; /* "" = any class */
    int (*fn)(struct cpcmd_ctx *c);
    unsigned flags;
    const char *syntax;
    const char *help;
    const struct cpcmd_def *ops; /* operand table, or NULL */
    /* with an operand table: called when the operand matches no row (e.g.
     * QUERY userid); NULL = VMR003E */
    int (*other)(struct cpcmd_ctx *c);
};

/* A command that completes later (cpcmd_run_async): called exactly once on
 * u's own thread with CP's return code and the command's output (valid
 * during the call). */
typedef void (*cpcmd_done_fn)(struct cp_user *u, void *ctx, int rc, struct cp_out *out);

/* What cpcmd_run_async returns when the command goes on asynchronously. */
#define CPCMD_ASYNC (-1)

struct cpcmd_ctx {
    cpcmd_done_fn done; /* set: the command may complete later (LINK, AUTOLOG) */
    void *done_ctx;
    struct cp_system *sys;
    struct cp_user *u;
    struct cp_out *out;
    enum cpcmd_origin origin;
    const struct cpcmd_def *cmd; /* the row being run */
    const char *line; /* the whole command line */
    int n; /* tokens */
    char *tok[CPCMD_MAXTOK];
    size_t off[CPCMD_MAXTOK]; /* each token's offset in line */
    int pos; /* the next operand */
    char store[CPCMD_LINE_MAX + CPCMD_MAXTOK];
};

/* The tables (cp/cpcmd_tab.c), each ended by a row with name NULL. */
extern const struct cpcmd_def cpcmd_table[];
extern const struct cpcmd_def cpcmd_query_ops[];
extern const struct cpcmd_def cpcmd_set_ops[];
extern const struct cpcmd_def cpcmd_indicate_ops[];

/* Runs one command line as u.  Output goes to out; returns CP's return
 * code.  With origin CPCMD_DIAG a CPCMD_F_DEFER command is queued to run
 * after the slice (output to the console) and 0 is returned. */
int cpcmd_run(struct cp_user *u, const char *line, size_t len, enum cpcmd_origin origin,
              struct cp_out *out);

/* The same, but a command whose work blocks (LINK: the directory and the
 * image; AUTOLOG: a whole logon) may hand it to an I/O worker and return
 * CPCMD_ASYNC: then nothing more is written to out, and done(u, done_ctx,
 * rc, output) follows on u's thread once it is finished.  Any other return
 * is CP's return code, as cpcmd_run, and done is not called. */
int cpcmd_run_async(struct cp_user *u, const char *line, size_t len, enum cpcmd_origin origin,
                    struct cp_out *out, cpcmd_done_fn done, void *done_ctx);

/* Finds a row by a (possibly abbreviated) word: first match in order. */
const struct cpcmd_def *cpcmd_find(const struct cpcmd_def *table, const char *word);

/* May u use a row with these classes? */
bool cpcmd_allowed(const struct cp_user *u, const char *classes);

/* ---- helpers for handlers ---------------------------------------------------- */

/* The next operand (NULL at the end); advances. */
const char *cpcmd_next(struct cpcmd_ctx *c);
/* The next operand without advancing. */
const char *cpcmd_peek(struct cpcmd_ctx *c);
/* The rest of the line from the next operand, as typed (NULL if none). */
const char *cpcmd_rest(struct cpcmd_ctx *c);
/* Does word abbreviate name with at least min characters? */
bool cpcmd_abbrev(const char *word, const char *name, unsigned min);
/* Gives VMR005E if operands are left.  0 or MSG_EXTRA. */
int cpcmd_no_more(struct cpcmd_ctx *c);
/* Gives VMR004E naming what was expected. */
int cpcmd_missing(struct cpcmd_ctx *c, const char *what);
/* Parses a userid (1-8 of A-Z 0-9 @#$_-), upper-cased into out[9].  false
 * (after VMR007E) if invalid. */
bool cpcmd_userid(struct cpcmd_ctx *c, const char *word, char *out);
/* The same without a message. */
bool cpcmd_userid_ok(const char *word, char *out);
/* ON/OFF: 1, 0, or -1 after VMR003E. */
int cpcmd_onoff(struct cpcmd_ctx *c, const char *word);
/* Parses hex (with optional 0x); false after VMR008E. */
bool cpcmd_hex(struct cpcmd_ctx *c, const char *word, uint64_t *v);
/* Runs the operand table of c->cmd (QUERY, SET, INDICATE). */
int cpcmd_operands(struct cpcmd_ctx *c);

/* Handlers (cp/cpcmd_*.c). */
int cpcmd_help(struct cpcmd_ctx *c);
int cpcmd_logon(struct cpcmd_ctx *c);
int cpcmd_logoff(struct cpcmd_ctx *c);
int cpcmd_disconnect(struct cpcmd_ctx *c);
int cpcmd_begin(struct cpcmd_ctx *c);
int cpcmd_message(struct cpcmd_ctx *c);
int cpcmd_warning(struct cpcmd_ctx *c);
int cpcmd_smsg(struct cpcmd_ctx *c);
int cpcmd_force(struct cpcmd_ctx *c);
int cpcmd_shutdown(struct cpcmd_ctx *c);
int cpcmd_autolog(struct cpcmd_ctx *c);

int cpcmd_q_userid(struct cpcmd_ctx *c);
int cpcmd_q_myuserid(struct cpcmd_ctx *c);
int cpcmd_q_links(struct cpcmd_ctx *c);
int cpcmd_q_time(struct cpcmd_ctx *c);
int cpcmd_q_users(struct cpcmd_ctx *c);
int cpcmd_q_names(struct cpcmd_ctx *c);
int cpcmd_q_virtual(struct cpcmd_ctx *c);
int cpcmd_q_storage(struct cpcmd_ctx *c);
int cpcmd_q_logmsg(struct cpcmd_ctx *c);
int cpcmd_q_cplevel(struct cpcmd_ctx *c);
int cpcmd_q_privclas(struct cpcmd_ctx *c);
int cpcmd_q_set(struct cpcmd_ctx *c);
int cpcmd_q_share(struct cpcmd_ctx *c);
int cpcmd_q_trace(struct cpcmd_ctx *c);
int cpcmd_q_translation(struct cpcmd_ctx *c);
int cpcmd_ind_load(struct cpcmd_ctx *c);
int cpcmd_ind_user(struct cpcmd_ctx *c);

int cpcmd_set_msg(struct cpcmd_ctx *c);
int cpcmd_set_wng(struct cpcmd_ctx *c);
int cpcmd_set_smsg(struct cpcmd_ctx *c);
int cpcmd_set_imsg(struct cpcmd_ctx *c);
int cpcmd_set_emsg(struct cpcmd_ctx *c);
int cpcmd_set_run(struct cpcmd_ctx *c);
int cpcmd_set_logmsg(struct cpcmd_ctx *c);
int cpcmd_set_share(struct cpcmd_ctx *c);

int cpcmd_display(struct cpcmd_ctx *c);
int cpcmd_store(struct cpcmd_ctx *c);
int cpcmd_trace(struct cpcmd_ctx *c);
int cpcmd_ipl(struct cpcmd_ctx *c);
int cpcmd_system(struct cpcmd_ctx *c);
int cpcmd_define(struct cpcmd_ctx *c);
/* Whether DEFINE with this first operand (NULL if none) is deferred from
 * a DIAG: DEFINE STORAGE is, DEFINE TDISK is not (it adds a device as LINK
 * does, and the program waits for its answer). */
bool cpcmd_define_defers(const char *op1);
/* DEFINE TDISK|T3390|TEMPDASD after its first word (cp/cpcmd_tdisk.c);
 * t3390: a bare number counts cylinders. */
int cpcmd_define_tdisk(struct cpcmd_ctx *c, bool t3390);
int cpcmd_detach(struct cpcmd_ctx *c);
int cpcmd_link(struct cpcmd_ctx *c);

/* SLEEP (cp/cpcmd_sleep.c). */
int cpcmd_sleep(struct cpcmd_ctx *c);
/* u's thread (mail): a line or an attention arrived: ends a sleep that
 * holds the console (from the console or DIAG 0x008). */
void cpcmd_sleep_wake(struct cp_user *u, const char *arg);
/* u's thread, when it logs off: ends every sleep (each caller is answered). */
void cpcmd_sleep_end_all(struct cp_user *u);

/* The spool (cp/cpcmd_spool*.c). */
int cpcmd_spool(struct cpcmd_ctx *c);
int cpcmd_close(struct cpcmd_ctx *c);
int cpcmd_q_reader(struct cpcmd_ctx *c);
int cpcmd_q_punch(struct cpcmd_ctx *c);
int cpcmd_q_printer(struct cpcmd_ctx *c);
int cpcmd_q_files(struct cpcmd_ctx *c);
int cpcmd_purge(struct cpcmd_ctx *c);
int cpcmd_transfer(struct cpcmd_ctx *c);
int cpcmd_change(struct cpcmd_ctx *c);
int cpcmd_order(struct cpcmd_ctx *c);
int cpcmd_hold(struct cpcmd_ctx *c);
int cpcmd_free(struct cpcmd_ctx *c);
int cpcmd_start(struct cpcmd_ctx *c);
int cpcmd_drain(struct cpcmd_ctx *c);
int cpcmd_flush(struct cpcmd_ctx *c);

#endif /* CP_CPCMD_H */
