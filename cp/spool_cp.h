/* SPDX-License-Identifier: MIT */
/*
 * cp/spool_cp.h - CP's side of the spool: every VM's virtual reader (00C),
 * punch (00D) and printer (00E), the guest services DIAG 0x014 (reader)
 * and 0x1000 (unit record output), arrival notices, and the state the CP
 * spool commands (cp/cpcmd_spool*.c) work on.  The files themselves live
 * in the durable store (spool/spool.h); docs/SPOOL.md describes both.
 *
 * One struct cpsp per system (opened by cp_services_standard in
 * DATA/spool); one struct cpsp_user per logged-on VM, made when the VM is
 * made and freed when it goes (open punch and printer files are closed
 * then, as LOGOFF does on VM).  A cpsp_user is used only on the dispatcher
 * thread that runs its VM (DIAG services and the user's own CP commands);
 * the close callbacks of the store only set a flag under its lock and wake
 * the VM.
 */
#ifndef CP_SPOOL_CP_H
#define CP_SPOOL_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/vm.h"
#include "spool/spool.h"

struct cp_system;
struct cp_user;
struct cpsp;
struct cpsp_user;

#define CPSP_DIR "spool" /* the store's folder in the data folder */
#define CPSP_PRINTERS "printer" /* where started printers write, in DATA */

/* The unit record devices of a VM. */
enum cpsp_unit { CPSP_RDR = 0, CPSP_PUN, CPSP_PRT, CPSP_CON, CPSP_UNITS };

/* SPOOL settings of one output device (punch, printer, console). */
struct cpsp_out_set {
    char to[SPOOL_USERID_MAX + 1]; /* "" = the system queue (OFF / SYSTEM) */
    char spclass;
    bool cont; /* CONT: DIAG_UR_CLOSE does not close, CLOSE does */
    unsigned hold; /* SPOOL_HOLD_USER or 0 */
    uint16_t copies;
    char form[SPOOL_NAME_MAX + 1];
    char dist[SPOOL_NAME_MAX + 1];
};

/* ---- the system's spool ----------------------------------------------------- */

/* Opens the store in DATA/spool (warm start; cold = VM's COLD start).
 * limit_bytes 0 = only the host disk limits.  0 and *out, or -errno with
 * a reason in err. */
int cpsp_open(const char *datadir, bool cold, uint64_t limit_bytes, struct cpsp **out, char *err,
              size_t errlen);
/* Frees every started printer and closes the store (after the system is
 * destroyed: no VM may still have devices).  NULL is a no-op. */
void cpsp_close(struct cpsp *s);
struct spool *cpsp_store(struct cpsp *s);
const char *cpsp_datadir(const struct cpsp *s);
/* Tells the spool which system it serves (for arrival notices); any thread,
 * idempotent. */
void cpsp_bind(struct cpsp *s, struct cp_system *sys);
/* The spool of a system, or NULL when it has none (test fakes). */
struct cpsp *cpsp_of(struct cp_system *sys);

/* ---- system printers (cp/spool_prt.c) ------------------------------------------ */

#define CPSP_PRINTERS_MAX 8 /* PRINTER 1..8 */

/* The system's printers (inside struct cpsp). */
struct cpsp_prt_tab;
struct cpsp_prt_tab *cpsp_prt_new(struct cpsp *s);
/* Stops every printer at once (FLUSH) and frees the table. */
void cpsp_prt_free(struct cpsp_prt_tab *t);
struct cpsp_prt_tab *cpsp_printers(struct cpsp *s);
/* START printer n (0-based) for classes ("AB", "*").  Started again: new
 * classes.  0, -EINVAL or -errno (the folder, the thread). */
int cpsp_prt_start(struct cpsp_prt_tab *t, int n, const char *classes);
/* DRAIN (after the current file) or FLUSH (now; the current file stays
 * queued).  0, -EINVAL, -ESRCH (not started). */
int cpsp_prt_stop(struct cpsp_prt_tab *t, int n, bool flush);
struct cpsp_prt_info {
    const char *state; /* "STARTED", "DRAINING", "DRAINED" */
    char classes[40];
    uint32_t current; /* spoolid being printed, 0 */
    uint64_t printed; /* files printed since CP started */
};
int cpsp_prt_status(struct cpsp_prt_tab *t, int n, struct cpsp_prt_info *out);
/* The host folder printers write into (DATA/printer). */
const char *cpsp_prt_dir(const struct cpsp_prt_tab *t);

/* ---- a VM's devices ---------------------------------------------------------- */

/* Per-VM state for u (reader class '*', punch and printer class A, to the
 * system queue).  NULL on out of memory.  At logon u is told how many
 * files wait in its reader (cpsp_logon_notice). */
struct cpsp_user *cpsp_user_new(struct cpsp *s, struct cp_user *u, const char *userid);
/* Closes open output files (as CLOSE), frees the reader.  NULL is a no-op.
 * The VM's thread. */
