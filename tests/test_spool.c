// SPDX-License-Identifier: MIT
/*
 * tests/test_spool.c - the spool store's operations: writers, lists,
 * cursors, transfer, purge, change, order, hold/free, the DIAG 0x014 reader,
 * space limits, spoolid allocation, restart and COLD start, printer output.
 * Crash safety is tests/test_spool_durable.c; size and threads are
 * tests/test_spool_scale.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spool/spool.h"
#include "spool/spoolint.h"
#include "tests/test_spool_util.h"
#include "vmrv/diag.h"

struct fx {
    char *dir;
    struct spool *sp;
    struct spool_config cfg;
};

static int
setup(void **state)
{
    struct fx *x = calloc(1, sizeof *x);
    x->dir = tsp_tmpdir();
    assert_int_equal(spool_open(x->dir, NULL, &x->sp), 0);
    *state = x;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *x = *state;
    if (x->sp) {
        assert_int_equal(spool_close(x->sp), 0);
    }
    tsp_rmtree(x->dir);
    free(x->dir);
    free(x);
    return 0;
}

static void
reopen(struct fx *x, const struct spool_config *cfg)
{
    assert_int_equal(spool_close(x->sp), 0);
    x->sp = NULL;
    assert_int_equal(spool_open(x->dir, cfg, &x->sp), 0);
}

static struct spool_info *
list(struct spool *sp, const char *owner, enum spool_queue q, char cls, size_t *n)
{
    struct spool_filter f = {.owner = owner, .queue = q, .spclass = cls};
    struct spool_info *v;
    assert_int_equal(spool_list(sp, &f, &v, n), 0);
    return v;
}

/* ---- checksums ---------------------------------------------------------- */

static void
test_crc32c(void **state)
{
    (void)state;
    assert_int_equal(spool_crc32c(0, "123456789", 9), 0xE3069283u);
    /* incremental = whole */
    uint8_t buf[1000];
    for (int i = 0; i < 1000; i++) {
        buf[i] = (uint8_t)(i * 7);
    }
    uint32_t whole = spool_crc32c(0, buf, sizeof buf);
    assert_int_equal(spool_crc32c(spool_crc32c(0, buf, 333), buf + 333, 667), whole);
    /* every length and alignment agrees with the bit-at-a-time definition
     * (whichever path the host takes: the CPU's instruction or the table) */
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len < 40; len++) {
            uint32_t c = 0xFFFFFFFFu;
            for (size_t i = 0; i < len; i++) {
                c ^= buf[off + i];
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
                }
            }
            assert_int_equal(spool_crc32c(0, buf + off, len), ~c);
        }
    }
}

/* ---- writers, lists, cursors -------------------------------------------- */

static void
test_basic_roundtrip(void **state)
{
    struct fx *x = *state;
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 50, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'B', "bob", 7, 2, 0);
    uint32_t c = tsp_make(x->sp, "carol", SPOOL_DEV_PUN, 'C', NULL, 3, 3, 0);
    assert_true(a < b && b < c); /* ascending */

    size_t n;
    struct spool_info *v = list(x->sp, "ALICE", SPOOL_Q_PRT, 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].spoolid, a);
    assert_string_equal(v[0].owner, "ALICE");
    assert_string_equal(v[0].origin, "ALICE");
    assert_int_equal(v[0].queue, SPOOL_Q_PRT);
    assert_int_equal(v[0].dev, SPOOL_DEV_PRT);
    assert_int_equal(v[0].records, 50);
    assert_int_equal(v[0].spclass, 'A');
    assert_int_equal(v[0].copies, 1);
    assert_int_equal(v[0].position, 1);
    assert_string_equal(v[0].fname, "TEST");
    free(v);

    v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].spoolid, b);
    assert_string_equal(v[0].origin, "ALICE");
    assert_int_equal(v[0].dev, SPOOL_DEV_PUN);
    free(v);
    assert_int_equal(tsp_count(x->sp, "carol", SPOOL_Q_PUN, 0), 1);
    assert_int_equal(tsp_count(x->sp, NULL, SPOOL_Q_ANY, 0), 3);
    assert_int_equal(tsp_count(x->sp, "alice", SPOOL_Q_RDR, 0), 0);

    assert_int_equal(tsp_check(x->sp, a, 50, 1, 0), 0);
    assert_int_equal(tsp_check(x->sp, b, 7, 2, 0), 0);
    assert_int_equal(tsp_check(x->sp, c, 3, 3, 0), 0);

    struct spool_info in;
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_string_equal(in.owner, "BOB");
    assert_int_equal(spool_query(x->sp, 9999, &in), -ENOENT);

    /* cursors: owner check, restart, truncation */
    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(x->sp, b, "alice", &cur), -ENOENT);
    assert_int_equal(spool_cursor_open(x->sp, b, "bob", &cur), 0);
    uint8_t buf[400], want[400];
    size_t len, wl = tsp_record(2, 0, want, 0);
    assert_int_equal(spool_cursor_next(cur, buf, 1, &len), 0);
    assert_int_equal(len, wl); /* full length reported, 1 byte copied */
    assert_int_equal(spool_cursor_next(cur, buf, sizeof buf, &len), 0);
    assert_int_equal(spool_cursor_restart(cur), 0);
    assert_int_equal(spool_cursor_next(cur, buf, sizeof buf, &len), 0);
    assert_int_equal(len, wl);
    assert_memory_equal(buf, want, wl);
    assert_int_equal(spool_cursor_spoolid(cur), b);
    spool_cursor_close(cur);
}

static void
test_records_binary_and_sizes(void **state)
{
    struct fx *x = *state;
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    uint8_t *big = malloc(SPOOL_RECORD_MAX + 1);
    for (size_t i = 0; i <= SPOOL_RECORD_MAX; i++) {
        big[i] = (uint8_t)(i ^ (i >> 8));
    }
    assert_int_equal(spool_writer_append(w, big, 0), 0); /* empty record */
    assert_int_equal(spool_writer_append(w, "\0\n\r\xff", 4), 0);
    assert_int_equal(spool_writer_append(w, big, SPOOL_RECORD_MAX), 0);
    assert_int_equal(spool_writer_append(w, big, SPOOL_RECORD_MAX + 1), -EINVAL);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(spool_writer_append(w, big + i, SPOOL_RECORD_MAX - i), 0);
    }
    assert_int_equal(spool_writer_records(w), 8);
    uint32_t id;
    assert_int_equal(spool_writer_close(w, "bob", &id), 0);

    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(x->sp, id, NULL, &cur), 0);
    uint8_t *got = malloc(SPOOL_RECORD_MAX);
    size_t len;
    assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(got, "\0\n\r\xff", 4);
    assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), 0);
    assert_int_equal(len, SPOOL_RECORD_MAX);
    assert_memory_equal(got, big, SPOOL_RECORD_MAX);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), 0);
        assert_int_equal(len, SPOOL_RECORD_MAX - i);
        assert_memory_equal(got, big + i, len);
    }
    assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), -ENODATA);
    assert_int_equal(spool_cursor_next(cur, got, SPOOL_RECORD_MAX, &len), -ENODATA);
    spool_cursor_close(cur);
    free(big);
    free(got);
}

