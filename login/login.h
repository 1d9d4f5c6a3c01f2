// SPDX-License-Identifier: MIT
/*
 * login/login.h - the SSH logon service: public interface.
 *
 * login/ is an SSH server (libssh 0.10) that turns SSH connections into
 * consoles and one-shot commands for a "backend" (CP, or the fake backend of
 * the tests). It knows nothing about VMs: the backend decides who may log on,
 * what a console line means and what a command prints. No libssh type appears
 * here.
 *
 * Threads. login_server_start() starts a few SSH threads (config.threads).
 * Each connection belongs to one SSH thread for its whole life, and every
 * libssh call on it happens there. Backend callbacks run on that thread:
 *   - never two at once for the same session, and always in order;
 *   - never with a login/ lock held, so a callback may call any login_*
 *     function, including for the same session;
 *   - they must be quick and must not block (no password hashing, no disk
 *     I/O, no waiting on a lock held by slow code): hundreds of sessions
 *     share the thread. Slow work goes to the backend's own threads, which
 *     answer through the login_* functions below.
 * Every login_* function documented "any thread" may be called from any
 * thread at any time, also after the connection is gone (it then returns
 * -ENOTCONN or does nothing).
 *
 * Connections and sessions. One SSH connection (one logon) may carry
 * several session channels at once (OpenSSH ControlMaster multiplexing,
 * up to config.max_channels). Each channel with a shell or exec request is
 * one struct login_session for the backend, exactly as if it had come on a
 * connection of its own: its own console or command, output queue, exit
 * status and disconnect(). Closing one does not close the others; the
 * connection stays (also with no channel) until the client hangs up or
 * config.empty_timeout_ms.
 *
 * Lifetimes. A struct login_session is handed to the backend by
 * console_open() or exec_start(); when that callback returns 0 the backend
 * owns one reference. Exactly one disconnect() callback follows later
 * (client hang-up, idle timeout, login_close(), server stop); the backend
 * drops its reference with login_session_release() when it has no more use
 * for the pointer (in disconnect() or later, from any thread). A
 * struct login_auth is owned by the backend from auth_password() or
 * auth_pubkey() until it calls login_auth_done() exactly once.
 *
 * Text. User ids are 1-8 characters, upper-cased by login/ before the
 * backend sees them (SSH user "alice" is ALICE). Console output is text in
 * lines ending with "\n" (UTF-8); login/ converts it for the terminal (CR LF,
 * wrapping at the terminal width, tabs) and removes other control characters
 * so that no program can drive the user's terminal. Exec output is passed
 * through byte for byte.
 */
#ifndef VMRV_LOGIN_H
#define VMRV_LOGIN_H

#include <stddef.h>
#include <sys/types.h>

struct login_server;
struct login_session;
struct login_auth;

/* Longest user id and longest console input line (bytes, without "\n"). */
#define LOGIN_USERID_MAX 8
#define LOGIN_LINE_MAX 1024

enum login_log_level {
    LOGIN_LOG_DEBUG,
    LOGIN_LOG_INFO,   /* logons, logoffs */
    LOGIN_LOG_NOTICE, /* failed logons, limits reached: security events */
    LOGIN_LOG_WARNING,
    LOGIN_LOG_ERROR,
};

/* Why a session ended (argument of the disconnect callback). */
enum login_disc_reason {
    LOGIN_DISC_HANGUP = 1, /* the client closed the connection or the channel */
    LOGIN_DISC_IDLE,       /* no input for config.idle_timeout_ms */
    LOGIN_DISC_CLOSED,     /* the backend called login_close() or finished the exec */
    LOGIN_DISC_SHUTDOWN,   /* login_server_stop() */
    LOGIN_DISC_ERROR,      /* protocol error, broken connection, out of memory */
};

/* Result of an authentication check (login_auth_done). */
enum login_auth_result {
    LOGIN_AUTH_DENY = 0,
    LOGIN_AUTH_OK = 1,
};

