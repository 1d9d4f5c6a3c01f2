/* SPDX-License-Identifier: MIT */
/*
 * cp/console.h - the line-mode virtual console of one VM.
 *
 * A console sits between three parties:
 *
 *   the terminal    (login/, or the system console of vmrv ipl, or a test)
 *                   attached through struct con_term_ops: it is told when
 *                   output waits (notify) and takes bytes (write) when it
 *                   calls con_pump(); it hands in lines and attentions;
 *   the guest       (the VM's DIAG 0x058 handler, on the dispatcher thread
 *                   running the VM): con_write() and con_read();
 *   CP              (command responses, messages from other users, state
 *                   changes such as BEGIN), from any thread.
 *
 * The console is only a state machine with buffers: it never calls the
 * dispatcher or the VM.  Functions return what happened (a line for CP, a
 * guest to wake, an attention for the guest) and the caller (cp/system.c)
 * acts on it.
 *
 * Screen states (con_state_name):
 *
 *   CP READ   CP waits for a command.  Entered by a second attention before
 *             the guest claimed the first, by "#CP" alone, at logon and
 *             reconnect, and whenever there is no running guest.  Every line
 *             is a CP command.  BEGIN leaves it (con_begin).
 *   VM READ   the guest waits in con_read(); the next line is its input.
 *   RUNNING   the guest runs; lines typed now wait in the input queue
 *             (type-ahead) for its next read.
 *   HOLDING   output waits: the ring is full, the terminal has not taken
 *             it, and the guest is held in con_write() until it does.
 *
 *   `#CP cmd` at the start of a line runs cmd as a CP command in any state;
 *   the console stays in its state.
 *
 * Attention (con_attention): the first is for the guest (the caller raises
 * DIAG_EVENT_ATTENTION; a pending con_read ends with CON_EINTR); a second
 * one before the guest claims the first (con_attention_claimed) enters CP
 * READ.  In CP READ an attention does nothing.
 *
 * Output: one byte ring per console.  The guest may fill it up to the soft
 * size (console_ring in vmrv.conf); then con_write() takes what fits and
 * returns CON_EAGAIN, and the guest waits (HOLDING) until the terminal
 * drains it: nothing is dropped while a terminal is attached.  CP's own
 * lines may use up to four times the soft size, so a response is never
 * refused; past that they are counted as lost and a notice follows.  While
 * no terminal is attached all output is discarded (counted).  Lines end in
 * '\n' in the ring; translating to CR LF is the terminal's business.
 *
 * Messages between lines: con_message() queues a line from another user
 * (control characters already stripped here).  It is shown only where a
 * line starts: at once if the output is at the start of a line; if a
 * partial line (a prompt) is open and the console waits for input (VM READ
 * or CP READ) the line is ended, the messages shown, and the partial line
 * shown again; if the guest is running in the middle of a line, they wait
 * for it to end the line (or for the queue to fill, which breaks the line).
 *
 * Threads and locking: every function takes the console's own mutex, so
 * any thread may call any function, with these roles: the terminal side
 * (con_attach/detach/pump/input/attention) is the terminal's thread; the
 * guest side (con_write/read/attention_claimed) is the dispatcher thread
 * running the VM.  ops->notify and ops->write are called with the console
 * mutex held: they must not block for long and must not call back into
 * the console.  No other lock is ever taken while the mutex is held, so the
 * console lock is a leaf in CP's lock order.
 *
 * The console's own two notices carry message ids (cp/msg.h): VMR064W
 * (input discarded, the type-ahead queue is full) and VMR180W (CP output
 * lost past the hard size).
 */
#ifndef CP_CONSOLE_H
#define CP_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;

/* Events for ops->notify (a bit mask). */
#define CON_EV_OUTPUT 0x1 /* bytes wait in the ring: call con_pump() */
#define CON_EV_STATE 0x2 /* the screen state changed */
#define CON_EV_CLOSE 0x4 /* CP ended this attachment (logoff, disconnect,
                            takeover): pump the rest, then con_detach() */

struct con_term_ops {
    /* Any thread, console mutex held: something for the terminal.  Must be
     * quick (set a flag, write an eventfd). */
    void (*notify)(void *ctx, unsigned events);
    /* Console mutex held: write up to len bytes; return how many were
     * taken (0 = none now: the terminal calls con_pump again when it can
     * take more).  Called inside con_pump (the terminal's thread), and,
     * with CON_TERM_ANY_THREAD, also right where output is produced. */
    size_t (*write)(void *ctx, const void *buf, size_t len);
    unsigned flags; /* CON_TERM_* */
};

