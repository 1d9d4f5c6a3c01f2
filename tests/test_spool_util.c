// SPDX-License-Identifier: MIT
/*
 * tests/test_spool_util.c - helpers for the spool tests (see the header).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_spool_util.h"

char *
tsp_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/spooltest.XXXXXX", base && *base ? base : P_tmpdir);
    char *d = mkdtemp(path);
    assert_non_null(d);
    return strdup(d);
}

static void
rm_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *de;
    char p[1024];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (unlink(p) < 0) {
            rm_flat(p);
            rmdir(p);
        }
    }
    closedir(d);
}

void
tsp_rmtree(const char *dir)
{
    rm_flat(dir);
    rmdir(dir);
}

static uint32_t
mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

size_t
tsp_record(uint32_t seed, uint32_t i, uint8_t *buf, size_t max_len)
{
    if (!max_len) {
        max_len = 300;
    }
    uint32_t h = mix(seed * 2654435761u + i);
    size_t len = h % (max_len + 1);
    for (size_t k = 0; k < len; k++) {
        if (k % 4 == 0) {
            h = mix(h + (uint32_t)k);
        }
        buf[k] = (uint8_t)(h >> (8 * (k % 4)));
    }
    return len;
}

uint32_t
tsp_make(struct spool *sp, const char *origin, enum spool_dev dev, char cls, const char *to,
         uint32_t nrec, uint32_t seed, size_t max_len)
{
    struct spool_create c = {.origin = origin, .dev = dev, .spclass = cls, .fname = "TEST",
                             .ftype = "DATA"};
    struct spool_writer *w;
    assert_int_equal(spool_writer_open(sp, &c, &w), 0);
    uint8_t *buf = malloc(SPOOL_RECORD_MAX + 1);
    assert_non_null(buf);
    for (uint32_t i = 0; i < nrec; i++) {
        size_t len = tsp_record(seed, i, buf, max_len);
        assert_int_equal(spool_writer_append(w, buf, len), 0);
    }
    free(buf);
    uint32_t id = 0;
    assert_int_equal(spool_writer_close(w, to, &id), 0);
    assert_true(id > 0);
    return id;
}

int
tsp_check(struct spool *sp, uint32_t id, uint32_t nrec, uint32_t seed, size_t max_len)
{
    struct spool_cursor *c;
    int rc = spool_cursor_open(sp, id, NULL, &c);
    if (rc < 0) {
        return rc;
    }
    uint8_t *want = malloc(SPOOL_RECORD_MAX + 1), *got = malloc(SPOOL_RECORD_MAX + 1);
    assert_true(want && got);
    for (uint32_t i = 0; rc == 0 && i < nrec; i++) {
        size_t wl = tsp_record(seed, i, want, max_len), gl = 0;
        rc = spool_cursor_next(c, got, SPOOL_RECORD_MAX + 1, &gl);
        if (rc == 0 && (gl != wl || memcmp(want, got, wl) != 0)) {
            rc = -1;
        }
    }
    size_t gl;
    if (rc == 0 && spool_cursor_next(c, got, SPOOL_RECORD_MAX, &gl) != -ENODATA) {
        rc = -1;
    }
    free(want);
    free(got);
    spool_cursor_close(c);
    return rc;
}

size_t
tsp_count(struct spool *sp, const char *owner, enum spool_queue q, char cls)
{
    struct spool_filter f = {.owner = owner, .queue = q, .spclass = cls};
    struct spool_info *v;
    size_t n;
    assert_int_equal(spool_list(sp, &f, &v, &n), 0);
    free(v);
    return n;
}

double
tsp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
