// SPDX-License-Identifier: MIT
/*
 * tests/test_console.c - cmocka tests of cp/console.c with a fake
 * terminal: screen states, #CP, type-ahead, the bounded ring (a full ring
 * holds the writer, nothing is lost while attached), discarding while
 * detached, the attention protocol, messages between lines (never inside
 * a line, control characters stripped), and a threaded writer against a
 * slow terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "cp/console.h"

/* A fake terminal: collects bytes; takes at most `chunk` per write. */
struct term {
    char out[1 << 20];
    size_t len;
    size_t chunk; /* 0 = unlimited */
    size_t budget; /* bytes it will take before it stops (SIZE_MAX = any) */
    unsigned events;
    unsigned notifies;
};

static void
t_notify(void *ctx, unsigned ev)
{
    struct term *t = ctx;
    t->events |= ev;
    t->notifies++;
}

static size_t
t_write(void *ctx, const void *buf, size_t len)
{
    struct term *t = ctx;
    size_t n = len;
    if (t->chunk && n > t->chunk) {
        n = t->chunk;
    }
    if (n > t->budget) {
        n = t->budget;
    }
    if (n > sizeof t->out - 1 - t->len) {
        n = sizeof t->out - 1 - t->len;
    }
    memcpy(t->out + t->len, buf, n);
    t->len += n;
    t->out[t->len] = '\0';
    t->budget -= n;
    return n;
}

static const struct con_term_ops t_ops = {t_notify, t_write};

static struct term *
term_new(void)
{
    struct term *t = calloc(1, sizeof *t);
    t->budget = SIZE_MAX;
    return t;
}

static struct console *
setup(struct term **tp, bool guest)
{
    struct console *con = con_create(4096);
    assert_non_null(con);
    *tp = term_new();
    con_attach(con, &t_ops, *tp);
    if (guest) {
        con_set_guest(con, true);
    }
    return con;
}

static void
put(struct console *con, const char *s, bool eol)
{
    size_t taken;
    assert_int_equal(con_write(con, s, strlen(s), eol, &taken), CON_OK);
    assert_int_equal(taken, strlen(s));
}

static enum con_input
in(struct console *con, const char *line, char *cmd)
{
    const char *c = NULL;
    size_t cl = 0;
    enum con_input r = con_input(con, line, strlen(line), &c, &cl);
    if (cmd) {
        cmd[0] = '\0';
        if (r == CON_IN_CP) {
            memcpy(cmd, c, cl);
            cmd[cl] = '\0';
        }
    }
    if (r == CON_IN_CP) {
        /* the command ran at once, and nothing was typed meanwhile */
        char next[16];
        size_t n;
        assert_int_equal(con_cp_done(con, next, sizeof next, &n), CON_IN_NONE);
    }
    return r;
}

/* Lines typed while a CP command (BEGIN) still runs are held, then placed
 * where they belong once it is done: the guest's after BEGIN, commands
 * after a command in CP READ, in order. */
