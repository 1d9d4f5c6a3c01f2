// SPDX-License-Identifier: MIT
/*
 * tests/test_spool_scale.c - size and threads: a reader holding 10,000
 * files (listing time bounded, restart time bounded, the DIAG reader still
 * quick), several threads closing at once (group commit: fewer journal
 * fdatasyncs than closes), and a reader consuming files while writers
 * deliver them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "spool/spool.h"
#include "tests/test_spool_util.h"

/* Generous bounds: the sanitizer build and a busy shared machine run these
 * too.  bench/spool_bench.c measures the real figures. */
#define LIST_10K_MAX_MS 400.0
#define OPEN_10K_MAX_MS 3000.0

struct counter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, failed;
};

static void
on_done(void *arg, int rc, uint32_t id)
{
    (void)id;
    struct counter *c = arg;
    pthread_mutex_lock(&c->mu);
    c->done++;
    c->failed += rc != 0;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void
test_ten_thousand_in_one_reader(void **state)
{
    (void)state;
    char *dir = tsp_tmpdir();
    struct spool *sp;
    assert_int_equal(spool_open(dir, NULL, &sp), 0);
    struct counter cnt = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    enum { N = 10000 };
    for (int i = 0; i < N; i++) {
        struct spool_create c = {.origin = i % 2 ? "ALICE" : "CAROL", .dev = SPOOL_DEV_PUN,
                                 .spclass = (char)('A' + i % 5), .fname = "CARD", .ftype = "DECK"};
        struct spool_writer *w;
        assert_int_equal(spool_writer_open(sp, &c, &w), 0);
        char rec[80];
        int len = snprintf(rec, sizeof rec, "file %d record 1", i);
        assert_int_equal(spool_writer_append(w, rec, (size_t)len), 0);
        assert_int_equal(spool_writer_close_async(w, "BOB", on_done, &cnt), 0);
    }
    pthread_mutex_lock(&cnt.mu);
    while (cnt.done < N) {
        pthread_cond_wait(&cnt.cv, &cnt.mu);
    }
    pthread_mutex_unlock(&cnt.mu);
    assert_int_equal(cnt.failed, 0);

    struct spool_filter f = {.owner = "BOB", .queue = SPOOL_Q_RDR};
    struct spool_info *v;
    size_t n;
    double t0 = tsp_now_ms();
    assert_int_equal(spool_list(sp, &f, &v, &n), 0);
    double list_ms = tsp_now_ms() - t0;
    assert_int_equal(n, N);
    for (size_t i = 1; i < n; i++) {
        assert_true(v[i].spoolid > v[i - 1].spoolid); /* arrival order */
        assert_int_equal(v[i].position, i + 1);
    }
    free(v);
    f.spclass = 'C';
    assert_int_equal(spool_list(sp, &f, &v, &n), 0);
    assert_int_equal(n, N / 5);
    free(v);
    print_message("list of %d files: %.2f ms\n", N, list_ms);
    assert_true(list_ms < LIST_10K_MAX_MS);

    /* the reader takes the first eligible file without scanning them all */
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(sp, "bob", 'E', &r), 0);
    char buf[100];
    size_t len;
    uint32_t id;
    t0 = tsp_now_ms();
    for (int i = 0; i < 100; i++) {
        assert_int_equal(spool_reader_next(r, buf, sizeof buf, &len, &id), 0);
        assert_int_equal(spool_reader_close_file(r, true), 0);
    }
    print_message("100 reader next+purge: %.2f ms\n", tsp_now_ms() - t0);
    spool_reader_free(r);

    /* restart: recovery of 9,900 files */
    assert_int_equal(spool_close(sp), 0);
    t0 = tsp_now_ms();
    assert_int_equal(spool_open(dir, NULL, &sp), 0);
    double open_ms = tsp_now_ms() - t0;
    print_message("open with %d files: %.2f ms\n", N - 100, open_ms);
    assert_true(open_ms < OPEN_10K_MAX_MS);
    f.spclass = 0;
    assert_int_equal(spool_list(sp, &f, &v, &n), 0);
    assert_int_equal(n, N - 100);
    free(v);
    /* purge them all at once */
    size_t purged;
    assert_int_equal(spool_purge(sp, &f, &purged), 0);
    assert_int_equal(purged, N - 100);
    assert_int_equal(spool_close(sp), 0);
    tsp_rmtree(dir);
    free(dir);
}

struct th {
    struct spool *sp;
    int t;
    int n;
    uint32_t *ids;
};

static void *
closer(void *arg)
{
    struct th *th = arg;
    char user[9];
    snprintf(user, sizeof user, "U%d", th->t);
    for (int i = 0; i < th->n; i++) {
        th->ids[i] = tsp_make(th->sp, user, SPOOL_DEV_PRT, 'A', i % 3 ? NULL : "SHARED",
                              (uint32_t)(i % 7), (uint32_t)(th->t * 1000 + i), 0);
    }
    return NULL;
}

