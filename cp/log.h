/* SPDX-License-Identifier: MIT */
/*
 * cp/log.h - the operator's log and the audit trail.
 *
 * One logging API for all of CP.  The operator's log is a file in the data
 * folder (vmrv.log), optionally copied to stderr; each line reads
 *
 *   2024-05-02T09:26:11.123+0200 INFO  VMR201I MAINT    LOGON from 127.0.0.1
 *
 * time (local, with its UTC offset), level, message id (or "-"), userid (or
 * "-"), text.  The audit trail (audit.log) is a separate file of security
 * events (logons, logoffs, failed logons, FORCE, directory changes), one
 * line each:
 *
 *   2024-05-02T09:26:11.123+0200 LOGON    MAINT    from 127.0.0.1
 *
 * Both files are opened for append and reopened on cplog_reopen(), which a
 * SIGHUP handler requests with cplog_request_reopen() (async-signal-safe);
 * the next line written does the reopen.  Before cplog_open() (and after
 * cplog_close()) lines go to stderr only, so tools and tests need no setup.
 *
 * Threads: every function may be called from any thread; a mutex keeps
 * lines whole.  Control characters in text are written as '?', so a line
 * is always one line.
 */
#ifndef CP_LOG_H
#define CP_LOG_H

#include <stdbool.h>

enum cplog_level {
    CPLOG_ERROR = 0,
    CPLOG_WARN = 1,
    CPLOG_INFO = 2,
    CPLOG_DEBUG = 3,
};

/* Opens dir/vmrv.log and dir/audit.log for append (creating them 0640).
 * Lines below `level` are not written; with to_stderr each operator's line
 * also goes to stderr.  Returns 0 or -errno (nothing changes then). */
int cplog_open(const char *dir, enum cplog_level level, bool to_stderr);

/* Closes both files; later lines go to stderr. */
void cplog_close(void);

/* Changes the level at run time (SET LOGLEVEL, tests). */
void cplog_set_level(enum cplog_level level);

/* Async-signal-safe: the next line written first reopens both files. */
void cplog_request_reopen(void);

/* Reopens both files now (for log rotation).  0 or -errno; on failure the
 * old files stay in use. */
int cplog_reopen(void);

/* One line in the operator's log.  msgid is a message id ("VMR201I") or
 * NULL; userid NULL for system events. */
void cplog(enum cplog_level level, const char *msgid, const char *userid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One line in the audit trail, and an INFO copy in the operator's log.
 * event is one word: LOGON, LOGOFF, RECONN, DISCONN, BADLOGON, FORCE,
 * AUTOLOG, DIRECTORY, SHUTDOWN, ... */
void cplog_audit(const char *event, const char *userid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "error", "warning", "info", "debug" and back; -1 for an unknown word. */
const char *cplog_level_name(int level);
int cplog_level_parse(const char *word);

#endif /* CP_LOG_H */