static void
test_lines_held_while_command_runs(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    const char *c;
    size_t cl;
    char cmd[64];
    size_t n;
    assert_int_equal(con_input(con, "#cp", 3, &c, &cl), CON_IN_CPREAD);
    assert_string_equal(con_state_name(con), "CP READ");
    /* BEGIN is handed out; the next two lines wait for it */
    assert_int_equal(con_input(con, "begin", 5, &c, &cl), CON_IN_CP);
    assert_int_equal(con_input(con, "hello guest", 11, &c, &cl), CON_IN_HELD);
    assert_int_equal(con_input(con, "second", 6, &c, &cl), CON_IN_HELD);
    /* #CP lines are commands at once even now */
    assert_int_equal(con_input(con, "#cp q time", 10, &c, &cl), CON_IN_CP);
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_NONE); /* still one */
    assert_int_equal(con_input_queued(con), 0);
    assert_true(con_begin(con)); /* BEGIN ran */
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_QUEUED);
    assert_int_equal(con_input_queued(con), 2);
    char buf[64];
    size_t len, full;
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    assert_int_equal(len, 11);
    assert_memory_equal(buf, "hello guest", 11);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    assert_memory_equal(buf, "second", 6);
    /* in CP READ, commands typed quickly run one after the other */
    assert_int_equal(con_input(con, "#cp", 3, &c, &cl), CON_IN_CPREAD);
    assert_int_equal(con_input(con, "q names", 7, &c, &cl), CON_IN_CP);
    assert_int_equal(con_input(con, "q users", 7, &c, &cl), CON_IN_HELD);
    assert_int_equal(con_input(con, "   ", 3, &c, &cl), CON_IN_HELD);
    assert_int_equal(con_input(con, "q time", 6, &c, &cl), CON_IN_HELD);
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_CP);
    assert_string_equal(cmd, "q users");
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_CP);
    assert_string_equal(cmd, "q time"); /* the blank line is nothing */
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_NONE);
    /* a reading guest is woken by the lines BEGIN let through */
    assert_int_equal(con_input(con, "begin", 5, &c, &cl), CON_IN_CP);
    assert_int_equal(con_input(con, "typed", 5, &c, &cl), CON_IN_HELD);
    assert_true(con_begin(con));
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    assert_int_equal(con_cp_done(con, cmd, sizeof cmd, &n), CON_IN_WAKE);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    assert_memory_equal(buf, "typed", 5);
    /* held lines are freed with the console */
    assert_int_equal(con_input(con, "#cp", 3, &c, &cl), CON_IN_CPREAD);
    assert_int_equal(con_input(con, "begin", 5, &c, &cl), CON_IN_CP);
    assert_int_equal(con_input(con, "left over", 9, &c, &cl), CON_IN_HELD);
    con_destroy(con);
    free(t);
}

static void
test_states(void **state)
{
    struct term *t;
    struct console *con = setup(&t, false);
    assert_string_equal(con_state_name(con), "CP READ");
    assert_false(con_begin(con)); /* no guest: stays in CP READ */
    assert_string_equal(con_state_name(con), "CP READ");
    con_set_guest(con, true);
    assert_string_equal(con_state_name(con), "RUNNING");
    char buf[64];
    size_t len, full;
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    assert_string_equal(con_state_name(con), "VM READ");
    assert_true(t->events & CON_EV_STATE);
    assert_int_equal(in(con, "hello", NULL), CON_IN_WAKE);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_string_equal(con_state_name(con), "RUNNING");
    /* truncation keeps the full length */
    assert_int_equal(in(con, "a long line here", NULL), CON_IN_QUEUED);
    assert_int_equal(con_read(con, buf, 4, &len, &full), CON_OK);
    assert_int_equal(len, 4);
    assert_int_equal(full, 16);
    /* losing the guest: CP READ */
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    con_set_guest(con, false);
    assert_string_equal(con_state_name(con), "CP READ");
    assert_false(con_guest_reading(con));
    con_destroy(con);
    free(t);
}

static void
test_cp_lines(void **state)
{
    struct term *t;
    struct console *con = setup(&t, false);
    char cmd[128];
    /* CP READ: every line is a command, leading blanks dropped */
    assert_int_equal(in(con, "  query time\r\n", cmd), CON_IN_CP);
    assert_string_equal(cmd, "query time");
    assert_int_equal(in(con, "   ", cmd), CON_IN_NONE);
    assert_int_equal(in(con, "#cp q names", cmd), CON_IN_CP);
    assert_string_equal(cmd, "q names");
    con_set_guest(con, true);
    /* running: lines are type-ahead, except #CP */
    assert_int_equal(in(con, "#CP   msg bob hi", cmd), CON_IN_CP);
    assert_string_equal(cmd, "msg bob hi");
    assert_int_equal(in(con, "#CPX", cmd), CON_IN_QUEUED);
    assert_int_equal(in(con, "#C", cmd), CON_IN_QUEUED);
    assert_int_equal(con_input_queued(con), 2);
    assert_string_equal(con_state_name(con), "RUNNING");
    assert_int_equal(in(con, "#Cp", cmd), CON_IN_CPREAD);
    assert_string_equal(con_state_name(con), "CP READ");
    assert_int_equal(in(con, "begin", cmd), CON_IN_CP);
    assert_true(con_begin(con));
    assert_string_equal(con_state_name(con), "RUNNING");
    con_destroy(con);
    free(t);
}

