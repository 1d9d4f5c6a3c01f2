/* SPDX-License-Identifier: MIT */
/*
 * cp/msg.h - CP's messages to users: ids, severities and formatting.
 *
 * Every message CP writes to a user has an id in VM's form: our prefix
 * "VMR", a three-digit number and a severity letter, e.g. VMR003E.  The
 * letters: I information, W warning, E error, S severe error, T terminal,
 * R response, A action, D decision.  The one table of numbers, severities
 * and texts is cp/msgtab.c; the numbers are named here so code and tests
 * say MSG_INVOPT rather than 3.
 *
 * Texts take positional arguments %1..%9 (strings; callers format numbers
 * first), and %% for a percent sign.  A missing argument is empty, so a
 * caller can never make the formatter read beyond its arguments.
 *
 * How a message is shown depends on the user's SET EMSG and SET IMSG:
 *   E W S T A D   EMSG ON: "VMR003E text"  TEXT: "text"  CODE: "VMR003E"
 *                 OFF: nothing
 *   I             as above, except OFF shows the text; IMSG OFF: nothing
 *   R             always the text only (responses such as LOGOFF AT ...)
 *
 * A CP command's return code is the number of the first error message it
 * gave (0 when it gave none), as on VM: CMS shows Ready(00003);
 *
 * Pure functions of the table: any thread.
 */
#ifndef CP_MSG_H
#define CP_MSG_H

#include <stdbool.h>
#include <stddef.h>

#define MSG_PREFIX "VMR"
#define MSG_ID_LEN 8 /* "VMR003E" + NUL */
#define MSG_MAX_ARGS 9

enum msg_emsg { MSG_EMSG_ON = 0, MSG_EMSG_TEXT, MSG_EMSG_CODE, MSG_EMSG_OFF };

struct msg_opts {
    enum msg_emsg emsg;
    bool imsg; /* show I messages */
};

