/* SPDX-License-Identifier: MIT */
/*
 * spool/spool.h - the durable spool store: VM's spool files (reader, punch,
 * printer, console) kept across restarts, and the queue engine under the CP
 * commands SPOOL, CLOSE, QUERY RDR/PRT/PUN/FILES, TRANSFER, PURGE, CHANGE,
 * ORDER, HOLD and FREE, the readers' DIAG 0x014 and the system printers.
 *
 * The store knows nothing of VMs, privilege classes or the directory: CP
 * checks who may do what and passes a filter (owner, queue, class, spoolid)
 * that limits every operation.  docs/SPOOL.md has the on-disk format and the
 * reasons for it; spool/format.c owns the format itself.
 *
 * Durability.  spool_writer_close() returns only when the file is durable
 * (it survives CP being killed, and the host losing power as far as the
 * disk honours fdatasync); every operation that changes a closed file
 * (purge, transfer, change, order, hold, free) also returns only when the
 * change is durable.  Many callers waiting at once share one fdatasync
 * (group commit, done by the store's own committer thread).  A file that was
 * never closed never appears after a restart; one whose close had not yet
 * returned appears whole or not at all.
 *
 * Threads and locks.  Every function may be called from any thread.  The
 * store runs three threads of its own (committer, syncer, cleaner).  It has
 * one metadata mutex, held only for in-memory work (never across disk I/O),
 * and a smaller one for the end of the data log (held across creating a new
 * segment file, once per segment); a caller never waits for another
 * caller's disk I/O except that a closing or changing caller waits for the
 * shared fdatasync that covers its own change.  A writer, cursor or
 * reader handle is used by one thread at a time (the caller serialises uses
 * of one handle); different handles need no care.  Functions marked
 * "waits for durability" must not be called from a spool callback (they
 * would wait for the thread that runs it).
 *
 * Errors are negative errno values: -EINVAL bad argument, -ENOENT no such
 * file (or not in the caller's queue), -ENOSPC spool full (the configured
 * limit, the host disk, or no free spoolid), -EBUSY held or in use, -ENODATA
 * end of file, -EIO a host I/O error or a checksum mismatch (after a failed
 * fdatasync the store refuses every change with -EIO until it is reopened),
 * -ENOMEM.  spool_errno_to_diag() maps them to DIAG_E* codes.
 */
#ifndef SPOOL_SPOOL_H
#define SPOOL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag_spool_desc; /* include/vmrv/diag.h */

#define SPOOL_FORMAT_VERSION 1 /* on-disk format, see docs/SPOOL.md */
#define SPOOL_USERID_MAX 8 /* userids: 1-8 of A-Z 0-9 @ # $ _ - */
#define SPOOL_NAME_MAX 8 /* fname, ftype, dist, form: 0-8 printable, no blank */
#define SPOOL_RECORD_MAX 65535 /* bytes in one record (binary safe) */
#define SPOOL_COPIES_MAX 255
#define SPOOL_SPOOLID_DEFAULT_MAX 999999 /* spoolids run 1..max, then wrap */

/* Device type a file was made on (it keeps it when it moves). */
enum spool_dev {
    SPOOL_DEV_RDR = 1, /* put straight into a reader (host tools, SSH) */
    SPOOL_DEV_PUN = 2,
    SPOOL_DEV_PRT = 3,
    SPOOL_DEV_CON = 4, /* a console spool file: queued like a printer file */
};

/* The queues a closed file sits in: a user's reader, or the system printer
 * or punch queue (a user's QUERY PRT / QUERY PUN shows their files there). */
enum spool_queue {
    SPOOL_Q_ANY = 0, /* in filters only */
    SPOOL_Q_RDR = 1,
    SPOOL_Q_PRT = 2,
    SPOOL_Q_PUN = 3,
};

/* Hold status: bits, both may be set.  USER is set by the owner (SPOOL or
 * CHANGE HOLD), SYSTEM by an operator (HOLD); held files are never read by a
 * reader nor printed. */
#define SPOOL_HOLD_NONE 0x0
#define SPOOL_HOLD_USER 0x1
#define SPOOL_HOLD_SYSTEM 0x2

/* What QUERY shows about one closed file: a copy, owned by the caller.
 * Strings are NUL-terminated, upper case where VM has them upper case. */
