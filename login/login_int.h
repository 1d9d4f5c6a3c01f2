// SPDX-License-Identifier: MIT
/*
 * login/login_int.h - internals shared by the files of login/ (private).
 *
 * Files: server.c (start/stop, SSH threads, epoll loop, accept, timers),
 * conn.c (one connection: key exchange, routing of requests, its
 * channels, teardown), auth.c (authentication of a connection), session.c
 * (one session channel = the backend's struct login_session: pty, shell or
 * exec, input, closing), io.c (the backend's any-thread functions: output
 * queue, prompts, close, exec finish, auth answers, references; and moving
 * queued output into the channel), console.c (line editor and terminal
 * renderer, no libssh), throttle.c (failed-logon delays and per-user,
 * per-source counters), hostkey.c (host keys).
 *
 * Connections and channels: a struct login_conn is one SSH connection
 * (socket, libssh session, key exchange, authentication, the userid, the
 * per-user and per-source accounting); it carries up to
 * config.max_channels session channels, each a struct login_session (the
 * backend's handle: pty, shell or exec, console, output queue, exit status).
 * The thread's epoll and ready list hold connections; a channel reaches
 * its connection only while linked (under the channel's lock), and the
 * owner thread unlinks every channel before it drops a connection.
 *
 * Why no ssh_event: libssh 0.10 answers a password callback (and a message
 * callback) synchronously and frees the request when the callback returns,
 * but password hashing (~11 ms, yescrypt) must not run on the thread that
 * carries hundreds of sessions. The one public way to answer later is to
 * let libssh queue requests (no server callbacks, no message callback) and
 * take them with ssh_message_get(), keeping the ssh_message until the
 * backend answers. ssh_message_get() polls the session's poll context when
 * the queue is empty; inside a shared ssh_event that would poll every
 * session of the thread, once per session. So each session keeps its own
 * (libssh-default) poll context, and each SSH thread runs its own epoll over
 * the session sockets, an eventfd for work from other threads, and the
 * listening socket: when a socket is ready, only that session is "pumped"
 * (key exchange step, queued requests, channel input, output), with libssh
 * calls that poll just that socket with timeout 0. ssh_get_poll_flags()
 * tells when libssh has output waiting for the socket (EPOLLOUT).
 * libssh callbacks (channel data/eof/close/window) only set flags; all work
 * happens in the pump, so nested polls inside libssh calls are harmless.
 */
#ifndef VMRV_LOGIN_INT_H
#define VMRV_LOGIN_INT_H

#include "login/login.h"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#define LOGIN_PEER_MAX 64 /* "xxxx:...:xxxx" fits */
#define LOGIN_PROMPT_MAX 128
#define CONSOLE_HISTORY 32
#define LOGIN_STDIN_ABUSE (4u << 20) /* client ignoring our window: give up */

/* ---- small helpers (io.c) ------------------------------------------------ */

