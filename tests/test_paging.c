// SPDX-License-Identifier: MIT
/*
 * tests/test_paging.c - CP paging (cp/paging.h) with a tiny real-storage
 * limit: patterns written across 4 times the limit read back intact with
 * page-outs and page-ins counted; a clean page is dropped without a
 * rewrite; released pages are never written and free their slots; a stor
 * another thread holds is never stolen from; a full paging file keeps every
 * page (over the limit) and tells the operator once; a guest program that
 * touches 4 times the limit under the CPU with safe-point trims.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "cp/paging.h"
#include "cp/stor_int.h"
#include "test_rv_harness.h"

#define LIMIT 64 /* pages */
#define NPAGES (4 * LIMIT)
#define BASE 0x100000u

static char pg_file[512];
static int told;
static char told_text[400];

static void
notify(void *ctx, const char *text)
{
    (void)ctx;
    told++;
    snprintf(told_text, sizeof told_text, "%s", text);
}

static void
start(uint64_t file_pages)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(pg_file, sizeof pg_file, "%s/vmrv-paging-XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(pg_file);
    assert_true(fd >= 0);
    close(fd);
    struct paging_config cfg = {.real_bytes = LIMIT * 4096ull,
                                .path = pg_file,
                                .file_bytes = file_pages * 4096,
                                .notify = notify};
    char err[200] = "";
    told = 0;
    assert_int_equal(paging_start(&cfg, err, sizeof err), 0);
}

static int
stop(void **state)
{
    (void)state;
    paging_stop();
    assert_int_equal(access(pg_file, F_OK), -1); /* removed */
    return 0;
}

static struct paging_stats
stats(void)
{
    struct paging_stats s;
    assert_int_equal(paging_drain(10000), 0); /* page-outs land */
    paging_stats(&s);
    return s;
}

static void
fill(struct stor *st, uint64_t pages, uint32_t salt)
{
    for (uint64_t k = 0; k < pages; k++) {
        uint32_t page[1024];
        for (unsigned w = 0; w < 1024; w++) {
            page[w] = (uint32_t)(k * 1315423911u) ^ w ^ salt;
        }
        assert_int_equal(stor_write(st, BASE + k * 4096, page, sizeof page), 0);
        if (k % 8 == 7) {
            stor_trim(st);
        }
    }
    stor_trim(st);
}

static unsigned
check(struct stor *st, uint64_t pages, uint32_t salt)
{
    unsigned bad = 0;
    for (uint64_t k = 0; k < pages; k++) {
        uint32_t page[1024];
        assert_int_equal(stor_read(st, BASE + k * 4096, page, sizeof page), 0);
        for (unsigned w = 0; w < 1024; w++) {
            if (page[w] != ((uint32_t)(k * 1315423911u) ^ w ^ salt)) {
                bad++;
                break;
            }
        }
        if (k % 8 == 7) {
            stor_trim(st);
        }
    }
    stor_trim(st);
    return bad;
}

static void
test_out_and_back(void **state)
{
    (void)state;
    start(4 * NPAGES);
    struct paging_stats s0 = stats();
    struct stor *st = stor_create(4u << 20);
    fill(st, NPAGES, 1);
    struct paging_stats s1 = stats();
    assert_true(s1.resident_pages <= LIMIT);
    assert_true(s1.page_outs - s0.page_outs >= NPAGES - LIMIT);
    assert_int_equal(stor_paged_pages(st) + stor_resident_pages(st), NPAGES);
    assert_int_equal(check(st, NPAGES, 1), 0);
    struct paging_stats s2 = stats();
    assert_true(s2.page_ins - s1.page_ins >= NPAGES - LIMIT);
    /* only the pages never out before were written (at most the limit's
     * worth); what was read back went out again without a write */
    assert_true(s2.page_outs - s1.page_outs <= LIMIT);
    assert_true(s2.clean_drops - s1.clean_drops > 0);
    /* a second read-only pass: every page has a slot, nothing is written */
    assert_int_equal(check(st, NPAGES, 1), 0);
    assert_int_equal(stats().page_outs, s2.page_outs);
    assert_true(stats().clean_drops - s2.clean_drops >= NPAGES - 2 * LIMIT);
    s2 = stats();
    assert_true(stats().resident_pages <= LIMIT);
    /* a dirty page that has a slot is written again (to the same slot:
     * never more slots than pages) */
    fill(st, NPAGES, 2);
    assert_true(stats().page_outs - s2.page_outs >= NPAGES - LIMIT);
    assert_true(stats().slots_used <= NPAGES);
    assert_int_equal(check(st, NPAGES, 2), 0);
    assert_false(paging_full());
    stor_destroy(st);
    assert_int_equal(stats().slots_used, 0);
    assert_int_equal(stats().resident_pages, 0);
}