struct spool_info {
    uint32_t spoolid;
    enum spool_queue queue;
    enum spool_dev dev;
    char owner[SPOOL_USERID_MAX + 1]; /* whose queue holds it */
    char origin[SPOOL_USERID_MAX + 1]; /* who made it */
    char spclass; /* 'A'-'Z', '0'-'9' */
    unsigned hold; /* SPOOL_HOLD_* bits */
    uint16_t copies; /* 1..SPOOL_COPIES_MAX */
    char fname[SPOOL_NAME_MAX + 1];
    char ftype[SPOOL_NAME_MAX + 1];
    char dist[SPOOL_NAME_MAX + 1];
    char form[SPOOL_NAME_MAX + 1];
    uint64_t records;
    uint64_t bytes; /* sum of record lengths */
    uint64_t created_us; /* microseconds since 1970 UTC (when opened) */
    uint32_t position; /* 1-based place in its queue */
};

/* ---- the store ----------------------------------------------------------- */

struct spool;

/* Log levels for the log callback. */
enum spool_log_level { SPOOL_LOG_ERROR, SPOOL_LOG_WARNING, SPOOL_LOG_INFO };

/* Fault points for tests: the fault callback is called at each, on the
 * thread about to do the step.  A test may kill itself there (a crash), or
 * return a negative errno to make the step fail as if the host had failed
 * it (where marked "can fail"); 0 lets it go on. */
enum spool_fault {
    SPOOL_FAULT_CHUNK_WRITE, /* a writer's chunk write (can fail) */
    SPOOL_FAULT_DATA_SYNC, /* syncer: fdatasync of the data log (can fail) */
    SPOOL_FAULT_JOURNAL_HALF, /* committer: half a group written, the rest
                                 next (can fail) */
    SPOOL_FAULT_JOURNAL_SYNC, /* committer: fdatasync of the journal (can fail) */
    SPOOL_FAULT_COMMITTED, /* committer: group durable, callers not yet told */
    SPOOL_FAULT_CHECKPOINT, /* checkpoint written, its rename (can fail) */
};

#define SPOOL_OPEN_COLD 0x1 /* discard the whole spool (VM's COLD start) */
#define SPOOL_OPEN_VERIFY 0x2 /* read every record of every file at startup */

struct spool_config {
    unsigned flags; /* SPOOL_OPEN_* */
    uint64_t limit_bytes; /* space limit (record bytes + 2 per record);
                             0 = only the host disk limits */
    uint32_t max_spoolid; /* spoolids 1..max; 0 = SPOOL_SPOOLID_DEFAULT_MAX;
                             9999 gives VM/370's range; at least 16 */
    uint32_t segment_bytes; /* data log segment size; 0 = 16 MiB, at least 256 KiB */
    uint64_t checkpoint_bytes; /* journal bytes (or 16x that of committed
                                  data) between checkpoints; 0 = 4 MiB */
    /* Optional callbacks, all with cb_arg.  They run on store threads
     * (mostly the committer) with no store lock held; they must be short and
     * must not call functions that wait for durability. */
    void (*log)(void *arg, enum spool_log_level level, const char *msg);
    /* A closed file reached a reader (by close or transfer): CP raises
     * DIAG_EVENT_SPOOL and tells the user. */
    void (*arrival)(void *arg, const struct spool_info *file);
    int (*fault)(void *arg, enum spool_fault point); /* tests only */
    void *cb_arg;
};

/* Opens (creating it if missing) the spool kept in folder `dir`, recovering
 * it: a warm start keeps every file whose close completed; an unclosed or
 * torn file is dropped.  cfg may be NULL for defaults.  The folder is locked
 * against a second opener (-EBUSY).  Returns 0 and *out, or a negative errno
 * (-EUCLEAN: the spool's metadata is damaged; the log callback says why; a
 * COLD start is the way out).  Starts the store's threads. */
int spool_open(const char *dir, const struct spool_config *cfg, struct spool **out);

/* Shuts the store down: waits for pending commits, writes a checkpoint (so
 * the next start is quick), stops the thread, frees everything.  Every
 * writer, cursor and reader must be closed first (-EBUSY otherwise, and
 * nothing happens).  NULL is a no-op returning 0. */
int spool_close(struct spool *sp);

struct spool_stats {
    uint64_t used_bytes; /* what counts against the limit */
    uint64_t limit_bytes; /* 0 = none */
    uint32_t files; /* closed files */
    uint32_t writers; /* open writers */
    uint32_t segments; /* data log files */
    uint64_t commits; /* closes and changes made durable */
    uint64_t groups; /* journal fdatasyncs that made them durable */
    uint64_t checkpoints;
    uint64_t recovered_files; /* at the last open */
    uint64_t dropped_files; /* at the last open: torn or unreadable */
    double recovery_ms; /* time spool_open took */
};
void spool_stats(struct spool *sp, struct spool_stats *st);