static void
test_typeahead_full(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    for (int i = 0; i < CON_INPUT_QUEUE; i++) {
        assert_int_equal(in(con, "x", NULL), CON_IN_QUEUED);
    }
    assert_int_equal(in(con, "one too many", NULL), CON_IN_FULL);
    con_pump(con, NULL);
    assert_non_null(strstr(t->out, "VMR064W Input line discarded: 16 lines are already waiting\n"));
    assert_int_equal(con_input_queued(con), CON_INPUT_QUEUE);
    con_destroy(con);
    free(t);
}

static void
test_ring_holds_writer(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    char big[10000];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (char)('a' + i % 26);
    }
    size_t taken;
    /* the terminal takes nothing: the ring fills to its soft size */
    assert_int_equal(con_write(con, big, sizeof big, true, &taken), CON_EAGAIN);
    assert_int_equal(taken, 4096);
    assert_string_equal(con_state_name(con), "HOLDING");
    /* still full */
    size_t more;
    assert_int_equal(con_write(con, big + taken, sizeof big - taken, true, &more), CON_EAGAIN);
    assert_int_equal(more, 0);
    /* a slow terminal: it takes 1000 bytes, then its window is full */
    t->budget = 1000;
    assert_true(con_pump(con, NULL)); /* space freed: wake the writer */
    assert_int_equal(t->len, 1000);
    assert_string_equal(con_state_name(con), "RUNNING");
    t->budget = SIZE_MAX;
    size_t done = taken;
    for (int rounds = 0; rounds < 10; rounds++) {
        int rc = con_write(con, big + done, sizeof big - done, true, &more);
        done += more;
        con_pump(con, NULL);
        if (rc == CON_OK) {
            break;
        }
    }
    assert_int_equal(done, sizeof big);
    con_pump(con, NULL);
    /* everything arrived, in order, with the line end */
    assert_int_equal(t->len, sizeof big + 1);
    assert_memory_equal(t->out, big, sizeof big);
    assert_int_equal(t->out[sizeof big], '\n');
    struct con_stats st;
    con_get_stats(con, &st);
    assert_int_equal(st.bytes_out, sizeof big + 1);
    assert_int_equal(st.bytes_lost, 0);
    assert_int_equal(st.bytes_discarded, 0);
    con_destroy(con);
    free(t);
}

static void
test_line_end_alone(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    char fill[4096];
    memset(fill, 'x', sizeof fill);
    size_t taken;
    /* exactly fills: the line end must wait */
    assert_int_equal(con_write(con, fill, sizeof fill, true, &taken), CON_EAGAIN);
    assert_int_equal(taken, sizeof fill);
    assert_true(con_pump(con, NULL));
    assert_int_equal(con_write(con, "", 0, true, &taken), CON_OK);
    con_pump(con, NULL);
    assert_int_equal(t->len, sizeof fill + 1);
    assert_int_equal(t->out[sizeof fill], '\n');
    con_destroy(con);
    free(t);
}