static void
test_released_never_written(void **state)
{
    (void)state;
    start(4 * NPAGES);
    struct stor *st = stor_create(4u << 20);
    /* in storage, then released: nothing to write */
    for (uint64_t k = 0; k < LIMIT / 2; k++) {
        assert_int_equal(stor_write(st, BASE + k * 4096, "x", 1), 0);
    }
    assert_int_equal(stor_release(st, BASE, LIMIT / 2 * 4096), 0);
    struct paging_stats s0 = stats();
    fill(st, NPAGES, 3); /* pushes everything else out */
    struct paging_stats s1 = stats();
    assert_true(s1.page_outs > s0.page_outs);
    /* out on the file, then released: the slots come back, never read */
    uint64_t used = s1.slots_used;
    assert_true(used > 0);
    assert_int_equal(stor_release(st, BASE, NPAGES * 4096ull), 0);
    struct paging_stats s2 = stats();
    assert_int_equal(s2.slots_used, 0);
    assert_true(s2.slots_released - s1.slots_released >= used);
    assert_int_equal(stor_paged_pages(st), 0);
    stor_trim(st);
    assert_int_equal(stats().page_outs, s1.page_outs);
    assert_int_equal(stats().page_ins, s1.page_ins);
    uint8_t b = 1;
    assert_int_equal(stor_read(st, BASE + 5 * 4096, &b, 1), 0);
    assert_int_equal(b, 0);
    stor_destroy(st);
}

struct holder {
    struct stor *st;
    pthread_mutex_t m;
    pthread_cond_t cv;
    int phase; /* 1 pinned, 2 may let go */
};

static void *
hold_main(void *p)
{
    struct holder *h = p;
    stor_pin(h->st);
    pthread_mutex_lock(&h->m);
    h->phase = 1;
    pthread_cond_broadcast(&h->cv);
    while (h->phase != 2) {
        pthread_cond_wait(&h->cv, &h->m);
    }
    pthread_mutex_unlock(&h->m);
    stor_unpin(h->st);
    return NULL;
}

static void
test_busy_stor_untouched(void **state)
{
    (void)state;
    start(4 * NPAGES);
    struct holder h = {.st = stor_create(4u << 20), .phase = 0};
    pthread_mutex_init(&h.m, NULL);
    pthread_cond_init(&h.cv, NULL);
    fill(h.st, LIMIT / 2, 4); /* under the limit: all resident */
    assert_int_equal(stor_resident_pages(h.st), LIMIT / 2);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hold_main, &h), 0);
    pthread_mutex_lock(&h.m);
    while (h.phase != 1) {
        pthread_cond_wait(&h.cv, &h.m);
    }
    pthread_mutex_unlock(&h.m);
    /* another VM pushes over the limit: the held one keeps its frames */
    struct stor *other = stor_create(4u << 20);
    struct paging_stats s0 = stats();
    fill(other, NPAGES, 5);
    assert_int_equal(stor_resident_pages(h.st), LIMIT / 2);
    assert_true(stats().busy_skips > s0.busy_skips);
    pthread_mutex_lock(&h.m);
    h.phase = 2;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.m);
    pthread_join(t, NULL);
    /* no longer held: the least recently used stor pays first */
    fill(other, NPAGES, 6);
    assert_true(stor_resident_pages(h.st) < LIMIT / 2);
    assert_int_equal(check(other, NPAGES, 6), 0);
    assert_int_equal(check(h.st, LIMIT / 2, 4), 0);
    stor_destroy(other);
    stor_destroy(h.st);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.m);
}

static void
test_full_file(void **state)
{
    (void)state;
    start(LIMIT); /* room for LIMIT pages only */
    struct stor *st = stor_create(4u << 20);
    fill(st, NPAGES, 7);
    assert_true(paging_full());
    assert_int_equal(told, 1); /* once */
    assert_non_null(strstr(told_text, "full"));
    struct paging_stats s = stats();
    assert_int_equal(s.slots_used, LIMIT);
    assert_true(s.resident_pages > LIMIT); /* over the limit, nothing lost */
    assert_int_equal(check(st, NPAGES, 7), 0);
    /* DIAG 0x010 gives slots back: no longer full */
    assert_int_equal(stor_release(st, BASE, NPAGES * 4096ull), 0);
    assert_false(paging_full());
    stor_destroy(st);
}