/* Flags for login_console_prompt(). */
#define LOGIN_INPUT_MASKED 0x1 /* next line is not echoed nor kept for recall */

/*
 * Configuration. Fill with login_config_init() first, then change fields.
 * Times are in milliseconds. Strings are copied by login_server_start().
 */
struct login_config {
    const char *address;       /* listen address, default "127.0.0.1" */
    int port;                  /* default 2222; 0 picks a free port */
    const char *hostkey_dir;   /* required: host keys are made here on first start */
    int threads;               /* SSH threads, default 2 */
    int max_connections;       /* all connections, default 1024 */
    int max_unauth;            /* connections not yet logged on, default 128 */
    int max_unauth_per_source; /* same, per client address, default 16 */
    int max_sessions_per_user; /* logged-on connections per user id, default 8 (a
                                * connection counts once, whatever its channels) */
    int max_channels;          /* session channels open at once on one connection
                                * (OpenSSH ControlMaster), default 10; more are
                                * refused ("administratively prohibited") */
    int max_auth_tries;        /* failed attempts (key probes too) per connection, default 6 */
    unsigned auth_timeout_ms;  /* from connect to logged on, and from a channel's
                                * opening to its console or command; default 60000 */
    unsigned idle_timeout_ms;  /* a console or command without input is closed;
                                * 0 = never; default 3600000 */
    unsigned empty_timeout_ms; /* a logged-on connection without any channel is
                                * closed; 0 = never; default 3600000 */
    unsigned fail_floor_ms;    /* a failed logon is answered no sooner, default 300 */
    unsigned fail_delay_ms;    /* first delay after a failure, doubling, default 1000 */
    unsigned fail_delay_max_ms;/* largest delay, default 30000 */
    unsigned fail_forget_ms;   /* failures are forgotten after this quiet time, default 900000 */
    unsigned close_grace_ms;   /* wait for the client to close a channel (or hang
                                * up) after we closed it, default 10000 */
    size_t output_limit;       /* bytes queued per session before "would block", default 65536 */
    const char *version;       /* software version in the SSH banner, default "VMRV" */
};

/* Terminal of a console (argument of console_open). */
struct login_term {
    int pty;          /* 1: the client asked for a terminal (line editing on) */
    int cols, rows;   /* terminal size; 80x24 when the client gave none */
    const char *term; /* TERM of the client, "" if none */
};

/*
 * The backend: callbacks with an opaque pointer. All run on the SSH thread
 * that owns the session (see the thread rules above). Any may be NULL except
 * auth_password; a NULL console_open or exec_start refuses that kind.
 */
struct login_backend {
    void *opaque;

    /* Operator log. Called on any thread (SSH threads and the caller of
     * login_server_start/stop), possibly concurrently. */
    void (*log)(void *opaque, enum login_log_level level, const char *message);

    /* Check a password for a user id (upper-cased, syntax already checked).
     * Answer later, from any thread, with login_auth_done(auth, result);
     * hash the password on another thread. Unknown users must cost the same
     * time as known ones (hash a dummy). `password` is only valid during the
     * call: copy it. */
    void (*auth_password)(void *opaque, struct login_auth *auth, const char *userid,
                          const char *password);
    /* Does this public key belong to this user? keytype is the SSH name
     * ("ssh-ed25519", ...), key_b64 the base64 public key blob, as in an
     * authorized_keys line. Called for the probe and again for the signed
     * request; login/ only logs the user on after the signed one. Answer
     * with login_auth_done(). NULL: public keys are refused. */
    void (*auth_pubkey)(void *opaque, struct login_auth *auth, const char *userid,
                        const char *keytype, const char *key_b64);

