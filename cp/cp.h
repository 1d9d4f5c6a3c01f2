/* SPDX-License-Identifier: MIT */
/*
 * cp/cp.h - CP proper: the system of logged-on users, their consoles, the
 * dispatcher and the CP command processor.  The public header for:
 *
 *   vmrv ipl     creates the system from the configuration, starts it,
 *                waits for SHUTDOWN (or SIGTERM), shuts it down;
 *   login/       logs users on with a terminal (a session), hands in lines
 *                and attentions, pumps output, runs exec requests;
 *   the VM layer implements struct cp_vm_ops (create, run a slice, IPL,
 *                ...) and calls back for DIAG 0x008 (cp_diag_command), the
 *                console (cp_user_console + cp/console.h), CPU times,
 *                messages and stops.
 *
 * The life of a logged-on user (cp/system.c owns it):
 *
 *   cp_logon --> CONNECTED <---- cp_logon (reconnect: CP READ,
 *                  |    ^          "RECONNECTED AT")
 *   DISCONNECT,    |    |  cp_logon again while connected: takeover (the
 *   connection     v    |  old session is closed with VMR055W)
 *   lost, idle   DISCONNECTED -- waiting for input longer than
 *                  |              disconnect_timeout --> logged off
 *   LOGOFF, FORCE, SHUTDOWN, AUTOLOG'd user's LOGOFF (from either state)
 *                  v
 *              LOGGING OFF: "CONNECT= ... LOGOFF AT ..." on its console, then
 *                  the dispatcher lets it go, the VM is destroyed, its storage
 *                  is uncommitted, and the audit trail says LOGOFF.
 *
 * Threads: every function here may be called from any thread unless it
 * says otherwise.  Work for a user (its CP commands, IPL, attention) always
 * runs on the dispatcher thread that runs its VM, so only that thread
 * touches the VM's CPU and storage.  Lock order: system -> user -> (console,
 * dispatcher); the console and dispatcher locks are leaves.
 */
#ifndef CP_CP_H
#define CP_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/config.h"
#include "cp/console.h"
#include "cp/dispatch.h"
#include "cp/log.h"
#include "cp/msg.h"

struct cp_system;
struct cp_user;
struct cp_session;
struct cp_out;
struct cpsp;
struct rv_cpu;
struct stor;

/* Privilege classes: bit n = class 'A' + n. */
#define CP_CLASS(c) (1u << ((c) - 'A'))
#define CP_CLASSES_ALL 0x03FFFFFFu

/* Parses "ABG" into a mask (0 on a character that is not A-Z) and back. */
uint32_t cp_classes_parse(const char *s);
void cp_classes_format(uint32_t mask, char *buf, size_t buflen);

/* ---- the user directory, as CP sees one entry ---------------------------- */

#define CP_USERID_MAX 8

struct cp_dirent {
    char userid[CP_USERID_MAX + 1]; /* upper case */
    bool nolog; /* may not log on (can still receive spool files) */
    uint32_t classes; /* CP_CLASS bits */
    uint64_t storage; /* bytes at logon (0: VMRV_DEFAULT_STORAGE) */
    uint64_t maxstorage; /* DEFINE STORAGE limit (0: = storage) */
    uint32_t share; /* relative SHARE (0: 100) */
    char ipl[64]; /* what to IPL at logon ("CMS", "190"), "" = none */
    char ipl_parm[241];
};

/* ---- what the VM layer provides ------------------------------------------ */

/* One link to a minidisk (QUERY LINKS): the disk (its owner's address),
 * the user who holds it, at which address of theirs, and with what. */
struct cp_link_info {
    unsigned owner_vaddr;
    char userid[CP_USERID_MAX + 1];
    unsigned vaddr;
    bool write; /* R/W, else R/O */
};

/* Every function is optional (NULL: the CP command that needs it says it
 * is not available).  `vm` is what create returned.  Unless noted, called
 * on the dispatcher thread that runs the user. */