/* Threads that each own a stor, write and check their pages with trims at
 * their safe points, stealing from each other meanwhile. */
struct worker {
    struct stor *st;
    uint32_t salt;
    unsigned bad;
};

static void *
worker_main(void *p)
{
    struct worker *w = p;
    /* each stor_write/stor_read pins for itself: between them the others
     * may steal from this stor */
    for (int round = 0; round < 4; round++) {
        fill(w->st, LIMIT, w->salt + (uint32_t)round);
        w->bad += check(w->st, LIMIT, w->salt + (uint32_t)round);
    }
    return NULL;
}

static void
test_threads_steal_from_each_other(void **state)
{
    (void)state;
    start(8 * NPAGES);
    struct worker w[3];
    pthread_t t[3];
    struct paging_stats s0 = stats();
    for (int i = 0; i < 3; i++) {
        w[i] = (struct worker){.st = stor_create(4u << 20), .salt = 100u * (uint32_t)i};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    assert_true(stats().page_outs > s0.page_outs);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(w[i].st, LIMIT, w[i].salt + 3), 0);
        stor_destroy(w[i].st);
    }
    assert_int_equal(stats().slots_used, 0);
}

static void
test_config_errors(void **state)
{
    (void)state;
    char err[200] = "";
    struct paging_config cfg = {.real_bytes = 4096 * 8, .path = "x", .file_bytes = 1 << 20};
    assert_int_equal(paging_start(&cfg, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "too small"));
    cfg.real_bytes = 1 << 20;
    cfg.path = "no-such-folder/for/paging";
    assert_true(paging_start(&cfg, err, sizeof err) < 0);
    assert_non_null(strstr(err, "no-such-folder"));
    cfg.real_bytes = 0; /* off */
    assert_int_equal(paging_start(&cfg, err, sizeof err), 0);
    assert_int_equal(stats().limit_pages, 0);
}

/* A guest writes page k's number into NPAGES pages, then reads them back
 * and exits with the count of pages that came back wrong. */
static void
test_guest_touches_4x(void **state)
{
    struct h *h = *state;
    start(4 * NPAGES);
    struct prog *p = &h->p;
    emit_li(p, S0, BASE);
    emit_li(p, S1, NPAGES);
    emit_li(p, T2, 4096);
    emit_li(p, T0, 0);
    emit(p, ADDI(T1, S0, 0));
    uint32_t loop1 = p->len;
    emit(p, SD(T0, T1, 0));
    emit(p, SD(T0, T1, 8));
    emit(p, ADDI(T0, T0, 1));
    emit(p, ADD(T1, T1, T2));
    emit(p, BLT(T0, S1, (int32_t)(loop1 - p->len)));
    emit_li(p, T0, 0);
    emit_li(p, A0, 0);
    emit(p, ADDI(T1, S0, 0));
    uint32_t loop2 = p->len;
    emit(p, LD(T3, T1, 8));
    emit(p, BEQ(T3, T0, 8));
    emit(p, ADDI(A0, A0, 1));
    emit(p, ADDI(T0, T0, 1));
    emit(p, ADD(T1, T1, T2));
    emit(p, BLT(T0, S1, (int32_t)(loop2 - p->len)));
    emit_exit(p);
    h_load(h);
    struct paging_stats s0 = stats();
    uint64_t peak = 0;
    for (int i = 0; i < 100000 && !h->exited; i++) {
        stor_pin(h->st);
        h_run(h, 5000);
        stor_trim(h->st); /* the safe point, as vm_run */
        stor_unpin(h->st);
        if (stats().resident_pages > peak) {
            peak = stats().resident_pages;
        }
    }
    assert_true(h->exited);
    assert_int_equal(h->exit_code, 0);
    struct paging_stats s1 = stats();
    assert_true(s1.page_outs - s0.page_outs >= NPAGES - LIMIT);
    assert_true(s1.page_ins - s0.page_ins >= NPAGES - LIMIT);
    assert_true(peak <= LIMIT + 16 + 2);
}

static int
big_setup(void **state)
{
    *state = h_new_sized(4u << 20);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_out_and_back, stop),
        cmocka_unit_test_teardown(test_released_never_written, stop),
        cmocka_unit_test_teardown(test_busy_stor_untouched, stop),
        cmocka_unit_test_teardown(test_full_file, stop),
        cmocka_unit_test_teardown(test_threads_steal_from_each_other, stop),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test_setup_teardown(test_guest_touches_4x, big_setup, h_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    paging_stop();
    return rc;
}
