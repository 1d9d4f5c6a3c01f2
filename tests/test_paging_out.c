// SPDX-License-Identifier: MIT
/*
 * tests/test_paging_out.c - page-outs on the pager threads with in-flight
 * buffers (cp/paging_io.c): while a write is held back (a test hook) a
 * page-in of its page copies the buffer, data intact, and nothing is
 * counted as written; a slot freed by DIAG 0x010 (stor_release) while its
 * write is under way stays taken (no other page gets it) until the write
 * has landed; two writes of the same page land in order (the file holds
 * the newer bytes); the buffers stay under their cap (dirty pages wait,
 * resident); write errors, injected (EIO) and real (EFBIG past
 * RLIMIT_FSIZE), are told to the operator once, lose no page, and are
 * retried until they land.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/paging.h"
#include "cp/stor_int.h"

#define LIMIT 256 /* pages: the in-flight cap is a quarter, 64 */
#define NPAGES (4 * LIMIT)
#define BASE 0x100000u

static char pg_file[512];
static int told;
static char told_text[400];

/* The write hook: holds the write of slot `hold` while shut, fails every
 * write with `fail_errno` while it is set; counts calls. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static bool g_shut;
static int64_t g_hold = -1; /* -1: the first slot seen */
static int g_fail_errno;
static unsigned g_held; /* calls now held */

static void
notify(void *ctx, const char *text)
{
    (void)ctx;
    told++;
    snprintf(told_text, sizeof told_text, "%s", text);
}

static int
write_hook(void *ctx, uint32_t slot)
{
    (void)ctx;
    pthread_mutex_lock(&g_lock);
    if (g_hold < 0 && g_shut) {
        g_hold = slot;
    }
    int e = g_fail_errno;
    if (g_shut && slot == g_hold) {
        g_held++;
        pthread_cond_broadcast(&g_cond);
        while (g_shut) {
            pthread_cond_wait(&g_cond, &g_lock);
        }
        g_held--;
    }
    pthread_mutex_unlock(&g_lock);
    return e;
}

static void
gate(bool shut)
{
    pthread_mutex_lock(&g_lock);
    g_shut = shut;
    if (shut) {
        g_hold = -1;
    }
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

/* Waits until a pager is held in the hook; the slot it holds. */
static uint32_t
held_slot(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_held == 0) {
        pthread_cond_wait(&g_cond, &g_lock);
    }
    uint32_t s = (uint32_t)g_hold;
    pthread_mutex_unlock(&g_lock);
    return s;
}

static void
fail_with(int e)
{
    pthread_mutex_lock(&g_lock);
    g_fail_errno = e;
    pthread_mutex_unlock(&g_lock);
}

static int
setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(pg_file, sizeof pg_file, "%s/vmrv-pgout-XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(pg_file);
    assert_true(fd >= 0);
    close(fd);
    struct paging_config cfg = {.real_bytes = LIMIT * 4096ull,
                                .path = pg_file,
                                .file_bytes = 4 * NPAGES * 4096ull,
                                .notify = notify};
    char err[200] = "";
    told = 0;
    assert_int_equal(paging_start(&cfg, err, sizeof err), 0);
    paging_set_write_hook(write_hook, NULL);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    gate(false);
    fail_with(0);
    paging_set_write_hook(NULL, NULL);
    paging_stop();
    return 0;
}

static struct paging_stats
stats(void)
{
    struct paging_stats s;
    paging_stats(&s);
    return s;
}

static uint32_t
word(uint64_t k, unsigned w, uint32_t salt)
{
    return (uint32_t)(k * 2654435761u) ^ w ^ salt;
}

static void
put(struct stor *st, uint64_t k, uint32_t salt)
{
    uint32_t page[1024];
    for (unsigned w = 0; w < 1024; w++) {
        page[w] = word(k, w, salt);
    }
    assert_int_equal(stor_write(st, BASE + k * 4096, page, sizeof page), 0);
}

static bool
same(struct stor *st, uint64_t k, uint32_t salt)
{
    uint32_t page[1024];
    assert_int_equal(stor_read(st, BASE + k * 4096, page, sizeof page), 0);
    for (unsigned w = 0; w < 1024; w++) {
        if (page[w] != word(k, w, salt)) {
            return false;
        }
    }
    return true;
}