struct cp_vm_ops {
    /* Any thread (at logon): the user's virtual machine, not yet IPLed,
     * with storage and devices from the directory entry.  NULL + err. */
    void *(*create)(void *svc_ctx, struct cp_user *u, const struct cp_dirent *de, char *err,
                    size_t errlen);
    /* Last call for this VM. */
    void (*destroy)(void *vm);
    /* One slice of the guest (cp/dispatch.h).  Called only while the VM is
     * IPLed and not stopped in CP READ. */
    enum disp_result (*run)(void *vm, struct disp_slice *slice);
    /* Any thread, cheap: end the running slice soon (rv_cpu_kick). */
    void (*kick)(void *vm);
    /* IPL a named system or a device; write errors with cp_out_msg.
     * 0 or a message number. */
    int (*ipl)(void *vm, const char *what, const char *parm, struct cp_out *out);
    /* Optional: IPL of a device with the disk read on an I/O worker.
     * ipl_dev_open (the VM's thread): 0 and *handle when `what` names one
     * of the VM's disks, 1 when `what` is not a device address (use ipl),
     * else a message number (written to out).  ipl_dev_read (any thread):
     * 0 or a message number (written to out).  ipl_dev_start (the VM's
     * thread): resets the VM and starts the image; consumes the handle; 0 or
     * a message number.  ipl_dev_free drops a handle. */
    int (*ipl_dev_open)(void *vm, const char *what, void **handle, struct cp_out *out);
    int (*ipl_dev_read)(void *handle, struct cp_out *out);
    int (*ipl_dev_start)(void *vm, void *handle, const char *parm, struct cp_out *out);
    void (*ipl_dev_free)(void *handle);
    /* SYSTEM RESET (clear: CLEAR, storage zeroed too). */
    void (*reset)(void *vm, bool clear);
    /* DEFINE STORAGE: new size; the VM is reset.  0 or a message number. */
    int (*define_storage)(void *vm, uint64_t bytes, struct cp_out *out);
    /* The CPU and storage, for DISPLAY, STORE and QUERY TRANSLATION. */
    struct rv_cpu *(*cpu)(void *vm);
    struct stor *(*stor)(void *vm);
    /* The user pressed attention: raise DIAG_EVENT_ATTENTION.  Return true
     * if an attention was already waiting unclaimed (vm_attention): CP
     * then enters CP READ (the second attention). */
    bool (*attention)(void *vm);
    /* A line is waiting as type-ahead: raise DIAG_EVENT_CONSOLE. */
    void (*console_ready)(void *vm);
    /* SMSG arrived for a VM that AUTHORIZEd (DIAG 0x068): queue it and
     * raise DIAG_EVENT_MESSAGE.  Return false if the VM does not take
     * SMSG itself (CP then shows it on the console).  Any thread. */
    bool (*smsg)(void *vm, const char *from, const char *text);
    /* QUERY TRANSLATION: more lines after the CPU's counters (e.g. DIAG
     * calls by function). */
    void (*stats)(void *vm, struct cp_out *out);
    /* QUERY VIRTUAL: one line per device (cp_out_line). */
    void (*query_virtual)(void *vm, struct cp_out *out);
    /* DETACH vaddr, LINK: 0 or a message number (written to out). */
    int (*detach)(void *vm, unsigned vaddr, struct cp_out *out);
    int (*link)(void *vm, const char *owner, unsigned owner_vaddr, unsigned vaddr,
                const char *mode, const char *password, struct cp_out *out);
    /* Optional: LINK in two steps, so that a LINK typed at a console reads
     * the directory and opens the image on an I/O worker while the VM goes
     * on.  link_prepare runs on any thread (svc_ctx: cp_services.ctx) and
     * returns a handle, or NULL with the error written to out;
     * link_attach runs on the VM's thread and consumes the handle (0 or a
     * message number, written to out); link_free drops an unused one. */
    void *(*link_prepare)(void *svc_ctx, const char *userid, const char *owner,
                          unsigned owner_vaddr, const char *mode, const char *password,
                          struct cp_out *out);
    int (*link_attach)(void *vm, void *prep, unsigned vaddr, struct cp_out *out);
    void (*link_free)(void *prep);
    /* Optional: DEFINE TDISK in the same two steps.  tdisk_prepare (any
     * thread; svc_ctx: cp_services.ctx) counts the space against total and
     * creates the image (cp/tdisk.h); a handle, or NULL with the error
     * written to out.  tdisk_attach (the VM's thread) attaches it R/W at
     * vaddr and consumes the handle (0 or a message number, written to
     * out); tdisk_free drops an unused one (its space and image go). */
    void *(*tdisk_prepare)(void *svc_ctx, const char *userid, unsigned vaddr, uint64_t blocks,
                           uint64_t total, struct cp_out *out);
    int (*tdisk_attach)(void *vm, void *prep, unsigned vaddr, struct cp_out *out);
    void (*tdisk_free)(void *prep);
    /* QUERY LINKS.  disk_at (the VM's thread): which minidisk is at vaddr:
     * 0 with its owner (owner[CP_USERID_MAX + 1]) and the owner's address;
     * MSG_NODEV (no such device) or MSG_NOTDASD (not a minidisk), nothing
     * written.  links (any thread; svc_ctx: cp_services.ctx): who holds
     * owner's minidisk owner_vaddr (all of owner's disks in use when
     * owner_vaddr < 0): an array sorted by disk, userid and address that
     * the caller frees; 0 or -ENOMEM. */
    int (*disk_at)(void *vm, unsigned vaddr, char *owner, unsigned *owner_vaddr);
    int (*links)(void *svc_ctx, const char *owner, int owner_vaddr, struct cp_link_info **out,
                 size_t *n);
    /* Virtual and total CPU in microseconds as the VM layer counts them
     * (DIAG 0x00C uses the same); NULL: the dispatcher's accounting. */
    void (*cpu_times)(void *vm, uint64_t *virt_us, uint64_t *total_us);
    /* Per dispatcher thread state (e.g. its struct rv_tlb); any thread. */
    void *(*thread_start)(void *svc_ctx, unsigned thread);
    void (*thread_end)(void *svc_ctx, void *thread_ctx);
};