static void
test_writer_checks(void **state)
{
    struct fx *x = *state;
    struct spool_writer *w;
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PRT};
    struct spool_create bad = c;
    bad.origin = "TOOLONGID";
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad.origin = "a b";
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad = c;
    bad.spclass = '!';
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad = c;
    bad.fname = "HAS SPACE";
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad = c;
    bad.ftype = "NINECHARS";
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad = c;
    bad.dev = 9;
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    bad = c;
    bad.copies = 256;
    assert_int_equal(spool_writer_open(x->sp, &bad, &w), -EINVAL);
    assert_int_equal(spool_writer_open(x->sp, NULL, &w), -EINVAL);

    /* lower case class is accepted; an RDR file needs a destination */
    struct spool_create r = {.origin = "ops", .dev = SPOOL_DEV_RDR, .spclass = 'x', .copies = 3};
    assert_int_equal(spool_writer_open(x->sp, &r, &w), 0);
    assert_int_equal(spool_writer_append(w, "hello", 5), 0);
    uint32_t id;
    assert_int_equal(spool_writer_close(w, NULL, &id), -EINVAL); /* still ours */
    assert_int_equal(spool_writer_close(w, "bad user", &id), -EINVAL);
    assert_int_equal(spool_writer_set_name(w, "MY", "FILE"), 0);
    assert_int_equal(spool_writer_set_name(w, "MY FILE", "X"), -EINVAL);
    assert_int_equal(spool_writer_set_dist(w, "BLDG5"), 0);
    assert_int_equal(spool_writer_set_hold(w, 4), -EINVAL);
    assert_int_equal(spool_writer_set_hold(w, SPOOL_HOLD_USER), 0);
    assert_int_equal(spool_writer_close(w, "dave", &id), 0);
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, id, &in), 0);
    assert_int_equal(in.spclass, 'X');
    assert_int_equal(in.copies, 3);
    assert_string_equal(in.fname, "MY");
    assert_string_equal(in.ftype, "FILE");
    assert_string_equal(in.dist, "BLDG5");
    assert_string_equal(in.owner, "DAVE");
    assert_int_equal(in.dev, SPOOL_DEV_RDR);
    assert_int_equal(in.hold, SPOOL_HOLD_USER);

    /* console files go to the printer queue */
    uint32_t con = tsp_make(x->sp, "alice", SPOOL_DEV_CON, 'T', NULL, 2, 5, 0);
    assert_int_equal(spool_query(x->sp, con, &in), 0);
    assert_int_equal(in.queue, SPOOL_Q_PRT);
    assert_int_equal(in.dev, SPOOL_DEV_CON);
}

static void
test_discard(void **state)
{
    struct fx *x = *state;
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PRT};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    uint8_t buf[300];
    for (int i = 0; i < 2000; i++) { /* several chunks on disk */
        assert_int_equal(spool_writer_append(w, buf, tsp_record(9, i, buf, 0)), 0);
    }
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_true(st.used_bytes > 0);
    assert_int_equal(st.writers, 1);
    spool_writer_discard(w);
    assert_int_equal(tsp_count(x->sp, NULL, SPOOL_Q_ANY, 0), 0);
    reopen(x, NULL);
    spool_stats(x->sp, &st);
    assert_int_equal(st.used_bytes, 0);
    assert_int_equal(st.files, 0);
    assert_int_equal(st.writers, 0);
}

/* ---- transfer, purge, change, order, hold ------------------------------- */

