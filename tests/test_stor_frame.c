// SPDX-License-Identifier: MIT
/*
 * tests/test_stor_frame.c - host frames for guest storage
 * (cp/stor_frame.h): aligned zeroed frames, reuse reads as zero, raw
 * frames, chunks unmapped when wholly free (one kept spare), trim, the host memory a
 * touched frame costs, several threads allocating at once; and in guest
 * storage: stor_zero gives whole pages back, zeros written into untouched
 * pages back nothing.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/stor.h"
#include "cp/stor_frame.h"

#define FSZ 4096u

static bool
all_zero(const uint8_t *f)
{
    for (unsigned i = 0; i < FSZ; i++) {
        if (f[i] != 0) {
            return false;
        }
    }
    return true;
}

static uint64_t
used_now(void)
{
    struct stor_frame_stats s;
    stor_frame_stats(&s);
    return s.used;
}

static void
test_zero_and_reuse(void **state)
{
    (void)state;
    uint64_t base = used_now();
    uint8_t *f = stor_frame_alloc(true);
    assert_non_null(f);
    assert_int_equal((uintptr_t)f % FSZ, 0);
    assert_true(all_zero(f));
    assert_int_equal(used_now(), base + 1);
    uint8_t *g = stor_frame_alloc(true); /* keeps the chunk mapped */
    assert_non_null(g);
    memset(f, 0xa5, FSZ);
    stor_frame_free(f);
    /* Reused or not, a zeroed frame is zero. */
    for (int k = 0; k < 4; k++) {
        uint8_t *h = stor_frame_alloc(true);
        assert_non_null(h);
        assert_true(all_zero(h));
        memset(h, 0x5a, FSZ);
        stor_frame_free(h);
    }
    /* A raw frame is whole and writable. */
    uint8_t *r = stor_frame_alloc(false);
    assert_non_null(r);
    memset(r, 0x11, FSZ);
    assert_int_equal(r[FSZ - 1], 0x11);
    stor_frame_free(r);
    stor_frame_free(g);
    stor_frame_free(NULL);
    assert_int_equal(used_now(), base);
}

static void
test_many_unmap_trim(void **state)
{
    (void)state;
    enum { N = 1500 };
    static uint8_t *fr[N];
    struct stor_frame_stats s0, s;
    stor_frame_stats(&s0);
    for (unsigned i = 0; i < N; i++) {
        fr[i] = stor_frame_alloc(true);
        assert_non_null(fr[i]);
        memset(fr[i], (int)(i & 0xff) | 1, FSZ);
    }
    stor_frame_stats(&s);
    assert_int_equal(s.used, s0.used + N);
    assert_true(s.mapped >= s.used);
    for (unsigned i = 0; i < N; i++) {
        assert_int_equal(fr[i][0], (i & 0xff) | 1);
        assert_int_equal(fr[i][FSZ - 1], (i & 0xff) | 1);
    }
    /* Every other frame freed: chunks stay, dirty frames are capped. */
    for (unsigned i = 0; i < N; i += 2) {
        stor_frame_free(fr[i]);
        fr[i] = NULL;
    }
    stor_frame_trim();
    for (unsigned i = 0; i < N; i += 2) {
        fr[i] = stor_frame_alloc(true);
        assert_non_null(fr[i]);
        assert_true(all_zero(fr[i]));
    }
    for (unsigned i = 1; i < N; i += 2) {
        assert_int_equal(fr[i][7], (i & 0xff) | 1); /* untouched by trim */
    }
    for (unsigned i = 0; i < N; i++) {
        stor_frame_free(fr[i]);
    }
    stor_frame_stats(&s);
    assert_int_equal(s.used, s0.used);
    /* Chunks wholly free were unmapped, but for one spare. */
    assert_true(s.chunks <= s0.chunks + 1);
    /* A frame taken and given back again and again (a VM created and
     * destroyed) reuses the spare: no chunk is mapped or unmapped. */
    size_t chunks = s.chunks;
    for (unsigned i = 0; i < 100; i++) {
        uint8_t *f = stor_frame_alloc(true);
        assert_non_null(f);
        assert_true(all_zero(f));
        f[0] = 1;
        stor_frame_free(f);
        stor_frame_stats(&s);
        assert_true(s.chunks == chunks || (chunks == 0 && s.chunks == 1));
        chunks = s.chunks;
    }
}