/* Everything CP needs from outside CP proper. */
struct cp_services {
    void *ctx;
    /* The directory: 0, -ENOENT (no such user) or another -errno.  Any
     * thread; must not block for long. */
    int (*dir_lookup)(void *ctx, const char *userid, struct cp_dirent *out);
    /* The VM layer, or NULL (users then have CP only: no IPL). */
    const struct cp_vm_ops *vm;
    /* The spool (cp/spool_cp.h), or NULL (the spool commands say so). */
    struct cpsp *spool;
};

/* The standard services: the directory in datadir (cp/dir.h) and the real
 * VM layer (cp/vm.h).  Fills svc; release with cp_services_standard_free
 * after cp_system_destroy.  0, or -errno with a reason in err. */
int cp_services_standard(struct cp_services *svc, const char *datadir, char *err, size_t errlen);

/* How cp_services_standard_opts opens the spool: a COLD start empties it
 * (an operator's explicit choice; a warm start keeps every closed file);
 * spool_limit is its space in bytes (0 = no limit). */
struct cp_std_opts {
    bool spool_cold;
    uint64_t spool_limit;
};
int cp_services_standard_opts(struct cp_services *svc, const char *datadir,
                              const struct cp_std_opts *opts, char *err, size_t errlen);
void cp_services_standard_free(struct cp_services *svc);

/* ---- the system ------------------------------------------------------------ */