static void
test_transfer(void **state)
{
    struct fx *x = *state;
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "alice", 3, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'B', "alice", 3, 2, 0);
    uint32_t p = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 3, 3, 0);
    uint32_t z = tsp_make(x->sp, "zed", SPOOL_DEV_PUN, 'A', "bob", 1, 4, 0);
    size_t n;
    struct spool_filter f = {.owner = "alice", .queue = SPOOL_Q_RDR, .spoolid = a};
    assert_int_equal(spool_transfer(x->sp, &f, "bob", &n), 0);
    assert_int_equal(n, 1);
    struct spool_info *v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].spoolid, z);
    assert_int_equal(v[1].spoolid, a); /* arrives at the end */
    assert_string_equal(v[1].owner, "BOB");
    assert_string_equal(v[1].origin, "ALICE");
    assert_int_equal(v[1].position, 2);
    free(v);
    assert_int_equal(tsp_check(x->sp, a, 3, 1, 0), 0);

    /* a printer file into a reader; not found in the wrong queue */
    f = (struct spool_filter){.owner = "alice", .queue = SPOOL_Q_RDR, .spoolid = p};
    assert_int_equal(spool_transfer(x->sp, &f, "bob", &n), -ENOENT);
    f.queue = SPOOL_Q_PRT;
    assert_int_equal(spool_transfer(x->sp, &f, "bob", &n), 0);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 3);
    assert_int_equal(tsp_count(x->sp, "alice", SPOOL_Q_PRT, 0), 0);

    /* by class, all of a reader */
    f = (struct spool_filter){.owner = "alice", .queue = SPOOL_Q_RDR, .spclass = 'B'};
    assert_int_equal(spool_transfer(x->sp, &f, "carol", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(spool_query(x->sp, b, &(struct spool_info){0}), 0);
    assert_int_equal(tsp_count(x->sp, "carol", SPOOL_Q_RDR, 0), 1);
    assert_int_equal(spool_transfer(x->sp, &f, "carol", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(spool_transfer(x->sp, &f, "bad id!", &n), -EINVAL);
    reopen(x, NULL);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 3);
    assert_int_equal(tsp_count(x->sp, "carol", SPOOL_Q_RDR, 0), 1);
    v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(v[0].spoolid, z);
    assert_int_equal(v[1].spoolid, a);
    assert_int_equal(v[2].spoolid, p);
    free(v);
}

static void
test_purge(void **state)
{
    struct fx *x = *state;
    uint32_t id[6];
    const char cls[6] = {'A', 'B', 'A', 'C', 'B', 'A'};
    for (int i = 0; i < 6; i++) {
        id[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, cls[i], "bob", 20, (uint32_t)i, 0);
    }
    uint32_t other = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "carol", 2, 99, 0);
    size_t n;
    struct spool_filter f = {.owner = "bob", .queue = SPOOL_Q_RDR, .spoolid = id[0]};
    assert_int_equal(spool_purge(x->sp, &f, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(spool_purge(x->sp, &f, &n), -ENOENT);
    /* bob may not purge carol's file through his own filter */
    f.spoolid = other;
    assert_int_equal(spool_purge(x->sp, &f, &n), -ENOENT);

    /* purge by class while a cursor reads one of them */
    struct spool_cursor *cur;
    assert_int_equal(spool_cursor_open(x->sp, id[1], NULL, &cur), 0);
    f = (struct spool_filter){.owner = "bob", .queue = SPOOL_Q_RDR, .spclass = 'B'};
    assert_int_equal(spool_purge(x->sp, &f, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 3);
    uint8_t buf[400], want[400];
    size_t len;
    for (uint32_t i = 0; i < 20; i++) { /* still readable */
        size_t wl = tsp_record(1, i, want, 0);
        assert_int_equal(spool_cursor_next(cur, buf, sizeof buf, &len), 0);
        assert_int_equal(len, wl);
        assert_memory_equal(buf, want, wl);
    }
    struct spool_cursor *c2;
    assert_int_equal(spool_cursor_open(x->sp, id[1], NULL, &c2), -ENOENT);
    spool_cursor_close(cur);

    /* all */
    f = (struct spool_filter){.owner = "bob"};
    assert_int_equal(spool_purge(x->sp, &f, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_ANY, 0), 0);
    assert_int_equal(tsp_count(x->sp, "carol", SPOOL_Q_ANY, 0), 1);
    reopen(x, NULL);
    assert_int_equal(tsp_count(x->sp, NULL, SPOOL_Q_ANY, 0), 1);
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_int_equal(st.files, 1);
    assert_int_equal(tsp_check(x->sp, other, 2, 99, 0), 0);
}

static void
test_change(void **state)
{
    struct fx *x = *state;
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 1, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 1, 2, 0);
    struct spool_change ch = {.what = SPOOL_CH_CLASS | SPOOL_CH_NAME | SPOOL_CH_DIST |
                                      SPOOL_CH_FORM | SPOOL_CH_COPIES | SPOOL_CH_HOLD,
                              .spclass = 'q', .fname = "NEW", .ftype = "NAME", .dist = "D1",
                              .form = "WIDE", .copies = 7, .hold = true};
    struct spool_filter f = {.owner = "alice", .queue = SPOOL_Q_PRT, .spoolid = a};
    size_t n;
    assert_int_equal(spool_change(x->sp, &f, &ch, &n), 0);
    assert_int_equal(n, 1);
    struct spool_change bad = ch;
    bad.copies = 0;
    assert_int_equal(spool_change(x->sp, &f, &bad, &n), -EINVAL);
    bad = ch;
    bad.what = 0;
    assert_int_equal(spool_change(x->sp, &f, &bad, &n), -EINVAL);
    bad = ch;
    bad.form = "SPACE IN";
    assert_int_equal(spool_change(x->sp, &f, &bad, &n), -EINVAL);
    reopen(x, NULL);
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, a, &in), 0);
    assert_int_equal(in.spclass, 'Q');
    assert_string_equal(in.fname, "NEW");
    assert_string_equal(in.ftype, "NAME");
    assert_string_equal(in.dist, "D1");
    assert_string_equal(in.form, "WIDE");
    assert_int_equal(in.copies, 7);
    assert_int_equal(in.hold, SPOOL_HOLD_USER);
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_int_equal(in.spclass, 'A'); /* untouched */
    /* by class */
    f = (struct spool_filter){.owner = "alice", .spclass = 'Q'};
    ch = (struct spool_change){.what = SPOOL_CH_HOLD, .hold = false};
    assert_int_equal(spool_change(x->sp, &f, &ch, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(spool_query(x->sp, a, &in), 0);
    assert_int_equal(in.hold, 0);
}

static void
test_order(void **state)
{
    struct fx *x = *state;
    uint32_t id[5];
    for (int i = 0; i < 5; i++) {
        id[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, (uint32_t)i, 0);
    }
    uint32_t mv[2] = {id[3], id[1]};
    assert_int_equal(spool_order(x->sp, "bob", SPOOL_Q_RDR, mv, 2), 0);
    const uint32_t want[5] = {id[3], id[1], id[0], id[2], id[4]};
    size_t n;
    struct spool_info *v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(v[i].spoolid, want[i]);
        assert_int_equal(v[i].position, i + 1);
    }
    free(v);
    uint32_t dup[2] = {id[0], id[0]};
    assert_int_equal(spool_order(x->sp, "bob", SPOOL_Q_RDR, dup, 2), -EINVAL);
    uint32_t missing[2] = {id[0], 77777};
    assert_int_equal(spool_order(x->sp, "bob", SPOOL_Q_RDR, missing, 2), -ENOENT);
    assert_int_equal(spool_order(x->sp, "alice", SPOOL_Q_RDR, mv, 2), -ENOENT);
    assert_int_equal(spool_order(x->sp, "bob", SPOOL_Q_ANY, mv, 2), -EINVAL);
    /* a new arrival still goes to the end; the order survives a restart */
    uint32_t late = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, 9, 0);
    reopen(x, NULL);
    v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(n, 6);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(v[i].spoolid, want[i]);
    }
    assert_int_equal(v[5].spoolid, late);
    free(v);
    uint32_t last[1] = {late};
    assert_int_equal(spool_order(x->sp, "bob", SPOOL_Q_RDR, last, 1), 0);
    v = list(x->sp, "bob", SPOOL_Q_RDR, 0, &n);
    assert_int_equal(v[0].spoolid, late);
    free(v);
}

static void
test_hold_free_and_reader_skips(void **state)
{
    struct fx *x = *state;
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 2, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 2, 2, 0);
    struct spool_filter f = {.owner = "bob", .queue = SPOOL_Q_RDR, .spoolid = a};
    size_t n;
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_SYSTEM, true, &n), 0);
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_USER, true, &n), 0);
    assert_int_equal(spool_hold(x->sp, &f, 4, true, &n), -EINVAL);
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(x->sp, "bob", '*', &r), 0);
    uint8_t buf[400];
    size_t len;
    uint32_t got;
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, b); /* a is held */
    assert_int_equal(spool_reader_close_file(r, false), 0);
    assert_int_equal(spool_reader_select(r, a), -EBUSY);

    /* FREE system hold only: still user-held */
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_SYSTEM, false, &n), 0);
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, a, &in), 0);
    assert_int_equal(in.hold, SPOOL_HOLD_USER);
    struct diag_spool_desc d;
    assert_int_equal(spool_reader_describe(r, a, &d), 0);
    assert_int_equal(d.hold, 'U');
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_USER, false, &n), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, a); /* first in queue again */
    spool_reader_free(r);

    /* hold all of a user's files; no reader file is eligible then */
    f = (struct spool_filter){.owner = "bob"};
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_SYSTEM, true, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(spool_reader_open(x->sp, "bob", '*', &r), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENOENT);
    spool_reader_free(r);
    reopen(x, NULL);
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_int_equal(in.hold, SPOOL_HOLD_SYSTEM);
}