static void
test_detached_discards(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    char fill[5000];
    memset(fill, 'y', sizeof fill);
    size_t taken;
    assert_int_equal(con_write(con, fill, sizeof fill, false, &taken), CON_EAGAIN);
    /* the terminal goes away: the held writer is released */
    assert_false(con_detach(con, (void *)1)); /* not its attachment */
    assert_true(con_detach(con, t));
    assert_false(con_attached(con));
    assert_int_equal(con_write(con, fill, sizeof fill, true, &taken), CON_OK);
    assert_int_equal(taken, sizeof fill);
    assert_int_equal(con_message(con, "hello"), -2);
    con_cp_output(con, "ignored", 7);
    struct con_stats st;
    con_get_stats(con, &st);
    assert_int_equal(st.ring_used, 0);
    assert_true(st.bytes_discarded >= 4096 + sizeof fill + 1);
    /* reattach: a clean start */
    unsigned before = t->notifies;
    con_attach(con, &t_ops, t);
    t->len = 0;
    put(con, "back", true);
    con_pump(con, NULL);
    assert_string_equal(t->out, "back\n");
    assert_true(t->notifies > before);
    con_destroy(con);
    free(t);
}

static void
test_attention(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    char buf[16];
    size_t len, full;
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    /* first: for the guest; its pending read ends with EINTR, once */
    assert_int_equal(con_attention(con), CON_ATTN_GUEST);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EINTR);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    /* second before the claim: CP READ */
    assert_int_equal(con_attention(con), CON_ATTN_CPREAD);
    assert_string_equal(con_state_name(con), "CP READ");
    assert_int_equal(con_attention(con), CON_ATTN_NONE);
    assert_true(con_begin(con));
    /* the guest's read is still pending after BEGIN */
    assert_string_equal(con_state_name(con), "VM READ");
    /* still unclaimed: the next attention goes straight to CP READ */
    assert_int_equal(con_attention(con), CON_ATTN_CPREAD);
    assert_true(con_begin(con));
    /* once claimed, the next is for the guest again */
    con_attention_claimed(con);
    assert_int_equal(con_attention(con), CON_ATTN_GUEST);
    con_attention_claimed(con);
    assert_int_equal(con_attention(con), CON_ATTN_GUEST);
    /* no guest: nothing */
    con_set_guest(con, false);
    assert_int_equal(con_attention(con), CON_ATTN_NONE);
    con_destroy(con);
    free(t);
}

static void
test_messages_between_lines(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    /* at the start of a line: at once */
    assert_int_equal(con_message(con, "MSG FROM BOB: hi"), 0);
    con_pump(con, NULL);
    assert_string_equal(t->out, "MSG FROM BOB: hi\n");
    t->len = 0;
    /* the guest is in the middle of a line: held until it ends */
    put(con, "abc", false);
    assert_int_equal(con_message(con, "MSG FROM BOB: \x1b[2Jbell\x07"), 0);
    con_pump(con, NULL);
    assert_string_equal(t->out, "abc");
    put(con, "def", true);
    con_pump(con, NULL);
    assert_string_equal(t->out, "abcdef\nMSG FROM BOB: [2Jbell\n");
    t->len = 0;
    /* a prompt and a read: the line is ended, the message shown, the prompt
     * shown again */
    put(con, "Name: ", false);
    char buf[16];
    size_t len, full;
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    assert_int_equal(con_message(con, "WNG FROM OP: going down"), 0);
    con_pump(con, NULL);
    assert_string_equal(t->out, "Name: \nWNG FROM OP: going down\nName: ");
    t->len = 0;
    /* held messages also go out when the guest starts to wait */
    assert_int_equal(in(con, "joe", NULL), CON_IN_WAKE);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    put(con, "working", false);
    assert_int_equal(con_message(con, "one"), 0);
    con_pump(con, NULL);
    assert_string_equal(t->out, "working");
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_EAGAIN);
    con_pump(con, NULL);
    assert_string_equal(t->out, "working\none\nworking");
    t->len = 0;
    /* a full queue of held messages breaks the line rather than grow */
    assert_int_equal(in(con, "x", NULL), CON_IN_WAKE);
    assert_int_equal(con_read(con, buf, sizeof buf, &len, &full), CON_OK);
    put(con, "dots", false);
    for (int i = 0; i < CON_MSG_QUEUE; i++) {
        assert_int_equal(con_message(con, "m"), 0);
    }
    con_pump(con, NULL);
    assert_true(strncmp(t->out, "dots\nm\nm\n", 9) == 0);
    con_destroy(con);
    free(t);
}