void cpsp_user_free(struct cpsp_user *p);
/* Attaches the reader, punch and printer devices (00C, 00D, 00E) to vm's
 * device table and remembers vm for events.  0 or -errno. */
int cpsp_user_attach(struct cpsp_user *p, struct vm *vm);
/* The state of userid's VM (NULL if not logged on with a VM).  Only the
 * VM's own thread may use the result. */
struct cpsp_user *cpsp_user_find(struct cpsp *s, const char *userid);

/* DIAG 0x014 and 0x1000 (include/vmrv/diag.h, docs/ABI.md). */
enum rv_hcall cpsp_diag_reader(struct cpsp_user *p, struct vm *vm, struct diag_call *c);
enum rv_hcall cpsp_diag_ur_write(struct cpsp_user *p, struct vm *vm, struct diag_call *c);

/* ---- for the spool commands (the VM's thread) ------------------------------ */

/* SPOOL CONSOLE: while on, every line the guest writes on its console
 * and every CP response and message shown there (connected or not; kept
 * by the console's tap, con_set_tap, and taken in at the guest's next
 * output or the flush) is a record of the console spool file (opened with
 * the CONSOLE unit's settings at its first line; CLOSE CONSOLE or STOP
 * queues it).  cpsp_console_output is called by the console device after
 * the console accepted the bytes; flush writes a pending partial line. */
void cpsp_console_output(struct cpsp_user *p, const char *buf, size_t len, bool end_line);
void cpsp_console_flush(struct cpsp_user *p);
void cpsp_console_set(struct cpsp_user *p, bool on);
bool cpsp_console_on(const struct cpsp_user *p);

struct cpsp_out_set *cpsp_user_settings(struct cpsp_user *p, enum cpsp_unit unit);
/* SPOOL READER CLASS c. */
int cpsp_user_reader_class(struct cpsp_user *p, char spclass);
char cpsp_user_reader_getclass(const struct cpsp_user *p);
/* Appends one record to the unit's open file, opening it first with the
 * unit's settings.  0 or -errno (-ENOSPC: spool full). */
int cpsp_user_append(struct cpsp_user *p, enum cpsp_unit unit, const void *rec, size_t len);
/* The open file of a unit: its spoolid and records (0, 0 when none). */
uint32_t cpsp_user_open_id(const struct cpsp_user *p, enum cpsp_unit unit, uint64_t *records);
/* CLOSE of an output unit, waiting for durability (the command's thread
 * may wait: CLOSE is a command).  name/ftype/dist may be NULL; purge drops
 * the file; hold 0/1 sets or clears user hold, -1 leaves it.  0 with
 * *spoolid (0 = nothing was open), or -errno. */
int cpsp_user_close(struct cpsp_user *p, enum cpsp_unit unit, const char *fname,
                    const char *ftype, const char *dist, bool purge, int hold, uint32_t *spoolid);
/* CLOSE of an output unit without waiting (the CP command's async path):
 * 0 when the close was accepted (done(arg, rc, spoolid) follows exactly
 * once on the store's committer thread: rc 0 durable, -EIO not), 1 when
 * the unit has no open file, -errno as cpsp_user_close (done is not
 * called).  The VM's thread. */
int cpsp_user_close_async(struct cpsp_user *p, enum cpsp_unit unit, const char *fname,
                          const char *ftype, const char *dist, int hold,
                          void (*done)(void *arg, int rc, uint32_t spoolid), void *arg);
/* CLOSE 00C: ends the reader's current file (keep or purge; a purge waits
 * for durability, so not on a dispatcher thread).  *spoolid gets its id. */
int cpsp_user_close_reader(struct cpsp_user *p, bool purge, uint32_t *spoolid);
/* CLOSE 00C PURGE without waiting: the file ends and leaves the reader at
 * once; *spoolid gets its id.  0: done(arg, rc, spoolid) follows exactly
 * once on the store's committer thread when the purge is durable; 1: it
 * had gone already (nothing to wait for); -ENOENT: no current file;
 * -errno otherwise (done is not called).  The VM's thread. */
int cpsp_user_purge_reader_async(struct cpsp_user *p, uint32_t *spoolid,
                                 void (*done)(void *arg, int rc, uint32_t spoolid), void *arg);

/* Tests only: fault(arg, point) is called at the store's fault points
 * (spool.h, struct spool_config), e.g. to hold a commit in its fdatasync.
 * NULL removes it.  Any thread. */
void cpsp_set_fault(struct cpsp *s, int (*fault)(void *arg, enum spool_fault point), void *arg);

/* Puts bytes read from standard input (SSH PUNCH) into userid's reader as
 * a file of 80..65535-byte records: text (lines without their ends) or
 * binary (fixed records of `reclen` bytes, the last shorter).  Any thread;
 * waits for durability.  0 and *spoolid, or -errno. */
struct cpsp_feed;
int cpsp_feed_open(struct cpsp *s, const char *userid, const char *fname, const char *ftype,
                   bool binary, struct cpsp_feed **out);
