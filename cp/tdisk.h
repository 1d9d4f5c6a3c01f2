/* SPDX-License-Identifier: MIT */
/*
 * cp/tdisk.h - temporary minidisks (T-disks, DEFINE TDISK): fresh zeroed
 * images that live only as long as the VM holds them.
 *
 * An image is a sparse file created in DATA/tdisk (mode 0700, files 0600),
 * opened, and unlinked at once: from then on only the open descriptor
 * (struct blockdev) keeps it, so no other user can ever reach it by name,
 * and its space goes back to the host when the last reference closes
 * (DETACH, LOGOFF, FORCE, a crash).  tdisk_sweep removes what a crash
 * between create and unlink may have left; CP calls it at start.
 *
 * The space of all T-disks together is counted in a struct tdisk_pool
 * against the system's limit (config tdisk_total).
 *
 * Threads: tdisk_create does file I/O (an I/O worker); the pool is locked.
 */
#ifndef CP_TDISK_H
#define CP_TDISK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blockdev;

#define TDISK_DIR "tdisk"     /* inside the data folder */
#define TDISK_CYL_BLOCKS 180u /* a 3390 cylinder: 15 tracks of 12 4K blocks */

struct tdisk_pool {
    pthread_mutex_t lock;
    uint64_t used; /* bytes of T-disks in use */
};

void tdisk_pool_init(struct tdisk_pool *p);
void tdisk_pool_fini(struct tdisk_pool *p);
/* Reserves bytes if used + bytes <= total: 0, else -ENOSPC. */
int tdisk_pool_reserve(struct tdisk_pool *p, uint64_t bytes, uint64_t total);
void tdisk_pool_release(struct tdisk_pool *p, uint64_t bytes);
uint64_t tdisk_pool_used(struct tdisk_pool *p);

/* Creates a zeroed image of `blocks` blocks for userid's vaddr and opens it
 * read/write; the file's name is gone before this returns.  On success
 * *out holds one reference.  0, or a negative errno with a one-line reason
 * in err (-ENOSPC: the host disk has no room); nothing is left behind. */
int tdisk_create(const char *datadir, const char *userid, unsigned vaddr, uint64_t blocks,
                 struct blockdev **out, char *err, size_t errlen);

/* Removes every file in DATA/tdisk (leftovers of a crash).  Returns how
 * many were removed, or a negative errno. */
int tdisk_sweep(const char *datadir);

#endif /* CP_TDISK_H */