/* Maps a spool errno (negative) to a DIAG_E* code; 0 stays 0. */
int spool_errno_to_diag(int rc);

/* ---- writers: open spool files ------------------------------------------ */

struct spool_writer;

/* Attributes of a new file (SPOOL command settings).  Strings may be NULL
 * (empty).  The origin is upper-cased; names are kept as given (printable
 * ASCII, no blanks). */
struct spool_create {
    const char *origin; /* the userid making it (required) */
    enum spool_dev dev;
    char spclass; /* 'A'-'Z' or '0'-'9' (lower case accepted); 0 = 'A' */
    uint16_t copies; /* 0 = 1 */
    unsigned hold; /* SPOOL_HOLD_* */
    const char *fname, *ftype, *dist, *form;
};

/* Creates an open spool file and assigns its spoolid (the next free one,
 * ascending, wrapping at max_spoolid).  Returns 0 and *out (owned by the
 * caller until spool_writer_close or _discard), -EINVAL, -ENOSPC (no free
 * spoolid) or -EIO.  Does no disk I/O. */
int spool_writer_open(struct spool *sp, const struct spool_create *c, struct spool_writer **out);

uint32_t spool_writer_spoolid(const struct spool_writer *w);
uint64_t spool_writer_records(const struct spool_writer *w);

/* Appends one record (0..SPOOL_RECORD_MAX bytes, any bytes).  Records are
 * buffered and written to the data log in chunks by this caller's thread.
 * 0, -EINVAL (too long), -ENOSPC (limit or host disk full: this record is not
 * added, earlier ones stay, the writer can still be closed or discarded), or
 * -EIO. */
int spool_writer_append(struct spool_writer *w, const void *rec, size_t len);

/* Renames the file (CLOSE ... NAME fn ft) before closing.  0 or -EINVAL. */
int spool_writer_set_name(struct spool_writer *w, const char *fname, const char *ftype);
/* Changes the distribution code (CLOSE ... DIST).  0 or -EINVAL. */
int spool_writer_set_dist(struct spool_writer *w, const char *dist);
/* Sets the hold bits the file will have (CLOSE ... HOLD / NOHOLD).  0 or
 * -EINVAL. */
int spool_writer_set_hold(struct spool_writer *w, unsigned hold);

/* Closes the file and queues it: to the reader of userid `to`, or, with
 * `to` NULL, to the system queue of its device (PRT for printer and console
 * files, PUN for punch files; an RDR file needs a `to`).  The owner becomes
 * `to` (or the origin).  Waits for durability; returns 0 and *spoolid when
 * the file is durable and visible.  On -EINVAL, -ENOSPC (the last chunk
 * could not be written, or the journal cannot grow) or -ENOMEM the writer is
 * untouched and still the caller's (close again or discard it).  0 and -EIO
 * consume the writer (-EIO: the store is broken; the file is not known to be
 * durable; it may or may not be there after a restart). */
int spool_writer_close(struct spool_writer *w, const char *to, uint32_t *spoolid);

/* The same without waiting: done(arg, rc, spoolid) runs later on the
 * committer thread once the file is durable (rc 0) or not (rc -EIO).
 * Returns 0 if the close was accepted (the writer is consumed; done will be
 * called exactly once); -EINVAL, -ENOSPC, -ENOMEM as above (writer
 * untouched, done never called); -EIO (writer consumed, done never
 * called). */
int spool_writer_close_async(struct spool_writer *w, const char *to,
                             void (*done)(void *arg, int rc, uint32_t spoolid), void *arg);

/* Drops an unclosed file and its records; frees w.  Never fails. */
void spool_writer_discard(struct spool_writer *w);

/* ---- queries and changes to closed files -------------------------------- */

/* Selects closed files.  Zeroed = every file.  CP fills owner (and queue)
 * for a general user so they reach only their own files. */
struct spool_filter {
    const char *owner; /* NULL = any owner */
    enum spool_queue queue; /* SPOOL_Q_ANY = any */
    char spclass; /* 0 or '*' = any class */
    uint32_t spoolid; /* 0 = any */
};

/* Copies the matching files, in queue order (a whole-system listing is
 * grouped by owner, then queue), into a malloc'd array; the caller frees
 * *out.  0 (with *count possibly 0 and *out NULL), -EINVAL, -ENOMEM.  Never
 * waits for disk I/O. */
