// SPDX-License-Identifier: MIT
/*
 * login/login_int.h - internals shared by the files of login/ (private).
 *
 * Files: server.c (start/stop, SSH threads, epoll loop, accept, timers),
 * session.c (one connection: key exchange, authentication, channel
 * requests, teardown), io.c (the backend's any-thread functions: output
 * queue, prompts, close, exec finish, auth answers, references; and moving
 * queued output into the channel), console.c (line editor and terminal
 * renderer, no libssh), throttle.c (failed-logon delays and per-user,
 * per-source counters), hostkey.c (host keys).
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
void console_resize(struct console *c, int cols);
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

/* ---- sessions, threads, server ------------------------------------------- */

enum sess_state {
    SS_KEX,          /* key exchange */
    SS_AUTH,         /* waiting for an authentication request */
    SS_AUTH_DELAY,   /* throttled: request held until t_wait, before any check */
    SS_AUTH_BACKEND, /* request out at the backend */
    SS_AUTH_FLOOR,   /* refused: answer held until t_wait */
    SS_READY,        /* logged on: channel, pty, shell/exec requests */
    SS_OPEN,         /* console or exec handed to the backend */
    SS_CLOSING,      /* we closed the channel; waiting for the client to go */
    SS_DEAD,         /* to be freed by the thread loop */
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

struct login_session {
    /* Fixed after creation (or set before the backend sees the session). */
    struct login_server *srv;
    struct login_thread *th;
    atomic_int refs;
    char peer[LOGIN_PEER_MAX];
    char userid[LOGIN_USERID_MAX + 1];
    int is_exec;
    _Atomic(void *) data;

    /* Shared with other threads: under lock. */
    pthread_mutex_t lock;
    int linked;  /* the owner thread still serves this session */
    int closing; /* backend called login_close/login_exec_finish */
    int sched;   /* on the thread's ready list */
    struct login_session *ready_next;
    struct chunk *qhead, *qtail;
    size_t qbytes;
    size_t out_limit; /* exec only: login_session_set_output_limit (0: config's) */
    int want_writable;
    int resume;
    unsigned auth_seq;
    int auth_answered, auth_result;

    /* Owner thread only. */
    struct login_session *next, *prev;
    ssh_session ssh;
    ssh_channel chan;
    struct ssh_channel_callbacks_struct chan_cb;
    int fd;
    uint32_t ev_mask;
    enum sess_state state;
    enum login_disc_reason why;
    uint64_t t_deadline;   /* logon must be complete (console/exec started) */
    uint64_t t_wait;       /* SS_AUTH_DELAY, SS_AUTH_FLOOR, SS_CLOSING, EOF grace */
    uint64_t t_input;      /* last client input */
    uint64_t t_eof_close;  /* console input ended: close then */
    ssh_message pending;   /* authentication request awaiting its answer */
    enum auth_kind pending_kind;
    int pending_valid;
    char pending_user[LOGIN_USERID_MAX + 1];
    char *pending_secret;
    char *pending_ktype, *pending_kb64;
    uint64_t pending_started;
    int tries;
    int kbd_asked;
    char kbd_user[LOGIN_USERID_MAX * 4 + 1];
    int counted_unauth, counted_user, counted_session, counted_pending;
    int pty, cols, rows;
    char term[32];
    int backend_open, disc_sent;
    int in_avail, eof_seen, eof_done, chan_closed, paused;
    int final_pending, final_code; /* close/finish waiting for output to drain */
    enum login_disc_reason final_why;
    int sigint; /* "signal INT" requests not yet turned into attention */
    int abuse;
    struct login_buf inpend;
    struct login_buf wire, wire_err;
    struct login_buf text; /* console output taken from the queue, not rendered yet */
    struct console con;
};

struct login_auth {
    struct login_session *s;
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
    struct login_session *ready;
    int wake_pending;
    struct login_session *sessions;
    int nsess;
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
void login_thread_schedule(struct login_session *s); /* s->lock held */
void login_thread_timer(struct login_thread *th, uint64_t when);
void login_session_set_interest(struct login_session *s, uint32_t events);

/* session.c (owner thread) */
struct login_session *sess_create(struct login_thread *th, int fd, const char *peer);
void sess_pump(struct login_session *s);
void sess_event(struct login_session *s, uint32_t events); /* epoll said ready */
void sess_ready(struct login_session *s); /* work from the ready list */
void sess_timer(struct login_session *s, uint64_t now);
uint64_t sess_next_time(const struct login_session *s);
void sess_kill(struct login_session *s, enum login_disc_reason why);
void sess_teardown(struct login_session *s);
void sess_notify_disconnect(struct login_session *s, enum login_disc_reason why);
void sess_close_channel(struct login_session *s, int code, enum login_disc_reason why);

/* auth.c (owner thread) */
void auth_request(struct login_session *s, ssh_message m); /* takes m */
void auth_answer(struct login_session *s, int ok);
void auth_timer(struct login_session *s, uint64_t now);
void auth_release_pending(struct login_session *s);

/* io.c (owner thread) */
int io_flush_output(struct login_session *s); /* returns 1 if progress */
void io_queue_free(struct login_session *s);   /* s->lock held */

#endif /* VMRV_LOGIN_INT_H */