/* A system from a configuration (copied).  Sets the time zone, creates the
 * dispatcher (not started).  Logging is the caller's (cplog_open).  NULL +
 * err on failure. */
struct cp_system *cp_system_create(const struct cp_config *cfg, const struct cp_services *svc,
                                   char *err, size_t errlen);

/* Starts the dispatcher threads.  0 or -errno. */
int cp_system_start(struct cp_system *sys);

/* Blocks until SHUTDOWN was given (by a command or cp_system_request_
 * shutdown) or timeout_ms passed (-1: no limit).  True if shutdown was
 * requested. */
bool cp_system_wait(struct cp_system *sys, int timeout_ms);

/* Asks for a shutdown (e.g. on SIGTERM, from the main loop; not from a
 * signal handler).  New logons are refused from now on. */
void cp_system_request_shutdown(struct cp_system *sys, const char *by);

/* Shuts down: refuses logons, tells every user, logs everyone off cleanly
 * (their LOGOFF lines reach their terminals), waits up to grace_ms for
 * them to be gone, stops the dispatcher.  Returns the number of users who
 * were still there at the end (0 = clean). */
unsigned cp_system_shutdown(struct cp_system *sys, unsigned grace_ms);

/* After cp_system_shutdown: frees everything. */
void cp_system_destroy(struct cp_system *sys);

const struct cp_config *cp_system_config(const struct cp_system *sys);
unsigned cp_system_users(struct cp_system *sys);

/* ---- sessions: a terminal attached to a logged-on user -------------------- */

/* Logs userid on (or reconnects, or takes over a connected session) with a
 * terminal.  source describes where from ("127.0.0.1:40122") for the logs.
 * ops/ctx are the terminal (cp/console.h): output arrives through them.
 * Returns 0 and *out, or a message number (MSG_NOTINDIR, MSG_NOLOG,
 * MSG_TOOMANY, MSG_COMMITTED, MSG_SHUTTING, MSG_LOGONFAIL) with the message
 * (id and text) in why.  Authentication is the caller's business. */
int cp_logon(struct cp_system *sys, const char *userid, const char *source,
             const struct con_term_ops *ops, void *ctx, struct cp_session **out, char *why,
             size_t whylen);

/* The terminal's thread: one input line (no line end needed). */
void cp_session_input(struct cp_session *s, const char *line, size_t len);

/* The terminal's thread: the attention key (Ctrl-C). */
void cp_session_attention(struct cp_session *s);

/* The terminal's thread, after CON_EV_OUTPUT: moves output to ops->write. */
void cp_session_pump(struct cp_session *s);

/* The screen state for a status line: "CP READ", "VM READ", "RUNNING",
 * "HOLDING". */
const char *cp_session_state(struct cp_session *s);

/* True once CP has ended this session (CON_EV_CLOSE was sent): logoff,
 * DISCONNECT, FORCE, takeover, idle.  reason (may be NULL) receives a line
 * to show if the session's output could not say it (takeover). */
bool cp_session_closed(struct cp_session *s, char *reason, size_t len);

/* The terminal's thread: the terminal is gone or done.  If CP had not
 * ended the session, the user is disconnected (the VM goes on).  Frees s;
 * no calls to ops after this returns. */
void cp_session_close(struct cp_session *s);

const char *cp_session_userid(const struct cp_session *s);

/* Logs userid on without a terminal, disconnected, as AUTOLOG does (vmrv
 * ipl uses it for the users with OPTION AUTOLOG at system start); `by`
 * names who asked, for the logs.  Returns 0, or a message number with the
 * message (id and text) in why (why may be NULL). */
int cp_system_autolog(struct cp_system *sys, const char *userid, const char *by, char *why,
                      size_t whylen);

/* ---- exec: one command without a terminal --------------------------------- */

