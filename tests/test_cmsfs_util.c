// SPDX-License-Identifier: MIT
/*
 * tests/test_cmsfs_util.c - see test_cmsfs_util.h: the storage disk with
 * fault injection and the file helpers of the CMS file system tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/test_cmsfs_util.h"

/* ---- the device -------------------------------------------------------- */

/* Counts one event; false if it must fail. *tear: apply half, then die. */
static bool
memdev_event(struct memdev *m, bool *tear)
{
    *tear = false;
    if (m->dead) {
        return false;
    }
    long n = ++m->events;
    if (m->fault == MEMDEV_NONE || n <= m->after) {
        return true;
    }
    switch (m->fault) {
    case MEMDEV_FAIL_ONCE:
        return n != m->after + 1;
    case MEMDEV_TEAR:
        *tear = n == m->after + 1;
        m->dead = true;
        return false;
    default:
        m->dead = true;
        return false;
    }
}

static const uint8_t zero_block[CMSFS_BLOCK_SIZE];

static int
md_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    struct memdev *m = ctx;
    if (block + count > m->blocks) {
        return CMSFS_E_IO;
    }
    m->reads += count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *src = m->data[block + i] ? m->data[block + i] : zero_block;
        memcpy((uint8_t *)buf + (size_t)i * CMSFS_BLOCK_SIZE, src, CMSFS_BLOCK_SIZE);
    }
    return CMSFS_OK;
}

/* Stores n bytes at the start of block b (blocks of zeros take no space). */
static void
md_store(struct memdev *m, uint64_t b, const uint8_t *src, size_t n)
{
    if (m->data[b] == NULL) {
        if (n == CMSFS_BLOCK_SIZE && memcmp(src, zero_block, n) == 0) {
            return;
        }
        m->data[b] = calloc(1, CMSFS_BLOCK_SIZE);
        assert_non_null(m->data[b]);
    }
    memcpy(m->data[b], src, n);
}

static int
md_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
    struct memdev *m = ctx;
    if (block + count > m->blocks) {
        return CMSFS_E_IO;
    }
    for (uint32_t i = 0; i < count; i++) {
        bool tear;
        const uint8_t *src = (const uint8_t *)buf + (size_t)i * CMSFS_BLOCK_SIZE;
        if (!memdev_event(m, &tear)) {
            if (tear) {
                md_store(m, block + i, src, CMSFS_BLOCK_SIZE / 2);
            }
            return CMSFS_E_IO;
        }
        md_store(m, block + i, src, CMSFS_BLOCK_SIZE);
        m->writes++;
    }
    return CMSFS_OK;
}

static int
md_flush(void *ctx)
{
    struct memdev *m = ctx;
    bool tear;
    m->flushes++;
    return memdev_event(m, &tear) ? CMSFS_OK : CMSFS_E_IO;
}

void
memdev_init(struct memdev *m, uint64_t blocks)
{
    memset(m, 0, sizeof *m);
    m->blocks = blocks;
    m->data = calloc(blocks, sizeof *m->data);
    assert_non_null(m->data);
    m->dev = (struct cmsfs_dev){CMSFS_BLOCK_SIZE, blocks, false, m, md_read, md_write, md_flush};
}

void
memdev_free(struct memdev *m)
{
    for (uint64_t b = 0; m->data && b < m->blocks; b++) {
        free(m->data[b]);
    }
    free(m->data);
    m->data = NULL;
}

void
memdev_clone(struct memdev *dst, const struct memdev *src)
{
    memdev_init(dst, src->blocks);
    for (uint64_t b = 0; b < src->blocks; b++) {
        if (src->data[b]) {
            md_store(dst, b, src->data[b], CMSFS_BLOCK_SIZE);
        }
    }
}

uint8_t *
memdev_block(struct memdev *m, uint64_t b)
{
    if (m->data[b] == NULL) {
        m->data[b] = calloc(1, CMSFS_BLOCK_SIZE);
        assert_non_null(m->data[b]);
    }
    return m->data[b];
}

void
memdev_arm(struct memdev *m, enum memdev_fault fault, long after)
{
    m->fault = fault;
    m->after = after;
    m->events = 0;
    m->dead = false;
}

/* ---- clock and mounting ------------------------------------------------ */

static void
t_clock(void *ctx, struct cmsfs_time *now)
{
    static int64_t tick;
    (void)ctx;
    now->us = 1710408300000000 + tick++ * 1000000; /* 2024-03-14 09:25:00 UTC */
    now->utc_offset_s = 3600;
}

struct cmsfs_opts t_opts = {0, 0, t_clock, NULL};

struct cmsfs *
t_format_mount(struct memdev *m, uint64_t blocks)
{
    memdev_init(m, blocks);
    assert_int_equal(cmsfs_format(&m->dev, "TEST", &t_opts), CMSFS_OK);
    return t_mount(m, 0);
}

struct cmsfs *
t_mount(struct memdev *m, unsigned flags)
{
    struct cmsfs *fs = NULL;
    struct cmsfs_opts o = t_opts;
    o.flags = flags;
    assert_int_equal(cmsfs_mount(&m->dev, &o, &fs), CMSFS_OK);
    return fs;
}