static void *
lister(void *arg)
{
    struct th *th = arg;
    for (int i = 0; i < th->n; i++) {
        struct spool_info *v;
        size_t n;
        assert_int_equal(spool_list(th->sp, NULL, &v, &n), 0);
        free(v);
        struct spool_filter f = {.owner = "SHARED", .spclass = 'Z'};
        assert_int_equal(spool_purge(th->sp, &f, NULL), 0); /* matches nothing */
    }
    return NULL;
}

static void
test_threads_closing_at_once(void **state)
{
    (void)state;
    char *dir = tsp_tmpdir();
    struct spool *sp;
    assert_int_equal(spool_open(dir, NULL, &sp), 0);
    enum { T = 8, PER = 40 };
    pthread_t tid[T + 1];
    struct th th[T + 1];
    for (int t = 0; t < T; t++) {
        th[t] = (struct th){sp, t, PER, calloc(PER, sizeof(uint32_t))};
        pthread_create(&tid[t], NULL, closer, &th[t]);
    }
    th[T] = (struct th){sp, T, 50, NULL};
    pthread_create(&tid[T], NULL, lister, &th[T]);
    for (int t = 0; t <= T; t++) {
        pthread_join(tid[t], NULL);
    }
    struct spool_stats st;
    spool_stats(sp, &st);
    print_message("%llu commits in %llu groups\n", (unsigned long long)st.commits,
                  (unsigned long long)st.groups);
    assert_true(st.commits >= T * PER);
    assert_true(st.groups < st.commits); /* closes shared fdatasyncs */
    assert_int_equal(st.files, T * PER);
    /* every id distinct, every file intact, also after a restart */
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < PER; i++) {
                for (int j = 0; j < i; j++) {
                    assert_int_not_equal(th[t].ids[i], th[t].ids[j]);
                }
                assert_int_equal(tsp_check(sp, th[t].ids[i], (uint32_t)(i % 7),
                                           (uint32_t)(t * 1000 + i), 0),
                                 0);
            }
        }
        assert_int_equal(spool_close(sp), 0);
        assert_int_equal(spool_open(dir, NULL, &sp), 0);
    }
    assert_int_equal(tsp_count(sp, "SHARED", SPOOL_Q_RDR, 0), T * ((PER + 2) / 3));
    for (int t = 0; t < T; t++) {
        free(th[t].ids);
    }
    assert_int_equal(spool_close(sp), 0);
    tsp_rmtree(dir);
    free(dir);
}

struct feed {
    struct spool *sp;
    atomic_int produced;
    atomic_bool stop;
};

static void *
producer(void *arg)
{
    struct feed *fd = arg;
    for (int i = 0; i < 60; i++) {
        tsp_make(fd->sp, "SENDER", SPOOL_DEV_PUN, 'A', "TAKER", 3, (uint32_t)i, 50);
        atomic_fetch_add(&fd->produced, 1);
    }
    return NULL;
}

static void
test_reader_consumes_while_writers_deliver(void **state)
{
    (void)state;
    char *dir = tsp_tmpdir();
    struct feed fd = {0};
    assert_int_equal(spool_open(dir, NULL, &fd.sp), 0);
    pthread_t p[3];
    for (int i = 0; i < 3; i++) {
        pthread_create(&p[i], NULL, producer, &fd);
    }
    struct spool_reader *r;
    assert_int_equal(spool_reader_open(fd.sp, "TAKER", '*', &r), 0);
    int consumed = 0;
    double end = tsp_now_ms() + 20000;
    while (consumed < 180 && tsp_now_ms() < end) {
        char buf[64];
        size_t len;
        uint32_t id;
        int rc = spool_reader_next(r, buf, sizeof buf, &len, &id);
        if (rc == -ENOENT) {
            struct timespec ts = {0, 1000000}; /* nothing yet */
            nanosleep(&ts, NULL);
            continue;
        }
        assert_int_equal(rc, 0);
        int recs = 1;
        while ((rc = spool_reader_next(r, buf, sizeof buf, &len, &id)) == 0) {
            recs++;
        }
        assert_int_equal(rc, -ENODATA);
        assert_int_equal(recs, 3);
        assert_int_equal(spool_reader_close_file(r, true), 0);
        consumed++;
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(p[i], NULL);
    }
    assert_int_equal(consumed, 180);
    assert_int_equal(tsp_count(fd.sp, "TAKER", SPOOL_Q_RDR, 0), 0);
    spool_reader_free(r);
    assert_int_equal(spool_close(fd.sp), 0);
    tsp_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_in_one_reader),
        cmocka_unit_test(test_threads_closing_at_once),
        cmocka_unit_test(test_reader_consumes_while_writers_deliver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