static long
rss_kib(void)
{
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp == NULL) {
        return -1;
    }
    long size = 0, res = 0;
    int n = fscanf(fp, "%ld %ld", &size, &res);
    fclose(fp);
    return n == 2 ? res * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static void
test_cost_per_frame(void **state)
{
    (void)state;
    enum { N = 512 };
    static uint8_t *fr[N];
    stor_frame_trim(); /* free frames of earlier tests (the spare) hold no memory */
    long before = rss_kib();
    if (before < 0) {
        skip();
    }
    for (unsigned i = 0; i < N; i++) {
        fr[i] = stor_frame_alloc(true);
        assert_non_null(fr[i]);
        fr[i][0] = 1;
    }
    long grew = rss_kib() - before;
    /* 2 MiB of frames: a frame costs its 4 KiB (the heap cost 8). */
    assert_true(grew >= N * 4 - 64);
    assert_true(grew <= N * 4 * 13 / 10);
    for (unsigned i = 0; i < N; i++) {
        stor_frame_free(fr[i]);
    }
}

enum { T = 4, ROUNDS = 3000, HELD = 40 };

static void *
worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    uint8_t *held[HELD] = {0};
    int bad = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        unsigned k = (r * 7 + id) % HELD;
        if (held[k] != NULL) {
            if (held[k][0] != (uint8_t)(id + 1) || held[k][FSZ - 1] != (uint8_t)k) {
                bad++;
            }
            stor_frame_free(held[k]);
        }
        held[k] = stor_frame_alloc(r & 1);
        if (held[k] == NULL || ((r & 1) && !all_zero(held[k]))) {
            bad++;
            continue;
        }
        held[k][0] = (uint8_t)(id + 1);
        held[k][FSZ - 1] = (uint8_t)k;
    }
    for (unsigned k = 0; k < HELD; k++) {
        stor_frame_free(held[k]);
    }
    return (void *)(uintptr_t)bad;
}

static void
test_threads(void **state)
{
    (void)state;
    uint64_t base = used_now();
    pthread_t th[T];
    for (uintptr_t i = 0; i < T; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)i), 0);
    }
    for (unsigned i = 0; i < T; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_int_equal((uintptr_t)bad, 0);
    }
    assert_int_equal(used_now(), base);
}

static void
test_stor_zero_costs_nothing(void **state)
{
    (void)state;
    struct stor *st = stor_create(1u << 20);
    assert_non_null(st);
    static uint8_t buf[5 * FSZ];
    memset(buf, 0x77, sizeof buf);
    assert_int_equal(stor_write(st, 0x1000, buf, sizeof buf), 0);
    assert_int_equal(stor_resident_pages(st), 5);
    /* Whole pages inside the range go; the partial ends are cleared. */
    assert_int_equal(stor_zero(st, 0x1800, 4 * FSZ), 0);
    assert_int_equal(stor_resident_pages(st), 2);
    assert_int_equal(stor_read(st, 0x1000, buf, sizeof buf), 0);
    for (unsigned i = 0; i < sizeof buf; i++) {
        uint8_t want = (i < 0x800 || i >= 0x800 + 4 * FSZ) ? 0x77 : 0;
        if (buf[i] != want) {
            fail_msg("byte 0x%x is 0x%x", i, buf[i]);
        }
    }
    /* Zeros into untouched pages: nothing backed; into a backed page:
     * written. */
    memset(buf, 0, sizeof buf);
    assert_int_equal(stor_write(st, 0x20000, buf, 3 * FSZ + 100), 0);
    assert_int_equal(stor_resident_pages(st), 2);
    assert_int_equal(stor_write(st, 0x1000, buf, 16), 0);
    assert_int_equal(stor_read(st, 0x1000, buf, 32), 0);
    assert_int_equal(buf[15], 0);
    assert_int_equal(buf[16], 0x77);
    stor_destroy(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_and_reuse),
        cmocka_unit_test(test_many_unmap_trim),
        cmocka_unit_test(test_cost_per_frame),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_stor_zero_costs_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