static void
test_class_filter(void **state)
{
    struct fx *x = *state;
    const char cls[5] = {'A', 'B', 'A', '5', 'B'};
    uint32_t id[5];
    for (int i = 0; i < 5; i++) {
        id[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, cls[i], "bob", 1, (uint32_t)i, 0);
    }
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 'A'), 2);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 'b'), 2);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, '5'), 1);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, '*'), 5);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 'Z'), 0);
    struct spool_filter bad = {.spclass = '%'};
    struct spool_info *v;
    size_t n;
    assert_int_equal(spool_list(x->sp, &bad, &v, &n), -EINVAL);

    /* a class B reader takes only class B, in order */
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(x->sp, "bob", 'B', &r), 0);
    uint8_t buf[400];
    size_t len;
    uint32_t got;
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, id[1]);
    assert_int_equal(spool_reader_close_file(r, true), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, id[4]);
    assert_int_equal(spool_reader_close_file(r, true), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENOENT);
    assert_int_equal(spool_reader_set_class(r, '5'), 0);
    assert_int_equal(spool_reader_set_class(r, '?'), -EINVAL);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, id[3]);
    spool_reader_free(r);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 3);
}

/* ---- the DIAG 0x014 reader ---------------------------------------------- */

static void
test_diag_reader(void **state)
{
    struct fx *x = *state;
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(x->sp, "bob", '*', &r), 0);
    uint8_t buf[400], want[400];
    size_t len;
    uint32_t got = 0;
    struct diag_spool_desc d;
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENOENT);
    assert_int_equal(spool_reader_describe(r, 0, &d), -ENOENT);
    assert_int_equal(spool_reader_restart(r), -ENOENT);
    assert_int_equal(spool_reader_close_file(r, false), -ENOENT);

    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 3, 1, 0);
    uint32_t b = tsp_make(x->sp, "carol", SPOOL_DEV_PRT, 'C', "bob", 2, 2, 0);
    uint32_t other = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "dave", 1, 3, 0);

    /* describe the next eligible file before reading */
    assert_int_equal(spool_reader_describe(r, 0, &d), 0);
    assert_int_equal(d.spoolid, a);
    assert_int_equal(d.records, 3);
    assert_memory_equal(d.origin, "ALICE   ", 8);
    assert_memory_equal(d.fname, "TEST    ", 8);
    assert_memory_equal(d.ftype, "DATA    ", 8);
    assert_memory_equal(d.devtype, "PUN ", 4);
    assert_int_equal(d.spclass, 'A');
    assert_int_equal(d.hold, ' ');
    assert_int_equal(d.copies, 1);
    assert_memory_equal(d.dist, "        ", 8);
    assert_true(d.created_us > 0);
    assert_int_equal(spool_reader_describe(r, b, &d), 0);
    assert_memory_equal(d.devtype, "PRT ", 4);
    assert_int_equal(spool_reader_describe(r, other, &d), -ENOENT);

    /* read a to its end */
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
        assert_int_equal(got, a);
        assert_int_equal(len, tsp_record(1, i, want, 0));
        assert_memory_equal(buf, want, len);
    }
    assert_int_equal(spool_reader_current(r), a);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENODATA);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENODATA);
    assert_int_equal(spool_reader_restart(r), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(len, tsp_record(1, 0, want, 0));
    assert_int_equal(spool_reader_describe(r, 0, &d), 0);
    assert_int_equal(d.spoolid, a); /* the current file */

    /* close keeping: a stays first */
    assert_int_equal(spool_reader_close_file(r, false), 0);
    assert_int_equal(spool_reader_current(r), 0);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 2);
    /* select b explicitly, then close purging it */
    assert_int_equal(spool_reader_select(r, b), 0);
    assert_int_equal(spool_reader_select(r, other), -ENOENT);
    assert_int_equal(spool_reader_current(r), b);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, b);
    assert_int_equal(spool_reader_close_file(r, true), 0);
    assert_int_equal(spool_query(x->sp, b, &(struct spool_info){0}), -ENOENT);
    /* next opens a again; purge it */
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), 0);
    assert_int_equal(got, a);
    assert_int_equal(spool_reader_close_file(r, true), 0);
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &got), -ENOENT);
    spool_reader_free(r);
    assert_int_equal(spool_errno_to_diag(-ENOENT), DIAG_ENOTFOUND);
    assert_int_equal(spool_errno_to_diag(-ENODATA), DIAG_EOF);
    assert_int_equal(spool_errno_to_diag(-ENOSPC), DIAG_ENOSPC);
    assert_int_equal(spool_errno_to_diag(-EBUSY), DIAG_EDENIED);
    assert_int_equal(spool_errno_to_diag(-EIO), DIAG_EIO);
    assert_int_equal(spool_errno_to_diag(0), DIAG_OK);
    assert_int_equal(spool_errno_to_diag(-ENOTTY), DIAG_EFAILED);
}

/* ---- space, spoolids, restart ------------------------------------------- */

static void
test_full_spool(void **state)
{
    struct fx *x = *state;
    struct spool_config cfg = {.limit_bytes = 100000};
    reopen(x, &cfg);
    uint32_t keep = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 100, 1, 200);
    struct spool_stats st;
    spool_stats(x->sp, &st);
    uint64_t base = st.used_bytes;
    assert_true(base > 0 && base < 25000);

    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    uint8_t rec[1000];
    memset(rec, 'x', sizeof rec);
    int rc = 0, i = 0;
    while ((rc = spool_writer_append(w, rec, sizeof rec)) == 0) {
        i++;
    }
    assert_int_equal(rc, -ENOSPC);
    assert_true(i > 50 && i < 100);
    assert_int_equal(spool_writer_append(w, rec, sizeof rec), -ENOSPC);
    assert_int_equal(spool_writer_records(w), (uint64_t)i);
    /* what is spooled stays; the full writer can still be closed */
    assert_int_equal(tsp_check(x->sp, keep, 100, 1, 200), 0);
    uint32_t full;
    assert_int_equal(spool_writer_close(w, NULL, &full), 0);
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, full, &in), 0);
    assert_int_equal(in.records, (uint64_t)i);
    /* another writer is refused at once; purging frees space */
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    assert_int_equal(spool_writer_append(w, rec, sizeof rec), -ENOSPC);
    struct spool_filter f = {.spoolid = full};
    assert_int_equal(spool_purge(x->sp, &f, NULL), 0);
    assert_int_equal(spool_writer_append(w, rec, sizeof rec), 0);
    spool_writer_discard(w);
    reopen(x, &cfg);
    assert_int_equal(tsp_check(x->sp, keep, 100, 1, 200), 0);
    spool_stats(x->sp, &st);
    assert_int_equal(st.used_bytes, base);
    assert_int_equal(st.limit_bytes, 100000);
}