/* Runs one CP command as userid (logged on or not: if not, only commands
 * that need no virtual machine work).  done(ctx, rc, output, len) is
 * called exactly once, either before cp_exec returns or later on a
 * dispatcher thread; output is lines separated by '\n', valid during the
 * call.  rc is CP's return code (0, or the number of the first error).
 * Returns 0, or a message number if the command could not be started at
 * all (not in the directory; done is not called then). */
int cp_exec(struct cp_system *sys, const char *userid, const char *cmd, size_t len,
            void (*done)(void *ctx, int rc, const char *out, size_t len), void *ctx);

/* The same, waiting for the result (for tests and vmrv tools): returns rc,
 * output malloc'd in *out (free it).  Never call it from a dispatcher
 * thread. */
int cp_exec_wait(struct cp_system *sys, const char *userid, const char *cmd, char **out);

/* ---- for the VM layer ------------------------------------------------------- */

/* DIAG 0x008, on the thread running u's VM: runs cmd as u.  The response
 * (lines separated by '\n') is copied into resp (up to cap bytes; resp may
 * be NULL), *full = its whole length; with to_console (or resp NULL) it
 * also goes to the console.  Returns CP's return code.  Commands that
 * change the VM itself (IPL, SYSTEM, DEFINE STORAGE, LOGOFF) take effect
 * when the current slice ends. */
int cp_diag_command(struct cp_user *u, const char *cmd, size_t len, char *resp, size_t cap,
                    size_t *full, bool to_console);

/* u's console (cp/console.h): DIAG 0x058 calls con_write and con_read on
 * it, con_attention_claimed when the guest claims an attention. */
struct console *cp_user_console(struct cp_user *u);

/* Virtual and total CPU of u in microseconds (DIAG 0x00C). */
void cp_user_cpu_times(struct cp_user *u, uint64_t *virt_us, uint64_t *total_us);

/* Any thread: something u's VM waits for happened (I/O done, a message,
 * console output drained); it runs again. */
void cp_user_wake(struct cp_user *u);

/* The VM stopped for good (disabled wait, TEST EXIT, SRST shutdown): CP
 * tells the user (VMR150W with why), logs it, and puts the console in CP
 * READ; the VM is not run again until IPL.  The VM's own thread. */
void cp_user_stopped(struct cp_user *u, const char *why);

const char *cp_user_userid(const struct cp_user *u);
uint32_t cp_user_classes(const struct cp_user *u);
struct cp_system *cp_user_system(const struct cp_user *u);

/* TRACE: the flags the user set (CP_TRACE_*), and a trace line to show. */
#define CP_TRACE_ECALL 0x1 /* hypercalls and U-mode ecalls */
#define CP_TRACE_PROG 0x2 /* exceptions reflected to the guest */
#define CP_TRACE_EXT 0x4 /* interrupts */
#define CP_TRACE_INSN 0x8 /* every instruction (slow: one block at a time) */
#define CP_TRACE_ALL 0xf
unsigned cp_user_trace(const struct cp_user *u);
void cp_user_trace_line(struct cp_user *u, const char *text);

/* SMSG and MSG from a guest (DIAG 0x068 SEND): as the SMSG command.  0 or
 * a message number (MSG_NOTLOGGEDON, MSG_SMSGOFF, ...). */
int cp_send_smsg(struct cp_user *from, const char *to, const char *text);

/* ---- command output (the VM layer's ops write through these too) -------- */

/* One response line (no id: QUERY output and the like). */
void cp_out_line(struct cp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message from the table with string arguments; the first E/W/S/T one
 * sets the command's return code. */
void cp_out_msgv(struct cp_out *o, int num, const char *const *args, unsigned nargs);
#define cp_out_msg(o, num, ...) cp_out_msgv((o), (num), MSG_ARGS(__VA_ARGS__))

/* ---- audit helpers for login/ and the directory --------------------------- */
void cp_audit_bad_logon(struct cp_system *sys, const char *userid, const char *source,
                        const char *why);

#endif /* CP_CP_H */