static void
test_cp_output(void **state)
{
    struct term *t;
    struct console *con = setup(&t, true);
    put(con, "partial", false);
    const char *resp = "TIME IS 12:00:00\nCONNECT= 00:00:01";
    con_cp_output(con, resp, strlen(resp));
    con_pump(con, NULL);
    assert_string_equal(t->out, "partial\nTIME IS 12:00:00\nCONNECT= 00:00:01\n");
    /* CP may pass the soft size (a long response is never refused) ... */
    t->budget = 0;
    char big[6000];
    memset(big, 'q', sizeof big);
    con_cp_output(con, big, sizeof big);
    struct con_stats st;
    con_get_stats(con, &st);
    assert_true(st.ring_used > 4096);
    assert_int_equal(st.bytes_lost, 0);
    /* ... up to four times it; past that it is lost and a notice follows */
    con_cp_output(con, big, sizeof big);
    con_cp_output(con, big, sizeof big);
    con_get_stats(con, &st);
    assert_int_equal(st.bytes_lost, sizeof big);
    t->budget = SIZE_MAX;
    con_pump(con, NULL);
    con_pump(con, NULL);
    assert_non_null(strstr(t->out, "VMR180W 6000 bytes of console output were lost\n"));
    con_destroy(con);
    free(t);
}

/* The ring grows only as far as the output needs: a console's first CP
 * line does not give it its largest ring. */
static void
test_ring_grows_as_needed(void **state)
{
    (void)state;
    struct console *con = con_create(64 * 1024);
    assert_non_null(con);
    struct term *t = term_new();
    t->budget = 0; /* nothing drains: the ring must hold it all */
    con_attach(con, &t_ops, t);
    size_t idle = con_footprint(con);
    const char *line = "LOGON AT 12:00:00 UTC WEDNESDAY 11/25/26";
    con_cp_output(con, line, strlen(line));
    assert_int_equal(con_footprint(con), idle);
    char big[10000];
    memset(big, 'x', sizeof big);
    con_cp_output(con, big, sizeof big);
    size_t grown = con_footprint(con);
    assert_true(grown > idle);
    assert_true(grown < idle + 4 * sizeof big);
    struct con_stats st;
    con_get_stats(con, &st);
    assert_int_equal(st.bytes_lost, 0);
    assert_int_equal(st.ring_used, strlen(line) + 1 + sizeof big + 1);
    con_destroy(con);
    free(t);
}

static void
test_close(void **state)
{
    struct term *t;
    struct console *con = setup(&t, false);
    t->events = 0;
    con_close_terminal(con);
    assert_true(t->events & CON_EV_CLOSE);
    char s[] = "a\tb\x7f" "c\n";
    assert_int_equal(con_strip_controls(s, strlen(s)), 3);
    assert_string_equal(s, "abc");
    con_destroy(con);
    free(t);
}

/* A writer thread (the dispatcher) against a slow terminal thread: every
 * byte arrives once, in order. */
struct pipe_test {
    struct console *con;
    struct term *t;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool wake, done;
};