static void
test_spoolid_wrap(void **state)
{
    struct fx *x = *state;
    struct spool_config cfg = {.max_spoolid = 16};
    reopen(x, &cfg);
    uint32_t ids[16];
    for (int i = 0; i < 16; i++) {
        ids[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, (uint32_t)i, 0);
        assert_int_equal(ids[i], (uint32_t)i + 1);
    }
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), -ENOSPC); /* all in use */
    struct spool_filter f = {.spoolid = 5};
    assert_int_equal(spool_purge(x->sp, &f, NULL), 0);
    f.spoolid = 9;
    assert_int_equal(spool_purge(x->sp, &f, NULL), 0);
    /* wraps, skipping ids in use, after a restart too */
    reopen(x, &cfg);
    assert_int_equal(tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, 50, 0), 5);
    assert_int_equal(tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, 51, 0), 9);
    assert_int_equal(spool_writer_open(x->sp, &c, &w), -ENOSPC);
    assert_int_equal(tsp_check(x->sp, 5, 1, 50, 0), 0);
    assert_int_equal(tsp_check(x->sp, 6, 1, 5, 0), 0);
    struct spool_config tiny = {.max_spoolid = 3};
    struct spool *sp2;
    assert_int_equal(spool_open(x->dir, &tiny, &sp2), -EINVAL);
}

static void
test_restart_keeps_everything(void **state)
{
    struct fx *x = *state;
    uint32_t id[20];
    for (int i = 0; i < 20; i++) {
        id[i] = tsp_make(x->sp, i % 2 ? "alice" : "bob", i % 3 ? SPOOL_DEV_PUN : SPOOL_DEV_PRT,
                         (char)('A' + i % 4), i % 3 ? "carol" : NULL, (uint32_t)(i * 37 % 500),
                         (uint32_t)i, 0);
    }
    size_t n1, n2;
    struct spool_info *v1 = list(x->sp, NULL, SPOOL_Q_ANY, 0, &n1);
    reopen(x, NULL);
    struct spool_info *v2 = list(x->sp, NULL, SPOOL_Q_ANY, 0, &n2);
    assert_int_equal(n1, 20);
    assert_int_equal(n2, 20);
    for (size_t i = 0; i < n1; i++) {
        assert_int_equal(v1[i].spoolid, v2[i].spoolid);
        assert_string_equal(v1[i].owner, v2[i].owner);
        assert_string_equal(v1[i].origin, v2[i].origin);
        assert_int_equal(v1[i].queue, v2[i].queue);
        assert_int_equal(v1[i].dev, v2[i].dev);
        assert_int_equal(v1[i].spclass, v2[i].spclass);
        assert_int_equal(v1[i].hold, v2[i].hold);
        assert_int_equal(v1[i].copies, v2[i].copies);
        assert_string_equal(v1[i].fname, v2[i].fname);
        assert_string_equal(v1[i].ftype, v2[i].ftype);
        assert_string_equal(v1[i].dist, v2[i].dist);
        assert_string_equal(v1[i].form, v2[i].form);
        assert_int_equal(v1[i].records, v2[i].records);
        assert_int_equal(v1[i].bytes, v2[i].bytes);
        assert_int_equal(v1[i].created_us, v2[i].created_us);
        assert_int_equal(v1[i].position, v2[i].position);
    }
    assert_memory_equal(v1, v2, n1 * sizeof *v1);
    free(v1);
    free(v2);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(tsp_check(x->sp, id[i], (uint32_t)(i * 37 % 500), (uint32_t)i, 0), 0);
    }
    /* ids keep ascending after a restart */
    assert_true(tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', NULL, 1, 1, 0) > id[19]);
    /* a full verify at open reads everything */
    struct spool_config cfg = {.flags = SPOOL_OPEN_VERIFY};
    reopen(x, &cfg);
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_int_equal(st.recovered_files, 21);
    assert_int_equal(st.dropped_files, 0);
}

static void
test_cold_start_and_lock(void **state)
{
    struct fx *x = *state;
    tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 5, 1, 0);
    struct spool *sp2;
    assert_int_equal(spool_open(x->dir, NULL, &sp2), -EBUSY);
    struct spool_config cfg = {.flags = SPOOL_OPEN_COLD};
    reopen(x, &cfg);
    assert_int_equal(tsp_count(x->sp, NULL, SPOOL_Q_ANY, 0), 0);
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_int_equal(st.used_bytes, 0);
    assert_int_equal(st.segments, 0);
    /* the first id again */
    assert_int_equal(tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 1, 1, 0), 1);
    /* close refuses while handles are open */
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(x->sp, "bob", '*', &r), 0);
    assert_int_equal(spool_close(x->sp), -EBUSY);
    spool_reader_free(r);
}

/* ---- damage ------------------------------------------------------------- */

static void
flip_byte_in_segments(const char *dir, long at_from_end)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/seg.00000001", dir);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    off_t off = st.st_size - at_from_end;
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void
test_torn_record_detected(void **state)
{
    struct fx *x = *state;
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 10, 1, 0);
    assert_int_equal(spool_close(x->sp), 0);
    x->sp = NULL;
    flip_byte_in_segments(x->dir, 20); /* inside a's last (only) chunk */
    assert_int_equal(spool_open(x->dir, NULL, &x->sp), 0);
    /* a quick start does not read data: the damage shows when reading */
    assert_int_equal(tsp_check(x->sp, a, 10, 1, 0), -EIO);
    /* a verifying start drops the file */
    struct spool_config cfg = {.flags = SPOOL_OPEN_VERIFY};
    reopen(x, &cfg);
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_int_equal(st.dropped_files, 1);
    assert_int_equal(tsp_count(x->sp, NULL, SPOOL_Q_ANY, 0), 0);
}

static void
test_damaged_checkpoint_refused(void **state)
{
    struct fx *x = *state;
    tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 10, 1, 0);
    assert_int_equal(spool_close(x->sp), 0);
    x->sp = NULL;
    char p[1024];
    snprintf(p, sizeof p, "%s/checkpoint", x->dir);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, 70), 1);
    close(fd);
    assert_int_equal(spool_open(x->dir, NULL, &x->sp), -EUCLEAN);
    struct spool_config cfg = {.flags = SPOOL_OPEN_COLD};
    assert_int_equal(spool_open(x->dir, &cfg, &x->sp), 0);
}