/* write may be called from any thread (e.g. login_write, which queues):
 * the console then pushes output at once instead of sending
 * CON_EV_OUTPUT, and the terminal calls con_pump only when it can take
 * more after a short write. */
#define CON_TERM_ANY_THREAD 0x1

/* Return codes of the guest side. */
#define CON_OK 0
#define CON_EAGAIN 1 /* wait: ring full (write) or no line yet (read) */
#define CON_EINTR 2 /* read ended by an attention */

/* What con_input() did with a line. */
enum con_input {
    CON_IN_NONE = 0, /* nothing to do (empty line in CP READ) */
    CON_IN_CP, /* a CP command: *cmd, *cmdlen point into the line */
    CON_IN_CPREAD, /* "#CP" alone: CP READ entered */
    CON_IN_WAKE, /* queued, and the guest waits for it: wake the guest */
    CON_IN_QUEUED, /* queued as type-ahead (guest running) */
    CON_IN_FULL, /* the input queue is full: discarded (a notice was shown) */
    CON_IN_HELD, /* held: a CP command from this console still runs; the
                    line is placed when it is done (con_cp_done) */
};

/* What con_attention() did. */
enum con_attn {
    CON_ATTN_NONE = 0, /* already in CP READ */
    CON_ATTN_GUEST, /* first attention: raise the guest's attention event;
                       wake it if it waits */
    CON_ATTN_CPREAD, /* second attention: CP READ entered */
};

#define CON_LINE_MAX 4096 /* input lines are cut to this (full length kept) */
#define CON_INPUT_QUEUE 16 /* lines of type-ahead */
#define CON_MSG_QUEUE 32 /* messages held for a line boundary */

/* Creates a console with an output ring of soft size ring_bytes (>= 4096),
 * detached, in CP READ, with no guest.  NULL on out of memory.  The caller
 * owns it; con_destroy after every other thread is done with it. */
struct console *con_create(size_t ring_bytes);
void con_destroy(struct console *con);

/* ---- terminal side ---------------------------------------------------- */

/* Attaches a terminal (replacing none: detach first).  Output produced
 * from now on goes to it.  ctx is passed to ops. */
void con_attach(struct console *con, const struct con_term_ops *ops, void *ctx);

/* Detaches the terminal attached with ctx (NULL: whichever is attached;
 * another ctx: nothing happens, so a late detach of a session that was
 * taken over leaves the new one alone): no notify or write after this
 * returns.  Output still in the ring is dropped.  Returns true if a guest
 * held in con_write() should be woken (it may go on: output is now
 * discarded). */
bool con_detach(struct console *con, void *ctx);

bool con_attached(struct console *con);

/* Who to call (after the console mutex is released, on whatever thread
 * freed the space) when a guest held in con_write/con_write_all may go
 * on: cp/system.c wakes the VM.  The return values of con_pump and
 * con_detach say the same for callers without a waker. */
void con_set_waker(struct console *con, void (*fn)(void *ctx), void *ctx);

/* Moves ring bytes to ops->write until it takes less than offered or the
 * ring is empty.  Returns true if a guest held in con_write() should be
 * woken (space was freed).  Nothing happens when detached, or when ctx is
 * not NULL and another terminal is attached (a session that was taken
 * over must not write to its successor). */
bool con_pump(struct console *con, void *ctx);

/* One input line (without its line end; a trailing "\r" or "\n" is
 * ignored).  For CON_IN_CP, *cmd and *cmdlen give the command inside
 * `line` (valid as long as line is).  Records the time of input. */
enum con_input con_input(struct console *con, const char *line, size_t len, const char **cmd,
                         size_t *cmdlen);

enum con_attn con_attention(struct console *con);

/* Every CON_IN_CP that con_input returned must be answered with this once
 * the command has run (or was not run).  Lines typed meanwhile were held
 * (CON_IN_HELD) so that a BEGIN or IPL decides where they go: now they are
 * placed in order, as con_input would have.  Returns CON_IN_CP with the next
 * held command copied to cmd (NUL-terminated, cut to cap - 1; *cmdlen = its
 * full length; the rest stays held until that one is done too),
 * CON_IN_WAKE or CON_IN_QUEUED if lines went to the guest, else
 * CON_IN_NONE. */
enum con_input con_cp_done(struct console *con, char *cmd, size_t cap, size_t *cmdlen);

/* ---- guest side (the dispatcher thread running the VM) ---------------- */

/* Writes len bytes of guest output, then a line end if end_line.  Returns
 * CON_OK when all of it (and the line end) is in the ring or discarded
 * (detached), or CON_EAGAIN when the ring is full: *taken bytes were
 * consumed; call again with the rest (len 0 if only the line end is left)
 * after the guest is woken.  The console is HOLDING meanwhile. */