/* Message numbers.  The texts are in cp/msgtab.c. */
enum msg_num {
    /* the command processor */
    MSG_UNKNOWN_CMD = 1,
    MSG_INVOPND = 2,
    MSG_INVOPT = 3,
    MSG_MISSING = 4,
    MSG_EXTRA = 5,
    MSG_NOPRIV = 6,
    MSG_INVUSER = 7,
    MSG_INVHEX = 8,
    MSG_RANGE = 9,
    MSG_NOTAVAIL = 10,
    MSG_INVREG = 11,
    MSG_ADDR = 12,
    MSG_CONFLICT = 13,
    MSG_NOVM = 14,
    MSG_NOTHERE = 15,
    MSG_TOOLONG = 16,
    MSG_NOHELP = 17,
    MSG_FAILED = 18,
    MSG_INVSTOR = 19,
    MSG_INVDEV = 20,
    /* users and logon */
    MSG_NOTLOGGEDON = 45,
    MSG_NOTINDIR = 46,
    MSG_TOOMANY = 50,
    MSG_COMMITTED = 51,
    MSG_NOLOG = 52,
    MSG_SHUTTING = 53,
    MSG_ALREADY = 54,
    MSG_TAKENOVER = 55,
    MSG_LOGONFAIL = 56,
    MSG_MSGOFF = 57,
    MSG_DISCONNECTED = 58,
    MSG_SMSGOFF = 59,
    MSG_QFULL = 60,
    MSG_FORCED = 61,
    MSG_MAXSTOR = 62,
    MSG_LOGOFFPEND = 63,
    MSG_INPUTFULL = 64,
    MSG_SELF = 65,
    /* responses and notices */
    MSG_LOGONAT = 100,
    MSG_RECONNAT = 101,
    MSG_LOGOFFAT = 102,
    MSG_CPUTIME = 103,
    MSG_DISCAT = 104,
    MSG_FORCEDBY = 106,
    MSG_FROM_MSG = 110,
    MSG_FROM_WNG = 111,
    MSG_FROM_SMSG = 112,
    MSG_SHUTDOWN = 113,
    MSG_CPREAD = 114,
    MSG_IDLEDISC = 115,
    MSG_DISCTIMEOUT = 116,
    MSG_SENT = 117,
    MSG_SET = 118,
    MSG_STORAGE = 119,
    MSG_AUTOLOGGED = 120,
    MSG_SHUTDOWNSTART = 121,
    /* the virtual machine */
    MSG_NODEV = 140,
    MSG_DEVEXISTS = 141,
    MSG_LINKFAIL = 142,
    MSG_PASSWORD = 143,
    MSG_DETACHED = 144,
    MSG_LINKED = 145,
    MSG_NOTDASD = 146,
    MSG_DISWAIT = 150,
    MSG_RESET = 151,
    MSG_STORDEF = 152,
    MSG_IPLFAIL = 153,
    MSG_TDISKDEF = 154,
    MSG_TDISKFAIL = 155,
    MSG_TDISKMAX = 156,
    MSG_TDISKSIZE = 157,
    MSG_TRACE = 170,
    MSG_LOST = 180,
    /* log-only: the operator's log */
    MSG_LOG_LOGON = 201,
    MSG_LOG_LOGOFF = 202,
    MSG_LOG_BADLOGON = 203,
    MSG_LOG_FORCE = 204,
    MSG_LOG_DISC = 205,
    MSG_LOG_RECONN = 206,
    MSG_LOG_DISWAIT = 207,
    MSG_LOG_SHUTDOWN = 208,
    MSG_LOG_AUTOLOG = 209,
    MSG_LOG_START = 210,
    MSG_LOG_REFUSED = 211,
    MSG_SPFILES = 300, /* spool: cp/spool_*.c, cp/cpcmd_spool*.c */
    MSG_SPARRIVED = 301,
    MSG_SPNOFILE = 302,
    MSG_SPFULL = 303,
    MSG_SPERROR = 304,
    MSG_SPCLOSED = 305,
    MSG_SPNOOPEN = 306,
    MSG_SPCOUNT = 307,
    MSG_SPNOFILES = 308,
    MSG_SPINVCLASS = 309,
    MSG_SPINVID = 310,
    MSG_SPNOSPOOL = 311,
    MSG_SPPRINTER = 312,
    MSG_SPPRTDONE = 313,
    MSG_SPHELD = 314,
    MSG_SPPRTSTATE = 315,
};

/* One row of the table (cp/msgtab.c). */
struct msg_def {
    int num;
    char sev; /* I W E S T R A D */
    const char *text;
};
extern const struct msg_def msg_table[];
extern const size_t msg_table_len;

/* The row for num, or NULL if the table has none (a bug in the caller). */
const struct msg_def *msg_lookup(int num);

/* Writes the id ("VMR003E") into id[MSG_ID_LEN].  Returns id.  An unknown
 * number gives "VMR999S". */
const char *msg_id(int num, char id[MSG_ID_LEN]);

/* The severity letter, '?' if unknown. */
char msg_severity(int num);

/* True for severities that make a command fail (E S T). */
bool msg_is_error(int num);

/* Only the text, arguments substituted, NUL terminated in buf.  Returns
 * the length that was needed (as snprintf). */
size_t msg_text(char *buf, size_t buflen, int num, const char *const *args, unsigned nargs);

/* The message as this user sees it (id, text or both per opts; NULL opts =
 * EMSG ON, IMSG ON).  Returns the length that was needed, or 0 when the
 * settings hide it (buf then holds ""). */
size_t msg_format(char *buf, size_t buflen, int num, const struct msg_opts *opts,
                  const char *const *args, unsigned nargs);

/* Helper for calls with literal arguments:
 *   MSG_ARGS("MAINT", "3")  ->  args, nargs  */
#define MSG_ARGV(...) ((const char *const[]){"", ##__VA_ARGS__} + 1)
#define MSG_ARGC(...) (sizeof((const char *const[]){"", ##__VA_ARGS__}) / sizeof(const char *) - 1)
#define MSG_ARGS(...) MSG_ARGV(__VA_ARGS__), (unsigned)MSG_ARGC(__VA_ARGS__)

#endif /* CP_MSG_H */