struct cmsfs_name
t_name(const char *fn, const char *ft)
{
    struct cmsfs_name n;
    assert_int_equal(cmsfs_name_set(&n, fn, ft), CMSFS_OK);
    return n;
}

/* ---- files ------------------------------------------------------------- */

static uint64_t
mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

size_t
t_record(uint32_t seed, uint32_t i, char recfm, uint32_t lrecl, uint8_t *buf)
{
    uint64_t h = mix((uint64_t)seed << 32 | i);
    size_t len = recfm == 'F' ? lrecl : (size_t)(h % lrecl);
    for (size_t j = 0; j < len; j++) {
        if (j % 8 == 0) {
            h = mix(h + j);
        }
        buf[j] = (uint8_t)(h >> (8 * (j % 8)));
    }
    return len;
}

int
t_put(struct cmsfs *fs, const char *fn, const char *ft, enum cmsfs_mode mode, char recfm,
      uint32_t lrecl, uint32_t seed, uint32_t first, uint32_t n)
{
    struct cmsfs_name name = t_name(fn, ft);
    struct cmsfs_create cr = {recfm, recfm == 'F' ? lrecl : 0, 1};
    struct cmsfs_file *f = NULL;
    uint8_t *buf = malloc(lrecl + 1);
    assert_non_null(buf);
    int rc = cmsfs_open(fs, &name, mode, &cr, &f);
    for (uint32_t i = first; rc == CMSFS_OK && i < first + n; i++) {
        size_t len = t_record(seed, i, recfm, lrecl, buf);
        rc = cmsfs_write(f, buf, len);
    }
    if (f != NULL) {
        int rc2 = rc == CMSFS_OK ? cmsfs_close(f) : (cmsfs_discard(f), rc);
        rc = rc == CMSFS_OK ? rc2 : rc;
    }
    free(buf);
    return rc;
}

void
t_expect(struct cmsfs *fs, const char *fn, const char *ft, char recfm, uint32_t lrecl,
         uint32_t seed, uint32_t n)
{
    struct cmsfs_name name = t_name(fn, ft);
    struct cmsfs_file *f = NULL;
    struct cmsfs_stat st;
    size_t len;
    assert_int_equal(cmsfs_open(fs, &name, CMSFS_READ, NULL, &f), CMSFS_OK);
    cmsfs_file_stat(f, &st);
    assert_int_equal(st.records, n);
    assert_int_equal(st.recfm, recfm);
    uint8_t *want = malloc(CMSFS_MAX_LRECL + 1), *got = malloc(CMSFS_MAX_LRECL + 1);
    assert_non_null(want);
    assert_non_null(got);
    for (uint32_t i = 0; i < n; i++) {
        size_t wl = t_record(seed, i, recfm, lrecl, want);
        assert_int_equal(cmsfs_read(f, got, CMSFS_MAX_LRECL, &len), CMSFS_OK);
        assert_int_equal(len, wl);
        assert_memory_equal(got, want, wl);
    }
    assert_int_equal(cmsfs_read(f, got, 16, &len), CMSFS_E_EOF);
    free(want);
    free(got);
    assert_int_equal(cmsfs_close(f), CMSFS_OK);
}

/* ---- fingerprints ------------------------------------------------------ */

char *
t_digest(struct cmsfs *fs)
{
    size_t cap = 4096, used = 0;
    char *out = malloc(cap);
    uint8_t *buf = malloc(CMSFS_MAX_LRECL);
    struct cmsfs_iter *it = NULL;
    struct cmsfs_stat st;
    int rc = cmsfs_iter_open(fs, NULL, NULL, -1, &it);
    out[0] = '\0';
    while (rc == CMSFS_OK && (rc = cmsfs_iter_next(it, &st)) == CMSFS_OK) {
        struct cmsfs_file *f = NULL;
        uint64_t h = 1469598103934665603ull;
        size_t len;
        uint32_t n = 0;
        rc = cmsfs_open(fs, &st.name, CMSFS_READ, NULL, &f);
        while (rc == CMSFS_OK && (rc = cmsfs_read(f, buf, CMSFS_MAX_LRECL, &len)) == CMSFS_OK) {
            for (size_t j = 0; j < len; j++) {
                h = (h ^ buf[j]) * 1099511628211ull;
            }
            h = (h ^ len) * 1099511628211ull;
            n++;
        }
        if (f) {
            cmsfs_close(f);
        }
        if (rc != CMSFS_E_EOF || n != st.records) {
            rc = CMSFS_E_CORRUPT;
            break;
        }
        rc = CMSFS_OK;
        if (used + 128 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        used += (size_t)snprintf(out + used, cap - used, "%.8s %.8s %d %c %u %u %016llx\n",
                                 st.name.fn, st.name.ft, st.fmnum, st.recfm, st.lrecl,
                                 st.records, (unsigned long long)h);
    }
    if (it) {
        cmsfs_iter_close(it);
    }
    free(buf);
    if (rc != CMSFS_E_EOF) {
        free(out);
        return NULL;
    }
    return out;
}

void
t_check(struct cmsfs *fs)
{
    struct cmsfs_check_report r;
    int rc = cmsfs_check(fs, &r);
    if (rc != CMSFS_OK) {
        print_error("cmsfs_check: %s: %s\n", cmsfs_err_name(rc), r.message);
    }
    assert_int_equal(rc, CMSFS_OK);
}