    /* A logged-on user asked for a shell: a console. Return 0 to accept
     * (the backend then owns a reference to s), or a negative errno to
     * refuse (the client is told and disconnected). Typically prints the
     * logon banner with login_write(). */
    int (*console_open)(void *opaque, struct login_session *s, const struct login_term *term);
    /* One input line of a console, without its "\n" (len <= LOGIN_LINE_MAX,
     * may contain any byte except "\n"). Return 0 when taken; -EAGAIN to
     * refuse it for now: login/ keeps it, stops reading input, and offers it
     * again after login_input_resume(). */
    int (*console_line)(void *opaque, struct login_session *s, const char *line, size_t len);
    /* The user pressed the attention key (Ctrl-C). Never a character. */
    void (*attention)(void *opaque, struct login_session *s);
    /* The terminal size changed. */
    void (*window)(void *opaque, struct login_session *s, int cols, int rows);

    /* A logged-on user ran one command (ssh user@host 'COMMAND'). Return 0
     * to accept (reference as for console_open), negative errno to refuse.
     * The backend writes output with login_write()/login_write_err() and
     * ends with login_exec_finish(s, rc). */
    int (*exec_start)(void *opaque, struct login_session *s, const char *command);
    /* Standard input of the command, binary. Return how many bytes were
     * taken (0..len); when fewer than len, login/ keeps the rest, stops
     * reading (the client is held by SSH flow control) and offers it again
     * after login_input_resume(). NULL: input is discarded. */
    size_t (*exec_input)(void *opaque, struct login_session *s, const void *data, size_t len);
    /* Standard input ended (after all exec_input data was taken). */
    void (*exec_eof)(void *opaque, struct login_session *s);

    /* A login_write() that returned -EAGAIN may now be retried (the queue is
     * half empty). Called once per -EAGAIN episode. */
    void (*writable)(void *opaque, struct login_session *s);

    /* The session is over; last callback for s. The backend then releases
     * its reference (here or later). Not called for connections that never
     * reached console_open/exec_start. */
    void (*disconnect)(void *opaque, struct login_session *s, enum login_disc_reason why);
};

/* Statistics of a running server (login_server_stats). */
struct login_stats {
    int connections;     /* open connections */
    int unauthenticated; /* of which not logged on yet */
    int sessions;        /* consoles and commands handed to the backend (channels) */
    int auth_pending;    /* authentication requests out at the backend or delayed */
    long accepted;       /* connections accepted since start */
    long refused;        /* connections refused by limits */
    long logons;         /* successful logons */
    long failures;       /* failed logon attempts */
};

/* Fill cfg with the defaults. hostkey_dir stays NULL (required). */
void login_config_init(struct login_config *cfg);

/*
 * Start the service: make or load the host keys (ed25519 and ECDSA P-256,
 * files ssh_host_ed25519_key and ssh_host_ecdsa_key in hostkey_dir, mode
 * 0600, made once and reused), listen, start the SSH threads.
 * Returns 0 and *out, or a negative errno with a message in err (if given).
 * The backend struct is copied; backend.opaque must stay valid until
 * login_server_stop() returns. Call from a thread that is not an SSH thread.
 */
int login_server_start(const struct login_config *cfg, const struct login_backend *backend,
                       struct login_server **out, char *err, size_t errlen);

/* The TCP port the server listens on (useful after port 0). Any thread. */
int login_server_port(const struct login_server *srv);

/* Counters; any thread. */
void login_server_stats(struct login_server *srv, struct login_stats *st);

/*
 * Stop: refuse new connections, disconnect every connection (open sessions
 * get disconnect(LOGIN_DISC_SHUTDOWN)), join the threads, close the
 * listening socket. Afterwards no callback runs. Handles the backend still
 * holds (sessions not yet released, auth requests not yet answered) stay
 * safe to use: login_* calls on them return -ENOTCONN; memory is freed when
 * the last one goes. Never call from a backend callback.
 */
void login_server_stop(struct login_server *srv);

/* ---- Authentication answers --------------------------------------------- */

/* Answer an auth_password/auth_pubkey request. Exactly once per request;
 * auth is freed. Any thread, also inside the callback itself. */
void login_auth_done(struct login_auth *auth, enum login_auth_result result);
/* The client's address ("127.0.0.1") of a pending request. */
const char *login_auth_peer(const struct login_auth *auth);

/* ---- Sessions ------------------------------------------------------------ */