static void
fill(struct stor *st, uint64_t from, uint64_t pages, uint32_t salt)
{
    for (uint64_t k = from; k < from + pages; k++) {
        put(st, k, salt);
        if (k % 8 == 7) {
            stor_trim(st);
        }
    }
    stor_trim(st);
}

static unsigned
check(struct stor *st, uint64_t from, uint64_t pages, uint32_t salt)
{
    unsigned bad = 0;
    for (uint64_t k = from; k < from + pages; k++) {
        bad += !same(st, k, salt);
        if (k % 8 == 7) {
            stor_trim(st);
        }
    }
    return bad;
}

static struct stor_leaf *
leaf_of(struct stor *st, uint64_t k, unsigned *i)
{
    uint64_t pn = (BASE >> 12) + k;
    *i = pn & (STOR_LEAF_PAGES - 1);
    return stor_leaf_get(st, pn);
}

static bool
is_out(struct stor *st, uint64_t k)
{
    unsigned i;
    struct stor_leaf *l = leaf_of(st, k, &i);
    return l != NULL && l->frame[i] == NULL && (l->meta[i] & STOR_M_PAGED);
}

/* The page (0..pages-1) whose slot is s, or -1. */
static int64_t
page_with_slot(struct stor *st, uint64_t pages, uint32_t s)
{
    for (uint64_t k = 0; k < pages; k++) {
        unsigned i;
        struct stor_leaf *l = leaf_of(st, k, &i);
        if (l != NULL && (l->meta[i] & STOR_M_PAGED) && l->slot[i] == s) {
            return (int64_t)k;
        }
    }
    return -1;
}

/* Writes filler pages (from page `from` on, salt 99) with trims until page
 * k is out; false if it never goes. */
static bool
push_out(struct stor *st, uint64_t k, uint64_t from)
{
    for (uint64_t n = 0; n < 8 * NPAGES; n++) {
        if (is_out(st, k)) {
            return true;
        }
        put(st, from + n % (2 * LIMIT), 99);
        stor_trim(st);
    }
    return is_out(st, k);
}

static void
test_inflight_copy(void **state)
{
    (void)state;
    struct stor *st = stor_create(16u << 20);
    gate(true);
    struct paging_stats s0 = stats();
    fill(st, 0, 2 * LIMIT, 1);
    uint32_t s = held_slot();
    int64_t k = page_with_slot(st, 2 * LIMIT, s);
    assert_true(k >= 0);
    assert_true(is_out(st, k));
    /* the write has not landed: the page comes from its buffer */
    assert_true(same(st, (uint64_t)k, 1));
    struct paging_stats s1 = stats();
    assert_true(s1.inflight_hits > s0.inflight_hits);
    assert_true(s1.inflight > 0);
    /* the buffers never pass their cap: the rest waits resident */
    assert_true(s1.inflight_peak <= LIMIT / 4);
    gate(false);
    assert_int_equal(paging_drain(10000), 0);
    assert_int_equal(check(st, 0, 2 * LIMIT, 1), 0);
    assert_int_equal(paging_drain(10000), 0); /* what the check pushed out */
    assert_true(stats().page_outs > s0.page_outs);
    assert_int_equal(stats().inflight, 0);
    stor_destroy(st);
    assert_int_equal(paging_drain(10000), 0);
    assert_int_equal(stats().slots_used, 0);
}

static void
test_freed_slot_waits(void **state)
{
    (void)state;
    struct stor *st = stor_create(16u << 20);
    gate(true);
    fill(st, 0, 2 * LIMIT, 2);
    uint32_t s = held_slot();
    int64_t k = page_with_slot(st, 2 * LIMIT, s);
    assert_true(k >= 0);
    uint64_t used = stats().slots_used;
    /* DIAG 0x010 of the page whose write is under way */
    assert_int_equal(stor_release(st, BASE + (uint64_t)k * 4096, 4096), 0);
    assert_int_equal(stats().slots_used, used); /* still taken */
    /* more page-outs meanwhile: none gets that slot */
    fill(st, 2 * LIMIT, 2 * LIMIT, 3);
    assert_int_equal(page_with_slot(st, 4 * LIMIT, s), -1);
    uint8_t b = 1;
    assert_int_equal(stor_read(st, BASE + (uint64_t)k * 4096, &b, 1), 0);
    assert_int_equal(b, 0); /* released: zeros */
    gate(false);
    assert_int_equal(paging_drain(10000), 0);
    /* landed: the data all there */
    assert_int_equal(page_with_slot(st, 4 * LIMIT, s), -1);
    assert_int_equal(check(st, 2 * LIMIT, 2 * LIMIT, 3), 0);
    stor_destroy(st);
    assert_int_equal(paging_drain(10000), 0);
    assert_int_equal(stats().slots_used, 0);
}

