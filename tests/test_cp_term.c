// SPDX-License-Identifier: MIT
/*
 * tests/test_cp_term.c - a recording terminal for the tests of CP proper
 * (tests/test_cp_term.h), and small helpers to run commands and wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/msg.h"
#include "tests/test_cp_term.h"

/* ---- the terminal ------------------------------------------------------------------ */

static void
t_notify(void *ctx, unsigned ev)
{
    struct fterm *t = ctx;
    pthread_mutex_lock(&t->lock);
    t->events |= ev;
    if (ev & CON_EV_CLOSE) {
        t->closed_event = true;
    }
    pthread_mutex_unlock(&t->lock);
}

static size_t
t_write(void *ctx, const void *buf, size_t len)
{
    struct fterm *t = ctx;
    pthread_mutex_lock(&t->lock);
    size_t room = sizeof t->out - 1 - t->len;
    size_t n = len < room ? len : room;
    memcpy(t->out + t->len, buf, n);
    t->len += n;
    t->out[t->len] = '\0';
    pthread_mutex_unlock(&t->lock);
    return len; /* a full fake terminal drops the rest rather than stall */
}

const struct con_term_ops fterm_ops = {.notify = t_notify, .write = t_write};

struct fterm *
fterm_new(void)
{
    struct fterm *t = calloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void
fterm_free(struct fterm *t)
{
    if (t) {
        pthread_mutex_destroy(&t->lock);
        free(t);
    }
}

bool
fterm_wait(struct fterm *t, const char *text, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        if (t->s) {
            cp_session_pump(t->s);
        }
        pthread_mutex_lock(&t->lock);
        bool found = strstr(t->out, text) != NULL;
        pthread_mutex_unlock(&t->lock);
        if (found) {
            return true;
        }
        usleep(2000);
    }
    return false;
}

bool
fterm_wait_close(struct fterm *t, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        if (t->s) {
            cp_session_pump(t->s);
        }
        pthread_mutex_lock(&t->lock);
        bool c = t->closed_event;
        pthread_mutex_unlock(&t->lock);
        if (c) {
            if (t->s) {
                cp_session_pump(t->s);
            }
            return true;
        }
        usleep(2000);
    }
    return false;
}

void
fterm_clear(struct fterm *t)
{
    pthread_mutex_lock(&t->lock);
    t->len = 0;
    t->out[0] = '\0';
    t->events = 0;
    pthread_mutex_unlock(&t->lock);
}

char *
fterm_text(struct fterm *t)
{
    pthread_mutex_lock(&t->lock);
    char *s = strdup(t->out);
    pthread_mutex_unlock(&t->lock);
    return s;
}

void
fterm_type(struct fterm *t, const char *line)
{
    cp_session_input(t->s, line, strlen(line));
}

char *
run_cmd(struct cp_system *sys, const char *userid, const char *cmd, int *rc)
{
    char *out = NULL;
    int r = cp_exec_wait(sys, userid, cmd, &out);
    if (rc) {
        *rc = r;
    }
    return out ? out : strdup("");
}

bool
wait_int_locked(pthread_mutex_t *lock, int *flag, int value, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        pthread_mutex_lock(lock);
        bool ok = *flag >= value;
        pthread_mutex_unlock(lock);
        if (ok) {
            return true;
        }
        usleep(2000);
    }
    return false;
}

void
fterm_bye(struct fterm *t)
{
    if (t->s) {
        cp_session_close(t->s);
    }
    fterm_free(t);
}

/* ---- assertions ---------------------------------------------------------------- */

char *
expect_rc(struct cp_system *sys, const char *userid, const char *cmd, int want)
{
    int rc;
    char *out = run_cmd(sys, userid, cmd, &rc);
    if (rc != want) {
        fail_msg("%s: '%s' gave rc %d, expected %d:\n%s", userid, cmd, rc, want, out);
    }
    return out;
}

void
expect_id(struct cp_system *sys, const char *userid, const char *cmd, int num)
{
    char *out = expect_rc(sys, userid, cmd, num);
    char id[MSG_ID_LEN];
    ASSERT_HAS(out, msg_id(num, id));
    free(out);
}

bool
wait_users(struct cp_system *sys, unsigned n, int ms)
{
    for (int i = 0; i <= ms / 2; i++) {
        if (cp_system_users(sys) == n) {
            return true;
        }
        usleep(2000);
    }
    return false;
}

uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
