/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cp_term.h - a terminal for the tests of CP proper: it
 * records what a console sends it (struct con_term_ops), and helpers to
 * run a CP command and to wait for a counter.
 */
#ifndef TESTS_TEST_CP_TERM_H
#define TESTS_TEST_CP_TERM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp/cp.h"

/* ---- a terminal ------------------------------------------------------------ */

struct fterm {
    pthread_mutex_t lock;
    char out[1 << 18];
    size_t len;
    unsigned events;
    bool closed_event;
    struct cp_session *s;
};

extern const struct con_term_ops fterm_ops;
struct fterm *fterm_new(void);
void fterm_free(struct fterm *t);

/* Pumps t's session until `text` appears in its output (true) or ms pass. */
bool fterm_wait(struct fterm *t, const char *text, int ms);
/* Pumps until a CON_EV_CLOSE arrived (true) or ms pass. */
bool fterm_wait_close(struct fterm *t, int ms);
/* Clears what was recorded. */
void fterm_clear(struct fterm *t);
/* A copy of the output (free it). */
char *fterm_text(struct fterm *t);

/* Closes t's session, if it has one, and frees t. */
void fterm_bye(struct fterm *t);

/* Types a line at the terminal. */
void fterm_type(struct fterm *t, const char *line);

/* cp_exec_wait, returning the output (free it) and the rc. */
char *run_cmd(struct cp_system *sys, const char *userid, const char *cmd, int *rc);

/* Waits for *flag >= value (reading under *lock), up to ms. */
bool wait_int_locked(pthread_mutex_t *lock, int *flag, int value, int ms);

/* ---- assertions (cmocka tests: include cmocka.h before using them) -------- */

/* Fails the test unless needle is in hay, showing hay. */
#define ASSERT_HAS(hay, needle)                                                                \
    do {                                                                                       \
        if (!strstr((hay), (needle))) {                                                        \
            fail_msg("expected '%s' in:\n%s", (needle), (hay));                                 \
        }                                                                                      \
    } while (0)

/* run_cmd, failing the test unless CP's return code is want; the output
 * (free it). */
char *expect_rc(struct cp_system *sys, const char *userid, const char *cmd, int want);
/* The same for a command refused with message num: the return code and
 * the message id in the output. */
void expect_id(struct cp_system *sys, const char *userid, const char *cmd, int num);
/* Waits up to ms for the system to have n users logged on. */
bool wait_users(struct cp_system *sys, unsigned n, int ms);
/* Milliseconds of the monotonic clock. */
uint64_t now_ms(void);

#endif