static void *
writer(void *arg)
{
    struct pipe_test *p = arg;
    char line[64];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(line, sizeof line, "line %05d of the test", i);
        size_t off = 0;
        for (;;) {
            size_t taken;
            int rc = con_write(p->con, line + off, (size_t)n - off, true, &taken);
            off += taken;
            if (rc == CON_OK) {
                break;
            }
            pthread_mutex_lock(&p->lock);
            while (!p->wake) {
                pthread_cond_wait(&p->cond, &p->lock);
            }
            p->wake = false;
            pthread_mutex_unlock(&p->lock);
        }
    }
    pthread_mutex_lock(&p->lock);
    p->done = true;
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void
test_threaded(void **state)
{
    struct pipe_test p = {0};
    p.con = setup(&p.t, true);
    p.t->chunk = 37;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.cond, NULL);
    pthread_t th;
    pthread_create(&th, NULL, writer, &p);
    for (;;) {
        bool wake = con_pump(p.con, NULL);
        pthread_mutex_lock(&p.lock);
        if (wake) {
            p.wake = true;
            pthread_cond_signal(&p.cond);
        }
        bool done = p.done;
        pthread_mutex_unlock(&p.lock);
        if (done) {
            break;
        }
    }
    pthread_join(th, NULL);
    struct con_stats st;
    do {
        con_pump(p.con, NULL);
        con_get_stats(p.con, &st);
    } while (st.ring_used > 0);
    char *o = p.t->out;
    for (int i = 0; i < 3000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "line %05d of the test\n", i);
        if (strncmp(o, line, (size_t)n) != 0) {
            fail_msg("line %d wrong", i);
        }
        o += n;
    }
    assert_int_equal(*o, '\0');
    con_destroy(p.con);
    free(p.t);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.cond);
}

/* A terminal that takes writes on any thread (login_write): output is
 * pushed at once; a short write holds the rest until con_pump; the waker
 * is called when a held writer may go on. */
static int woken;

static void
waker(void *ctx)
{
    woken++;
}

static const struct con_term_ops push_ops = {t_notify, t_write, CON_TERM_ANY_THREAD};

static void
test_push_terminal(void **state)
{
    struct console *con = con_create(4096);
    struct term *t = term_new();
    con_attach(con, &push_ops, t);
    con_set_guest(con, true);
    con_set_waker(con, waker, NULL);
    woken = 0;
    put(con, "hello", true);
    assert_string_equal(t->out, "hello\n"); /* no pump needed */
    assert_false(t->events & CON_EV_OUTPUT);
    con_cp_output(con, "CP here", 7);
    assert_string_equal(t->out, "hello\nCP here\n");
    /* the terminal's queue fills: output stays in the ring */
    t->budget = 0;
    char fill[5000];
    memset(fill, 'z', sizeof fill);
    /* all or nothing: too big for the free space while the ring holds
     * something -> nothing taken */
    put(con, "abc", false);
    assert_int_equal(con_write_all(con, fill, sizeof fill, true), CON_EAGAIN);
    assert_string_equal(con_state_name(con), "HOLDING");
    struct con_stats st;
    con_get_stats(con, &st);
    assert_int_equal(st.ring_used, 3);
    /* room again: the pump drains and the waker is told */
    t->budget = SIZE_MAX;
    assert_true(con_pump(con, t));
    assert_int_equal(woken, 1);
    /* an empty ring takes a write larger than the soft size */
    assert_int_equal(con_write_all(con, fill, sizeof fill, true), CON_OK);
    assert_int_equal(t->len, strlen("hello\nCP here\nabc") + sizeof fill + 1);
    /* detaching releases a held writer through the waker too */
    t->budget = 0;
    put(con, "x", false);
    assert_int_equal(con_write_all(con, fill, sizeof fill, false), CON_EAGAIN);
    assert_true(con_detach(con, t));
    assert_int_equal(woken, 2);
    con_destroy(con);
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_cp_lines),
        cmocka_unit_test(test_typeahead_full),
        cmocka_unit_test(test_ring_holds_writer),
        cmocka_unit_test(test_line_end_alone),
        cmocka_unit_test(test_detached_discards),
        cmocka_unit_test(test_attention),
        cmocka_unit_test(test_messages_between_lines),
        cmocka_unit_test(test_cp_output),
        cmocka_unit_test(test_ring_grows_as_needed),
        cmocka_unit_test(test_close),
        cmocka_unit_test(test_threaded),
        cmocka_unit_test(test_push_terminal),
        cmocka_unit_test(test_lines_held_while_command_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