/* ---- host I/O failures (through the fault callback) ---------------------- */

struct faults {
    int fail[SPOOL_FAULT_CHECKPOINT + 1]; /* error to return at each point */
    int warnings, errors;
};

static int
on_fault(void *arg, enum spool_fault point)
{
    return ((struct faults *)arg)->fail[point];
}

static void
on_log(void *arg, enum spool_log_level lvl, const char *msg)
{
    (void)msg;
    struct faults *ft = arg;
    ft->warnings += lvl == SPOOL_LOG_WARNING;
    ft->errors += lvl == SPOOL_LOG_ERROR;
}

static void
test_host_disk_full(void **state)
{
    struct fx *x = *state;
    static struct faults ft;
    memset(&ft, 0, sizeof ft);
    struct spool_config cfg = {.fault = on_fault, .log = on_log, .cb_arg = &ft};
    reopen(x, &cfg);
    uint32_t keep = tsp_make(x->sp, "alice", SPOOL_DEV_PRT, 'A', NULL, 30, 7, 0);
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    uint8_t rec[400];
    uint32_t i = 0;
    for (; i < 1000; i++) { /* a few chunks are written */
        assert_int_equal(spool_writer_append(w, rec, tsp_record(3, i, rec, 0)), 0);
    }
    ft.fail[SPOOL_FAULT_CHUNK_WRITE] = -ENOSPC;
    int rc = 0;
    for (int tries = 0; tries < 1000 && rc == 0; tries++, i += rc == 0) {
        rc = spool_writer_append(w, rec, tsp_record(3, i, rec, 0));
    }
    assert_int_equal(rc, -ENOSPC); /* record i was not taken */
    assert_int_equal(spool_writer_records(w), i);
    uint32_t id;
    assert_int_equal(spool_writer_close(w, "bob", &id), -ENOSPC); /* still ours */
    ft.fail[SPOOL_FAULT_CHUNK_WRITE] = 0; /* the operator made room */
    for (uint32_t end = i + 50; i < end; i++) {
        assert_int_equal(spool_writer_append(w, rec, tsp_record(3, i, rec, 0)), 0);
    }
    assert_int_equal(spool_writer_close(w, "bob", &id), 0);
    assert_int_equal(tsp_check(x->sp, id, i, 3, 0), 0);
    assert_int_equal(tsp_check(x->sp, keep, 30, 7, 0), 0);
    reopen(x, NULL);
    assert_int_equal(tsp_check(x->sp, id, i, 3, 0), 0);
}

static void
test_failed_sync_breaks_the_store(void **state)
{
    struct fx *x = *state;
    for (int point = SPOOL_FAULT_DATA_SYNC; point <= SPOOL_FAULT_JOURNAL_SYNC; point++) {
        static struct faults ft;
        memset(&ft, 0, sizeof ft);
        struct spool_config cfg = {.fault = on_fault, .log = on_log, .cb_arg = &ft};
        reopen(x, &cfg);
        uint32_t keep = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 5, 11, 0);
        ft.fail[point] = -EIO;
        struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
        struct spool_writer *w;
        assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
        assert_int_equal(spool_writer_append(w, "lost?", 5), 0);
        uint32_t id;
        assert_int_equal(spool_writer_close(w, "bob", &id), -EIO); /* consumed */
        assert_int_equal(ft.errors, 1);
        /* broken: no more changes, but what is there can still be read */
        assert_int_equal(spool_writer_open(x->sp, &c, &w), -EIO);
        struct spool_filter f = {.spoolid = keep};
        assert_int_equal(spool_purge(x->sp, &f, NULL), -EIO);
        assert_int_equal(spool_transfer(x->sp, &f, "carol", NULL), -EIO);
        assert_int_equal(tsp_check(x->sp, keep, 5, 11, 0), 0);
        assert_int_equal(spool_close(x->sp), -EIO);
        x->sp = NULL;
        /* a restart finds the truth: what was acknowledged is there */
        assert_int_equal(spool_open(x->dir, NULL, &x->sp), 0);
        assert_int_equal(tsp_check(x->sp, keep, 5, 11, 0), 0);
        struct spool_stats st;
        spool_stats(x->sp, &st);
        assert_int_equal(st.dropped_files, 0);
    }
}

static void
test_failed_checkpoint_is_retried(void **state)
{
    struct fx *x = *state;
    static struct faults ft;
    memset(&ft, 0, sizeof ft);
    struct spool_config cfg = {.fault = on_fault, .log = on_log, .cb_arg = &ft,
                               .checkpoint_bytes = 2048};
    reopen(x, &cfg);
    ft.fail[SPOOL_FAULT_CHECKPOINT] = -EIO;
    uint32_t id[40];
    for (int i = 0; i < 40; i++) {
        id[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 2, (uint32_t)i, 0);
    }
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_true(ft.warnings >= 1); /* tried, failed, said so, went on */
    uint64_t ckpts = st.checkpoints;
    ft.fail[SPOOL_FAULT_CHECKPOINT] = 0;
    usleep(1100 * 1000); /* the retry delay */
    tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 2, 99, 0); /* checkpoints after */
    tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 2, 98, 0); /* so done by now */
    spool_stats(x->sp, &st);
    assert_true(st.checkpoints > ckpts);
    assert_int_equal(spool_close(x->sp), 0);
    x->sp = NULL;
    assert_int_equal(spool_open(x->dir, NULL, &x->sp), 0);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(tsp_check(x->sp, id[i], 2, (uint32_t)i, 0), 0);
    }
}

/* ---- segments ----------------------------------------------------------- */

static void
test_segments_roll_and_go(void **state)
{
    struct fx *x = *state;
    struct spool_config cfg = {.segment_bytes = 256 << 10};
    reopen(x, &cfg);
    uint32_t id[40];
    for (int i = 0; i < 40; i++) { /* about 45 KiB each: several segments */
        id[i] = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 300, (uint32_t)i, 300);
    }
    struct spool_stats st;
    spool_stats(x->sp, &st);
    assert_true(st.segments >= 5);
    uint32_t segs = st.segments;
    for (int i = 0; i < 40; i++) {
        assert_int_equal(tsp_check(x->sp, id[i], 300, (uint32_t)i, 300), 0);
    }
    /* purge all but the last: old segments are deleted */
    for (int i = 0; i < 39; i++) {
        struct spool_filter f = {.spoolid = id[i]};
        assert_int_equal(spool_purge(x->sp, &f, NULL), 0);
    }
    reopen(x, &cfg); /* the cleaner deletes empty segments soon after */
    for (int i = 0; i < 500; i++) {
        spool_stats(x->sp, &st);
        if (st.segments <= 2) {
            break;
        }
        usleep(10000);
    }
    assert_true(st.segments <= 2);
    assert_true(st.segments < segs);
    assert_int_equal(tsp_check(x->sp, id[39], 300, 39, 300), 0);
}

