/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cmsfs_util.h - what the CMS file system tests share: a disk in
 * storage with fault injection (a write or flush that fails, or a device
 * that "dies" - CP killed - after N writes, optionally tearing the last
 * one), a clock, and helpers that write, read and fingerprint files.
 */
#ifndef TESTS_TEST_CMSFS_UTIL_H
#define TESTS_TEST_CMSFS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "cms/fs/cmsfs.h"

enum memdev_fault {
    MEMDEV_NONE,
    MEMDEV_DIE, /* event N+1 and all later ones fail and change nothing */
    MEMDEV_TEAR, /* as DIE, but event N+1 (a write) lands half */
    MEMDEV_FAIL_ONCE, /* only event N+1 fails (changes nothing) */
};

/* Events are block writes (one per block) and flushes. */
struct memdev {
    struct cmsfs_dev dev;
    uint8_t **data; /* per block; NULL = all zeros */
    uint64_t blocks;
    enum memdev_fault fault;
    long after; /* events allowed before the fault */
    long events; /* since memdev_arm */
    bool dead;
    long reads, writes, flushes; /* totals */
};

void memdev_init(struct memdev *m, uint64_t blocks);
void memdev_free(struct memdev *m);
/* A copy of src's blocks in a fresh, healthy device. */
void memdev_clone(struct memdev *dst, const struct memdev *src);
/* Block b's bytes, to look at or damage. */
uint8_t *memdev_block(struct memdev *m, uint64_t b);
/* Counts events from now; the fault comes after `after` of them. */
void memdev_arm(struct memdev *m, enum memdev_fault fault, long after);

/* A clock that ticks one second per call from 2024-03-14 10:25:00 UTC+1. */
extern struct cmsfs_opts t_opts;

/* Formats (label "TEST") and mounts; fails the test on any error. */
struct cmsfs *t_format_mount(struct memdev *m, uint64_t blocks);
struct cmsfs *t_mount(struct memdev *m, unsigned flags);
struct cmsfs_name t_name(const char *fn, const char *ft);

/* Record i of a file made with seed: its bytes and length (F: lrecl;
 * V: 0..maxlen-1 varying). */
size_t t_record(uint32_t seed, uint32_t i, char recfm, uint32_t lrecl, uint8_t *buf);
/* Writes a whole file (mode CMSFS_WRITE or CMSFS_APPEND, records
 * first..first+n-1 of the seed) and closes it; returns the first error. */
int t_put(struct cmsfs *fs, const char *fn, const char *ft, enum cmsfs_mode mode, char recfm,
          uint32_t lrecl, uint32_t seed, uint32_t first, uint32_t n);
/* Checks that a file holds exactly records 0..n-1 of (seed, recfm, lrecl)
 * as t_put wrote them (a cmocka failure otherwise). */
void t_expect(struct cmsfs *fs, const char *fn, const char *ft, char recfm, uint32_t lrecl,
              uint32_t seed, uint32_t n);

/* A text fingerprint of every file (names, modes, formats, record counts
 * and a hash of all records); malloc'ed.  NULL if reading failed. */
char *t_digest(struct cmsfs *fs);
/* cmsfs_check must pass (prints the report's message otherwise). */
void t_check(struct cmsfs *fs);

#endif