static void
test_same_page_in_order(void **state)
{
    (void)state;
    struct stor *st = stor_create(16u << 20);
    gate(true);
    fill(st, 0, 2 * LIMIT, 4);
    uint32_t s = held_slot();
    int64_t k = page_with_slot(st, 2 * LIMIT, s);
    assert_true(k >= 0);
    /* back in (a copy), changed, out again while the first write is held:
     * the second write of the slot waits behind it */
    assert_true(same(st, (uint64_t)k, 4));
    put(st, (uint64_t)k, 5);
    assert_true(push_out(st, (uint64_t)k, 2 * LIMIT));
    assert_true(same(st, (uint64_t)k, 5)); /* the newer buffer */
    assert_true(push_out(st, (uint64_t)k, 2 * LIMIT)); /* clean: no write */
    gate(false);
    assert_int_equal(paging_drain(10000), 0);
    /* both landed, in order: the file holds the newer bytes */
    assert_true(is_out(st, (uint64_t)k));
    assert_true(same(st, (uint64_t)k, 5));
    stor_destroy(st);
}

static void
test_write_errors_keep_pages(void **state)
{
    (void)state;
    struct stor *st = stor_create(16u << 20);
    struct paging_stats s0 = stats();
    fail_with(EIO);
    fill(st, 0, NPAGES, 6);
    struct paging_stats s1 = stats();
    assert_true(s1.io_errors > s0.io_errors);
    assert_int_equal(s1.page_outs, s0.page_outs);
    assert_true(s1.deferred > s0.deferred); /* dirty pages stayed */
    assert_int_equal(told, 1); /* once */
    assert_non_null(strstr(told_text, "write error"));
    /* nothing lost, from the buffers and from storage */
    assert_int_equal(check(st, 0, NPAGES, 6), 0);
    /* the disk is back: the retries land */
    fail_with(0);
    assert_int_equal(paging_drain(10000), 0);
    fill(st, NPAGES, LIMIT, 7); /* pushes the rest out */
    assert_int_equal(paging_drain(10000), 0);
    assert_true(stats().page_outs > s1.page_outs);
    assert_true(stats().resident_pages <= LIMIT + 16); /* the limit and its slack */
    assert_int_equal(check(st, 0, NPAGES, 6), 0);
    assert_int_equal(check(st, NPAGES, LIMIT, 7), 0);
    stor_destroy(st);
}

static void
test_file_size_limit(void **state)
{
    (void)state;
    /* A real error from the kernel: past RLIMIT_FSIZE pwrite fails with
     * EFBIG (the signal it also raises is ignored). */
    paging_set_write_hook(NULL, NULL);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGXFSZ, &ign, &old);
    struct rlimit rl0, rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl0), 0);
    rl = rl0;
    rl.rlim_cur = 32 * 4096;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
    struct stor *st = stor_create(16u << 20);
    struct paging_stats s0 = stats();
    fill(st, 0, NPAGES, 8);
    assert_true(stats().io_errors > s0.io_errors);
    assert_int_equal(told, 1);
    assert_non_null(strstr(told_text, "write error"));
    assert_int_equal(check(st, 0, NPAGES, 8), 0);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl0), 0);
    assert_int_equal(paging_drain(10000), 0);
    fill(st, NPAGES, LIMIT, 9);
    assert_int_equal(paging_drain(10000), 0);
    assert_true(stats().resident_pages <= LIMIT + 16); /* the limit and its slack */
    assert_int_equal(check(st, 0, NPAGES, 8), 0);
    assert_int_equal(check(st, NPAGES, LIMIT, 9), 0);
    stor_destroy(st);
    sigaction(SIGXFSZ, &old, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inflight_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freed_slot_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_page_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_errors_keep_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_size_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