/* ---- async close and arrival notices ------------------------------------ */

struct notes {
    pthread_mutex_t mu;
    int closed, arrived;
    uint32_t last_id;
    char last_owner[9];
};

static void
on_done(void *arg, int rc, uint32_t id)
{
    struct notes *nt = arg;
    pthread_mutex_lock(&nt->mu);
    if (rc == 0) {
        nt->closed++;
        nt->last_id = id;
    }
    pthread_mutex_unlock(&nt->mu);
}

static void
on_arrival(void *arg, const struct spool_info *in)
{
    struct notes *nt = arg;
    pthread_mutex_lock(&nt->mu);
    nt->arrived++;
    memcpy(nt->last_owner, in->owner, sizeof nt->last_owner);
    pthread_mutex_unlock(&nt->mu);
}

static void
test_async_close_and_arrivals(void **state)
{
    struct fx *x = *state;
    struct notes nt = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct spool_config cfg = {.arrival = on_arrival, .cb_arg = &nt};
    reopen(x, &cfg);
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PUN};
    for (int i = 0; i < 30; i++) {
        struct spool_writer *w;
        assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
        assert_int_equal(spool_writer_append(w, "card", 4), 0);
        assert_int_equal(spool_writer_close_async(w, i % 2 ? "bob" : NULL, on_done, &nt), 0);
    }
    /* a sync close is journaled after them all: once it returns they are
     * durable and visible, though their callbacks may still be running */
    uint32_t t = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "carol", 1, 1, 0);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 15);
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&nt.mu);
        int closed = nt.closed;
        pthread_mutex_unlock(&nt.mu);
        if (closed == 30) {
            break;
        }
        usleep(1000);
    }
    pthread_mutex_lock(&nt.mu);
    assert_int_equal(nt.closed, 30);
    pthread_mutex_unlock(&nt.mu);
    struct spool_filter f = {.spoolid = t};
    assert_int_equal(spool_transfer(x->sp, &f, "dave", NULL), 0);
    assert_int_equal(spool_close(x->sp), 0); /* drains the committer */
    x->sp = NULL;
    assert_int_equal(nt.arrived, 15 + 1 + 1);
    assert_string_equal(nt.last_owner, "DAVE");
    assert_int_equal(spool_open(x->dir, NULL, &x->sp), 0);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 15);
    assert_int_equal(tsp_count(x->sp, "alice", SPOOL_Q_PUN, 0), 15);
}

/* ---- purges that do not wait ------------------------------------------- */

/* Holds the committer before its journal fdatasync while `shut`. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool shut;
    int waiting; /* committers held now */
    int done, last_rc; /* purge callbacks */
    uint32_t values[4];
};

static int
gate_fault(void *arg, enum spool_fault point)
{
    struct gate *g = arg;
    if (point != SPOOL_FAULT_JOURNAL_SYNC) {
        return 0;
    }
    pthread_mutex_lock(&g->mu);
    g->waiting++;
    pthread_cond_broadcast(&g->cv);
    while (g->shut) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    g->waiting--;
    pthread_mutex_unlock(&g->mu);
    return 0;
}

static void
gate_done(void *arg, int rc, uint32_t value)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->mu);
    if (g->done < 4) {
        g->values[g->done] = value;
    }
    g->done++;
    g->last_rc = rc;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Once the committer is held in its sync: checks that no callback came
 * yet, lets it go and waits for `n` callbacks. */
static void
gate_open_when_held(struct gate *g, int n)
{
    pthread_mutex_lock(&g->mu);
    while (g->waiting == 0) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    usleep(20000);
    assert_int_equal(g->done, 0);
    g->shut = false;
    pthread_cond_broadcast(&g->cv);
    while (g->done < n) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

static void
test_async_purge(void **state)
{
    struct fx *x = *state;
    static struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct spool_config cfg = {.fault = gate_fault, .cb_arg = &g};
    reopen(x, &cfg);
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "alice", 3, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'B', "alice", 3, 2, 0);
    uint32_t c = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "bob", 3, 3, 0);
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(x->sp, "bob", '*', &r), 0);
    uint8_t buf[400];
    size_t len;
    uint32_t id;
    assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &id), 0);
    assert_int_equal(id, c);

    /* the journal's fdatasync cannot finish: the calls return all the same */
    pthread_mutex_lock(&g.mu);
    g.shut = true;
    pthread_mutex_unlock(&g.mu);
    struct spool_filter f = {.spoolid = a};
    assert_int_equal(spool_purge_async(x->sp, &f, gate_done, &g), 0);
    assert_int_equal(tsp_count(x->sp, "alice", SPOOL_Q_RDR, 0), 1); /* gone at once */
    assert_int_equal(spool_reader_purge_async(r, gate_done, &g), 0);
    assert_int_equal(spool_reader_current(r), 0);
    assert_int_equal(tsp_count(x->sp, "bob", SPOOL_Q_RDR, 0), 0);
    /* nothing to wait for, and bad calls: done is never called for them */
    f = (struct spool_filter){.owner = "alice", .spclass = 'Q'};
    assert_int_equal(spool_purge_async(x->sp, &f, gate_done, &g), 1);
    f = (struct spool_filter){.spoolid = 999};
    assert_int_equal(spool_purge_async(x->sp, &f, gate_done, &g), -ENOENT);
    assert_int_equal(spool_purge_async(x->sp, &f, NULL, NULL), -EINVAL);
    assert_int_equal(spool_reader_purge_async(r, gate_done, &g), -ENOENT);
    /* the committer is held in the sync, and nobody was told yet */
    gate_open_when_held(&g, 2);
    pthread_mutex_lock(&g.mu);
    assert_int_equal(g.last_rc, 0);
    /* in order: the count of the first purge, the reader's spoolid */
    assert_int_equal(g.values[0], 1);
    assert_int_equal(g.values[1], c);
    pthread_mutex_unlock(&g.mu);
    spool_reader_free(r);
    /* durable: a restart keeps only b */
    reopen(x, NULL);
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, a, &in), -ENOENT);
    assert_int_equal(spool_query(x->sp, c, &in), -ENOENT);
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_int_equal(g.done, 2);
}

/* TRANSFER, CHANGE, HOLD and ORDER without waiting: made at once, each
 * callback only after the durable commit, and kept across a restart. */