int spool_list(struct spool *sp, const struct spool_filter *f, struct spool_info **out,
               size_t *count);

/* One file by spoolid (any queue).  0 or -ENOENT. */
int spool_query(struct spool *sp, uint32_t spoolid, struct spool_info *out);

/* The changing operations below each take a filter; with f->spoolid set the
 * file must exist and match the rest of the filter, or -ENOENT and nothing
 * changes; without it they act on every match (possibly none, count 0).
 * *count (may be NULL) gets the number of files changed.  All wait for
 * durability and return 0, -EINVAL, -ENOENT or -EIO. */

/* PURGE.  A file being read by a cursor disappears from its queue at once;
 * its records go when the cursor closes. */
int spool_purge(struct spool *sp, const struct spool_filter *f, size_t *count);

/* Completion of a change that did not wait: runs once on the committer
 * thread with no store lock held, after the change is durable (rc 0) or
 * known not to be (-EIO).  `value` is what the call says (a count, or the
 * spoolid).  The same rules as every callback: short, and no function that
 * waits for durability. */
typedef void (*spool_done_fn)(void *arg, int rc, uint32_t value);

/* PURGE without waiting (for a thread that runs VMs): the files leave
 * their queues at once, as with spool_purge, and done(arg, rc, count)
 * follows once the purge is durable, so a caller that tells its user only
 * then never tells of a purge a crash could undo.  0: accepted (done is
 * called exactly once); 1: nothing matched (no spoolid in f; nothing
 * changes, done is never called); -EINVAL, -ENOENT, -ENOMEM, -EIO: nothing
 * changes, done is never called. */
int spool_purge_async(struct spool *sp, const struct spool_filter *f, spool_done_fn done,
                      void *arg);

/* TRANSFER to the reader of `to`: the owner becomes `to`, the origin stays,
 * the file goes to the end of that reader. */
int spool_transfer(struct spool *sp, const struct spool_filter *f, const char *to,
                   size_t *count);

/* CHANGE: the fields whose SPOOL_CH_* bit is in `what`. */
#define SPOOL_CH_CLASS 0x01
#define SPOOL_CH_NAME 0x02 /* fname and ftype */
#define SPOOL_CH_DIST 0x04
#define SPOOL_CH_FORM 0x08
#define SPOOL_CH_COPIES 0x10
#define SPOOL_CH_HOLD 0x20 /* user hold on/off (as CHANGE HOLD / NOHOLD) */
struct spool_change {
    unsigned what;
    char spclass;
    const char *fname, *ftype, *dist, *form;
    uint16_t copies;
    bool hold;
};
int spool_change(struct spool *sp, const struct spool_filter *f, const struct spool_change *ch,
                 size_t *count);

/* HOLD (on = true) or FREE (on = false) the hold bits `which`
 * (SPOOL_HOLD_USER, SPOOL_HOLD_SYSTEM or both). */
int spool_hold(struct spool *sp, const struct spool_filter *f, unsigned which, bool on,
               size_t *count);

/* ORDER: moves the files ids[0..n-1] of owner's queue to its front, in that
 * order.  Every id must be in that queue (-ENOENT otherwise, nothing moves);
 * duplicates are -EINVAL. */
int spool_order(struct spool *sp, const char *owner, enum spool_queue queue,
                const uint32_t *ids, size_t n);

/* TRANSFER, CHANGE, HOLD/FREE and ORDER without waiting, as
 * spool_purge_async: the change is made at once (later readers see it),
 * done(arg, rc, count) follows once it is durable.  0: accepted (done is
 * called exactly once); 1: nothing matched (no spoolid in f; done is never
 * called); a negative errno as the waiting call's: nothing changes, done is
 * never called. */
int spool_transfer_async(struct spool *sp, const struct spool_filter *f, const char *to,
                         spool_done_fn done, void *arg);
int spool_change_async(struct spool *sp, const struct spool_filter *f,
                       const struct spool_change *ch, spool_done_fn done, void *arg);
int spool_hold_async(struct spool *sp, const struct spool_filter *f, unsigned which, bool on,
                     spool_done_fn done, void *arg);
int spool_order_async(struct spool *sp, const char *owner, enum spool_queue queue,
                      const uint32_t *ids, size_t n, spool_done_fn done, void *arg);

/* ---- reading a file's records ------------------------------------------- */

struct spool_cursor;