/* Take / drop a reference. Any thread. The session memory stays valid while
 * a reference is held. */
void login_session_hold(struct login_session *s);
void login_session_release(struct login_session *s);

/* Upper-cased user id, client address, kind. Any thread; the strings live
 * as long as the session. */
const char *login_session_userid(const struct login_session *s);
const char *login_session_peer(const struct login_session *s);
int login_session_is_exec(const struct login_session *s);

/* One pointer for the backend's own use. Any thread (plain store/load). */
void login_session_set_data(struct login_session *s, void *data);
void *login_session_data(const struct login_session *s);

/* An exec session's own output queue limit (instead of
 * config.output_limit): a larger window for bulk standard output (a file
 * sent with RECEIVE) while consoles keep the small one for prompt flow
 * control.  0, or -EINVAL for a console session or a limit of 0.  Any
 * thread. */
int login_session_set_output_limit(struct login_session *s, size_t limit);

/*
 * Queue output for the client (console text, or standard output of an
 * exec). Like write(2): returns the number of bytes taken (1..len, all of
 * them unless the queue had less room), or
 *   -EAGAIN    the queue is full (config.output_limit): nothing was taken;
 *              the writable() callback follows when there is room again
 *              (also after a write that took fewer than len bytes);
 *   -EPIPE     the session is closing (login_close, login_exec_finish,
 *              idle timeout, or the client closed its channel);
 *   -ENOTCONN  the connection is gone;
 *   -ENOMEM.
 * Output is written in order; a slow client holds it back (SSH flow
 * control) rather than growing memory. Any thread. len 0 returns 0.
 */
ssize_t login_write(struct login_session *s, const void *data, size_t len);
/* Same for the standard error of an exec; on a console, same as login_write. */
ssize_t login_write_err(struct login_session *s, const void *data, size_t len);

/*
 * Console input prompt: text shown at the start of the input line (kept
 * until changed; "" for none), and flags (LOGIN_INPUT_MASKED: the next line
 * is typed without echo and not kept for recall; cleared once that line is
 * read). Ordered with the output. Returns 0, -EPIPE, -ENOTCONN, -ENOMEM.
 * Any thread.
 */
int login_console_prompt(struct login_session *s, const char *prompt, int flags);

/* Offer input again after console_line returned -EAGAIN or exec_input took
 * less than offered. Any thread. Returns 0 or -ENOTCONN. */
int login_input_resume(struct login_session *s);

/*
 * Close the session: the queued output, then `message` (text, may be NULL),
 * are written, then its channel is closed (disconnect(LOGIN_DISC_CLOSED)
 * follows); the client then hangs up, unless other channels share the
 * connection. Used for logoff and for takeover
 * (a new logon of a connected user closes the old session). Any thread.
 * Returns 0, -EPIPE (already closing), -ENOTCONN.
 */
int login_close(struct login_session *s, const char *message);

/*
 * End an exec: after the queued output, the client gets exit status rc
 * (0..255; any other rc gives exit status 255 and "RC=<rc>" on standard
 * error), EOF and close of its channel (disconnect(LOGIN_DISC_CLOSED)).
 * Any thread. Returns 0, -EPIPE, -ENOTCONN, -EINVAL (not an exec).
 */
int login_exec_finish(struct login_session *s, int rc);

/* ---- Helpers ------------------------------------------------------------- */

/* Normalise an SSH user name to a user id: upper-case, 1..LOGIN_USERID_MAX
 * characters of A-Z 0-9 @ # $ _ -. Returns 0 and the id in out
 * (LOGIN_USERID_MAX + 1 bytes), or -EINVAL. */
int login_userid_normalize(const char *name, char *out);

/* Do two public keys (type name and base64 blob, as in authorized_keys)
 * denote the same key? Returns 1 yes, 0 no or unreadable. Any thread. */
int login_pubkey_equal(const char *type_a, const char *b64_a, const char *type_b,
                       const char *b64_b);

#endif /* VMRV_LOGIN_H */
