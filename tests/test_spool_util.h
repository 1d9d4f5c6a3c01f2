/* SPDX-License-Identifier: MIT */
/*
 * tests/test_spool_util.h - helpers shared by the spool tests: temporary
 * folders, deterministic record contents, making and checking files.
 */
#ifndef TESTS_TEST_SPOOL_UTIL_H
#define TESTS_TEST_SPOOL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "spool/spool.h"

/* A new empty folder under $TMPDIR (or P_tmpdir); the caller frees the string
 * after tsp_rmtree. */
char *tsp_tmpdir(void);
/* Removes a folder made by tsp_tmpdir (one level: the spool is flat; a
 * subfolder "out" is removed too). */
void tsp_rmtree(const char *dir);

/* Record i of the file made from seed: 0..max_len bytes (binary, zeros
 * included); max_len 0 means the default of 300. */
size_t tsp_record(uint32_t seed, uint32_t i, uint8_t *buf, size_t max_len);

/* Opens a writer with these attributes, appends nrec records of seed (at
 * most max_len bytes each, 0 = 300) and closes it to `to` (NULL = system
 * queue).  Returns the spoolid; fails the test on any error. */
uint32_t tsp_make(struct spool *sp, const char *origin, enum spool_dev dev, char cls,
                  const char *to, uint32_t nrec, uint32_t seed, size_t max_len);

/* Reads file id and compares with nrec records of seed.  0 when equal, -1
 * on a difference, or the cursor's negative error. */
int tsp_check(struct spool *sp, uint32_t id, uint32_t nrec, uint32_t seed, size_t max_len);

/* Number of files matching (owner, queue, class). */
size_t tsp_count(struct spool *sp, const char *owner, enum spool_queue q, char cls);

double tsp_now_ms(void);

#endif
