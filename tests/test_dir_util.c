// SPDX-License-Identifier: MIT
/*
 * tests/test_dir_util.c - the harness of tests/test_dir_util.h: temp data
 * folders (mkdtemp under $TMPDIR, removed afterwards), an open directory,
 * and import helpers that collect errors for assertions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_dir_util.h"

int
tdir_mkdtemp(char *out, size_t len)
{
    const char *t = getenv("TMPDIR");
    snprintf(out, len, "%s/vmrv-test-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(out) != NULL ? 0 : -1;
}

static int
tdir_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
tdir_rmtree(const char *path)
{
    nftw(path, tdir_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int
tdir_setup(void **state)
{
    struct tdir *t = calloc(1, sizeof *t);
    assert_non_null(t);
    assert_int_equal(tdir_mkdtemp(t->path, sizeof t->path), 0);
    char err[256] = "";
    int rc = dir_open(&t->d, t->path, DIR_OPEN_CREATE, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "dir_open: %s\n", err);
    }
    assert_int_equal(rc, 0);
    *state = t;
    return 0;
}

int
tdir_teardown(void **state)
{
    struct tdir *t = *state;
    if (t != NULL) {
        dir_close(t->d);
        tdir_rmtree(t->path);
        free(t);
    }
    return 0;
}

static void
terrs_error(void *arg, int line, const char *msg)
{
    struct terrs *e = arg;
    if (e->n < 64) {
        e->lines[e->n] = line;
        snprintf(e->msgs[e->n], sizeof e->msgs[e->n], "%s", msg);
    }
    e->n++;
}

static void
terrs_password(void *arg, const char *userid, const char *pw)
{
    struct terrs *e = arg;
    if (e->npw < 16) {
        snprintf(e->pw_user[e->npw], sizeof e->pw_user[e->npw], "%s", userid);
        snprintf(e->pw[e->npw], sizeof e->pw[e->npw], "%s", pw);
    }
    e->npw++;
}

static void
terrs_note(void *arg, const char *msg)
{
    struct terrs *e = arg;
    (void)msg;
    e->notes++;
}

struct dir_report
terrs_report(struct terrs *e)
{
    struct dir_report r = {0};
    r.error = terrs_error;
    r.password = terrs_password;
    r.note = terrs_note;
    r.arg = e;
    return r;
}

int
tdir_import(struct dir *d, const char *text, unsigned flags, struct terrs *e)
{
    memset(e, 0, sizeof *e);
    struct dir_report r = terrs_report(e);
    return dir_import(d, text, strlen(text), flags, &r);
}

void
tdir_import_ok(struct dir *d, const char *text)
{
    struct terrs e;
    int rc = tdir_import(d, text, 0, &e);
    for (int i = 0; i < e.n && i < 64; i++) {
        fprintf(stderr, "line %d: %s\n", e.lines[i], e.msgs[i]);
    }
    if (rc != 0) {
        fprintf(stderr, "dir_import: %s\n", dir_errmsg(d));
    }
    assert_int_equal(rc, 0);
}

int
terrs_has(const struct terrs *e, int line, const char *part)
{
    for (int i = 0; i < e->n && i < 64; i++) {
        if (e->lines[i] == line && strstr(e->msgs[i], part) != NULL) {
            return 1;
        }
    }
    return 0;
}

void
tkey_ed25519(char *out, size_t len, unsigned char seed)
{
    /* The SSH wire form: string "ssh-ed25519", string 32 key bytes. */
    unsigned char blob[4 + 11 + 4 + 32];
    size_t n = 0;
    blob[n++] = 0, blob[n++] = 0, blob[n++] = 0, blob[n++] = 11;
    memcpy(blob + n, "ssh-ed25519", 11);
    n += 11;
    blob[n++] = 0, blob[n++] = 0, blob[n++] = 0, blob[n++] = 32;
    for (int i = 0; i < 32; i++) {
        blob[n++] = (unsigned char)(seed + i * 7);
    }
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < len; i += 3) {
        uint32_t v = (uint32_t)blob[i] << 16 | (i + 1 < n ? (uint32_t)blob[i + 1] << 8 : 0) |
                     (i + 2 < n ? blob[i + 2] : 0);
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
}