int con_write(struct console *con, const void *buf, size_t len, bool end_line, size_t *taken);

/* All or nothing (the VM layer's console device): CON_OK when the bytes
 * (and the line end) are in the ring or discarded, CON_EAGAIN when nothing
 * was taken because the ring is full (HOLDING; the waker is called when it
 * drains).  A write larger than the soft size is taken when the ring is
 * empty, up to the hard size. */
int con_write_all(struct console *con, const void *buf, size_t len, bool end_line);

/* Takes the next input line: copies up to cap bytes into buf, *len =
 * bytes copied, *full = the line's full length.  CON_OK; CON_EAGAIN when
 * no line waits (the console is now VM READ: wake the guest on
 * CON_IN_WAKE); CON_EINTR once per attention while it is unclaimed. */
int con_read(struct console *con, void *buf, size_t cap, size_t *len, size_t *full);

/* The guest claimed its attention event (DIAG_EVENT_ATTENTION): the next
 * attention is for the guest again. */
void con_attention_claimed(struct console *con);

/* TRACE output control (the VM's thread): true when a terminal is attached
 * and the ring holds the soft size or more; the waker is then called once
 * it drains below, as for a held con_write.  False: there is room. */
bool con_output_full(struct console *con);

/* Lines of type-ahead waiting. */
unsigned con_input_queued(struct console *con);

/* Lines held behind a CP command that has not answered yet (CON_IN_HELD). */
unsigned con_held_lines(struct console *con);

/* ---- CP side ---------------------------------------------------------- */

/* Whether a guest runs on this console.  Without one the console is always
 * in CP READ.  Setting it (at IPL) leaves CP READ; clearing it (system
 * reset, disabled wait, logoff) ends any guest read and enters CP READ. */
void con_set_guest(struct console *con, bool present);

/* BEGIN: leave CP READ.  Returns false (and stays) when there is no guest. */
bool con_begin(struct console *con);

/* Enter CP READ (e.g. at reconnect).  Returns true if it was not already. */
bool con_enter_cp_read(struct console *con);

bool con_in_cp_read(struct console *con);

/* Monotonic ns since when the console waits for input (CP READ, or VM READ
 * while the guest reads), or 0 while the guest runs. */
uint64_t con_reading_since(struct console *con);

/* The guest waits in con_read (VM READ), whether or not CP READ is shown. */
bool con_guest_reading(struct console *con);

/* "CP READ", "VM READ", "RUNNING" or "HOLDING". */
const char *con_state_name(struct console *con);

/* A CP response: text (one or more lines separated by '\n'; a final line
 * end is added) starts on a line of its own.  Never waits. */
void con_cp_output(struct console *con, const char *text, size_t len);

/* A message from another user or from CP itself (MSG, WARNING, notices),
 * one line: control characters are removed.  Shown between lines as
 * described above.  0, -1 if the queue of held messages is full, -2 if no
 * terminal is attached (not queued). */
int con_message(struct console *con, const char *text);

/* SLEEP (cp/cpcmd_sleep.c): while dormant the console waits for nothing
 * but a line or an attention, so held messages are shown at once, as in a
 * read (a guest's open line is broken and shown again after them).  The
 * screen state is unchanged. */
void con_set_dormant(struct console *con, bool on);

/* Tells the terminal CON_EV_CLOSE (CP ends the attachment). */
void con_close_terminal(struct console *con);

/* Monotonic nanoseconds of the last input line (or of attach). */
uint64_t con_last_input(struct console *con);

struct con_stats {
    uint64_t bytes_out; /* to the terminal */
    uint64_t bytes_discarded; /* while detached */
    uint64_t bytes_lost; /* CP output past the hard limit */
    uint64_t lines_in;
    size_t ring_used, ring_soft;
};
void con_get_stats(struct console *con, struct con_stats *st);

/* SPOOL CONSOLE's tap: while on, a copy of every CP output piece and
 * message (con_cp_output, con_message; shown, held or discarded because
 * no terminal is attached) is kept as lines ending in '\n', up to 1 MiB.
 * con_tap_take hands the kept text over (malloc'd, the caller frees; NULL
 * and *len 0 when none); off drops what is kept.  Any thread. */
void con_set_tap(struct console *con, bool on);
char *con_tap_take(struct console *con, size_t *len);

/* Host bytes the console holds now (its state, ring, queued lines). */
size_t con_footprint(struct console *con);

/* Removes control characters (< 0x20, 0x7f) from s in place; returns the
 * new length.  Shared with the message commands. */
size_t con_strip_controls(char *s, size_t len);

/* Monotonic clock in ns (shared helper). */
uint64_t con_now_ns(void);

#endif /* CP_CONSOLE_H */