int cpsp_feed_write(struct cpsp_feed *f, const void *buf, size_t len);
int cpsp_feed_close(struct cpsp_feed *f, uint32_t *spoolid);
void cpsp_feed_discard(struct cpsp_feed *f);

/* The form a binary SSH PUNCH gives its file; output over SSH writes such
 * a file's records back to back (others: one line per record). */
#define CPSP_FORM_BINARY "BINARY"

/* ---- internal to cp/spool_*.c ------------------------------------------------------- */

/* Starts the close of unit's file for the guest.  0: the result comes
 * through cpsp_guest_close_poll (the VM waits); 1: nothing was open; <0:
 * failed at once (the writer is the unit's still, or gone on -EIO). */
int cpsp_guest_close_start(struct cpsp_user *p, enum cpsp_unit unit, const char *fname,
                           const char *ftype);
/* DIAG 0x014 CLOSE with purge: as cpsp_guest_close_start, for the reader
 * (its result comes through cpsp_guest_close_poll(p, CPSP_RDR)); 1: the
 * file had gone already; *spoolid gets its id. */
int cpsp_guest_purge_start(struct cpsp_user *p, uint32_t *spoolid);
/* The guest's close in flight: -EINPROGRESS while it runs; else its result
 * (the pending state is cleared); -ENOENT if none. */
int cpsp_guest_close_poll(struct cpsp_user *p, enum cpsp_unit unit, uint32_t *spoolid);
/* The VM of p and how to raise DIAG_EVENT_SPOOL in it (cp/spool_diag.c
 * sets them, so that only it needs the VM layer). */
void cpsp_user_set_vm(struct cpsp_user *p, struct vm *vm,
                      void (*spool_event)(struct vm *vm, uint32_t spoolid));
/* The VM was reset or IPLed: a guest close still in flight no longer
 * answers an ecall (its file is queued all the same).  NULL is a no-op. */
void cpsp_user_reset(struct cpsp_user *p);
/* The VM's reader and a SPOOL_RECORD_MAX buffer for it. */
struct spool_reader *cpsp_user_reader(struct cpsp_user *p, unsigned char **buf);

/* ---- files over SSH (cp/svc_spool.c; cp/svc_login.c calls them) ------------------- */

/* 1 for a PUNCH exec (standard input into the reader), 2 for RECEIVE (a
 * file to standard output), 0 for anything else (a CP command). */
int svc_spx_kind(const char *command);
struct svc_spx;
/* PUNCH: opens the file; NULL with *rc (a message number) and *msg (a
 * malloc'd line) when the command is refused.  No disk I/O. */
struct svc_spx *svc_spx_punch_open(struct cp_system *sys, const char *userid,
                                   const char *command, int *rc, char **msg);
/* Standard input bytes (all taken; an error is kept for the close). */
void svc_spx_input(struct svc_spx *x, const void *data, size_t len);
/* End of input: closes the file (waits for durability: a worker thread).
 * Returns the exit code (0 or a message number), *msg the line to print.
 * Frees x. */
int svc_spx_punch_close(struct svc_spx *x, char **msg);
void svc_spx_discard(struct svc_spx *x);
/* RECEIVE: the file's bytes (or an error line) malloc'd in *out; *raw is
 * true when *out is the file itself (no line end to add).  Returns the
 * exit code.  A worker thread. */
/* RECEIVE as a stream (memory bounded whatever the file's size): open
 * checks the command and the file (0 and *rx, or the exit code with the
 * error line malloc'd in *out); read fills buf with up to cap more bytes
 * of the file (*len 0 at its end, after which a PURGE is done), or
 * returns -errno; _error makes the line for such an error; close frees
 * rx.  One thread at a time per rx. */
struct svc_rx;
int svc_spx_receive_open(struct cp_system *sys, const char *userid, const char *command,
                         struct svc_rx **rx, char **out, size_t *outlen);
int svc_spx_receive_read(struct svc_rx *rx, char *buf, size_t cap, size_t *len);
char *svc_spx_receive_error(struct svc_rx *rx, int err);
void svc_spx_receive_close(struct svc_rx *rx);
int svc_spx_receive(struct cp_system *sys, const char *userid, const char *command, char **out,
                    size_t *outlen, bool *raw);

/* ---- arrivals and logon --------------------------------------------------------- */

/* The store's arrival callback (any store thread): a file reached
 * file->owner's reader; its VM gets DIAG_EVENT_SPOOL and its console a
 * notice between lines. */
void cpsp_arrival(void *arg, const struct spool_info *file);

/* At logon (after LOGON AT): "FILES: nnnn RDR, ..." when the user has
 * spool files.  s may be NULL (no spool). */
void cpsp_logon_notice(struct cpsp *s, struct cp_user *u);

/* Letters for the device type and the queue: "PUN", "PRT", "CON", "RDR". */
const char *cpsp_dev_name(enum spool_dev dev);
const char *cpsp_queue_name(enum spool_queue q);

#endif /* CP_SPOOL_CP_H */