uint64_t login_now_ms(void);
void login_logf(struct login_server *srv, enum login_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable byte buffer. */
struct login_buf {
    char *p;
    size_t len, cap;
};
int login_buf_put(struct login_buf *b, const void *data, size_t n); /* 0 or -ENOMEM */
int login_buf_puts(struct login_buf *b, const char *s);
void login_buf_consume(struct login_buf *b, size_t n);
void login_buf_free(struct login_buf *b);

/* ---- console.c: line editor and renderer ---------------------------------- */

enum console_event {
    CONSOLE_EV_NONE,
    CONSOLE_EV_LINE, /* c->line holds a complete line; call console_take_line() */
    CONSOLE_EV_ATTN, /* attention key */
};

struct console {
    int pty;  /* 1: terminal rendering and line editing */
    int cols; /* terminal width, > 0 */
    /* The input area = tail + prompt + input, always on screen, cursor at
     * its end. tail is the unfinished last output row. */
    char tail[LOGIN_LINE_MAX];
    size_t tail_len;
    int tail_cols;
    char prompt[LOGIN_PROMPT_MAX];   /* persistent prompt */
    char mprompt[LOGIN_PROMPT_MAX];  /* prompt of a pending masked line */
    int masked;
    char line[LOGIN_LINE_MAX + 1];
    size_t line_len;
    size_t cur;     /* cursor: byte offset into line, at a character start */
    int line_ready; /* a complete line waits in line[] */
    int esc;        /* escape sequence parser state */
    int esc_param;  /* first numeric parameter of a CSI sequence */
    char ubuf[4];   /* a UTF-8 character being typed, inserted when whole */
    int ubuf_len, utf8_more;
    int last_cr;
    int out_c2;     /* output: previous byte was 0xC2 (maybe a C1 control) */
    char *hist[CONSOLE_HISTORY];
    int hist_n;    /* entries used */
    int hist_pos;  /* -1: editing the draft; else index (0 = newest) */
    char *draft;
};

void console_init(struct console *c, int pty, int cols);
void console_free(struct console *c);
/* Render backend output into wire. Returns 0 or -ENOMEM. */
int console_output(struct console *c, struct login_buf *wire, const char *data, size_t len);
/* Set the prompt (flags LOGIN_INPUT_MASKED) and redraw. */
int console_set_prompt(struct console *c, struct login_buf *wire, const char *prompt, int flags);
/* The terminal is now cols wide: a pty console erases its input area
 * (laid out for the old width) and draws it again for the new one. */
int console_resize(struct console *c, struct login_buf *wire, int cols);
/* Process input bytes up to the first event; *used tells how many were
 * taken. Echo and redraws go to wire. Takes nothing while line_ready. */
enum console_event console_input(struct console *c, struct login_buf *wire, const char *data,
                                 size_t len, size_t *used);
/* The backend took the line: keep it for recall (unless masked), clear,
 * show the prompt again. */
void console_take_line(struct console *c, struct login_buf *wire);

/* ---- throttle.c: limits and failed-logon delays ---------------------------- */

struct throttle_entry;
struct throttle {
    pthread_mutex_t lock;
    struct throttle_entry **bucket;
    size_t nbucket, count, cap;
    unsigned delay_ms, delay_max_ms, forget_ms;
};

int throttle_init(struct throttle *t, size_t cap, unsigned delay_ms, unsigned delay_max_ms,
                  unsigned forget_ms);
void throttle_free(struct throttle *t);
/* A new unauthenticated connection from peer: 0, or -EAGAIN over limit. */
int throttle_unauth_add(struct throttle *t, const char *peer, int limit);
void throttle_unauth_del(struct throttle *t, const char *peer);
/* A logged-on connection of userid: 0, or -EAGAIN over limit. */
int throttle_user_add(struct throttle *t, const char *userid, int limit);
void throttle_user_del(struct throttle *t, const char *userid);
/* An authentication attempt (userid may be NULL for a malformed name):
 * returns the time (ms, login_now_ms clock) at which it may be checked,
 * reserving the slot; later attempts wait behind it. */
uint64_t throttle_attempt(struct throttle *t, const char *userid, const char *peer,
                          uint64_t now);
/* Outcome of an attempt: failures grow the delays, success clears the
 * user's. Returns the failure count of the user (or peer, larger). */
int throttle_result(struct throttle *t, const char *userid, const char *peer, int ok,
                    uint64_t now);
/* Delay after n failures (exposed for tests). */
unsigned throttle_step(const struct throttle *t, int n);

/* ---- hostkey.c ------------------------------------------------------------ */

/* Make (if missing) and check the host keys in dir; fills the two paths
 * (PATH_MAX). Returns 0 or -errno with a message in err. */
int login_hostkeys_prepare(const char *dir, char *ed25519_path, char *ecdsa_path, char *err,
                           size_t errlen);

/* ---- connections, channels, threads, server ------------------------------ */

/* A connection (conn.c): key exchange, authentication, the logged-on user,
 * and the session channels it carries. */
enum conn_state {
    CS_KEX,          /* key exchange */
    CS_AUTH,         /* waiting for an authentication request */
    CS_AUTH_DELAY,   /* throttled: request held until t_wait, before any check */
    CS_AUTH_BACKEND, /* request out at the backend */
    CS_AUTH_FLOOR,   /* refused: answer held until t_wait */
    CS_READY,        /* logged on: channels may be opened (0..max_channels) */
    CS_DEAD,         /* to be freed by the thread loop */
};

/* A session channel (session.c); the backend's struct login_session. */
enum chan_state {
    CH_SETUP,   /* opened: pty request, then shell or exec */
    CH_OPEN,    /* console or exec handed to the backend */
    CH_CLOSING, /* we sent exit status, EOF and close; waiting for the client's close */
    CH_DEAD,    /* to be freed (conn_pump's end or the thread loop) */
};

enum auth_kind { AK_PASSWORD, AK_PK_PROBE, AK_PK_SIGNED };

enum chunk_kind { CK_OUT, CK_ERR, CK_PROMPT, CK_CLOSE, CK_FINISH };

struct chunk {
    struct chunk *next;
    enum chunk_kind kind;
    int arg;    /* prompt flags, exit code */
    size_t len; /* bytes in data (counted against output_limit for OUT/ERR) */
    char data[];
};

struct login_thread;
struct login_conn;

struct login_session {
    /* Fixed after creation (or set before the backend sees the session). */
    struct login_server *srv;
    struct login_conn *conn; /* valid while linked (see io.c) */
    atomic_int refs;
    char peer[LOGIN_PEER_MAX];
    char userid[LOGIN_USERID_MAX + 1];
    unsigned id; /* channel number on its connection, for the log */
    int is_exec;
    _Atomic(void *) data;

    /* Shared with other threads: under lock. */
    pthread_mutex_t lock;
    int linked;  /* the owner thread still serves this channel */
    int closing; /* backend called login_close/login_exec_finish */
    struct chunk *qhead, *qtail;
    size_t qbytes;
    size_t out_limit; /* exec only: login_session_set_output_limit (0: config's) */
    int want_writable;
    int resume;

    /* Owner thread only. */
    struct login_session *next, *prev; /* the connection's channels */
    ssh_channel chan;
    struct ssh_channel_callbacks_struct chan_cb;
    enum chan_state state;
    enum login_disc_reason why;
    uint64_t t_deadline;  /* CH_SETUP: console or command started by then */
    uint64_t t_wait;      /* CH_CLOSING: the client's close expected by then */
    uint64_t t_input;     /* last client input */
    uint64_t t_eof_close; /* console input ended: close then */
    int counted_session;
    int pty, cols, rows;
    char term[32];
    int backend_open, disc_sent;
    int in_avail, eof_seen, eof_done, chan_closed, paused;
    int final_pending, final_code; /* close/finish waiting for output to drain */
    enum login_disc_reason final_why;
    int sigint; /* "signal INT" requests not yet turned into attention */
    struct login_buf inpend;
    struct login_buf wire, wire_err;
    struct login_buf text; /* console output taken from the queue, not rendered yet */
    struct console con;
};

struct login_conn {
    /* Fixed after creation. */
    struct login_server *srv;
    struct login_thread *th;
    atomic_int refs; /* the thread's, the ready list's, each login_auth's */
    char peer[LOGIN_PEER_MAX];
    char userid[LOGIN_USERID_MAX + 1]; /* set at logon */

    /* Shared with other threads: under lock. */
    pthread_mutex_t lock;
    int linked;
    unsigned auth_seq;
    int auth_answered, auth_result;
    /* Under th->lock. */
    int sched; /* on the thread's ready list */
    struct login_conn *ready_next;

    /* Owner thread only. */
    struct login_conn *next, *prev;
    ssh_session ssh;
    int fd;
    uint32_t ev_mask;
    enum conn_state state;
    enum login_disc_reason why;
    uint64_t t_deadline; /* logon must be complete */
    uint64_t t_wait;     /* CS_AUTH_DELAY, CS_AUTH_FLOOR */
    uint64_t t_empty;    /* CS_READY without a channel since */
    ssh_message pending; /* authentication request awaiting its answer */
    enum auth_kind pending_kind;
    int pending_valid;
    char pending_user[LOGIN_USERID_MAX + 1];
    char *pending_secret;
    char *pending_ktype, *pending_kb64;
    uint64_t pending_started;
    int tries;
    int kbd_asked;
    char kbd_user[LOGIN_USERID_MAX * 4 + 1];
    int counted_unauth, counted_user, counted_pending;
    int abuse;
    struct login_session *chans; /* its channels, any state */
    int nchan;
    unsigned chan_seq;
};

struct login_auth {
    struct login_conn *c;
    unsigned seq;
};

struct login_thread {
    struct login_server *srv;
    int idx;
    pthread_t tid;
    int started;
    int epfd, wakefd;
    ssh_bind bind;
    pthread_mutex_t lock;
    struct login_conn *ready;
    int wake_pending;
    struct login_conn *conns;
    int nconn;
    uint64_t next_timer;
    atomic_int stop;
};

struct login_server {
    struct login_config cfg;
    char *address, *hostkey_dir, *version;
    struct login_backend be;
    int listen_fd;
    int port;
    int nthreads;
    struct login_thread *threads;
    atomic_int refs;
    struct throttle thr;
    char ed25519_path[4096], ecdsa_path[4096];
    atomic_int n_conn, n_unauth, n_sessions, n_pending;
    atomic_long n_accepted, n_refused, n_logons, n_failures;
};

/* server.c */
void login_server_unref(struct login_server *srv);
void login_thread_schedule(struct login_conn *c); /* any thread; c alive */
void login_thread_timer(struct login_thread *th, uint64_t when);
void login_conn_set_interest(struct login_conn *c, uint32_t events);

/* conn.c (owner thread) */
struct login_conn *conn_create(struct login_thread *th, int fd, const char *peer);
void conn_release(struct login_conn *c); /* any thread */
void conn_pump(struct login_conn *c);
void conn_event(struct login_conn *c, uint32_t events); /* epoll said ready */
void conn_ready(struct login_conn *c);                  /* work from the ready list */
void conn_timer(struct login_conn *c, uint64_t now);
uint64_t conn_next_time(const struct login_conn *c);
void conn_kill(struct login_conn *c, enum login_disc_reason why);
void conn_reap(struct login_conn *c); /* free dead channels; the conn if dead */

/* session.c: channels (owner thread) */
void chan_open(struct login_conn *c, ssh_message m); /* a session channel request */
struct login_session *chan_find(struct login_conn *c, ssh_channel ch);
void chan_request(struct login_session *s, ssh_message m);
int chan_pump(struct login_session *s); /* input and output; 1 if progress */
void chan_check(struct login_session *s);
void chan_timer(struct login_session *s, uint64_t now);
uint64_t chan_next_time(const struct login_session *s);
void chan_close(struct login_session *s, int code, enum login_disc_reason why);
void chan_teardown(struct login_session *s, enum login_disc_reason why);

/* auth.c (owner thread) */
void auth_request(struct login_conn *c, ssh_message m); /* takes m */
void auth_answer(struct login_conn *c, int ok);
void auth_timer(struct login_conn *c, uint64_t now);
void auth_release_pending(struct login_conn *c);

/* io.c (owner thread) */
int io_flush_output(struct login_session *s); /* returns 1 if progress */
void io_queue_free(struct login_session *s);   /* s->lock held */

#endif /* VMRV_LOGIN_INT_H */