/* Opens a closed file for reading by spoolid; with owner non-NULL the file
 * must be in owner's queues (-ENOENT otherwise).  The file's records stay
 * readable until the cursor closes even if it is purged meanwhile. */
int spool_cursor_open(struct spool *sp, uint32_t spoolid, const char *owner,
                      struct spool_cursor **out);

/* Reads the next record into buf (at most cap bytes); *len gets its full
 * length (more than cap means it was truncated).  0, -ENODATA at the end,
 * -EIO (checksum mismatch or read error: the record is lost, the cursor
 * stays at it). */
int spool_cursor_next(struct spool_cursor *c, void *buf, size_t cap, size_t *len);
/* Back to the first record.  Always 0. */
int spool_cursor_restart(struct spool_cursor *c);
uint32_t spool_cursor_spoolid(const struct spool_cursor *c);
void spool_cursor_close(struct spool_cursor *c);

/* ---- a virtual reader (DIAG 0x014) -------------------------------------- */

struct spool_reader;

/* A reader device of `userid` reading class spclass ('*' = any).  0,
 * -EINVAL or -ENOMEM. */
int spool_reader_open(struct spool *sp, const char *userid, char spclass,
                      struct spool_reader **out);
/* SPOOL READER CLASS c: takes effect at the next file.  0 or -EINVAL. */
int spool_reader_set_class(struct spool_reader *r, char spclass);

/* DIAG_RDR_NEXT: the next record of the current file, first opening the
 * first eligible file (in the user's reader, of the reader's class, not
 * held, in queue order) if none is current.  *spoolid gets the file's id.
 * 0, -ENODATA at the end of the current file (it stays current until
 * closed), -ENOENT when no file is eligible, -EIO. */
int spool_reader_next(struct spool_reader *r, void *buf, size_t cap, size_t *len,
                      uint32_t *spoolid);
/* DIAG_RDR_SELECT: makes file `spoolid` in the user's reader current (any
 * class; the previous current file is kept).  0, -ENOENT, -EBUSY (held). */
int spool_reader_select(struct spool_reader *r, uint32_t spoolid);
/* DIAG_RDR_RESTART: back to the first record.  0 or -ENOENT (none current). */
int spool_reader_restart(struct spool_reader *r);
/* DIAG_RDR_DESCRIBE: spoolid 0 = the current file, or else the first
 * eligible one; another id = that file in the user's reader (held or not,
 * any class).  Fills *d (blank-padded names).  0 or -ENOENT. */
int spool_reader_describe(struct spool_reader *r, uint32_t spoolid, struct diag_spool_desc *d);
/* DIAG_RDR_CLOSE: ends the current file, keeping it (it stays in the reader
 * where it was, not held) or purging it (waits for durability).  0,
 * -ENOENT (none current), -EIO. */
int spool_reader_close_file(struct spool_reader *r, bool purge);
/* DIAG_RDR_CLOSE with purge, without waiting: the current file ends and
 * leaves the reader at once; done(arg, rc, spoolid) follows on the
 * committer thread once the purge is durable.  0: accepted (done is called
 * exactly once); 1: the file had already gone (purged or moved by someone
 * else: nothing to wait for, done is never called); -ENOENT: none current;
 * -ENOMEM, -EIO: the current file is ended all the same, but not purged,
 * and done is never called. */
int spool_reader_purge_async(struct spool_reader *r, spool_done_fn done, void *arg);
/* The current file's id, or 0. */
uint32_t spool_reader_current(const struct spool_reader *r);
/* Frees the reader (keeping any current file).  NULL is a no-op. */
void spool_reader_free(struct spool_reader *r);

/* ---- system printer output ---------------------------------------------- */

#define SPOOL_PRINT_PURGE 0x1 /* purge the file once its output is durable */

/* Writes printer (or any) file `spoolid` as a text file in host folder
 * `dir`: a separator page naming the owner, origin, file, class, dist and
 * form, then one line per record (control bytes other than tab and form feed
 * shown as '.'), the whole repeated for each copy.  The file is written
 * beside, synced and renamed into place; its name goes to path (path_len
 * bytes) when path is not NULL.  Held files are refused (-EBUSY).  Returns 0,
 * -ENOENT, -EBUSY, -EEXIST, -EIO or another errno from the host folder.  Waits
 * for the host disk, so CP calls it from an I/O worker. */
int spool_print(struct spool *sp, uint32_t spoolid, const char *dir, unsigned flags, char *path,
                size_t path_len);

#endif /* SPOOL_SPOOL_H */