static void
test_async_changes(void **state)
{
    struct fx *x = *state;
    static struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct spool_config cfg = {.fault = gate_fault, .cb_arg = &g};
    reopen(x, &cfg);
    uint32_t a = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "alice", 3, 1, 0);
    uint32_t b = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "alice", 3, 2, 0);
    uint32_t c = tsp_make(x->sp, "alice", SPOOL_DEV_PUN, 'A', "alice", 3, 3, 0);
    pthread_mutex_lock(&g.mu);
    g.shut = true;
    pthread_mutex_unlock(&g.mu);
    struct spool_filter f = {.spoolid = a};
    assert_int_equal(spool_transfer_async(x->sp, &f, "bob", gate_done, &g), 0);
    struct spool_change ch = {.what = SPOOL_CH_CLASS, .spclass = 'Z'};
    f.spoolid = b;
    assert_int_equal(spool_change_async(x->sp, &f, &ch, gate_done, &g), 0);
    assert_int_equal(spool_hold_async(x->sp, &f, SPOOL_HOLD_USER, true, gate_done, &g), 0);
    const uint32_t ids[] = {c};
    assert_int_equal(spool_order_async(x->sp, "alice", SPOOL_Q_RDR, ids, 1, gate_done, &g), 0);
    /* made at once: later readers see them */
    struct spool_info in;
    assert_int_equal(spool_query(x->sp, a, &in), 0);
    assert_string_equal(in.owner, "BOB");
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_int_equal(in.spclass, 'Z');
    assert_int_equal(in.hold, SPOOL_HOLD_USER);
    /* nothing to wait for, and bad calls: done is never called for them */
    f = (struct spool_filter){.owner = "alice", .spclass = 'Q'};
    assert_int_equal(spool_change_async(x->sp, &f, &ch, gate_done, &g), 1);
    assert_int_equal(spool_transfer_async(x->sp, &f, "bob", gate_done, &g), 1);
    f = (struct spool_filter){.spoolid = 999};
    assert_int_equal(spool_hold_async(x->sp, &f, SPOOL_HOLD_USER, false, gate_done, &g), -ENOENT);
    assert_int_equal(spool_transfer_async(x->sp, &f, "bad id!", gate_done, &g), -EINVAL);
    assert_int_equal(spool_change_async(x->sp, &f, &ch, NULL, NULL), -EINVAL);
    const uint32_t missing[] = {999};
    assert_int_equal(spool_order_async(x->sp, "alice", SPOOL_Q_RDR, missing, 1, gate_done, &g),
                     -ENOENT);
    /* held in the sync: nobody was told yet */
    gate_open_when_held(&g, 4);
    pthread_mutex_lock(&g.mu);
    assert_int_equal(g.last_rc, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(g.values[i], 1); /* one file each */
    }
    pthread_mutex_unlock(&g.mu);
    /* durable: a restart keeps them all */
    reopen(x, NULL);
    assert_int_equal(spool_query(x->sp, a, &in), 0);
    assert_string_equal(in.owner, "BOB");
    assert_int_equal(spool_query(x->sp, b, &in), 0);
    assert_int_equal(in.spclass, 'Z');
    assert_int_equal(in.hold, SPOOL_HOLD_USER);
    struct spool_info *v = NULL;
    size_t n = 0;
    f = (struct spool_filter){.owner = "alice", .queue = SPOOL_Q_RDR};
    assert_int_equal(spool_list(x->sp, &f, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].spoolid, c); /* ORDERed to the front */
    free(v);
    assert_int_equal(g.done, 4);
}

/* ---- printer output ----------------------------------------------------- */

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void
test_print(void **state)
{
    struct fx *x = *state;
    char out[1024];
    snprintf(out, sizeof out, "%s/out", x->dir);
    assert_int_equal(mkdir(out, 0700), 0);
    struct spool_create c = {.origin = "ALICE", .dev = SPOOL_DEV_PRT, .copies = 2,
                             .fname = "REPORT", .ftype = "LISTING", .dist = "ROOM12"};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(x->sp, &c, &w), 0);
    assert_int_equal(spool_writer_append(w, "FIRST LINE", 10), 0);
    assert_int_equal(spool_writer_append(w, "tab\there\x01\x7f", 10), 0);
    assert_int_equal(spool_writer_append(w, "", 0), 0);
    uint32_t id;
    assert_int_equal(spool_writer_close(w, NULL, &id), 0);
    char path[1024];
    assert_int_equal(spool_print(x->sp, id, out, 0, path, sizeof path), 0);
    char *text = slurp(path);
    assert_non_null(strstr(path, "REPORT-LISTING"));
    assert_non_null(strstr(text, "USER      ALICE"));
    assert_non_null(strstr(text, "NAME      REPORT   LISTING"));
    assert_non_null(strstr(text, "DIST  ROOM12"));
    assert_non_null(strstr(text, "COPY      1 OF 2"));
    assert_non_null(strstr(text, "COPY      2 OF 2"));
    assert_non_null(strstr(text, "\fFIRST LINE\ntab\there..\n\n\f"));
    char *second = strstr(strstr(text, "COPY      2 OF 2"), "FIRST LINE");
    assert_non_null(second);
    /* printing again would overwrite: refused */
    assert_int_equal(spool_print(x->sp, id, out, 0, NULL, 0), -EEXIST);
    assert_int_equal(spool_query(x->sp, id, &(struct spool_info){0}), 0);
    /* held files are not printed; PURGE flag removes the file once printed */
    uint32_t h = tsp_make(x->sp, "bob", SPOOL_DEV_PRT, 'A', NULL, 3, 1, 0);
    struct spool_filter f = {.spoolid = h};
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_SYSTEM, true, NULL), 0);
    assert_int_equal(spool_print(x->sp, h, out, SPOOL_PRINT_PURGE, NULL, 0), -EBUSY);
    assert_int_equal(spool_hold(x->sp, &f, SPOOL_HOLD_SYSTEM, false, NULL), 0);
    assert_int_equal(spool_print(x->sp, h, out, SPOOL_PRINT_PURGE, path, sizeof path), 0);
    assert_non_null(strstr(slurp(path), "USER      BOB"));
    assert_int_equal(spool_query(x->sp, h, &(struct spool_info){0}), -ENOENT);
    assert_int_equal(spool_print(x->sp, 4242, out, 0, NULL, 0), -ENOENT);
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/nope", x->dir);
    assert_int_equal(spool_print(x->sp, id, missing, 0, NULL, 0), -ENOENT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test_setup_teardown(test_basic_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_binary_and_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_free_and_reader_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_spool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spoolid_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cold_start_and_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_record_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_checkpoint_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_sync_breaks_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_checkpoint_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments_roll_and_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_close_and_arrivals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
