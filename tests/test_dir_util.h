/* SPDX-License-Identifier: MIT */
/*
 * tests/test_dir_util.h - the shared harness of the directory's cmocka
 * tests: a fresh data folder under $TMPDIR per test, an open directory in
 * it, importing text that must succeed, and collecting import errors.
 * Include after the cmocka headers.
 */
#ifndef TESTS_TEST_DIR_UTIL_H
#define TESTS_TEST_DIR_UTIL_H

#include "cp/dir.h"

/* Per-test state: set up by tdir_setup, torn down by tdir_teardown. */
struct tdir {
    char path[512];   /* the data folder */
    struct dir *d;    /* open on it */
};

/* A collection of import errors (line and message). */
struct terrs {
    int n;
    int lines[64];
    char msgs[64][256];
    int npw;
    char pw_user[16][9];
    char pw[16][64];
    int notes;
};

int tdir_setup(void **state);    /* cmocka group/test setup: state = struct tdir * */
int tdir_teardown(void **state);
void tdir_rmtree(const char *path);
int tdir_mkdtemp(char *out, size_t len); /* a new empty folder under $TMPDIR */

/* A dir_report that fills e (errors, generated passwords, notes). */
struct dir_report terrs_report(struct terrs *e);

/* Imports text (replace mode) and fails the test unless it works. */
void tdir_import_ok(struct dir *d, const char *text);
/* Imports text with flags and returns the result; errors land in e. */
int tdir_import(struct dir *d, const char *text, unsigned flags, struct terrs *e);
/* 1 if some error of e is on line and contains part. */
int terrs_has(const struct terrs *e, int line, const char *part);

/* A valid ed25519 public key (base64) made of a fixed seed byte. */
void tkey_ed25519(char *out, size_t len, unsigned char seed);

#endif
