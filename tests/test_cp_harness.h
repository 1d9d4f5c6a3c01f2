/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cp_harness.h - shared helpers for the cmocka tests of CP
 * proper: temporary folders under $TMPDIR, reading a whole file, and a
 * fake terminal that records what a console sends it.
 */
#ifndef TESTS_TEST_CP_HARNESS_H
#define TESTS_TEST_CP_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Makes a fresh folder (mkdtemp under $TMPDIR or /tmp).  Fails the test
 * if it cannot. */
void harness_tmpdir(char *buf, size_t buflen);
/* Removes a folder made by harness_tmpdir and everything in it. */
void harness_rmtree(const char *dir);
/* The contents of a file, NUL terminated, malloc'd (free it); NULL if
 * absent. */
char *harness_slurp(const char *path);

#endif
